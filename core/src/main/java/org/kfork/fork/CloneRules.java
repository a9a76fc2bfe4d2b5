package org.kfork.fork;

import static org.kfork.uapi.CloneFlags.CLONE_ARGS_SIZE_VER0;
import static org.kfork.uapi.CloneFlags.CLONE_ARGS_SIZE_VER2;
import static org.kfork.uapi.CloneFlags.CLONE_CLEAR_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_DETACHED;
import static org.kfork.uapi.CloneFlags.CLONE_FILES;
import static org.kfork.uapi.CloneFlags.CLONE_FS;
import static org.kfork.uapi.CloneFlags.CLONE_INTO_CGROUP;
import static org.kfork.uapi.CloneFlags.CLONE_LEGACY_FLAGS;
import static org.kfork.uapi.CloneFlags.CLONE_NEWCGROUP;
import static org.kfork.uapi.CloneFlags.CLONE_NEWIPC;
import static org.kfork.uapi.CloneFlags.CLONE_NEWNET;
import static org.kfork.uapi.CloneFlags.CLONE_NEWNS;
import static org.kfork.uapi.CloneFlags.CLONE_NEWPID;
import static org.kfork.uapi.CloneFlags.CLONE_NEWTIME;
import static org.kfork.uapi.CloneFlags.CLONE_NEWUSER;
import static org.kfork.uapi.CloneFlags.CLONE_NEWUTS;
import static org.kfork.uapi.CloneFlags.CLONE_PARENT;
import static org.kfork.uapi.CloneFlags.CLONE_PARENT_SETTID;
import static org.kfork.uapi.CloneFlags.CLONE_PIDFD;
import static org.kfork.uapi.CloneFlags.CLONE_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_SYSVSEM;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_VM;
import static org.kfork.uapi.CloneFlags.CSIGNAL;

import org.kfork.arch.X86_64;
import org.kfork.mm.UaccessRules;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;

/**
 * The checks of kernel/fork.c (5.12) that read only their arguments, shared by both kernels: the
 * flag combinations copy_process refuses before it reads any task, clone3's validation of
 * {@code struct clone_args} (copy_clone_args_from_user, clone3_stack_valid, clone3_args_valid),
 * and unshare's flag implications and refusals (ksys_unshare, check_unshare_flags). What depends
 * on a task (SIGNAL_UNKILLABLE, the pid and time namespaces, the thread group) stays with the
 * callers, in the order 5.12 tests it.
 */
public final class CloneRules {
    /** INT_MAX: the largest cgroup file descriptor clone3 accepts. */
    private static final long INT_MAX = Integer.MAX_VALUE;
    /** Every flag unshare() accepts (check_unshare_flags). */
    public static final long UNSHARE_FLAGS = CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM
        | CLONE_FILES | CLONE_SYSVSEM | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER | CLONE_NEWPID
        | CLONE_NEWCGROUP | CLONE_NEWTIME;

    private CloneRules() {
    }

