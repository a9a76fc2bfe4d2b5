package org.kfork.kernel.fork;

import org.kfork.ds.HList;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.KernelImage;
import org.kfork.kernel.locking.Refcount;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.struct.KSigaction;
import org.kfork.kernel.struct.ListHead;
import org.kfork.kernel.struct.MultiprocessSignals;
import org.kfork.kernel.struct.Mutex;
import org.kfork.kernel.struct.Rlimit;
import org.kfork.kernel.struct.RwSemaphore;
import org.kfork.kernel.struct.Sigaction;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.WaitQueueHead;
import org.kfork.kernel.time.PosixCpuTimers;
import org.kfork.machine.Mem;
import org.kfork.sched.Limits;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;

/**
 * kernel/fork.c (5.12), the signal half: copy_sighand, __cleanup_sighand, copy_signal with
 * posix_cpu_timers_init_group, free_signal_struct and put_signal_struct; the two blocks of
 * copy_process that keep group signals sent during a fork for after it (the multiprocess list);
 * and init/init_task.c's statics init_sighand and init_signals.
 *
 * <p>Invariants kept:
 * <ul>
 *   <li>sighand->count counts the tasks sharing the handlers (CLONE_SIGHAND); the last
 *       __cleanup_sighand frees the struct at once, without a grace period: the cache is
 *       SLAB_TYPESAFE_BY_RCU, so a lock_task_sighand racing with the free finds a sighand_struct
 *       with a valid lock and retries.</li>
 *   <li>A new sighand gets the parent's 64 actions, copied under the parent's siglock;
 *       CLONE_CLEAR_SIGHAND then resets every handler but SIG_IGN to SIG_DFL and clears every
 *       entry's flags, mask and restorer.</li>
 *   <li>signal->sigcnt counts the references to the signal_struct (one per task until it is
 *       freed), live the threads that have not exited, nr_threads the threads of the group; a
 *       new one starts with all three at 1 and the new task as its only thread and curr_target,
 *       with the parent's rlimits (copied under the parent's group leader's task_lock),
 *       oom_score_adj and oom_score_adj_min, and audit_tty.</li>
 * </ul>
 */
public final class ForkSignal {
    private ForkSignal() {
    }

    // ---- init/init_task.c

    /**
     * init_sighand: init_task's handlers in the kernel image: count 1, an unlocked siglock, an
     * empty signalfd wait queue, and every action SIG_DFL with no flags, mask or restorer.
     */
    public static long initSighand(KernelImage image) {
        final long sighand = image.alloc(SighandStruct.SIZEOF, SighandStruct.ALIGNOF);
        Refcount.set(sighand + SighandStruct.COUNT, 1);
        Spinlock.init(sighand + SighandStruct.SIGLOCK);
        initWaitqueueHead(sighand + SighandStruct.SIGNALFD_WQH);
        for (int sig = 1; sig <= Signals._NSIG; sig++) {
            final long sa = sighand + SighandStruct.ACTION + (sig - 1) * KSigaction.SIZEOF + KSigaction.SA;
            Mem.putLong(sa + Sigaction.SA_HANDLER, Signals.SIG_DFL);
        }
        return sighand;
    }

