package org.kfork.kernel.fork;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import java.util.function.LongConsumer;

import org.kfork.fs.Fdtables;
import org.kfork.kernel.Globals;
import org.kfork.kernel.block.BlkIoc;
import org.kfork.kernel.fs.FileTable;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.fs.FsStructs;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.File;
import org.kfork.kernel.struct.FileOperations;
import org.kfork.kernel.struct.FilesStruct;
import org.kfork.kernel.struct.FsStruct;
import org.kfork.kernel.struct.IoContext;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * kernel/fork.c (5.12), the file half: copy_files, copy_fs and copy_io (copy_process's steps),
 * unshare_fd, unshare_fs and unshare_files (unshare's and exec's), and pidfd_fops with
 * pidfd_release. The heap twin is {@link org.kfork.heap.fork.HeapForkFiles}.
 *
 * <p>Each copy_* runs on the child {@code tsk} that dup_task_struct made as a copy of current:
 * its files, fs and io_context pointers are current's until the step replaces them (copy_process
 * clears io_context before copy_io). A step that fails leaves current's objects as they were; the
 * child's are undone by copy_process's bad_fork_* labels (exit_files, exit_fs, exit_io_context).
 *
 * <p>pidfd_fops has release only: pidfd_poll and pidfd_show_fdinfo are not modelled (no poll, no
 * /proc fdinfo). pidfd_release puts the struct pid through {@link Globals#putPid} (the pid room's
 * put_pid from boot on).
 */
public final class ForkFiles {
    private ForkFiles() {
    }

    /**
     * copy_files: nothing for a task without files; CLONE_FILES shares current's table (one more
     * count); otherwise the child gets dup_fd's copy of all of it.
     *
     * @return 0, or dup_fd's -ENOMEM or -EMFILE
     */
    public static int copyFiles(Globals g, long current, long cloneFlags, long tsk) {
        final long oldf = getLong(current + TaskStruct.FILES);
        if (oldf == 0) {
            return 0;
        }
        if ((cloneFlags & CloneFlags.CLONE_FILES) != 0) {
            Files.getFilesStruct(oldf);
            return 0;
        }
        final long newf = Files.dupFd(g, oldf, Fdtables.NR_OPEN_MAX);
        if (Errno.isError(newf)) {
            return (int) newf;
        }
        putLong(tsk + TaskStruct.FILES, newf);
        return 0;
    }

    /**
     * copy_fs: CLONE_FS shares current's fs_struct (users + 1 under its lock), refused with
     * -EAGAIN while a task of it is in execve; otherwise the child gets a copy.
     *
     * @return 0, -EAGAIN or -ENOMEM
     */
    public static int copyFs(Globals g, long current, long cloneFlags, long tsk) {
        final long fs = getLong(current + TaskStruct.FS);
        if ((cloneFlags & CloneFlags.CLONE_FS) != 0) {
            Spinlock.lock(fs + FsStruct.LOCK);
            try {
                if (getInt(fs + FsStruct.IN_EXEC) != 0) {
                    return -Errno.EAGAIN;
                }
                putInt(fs + FsStruct.USERS, getInt(fs + FsStruct.USERS) + 1);
                return 0;
            } finally {
                Spinlock.unlock(fs + FsStruct.LOCK);
            }
        }
        final long copy = FsStructs.copyFsStruct(g, fs);
        if (copy == 0) {
            return -Errno.ENOMEM;
        }
        putLong(tsk + TaskStruct.FS, copy);
        return 0;
    }

    /**
     * copy_io: nothing when current has no io_context; CLONE_IO shares it (ioc_task_link);
     * otherwise, only when current set an I/O priority, the child gets a context of its own with
     * that priority.
     *
     * @return 0 or -ENOMEM
     */
    public static int copyIo(Globals g, long current, long cloneFlags, long tsk) {
        final long ioc = getLong(current + TaskStruct.IO_CONTEXT);
        if (ioc == 0) {
            return 0;
        }
        if ((cloneFlags & CloneFlags.CLONE_IO) != 0) {
            BlkIoc.iocTaskLink(ioc);
            putLong(tsk + TaskStruct.IO_CONTEXT, ioc);
        } else if (BlkIoc.ioprioValid(Mem.getShort(ioc + IoContext.IOPRIO))) {
            final long newIoc = BlkIoc.getTaskIoContext(g, current, tsk);
            if (newIoc == 0) {
                return -Errno.ENOMEM;
            }
            Mem.putShort(newIoc + IoContext.IOPRIO, Mem.getShort(ioc + IoContext.IOPRIO));
            BlkIoc.putIoContext(g, newIoc);
        }
        return 0;
    }

