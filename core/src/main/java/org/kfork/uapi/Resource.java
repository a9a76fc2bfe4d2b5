package org.kfork.uapi;

/**
 * The resource limits of getrlimit, setrlimit and prlimit64 (include/uapi/asm-generic/resource.h,
 * 5.12), indices into signal_struct.rlim. Their count, RLIM_NLIMITS, is in
 * {@link org.kfork.sched.Limits}.
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
}
