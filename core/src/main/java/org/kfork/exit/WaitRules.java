package org.kfork.exit;

import org.kfork.pid.PidRules;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/**
 * kernel/exit.c (5.12), what does not depend on the kernel's representation: the option and
 * idtype checks of kernel_wait4 and kernel_waitid, the type of pid a wait selects, eligible_child's
 * exit-signal rule, and the encodings of an exit status (sys_exit's, wait_task_zombie's wo_stat,
 * and the waitid_info a status becomes). Both kernels (exit.Exit and heap.exit.HeapExit) call
 * these, so their answers cannot drift apart.
 */
public final class WaitRules {
    /** The options kernel_wait4 accepts. */
    public static final int WAIT4_OPTIONS =
        Wait.WNOHANG | Wait.WUNTRACED | Wait.WCONTINUED | Wait.__WNOTHREAD | Wait.__WCLONE | Wait.__WALL;
    /** The options kernel_waitid accepts. */
    public static final int WAITID_OPTIONS = Wait.WNOHANG | Wait.WNOWAIT | Wait.WEXITED | Wait.WSTOPPED
        | Wait.WCONTINUED | Wait.__WNOTHREAD | Wait.__WCLONE | Wait.__WALL;
    private WaitRules() {
    }

    /** sys_exit / sys_exit_group: the code in a task's exit_code, (code &amp; 0xff) &lt;&lt; 8. */
    public static int exitCode(int errorCode) {
        return (errorCode & 0xff) << 8;
    }

    /**
     * kernel_wait4's first checks: unknown option bits give -EINVAL, and pid INT_MIN (whose
     * negation is undefined) -ESRCH. 0 when the call may go on.
     */
    public static int wait4Check(int upid, int options) {
        if ((options & ~WAIT4_OPTIONS) != 0) {
            return -Errno.EINVAL;
        }
        return upid == Integer.MIN_VALUE ? -Errno.ESRCH : 0;
    }

    /**
     * kernel_wait4's choice of what to wait for: -1 any child (PIDTYPE_MAX), below -1 the process
     * group -upid, 0 the caller's own process group, above 0 the child upid.
     */
    public static int wait4Type(int upid) {
        if (upid == -1) {
            return PidRules.PIDTYPE_MAX;
        }
        return upid <= 0 ? PidRules.PIDTYPE_PGID : PidRules.PIDTYPE_PID;
    }

    /** The number kernel_wait4 looks up for {@link #wait4Type}'s pid; 0 for the caller's own group. */
    public static int wait4Nr(int upid) {
        return upid < 0 ? -upid : upid;
    }

    /**
     * kernel_waitid's checks, in 5.12's order: unknown option bits, none of
     * WEXITED|WSTOPPED|WCONTINUED, an unknown idtype, then the id's range for the idtype (P_PID
     * needs id &gt; 0; P_PGID and P_PIDFD id &gt;= 0): -EINVAL for each. 0 when the call may go on.
     */
    public static int waitidCheck(int which, int upid, int options) {
        if ((options & ~WAITID_OPTIONS) != 0) {
            return -Errno.EINVAL;
        }
        if ((options & (Wait.WEXITED | Wait.WSTOPPED | Wait.WCONTINUED)) == 0) {
            return -Errno.EINVAL;
        }
        switch (which) {
            case Wait.P_ALL:
                return 0;
            case Wait.P_PID:
                return upid <= 0 ? -Errno.EINVAL : 0;
            case Wait.P_PGID:
            case Wait.P_PIDFD:
                return upid < 0 ? -Errno.EINVAL : 0;
            default:
                return -Errno.EINVAL;
        }
    }

    /** kernel_waitid's pid type for an idtype {@link #waitidCheck} accepted. */
    public static int waitidType(int which) {
        switch (which) {
            case Wait.P_ALL:
                return PidRules.PIDTYPE_MAX;
            case Wait.P_PGID:
                return PidRules.PIDTYPE_PGID;
            default:
                return PidRules.PIDTYPE_PID; // P_PID, P_PIDFD
        }
    }

    /**
     * eligible_child's second half, once the pid matched: __WALL (or a ptrace wait) takes every
     * child; otherwise __WCLONE takes only the "clone" children (exit signal other than SIGCHLD)
     * and its absence only the others.
     */
    public static boolean eligibleExitSignal(int woFlags, boolean ptrace, int exitSignal) {
        if (ptrace || (woFlags & Wait.__WALL) != 0) {
            return true;
        }
        return (exitSignal != Signals.SIGCHLD) == ((woFlags & Wait.__WCLONE) != 0);
    }

    /**
     * wait_task_zombie's status: the group's exit code when the group exited as a whole
     * (SIGNAL_GROUP_EXIT: exit_group or a fatal signal), else the task's own exit_code.
     */
    public static int zombieStatus(boolean groupExit, int groupExitCode, int exitCode) {
        return groupExit ? groupExitCode : exitCode;
    }

    /** The waitid_info cause of a zombie's status: CLD_EXITED, CLD_KILLED or CLD_DUMPED. */
    public static int infoCause(int status) {
        if ((status & 0x7f) == 0) {
            return Wait.CLD_EXITED;
        }
        return (status & Wait.WCOREFLAG) != 0 ? Wait.CLD_DUMPED : Wait.CLD_KILLED;
    }

    /** The waitid_info status of a zombie's status: the exit code, or the signal. */
    public static int infoStatus(int status) {
        return (status & 0x7f) == 0 ? status >> 8 : status & 0x7f;
    }
}
