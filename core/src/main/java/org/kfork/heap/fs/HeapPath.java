package org.kfork.heap.fs;

/** The heap twin of {@code struct path}, embedded (in fs_struct) as a final object of two fields. */
public final class HeapPath {
    /** mnt. */
    public HeapVfsmount mnt;
    /** dentry. */
    public HeapDentry dentry;
}
