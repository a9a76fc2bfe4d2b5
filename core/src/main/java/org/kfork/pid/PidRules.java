package org.kfork.pid;

import static org.kfork.uapi.Errno.EAGAIN;
import static org.kfork.uapi.Errno.EEXIST;
import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOSPC;

import org.kfork.sched.Limits;

/**
 * What the two ports of kernel/pid.c and kernel/pid_namespace.c (off-heap
 * {@code org.kfork.kernel.pid}, heap {@code org.kfork.heap.pid}) share and what does not depend
 * on the representation: the constants of include/linux/pid.h, pid_namespace.h and threads.h that
 * are not uapi, the boot-time bounds of pid_max (pid_idr_init) and its sysctl, and the argument
 * and errno arithmetic of alloc_pid and free_pid. Both ports call these at the same points, so
 * they answer the same errno for the same input.
 */
public final class PidRules {
    /** enum pid_type: the task's own pid (task->thread_pid). */
    public static final int PIDTYPE_PID = 0;
    /** enum pid_type: the thread-group id (signal->pids[PIDTYPE_TGID]). */
    public static final int PIDTYPE_TGID = 1;
    /** enum pid_type: the process group (signal->pids[PIDTYPE_PGID]). */
    public static final int PIDTYPE_PGID = 2;
    /** enum pid_type: the session (signal->pids[PIDTYPE_SID]). */
    public static final int PIDTYPE_SID = 3;
    /** enum pid_type: the number of types. */
    public static final int PIDTYPE_MAX = Limits.PIDTYPE_MAX;

    /** kernel/pid.c: numbers below this are handed out only before the first wrap (daemons' pids). */
    public static final int RESERVED_PIDS = 300;
    /**
     * include/linux/pid_namespace.h: the bit of pid_allocated that says the namespace still accepts
     * new pids (cleared when its init dies: disable_pid_allocation). As a Java int it is
     * {@link Integer#MIN_VALUE}; pid_allocated is compared as the C unsigned int it is.
     */
    public static final int PIDNS_ADDING = 1 << 31;
    /** include/linux/threads.h: pid_max is at least this many per possible CPU (CONFIG_BASE_SMALL=0). */
    public static final int PIDS_PER_CPU_DEFAULT = 1024;
    /** include/linux/threads.h: pid_max_min is at least this many per possible CPU. */
    public static final int PIDS_PER_CPU_MIN = 8;
    /** include/linux/user_namespace.h: the index of enum ucount_type that counts pid namespaces. */
    public static final int UCOUNT_PID_NAMESPACES = 1;
    /** include/linux/proc_ns.h: the inode number of init_pid_ns (what /proc/1/ns/pid shows). */
    public static final int PROC_PID_INIT_INO = 0xEFFFFFFC;

    private PidRules() {
    }

    // ------------------------------------------------------------------------------------------
    // pid_max (pid_idr_init, sysctl kernel.pid_max)
    // ------------------------------------------------------------------------------------------

    /**
     * pid_idr_init: the boot value of pid_max, PID_MAX_DEFAULT or PIDS_PER_CPU_DEFAULT per possible
     * CPU if that is more, never above PID_MAX_LIMIT.
     */
    public static int pidMaxAtBoot(int nrPossibleCpus) {
        return Math.min(Limits.PID_MAX_LIMIT, Math.max(Limits.PID_MAX_DEFAULT, PIDS_PER_CPU_DEFAULT * nrPossibleCpus));
    }

    /** pid_idr_init: the boot value of pid_max_min, RESERVED_PIDS + 1 or PIDS_PER_CPU_MIN per CPU. */
    public static int pidMaxMinAtBoot(int nrPossibleCpus) {
        return Math.max(RESERVED_PIDS + 1, PIDS_PER_CPU_MIN * nrPossibleCpus);
    }

    /**
     * sysctl kernel.pid_max on write: proc_dointvec_minmax with extra1 = &pid_max_min and extra2 =
     * &pid_max_max, both inclusive. A value that is no C int is refused as well (the parser's
     * -EINVAL).
     *
     * @return 0 to store {@code value}, or -EINVAL
     */
    public static int pidMaxWriteCheck(long value, int pidMaxMin, int pidMaxMax) {
        return value < pidMaxMin || value > pidMaxMax ? -EINVAL : 0;
    }

