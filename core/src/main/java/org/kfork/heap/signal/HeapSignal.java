package org.kfork.heap.signal;

import static org.kfork.uapi.Signals.SIGCONT;
import static org.kfork.uapi.Signals.SIGKILL;
import static org.kfork.uapi.Signals.SIGRTMIN;
import static org.kfork.uapi.Signals.SIG_DFL;
import static org.kfork.uapi.Signals.SIG_IGN;
import static org.kfork.uapi.Signals.sigaddset;
import static org.kfork.uapi.Signals.sigismember;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.cred.HeapUserStruct;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.fork.HeapTask;
import org.kfork.pid.PidRules;
import org.kfork.sched.Jobctl;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;

/**
 * The heap twin of org.kfork.kernel.signal.Signal: kernel/signal.c (5.12), the part fork, exit and
 * wait need (the entry points are in {@link HeapSignalCalls}), over {@link HeapTask}, {@link HeapSighandStruct}, {@link HeapSignalStruct} and
 * {@link HeapSigqueue}, with the same steps in the same order and the same invariants (see the
 * off-heap class). The special siginfo pointers are the sentinels {@link #SEND_SIG_NOINFO} and
 * {@link #SEND_SIG_PRIV}; a system call's on-stack siginfo is a new object.
 */
public final class HeapSignal {
    /** SEND_SIG_NOINFO: "sent by kill from user space", compared by identity. */
    public static final HeapKernelSiginfo SEND_SIG_NOINFO = new HeapKernelSiginfo();
    /** SEND_SIG_PRIV: "sent by the kernel", compared by identity. */
    public static final HeapKernelSiginfo SEND_SIG_PRIV = new HeapKernelSiginfo();
    /** sigqueue.flags: a POSIX timer's preallocated sigqueue. */
    public static final int SIGQUEUE_PREALLOC = 1;

    private HeapSignal() {
    }

    /** signals_init: the sigqueue kind. */
    public static int signalsInit(HeapGlobals g) {
        return g.kind("sigqueue");
    }

    // ---- the fields signal.c reads through a task

    /** same_thread_group. */
    static boolean sameThreadGroup(HeapTask p1, HeapTask p2) {
        return p1.signal == p2.signal;
    }

    /** is_global_init. */
    public static boolean isGlobalInit(HeapTask t) {
        return t.tgid == 1;
    }

    /** next_thread. */
    public static HeapTask nextThread(HeapTask p) {
        return ((HeapTask.Link) p.threadGroup.next()).task;
    }

    /** thread_group_empty. */
    public static boolean threadGroupEmpty(HeapTask p) {
        return HeapIntrusiveList.listEmpty(p.threadGroup);
    }

    /** The first task of for_each_thread, or null. */
    public static HeapTask firstThread(HeapSignalStruct sig) {
        HeapIntrusiveList n = sig.threadHead.next();
        return n == sig.threadHead ? null : ((HeapTask.Link) n).task;
    }

    /** The task after {@code t} in for_each_thread, or null. */
    public static HeapTask nextThreadNode(HeapSignalStruct sig, HeapTask t) {
        HeapIntrusiveList n = t.threadNode.next();
        return n == sig.threadHead ? null : ((HeapTask.Link) n).task;
    }

    /** task_rlimit. */
    public static long taskRlimit(HeapTask t, int limit) {
        return t.signal.rlimCur[limit];
    }

    /** task_sigpending. */
    public static boolean taskSigpending(HeapTask p) {
        return p.testTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
    }

    /** signal_pending (see the off-heap twin: no TIF_NOTIFY_SIGNAL without io_uring). */
    public static boolean signalPending(HeapTask p) {
        return taskSigpending(p);
    }

    /** __fatal_signal_pending. */
    public static boolean __fatalSignalPending(HeapTask p) {
        return sigismember(p.pending.signal, SIGKILL);
    }

    /** fatal_signal_pending. */
    public static boolean fatalSignalPending(HeapTask p) {
        return taskSigpending(p) && __fatalSignalPending(p);
    }

    // ---- ignored signals

    /** sig_handler. */
    static long sigHandler(HeapTask t, int sig) {
        return t.sighand.action[sig - 1].saHandler;
    }

