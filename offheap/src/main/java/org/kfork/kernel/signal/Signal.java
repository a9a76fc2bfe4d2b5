package org.kfork.kernel.signal;

import static org.kfork.uapi.Signals.SIGCONT;
import static org.kfork.uapi.Signals.SIGKILL;
import static org.kfork.uapi.Signals.SIGRTMIN;
import static org.kfork.uapi.Signals.SIG_DFL;
import static org.kfork.uapi.Signals.SIG_IGN;
import static org.kfork.uapi.Signals.sigaddset;
import static org.kfork.uapi.Signals.sigismember;

import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.ds.HList;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Refcount;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.KSigaction;
import org.kfork.kernel.struct.KernelSiginfo;
import org.kfork.kernel.struct.MultiprocessSignals;
import org.kfork.kernel.struct.Rlimit;
import org.kfork.kernel.struct.Sigaction;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.Sigqueue;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.ThreadInfo;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.machine.Mem;
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
 * kernel/signal.c (5.12), the part fork, exit and wait need, off-heap: the pending sets and their
 * sigqueues, TIF_SIGPENDING, generating a signal (prepare_signal, __send_signal, complete_signal
 * with its choice of thread and its group-exit path), lock_task_sighand, zap_other_threads and
 * flush_signal_handlers. The entry points that send on someone's behalf (kill and its permission
 * check, send_sig, do_notify_parent, do_sigaction) are in {@link SignalCalls}.
 *
 * <p>Invariants kept, as in 5.12:
 * <ul>
 *   <li>Every pending set and sigqueue list, every sighand action and the group-exit state of a
 *       signal_struct change only under that thread group's sighand->siglock (a real spinlock).</li>
 *   <li>A sigqueue on a pending list holds one count of its user's sigpending; the user_struct
 *       holds a reference while that count is above zero. SIGKILL and a kernel thread's signals
 *       never queue one; a standard signal queues at most one (legacy_queue).</li>
 *   <li>TIF_SIGPENDING is set whenever an unblocked signal (or a pending job-control trap) is
 *       pending; only the task itself clears it (recalc_sigpending).</li>
 *   <li>A fatal signal to a thread group with a default action marks the group
 *       (SIGNAL_GROUP_EXIT, group_exit_code = sig) and puts SIGKILL in every thread's own
 *       pending set at once.</li>
 * </ul>
 *
 * <p>The functions of other files it calls go through {@link SignalExterns}
 * ({@code g.signalExterns}). Not modelled: ptrace (t->ptrace is always 0 here), group stop and
 * its parent notification, signalfd, the real-time signal queue limits of sigqueue(2), pidfd
 * poll waiters (no poll), audit and LSM hooks (none in the model).
 */
public final class Signal {
    /** SEND_SIG_NOINFO: a kernel_siginfo pointer meaning "sent by kill from user space". */
    public static final long SEND_SIG_NOINFO = 0;
    /** SEND_SIG_PRIV: a kernel_siginfo pointer meaning "sent by the kernel". */
    public static final long SEND_SIG_PRIV = 1;
    /** sigqueue.flags: the sigqueue belongs to a POSIX timer and is not freed with its signal. */
    public static final int SIGQUEUE_PREALLOC = 1;

    private Signal() {
    }

    /** signals_init: the sigqueue cache, KMEM_CACHE(sigqueue, SLAB_PANIC). */
    public static KmemCache signalsInit(Kmem kmem) {
        return kmem.slabs().create("sigqueue", (int) Sigqueue.SIZEOF, (int) Sigqueue.ALIGNOF, SlabFlags.SLAB_PANIC,
            null);
    }

    // ---- the fields signal.c reads through a task

    /** tsk->sighand (rcu_dereference): 0 once the task was released. */
    public static long sighand(long t) {
        return Mem.getLongAcquire(t + TaskStruct.SIGHAND);
    }

    /** tsk->signal. */
    public static long signal(long t) {
        return Mem.getLong(t + TaskStruct.SIGNAL);
    }

    /** &sighand->action[sig - 1].sa. */
    static long action(long sighand, int sig) {
        return sighand + SighandStruct.ACTION + (sig - 1) * KSigaction.SIZEOF + KSigaction.SA;
    }

    private static int signalFlags(long sig) {
        return Mem.getInt(sig + SignalStruct.FLAGS);
    }

