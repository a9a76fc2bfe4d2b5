package org.kfork.heap.sys;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.heap.time.HeapPosixCpuTimers;
import org.kfork.pid.PidRules;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Resource;

/**
 * The heap twin of org.kfork.kernel.sys.Sys: do_prlimit and prlimit64 on the caller, over
 * {@link HeapSignalStruct}'s rlimit arrays. An old limit is returned in a {@code long[2]}
 * ({@code rlim_cur}, {@code rlim_max}).
 */
public final class HeapSys {
    private HeapSys() {
    }

    /** do_prlimit (see the off-heap twin); {@code oldRlim} is null or a long[2]. */
    public static int doPrlimit(HeapGlobals g, HeapTask current, HeapTask tsk, long resource, boolean hasNew,
                                long newCur, long newMax, long[] oldRlim) {
        int retval = Resource.prlimitCheck(resource, hasNew, newCur, newMax, g.sysctlNrOpen);
        if (retval != 0) {
            return retval;
        }
        g.tasklistLock.readLock().lock();
        try {
            if (tsk.sighand == null) {
                return -Errno.ESRCH;
            }
            final HeapSignalStruct sig = tsk.signal;
            final int r = (int) resource;
            final HeapTask leader = tsk.groupLeader;
            leader.allocLock.lock();
            if (hasNew && Resource.raisesHardLimit(newMax, sig.rlimMax[r])
                && !g.signalExterns.capable(current, Capabilities.CAP_SYS_RESOURCE)) {
                retval = -Errno.EPERM;
            }
            if (retval == 0) {
                if (oldRlim != null) {
                    oldRlim[0] = sig.rlimCur[r];
                    oldRlim[1] = sig.rlimMax[r];
                }
                if (hasNew) {
                    sig.rlimCur[r] = newCur;
                    sig.rlimMax[r] = newMax;
                }
            }
            leader.allocLock.unlock();
            if (retval == 0 && hasNew && resource == Resource.RLIMIT_CPU && newCur != Resource.RLIM_INFINITY) {
                HeapPosixCpuTimers.updateRlimitCpu(tsk, newCur);
            }
            return retval;
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }

    /** prlimit64(0, ...): the caller's own limit. */
    public static int sysPrlimit64(HeapGlobals g, HeapTask current, long resource, boolean hasNew, long newCur,
                                   long newMax, long[] oldRlim) {
        return doPrlimit(g, current, current, resource, hasNew, newCur, newMax, oldRlim);
    }

    // ------------------------------------------------------------------------------------------
    // setsid
    // ------------------------------------------------------------------------------------------

    /** set_special_pids (see the off-heap twin). */
    private static void setSpecialPids(HeapGlobals g, HeapTask current, HeapPid pid) {
        final HeapTask curr = current.groupLeader;
        if (HeapPids.taskSession(curr) != pid) {
            HeapPids.changePid(g, curr, PidRules.PIDTYPE_SID, pid);
        }
        if (HeapPids.taskPgrp(curr) != pid) {
            HeapPids.changePid(g, curr, PidRules.PIDTYPE_PGID, pid);
        }
    }

    /** ksys_setsid (see the off-heap twin): the new session's number, or -EPERM. */
    public static int ksysSetsid(HeapGlobals g, HeapTask current) {
        final HeapTask groupLeader = current.groupLeader;
        final HeapPid sid = groupLeader.threadPid();
        final int session = HeapPids.pidVnr(current, sid);
        g.tasklistLock.writeLock().lock();
        try {
            final HeapSignalStruct sig = groupLeader.signal;
            if (sig.leader != 0 || HeapPids.pidTask(sid, PidRules.PIDTYPE_PGID) != null) {
                return -Errno.EPERM;
            }
            sig.leader = 1;
            setSpecialPids(g, current, sid);
            return session;
        } finally {
            g.tasklistLock.writeLock().unlock();
        }
    }
}
