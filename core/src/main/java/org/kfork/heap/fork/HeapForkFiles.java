package org.kfork.heap.fork;

import java.util.function.Consumer;

import org.kfork.fs.Fdtables;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.block.HeapBlkIoc;
import org.kfork.heap.block.HeapIoContext;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.fs.HeapFileOperations;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.fs.HeapFilesStruct;
import org.kfork.heap.fs.HeapFsStruct;
import org.kfork.heap.fs.HeapFsStructs;
import org.kfork.heap.pid.HeapPid;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/** The heap twin of org.kfork.kernel.fork.ForkFiles (kernel/fork.c, the file half). */
public final class HeapForkFiles {
    private HeapForkFiles() {
    }

    /** copy_files: 0, -ENOMEM or -EMFILE. */
    public static int copyFiles(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask tsk) {
        final HeapFilesStruct oldf = current.files;
        if (oldf == null) {
            return 0;
        }
        if ((cloneFlags & CloneFlags.CLONE_FILES) != 0) {
            HeapFiles.getFilesStruct(oldf);
            return 0;
        }
        final HeapFilesStruct newf = HeapFiles.dupFd(g, oldf, Fdtables.NR_OPEN_MAX);
        if (ErrPtr.isErr(newf)) {
            return ErrPtr.ptrErr(newf);
        }
        tsk.files = newf;
        return 0;
    }

    /** copy_fs: 0, -EAGAIN or -ENOMEM. */
    public static int copyFs(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask tsk) {
        final HeapFsStruct fs = current.fs;
        if ((cloneFlags & CloneFlags.CLONE_FS) != 0) {
            fs.lock.lock();
            try {
                if (fs.inExec != 0) {
                    return -Errno.EAGAIN;
                }
                fs.users++;
                return 0;
            } finally {
                fs.lock.unlock();
            }
        }
        final HeapFsStruct copy = HeapFsStructs.copyFsStruct(g, fs);
        if (copy == null) {
            return -Errno.ENOMEM;
        }
        tsk.fs = copy;
        return 0;
    }

    /** copy_io: 0 or -ENOMEM. */
    public static int copyIo(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask tsk) {
        final HeapIoContext ioc = current.ioContext;
        if (ioc == null) {
            return 0;
        }
        if ((cloneFlags & CloneFlags.CLONE_IO) != 0) {
            HeapBlkIoc.iocTaskLink(ioc);
            tsk.ioContext = ioc;
        } else if (HeapBlkIoc.ioprioValid(ioc.ioprio)) {
            final HeapIoContext newIoc = HeapBlkIoc.getTaskIoContext(g, current, tsk);
            if (newIoc == null) {
                return -Errno.ENOMEM;
            }
            newIoc.ioprio = ioc.ioprio;
            HeapBlkIoc.putIoContext(g, newIoc);
        }
        return 0;
    }

    /** unshare_fs: the copy, null when none is needed, or ERR_PTR(-ENOMEM). */
    public static HeapFsStruct unshareFs(HeapGlobals g, HeapTask current, long unshareFlags) {
        final HeapFsStruct fs = current.fs;
        if ((unshareFlags & CloneFlags.CLONE_FS) == 0 || fs == null) {
            return null;
        }
        if (fs.users == 1) {
            return null;
        }
        final HeapFsStruct copy = HeapFsStructs.copyFsStruct(g, fs);
        return copy == null ? HeapFsStruct.errPtr(-Errno.ENOMEM) : copy;
    }

    /** unshare_fd: the copy, null when none is needed, or dup_fd's ERR_PTR. */
    public static HeapFilesStruct unshareFd(HeapGlobals g, HeapTask current, long unshareFlags, int maxFds) {
        final HeapFilesStruct fd = current.files;
        if ((unshareFlags & CloneFlags.CLONE_FILES) != 0 && fd != null && fd.count.get() > 1) {
            return HeapFiles.dupFd(g, fd, maxFds);
        }
        return null;
    }

    /** unshare_files: 0 or unshare_fd's error. */
    public static int unshareFiles(HeapGlobals g, HeapTask current) {
        final HeapFilesStruct copy = unshareFd(g, current, CloneFlags.CLONE_FILES, Fdtables.NR_OPEN_MAX);
        if (ErrPtr.isErr(copy)) {
            return ErrPtr.ptrErr(copy);
        }
        if (copy == null) {
            return 0;
        }
        final HeapFilesStruct old = current.files;
        current.allocLock.lock();
        current.files = copy;
        current.allocLock.unlock();
        HeapFiles.putFilesStruct(g, old);
        return 0;
    }

    /** pidfd_fops: release is pidfd_release. */
    public static HeapFileOperations pidfdFopsInit(HeapGlobals g) {
        final HeapFileOperations fops = new HeapFileOperations("pidfd_fops");
        fops.release = (inode, file) -> pidfdRelease(g, file);
        return fops;
    }

    /** pidfd_pid (see the off-heap twin): the pid, or {@link HeapPid#errPtr}(-EBADF). */
    public static HeapPid pidfdPid(HeapGlobals g, HeapFile file) {
        if (file.fOp == g.pidfdFops) {
            return (HeapPid) file.privateData;
        }
        return HeapPid.errPtr(-Errno.EBADF);
    }

    /** pidfd_release. */
    static int pidfdRelease(HeapGlobals g, HeapFile file) {
        final Object pid = file.privateData;
        file.privateData = null;
        if (pid == null) {
            return 0;
        }
        final Consumer<Object> putPid = g.putPid;
        if (putPid == null) {
            throw new IllegalStateException("pidfd_release: no put_pid registered (HeapGlobals.putPid)");
        }
        putPid.accept(pid);
        return 0;
    }
}