    /** is_global_init: the thread group whose tgid is 1. */
    public static boolean isGlobalInit(long t) {
        return Mem.getInt(t + TaskStruct.TGID) == 1;
    }

    /** same_thread_group. */
    static boolean sameThreadGroup(long p1, long p2) {
        return signal(p1) == signal(p2);
    }

    /** next_thread: the next task on p's thread_group list. */
    public static long nextThread(long p) {
        return IntrusiveList.nextRcu(p + TaskStruct.THREAD_GROUP) - TaskStruct.THREAD_GROUP;
    }

    /** thread_group_empty. */
    public static boolean threadGroupEmpty(long p) {
        return IntrusiveList.empty(p + TaskStruct.THREAD_GROUP);
    }

    /** The first task of for_each_thread (signal->thread_head through thread_node), or 0 at the end. */
    public static long firstThread(long sig) {
        long n = IntrusiveList.nextRcu(sig + SignalStruct.THREAD_HEAD);
        return n == sig + SignalStruct.THREAD_HEAD ? 0 : n - TaskStruct.THREAD_NODE;
    }

    /** The task after {@code t} in for_each_thread, or 0 at the end. */
    public static long nextThreadNode(long sig, long t) {
        long n = IntrusiveList.nextRcu(t + TaskStruct.THREAD_NODE);
        return n == sig + SignalStruct.THREAD_HEAD ? 0 : n - TaskStruct.THREAD_NODE;
    }

    /** task_rlimit: READ_ONCE(tsk->signal->rlim[limit].rlim_cur). */
    public static long taskRlimit(long t, int limit) {
        return Mem.getLongVolatile(signal(t) + SignalStruct.RLIM + limit * Rlimit.SIZEOF + Rlimit.RLIM_CUR);
    }

    /** set_tsk_thread_flag: an atomic set_bit on thread_info.flags. */
    static void setTskThreadFlag(long t, int flag) {
        final long addr = t + TaskStruct.THREAD_INFO + ThreadInfo.FLAGS;
        for (;;) {
            long old = Mem.getLongVolatile(addr);
            if ((old & (1L << flag)) != 0 || Mem.compareAndSetLong(addr, old, old | (1L << flag))) {
                return;
            }
        }
    }

    /** clear_tsk_thread_flag: an atomic clear_bit on thread_info.flags. */
    static void clearTskThreadFlag(long t, int flag) {
        final long addr = t + TaskStruct.THREAD_INFO + ThreadInfo.FLAGS;
        for (;;) {
            long old = Mem.getLongVolatile(addr);
            if ((old & (1L << flag)) == 0 || Mem.compareAndSetLong(addr, old, old & ~(1L << flag))) {
                return;
            }
        }
    }

    /** test_tsk_thread_flag. */
    static boolean testTskThreadFlag(long t, int flag) {
        return (Mem.getLongVolatile(t + TaskStruct.THREAD_INFO + ThreadInfo.FLAGS) & (1L << flag)) != 0;
    }

    /** task_sigpending: TIF_SIGPENDING. */
    public static boolean taskSigpending(long p) {
        return testTskThreadFlag(p, ThreadInfoFlags.TIF_SIGPENDING);
    }

    /**
     * signal_pending: TIF_SIGPENDING. (5.12 also answers true for TIF_NOTIFY_SIGNAL, which only
     * io_uring's task_work sets; the model has no io_uring.)
     */
    public static boolean signalPending(long p) {
        return taskSigpending(p);
    }

    /** __fatal_signal_pending: SIGKILL in the task's own pending set. */
    public static boolean __fatalSignalPending(long p) {
        return sigismember(Mem.getLongVolatile(p + TaskStruct.PENDING + Sigpending.SIGNAL), SIGKILL);
    }

    /** fatal_signal_pending. */
    public static boolean fatalSignalPending(long p) {
        return taskSigpending(p) && __fatalSignalPending(p);
    }

    // ---- ignored signals

    /** sig_handler: t's handler for sig. */
    static long sigHandler(long t, int sig) {
        return Mem.getLong(action(sighand(t), sig) + Sigaction.SA_HANDLER);
    }

