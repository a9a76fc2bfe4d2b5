package org.kfork.kernel.fs;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.Dentry;
import org.kfork.kernel.struct.Inode;
import org.kfork.kernel.struct.Lockref;
import org.kfork.kernel.struct.MntPcp;
import org.kfork.kernel.struct.Mount;
import org.kfork.kernel.struct.Path;
import org.kfork.kernel.struct.Vfsmount;
import org.kfork.machine.Mem;

/**
 * The paths fs_struct holds, over the model's one mount and its root dentry: fs/namespace.c's
 * init_mount_tree (the rootfs mount, whose root becomes init_fs's root and pwd), mntget and
 * mntput; fs/dcache.c's dget and dput; fs/namei.c's path_get and path_put. The heap twin is
 * {@link org.kfork.heap.fs.HeapPaths}.
 *
 * <p>What stands in for what: {@link Globals#rootMount} is a {@code struct mount} in the kernel
 * image whose {@code mnt} is the vfsmount of every path; its reference count is per CPU, as 5.12
 * keeps it with CONFIG_SMP ({@code mnt_pcp} holds the offset of a {@code struct mnt_pcp} in the
 * per-CPU areas; mnt_get_count sums the CPUs' mnt_count). {@link Globals#rootDentry} is the
 * mount's root dentry in the kernel image, "/", over a directory inode from inode_cache; its count
 * is {@code d_lockref.count}.
 *
 * <p>Invariants: the mount holds one reference on itself (the mount tree's) and one on its root
 * dentry (mnt_root), so neither count reaches 0 while the kernel runs; a put that would take one
 * to 0 is refused and reported. Omitted: every other mount and dentry (lookups, the dcache, mount
 * namespaces' trees, umount, the super_block), dentry names beyond d_iname, and the lockref's
 * spinlock path (the count is changed atomically; nothing takes the lock).
 */
public final class Paths {
    /** S_IFDIR: a directory. */
    static final int S_IFDIR = 0040000;

    private Paths() {
    }

    /**
     * init_mount_tree: the rootfs mount (count 1: the tree's) and its root dentry "/" over a
     * directory inode (count 1: the mount's mnt_root), in the kernel image and the per-CPU areas.
     * The caller points init_fs's root and pwd at it.
     *
     * @return the mount's address ({@code struct mount *})
     */
    public static long initMountTree(Globals g) {
        final long mount = g.image.alloc(Mount.SIZEOF, Mount.ALIGNOF);
        final long pcp = g.kmem.percpu().alloc((int) MntPcp.SIZEOF, (int) MntPcp.ALIGNOF);
        if (pcp < 0) {
            throw new IllegalStateException("init_mount_tree: the per-CPU areas are full");
        }
        for (int cpu = 0; cpu < g.kmem.percpu().nrCpus(); cpu++) {
            Mem.zero(g.kmem.percpu().ptr(cpu, (int) pcp), MntPcp.SIZEOF);
        }
        putLong(mount + Mount.MNT_PCP, pcp);
        putLong(mount + Mount.MNT_PARENT, mount); // the root mount is its own parent
        for (long list : new long[] {Mount.MNT_MOUNTS, Mount.MNT_CHILD, Mount.MNT_INSTANCE, Mount.MNT_LIST,
            Mount.MNT_EXPIRE, Mount.MNT_SHARE, Mount.MNT_SLAVE_LIST, Mount.MNT_SLAVE, Mount.MNT_UMOUNTING}) {
            IntrusiveList.init(mount + list);
        }
        final long dentry = g.image.alloc(Dentry.SIZEOF, Dentry.ALIGNOF);
        final long inode = g.inodes.newInodePseudo();
        if (inode == 0) {
            throw new IllegalStateException("init_mount_tree: no memory for the root inode");
        }
        putLong(inode + Inode.I_INO, Integer.toUnsignedLong(g.inodes.getNextIno()));
        Mem.putShort(inode + Inode.I_MODE, (short) (S_IFDIR | 0755));
        putLong(dentry + Dentry.D_PARENT, dentry); // IS_ROOT
        putLong(dentry + Dentry.D_INODE, inode);
        Mem.putByte(dentry + Dentry.D_INAME, (byte) '/');
        IntrusiveList.init(dentry + Dentry.D_CHILD);
        IntrusiveList.init(dentry + Dentry.D_SUBDIRS);
        IntrusiveList.init(dentry + Dentry.D_LRU);
        putInt(dentry + Dentry.D_LOCKREF + Lockref.COUNT, 1); // mnt_root's reference
        putLong(mount + Mount.MNT + Vfsmount.MNT_ROOT, dentry);
        mntCountAdd(g, mount + Mount.MNT, 1); // the mount tree's reference
        return mount;
    }