    /** sig_task_ignored. */
    static boolean sigTaskIgnored(HeapTask t, int sig, boolean force) {
        final long handler = sigHandler(t, sig);
        if (isGlobalInit(t) && Signals.sigKernelOnly(sig)) {
            return true;
        }
        if ((t.signal.flags & SignalFlags.SIGNAL_UNKILLABLE) != 0 && handler == SIG_DFL
            && !(force && Signals.sigKernelOnly(sig))) {
            return true;
        }
        if ((t.flags & TaskFlags.PF_KTHREAD) != 0 && handler == Signals.SIG_KTHREAD_KERNEL && !force) {
            return true;
        }
        return Signals.sigHandlerIgnored(handler, sig);
    }

    /** sig_ignored. */
    static boolean sigIgnored(HeapTask t, int sig, boolean force) {
        if (sigismember(t.blocked, sig) || sigismember(t.realBlocked, sig)) {
            return false;
        }
        if (t.ptrace != 0 && sig != SIGKILL) {
            return false;
        }
        return sigTaskIgnored(t, sig, force);
    }

    // ---- TIF_SIGPENDING

    /** has_pending_signals. */
    static boolean hasPendingSignals(long signal, long blocked) {
        return (signal & ~blocked) != 0;
    }

    /** recalc_sigpending_tsk. */
    static boolean recalcSigpendingTsk(HeapTask t) {
        if ((t.jobctl & (Jobctl.JOBCTL_PENDING_MASK | Jobctl.JOBCTL_TRAP_FREEZE)) != 0
            || hasPendingSignals(t.pending.signal, t.blocked)
            || hasPendingSignals(t.signal.sharedPending.signal, t.blocked)) {
            t.setTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
            return true;
        }
        return false;
    }

    /** recalc_sigpending_and_wake. */
    public static void recalcSigpendingAndWake(HeapGlobals g, HeapTask t) {
        if (recalcSigpendingTsk(t)) {
            signalWakeUp(g, t, false);
        }
    }

    /** recalc_sigpending. */
    public static void recalcSigpending(HeapTask current) {
        if (!recalcSigpendingTsk(current)) {
            current.clearTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
        }
    }

    /** calculate_sigpending. */
    public static void calculateSigpending(HeapTask current) {
        final HeapSighandStruct sighand = current.sighand;
        sighand.siglock.lock();
        current.setTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
        recalcSigpending(current);
        sighand.siglock.unlock();
    }

    // ---- job control bits

    /** task_clear_jobctl_trapping. */
    static void taskClearJobctlTrapping(HeapTask task) {
        if ((task.jobctl & Jobctl.JOBCTL_TRAPPING) != 0) {
            task.jobctl &= ~Jobctl.JOBCTL_TRAPPING;
        }
    }

    /** task_clear_jobctl_pending. */
    static void taskClearJobctlPending(HeapTask task, long mask) {
        if ((mask & Jobctl.JOBCTL_STOP_PENDING) != 0) {
            mask |= Jobctl.JOBCTL_STOP_CONSUME | Jobctl.JOBCTL_STOP_DEQUEUED;
        }
        task.jobctl &= ~mask;
        if ((task.jobctl & Jobctl.JOBCTL_TRAP_MASK) == 0) {
            taskClearJobctlTrapping(task);
        }
    }

    // ---- sigqueues

    /** __sigqueue_alloc. */
    static HeapSigqueue __sigqueueAlloc(HeapGlobals g, int sig, HeapTask t, boolean overrideRlimit) {
        final int rcu = g.rcu.rcuReadLock();
        final HeapUserStruct user = t.realCred.user;
        final int sigpending = user.sigpending.incrementAndGet();
        if (sigpending == 1) {
            user.count.inc(); // get_uid
        }
        g.rcu.rcuReadUnlock(rcu);
        HeapSigqueue q = null;
        if (overrideRlimit || Long.compareUnsigned(sigpending, taskRlimit(t, Resource.RLIMIT_SIGPENDING)) <= 0) {
            q = g.alloc(g.sigqueueKind) ? new HeapSigqueue() : null;
        }
        if (q == null) {
            if (user.sigpending.getAndDecrement() == 1) {
                g.signalExterns.freeUid(user);
            }
        } else {
            HeapIntrusiveList.init(q);
            q.flags = 0;
            q.user = user;
        }
        return q;
    }