    /** sig_task_ignored: whether t discards sig at generation, blocked or not. */
    static boolean sigTaskIgnored(long t, int sig, boolean force) {
        final long handler = sigHandler(t, sig);
        // SIGKILL and SIGSTOP may not be sent to the global init
        if (isGlobalInit(t) && Signals.sigKernelOnly(sig)) {
            return true;
        }
        if ((signalFlags(signal(t)) & SignalFlags.SIGNAL_UNKILLABLE) != 0 && handler == SIG_DFL
            && !(force && Signals.sigKernelOnly(sig))) {
            return true;
        }
        // only signals the kernel generates reach a kthread that asked for SIG_KTHREAD_KERNEL
        if ((Mem.getInt(t + TaskStruct.FLAGS) & TaskFlags.PF_KTHREAD) != 0
            && handler == Signals.SIG_KTHREAD_KERNEL && !force) {
            return true;
        }
        return Signals.sigHandlerIgnored(handler, sig);
    }

    /** sig_ignored: blocked signals are never ignored (the handler may change before they are unblocked). */
    static boolean sigIgnored(long t, int sig, boolean force) {
        if (sigismember(Mem.getLong(t + TaskStruct.BLOCKED), sig)
            || sigismember(Mem.getLong(t + TaskStruct.REAL_BLOCKED), sig)) {
            return false;
        }
        // a tracer wants to see even ignored signals, SIGKILL excepted
        if (Mem.getInt(t + TaskStruct.PTRACE) != 0 && sig != SIGKILL) {
            return false;
        }
        return sigTaskIgnored(t, sig, force);
    }

    // ---- TIF_SIGPENDING

    /** has_pending_signals: any bit of the pending set not blocked (one word on x86_64). */
    static boolean hasPendingSignals(long signal, long blocked) {
        return (signal & ~blocked) != 0;
    }

    /**
     * recalc_sigpending_tsk: sets TIF_SIGPENDING when a job-control trap or an unblocked signal
     * (own or shared) is pending; never clears it (the caller knows when it may).
     */
    static boolean recalcSigpendingTsk(long t) {
        final long blocked = Mem.getLong(t + TaskStruct.BLOCKED);
        if ((Mem.getLong(t + TaskStruct.JOBCTL) & (Jobctl.JOBCTL_PENDING_MASK | Jobctl.JOBCTL_TRAP_FREEZE)) != 0
            || hasPendingSignals(Mem.getLong(t + TaskStruct.PENDING + Sigpending.SIGNAL), blocked)
            || hasPendingSignals(Mem.getLong(signal(t) + SignalStruct.SHARED_PENDING + Sigpending.SIGNAL), blocked)) {
            setTskThreadFlag(t, ThreadInfoFlags.TIF_SIGPENDING);
            return true;
        }
        return false;
    }

    /** recalc_sigpending_and_wake: after a change of t's blocked set, make sure t notices. */
    public static void recalcSigpendingAndWake(Globals g, long t) {
        if (recalcSigpendingTsk(t)) {
            signalWakeUp(g, t, false);
        }
    }

    /** recalc_sigpending: current's TIF_SIGPENDING, cleared when nothing is pending (siglock held). */
    public static void recalcSigpending(long current) {
        if (!recalcSigpendingTsk(current)) {
            clearTskThreadFlag(current, ThreadInfoFlags.TIF_SIGPENDING);
        }
    }

    /** calculate_sigpending: a new task's first look at what was sent to it during the fork. */
    public static void calculateSigpending(long current) {
        final long siglock = sighand(current) + SighandStruct.SIGLOCK;
        Spinlock.lock(siglock);
        setTskThreadFlag(current, ThreadInfoFlags.TIF_SIGPENDING);
        recalcSigpending(current);
        Spinlock.unlock(siglock);
    }

    // ---- job control bits

    /** task_clear_jobctl_trapping: no tracer waits in the model, so clearing the bit is all. */
    static void taskClearJobctlTrapping(long task) {
        final long jobctl = Mem.getLong(task + TaskStruct.JOBCTL);
        if ((jobctl & Jobctl.JOBCTL_TRAPPING) != 0) {
            Mem.putLong(task + TaskStruct.JOBCTL, jobctl & ~Jobctl.JOBCTL_TRAPPING);
        }
    }

