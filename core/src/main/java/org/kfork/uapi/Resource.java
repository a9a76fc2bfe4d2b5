package org.kfork.uapi;

import org.kfork.arch.X86_64;
import org.kfork.sched.Limits;

/**
 * The resource limits of getrlimit, setrlimit and prlimit64 (include/uapi/asm-generic/resource.h,
 * 5.12), indices into signal_struct.rlim. Their count, RLIM_NLIMITS, is in
 * {@link org.kfork.sched.Limits}.
 *
 * <p>Also the boot-time limits of init_task (INIT_RLIMITS, include/asm-generic/resource.h) and the
 * argument rules of do_prlimit (kernel/sys.c) that do not depend on how the limits are stored.
 * Limits are {@code unsigned long}: compare them with {@link Long#compareUnsigned}, so that
 * {@link #RLIM_INFINITY} (all ones) is the largest value.
 */
public final class Resource {
    /** CPU time in seconds. */
    public static final int RLIMIT_CPU = 0;
    /** Largest file size. */
    public static final int RLIMIT_FSIZE = 1;
    /** Largest data segment. */
    public static final int RLIMIT_DATA = 2;
    /** Largest stack. */
    public static final int RLIMIT_STACK = 3;
    /** Largest core file. */
    public static final int RLIMIT_CORE = 4;
    /** Largest resident set. */
    public static final int RLIMIT_RSS = 5;
    /** Processes of the real user; copy_process refuses a fork past it with -EAGAIN. */
    public static final int RLIMIT_NPROC = 6;
    /** Open files. */
    public static final int RLIMIT_NOFILE = 7;
    /** Locked memory. */
    public static final int RLIMIT_MEMLOCK = 8;
    /** Address space. */
    public static final int RLIMIT_AS = 9;
    /** File locks. */
    public static final int RLIMIT_LOCKS = 10;
    /** Pending signals. */
    public static final int RLIMIT_SIGPENDING = 11;
    /** Bytes in POSIX message queues. */
    public static final int RLIMIT_MSGQUEUE = 12;
    /** Ceiling of the nice value. */
    public static final int RLIMIT_NICE = 13;
    /** Ceiling of the real-time priority. */
    public static final int RLIMIT_RTPRIO = 14;
    /** Real-time CPU time in microseconds. */
    public static final int RLIMIT_RTTIME = 15;
    /** No limit: {@code ~0UL}. */
    public static final long RLIM_INFINITY = -1L;

    /** {@code _STK_LIM}: the default stack limit, 8 MiB. */
    public static final long _STK_LIM = 8L * 1024 * 1024;
    /** {@code MLOCK_LIMIT}: 64 KiB (PAGE_SIZE is smaller) in 5.12. */
    public static final long MLOCK_LIMIT = Math.max(X86_64.PAGE_SIZE, 64 * 1024);
    /** {@code INR_OPEN_CUR}: the initial soft limit of open files. */
    public static final long INR_OPEN_CUR = 1024;
    /** {@code INR_OPEN_MAX}: the initial hard limit of open files. */
    public static final long INR_OPEN_MAX = 4096;
    /** {@code MQ_BYTES_MAX}: the default bytes of POSIX message queues. */
    public static final long MQ_BYTES_MAX = 819200;

    private static final long[] INIT_CUR = new long[Limits.RLIM_NLIMITS];
    private static final long[] INIT_MAX = new long[Limits.RLIM_NLIMITS];

    static {
        // INIT_RLIMITS: unlimited unless said otherwise; NPROC and SIGPENDING start at 0 and
        // fork_init sets them from max_threads.
        java.util.Arrays.fill(INIT_CUR, RLIM_INFINITY);
        java.util.Arrays.fill(INIT_MAX, RLIM_INFINITY);
        initRlimit(RLIMIT_STACK, _STK_LIM, RLIM_INFINITY);
        initRlimit(RLIMIT_CORE, 0, RLIM_INFINITY);
        initRlimit(RLIMIT_NPROC, 0, 0);
        initRlimit(RLIMIT_NOFILE, INR_OPEN_CUR, INR_OPEN_MAX);
        initRlimit(RLIMIT_MEMLOCK, MLOCK_LIMIT, MLOCK_LIMIT);
        initRlimit(RLIMIT_SIGPENDING, 0, 0);
        initRlimit(RLIMIT_MSGQUEUE, MQ_BYTES_MAX, MQ_BYTES_MAX);
        initRlimit(RLIMIT_NICE, 0, 0);
        initRlimit(RLIMIT_RTPRIO, 0, 0);
    }

    private static final String[] NAMES = {
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
        "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
        "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    };

    private Resource() {
    }

    /**
     * The name of a resource: {@code "RLIMIT_NPROC"} for 6; null for a number that names none.
     *
     * @param resource a resource number as the caller passed it
     * @return its name, or null
     */
    public static String name(long resource) {
        return resource >= 0 && resource < NAMES.length ? NAMES[(int) resource] : null;
    }

    private static void initRlimit(int resource, long cur, long max) {
        INIT_CUR[resource] = cur;
        INIT_MAX[resource] = max;
    }

    /** INIT_RLIMITS[resource].rlim_cur: init_signals' soft limit before fork_init. */
    public static long initRlimitCur(int resource) {
        return INIT_CUR[resource];
    }

    /** INIT_RLIMITS[resource].rlim_max: init_signals' hard limit before fork_init. */
    public static long initRlimitMax(int resource) {
        return INIT_MAX[resource];
    }

    /**
     * The checks do_prlimit makes before it looks at the task, in its order: a resource out of
     * range is -EINVAL; a new limit whose soft value exceeds its hard value is -EINVAL; a hard
     * RLIMIT_NOFILE above sysctl_nr_open is -EPERM. The comparisons are unsigned, as the kernel's.
     *
     * @param resource the resource as the caller passed it ({@code unsigned int} in the kernel)
     * @param hasNew whether a new limit is given
     * @param cur the new soft limit (ignored without one)
     * @param max the new hard limit (ignored without one)
     * @param nrOpen sysctl_nr_open
     * @return 0 or a negative errno
     */
    public static int prlimitCheck(long resource, boolean hasNew, long cur, long max, int nrOpen) {
        if (Long.compareUnsigned(resource, Limits.RLIM_NLIMITS) >= 0) {
            return -Errno.EINVAL;
        }
        if (hasNew) {
            if (Long.compareUnsigned(cur, max) > 0) {
                return -Errno.EINVAL;
            }
            if (resource == RLIMIT_NOFILE && Long.compareUnsigned(max, Integer.toUnsignedLong(nrOpen)) > 0) {
                return -Errno.EPERM;
            }
        }
        return 0;
    }

    /**
     * Whether a new hard limit raises the current one, which do_prlimit allows only with
     * CAP_SYS_RESOURCE (unsigned comparison).
     */
    public static boolean raisesHardLimit(long newMax, long oldMax) {
        return Long.compareUnsigned(newMax, oldMax) > 0;
    }
}
