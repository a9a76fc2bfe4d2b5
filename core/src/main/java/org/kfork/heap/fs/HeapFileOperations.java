package org.kfork.heap.fs;

/**
 * The heap twin of {@code struct file_operations}: the methods the model calls (mmap, flush,
 * release) and the read_iter and write_iter whose presence gives FMODE_CAN_READ and
 * FMODE_CAN_WRITE; each null or a Java function (the off-heap table holds kernel-text addresses in
 * the same slots). Built like a C initializer: the name, then the slots that are set.
 */
public final class HeapFileOperations {
    /** {@code int (*mmap)(struct file *, struct vm_area_struct *)}; the VMA is a heap.mm object. */
    @FunctionalInterface
    public interface MmapMethod {
        /** Sets up {@code vma} for {@code file}; 0 or a negative errno. */
        int mmap(HeapFile file, Object vma);
    }

    /** {@code int (*flush)(struct file *, fl_owner_t id)}. */
    @FunctionalInterface
    public interface FlushMethod {
        /** A descriptor of the file is being closed by the owner {@code id}. */
        int flush(HeapFile file, Object id);
    }

    /** {@code int (*release)(struct inode *, struct file *)}. */
    @FunctionalInterface
    public interface ReleaseMethod {
        /** The file's last reference is gone. */
        int release(HeapInode inode, HeapFile file);
    }

    /** read_iter and write_iter: the model does no file I/O, so they are there to be present. */
    @FunctionalInterface
    public interface RwIterMethod {
        /** Reads or writes; the model's methods throw. */
        long call(Object kiocb, Object iter);
    }

    /** The name of the table, as the kernel's symbol is named. */
    public final String name;
    /** read_iter, or null. */
    public RwIterMethod readIter;
    /** write_iter, or null. */
    public RwIterMethod writeIter;
    /** mmap, or null. */
    public MmapMethod mmap;
    /** flush, or null. */
    public FlushMethod flush;
    /** release, or null. */
    public ReleaseMethod release;

    /** A table whose slots are all NULL. */
    public HeapFileOperations(String name) {
        this.name = name;
    }

    /** A read_iter or write_iter of the model: present, never run. */
    public static RwIterMethod noFileIo(String name) {
        return (kiocb, iter) -> {
            throw new UnsupportedOperationException(name + ": the model does no file I/O");
        };
    }

    @Override
    public String toString() {
        return name;
    }
}
