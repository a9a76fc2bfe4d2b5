package org.kfork.heap.fs;

import org.kfork.heap.HeapGlobals;
import org.kfork.smp.CurrentCpu;

/**
 * The heap twin of org.kfork.kernel.fs.Paths: the rootfs mount and its root dentry,
 * mntget/mntput, dget/dput, path_get/path_put, with the same refusals.
 */
public final class HeapPaths {
    /** S_IFDIR. */
    static final int S_IFDIR = 0040000;

    private HeapPaths() {
    }

    /** init_mount_tree: the mount (count 1) and its root dentry "/" over a directory inode (count 1). */
    public static HeapVfsmount initMountTree(HeapGlobals g) {
        final HeapVfsmount mnt = new HeapVfsmount(g.nrCpus);
        final HeapDentry dentry = new HeapDentry();
        final HeapInode inode = g.inodes.newInodePseudo();
        if (inode == null) {
            throw new IllegalStateException("init_mount_tree: no memory for the root inode");
        }
        inode.iIno = Integer.toUnsignedLong(g.inodes.getNextIno());
        inode.iMode = S_IFDIR | 0755;
        dentry.dInode = inode;
        dentry.dIname = "/";
        dentry.dLockrefCount.set(1);
        mnt.mntRoot = dentry;
        mntCountAdd(g, mnt, 1);
        return mnt;
    }

    /** What init_mount_tree took: the root inode. */
    public static void closeMountTree(HeapGlobals g, HeapVfsmount mnt) {
        g.inodes.iput(mnt.mntRoot.dInode);
    }

    private static void mntCountAdd(HeapGlobals g, HeapVfsmount mnt, int d) {
        mnt.mntPcpCount.getAndAdd(CurrentCpu.current(g.nrCpus), d);
    }

    /** mnt_get_count. */
    public static int mntGetCount(HeapVfsmount mnt) {
        int count = 0;
        for (int cpu = 0; cpu < mnt.mntPcpCount.length(); cpu++) {
            count += mnt.mntPcpCount.get(cpu);
        }
        return count;
    }

    /** mntget. */
    public static HeapVfsmount mntget(HeapGlobals g, HeapVfsmount mnt) {
        if (mnt != null) {
            mntCountAdd(g, mnt, 1);
        }
        return mnt;
    }

    /** mntput: a put that would free the model's mount is refused. */
    public static void mntput(HeapGlobals g, HeapVfsmount mnt) {
        if (mnt == null) {
            return;
        }
        if (mntGetCount(mnt) <= 1) {
            throw new IllegalStateException("mntput: the mount tree's own reference");
        }
        mntCountAdd(g, mnt, -1);
    }

    /** d_count. */
    public static int dCount(HeapDentry dentry) {
        return dentry.dLockrefCount.get();
    }

    /** dget. */
    public static HeapDentry dget(HeapDentry dentry) {
        if (dentry != null) {
            dentry.dLockrefCount.incrementAndGet();
        }
        return dentry;
    }

    /** dput: a put that would free the root dentry is refused. */
    public static void dput(HeapDentry dentry) {
        if (dentry == null) {
            return;
        }
        int c;
        do {
            c = dentry.dLockrefCount.get();
            if (c <= 1) {
                throw new IllegalStateException("dput: the last reference of the root dentry");
            }
        } while (!dentry.dLockrefCount.compareAndSet(c, c - 1));
    }

    /** path_get. */
    public static void pathGet(HeapGlobals g, HeapPath path) {
        mntget(g, path.mnt);
        dget(path.dentry);
    }

    /** path_put. */
    public static void pathPut(HeapGlobals g, HeapPath path) {
        dput(path.dentry);
        mntput(g, path.mnt);
    }

    /** The path of the root of {@code mnt}, written into {@code path}. */
    public static void rootPath(HeapVfsmount mnt, HeapPath path) {
        path.mnt = mnt;
        path.dentry = mnt.mntRoot;
    }
}
