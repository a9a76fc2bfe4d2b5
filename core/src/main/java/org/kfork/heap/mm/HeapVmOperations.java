package org.kfork.heap.mm;

/**
 * The heap twin of {@code struct vm_operations_struct}: the open and close methods the model
 * calls, each null or a Java function (the off-heap table holds kernel-text addresses in the same
 * slots).
 */
public final class HeapVmOperations {
    /** {@code void (*)(struct vm_area_struct *)}. */
    @FunctionalInterface
    public interface VmaMethod {
        /** Runs on {@code vma}. */
        void call(HeapVma vma);
    }

    /** The name of the table, as the kernel's symbol is named. */
    public final String name;
    /** open, or null. */
    public final VmaMethod open;
    /** close, or null. */
    public final VmaMethod close;

    /** A table with these methods (null: none). */
    public HeapVmOperations(String name, VmaMethod open, VmaMethod close) {
        this.name = name;
        this.open = open;
        this.close = close;
    }

    /** vm_ops &amp;&amp; vm_ops->close. */
    public static boolean hasClose(HeapVmOperations ops) {
        return ops != null && ops.close != null;
    }

    /** vma->vm_ops->open(vma), if the VMA has such a method. */
    public static void open(HeapVma vma) {
        if (vma.vmOps != null && vma.vmOps.open != null) {
            vma.vmOps.open.call(vma);
        }
    }

    /** vma->vm_ops->close(vma), if the VMA has such a method. */
    public static void close(HeapVma vma) {
        if (vma.vmOps != null && vma.vmOps.close != null) {
            vma.vmOps.close.call(vma);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