    /** task_clear_jobctl_pending: clears the mask (a cleared stop also drops its consume and dequeue bits). */
    static void taskClearJobctlPending(long task, long mask) {
        if ((mask & Jobctl.JOBCTL_STOP_PENDING) != 0) {
            mask |= Jobctl.JOBCTL_STOP_CONSUME | Jobctl.JOBCTL_STOP_DEQUEUED;
        }
        final long jobctl = Mem.getLong(task + TaskStruct.JOBCTL) & ~mask;
        Mem.putLong(task + TaskStruct.JOBCTL, jobctl);
        if ((jobctl & Jobctl.JOBCTL_TRAP_MASK) == 0) {
            taskClearJobctlTrapping(task);
        }
    }

    // ---- sigqueues

    /**
     * __sigqueue_alloc: a sigqueue charged to t's real user, or 0. The user's sigpending count
     * goes up first (with a reference on the user when it leaves 0); past RLIMIT_SIGPENDING,
     * unless {@code overrideRlimit}, or when the cache has no object, the count goes back down.
     */
    static long __sigqueueAlloc(Globals g, int sig, long t, boolean overrideRlimit) {
        final int rcu = g.rcu.rcuReadLock();
        final long user = Mem.getLong(Mem.getLong(t + TaskStruct.REAL_CRED) + Cred.USER);
        final int sigpending = Mem.getAndAddInt(user + UserStruct.SIGPENDING, 1) + 1;
        if (sigpending == 1) {
            Refcount.inc(user + UserStruct.__COUNT, "user_struct.__count"); // get_uid
        }
        g.rcu.rcuReadUnlock(rcu);
        long q = 0;
        if (overrideRlimit
            || Long.compareUnsigned(sigpending, taskRlimit(t, Resource.RLIMIT_SIGPENDING)) <= 0) {
            q = g.alloc(g.sigqueueCachep);
        }
        // else print_dropped_signal: silent unless print-fatal-signals, which the model leaves off
        if (q == 0) {
            if (Mem.getAndAddInt(user + UserStruct.SIGPENDING, -1) == 1) {
                g.signalExterns.freeUid(user);
            }
        } else {
            IntrusiveList.init(q + Sigqueue.LIST);
            Mem.putInt(q + Sigqueue.FLAGS, 0);
            Mem.putLong(q + Sigqueue.USER, user);
        }
        return q;
    }

    /** __sigqueue_free: uncharges the user (dropping its reference at 0) and frees q, unless preallocated. */
    static void __sigqueueFree(Globals g, long q) {
        if ((Mem.getInt(q + Sigqueue.FLAGS) & SIGQUEUE_PREALLOC) != 0) {
            return;
        }
        final long user = Mem.getLong(q + Sigqueue.USER);
        if (Mem.getAndAddInt(user + UserStruct.SIGPENDING, -1) == 1) {
            g.signalExterns.freeUid(user);
        }
        g.free(g.sigqueueCachep, q);
    }

    /** flush_sigqueue: empties a pending set and frees its queue (siglock held or the set unreachable). */
    public static void flushSigqueue(Globals g, long queue) {
        Mem.putLong(queue + Sigpending.SIGNAL, 0);
        final long head = queue + Sigpending.LIST;
        while (!IntrusiveList.empty(head)) {
            final long q = IntrusiveList.next(head) - Sigqueue.LIST;
            IntrusiveList.delInit(q + Sigqueue.LIST);
            __sigqueueFree(g, q);
        }
    }

    /** flush_signals: drops everything pending for t, its own and its group's. */
    public static void flushSignals(Globals g, long t) {
        final long siglock = sighand(t) + SighandStruct.SIGLOCK;
        Spinlock.lock(siglock);
        clearTskThreadFlag(t, ThreadInfoFlags.TIF_SIGPENDING);
        flushSigqueue(g, t + TaskStruct.PENDING);
        flushSigqueue(g, signal(t) + SignalStruct.SHARED_PENDING);
        Spinlock.unlock(siglock);
    }

    /**
     * flush_signal_handlers: every handler becomes SIG_DFL, but SIG_IGN stays unless
     * {@code forceDefault}; sa_flags, sa_restorer and sa_mask are cleared in all 64 entries.
     */
    public static void flushSignalHandlers(long t, boolean forceDefault) {
        long ka = action(sighand(t), 1);
        for (int i = Signals._NSIG; i != 0; i--) {
            if (forceDefault || Mem.getLong(ka + Sigaction.SA_HANDLER) != SIG_IGN) {
                Mem.putLong(ka + Sigaction.SA_HANDLER, SIG_DFL);
            }
            Mem.putLong(ka + Sigaction.SA_FLAGS, 0);
            Mem.putLong(ka + Sigaction.SA_RESTORER, 0); // __ARCH_HAS_SA_RESTORER on x86
            Mem.putLong(ka + Sigaction.SA_MASK, 0);
            ka += KSigaction.SIZEOF;
        }
    }