    /** Frees what init_mount_tree took that the image does not hold: the per-CPU count, the root inode. */
    public static void closeMountTree(Globals g, long mount) {
        final long dentry = getLong(mount + Mount.MNT + Vfsmount.MNT_ROOT);
        g.inodes.iput(getLong(dentry + Dentry.D_INODE));
        g.kmem.percpu().free((int) getLong(mount + Mount.MNT_PCP), (int) MntPcp.SIZEOF);
    }

    /** real_mount: the struct mount around a vfsmount. */
    static long realMount(long mnt) {
        return mnt - Mount.MNT;
    }

    private static long mntPcpOf(Globals g, long mnt, int cpu) {
        return g.kmem.percpu().ptr(cpu, (int) getLong(realMount(mnt) + Mount.MNT_PCP));
    }

    private static void mntCountAdd(Globals g, long mnt, int d) {
        Mem.getAndAddInt(mntPcpOf(g, mnt, g.cpus.current()) + MntPcp.MNT_COUNT, d); // this_cpu_add
    }

    /** mnt_get_count: the sum of every CPU's mnt_count. */
    public static int mntGetCount(Globals g, long mnt) {
        int count = 0;
        for (int cpu = 0; cpu < g.kmem.percpu().nrCpus(); cpu++) {
            count += getInt(mntPcpOf(g, mnt, cpu) + MntPcp.MNT_COUNT);
        }
        return count;
    }

    /** mntget. */
    public static long mntget(Globals g, long mnt) {
        if (mnt != 0) {
            mntCountAdd(g, mnt, 1);
        }
        return mnt;
    }

    /** mntput: the model's mount stays in the tree, so a put never frees it; one that would is refused. */
    public static void mntput(Globals g, long mnt) {
        if (mnt == 0) {
            return;
        }
        if (mntGetCount(g, mnt) <= 1) {
            throw new IllegalStateException("mntput: the mount tree's own reference of 0x" + Long.toHexString(mnt));
        }
        mntCountAdd(g, mnt, -1);
    }

    /** d_count. */
    public static int dCount(long dentry) {
        return getInt(dentry + Dentry.D_LOCKREF + Lockref.COUNT);
    }

    /** dget: lockref_get. */
    public static long dget(long dentry) {
        if (dentry != 0) {
            Mem.getAndAddInt(dentry + Dentry.D_LOCKREF + Lockref.COUNT, 1);
        }
        return dentry;
    }

    /** dput: the root dentry is held by its mount, so a put never frees it; one that would is refused. */
    public static void dput(long dentry) {
        if (dentry == 0) {
            return;
        }
        final long p = dentry + Dentry.D_LOCKREF + Lockref.COUNT;
        int c;
        do {
            c = getInt(p);
            if (c <= 1) {
                throw new IllegalStateException("dput: the last reference of dentry 0x" + Long.toHexString(dentry));
            }
        } while (!Mem.compareAndSetInt(p, c, c - 1));
    }

    /** path_get: the mount, then the dentry. */
    public static void pathGet(Globals g, long path) {
        mntget(g, getLong(path + Path.MNT));
        dget(getLong(path + Path.DENTRY));
    }

    /** path_put: the dentry, then the mount. */
    public static void pathPut(Globals g, long path) {
        dput(getLong(path + Path.DENTRY));
        mntput(g, getLong(path + Path.MNT));
    }

    /** The path of the root of {@code mount}: its vfsmount and root dentry, written at {@code path}. */
    public static void rootPath(long mount, long path) {
        putLong(path + Path.MNT, mount + Mount.MNT);
        putLong(path + Path.DENTRY, getLong(mount + Mount.MNT + Vfsmount.MNT_ROOT));
    }
}
