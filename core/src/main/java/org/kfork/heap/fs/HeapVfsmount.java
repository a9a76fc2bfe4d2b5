package org.kfork.heap.fs;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The heap twin of the model's {@code struct mount} and its {@code struct vfsmount mnt} (one
 * object: paths point to it): the root dentry and the per-CPU mnt_count (mnt_pcp).
 */
public final class HeapVfsmount {
    /** mnt.mnt_root. */
    public HeapDentry mntRoot;
    /** mnt_pcp->mnt_count of each CPU. */
    public final AtomicIntegerArray mntPcpCount;

    HeapVfsmount(int nrCpus) {
        mntPcpCount = new AtomicIntegerArray(nrCpus);
    }
}