    /**
     * signal_wake_up_state: TIF_SIGPENDING, then wake t from an interruptible sleep or from one
     * of {@code state} (TASK_WAKEKILL for a fatal signal), then kick_process: a modeled task in
     * a call checks its flags on its way out; one outside any call is found by the walk the
     * kick asks the next call's end for ({@code Exit.exitIdleTasks}).
     */
    static void signalWakeUpState(Globals g, long t, int state) {
        setTskThreadFlag(t, ThreadInfoFlags.TIF_SIGPENDING);
        g.signalExterns.wakeUpState(t, state | TaskState.TASK_INTERRUPTIBLE);
        g.idleKick.kick();
    }

    /** signal_wake_up: {@code resume} wakes a killable sleep too. */
    static void signalWakeUp(Globals g, long t, boolean resume) {
        signalWakeUpState(g, t, resume ? TaskState.TASK_WAKEKILL : 0);
    }

    /** flush_sigqueue_mask: removes the signals of {@code mask} from a pending set and its queue. */
    static void flushSigqueueMask(Globals g, long mask, long s) {
        final long signal = Mem.getLong(s + Sigpending.SIGNAL);
        if ((mask & signal) == 0) {
            return;
        }
        Mem.putLong(s + Sigpending.SIGNAL, signal & ~mask);
        final long head = s + Sigpending.LIST;
        long pos = IntrusiveList.next(head);
        while (pos != head) {
            final long next = IntrusiveList.next(pos);
            final long q = pos - Sigqueue.LIST;
            if (sigismember(mask, Mem.getInt(q + Sigqueue.INFO + KernelSiginfo.SI_SIGNO))) {
                IntrusiveList.delInit(pos);
                __sigqueueFree(g, q);
            }
            pos = next;
        }
    }

    /** is_si_special: SEND_SIG_NOINFO or SEND_SIG_PRIV rather than a siginfo. */
    static boolean isSiSpecial(long info) {
        return Long.compareUnsigned(info, SEND_SIG_PRIV) <= 0;
    }

    // ---- generating a signal

    /**
     * prepare_signal: the effects a signal has when it is generated, whatever its disposition: a
     * dying group takes nothing more (but SIGKILL during a core dump); a stop signal flushes
     * SIGCONT; SIGCONT flushes the stop signals and wakes the stopped threads. Returns whether
     * the signal should be queued (it is not ignored).
     */
    static boolean prepareSignal(Globals g, int sig, long p, boolean force) {
        final long signal = signal(p);
        final int flags = signalFlags(signal);
        if ((flags & (SignalFlags.SIGNAL_GROUP_EXIT | SignalFlags.SIGNAL_GROUP_COREDUMP)) != 0) {
            if ((flags & SignalFlags.SIGNAL_GROUP_EXIT) == 0) {
                return sig == SIGKILL;
            }
            // the group is dying: nothing to do
        } else if (Signals.sigKernelStop(sig)) {
            final long flush = Signals.rtSigmask(SIGCONT);
            flushSigqueueMask(g, flush, signal + SignalStruct.SHARED_PENDING);
            for (long t = firstThread(signal); t != 0; t = nextThreadNode(signal, t)) {
                flushSigqueueMask(g, flush, t + TaskStruct.PENDING);
            }
        } else if (sig == SIGCONT) {
            final long flush = Signals.SIG_KERNEL_STOP_MASK;
            flushSigqueueMask(g, flush, signal + SignalStruct.SHARED_PENDING);
            for (long t = firstThread(signal); t != 0; t = nextThreadNode(signal, t)) {
                flushSigqueueMask(g, flush, t + TaskStruct.PENDING);
                taskClearJobctlPending(t, Jobctl.JOBCTL_STOP_PENDING);
                g.signalExterns.wakeUpState(t, TaskState.__TASK_STOPPED); // no PT_SEIZED tracer
            }
            int why = 0;
            if ((flags & SignalFlags.SIGNAL_STOP_STOPPED) != 0) {
                why |= SignalFlags.SIGNAL_CLD_CONTINUED;
            } else if (Mem.getInt(signal + SignalStruct.GROUP_STOP_COUNT) != 0) {
                why |= SignalFlags.SIGNAL_CLD_STOPPED;
            }
            if (why != 0) {
                // signal_set_stop_flags
                Mem.putInt(signal + SignalStruct.FLAGS,
                    (flags & ~SignalFlags.SIGNAL_STOP_MASK) | why | SignalFlags.SIGNAL_STOP_CONTINUED);
                Mem.putInt(signal + SignalStruct.GROUP_STOP_COUNT, 0);
                Mem.putInt(signal + SignalStruct.GROUP_EXIT_CODE, 0);
            }
        }
        return !sigIgnored(p, sig, force);
    }