    /**
     * init_signals: init_task's signal_struct in the kernel image, as 5.12's static initializer
     * leaves it: nr_threads 1 (sigcnt and live stay 0: the static is never put), INIT_RLIMITS,
     * empty lists and wait queues, every POSIX CPU timer base at U64_MAX. Its thread_head is an
     * empty list and its pids[] NULL: init_task and init_struct_pid belong to other files, and
     * whoever builds init_task links its thread_node there and points pids[] at init_struct_pid.
     * fork_init later sets RLIMIT_NPROC and RLIMIT_SIGPENDING from max_threads.
     */
    public static long initSignals(KernelImage image) {
        final long sig = image.alloc(SignalStruct.SIZEOF, SignalStruct.ALIGNOF);
        Mem.putInt(sig + SignalStruct.NR_THREADS, 1);
        IntrusiveList.init(sig + SignalStruct.THREAD_HEAD);
        initWaitqueueHead(sig + SignalStruct.WAIT_CHLDEXIT);
        initSigpending(sig + SignalStruct.SHARED_PENDING);
        HList.initHead(sig + SignalStruct.MULTIPROCESS);
        for (int r = 0; r < Limits.RLIM_NLIMITS; r++) {
            final long rlim = sig + SignalStruct.RLIM + r * Rlimit.SIZEOF;
            Mem.putLong(rlim + Rlimit.RLIM_CUR, Resource.initRlimitCur(r));
            Mem.putLong(rlim + Rlimit.RLIM_MAX, Resource.initRlimitMax(r));
        }
        mutexInit(sig + SignalStruct.CRED_GUARD_MUTEX);
        initRwsem(sig + SignalStruct.EXEC_UPDATE_LOCK);
        IntrusiveList.init(sig + SignalStruct.POSIX_TIMERS);
        PosixCpuTimers.posixCputimersInit(sig + SignalStruct.POSIX_CPUTIMERS);
        return sig;
    }

    /**
     * What fork_init writes into init_task's signal_struct: RLIMIT_NPROC at max_threads / 2, and
     * RLIMIT_SIGPENDING the same.
     */
    public static void forkInitRlimits(long initSignals, int maxThreads) {
        final long nproc = initSignals + SignalStruct.RLIM + Resource.RLIMIT_NPROC * Rlimit.SIZEOF;
        final long sigpending = initSignals + SignalStruct.RLIM + Resource.RLIMIT_SIGPENDING * Rlimit.SIZEOF;
        Mem.putLong(nproc + Rlimit.RLIM_CUR, maxThreads / 2);
        Mem.putLong(nproc + Rlimit.RLIM_MAX, maxThreads / 2);
        Mem.copy(nproc, sigpending, Rlimit.SIZEOF);
    }

    // ---- copy_sighand and __cleanup_sighand

    /**
     * copy_sighand: CLONE_SIGHAND shares current's handlers (count + 1); otherwise tsk gets a new
     * sighand_struct with current's 64 actions (and flush_signal_handlers(tsk, 0) for
     * CLONE_CLEAR_SIGHAND). The new struct's lock and wait queue come from the cache's
     * constructor.
     *
     * @return 0, or -ENOMEM with tsk->sighand NULL
     */
    public static int copySighand(Globals g, long current, long cloneFlags, long tsk) {
        final long cur = Mem.getLong(current + TaskStruct.SIGHAND);
        if ((cloneFlags & CloneFlags.CLONE_SIGHAND) != 0) {
            Refcount.inc(cur + SighandStruct.COUNT, "sighand_struct.count");
            return 0;
        }
        final long sig = g.alloc(g.forkInit.sighandCachep());
        Mem.putLongRelease(tsk + TaskStruct.SIGHAND, sig); // RCU_INIT_POINTER
        if (sig == 0) {
            return -Errno.ENOMEM;
        }
        Refcount.set(sig + SighandStruct.COUNT, 1);
        Spinlock.lock(cur + SighandStruct.SIGLOCK);
        Mem.copy(cur + SighandStruct.ACTION, sig + SighandStruct.ACTION, Signals._NSIG * KSigaction.SIZEOF);
        Spinlock.unlock(cur + SighandStruct.SIGLOCK);
        if ((cloneFlags & CloneFlags.CLONE_CLEAR_SIGHAND) != 0) {
            Signal.flushSignalHandlers(tsk, false);
        }
        return 0;
    }

    /**
     * __cleanup_sighand: drops a reference; the last frees the struct straight back to its
     * SLAB_TYPESAFE_BY_RCU cache (signalfd_cleanup has no poller to wake in the model).
     */
    public static void __cleanupSighand(Globals g, long sighand) {
        if (Refcount.decAndTest(sighand + SighandStruct.COUNT, "sighand_struct.count")) {
            g.free(g.forkInit.sighandCachep(), sighand);
        }
    }

    // ---- copy_signal, free_signal_struct, put_signal_struct

