package org.kfork.kernel.sys;

import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.struct.Rlimit;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.time.PosixCpuTimers;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Resource;

/**
 * kernel/sys.c (5.12), the resource limits: do_prlimit and the prlimit64 system call on the
 * caller. Limits live in signal->rlim[], shared by the thread group, and change under the group
 * leader's task_lock (copy_signal copies them under the same lock). And ksys_setsid: a group
 * leader that leads no session and no process group starts a session of its own.
 *
 * <p>Not ported: prlimit64 on another process (check_prlimit_permission, find_task_by_vpid and a
 * task reference are the pid and process-tree rooms'), the old getrlimit/setrlimit entry points
 * (prlimit64 covers them on 64-bit), and the LSM hook (no security module in the model).
 */
public final class Sys {
    private Sys() {
    }

    /**
     * do_prlimit: reads and/or sets tsk's limit of {@code resource}. The argument rules come first
     * (Resource.prlimitCheck: -EINVAL, -EPERM for RLIMIT_NOFILE above sysctl_nr_open); then, under
     * tasklist_lock read, -ESRCH for a released task, and raising the hard limit without
     * Capabilities.CAP_SYS_RESOURCE is -EPERM. On success the old limit (if asked) is written to {@code oldRlim}
     * and the new one stored; a new finite RLIMIT_CPU arms the group's CPU timer.
     *
     * @param hasNew whether a new limit is given (newCur, newMax)
     * @param oldRlim a {@code struct rlimit} to receive the old limit, or 0
     * @return 0 or a negative errno
     */
    public static int doPrlimit(Globals g, long current, long tsk, long resource, boolean hasNew, long newCur,
                                long newMax, long oldRlim) {
        int retval = Resource.prlimitCheck(resource, hasNew, newCur, newMax, g.sysctlNrOpen);
        if (retval != 0) {
            return retval;
        }
        g.tasklistLock.readLock().lock(); // keeps tsk->signal and tsk->sighand from going away
        try {
            if (Mem.getLongAcquire(tsk + TaskStruct.SIGHAND) == 0) {
                return -Errno.ESRCH;
            }
            final long rlim = Mem.getLong(tsk + TaskStruct.SIGNAL) + SignalStruct.RLIM + resource * Rlimit.SIZEOF;
            final long leaderLock = Mem.getLong(tsk + TaskStruct.GROUP_LEADER) + TaskStruct.ALLOC_LOCK;
            Spinlock.lock(leaderLock);
            if (hasNew && Resource.raisesHardLimit(newMax, Mem.getLong(rlim + Rlimit.RLIM_MAX))
                && !g.signalExterns.capable(current, Capabilities.CAP_SYS_RESOURCE)) {
                retval = -Errno.EPERM;
            }
            // (security_task_setrlimit: no security module)
            if (retval == 0) {
                if (oldRlim != 0) {
                    Mem.copy(rlim, oldRlim, Rlimit.SIZEOF);
                }
                if (hasNew) {
                    Mem.putLongVolatile(rlim + Rlimit.RLIM_CUR, newCur); // task_rlimit reads it with READ_ONCE
                    Mem.putLong(rlim + Rlimit.RLIM_MAX, newMax);
                }
            }
            Spinlock.unlock(leaderLock);
            if (retval == 0 && hasNew && resource == Resource.RLIMIT_CPU && newCur != Resource.RLIM_INFINITY) {
                PosixCpuTimers.updateRlimitCpu(tsk, newCur);
            }
            return retval;
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }

    /**
     * prlimit64(0, resource, new, old): the caller's own limit (check_prlimit_permission passes
     * at once for current; rlim64_to_rlim is the identity on 64-bit). The new limit is given by
     * value and the old one written to a kernel {@code struct rlimit}: user memory is copied by
     * the system-call layer.
     */
    public static int sysPrlimit64(Globals g, long current, long resource, boolean hasNew, long newCur, long newMax,
                                   long oldRlim) {
        return doPrlimit(g, current, current, resource, hasNew, newCur, newMax, oldRlim);
    }

    // ------------------------------------------------------------------------------------------
    // setsid
    // ------------------------------------------------------------------------------------------

    /**
     * set_special_pids: current's group leader moves to {@code pid} as its session and process
     * group (change_pid; the old ones are freed once no task uses them).
     */
    private static void setSpecialPids(Globals g, long current, long pid) {
        final long curr = Mem.getLong(current + TaskStruct.GROUP_LEADER);
        if (Pids.taskSession(curr) != pid) {
            Pids.changePid(g, curr, PidRules.PIDTYPE_SID, pid);
        }
        if (Pids.taskPgrp(curr) != pid) {
            Pids.changePid(g, curr, PidRules.PIDTYPE_PGID, pid);
        }
    }

    /**
     * ksys_setsid: the caller's group leader leads a new session and process group named after
     * its pid. Refused (-EPERM) to a session leader, and when a process group of that number
     * already exists (the leader's pid leads one: a group it made, or joined as its leader).
     * (proc_clear_tty: no terminals; proc_sid_connector and sched_autogroup: no listeners of
     * that event, no autogroups.)
     *
     * @return the new session's number in the caller's pid namespace, or -EPERM
     */
    public static int ksysSetsid(Globals g, long current) {
        final long groupLeader = Mem.getLong(current + TaskStruct.GROUP_LEADER);
        final long sid = Mem.getLong(groupLeader + TaskStruct.THREAD_PID);
        final int session = Pids.pidVnr(current, sid);
        g.tasklistLock.writeLock().lock();
        try {
            final long sig = Mem.getLong(groupLeader + TaskStruct.SIGNAL);
            if (Mem.getInt(sig + SignalStruct.LEADER) != 0 || Pids.pidTask(sid, PidRules.PIDTYPE_PGID) != 0) {
                return -Errno.EPERM;
            }
            Mem.putInt(sig + SignalStruct.LEADER, 1);
            setSpecialPids(g, current, sid);
            return session;
        } finally {
            g.tasklistLock.writeLock().unlock();
        }
    }
}