    /**
     * wants_signal: whether p can take sig now: not blocked, not exiting, and (SIGKILL aside)
     * neither stopped nor already busy with another pending signal unless running.
     */
    static boolean wantsSignal(Globals g, int sig, long p) {
        if (sigismember(Mem.getLong(p + TaskStruct.BLOCKED), sig)) {
            return false;
        }
        if ((Mem.getInt(p + TaskStruct.FLAGS) & TaskFlags.PF_EXITING) != 0) {
            return false;
        }
        if (sig == SIGKILL) {
            return true;
        }
        if ((Mem.getLongVolatile(p + TaskStruct.STATE) & (TaskState.__TASK_STOPPED | TaskState.__TASK_TRACED)) != 0) {
            return false;
        }
        return g.signalExterns.taskCurr(p) || !taskSigpending(p);
    }

    /**
     * complete_signal: picks the thread to wake for a signal just queued (the main thread first,
     * else from curr_target round the group) and, when the signal is fatal to the whole group,
     * starts the group exit: SIGNAL_GROUP_EXIT, group_exit_code = sig, and SIGKILL in every
     * thread's pending set with the thread woken.
     */
    static void completeSignal(Globals g, int sig, long p, int type) {
        final long signal = signal(p);
        long t;
        if (wantsSignal(g, sig, p)) {
            t = p;
        } else if (type == PidRules.PIDTYPE_PID || threadGroupEmpty(p)) {
            // one thread, which will dequeue it before it runs again
            return;
        } else {
            final long currTarget = Mem.getLong(signal + SignalStruct.CURR_TARGET);
            t = currTarget;
            while (!wantsSignal(g, sig, t)) {
                t = nextThread(t);
                if (t == currTarget) {
                    return; // nobody to wake: an eligible thread will find it in the queue
                }
            }
            Mem.putLong(signal + SignalStruct.CURR_TARGET, t);
        }
        if (Signals.sigFatal(sigHandler(p, sig), sig)
            && (signalFlags(signal) & SignalFlags.SIGNAL_GROUP_EXIT) == 0
            && !sigismember(Mem.getLong(t + TaskStruct.REAL_BLOCKED), sig)
            && (sig == SIGKILL || Mem.getInt(p + TaskStruct.PTRACE) == 0)) {
            if (!Signals.sigKernelCoredump(sig)) {
                // fatal to the whole group: take it down now, so no thread runs on meanwhile
                Mem.putInt(signal + SignalStruct.FLAGS, SignalFlags.SIGNAL_GROUP_EXIT);
                Mem.putInt(signal + SignalStruct.GROUP_EXIT_CODE, sig);
                Mem.putInt(signal + SignalStruct.GROUP_STOP_COUNT, 0);
                t = p;
                do {
                    taskClearJobctlPending(t, Jobctl.JOBCTL_PENDING_MASK);
                    final long pending = t + TaskStruct.PENDING + Sigpending.SIGNAL;
                    Mem.putLong(pending, sigaddset(Mem.getLong(pending), SIGKILL));
                    signalWakeUp(g, t, true);
                } while ((t = nextThread(t)) != p);
                return;
            }
        }
        // the signal sits in the queue: tell the chosen thread to dequeue it
        signalWakeUp(g, t, sig == SIGKILL);
    }

    /** legacy_queue: a standard signal already pending is not queued twice. */
    static boolean legacyQueue(long signals, int sig) {
        return sig < SIGRTMIN && sigismember(Mem.getLong(signals + Sigpending.SIGNAL), sig);
    }