    /** posix_cpu_timers_init_group: the group's CPU timers, the PROF one armed by a finite RLIMIT_CPU. */
    static void posixCpuTimersInitGroup(long sig) {
        final long cpuLimit = Mem.getLongVolatile(sig + SignalStruct.RLIM + Resource.RLIMIT_CPU * Rlimit.SIZEOF
            + Rlimit.RLIM_CUR);
        PosixCpuTimers.posixCputimersGroupInit(sig + SignalStruct.POSIX_CPUTIMERS, cpuLimit);
    }

    /**
     * copy_signal: nothing for CLONE_THREAD (the thread joins current's group); otherwise a new,
     * zeroed signal_struct for tsk with one live thread, tsk alone on its thread list, and
     * current's rlimits, oom scores and audit_tty. has_child_subreaper and is_child_subreaper start
     * clear: copy_process sets has_child_subreaper when it links the child to its parent.
     *
     * @return 0, or -ENOMEM with tsk->signal NULL
     */
    public static int copySignal(Globals g, long current, long cloneFlags, long tsk) {
        if ((cloneFlags & CloneFlags.CLONE_THREAD) != 0) {
            return 0;
        }
        final long sig = g.zalloc(g.forkInit.signalCachep());
        Mem.putLong(tsk + TaskStruct.SIGNAL, sig);
        if (sig == 0) {
            return -Errno.ENOMEM;
        }
        Mem.putInt(sig + SignalStruct.NR_THREADS, 1);
        Mem.putInt(sig + SignalStruct.LIVE, 1);
        Refcount.set(sig + SignalStruct.SIGCNT, 1);
        // list_add(thread_node, thread_head) without INIT_LIST_HEAD
        final long head = sig + SignalStruct.THREAD_HEAD;
        final long node = tsk + TaskStruct.THREAD_NODE;
        Mem.putLong(head + ListHead.NEXT, node);
        Mem.putLong(head + ListHead.PREV, node);
        Mem.putLong(node + ListHead.NEXT, head);
        Mem.putLong(node + ListHead.PREV, head);
        initWaitqueueHead(sig + SignalStruct.WAIT_CHLDEXIT);
        Mem.putLong(sig + SignalStruct.CURR_TARGET, tsk);
        initSigpending(sig + SignalStruct.SHARED_PENDING);
        HList.initHead(sig + SignalStruct.MULTIPROCESS);
        // seqlock_init(stats_lock) and prev_cputime_init: zero words, as the zeroed object has them
        IntrusiveList.init(sig + SignalStruct.POSIX_TIMERS);
        // hrtimer_init(real_timer) with it_real_fn: the model has no hrtimers (real_timer stays opaque)
        final long curSignal = Mem.getLong(current + TaskStruct.SIGNAL);
        final long leaderLock = Mem.getLong(current + TaskStruct.GROUP_LEADER) + TaskStruct.ALLOC_LOCK;
        Spinlock.lock(leaderLock); // task_lock(current->group_leader)
        Mem.copy(curSignal + SignalStruct.RLIM, sig + SignalStruct.RLIM, Limits.RLIM_NLIMITS * Rlimit.SIZEOF);
        Spinlock.unlock(leaderLock);
        posixCpuTimersInitGroup(sig);
        // tty_audit_fork (CONFIG_AUDIT); sched_autogroup_fork is off in the reference config
        Mem.putInt(sig + SignalStruct.AUDIT_TTY, Mem.getInt(curSignal + SignalStruct.AUDIT_TTY));
        Mem.putShort(sig + SignalStruct.OOM_SCORE_ADJ, Mem.getShort(curSignal + SignalStruct.OOM_SCORE_ADJ));
        Mem.putShort(sig + SignalStruct.OOM_SCORE_ADJ_MIN, Mem.getShort(curSignal + SignalStruct.OOM_SCORE_ADJ_MIN));
        mutexInit(sig + SignalStruct.CRED_GUARD_MUTEX);
        initRwsem(sig + SignalStruct.EXEC_UPDATE_LOCK);
        return 0;
    }

