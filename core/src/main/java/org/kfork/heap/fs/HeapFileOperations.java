package org.kfork.heap.fs;

/**
 * The heap twin of {@code struct file_operations}: the two methods the model calls, each null or
 * a Java function (the off-heap table holds kernel-text addresses in the same slots).
 */
public final class HeapFileOperations {
    /** {@code int (*mmap)(struct file *, struct vm_area_struct *)}; the VMA is a heap.mm object. */
    @FunctionalInterface
    public interface MmapMethod {
        /** Sets up {@code vma} for {@code file}; 0 or a negative errno. */
        int mmap(HeapFile file, Object vma);
    }

    /** {@code int (*release)(struct inode *, struct file *)}. */
    @FunctionalInterface
    public interface ReleaseMethod {
        /** The file's last reference is gone. */
        int release(HeapInode inode, HeapFile file);
    }

    /** The name of the table, as the kernel's symbol is named. */
    public final String name;
    /** mmap, or null. */
    public final MmapMethod mmap;
    /** release, or null. */
    public final ReleaseMethod release;

    /** A table with these methods (null: none). */
    public HeapFileOperations(String name, MmapMethod mmap, ReleaseMethod release) {
        this.name = name;
        this.mmap = mmap;
        this.release = release;
    }

    @Override
    public String toString() {
        return name;
    }
}
