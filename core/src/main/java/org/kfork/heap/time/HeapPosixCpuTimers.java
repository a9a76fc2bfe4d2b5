package org.kfork.heap.time;

import static org.kfork.sched.CpuClocks.*;

import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.uapi.Resource;

/**
 * The heap twin of org.kfork.kernel.time.PosixCpuTimers: a thread group's POSIX CPU timer expiry
 * caches, in {@link HeapSignalStruct}'s posixCputimers* fields.
 */
public final class HeapPosixCpuTimers {
    private HeapPosixCpuTimers() {
    }

    /** posix_cputimers_init. */
    public static void posixCputimersInit(HeapSignalStruct sig) {
        for (int i = 0; i < CPUCLOCK_MAX; i++) {
            sig.posixCputimersNextevt[i] = NEVER;
        }
        sig.posixCputimersTimersActive = false;
        sig.posixCputimersExpiryActive = false;
    }

    /** posix_cputimers_group_init. */
    public static void posixCputimersGroupInit(HeapSignalStruct sig, long cpuLimit) {
        posixCputimersInit(sig);
        if (cpuLimit != Resource.RLIM_INFINITY) {
            sig.posixCputimersNextevt[CPUCLOCK_PROF] = cpuLimit * NSEC_PER_SEC;
            sig.posixCputimersTimersActive = true;
        }
    }

    /** set_process_cpu_timer for an absolute expiry; caller holds the siglock. */
    public static void setProcessCpuTimer(HeapTask tsk, int clkid, long newval) {
        if (clkid >= CPUCLOCK_SCHED) {
            throw new IllegalArgumentException("set_process_cpu_timer on clock " + clkid);
        }
        final HeapSignalStruct sig = tsk.signal;
        if (!sig.posixCputimersTimersActive) {
            sig.posixCputimersTimersActive = true;
        }
        if (Long.compareUnsigned(newval, sig.posixCputimersNextevt[clkid]) < 0) {
            sig.posixCputimersNextevt[clkid] = newval;
        }
    }

    /** update_rlimit_cpu. */
    public static void updateRlimitCpu(HeapTask task, long rlimNew) {
        final long nsecs = rlimNew * NSEC_PER_SEC;
        final HeapSighandStruct sighand = task.sighand;
        sighand.siglock.lock();
        setProcessCpuTimer(task, CPUCLOCK_PROF, nsecs);
        sighand.siglock.unlock();
    }

    /** {@code signal->posix_cputimers.bases[clkid].nextevt}. */
    public static long groupNextevt(HeapSignalStruct sig, int clkid) {
        return sig.posixCputimersNextevt[clkid];
    }
}