    // ------------------------------------------------------------------------------------------
    // alloc_pid
    // ------------------------------------------------------------------------------------------

    /** alloc_pid's first check: more requested numbers than levels is -EINVAL (0 to go on). */
    public static int setTidSizeCheck(long setTidSize, int level) {
        return setTidSize < 0 || setTidSize > level + 1L ? -EINVAL : 0;
    }

    /** alloc_pid: a requested number outside [1, pid_max) is -EINVAL (0 to go on). */
    public static int tidRangeCheck(int tid, int pidMax) {
        return tid < 1 || tid >= pidMax ? -EINVAL : 0;
    }

    /**
     * alloc_pid: a requested number other than 1 in a namespace that has no init yet is -EINVAL
     * (0 to go on).
     */
    public static int tidReaperCheck(int tid, boolean hasChildReaper) {
        return tid != 1 && !hasChildReaper ? -EINVAL : 0;
    }

    /**
     * alloc_pid: the lowest number the cyclic search may hand out. init needs 1, but once the
     * cursor has passed RESERVED_PIDS a wrap restarts at RESERVED_PIDS. The cursor is idr_next, an
     * unsigned int, compared with the int RESERVED_PIDS as C converts it: unsigned.
     */
    public static int pidMin(int cursor) {
        return Integer.compareUnsigned(cursor, RESERVED_PIDS) > 0 ? RESERVED_PIDS : 1;
    }

    /** alloc_pid: idr_alloc's -ENOSPC for a requested number means it is taken: -EEXIST. */
    public static int requestedNrError(int nr) {
        return nr == -ENOSPC ? -EEXIST : nr;
    }

    /** alloc_pid: a negative result of either search as alloc_pid returns it (-ENOSPC is -EAGAIN). */
    public static int allocNrError(int nr) {
        return nr == -ENOSPC ? -EAGAIN : nr;
    }

    /** pid_allocated still has PIDNS_ADDING: the namespace accepts pids. */
    public static boolean adding(int pidAllocated) {
        return (pidAllocated & PIDNS_ADDING) != 0;
    }

    // ------------------------------------------------------------------------------------------
    // free_pid
    // ------------------------------------------------------------------------------------------

    /** What free_pid does after it decremented a namespace's pid_allocated: nothing more. */
    public static final int FREE_PID_NOTHING = 0;
    /** ... wake the child reaper: only it (and maybe its own zombie leader) is left. */
    public static final int FREE_PID_WAKE_REAPER = 1;
    /** ... the first pid of the namespace went (its init's fork failed): pid_allocated becomes 0. */
    public static final int FREE_PID_FIRST_FAILED = 2;

    /**
     * free_pid's switch on the decremented pid_allocated: 2 or 1 wake the reaper, which may sleep
     * in zap_pid_ns_processes until only it is left; PIDNS_ADDING alone means the namespace's
     * first process failed to fork, and the namespace stops accepting pids.
     */
    public static int freePidAction(int pidAllocatedAfter) {
        if (pidAllocatedAfter == 2 || pidAllocatedAfter == 1) {
            return FREE_PID_WAKE_REAPER;
        }
        return pidAllocatedAfter == PIDNS_ADDING ? FREE_PID_FIRST_FAILED : FREE_PID_NOTHING;
    }

    /** The pid type's name as the kernel spells the enum (for messages). */
    public static String typeName(int type) {
        switch (type) {
            case PIDTYPE_PID:
                return "PIDTYPE_PID";
            case PIDTYPE_TGID:
                return "PIDTYPE_TGID";
            case PIDTYPE_PGID:
                return "PIDTYPE_PGID";
            case PIDTYPE_SID:
                return "PIDTYPE_SID";
            default:
                throw new IllegalArgumentException("pid type " + type);
        }
    }

    /** A Java-API check: a pid type must be one of PIDTYPE_PID..PIDTYPE_SID. */
    public static int checkType(int type) {
        if (type < 0 || type >= PIDTYPE_MAX) {
            throw new IllegalArgumentException("pid type " + type + " is not in [0, PIDTYPE_MAX)");
        }
        return type;
    }
}