    /**
     * __send_signal: queues sig for t (its own pending set for PIDTYPE_PID, else the group's),
     * with a sigqueue carrying the siginfo when one can be had, then lets the multiprocess
     * signals of forks in progress see it and completes it. t's siglock is held. Returns 0, or
     * -EAGAIN when an rt signal with a siginfo from sigqueue(2) finds no room.
     */
    static int __sendSignal(Globals g, long current, int sig, long info, long t, int type, boolean force) {
        Spinlock.assertHeld(sighand(t) + SighandStruct.SIGLOCK);
        if (!prepareSignal(g, sig, t, force)) {
            return 0; // TRACE_SIGNAL_IGNORED
        }
        final long pending = type != PidRules.PIDTYPE_PID ? signal(t) + SignalStruct.SHARED_PENDING : t + TaskStruct.PENDING;
        if (legacyQueue(pending, sig)) {
            return 0; // TRACE_SIGNAL_ALREADY_PENDING
        }
        // no siginfo for SIGKILL or for kernel threads
        if (sig != SIGKILL && (Mem.getInt(t + TaskStruct.FLAGS) & TaskFlags.PF_KTHREAD) == 0) {
            // kill() may not fail with EAGAIN when memory is short: a standard signal, or one from
            // the kernel, goes past RLIMIT_SIGPENDING and at worst loses its siginfo
            final boolean overrideRlimit = sig < SIGRTMIN
                && (isSiSpecial(info) || Mem.getInt(info + KernelSiginfo.SI_CODE) >= 0);
            final long q = __sigqueueAlloc(g, sig, t, overrideRlimit);
            if (q != 0) {
                IntrusiveList.addTail(q + Sigqueue.LIST, pending + Sigpending.LIST);
                final long qi = q + Sigqueue.INFO;
                if (info == SEND_SIG_NOINFO) {
                    Mem.zero(qi, KernelSiginfo.SIZEOF); // clear_siginfo
                    Mem.putInt(qi + KernelSiginfo.SI_SIGNO, sig);
                    Mem.putInt(qi + KernelSiginfo.SI_CODE, Signals.SI_USER);
                    final SignalExterns x = g.signalExterns;
                    Mem.putInt(qi + KernelSiginfo.SI_PID,
                        x.taskPidNrNs(current, PidRules.PIDTYPE_TGID, x.taskActivePidNs(t)));
                    final int rcu = g.rcu.rcuReadLock();
                    // from_kuid_munged in t's user namespace: the initial one, without CONFIG_USER_NS
                    Mem.putInt(qi + KernelSiginfo.SI_UID, Mem.getInt(Mem.getLong(current + TaskStruct.CRED) + Cred.UID));
                    g.rcu.rcuReadUnlock(rcu);
                } else if (info == SEND_SIG_PRIV) {
                    Mem.zero(qi, KernelSiginfo.SIZEOF);
                    Mem.putInt(qi + KernelSiginfo.SI_SIGNO, sig);
                    Mem.putInt(qi + KernelSiginfo.SI_CODE, Signals.SI_KERNEL);
                } else {
                    Mem.copy(info, qi, KernelSiginfo.SIZEOF); // copy_siginfo
                }
            } else if (!isSiSpecial(info) && sig >= SIGRTMIN
                && Mem.getInt(info + KernelSiginfo.SI_CODE) != Signals.SI_USER) {
                return -Errno.EAGAIN; // TRACE_SIGNAL_OVERFLOW_FAIL: an rt signal from sigqueue(2)
            }
            // else TRACE_SIGNAL_LOSE_INFO: the signal goes, its siginfo is lost
        }
        // out_set: (signalfd_notify: no signalfd in the model)
        final long set = pending + Sigpending.SIGNAL;
        Mem.putLong(set, sigaddset(Mem.getLong(set), sig));
        // signals to a process group or to everyone appear after the forks in progress
        if (type > PidRules.PIDTYPE_TGID) {
            for (long n = HList.first(signal(t) + SignalStruct.MULTIPROCESS); n != 0; n = HList.next(n)) {
                final long delayed = n - MultiprocessSignals.NODE + MultiprocessSignals.SIGNAL;
                long s = Mem.getLong(delayed);
                if (sig == SIGCONT) {
                    s &= ~Signals.SIG_KERNEL_STOP_MASK;
                } else if (Signals.sigKernelStop(sig)) {
                    s = Signals.sigdelset(s, SIGCONT);
                }
                Mem.putLong(delayed, sigaddset(s, sig));
            }
        }
        completeSignal(g, sig, t, type);
        return 0;
    }

