package org.kfork.heap.signal;

import static org.kfork.uapi.Signals.SIGCHLD;
import static org.kfork.uapi.Signals.SIG_IGN;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskState;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/**
 * The heap twin of org.kfork.kernel.signal.SignalCalls: kernel/signal.c's entry points (kill and
 * its permission check, send_sig, do_notify_parent, do_sigaction) over {@link HeapSignal}, with
 * the same steps in the same order.
 */
public final class HeapSignalCalls {
    private static final long NSEC_PER_CLOCK_T = 1_000_000_000L / 100;

    private HeapSignalCalls() {
    }

    // ---- permission

    /** si_fromuser. */
    static boolean siFromuser(HeapKernelSiginfo info) {
        return info == HeapSignal.SEND_SIG_NOINFO || (!HeapSignal.isSiSpecial(info) && Signals.siFromuser(info.siCode));
    }

    /** kill_ok_by_cred. */
    static boolean killOkByCred(HeapGlobals g, HeapTask current, HeapTask t) {
        final int euid = current.cred.euid;
        final int uid = current.cred.uid;
        final int tsuid = t.realCred.suid;
        final int tuid = t.realCred.uid;
        return euid == tsuid || euid == tuid || uid == tsuid || uid == tuid
            || g.signalExterns.capable(current, Capabilities.CAP_KILL);
    }

    /** check_kill_permission. */
    static int checkKillPermission(HeapGlobals g, HeapTask current, int sig, HeapKernelSiginfo info, HeapTask t) {
        if (!Signals.validSignal(sig)) {
            return -Errno.EINVAL;
        }
        if (!siFromuser(info)) {
            return 0;
        }
        if (!HeapSignal.sameThreadGroup(current, t) && !killOkByCred(g, current, t)) {
            return -Errno.EPERM;
        }
        return 0;
    }

    // ---- sending on someone's behalf

    /** group_send_sig_info. */
    public static int groupSendSigInfo(HeapGlobals g, HeapTask current, int sig, HeapKernelSiginfo info, HeapTask p,
                                       int type) {
        final int rcu = g.rcu.rcuReadLock();
        int ret = checkKillPermission(g, current, sig, info, p);
        g.rcu.rcuReadUnlock(rcu);
        if (ret == 0 && sig != 0) {
            ret = HeapSignal.doSendSigInfo(g, current, sig, info, p, type);
        }
        return ret;
    }

    /** __kill_pgrp_info. */
    static int __killPgrpInfo(HeapGlobals g, HeapTask current, int sig, HeapKernelSiginfo info, Object pgrp) {
        boolean success = false;
        int retval = -Errno.ESRCH;
        final HeapSignalExterns x = g.signalExterns;
        for (HeapTask p = pgrp == null ? null : x.pidTask(pgrp, PidRules.PIDTYPE_PGID); p != null;
             p = x.pidTaskNext(p, PidRules.PIDTYPE_PGID)) {
            final int err = groupSendSigInfo(g, current, sig, info, p, PidRules.PIDTYPE_PGID);
            success |= err == 0;
            retval = err;
        }
        return success ? 0 : retval;
    }

    /** kill_pid_info. */
    public static int killPidInfo(HeapGlobals g, HeapTask current, int sig, HeapKernelSiginfo info, Object pid) {
        for (;;) {
            final int rcu = g.rcu.rcuReadLock();
            final HeapTask p = pid == null ? null : g.signalExterns.pidTask(pid, PidRules.PIDTYPE_PID);
            int error = -Errno.ESRCH;
            if (p != null) {
                error = groupSendSigInfo(g, current, sig, info, p, PidRules.PIDTYPE_TGID);
            }
            g.rcu.rcuReadUnlock(rcu);
            if (p == null || error != -Errno.ESRCH) {
                return error;
            }
        }
    }