    /** __sigqueue_free. */
    static void __sigqueueFree(HeapGlobals g, HeapSigqueue q) {
        if ((q.flags & SIGQUEUE_PREALLOC) != 0) {
            return;
        }
        if (q.user.sigpending.getAndDecrement() == 1) {
            g.signalExterns.freeUid(q.user);
        }
        g.free(g.sigqueueKind);
    }

    /** flush_sigqueue. */
    public static void flushSigqueue(HeapGlobals g, HeapSigpending queue) {
        queue.signal = 0;
        while (!HeapIntrusiveList.listEmpty(queue.list)) {
            final HeapSigqueue q = (HeapSigqueue) queue.list.next();
            HeapIntrusiveList.listDelInit(q);
            __sigqueueFree(g, q);
        }
    }

    /** flush_signals. */
    public static void flushSignals(HeapGlobals g, HeapTask t) {
        final HeapSighandStruct sighand = t.sighand;
        sighand.siglock.lock();
        t.clearTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
        flushSigqueue(g, t.pending);
        flushSigqueue(g, t.signal.sharedPending);
        sighand.siglock.unlock();
    }

    /** flush_signal_handlers. */
    public static void flushSignalHandlers(HeapTask t, boolean forceDefault) {
        for (HeapKSigaction ka : t.sighand.action) {
            if (forceDefault || ka.saHandler != SIG_IGN) {
                ka.saHandler = SIG_DFL;
            }
            ka.saFlags = 0;
            ka.saRestorer = 0;
            ka.saMask = 0;
        }
    }

    /** signal_wake_up_state. */
    static void signalWakeUpState(HeapGlobals g, HeapTask t, int state) {
        t.setTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
        g.signalExterns.wakeUpState(t, state | TaskState.TASK_INTERRUPTIBLE);
        g.idleKick.kick(); // kick_process (see the off-heap twin)
    }

    /** signal_wake_up. */
    static void signalWakeUp(HeapGlobals g, HeapTask t, boolean resume) {
        signalWakeUpState(g, t, resume ? TaskState.TASK_WAKEKILL : 0);
    }

    /** flush_sigqueue_mask. */
    static void flushSigqueueMask(HeapGlobals g, long mask, HeapSigpending s) {
        if ((mask & s.signal) == 0) {
            return;
        }
        s.signal &= ~mask;
        HeapIntrusiveList pos = s.list.next();
        while (pos != s.list) {
            final HeapIntrusiveList next = pos.next();
            final HeapSigqueue q = (HeapSigqueue) pos;
            if (sigismember(mask, q.info.siSigno)) {
                HeapIntrusiveList.listDelInit(q);
                __sigqueueFree(g, q);
            }
            pos = next;
        }
    }

    /** is_si_special. */
    static boolean isSiSpecial(HeapKernelSiginfo info) {
        return info == SEND_SIG_NOINFO || info == SEND_SIG_PRIV;
    }

    // ---- generating a signal

    /** prepare_signal. */
    static boolean prepareSignal(HeapGlobals g, int sig, HeapTask p, boolean force) {
        final HeapSignalStruct signal = p.signal;
        final int flags = signal.flags;
        if ((flags & (SignalFlags.SIGNAL_GROUP_EXIT | SignalFlags.SIGNAL_GROUP_COREDUMP)) != 0) {
            if ((flags & SignalFlags.SIGNAL_GROUP_EXIT) == 0) {
                return sig == SIGKILL;
            }
        } else if (Signals.sigKernelStop(sig)) {
            final long flush = Signals.rtSigmask(SIGCONT);
            flushSigqueueMask(g, flush, signal.sharedPending);
            for (HeapTask t = firstThread(signal); t != null; t = nextThreadNode(signal, t)) {
                flushSigqueueMask(g, flush, t.pending);
            }
        } else if (sig == SIGCONT) {
            final long flush = Signals.SIG_KERNEL_STOP_MASK;
            flushSigqueueMask(g, flush, signal.sharedPending);
            for (HeapTask t = firstThread(signal); t != null; t = nextThreadNode(signal, t)) {
                flushSigqueueMask(g, flush, t.pending);
                taskClearJobctlPending(t, Jobctl.JOBCTL_STOP_PENDING);
                g.signalExterns.wakeUpState(t, TaskState.__TASK_STOPPED);
            }
            int why = 0;
            if ((flags & SignalFlags.SIGNAL_STOP_STOPPED) != 0) {
                why |= SignalFlags.SIGNAL_CLD_CONTINUED;
            } else if (signal.groupStopCount != 0) {
                why |= SignalFlags.SIGNAL_CLD_STOPPED;
            }
            if (why != 0) {
                signal.flags = (flags & ~SignalFlags.SIGNAL_STOP_MASK) | why | SignalFlags.SIGNAL_STOP_CONTINUED;
                signal.groupStopCount = 0;
                signal.groupExitCode = 0;
            }
        }
        return !sigIgnored(p, sig, force);
    }