    /**
     * copy_process's refusals that read only the flags (seed lines 1868-1887 and 1918-1926):
     * sharing the root directory across a new mount or user namespace, a thread group without
     * shared handlers, shared handlers without a shared VM, and a pidfd for a detached or
     * thread child. Each is -EINVAL, so their order does not change the answer.
     *
     * @return 0 or -EINVAL
     */
    public static int copyProcessFlags(long flags) {
        if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS)
            || (flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS)
            || (flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0
            || (flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0
            || (flags & CLONE_PIDFD) != 0 && (flags & (CLONE_DETACHED | CLONE_THREAD)) != 0) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    /**
     * kernel_clone's first check (seed line 2480): with CLONE_PIDFD and CLONE_PARENT_SETTID the
     * pidfd and the parent's tid would be written to the same int (legacy clone passes
     * parent_tidptr as both).
     */
    public static boolean pidfdAndParentTidCollide(long flags, long pidfd, long parentTid) {
        return (flags & CLONE_PIDFD) != 0 && (flags & CLONE_PARENT_SETTID) != 0
            && pidfd == parentTid;
    }

    /**
     * copy_clone_args_from_user's check of the size user space passed, before anything is read.
     *
     * @return 0, -E2BIG (larger than a page) or -EINVAL (smaller than the first version)
     */
    public static int clone3Size(long usize) {
        if (Long.compareUnsigned(usize, X86_64.PAGE_SIZE) > 0) {
            return -Errno.E2BIG;
        }
        if (Long.compareUnsigned(usize, CLONE_ARGS_SIZE_VER0) < 0) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    /**
     * copy_clone_args_from_user's checks of the fields read (seed lines 2651-2670): set_tid and
     * set_tid_size agree and fit MAX_PID_NS_LEVEL, the exit signal is one byte and a valid signal,
     * and CLONE_INTO_CGROUP comes with a cgroup fd that fits an int in a struct that has the field.
     *
     * @return 0 or -EINVAL
     */
    public static int clone3Fields(long flags, long exitSignal, long setTid, long setTidSize, long cgroup,
                                   long usize) {
        if (Long.compareUnsigned(setTidSize, Limits.MAX_PID_NS_LEVEL) > 0
            || setTid == 0 && setTidSize > 0
            || setTid != 0 && setTidSize == 0
            || (exitSignal & ~CSIGNAL) != 0 || !Signals.validSignal((int) exitSignal)
            || (flags & CLONE_INTO_CGROUP) != 0 && (Long.compareUnsigned(cgroup, INT_MAX) > 0
                || usize < CLONE_ARGS_SIZE_VER2)) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    /**
     * clone3_args_valid without its stack part (seed lines 2723-2743): no unknown flag, no
     * CLONE_DETACHED or exit signal in the flags, not CLONE_SIGHAND with CLONE_CLEAR_SIGHAND, and
     * no exit signal for a child that will not signal its creator.
     */
    public static boolean clone3FlagsValid(long flags, int exitSignal) {
        if ((flags & ~(CLONE_LEGACY_FLAGS | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP)) != 0) {
            return false;
        }
        if ((flags & (CLONE_DETACHED | CSIGNAL)) != 0) {
            return false;
        }
        if ((flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) {
            return false;
        }
        return (flags & (CLONE_THREAD | CLONE_PARENT)) == 0 || exitSignal == 0;
    }

    /**
     * clone3_stack_valid's test: no stack means no size; a stack needs a size and must lie in
     * user space (access_ok). The caller then moves {@code stack} to its top (stack + size).
     */
    public static boolean clone3StackValid(long stack, long stackSize) {
        if (stack == 0) {
            return stackSize == 0;
        }
        return stackSize != 0 && UaccessRules.accessOk(stack, stackSize);
    }


    /**
     * ksys_unshare's implications (seed lines 2959-2975): a new user namespace unshares the
     * thread group and fs; the VM implies the handlers, the handlers the thread group, a new
     * mount namespace the fs.
     */
    public static long unshareImplied(long flags) {
        long f = flags;
        if ((f & CLONE_NEWUSER) != 0) {
            f |= CLONE_THREAD | CLONE_FS;
        }
        if ((f & CLONE_VM) != 0) {
            f |= CLONE_SIGHAND;
        }
        if ((f & CLONE_SIGHAND) != 0) {
            f |= CLONE_THREAD;
        }
        if ((f & CLONE_NEWNS) != 0) {
            f |= CLONE_FS;
        }
        return f;
    }

    /**
     * check_unshare_flags, its argument part: unknown flags are -EINVAL. The rest (a thread,
     * handlers or VM shared with others) reads the task and is the caller's.
     */
    public static int unshareKnownFlags(long flags) {
        return (flags & ~UNSHARE_FLAGS) != 0 ? -Errno.EINVAL : 0;
    }
}