    /** kill_proc_info. */
    static int killProcInfo(HeapGlobals g, HeapTask current, int sig, HeapKernelSiginfo info, int nr) {
        final int rcu = g.rcu.rcuReadLock();
        final int error = killPidInfo(g, current, sig, info, g.signalExterns.findVpid(current, nr));
        g.rcu.rcuReadUnlock(rcu);
        return error;
    }

    /** kill_something_info. */
    public static int killSomethingInfo(HeapGlobals g, HeapTask current, int sig, HeapKernelSiginfo info, int pid) {
        if (pid > 0) {
            return killProcInfo(g, current, sig, info, pid);
        }
        if (pid == Integer.MIN_VALUE) {
            return -Errno.ESRCH;
        }
        final HeapSignalExterns x = g.signalExterns;
        int ret;
        g.tasklistLock.readLock().lock();
        try {
            if (pid != -1) {
                ret = __killPgrpInfo(g, current, sig, info, pid != 0 ? x.findVpid(current, -pid) : x.taskPgrp(current));
            } else {
                int retval = 0;
                int count = 0;
                final HeapTask init = x.initTask();
                for (HeapTask p = x.nextTask(init); p != init; p = x.nextTask(p)) {
                    final int vnr = x.taskPidNrNs(p, PidRules.PIDTYPE_PID, x.taskActivePidNs(current));
                    if (vnr > 1 && !HeapSignal.sameThreadGroup(p, current)) {
                        final int err = groupSendSigInfo(g, current, sig, info, p, Limits.PIDTYPE_MAX);
                        ++count;
                        if (err != -Errno.EPERM) {
                            retval = err;
                        }
                    }
                }
                ret = count != 0 ? retval : -Errno.ESRCH;
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        return ret;
    }

    /** send_sig_info. */
    public static int sendSigInfo(HeapGlobals g, HeapTask current, int sig, HeapKernelSiginfo info, HeapTask p) {
        if (!Signals.validSignal(sig)) {
            return -Errno.EINVAL;
        }
        return HeapSignal.doSendSigInfo(g, current, sig, info, p, PidRules.PIDTYPE_PID);
    }

    /** send_sig. */
    public static int sendSig(HeapGlobals g, HeapTask current, int sig, HeapTask p, boolean priv) {
        return sendSigInfo(g, current, sig, priv ? HeapSignal.SEND_SIG_PRIV : HeapSignal.SEND_SIG_NOINFO, p);
    }

    // ---- the parent's exit signal

    /** do_notify_parent: see the off-heap twin; the on-stack siginfo is a new object. */
    public static boolean doNotifyParent(HeapGlobals g, HeapTask tsk, int sig) {
        return doNotifyParent(g, tsk, tsk, sig);
    }

    /** do_notify_parent on behalf of {@code current} (see the off-heap twin: the siginfo's home). */
    public static boolean doNotifyParent(HeapGlobals g, HeapTask current, HeapTask tsk, int sig) {
        if (sig == -1) {
            throw new IllegalArgumentException("do_notify_parent of a thread that autoreaps (exit_signal -1)");
        }
        if ((tsk.state() & (TaskState.__TASK_STOPPED | TaskState.__TASK_TRACED)) != 0
            || (tsk.ptrace == 0 && (tsk.groupLeader != tsk || !HeapSignal.threadGroupEmpty(tsk)))) {
            throw new IllegalStateException("do_notify_parent: the task is stopped, or not the last thread of its group");
        }
        final HeapTask parent = tsk.parent;
        if (sig != SIGCHLD && tsk.parentExecId != parent.selfExecId) {
            sig = SIGCHLD;
        }
        final HeapKernelSiginfo info = new HeapKernelSiginfo();
        info.siSigno = sig;
        final HeapSignalExterns x = g.signalExterns;
        final int rcu = g.rcu.rcuReadLock();
        info.siPid = x.taskPidNrNs(tsk, PidRules.PIDTYPE_PID, x.taskActivePidNs(parent));
        info.siUid = tsk.realCred.uid;
        g.rcu.rcuReadUnlock(rcu);
        info.siUtime = (tsk.utime + tsk.signal.utime) / NSEC_PER_CLOCK_T;
        info.siStime = (tsk.stime + tsk.signal.stime) / NSEC_PER_CLOCK_T;
        final int exitCode = tsk.exitCode;
        info.siStatus = exitCode & 0x7f;
        if ((exitCode & 0x80) != 0) {
            info.siCode = Wait.CLD_DUMPED;
        } else if ((exitCode & 0x7f) != 0) {
            info.siCode = Wait.CLD_KILLED;
        } else {
            info.siCode = Wait.CLD_EXITED;
            info.siStatus = exitCode >> 8;
        }
        final HeapSighandStruct psig = parent.sighand;
        psig.siglock.lock();
        boolean autoreap = false;
        final HeapKSigaction chld = psig.action[SIGCHLD - 1];
        if (tsk.ptrace == 0 && sig == SIGCHLD
            && (chld.saHandler == SIG_IGN || (chld.saFlags & Signals.SA_NOCLDWAIT) != 0)) {
            autoreap = true;
            if (chld.saHandler == SIG_IGN) {
                sig = 0;
            }
        }
        if (Signals.validSignal(sig) && sig != 0) {
            HeapSignal.__sendSignal(g, tsk, sig, info, parent, PidRules.PIDTYPE_TGID, false);
        }
        x.wakeUpParent(tsk, parent);
        psig.siglock.unlock();
        return autoreap;
    }

    // ---- system calls

    /** sys_kill. */
    public static int sysKill(HeapGlobals g, HeapTask current, int pid, int sig) {
        final HeapKernelSiginfo info = new HeapKernelSiginfo();
        info.siSigno = sig;
        info.siCode = Signals.SI_USER;
        final HeapSignalExterns x = g.signalExterns;
        info.siPid = x.taskPidNrNs(current, PidRules.PIDTYPE_TGID, x.taskActivePidNs(current));
        info.siUid = current.cred.uid;
        return killSomethingInfo(g, current, sig, info, pid);
    }

    /** do_sigaction with k_sigaction objects ({@code act}, {@code oact} may be null). */
    public static int doSigaction(HeapGlobals g, HeapTask current, int sig, HeapKSigaction act, HeapKSigaction oact) {
        if (act == null) {
            return doSigaction(g, current, sig, false, 0, 0, 0, 0, oact);
        }
        return doSigaction(g, current, sig, true, act.saHandler, act.saFlags, act.saRestorer, act.saMask, oact);
    }

    /** do_sigaction: see the off-heap twin. */
    public static int doSigaction(HeapGlobals g, HeapTask current, int sig, boolean hasAct, long handler, long flags,
                                  long restorer, long mask, HeapKSigaction oact) {
        if (!Signals.validSignal(sig) || sig < 1 || (hasAct && Signals.sigKernelOnly(sig))) {
            return -Errno.EINVAL;
        }
        final HeapTask p = current;
        final HeapSighandStruct sighand = p.sighand;
        final HeapKSigaction k = sighand.action[sig - 1];
        sighand.siglock.lock();
        if (oact != null) {
            oact.copyFrom(k);
            oact.saFlags &= Signals.UAPI_SA_FLAGS;
        }
        if (hasAct) {
            k.saHandler = handler;
            k.saFlags = flags & Signals.UAPI_SA_FLAGS;
            k.saRestorer = restorer;
            k.saMask = mask & ~Signals.SIG_KERNEL_ONLY_MASK;
            if (Signals.sigHandlerIgnored(HeapSignal.sigHandler(p, sig), sig)) {
                final long m = Signals.rtSigmask(sig);
                final HeapSignalStruct signal = p.signal;
                HeapSignal.flushSigqueueMask(g, m, signal.sharedPending);
                for (HeapTask t = HeapSignal.firstThread(signal); t != null; t = HeapSignal.nextThreadNode(signal, t)) {
                    HeapSignal.flushSigqueueMask(g, m, t.pending);
                }
            }
        }
        sighand.siglock.unlock();
        return 0;
    }
}