    /** wants_signal. */
    static boolean wantsSignal(HeapGlobals g, int sig, HeapTask p) {
        if (sigismember(p.blocked, sig)) {
            return false;
        }
        if ((p.flags & TaskFlags.PF_EXITING) != 0) {
            return false;
        }
        if (sig == SIGKILL) {
            return true;
        }
        if ((p.state() & (TaskState.__TASK_STOPPED | TaskState.__TASK_TRACED)) != 0) {
            return false;
        }
        return g.signalExterns.taskCurr(p) || !taskSigpending(p);
    }

    /** complete_signal. */
    static void completeSignal(HeapGlobals g, int sig, HeapTask p, int type) {
        final HeapSignalStruct signal = p.signal;
        HeapTask t;
        if (wantsSignal(g, sig, p)) {
            t = p;
        } else if (type == PidRules.PIDTYPE_PID || threadGroupEmpty(p)) {
            return;
        } else {
            final HeapTask currTarget = signal.currTarget;
            t = currTarget;
            while (!wantsSignal(g, sig, t)) {
                t = nextThread(t);
                if (t == currTarget) {
                    return;
                }
            }
            signal.currTarget = t;
        }
        if (Signals.sigFatal(sigHandler(p, sig), sig)
            && (signal.flags & SignalFlags.SIGNAL_GROUP_EXIT) == 0
            && !sigismember(t.realBlocked, sig)
            && (sig == SIGKILL || p.ptrace == 0)) {
            if (!Signals.sigKernelCoredump(sig)) {
                signal.flags = SignalFlags.SIGNAL_GROUP_EXIT;
                signal.groupExitCode = sig;
                signal.groupStopCount = 0;
                t = p;
                do {
                    taskClearJobctlPending(t, Jobctl.JOBCTL_PENDING_MASK);
                    t.pending.signal = sigaddset(t.pending.signal, SIGKILL);
                    signalWakeUp(g, t, true);
                } while ((t = nextThread(t)) != p);
                return;
            }
        }
        signalWakeUp(g, t, sig == SIGKILL);
    }

    /** legacy_queue. */
    static boolean legacyQueue(HeapSigpending signals, int sig) {
        return sig < SIGRTMIN && sigismember(signals.signal, sig);
    }

