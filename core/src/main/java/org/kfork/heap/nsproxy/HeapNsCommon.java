package org.kfork.heap.nsproxy;

import org.kfork.heap.locking.HeapRefcount;

/**
 * The heap twin of {@code struct ns_common}, embedded in every namespace: its reference count and
 * its inode number (the nsfs dentry stash and the ops pointer are not twinned).
 */
public final class HeapNsCommon {
    /** {@code refcount_t count}. */
    public final HeapRefcount count;
    /** {@code unsigned int inum}. */
    public int inum;

    /** An ns_common whose count is reported as {@code what}. */
    public HeapNsCommon(String what) {
        this.count = new HeapRefcount(what);
    }
}
