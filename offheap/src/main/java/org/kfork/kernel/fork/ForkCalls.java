package org.kfork.kernel.fork;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.uapi.CloneFlags.CLONE_NEWUSER;
import static org.kfork.uapi.CloneFlags.CLONE_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_VFORK;
import static org.kfork.uapi.CloneFlags.CLONE_VM;
import static org.kfork.uapi.CloneFlags.CSIGNAL;

import org.kfork.ds.IntrusiveList;
import org.kfork.fork.CloneRules;
import org.kfork.fs.Fdtables;
import org.kfork.kernel.Globals;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.fs.FsStructs;
import org.kfork.kernel.locking.Refcount;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.mm.Uaccess;
import org.kfork.kernel.nsproxy.Nsproxies;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.struct.CloneArgs;
import org.kfork.kernel.struct.FsStruct;
import org.kfork.kernel.struct.KernelCloneArgs;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;

/**
 * kernel/fork.c (5.12), the system calls: fork, vfork, clone (x86_64's argument order), clone3
 * with copy_clone_args_from_user and clone3_args_valid, unshare (ksys_unshare with
 * check_unshare_flags), and set_tid_address. Each builds its struct kernel_clone_args in the
 * caller's frame ({@link Fork#FRAME_KARGS}) and calls {@link Fork#kernelClone}; the calls that
 * may sleep (vfork, and clone with CLONE_VFORK) take and give back current's RCU token.
 */
public final class ForkCalls {
    private ForkCalls() {
    }

    /** A zeroed kernel_clone_args in current's frame. */
    private static long kargs(Globals g, long current) {
        final long args = Fork.frame(g, current) + Fork.FRAME_KARGS;
        Mem.zero(args, KernelCloneArgs.SIZEOF);
        return args;
    }

    /** fork(): exit signal SIGCHLD, nothing shared. @return a packed {@link WaitResult} */
    public static long sysFork(Globals g, long current, int token) {
        final long args = kargs(g, current);
        putInt(args + KernelCloneArgs.EXIT_SIGNAL, Signals.SIGCHLD);
        return Fork.kernelClone(g, current, token, args);
    }

    /** vfork(): CLONE_VFORK | CLONE_VM, exit signal SIGCHLD. @return a packed {@link WaitResult} */
    public static long sysVfork(Globals g, long current, int token) {
        final long args = kargs(g, current);
        putLong(args + KernelCloneArgs.FLAGS, CLONE_VFORK | CLONE_VM);
        putInt(args + KernelCloneArgs.EXIT_SIGNAL, Signals.SIGCHLD);
        return Fork.kernelClone(g, current, token, args);
    }

    /**
     * clone(flags, newsp, parent_tidptr, child_tidptr, tls): the low 32 bits of {@code flags}
     * carry the flags and, in their low byte, the exit signal; parent_tidptr is also where
     * CLONE_PIDFD stores the pidfd.
     *
     * @return a packed {@link WaitResult}
     */
    public static long sysClone(Globals g, long current, int token, long cloneFlags, long newsp, long parentTidptr,
                                long childTidptr, long tls) {
        final long args = kargs(g, current);
        final long lower = cloneFlags & 0xffff_ffffL;
        putLong(args + KernelCloneArgs.FLAGS, lower & ~CSIGNAL);
        putLong(args + KernelCloneArgs.PIDFD, parentTidptr);
        putLong(args + KernelCloneArgs.CHILD_TID, childTidptr);
        putLong(args + KernelCloneArgs.PARENT_TID, parentTidptr);
        putInt(args + KernelCloneArgs.EXIT_SIGNAL, (int) (lower & CSIGNAL));
        putLong(args + KernelCloneArgs.STACK, newsp);
        putLong(args + KernelCloneArgs.TLS, tls);
        return Fork.kernelClone(g, current, token, args);
    }

    /**
     * clone3(uargs, size): struct clone_args is read from the caller's memory (the size is its
     * version), checked, and turned into a kernel_clone_args.
     *
     * @return a packed {@link WaitResult}
     */
    public static long sysClone3(Globals g, long current, int token, long uargs, long size) {
        final long args = kargs(g, current);
        putLong(args + KernelCloneArgs.SET_TID, Fork.frame(g, current) + Fork.FRAME_SET_TID);
        final int err = copyCloneArgsFromUser(g, current, args, uargs, size);
        if (err != 0) {
            return WaitResult.of(token, err);
        }
        if (!clone3ArgsValid(args)) {
            return WaitResult.of(token, -Errno.EINVAL);
        }
        return Fork.kernelClone(g, current, token, args);
    }

