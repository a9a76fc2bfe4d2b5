package org.kfork.kernel.time;

import static org.kfork.sched.CpuClocks.*;

import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.PosixCputimerBase;
import org.kfork.kernel.struct.PosixCputimers;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.uapi.Resource;

/**
 * kernel/time/posix-cpu-timers.c and include/linux/posix-timers.h (5.12), what fork and setrlimit
 * touch: a thread group's expiry caches. RLIMIT_CPU is enforced through the PROF clock's cache;
 * the model accounts no CPU time, so no timer ever fires, but the caches are kept as 5.12 keeps
 * them.
 *
 * <p>Invariant: a base with nothing armed has nextevt NEVER (U64_MAX); an armed PROF base holds the
 * earliest expiry in nanoseconds of process CPU time.
 */
public final class PosixCpuTimers {
    private PosixCpuTimers() {
    }

    /** The address of {@code pct->bases[clkid].nextevt}. */
    private static long nextevt(long pct, int clkid) {
        return pct + PosixCputimers.BASES + clkid * PosixCputimerBase.SIZEOF + PosixCputimerBase.NEXTEVT;
    }

    /** posix_cputimers_init: zeroed, every base expiring never. */
    public static void posixCputimersInit(long pct) {
        Mem.zero(pct, PosixCputimers.SIZEOF);
        for (int i = 0; i < CPUCLOCK_MAX; i++) {
            Mem.putLong(nextevt(pct, i), NEVER);
        }
    }

    /**
     * posix_cputimers_group_init: posix_cputimers_init, and a finite {@code cpuLimit} (RLIMIT_CPU,
     * in seconds) arms the PROF base and marks the timers active.
     */
    public static void posixCputimersGroupInit(long pct, long cpuLimit) {
        posixCputimersInit(pct);
        if (cpuLimit != Resource.RLIM_INFINITY) {
            Mem.putLong(nextevt(pct, CPUCLOCK_PROF), cpuLimit * NSEC_PER_SEC);
            Mem.putInt(pct + PosixCputimers.TIMERS_ACTIVE, 1);
        }
    }

    /**
     * set_process_cpu_timer for an absolute expiry ({@code oldval} NULL): starts the group's
     * cputimer if it was not running (timers_active; the sample is 0, no CPU time is accounted)
     * and moves the clock's expiry cache earlier if {@code newval} is earlier. Caller holds the
     * siglock. (tick_dep_set_signal: the model has no tick to keep.)
     */
    public static void setProcessCpuTimer(long tsk, int clkid, long newval) {
        if (clkid >= CPUCLOCK_SCHED) {
            throw new IllegalArgumentException("set_process_cpu_timer on clock " + clkid);
        }
        final long pct = Mem.getLong(tsk + TaskStruct.SIGNAL) + SignalStruct.POSIX_CPUTIMERS;
        // cpu_clock_sample_group(clkid, tsk, true): thread_group_start_cputime
        if (Mem.getIntVolatile(pct + PosixCputimers.TIMERS_ACTIVE) == 0) {
            Mem.putIntVolatile(pct + PosixCputimers.TIMERS_ACTIVE, 1);
        }
        final long at = nextevt(pct, clkid);
        if (Long.compareUnsigned(newval, Mem.getLong(at)) < 0) {
            Mem.putLong(at, newval);
        }
    }

    /** update_rlimit_cpu: a new finite RLIMIT_CPU arms the PROF expiry, under the siglock. */
    public static void updateRlimitCpu(long task, long rlimNew) {
        final long nsecs = rlimNew * NSEC_PER_SEC;
        final long siglock = Mem.getLong(task + TaskStruct.SIGHAND) + SighandStruct.SIGLOCK;
        Spinlock.lock(siglock);
        setProcessCpuTimer(task, CPUCLOCK_PROF, nsecs);
        Spinlock.unlock(siglock);
    }

    /** {@code signal->posix_cputimers.bases[clkid].nextevt}, for tests and /proc. */
    public static long groupNextevt(long sig, int clkid) {
        return Mem.getLong(nextevt(sig + SignalStruct.POSIX_CPUTIMERS, clkid));
    }
}
