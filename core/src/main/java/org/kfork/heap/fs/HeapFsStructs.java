package org.kfork.heap.fs;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.uapi.Errno;

/** The heap twin of org.kfork.kernel.fs.FsStructs (fs/fs_struct.c): the same steps, locks and refusals. */
public final class HeapFsStructs {
    /** init_fs's umask. */
    public static final int INIT_UMASK = 0022;

    private HeapFsStructs() {
    }

    /** init_fs, root and pwd at the root of {@code mnt}. */
    public static HeapFsStruct initFs(HeapGlobals g, HeapVfsmount mnt) {
        final HeapFsStruct fs = new HeapFsStruct();
        fs.users = 1;
        fs.umask = INIT_UMASK;
        final HeapPath root = new HeapPath();
        HeapPaths.rootPath(mnt, root);
        setFsPwd(g, fs, root);
        setFsRoot(g, fs, root);
        return fs;
    }

    /** init_fs's references on the root, given back at shutdown. */
    public static void closeInitFs(HeapGlobals g, HeapFsStruct fs) {
        HeapPaths.pathPut(g, fs.root);
        HeapPaths.pathPut(g, fs.pwd);
    }

    /** set_fs_root. */
    public static void setFsRoot(HeapGlobals g, HeapFsStruct fs, HeapPath path) {
        replacePath(g, fs, fs.root, path);
    }

    /** set_fs_pwd. */
    public static void setFsPwd(HeapGlobals g, HeapFsStruct fs, HeapPath path) {
        replacePath(g, fs, fs.pwd, path);
    }

    private static void replacePath(HeapGlobals g, HeapFsStruct fs, HeapPath which, HeapPath path) {
        HeapPaths.pathGet(g, path);
        fs.lock.lock();
        fs.seq++;
        final HeapVfsmount oldMnt = which.mnt;
        final HeapDentry oldDentry = which.dentry;
        which.mnt = path.mnt;
        which.dentry = path.dentry;
        fs.seq++;
        fs.lock.unlock();
        if (oldDentry != null) {
            HeapPaths.dput(oldDentry);
            HeapPaths.mntput(g, oldMnt);
        }
    }

    /** copy_fs_struct: the copy, or null when fs_cache has no memory. */
    public static HeapFsStruct copyFsStruct(HeapGlobals g, HeapFsStruct old) {
        if (!g.alloc(g.fsCache)) {
            return null;
        }
        final HeapFsStruct fs = new HeapFsStruct();
        fs.users = 1;
        fs.inExec = 0;
        fs.seq = 0;
        fs.umask = old.umask;
        old.lock.lock();
        fs.root.mnt = old.root.mnt;
        fs.root.dentry = old.root.dentry;
        HeapPaths.pathGet(g, fs.root);
        fs.pwd.mnt = old.pwd.mnt;
        fs.pwd.dentry = old.pwd.dentry;
        HeapPaths.pathGet(g, fs.pwd);
        old.lock.unlock();
        return fs;
    }

    /** free_fs_struct. */
    public static void freeFsStruct(HeapGlobals g, HeapFsStruct fs) {
        HeapPaths.pathPut(g, fs.root);
        HeapPaths.pathPut(g, fs.pwd);
        g.free(g.fsCache);
    }

    /** exit_fs. */
    public static void exitFs(HeapGlobals g, HeapTask tsk) {
        final HeapFsStruct fs = tsk.fs;
        if (fs == null) {
            return;
        }
        tsk.allocLock.lock();
        fs.lock.lock();
        tsk.fs = null;
        final int users = --fs.users;
        fs.lock.unlock();
        tsk.allocLock.unlock();
        if (users == 0) {
            freeFsStruct(g, fs);
        }
    }

    /** unshare_fs_struct: 0 or -ENOMEM. */
    public static int unshareFsStruct(HeapGlobals g, HeapTask current) {
        final HeapFsStruct fs = current.fs;
        final HeapFsStruct newFs = copyFsStruct(g, fs);
        if (newFs == null) {
            return -Errno.ENOMEM;
        }
        current.allocLock.lock();
        fs.lock.lock();
        final int users = --fs.users;
        current.fs = newFs;
        fs.lock.unlock();
        current.allocLock.unlock();
        if (users == 0) {
            freeFsStruct(g, fs);
        }
        return 0;
    }

    /** current_umask. */
    public static int currentUmask(HeapTask current) {
        return current.fs.umask;
    }
}
