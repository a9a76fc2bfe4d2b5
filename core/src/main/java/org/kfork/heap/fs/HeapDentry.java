package org.kfork.heap.fs;

import java.util.concurrent.atomic.AtomicInteger;

/** The heap twin of {@code struct dentry}, as much as the model's root dentry uses: its count, parent, inode, name. */
public final class HeapDentry {
    /** d_lockref.count. */
    public final AtomicInteger dLockrefCount = new AtomicInteger();
    /** d_parent (itself for a root). */
    public HeapDentry dParent;
    /** d_inode. */
    public HeapInode dInode;
    /** d_iname. */
    public String dIname;

    HeapDentry() {
        dParent = this;
    }
}
