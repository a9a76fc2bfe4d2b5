package org.kfork.sched;

/**
 * The process CPU clocks of POSIX CPU timers (include/linux/posix-timers.h, 5.12): the index of
 * each clock's base in struct posix_cputimers, and the expiry meaning "never".
 */
public final class CpuClocks {
    /** CPUCLOCK_PROF: process CPU time, user + system (RLIMIT_CPU's clock). */
    public static final int CPUCLOCK_PROF = 0;
    /** CPUCLOCK_VIRT: process user time. */
    public static final int CPUCLOCK_VIRT = 1;
    /** CPUCLOCK_SCHED: process run time. */
    public static final int CPUCLOCK_SCHED = 2;
    /** CPUCLOCK_MAX: the number of bases. */
    public static final int CPUCLOCK_MAX = 3;
    /** U64_MAX as an expiry: never. */
    public static final long NEVER = -1L;
    /** NSEC_PER_SEC: RLIMIT_CPU is in seconds, the expiry caches in nanoseconds. */
    public static final long NSEC_PER_SEC = 1_000_000_000L;

    private CpuClocks() {
    }
}