    /**
     * send_signal: works out whether the signal is forced past SIGNAL_UNKILLABLE (sent by the
     * kernel, or from an ancestor pid namespace, where the sender has no number) and rewrites a
     * siginfo's pid for a receiver that cannot see the sender, then __send_signal.
     */
    static int sendSignal(Globals g, long current, int sig, long info, long t, int type) {
        boolean force = false;
        final SignalExterns x = g.signalExterns;
        if (info == SEND_SIG_NOINFO) {
            force = x.taskPidNrNs(current, PidRules.PIDTYPE_PID, x.taskActivePidNs(t)) == 0;
        } else if (info == SEND_SIG_PRIV) {
            force = true;
        } else if (Signals.hasSiPidAndUid(Mem.getInt(info + KernelSiginfo.SI_SIGNO),
            Mem.getInt(info + KernelSiginfo.SI_CODE))) {
            // (the uid needs no translation: every task is in the initial user namespace)
            force = Mem.getInt(info + KernelSiginfo.SI_CODE) == Signals.SI_KERNEL;
            if (x.taskPidNrNs(current, PidRules.PIDTYPE_PID, x.taskActivePidNs(t)) == 0) {
                Mem.putInt(info + KernelSiginfo.SI_PID, 0);
                force = true;
            }
        }
        return __sendSignal(g, current, sig, info, t, type, force);
    }

    /** do_send_sig_info: send_signal under p's siglock; -ESRCH when p was already released. */
    public static int doSendSigInfo(Globals g, long current, int sig, long info, long p, int type) {
        final long sighand = lockTaskSighand(g, p);
        if (sighand == 0) {
            return -Errno.ESRCH;
        }
        final int ret = sendSignal(g, current, sig, info, p, type);
        Spinlock.unlock(sighand + SighandStruct.SIGLOCK);
        return ret;
    }

    /**
     * zap_other_threads: SIGKILL to every other live thread of p's group (p's siglock held), for
     * exit_group and a fatal signal's delivery. Returns the number of other threads.
     */
    public static int zapOtherThreads(Globals g, long p) {
        Mem.putInt(signal(p) + SignalStruct.GROUP_STOP_COUNT, 0);
        int count = 0;
        for (long t = nextThread(p); t != p; t = nextThread(t)) {
            taskClearJobctlPending(t, Jobctl.JOBCTL_PENDING_MASK);
            count++;
            if (Mem.getInt(t + TaskStruct.EXIT_STATE) != 0) {
                continue; // already dead
            }
            final long pending = t + TaskStruct.PENDING + Sigpending.SIGNAL;
            Mem.putLong(pending, sigaddset(Mem.getLong(pending), SIGKILL));
            signalWakeUp(g, t, true);
        }
        return count;
    }

    /**
     * __lock_task_sighand / lock_task_sighand: tsk's sighand with its siglock taken, or 0 when tsk
     * was released. The sighand may be freed and reused under us (SLAB_TYPESAFE_BY_RCU: it stays a
     * sighand_struct, its lock initialized once by the constructor), so the pointer is read again
     * under the lock and the loop retries if it moved.
     */
    public static long lockTaskSighand(Globals g, long tsk) {
        final int rcu = g.rcu.rcuReadLock();
        long sighand;
        for (;;) {
            sighand = sighand(tsk);
            if (sighand == 0) {
                break;
            }
            Spinlock.lock(sighand + SighandStruct.SIGLOCK);
            if (sighand == sighand(tsk)) {
                break;
            }
            Spinlock.unlock(sighand + SighandStruct.SIGLOCK);
        }
        g.rcu.rcuReadUnlock(rcu);
        return sighand;
    }

    /** unlock_task_sighand. */
    public static void unlockTaskSighand(long tsk) {
        Spinlock.unlock(sighand(tsk) + SighandStruct.SIGLOCK);
    }

    /** The siglock of t's sighand (for callers that must hold it: zap_other_threads, the fork's checks). */
    public static long siglock(long t) {
        return sighand(t) + SighandStruct.SIGLOCK;
    }

    /** sighand->count, for tests and /proc. */
    public static int sighandCount(long sighand) {
        return Refcount.read(sighand + SighandStruct.COUNT);
    }
}