    /**
     * free_signal_struct: the oom_mm reference goes through mmdrop_async (never set in the model:
     * there is no OOM killer), then the struct is freed. (taskstats_tgid_free: sig->stats stays
     * NULL, nobody listens to taskstats; sched_autogroup_exit is off in the config.)
     */
    public static void freeSignalStruct(Globals g, long sig) {
        final long oomMm = Mem.getLong(sig + SignalStruct.OOM_MM);
        if (oomMm != 0) {
            ForkMm.mmdropAsync(g.mm, oomMm);
        }
        g.free(g.forkInit.signalCachep(), sig);
    }

    /** put_signal_struct: the last sigcnt reference frees the signal_struct. */
    public static void putSignalStruct(Globals g, long sig) {
        if (Refcount.decAndTest(sig + SignalStruct.SIGCNT, "signal_struct.sigcnt")) {
            freeSignalStruct(g, sig);
        }
    }

    // ---- copy_process's multiprocess signals

    /**
     * The start of copy_process (seed lines 1934-1944): {@code delayed}, a struct
     * multiprocess_signals the caller keeps on its stack, is emptied and, unless CLONE_THREAD,
     * put on current's signal->multiprocess list, so that group-wide signals sent during the fork
     * are copied there; then current's pending state is recalculated.
     *
     * @return 0, or -ERESTARTNOINTR when a signal is already pending (the fork must be restarted
     *         after it is delivered); either way the caller ends with {@link #forkSignalsDone}
     */
    public static int forkDelaySignals(Globals g, long current, long cloneFlags, long delayed) {
        Mem.putLong(delayed + MultiprocessSignals.SIGNAL, 0);
        HList.initNode(delayed + MultiprocessSignals.NODE);
        final long siglock = Signal.siglock(current);
        Spinlock.lock(siglock);
        if ((cloneFlags & CloneFlags.CLONE_THREAD) == 0) {
            HList.addHead(delayed + MultiprocessSignals.NODE, Mem.getLong(current + TaskStruct.SIGNAL)
                + SignalStruct.MULTIPROCESS);
        }
        Signal.recalcSigpending(current);
        Spinlock.unlock(siglock);
        return Signal.taskSigpending(current) ? -Errno.ERESTARTNOINTR : 0;
    }

    /**
     * The end of copy_process (fork_out, seed line 2393): {@code delayed} leaves the multiprocess
     * list under current's siglock. (On success copy_process does the same under the siglock it
     * already holds, after giving the child's shared pending set the delayed signals.)
     */
    public static void forkSignalsDone(long current, long delayed) {
        final long siglock = Signal.siglock(current);
        Spinlock.lock(siglock);
        HList.delInit(delayed + MultiprocessSignals.NODE);
        Spinlock.unlock(siglock);
    }

    // ---- initializers of embedded kernel types

    /** init_sigpending: an empty queue and set. */
    static void initSigpending(long sigpending) {
        IntrusiveList.init(sigpending + Sigpending.LIST);
        Mem.putLong(sigpending + Sigpending.SIGNAL, 0);
    }

    /** init_waitqueue_head: an unlocked lock and an empty list. */
    static void initWaitqueueHead(long wqh) {
        Spinlock.init(wqh + WaitQueueHead.LOCK);
        IntrusiveList.init(wqh + WaitQueueHead.HEAD);
    }

    /** mutex_init: no owner, an unlocked wait_lock, an empty wait list. */
    static void mutexInit(long mutex) {
        Mem.putLong(mutex + Mutex.OWNER, 0);
        Spinlock.init(mutex + Mutex.WAIT_LOCK);
        IntrusiveList.init(mutex + Mutex.WAIT_LIST);
    }

    /** init_rwsem: count RWSEM_UNLOCKED_VALUE (0), no owner, an empty wait list. */
    static void initRwsem(long sem) {
        Mem.putLong(sem + RwSemaphore.COUNT, 0);
        Mem.putLong(sem + RwSemaphore.OWNER, 0);
        IntrusiveList.init(sem + RwSemaphore.WAIT_LIST);
    }
}
