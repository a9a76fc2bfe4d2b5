package org.kfork.kernel.fs;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.FsStruct;
import org.kfork.kernel.struct.Path;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;

/**
 * fs/fs_struct.c (5.12): a task's root, working directory and umask. init_fs, set_fs_root and
 * set_fs_pwd, copy_fs_struct, free_fs_struct, exit_fs and unshare_fs_struct. The heap twin is
 * {@link org.kfork.heap.fs.HeapFsStructs}.
 *
 * <p>Invariants: {@code users} counts the tasks sharing the struct (CLONE_FS), changed under
 * {@code fs->lock}; the last one to leave frees it, putting both paths. Each of root and pwd
 * holds a reference on its mount and dentry (path_get). {@code in_exec} is set while a task of
 * the struct runs execve; copy_fs refuses to share the struct then. {@code seq} is odd while
 * root or pwd is being replaced (write_seqcount_begin to _end under the lock).
 */
public final class FsStructs {
    /** init_fs's umask. */
    public static final int INIT_UMASK = 0022;

    private FsStructs() {
    }

    /**
     * init_fs: users 1, an unlocked lock, seq 0, umask 0022, in the kernel image; then, as
     * init_mount_tree does for init_task, root and pwd set to the root of {@code mount}.
     */
    public static long initFs(Globals g, long mount) {
        final long fs = g.image.alloc(FsStruct.SIZEOF, FsStruct.ALIGNOF);
        putInt(fs + FsStruct.USERS, 1);
        Spinlock.init(fs + FsStruct.LOCK);
        putInt(fs + FsStruct.UMASK, INIT_UMASK);
        final long root = g.image.alloc(Path.SIZEOF, Path.ALIGNOF);
        Paths.rootPath(mount, root);
        setFsPwd(g, fs, root);
        setFsRoot(g, fs, root);
        return fs;
    }

    /** What {@link #initFs} took: init_fs's references on the root, given back at shutdown. */
    public static void closeInitFs(Globals g, long fs) {
        Paths.pathPut(g, fs + FsStruct.ROOT);
        Paths.pathPut(g, fs + FsStruct.PWD);
    }

    /** set_fs_root: root becomes {@code path} (path_get), the old one is put. */
    public static void setFsRoot(Globals g, long fs, long path) {
        replacePath(g, fs, FsStruct.ROOT, path);
    }

    /** set_fs_pwd: pwd becomes {@code path} (path_get), the old one is put. */
    public static void setFsPwd(Globals g, long fs, long path) {
        replacePath(g, fs, FsStruct.PWD, path);
    }

    private static void replacePath(Globals g, long fs, long which, long path) {
        Paths.pathGet(g, path);
        final long lock = fs + FsStruct.LOCK;
        Spinlock.lock(lock);
        writeSeqcountBegin(fs);
        final long oldMnt = getLong(fs + which + Path.MNT);
        final long oldDentry = getLong(fs + which + Path.DENTRY);
        putLong(fs + which + Path.MNT, getLong(path + Path.MNT));
        putLong(fs + which + Path.DENTRY, getLong(path + Path.DENTRY));
        writeSeqcountEnd(fs);
        Spinlock.unlock(lock);
        if (oldDentry != 0) {
            Paths.dput(oldDentry);
            Paths.mntput(g, oldMnt);
        }
    }

    private static void writeSeqcountBegin(long fs) {
        Mem.putIntRelease(fs + FsStruct.SEQ, getInt(fs + FsStruct.SEQ) + 1);
    }

    private static void writeSeqcountEnd(long fs) {
        Mem.putIntRelease(fs + FsStruct.SEQ, getInt(fs + FsStruct.SEQ) + 1);
    }

    /**
     * copy_fs_struct: a new struct for one user, not in exec, the old umask, and the old root and
     * pwd (read under the old struct's lock, each path_get).
     *
     * @return the copy, or 0 when fs_cache has no memory
     */
    public static long copyFsStruct(Globals g, long old) {
        final long fs = g.alloc(g.forkInit.fsCachep());
        if (fs == 0) {
            return 0;
        }
        putInt(fs + FsStruct.USERS, 1);
        putInt(fs + FsStruct.IN_EXEC, 0);
        Spinlock.init(fs + FsStruct.LOCK);
        putInt(fs + FsStruct.SEQ, 0); // seqcount_spinlock_init
        putInt(fs + FsStruct.UMASK, getInt(old + FsStruct.UMASK));
        Spinlock.lock(old + FsStruct.LOCK);
        Mem.copy(old + FsStruct.ROOT, fs + FsStruct.ROOT, Path.SIZEOF);
        Paths.pathGet(g, fs + FsStruct.ROOT);
        Mem.copy(old + FsStruct.PWD, fs + FsStruct.PWD, Path.SIZEOF);
        Paths.pathGet(g, fs + FsStruct.PWD);
        Spinlock.unlock(old + FsStruct.LOCK);
        return fs;
    }

    /** free_fs_struct: both paths put, the struct freed. */
    public static void freeFsStruct(Globals g, long fs) {
        Paths.pathPut(g, fs + FsStruct.ROOT);
        Paths.pathPut(g, fs + FsStruct.PWD);
        g.free(g.forkInit.fsCachep(), fs);
    }

    /**
     * exit_fs: the task leaves its fs_struct (under task_lock and fs->lock, users goes down and
     * tsk->fs is cleared); the last user frees it.
     */
    public static void exitFs(Globals g, long tsk) {
        final long fs = getLong(tsk + TaskStruct.FS);
        if (fs == 0) {
            return;
        }
        Spinlock.lock(tsk + TaskStruct.ALLOC_LOCK);
        Spinlock.lock(fs + FsStruct.LOCK);
        putLong(tsk + TaskStruct.FS, 0);
        final int users = getInt(fs + FsStruct.USERS) - 1;
        putInt(fs + FsStruct.USERS, users);
        Spinlock.unlock(fs + FsStruct.LOCK);
        Spinlock.unlock(tsk + TaskStruct.ALLOC_LOCK);
        if (users == 0) {
            freeFsStruct(g, fs);
        }
    }

    /**
     * unshare_fs_struct: current gets a copy of its fs_struct of its own; the old one loses a
     * user (and is freed if that was the last).
     *
     * @return 0 or -ENOMEM
     */
    public static int unshareFsStruct(Globals g, long current) {
        final long fs = getLong(current + TaskStruct.FS);
        final long newFs = copyFsStruct(g, fs);
        if (newFs == 0) {
            return -org.kfork.uapi.Errno.ENOMEM;
        }
        Spinlock.lock(current + TaskStruct.ALLOC_LOCK);
        Spinlock.lock(fs + FsStruct.LOCK);
        final int users = getInt(fs + FsStruct.USERS) - 1;
        putInt(fs + FsStruct.USERS, users);
        putLong(current + TaskStruct.FS, newFs);
        Spinlock.unlock(fs + FsStruct.LOCK);
        Spinlock.unlock(current + TaskStruct.ALLOC_LOCK);
        if (users == 0) {
            freeFsStruct(g, fs);
        }
        return 0;
    }

    /** current_umask. */
    public static int currentUmask(long current) {
        return getInt(getLong(current + TaskStruct.FS) + FsStruct.UMASK);
    }
}