    /** __send_signal. */
    static int __sendSignal(HeapGlobals g, HeapTask current, int sig, HeapKernelSiginfo info, HeapTask t, int type,
                            boolean force) {
        t.sighand.siglock.assertHeld();
        if (!prepareSignal(g, sig, t, force)) {
            return 0;
        }
        final HeapSigpending pending = type != PidRules.PIDTYPE_PID ? t.signal.sharedPending : t.pending;
        if (legacyQueue(pending, sig)) {
            return 0;
        }
        if (sig != SIGKILL && (t.flags & TaskFlags.PF_KTHREAD) == 0) {
            final boolean overrideRlimit = sig < SIGRTMIN && (isSiSpecial(info) || info.siCode >= 0);
            final HeapSigqueue q = __sigqueueAlloc(g, sig, t, overrideRlimit);
            if (q != null) {
                HeapIntrusiveList.listAddTail(q, pending.list);
                final HeapKernelSiginfo qi = q.info;
                if (info == SEND_SIG_NOINFO) {
                    qi.clear();
                    qi.siSigno = sig;
                    qi.siCode = Signals.SI_USER;
                    final HeapSignalExterns x = g.signalExterns;
                    qi.siPid = x.taskPidNrNs(current, PidRules.PIDTYPE_TGID, x.taskActivePidNs(t));
                    final int rcu = g.rcu.rcuReadLock();
                    qi.siUid = current.cred.uid;
                    g.rcu.rcuReadUnlock(rcu);
                } else if (info == SEND_SIG_PRIV) {
                    qi.clear();
                    qi.siSigno = sig;
                    qi.siCode = Signals.SI_KERNEL;
                } else {
                    qi.copyFrom(info);
                }
            } else if (!isSiSpecial(info) && sig >= SIGRTMIN && info.siCode != Signals.SI_USER) {
                return -Errno.EAGAIN;
            }
        }
        pending.signal = sigaddset(pending.signal, sig);
        if (type > PidRules.PIDTYPE_TGID) {
            for (HeapHList.Node n = t.signal.multiprocess.first(); n != null; n = n.next()) {
                final HeapMultiprocessSignals delayed = (HeapMultiprocessSignals) n;
                long s = delayed.signal;
                if (sig == SIGCONT) {
                    s &= ~Signals.SIG_KERNEL_STOP_MASK;
                } else if (Signals.sigKernelStop(sig)) {
                    s = Signals.sigdelset(s, SIGCONT);
                }
                delayed.signal = sigaddset(s, sig);
            }
        }
        completeSignal(g, sig, t, type);
        return 0;
    }

    /** send_signal. */
    static int sendSignal(HeapGlobals g, HeapTask current, int sig, HeapKernelSiginfo info, HeapTask t, int type) {
        boolean force = false;
        final HeapSignalExterns x = g.signalExterns;
        if (info == SEND_SIG_NOINFO) {
            force = x.taskPidNrNs(current, PidRules.PIDTYPE_PID, x.taskActivePidNs(t)) == 0;
        } else if (info == SEND_SIG_PRIV) {
            force = true;
        } else if (Signals.hasSiPidAndUid(info.siSigno, info.siCode)) {
            force = info.siCode == Signals.SI_KERNEL;
            if (x.taskPidNrNs(current, PidRules.PIDTYPE_PID, x.taskActivePidNs(t)) == 0) {
                info.siPid = 0;
                force = true;
            }
        }
        return __sendSignal(g, current, sig, info, t, type, force);
    }

    /** do_send_sig_info. */
    public static int doSendSigInfo(HeapGlobals g, HeapTask current, int sig, HeapKernelSiginfo info, HeapTask p,
                                    int type) {
        final HeapSighandStruct sighand = lockTaskSighand(g, p);
        if (sighand == null) {
            return -Errno.ESRCH;
        }
        final int ret = sendSignal(g, current, sig, info, p, type);
        sighand.siglock.unlock();
        return ret;
    }

    /** zap_other_threads. */
    public static int zapOtherThreads(HeapGlobals g, HeapTask p) {
        p.signal.groupStopCount = 0;
        int count = 0;
        for (HeapTask t = nextThread(p); t != p; t = nextThread(t)) {
            taskClearJobctlPending(t, Jobctl.JOBCTL_PENDING_MASK);
            count++;
            if (t.exitState != 0) {
                continue;
            }
            t.pending.signal = sigaddset(t.pending.signal, SIGKILL);
            signalWakeUp(g, t, true);
        }
        return count;
    }

    /** __lock_task_sighand / lock_task_sighand. */
    public static HeapSighandStruct lockTaskSighand(HeapGlobals g, HeapTask tsk) {
        final int rcu = g.rcu.rcuReadLock();
        HeapSighandStruct sighand;
        for (;;) {
            sighand = tsk.sighand;
            if (sighand == null) {
                break;
            }
            sighand.siglock.lock();
            if (sighand == tsk.sighand) {
                break;
            }
            sighand.siglock.unlock();
        }
        g.rcu.rcuReadUnlock(rcu);
        return sighand;
    }

    /** unlock_task_sighand. */
    public static void unlockTaskSighand(HeapTask tsk) {
        tsk.sighand.siglock.unlock();
    }

}