    /**
     * copy_clone_args_from_user: the user's struct (zero-extended when older, refused with -E2BIG
     * when newer with non-zero bytes past what 5.12 knows), its field checks, and the set_tid
     * array copied into the kernel's (the frame's).
     *
     * @return 0, -E2BIG, -EINVAL or -EFAULT
     */
    static int copyCloneArgsFromUser(Globals g, long current, long kargs, long uargs, long usize) {
        int err = CloneRules.clone3Size(usize);
        if (err != 0) {
            return err;
        }
        final long a = Fork.frame(g, current) + Fork.FRAME_UARGS;
        err = Uaccess.copyStructFromUser(g, current, a, CloneArgs.SIZEOF, uargs, usize);
        if (err != 0) {
            return err;
        }
        final long flags = getLong(a + CloneArgs.FLAGS);
        final long exitSignal = getLong(a + CloneArgs.EXIT_SIGNAL);
        final long setTid = getLong(a + CloneArgs.SET_TID);
        final long setTidSize = getLong(a + CloneArgs.SET_TID_SIZE);
        final long cgroup = getLong(a + CloneArgs.CGROUP);
        err = CloneRules.clone3Fields(flags, exitSignal, setTid, setTidSize, cgroup, usize);
        if (err != 0) {
            return err;
        }
        putLong(kargs + KernelCloneArgs.FLAGS, flags);
        putLong(kargs + KernelCloneArgs.PIDFD, getLong(a + CloneArgs.PIDFD));
        putLong(kargs + KernelCloneArgs.CHILD_TID, getLong(a + CloneArgs.CHILD_TID));
        putLong(kargs + KernelCloneArgs.PARENT_TID, getLong(a + CloneArgs.PARENT_TID));
        putInt(kargs + KernelCloneArgs.EXIT_SIGNAL, (int) exitSignal);
        putLong(kargs + KernelCloneArgs.STACK, getLong(a + CloneArgs.STACK));
        putLong(kargs + KernelCloneArgs.STACK_SIZE, getLong(a + CloneArgs.STACK_SIZE));
        putLong(kargs + KernelCloneArgs.TLS, getLong(a + CloneArgs.TLS));
        putLong(kargs + KernelCloneArgs.SET_TID_SIZE, setTidSize);
        putInt(kargs + KernelCloneArgs.CGROUP, (int) cgroup);
        if (setTid != 0 && Uaccess.copyFromUser(g, current, getLong(kargs + KernelCloneArgs.SET_TID), setTid,
            setTidSize * Integer.BYTES) != 0) {
            return -Errno.EFAULT;
        }
        return 0;
    }

    /**
     * clone3_args_valid: the flag rules (core), then clone3_stack_valid, which moves the stack to
     * its top (stacks grow down on x86_64).
     */
    static boolean clone3ArgsValid(long kargs) {
        if (!CloneRules.clone3FlagsValid(getLong(kargs + KernelCloneArgs.FLAGS),
            getInt(kargs + KernelCloneArgs.EXIT_SIGNAL))) {
            return false;
        }
        final long stack = getLong(kargs + KernelCloneArgs.STACK);
        final long stackSize = getLong(kargs + KernelCloneArgs.STACK_SIZE);
        if (!CloneRules.clone3StackValid(stack, stackSize)) {
            return false;
        }
        if (stack != 0) {
            putLong(kargs + KernelCloneArgs.STACK, stack + stackSize);
        }
        return true;
    }

    /** set_tid_address(tidptr): current's clear_child_tid; returns current's tid in its namespace. */
    public static long sysSetTidAddress(Globals g, long current, long tidptr) {
        putLong(current + TaskStruct.CLEAR_CHILD_TID, tidptr);
        return Pids.taskPidVnr(g, current, current);
    }

    // ------------------------------------------------------------------------------------------
    // unshare
    // ------------------------------------------------------------------------------------------

    /** thread_group_empty: the task is the only thread of its group. */
    private static boolean threadGroupEmpty(long p) {
        return IntrusiveList.empty(p + TaskStruct.THREAD_GROUP);
    }