    /**
     * unshare_fs: with CLONE_FS, a copy of current's fs_struct when others share it.
     *
     * @return the copy, 0 when none is needed, or -ENOMEM
     */
    public static long unshareFs(Globals g, long current, long unshareFlags) {
        final long fs = getLong(current + TaskStruct.FS);
        if ((unshareFlags & CloneFlags.CLONE_FS) == 0 || fs == 0) {
            return 0;
        }
        if (getInt(fs + FsStruct.USERS) == 1) {
            return 0; // no lock: at worst a useless copy
        }
        final long copy = FsStructs.copyFsStruct(g, fs);
        return copy == 0 ? -Errno.ENOMEM : copy;
    }

    /**
     * unshare_fd: with CLONE_FILES, a copy of current's table (up to {@code maxFds}) when others
     * share it.
     *
     * @return the copy, 0 when none is needed, or dup_fd's error (ERR_PTR style)
     */
    public static long unshareFd(Globals g, long current, long unshareFlags, int maxFds) {
        final long fd = getLong(current + TaskStruct.FILES);
        if ((unshareFlags & CloneFlags.CLONE_FILES) != 0 && fd != 0 && getInt(fd + FilesStruct.COUNT) > 1) {
            return Files.dupFd(g, fd, maxFds);
        }
        return 0;
    }

    /**
     * unshare_files: exec's step; current gets a table of its own when it shares one (swapped in
     * under task_lock), and puts the shared one.
     *
     * @return 0 or unshare_fd's error
     */
    public static int unshareFiles(Globals g, long current) {
        final long copy = unshareFd(g, current, CloneFlags.CLONE_FILES, Fdtables.NR_OPEN_MAX);
        if (Errno.isError(copy)) {
            return (int) copy;
        }
        if (copy == 0) {
            return 0;
        }
        final long old = getLong(current + TaskStruct.FILES);
        Spinlock.lock(current + TaskStruct.ALLOC_LOCK);
        putLong(current + TaskStruct.FILES, copy);
        Spinlock.unlock(current + TaskStruct.ALLOC_LOCK);
        Files.putFilesStruct(g, old);
        return 0;
    }

    /**
     * pidfd_fops, in the kernel image: release is pidfd_release. Called once at boot.
     *
     * @return the table's address
     */
    public static long pidfdFopsInit(Globals g) {
        final long fops = g.image.alloc(FileOperations.SIZEOF, FileOperations.ALIGNOF);
        putLong(fops + FileOperations.RELEASE, g.fileTable.text().register("pidfd_release",
            (FileTable.ReleaseMethod) (inode, file) -> pidfdRelease(g, file)));
        return fops;
    }

    /**
     * pidfd_pid: the struct pid a pidfd's file refers to (no reference taken: the caller holds
     * the file), or -EBADF for a file that is not a pidfd.
     */
    public static long pidfdPid(Globals g, long file) {
        if (getLong(file + File.F_OP) == g.pidfdFops) {
            return getLong(file + File.PRIVATE_DATA);
        }
        return -Errno.EBADF;
    }

    /** pidfd_release: the file lets go of its struct pid (put_pid, the pid room's). */
    static int pidfdRelease(Globals g, long file) {
        final long pid = getLong(file + File.PRIVATE_DATA);
        putLong(file + File.PRIVATE_DATA, 0);
        if (pid == 0) {
            return 0; // put_pid(NULL)
        }
        final LongConsumer putPid = g.putPid;
        if (putPid == null) {
            throw new IllegalStateException("pidfd_release: no put_pid registered (Globals.putPid)");
        }
        putPid.accept(pid);
        return 0;
    }
}