    /**
     * current_is_single_threaded (lib/is_single_threaded.c): one live thread, and no other
     * process uses its mm.
     */
    static boolean currentIsSingleThreaded(Globals g, long current) {
        if (getInt(getLong(current + TaskStruct.SIGNAL) + SignalStruct.LIVE) != 1) {
            return false;
        }
        final long mm = getLong(current + TaskStruct.MM);
        if (mm == 0 || getInt(mm + MmStruct.MM_USERS) == 1) {
            return true;
        }
        g.tasklistLock.readLock().lock(); // for_each_process under rcu_read_lock in 5.12
        try {
            final long head = g.initTask + TaskStruct.TASKS;
            for (long n = IntrusiveList.next(head); n != head; n = IntrusiveList.next(n)) {
                final long p = n - TaskStruct.TASKS;
                if (getLong(p + TaskStruct.GROUP_LEADER) == getLong(current + TaskStruct.GROUP_LEADER)) {
                    continue;
                }
                if (getLong(p + TaskStruct.MM) == mm) {
                    return false;
                }
            }
            return true;
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }

    /** check_unshare_flags: unknown flags, and sharing that cannot be undone, are -EINVAL. */
    static int checkUnshareFlags(Globals g, long current, long flags) {
        if (CloneRules.unshareKnownFlags(flags) != 0) {
            return -Errno.EINVAL;
        }
        // 5.12 cannot take a task out of its thread group or give it its own handlers or VM;
        // it accepts those flags only when the task shares none of them (nothing to unshare)
        if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) != 0 && !threadGroupEmpty(current)) {
            return -Errno.EINVAL;
        }
        if ((flags & (CLONE_SIGHAND | CLONE_VM)) != 0
            && Refcount.read(getLong(current + TaskStruct.SIGHAND) + SighandStruct.COUNT) > 1) {
            return -Errno.EINVAL;
        }
        if ((flags & CLONE_VM) != 0 && !currentIsSingleThreaded(g, current)) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    /**
     * ksys_unshare: current gets its own copy of what {@code unshareFlags} names (fs, files,
     * namespaces); the new parts are made first, and swapped in only when every one exists.
     *
     * @return 0 or a negative errno, with current unchanged
     */
    public static int ksysUnshare(Globals g, long current, long unshareFlags) {
        final long flags = CloneRules.unshareImplied(unshareFlags);
        int err = checkUnshareFlags(g, current, flags);
        if (err != 0) {
            return err;
        }
        // CLONE_NEWIPC and CLONE_SYSVSEM would detach current's SysV semaphore undo list
        // (exit_sem): the model has none.
        long newFs = ForkFiles.unshareFs(g, current, flags);
        if (Errno.isError(newFs)) {
            return (int) newFs;
        }
        long newFd = ForkFiles.unshareFd(g, current, flags, Fdtables.NR_OPEN_MAX);
        if (Errno.isError(newFd)) {
            return badUnshareCleanupFs(g, newFs, (int) newFd);
        }
        // unshare_userns: without CONFIG_USER_NS a new user namespace is -EINVAL
        if ((flags & CLONE_NEWUSER) != 0) {
            return badUnshareCleanupFd(g, newFd, newFs, -Errno.EINVAL);
        }
        final long newNsproxy = Nsproxies.unshareNsproxyNamespaces(g, current, flags, 0);
        if (Errno.isError(newNsproxy)) {
            return badUnshareCleanupFd(g, newFd, newFs, (int) newNsproxy);
        }
        if (newFs != 0 || newFd != 0 || newNsproxy != 0) {
            if (newNsproxy != 0) {
                Nsproxies.switchTaskNamespaces(g, current, newNsproxy);
            }
            Spinlock.lock(current + TaskStruct.ALLOC_LOCK);
            if (newFs != 0) {
                final long fs = getLong(current + TaskStruct.FS);
                Spinlock.lock(fs + FsStruct.LOCK);
                putLong(current + TaskStruct.FS, newFs);
                final int users = getInt(fs + FsStruct.USERS) - 1;
                putInt(fs + FsStruct.USERS, users);
                newFs = users != 0 ? 0 : fs; // the old one goes if current was its last user
                Spinlock.unlock(fs + FsStruct.LOCK);
            }
            if (newFd != 0) {
                final long fd = getLong(current + TaskStruct.FILES);
                putLong(current + TaskStruct.FILES, newFd);
                newFd = fd;
            }
            Spinlock.unlock(current + TaskStruct.ALLOC_LOCK);
        }
        return badUnshareCleanupFd(g, newFd, newFs, 0);
    }

    private static int badUnshareCleanupFd(Globals g, long newFd, long newFs, int err) {
        if (newFd != 0) {
            Files.putFilesStruct(g, newFd);
        }
        return badUnshareCleanupFs(g, newFs, err);
    }

    private static int badUnshareCleanupFs(Globals g, long newFs, int err) {
        if (newFs != 0) {
            FsStructs.freeFsStruct(g, newFs);
        }
        return err;
    }
}
