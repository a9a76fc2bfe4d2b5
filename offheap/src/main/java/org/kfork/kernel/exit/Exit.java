package org.kfork.kernel.exit;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.arch.SignalRestart;
import org.kfork.ds.IntrusiveList;
import org.kfork.exit.WaitRules;
import org.kfork.kernel.Globals;
import org.kfork.kernel.block.BlkIoc;
import org.kfork.kernel.cgroup.Cgroups;
import org.kfork.kernel.events.ProcConnector;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.kernel.fork.ForkMmRelease;
import org.kfork.kernel.fork.ForkSignal;
import org.kfork.kernel.fork.ForkTask;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.fs.FsStructs;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.nsproxy.Nsproxies;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.sched.SchedCore;
import org.kfork.kernel.sched.Wait;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.signal.SignalCalls;
import org.kfork.kernel.signal.SignalDelivery;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.Pid;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.Signals;

/**
 * kernel/exit.c (5.12), off-heap: the end of a task. do_exit in 5.12's order, exit_notify with
 * forget_original_parent and the choice of a new reaper, release_task with __exit_signal and
 * __unhash_process, do_group_exit, put_task_struct_rcu_user with delayed_put_task_struct; and,
 * because the model has no scheduler, the dead task's last context switch and the exits of idle
 * tasks a fatal signal reached ({@link #exitIdleTasks}). Waiting for children is in
 * {@link ExitWait}, zap_pid_ns_processes in {@link PidNsExit}.
 *
 * <p>Invariants, as in 5.12:
 * <ul>
 *   <li>A task's exit_state goes 0 -&gt; EXIT_ZOMBIE -&gt; EXIT_DEAD (or 0 -&gt; EXIT_DEAD for an
 *       autoreaping one), each step under tasklist_lock held for writing, except the reaper's
 *       EXIT_ZOMBIE -&gt; EXIT_DEAD, a compare-and-set that only one waiter wins.</li>
 *   <li>release_task runs once per task: it unhashes the task (its pids' numbers are free at
 *       once), drops its user's process count, and puts the reaper's rcu_users reference;
 *       the last thread of a group to go releases a zombie leader whose parent does not wait.</li>
 *   <li>When a task exits, every child of it has a new parent before the lock is dropped: a live
 *       thread of its group, else the nearest live child subreaper of its namespace, else the
 *       namespace's child reaper.</li>
 *   <li>The dead task's own two references (the scheduler's rcu_users and the stack) go in its
 *       last "context switch", modelled at the end of {@link #doExit}.</li>
 * </ul>
 *
 * <p>"Inside a call": the model's syscall layer sets {@link #TIF_IN_CALL} in the task's
 * thread_info.flags while a Java thread acts for the task in a call (and clears it on the way
 * out). A fatal signal makes a task inside a call exit there (a blocked wait wakes and returns;
 * the syscall layer then calls do_group_exit on the way to user space); a task outside any call
 * exits at once, on the Java thread of whoever calls {@link #exitIdleTasks} (the kernel's
 * contract: it would die at its next return to user space).
 */
public final class Exit {
    /**
     * The model's thread_info flag "a Java thread is acting for this task inside a call": bit 63,
     * above every TIF_* bit of x86_64 5.12 (the highest, TIF_X32, is 30).
     */
    public static final int TIF_IN_CALL = 63;

    private Exit() {
    }

    /**
     * Registers delayed_put_task_struct in the kernel text (boot), and points free_pid's
     * wake_up_process of a namespace's reaper at sched.Wait (zap_pid_ns_processes sleeps there).
     */
    public static void exitInit(Globals g) {
        g.delayedPutTaskStructFn = g.rcu.register("delayed_put_task_struct", head -> delayedPutTaskStruct(g, head));
        g.wakeUpProcess = task -> Wait.wakeUpAll(g);
    }

    // ------------------------------------------------------------------------------------------
    // The process tree, read through a task (include/linux/sched/signal.h)
    // ------------------------------------------------------------------------------------------

    /** thread_group_leader. */
    public static boolean threadGroupLeader(long p) {
        return getLong(p + TaskStruct.GROUP_LEADER) == p;
    }

    /** The first task of for_each_thread(p, t), or 0 when p's group has none left. */
    public static long firstThread(long p) {
        return Signal.firstThread(Signal.signal(p));
    }

    /** The next task of for_each_thread(p, t) after t, or 0 at the end. */
    public static long nextThreadOf(long p, long t) {
        return Signal.nextThreadNode(Signal.signal(p), t);
    }

    private static boolean signalBit(long sig, long bit) {
        return (Mem.getByte(sig + (bit >> 3)) & 1 << (bit & 7)) != 0;
    }

    /** signal->is_child_subreaper. */
    public static boolean isChildSubreaper(long sig) {
        return signalBit(sig, SignalStruct.IS_CHILD_SUBREAPER_BIT);
    }

    /** signal->has_child_subreaper. */
    public static boolean hasChildSubreaper(long sig) {
        return signalBit(sig, SignalStruct.HAS_CHILD_SUBREAPER_BIT);
    }

    private static void setSignalBit(long sig, long bit, boolean on) {
        final long b = sig + (bit >> 3);
        final int mask = 1 << (bit & 7);
        Mem.putByte(b, (byte) (on ? Mem.getByte(b) | mask : Mem.getByte(b) & ~mask));
    }

    /**
     * prctl(PR_SET_CHILD_SUBREAPER) (kernel/sys.c): the caller's group adopts the orphans of its
     * descendants; setting it also marks has_child_subreaper, which future children inherit.
     */
    public static void setChildSubreaper(long current, boolean on) {
        final long sig = Signal.signal(current);
        setSignalBit(sig, SignalStruct.IS_CHILD_SUBREAPER_BIT, on);
        if (on) {
            setSignalBit(sig, SignalStruct.HAS_CHILD_SUBREAPER_BIT, true);
        }
    }

    /** signal->has_child_subreaper written (copy_process's inheritance, for its callers). */
    public static void setHasChildSubreaper(long sig, boolean on) {
        setSignalBit(sig, SignalStruct.HAS_CHILD_SUBREAPER_BIT, on);
    }

    /**
     * signal_group_exit: the group is exiting as a whole (SIGNAL_GROUP_EXIT), or an exec is
     * killing the other threads (group_exit_task set by de_thread).
     */
    public static boolean signalGroupExit(long sig) {
        return (getInt(sig + SignalStruct.FLAGS) & SignalFlags.SIGNAL_GROUP_EXIT) != 0
            || getLong(sig + SignalStruct.GROUP_EXIT_TASK) != 0;
    }

    // ------------------------------------------------------------------------------------------
    // release_task
    // ------------------------------------------------------------------------------------------

    /**
     * __unhash_process: the task leaves the pid hashes (its numbers are free at once) and, for a
     * group's last task, the tasks list, its parent's children and the CPU's process count; it
     * leaves its thread group either way. tasklist_lock held for writing.
     */
    static void __unhashProcess(Globals g, long p, boolean groupDead) {
        g.nrThreads--;
        Pids.detachPid(g, p, PidRules.PIDTYPE_PID);
        if (groupDead) {
            Pids.detachPid(g, p, PidRules.PIDTYPE_TGID);
            Pids.detachPid(g, p, PidRules.PIDTYPE_PGID);
            Pids.detachPid(g, p, PidRules.PIDTYPE_SID);
            IntrusiveList.delRcu(p + TaskStruct.TASKS);
            IntrusiveList.delInit(p + TaskStruct.SIBLING);
            g.forkInit.processCounts().dec(g.cpus.current());
        }
        IntrusiveList.delRcu(p + TaskStruct.THREAD_GROUP);
        IntrusiveList.delRcu(p + TaskStruct.THREAD_NODE);
    }

    /**
     * __exit_signal: the task's times go into its signal_struct, it is unhashed, its private
     * pending signals are flushed and its sighand reference dropped (the last one frees the
     * sighand); a group's last task flushes the shared pending signals. tasklist_lock held for
     * writing. (posix_cpu_timers_exit: the model arms no CPU timers; the tty: none.)
     */
    static void __exitSignal(Globals g, long tsk) {
        final long sig = Signal.signal(tsk);
        final boolean groupDead = threadGroupLeader(tsk);
        final long sighand = getLong(tsk + TaskStruct.SIGHAND);
        Spinlock.lock(sighand + SighandStruct.SIGLOCK);
        if (!groupDead) {
            // a de_thread waiting for the other threads to go (notify_count) is woken by the last
            final int notify = getInt(sig + SignalStruct.NOTIFY_COUNT);
            if (notify > 0) {
                putInt(sig + SignalStruct.NOTIFY_COUNT, notify - 1);
                if (notify == 1) {
                    Wait.wakeUpAll(g);
                }
            }
            if (getLong(sig + SignalStruct.CURR_TARGET) == tsk) {
                putLong(sig + SignalStruct.CURR_TARGET, Signal.nextThread(tsk));
            }
        }
        // (add_device_randomness: no entropy pool; the model counts no faults nor context
        // switches, so only the times are summed)
        putLong(sig + SignalStruct.UTIME, getLong(sig + SignalStruct.UTIME) + getLong(tsk + TaskStruct.UTIME));
        putLong(sig + SignalStruct.STIME, getLong(sig + SignalStruct.STIME) + getLong(tsk + TaskStruct.STIME));
        putLong(sig + SignalStruct.GTIME, getLong(sig + SignalStruct.GTIME) + getLong(tsk + TaskStruct.GTIME));
        putInt(sig + SignalStruct.NR_THREADS, getInt(sig + SignalStruct.NR_THREADS) - 1);
        __unhashProcess(g, tsk, groupDead);
        Signal.flushSigqueue(g, tsk + TaskStruct.PENDING);
        Mem.putLongRelease(tsk + TaskStruct.SIGHAND, 0);
        Spinlock.unlock(sighand + SighandStruct.SIGLOCK);
        ForkSignal.__cleanupSighand(g, sighand);
        SchedCore.clearTskThreadFlag(tsk, ThreadInfoFlags.TIF_SIGPENDING);
        if (groupDead) {
            Signal.flushSigqueue(g, sig + SignalStruct.SHARED_PENDING);
        }
    }

    /** delayed_put_task_struct: after the grace period, the reference of the rcu users goes. */
    static void delayedPutTaskStruct(Globals g, long head) {
        ForkTask.putTaskStruct(g, head - TaskStruct.RCU);
    }

    /**
     * put_task_struct_rcu_user: one rcu user less; the last one queues delayed_put_task_struct.
     *
     * @throws IllegalStateException when rcu_users is already 0
     */
    public static void putTaskStructRcuUser(Globals g, long task) {
        if (ForkTask.refcountDecAndTest(task + TaskStruct.RCU_USERS, "rcu_users", task)) {
            g.rcu.callRcu(task + TaskStruct.RCU, g.delayedPutTaskStructFn);
        }
    }

    /**
     * release_task: the task is gone for good. Its user counts one process less, it is
     * unhashed (__exit_signal) and its reaper's reference dropped. When it was the last thread of
     * a group whose leader is a zombie, the leader's parent hears of the group's death now, and
     * a leader nobody will wait for is released in turn. (cgroup_release, seccomp_filter_release,
     * proc_flush_pid, release_thread: nothing to undo in the model.)
     */
    public static void releaseTask(Globals g, long current, long p) {
        for (;;) {
            final long user = getLong(getLong(p + TaskStruct.REAL_CRED) + Cred.USER);
            Mem.getAndAddInt(user + UserStruct.PROCESSES, -1);
            final long threadPid;
            boolean zapLeader = false;
            final long leader;
            // unlocked in finally: a BUG_ON of do_notify_parent (a Java exception) must not leave
            // tasklist_lock held for every other task
            g.tasklistLock.writeLock().lock();
            try {
                threadPid = Pids.getPid(getLong(p + TaskStruct.THREAD_PID));
                __exitSignal(g, p);
                leader = getLong(p + TaskStruct.GROUP_LEADER);
                if (leader != p && Signal.threadGroupEmpty(leader)
                    && getInt(leader + TaskStruct.EXIT_STATE) == TaskState.EXIT_ZOMBIE) {
                    zapLeader = SignalCalls.doNotifyParent(g, current, leader, getInt(leader + TaskStruct.EXIT_SIGNAL));
                    if (zapLeader) {
                        Mem.putIntVolatile(leader + TaskStruct.EXIT_STATE, TaskState.EXIT_DEAD);
                    }
                }
            } finally {
                g.tasklistLock.writeLock().unlock();
            }
            Pids.putPid(g, threadPid);
            putTaskStructRcuUser(g, p);
            if (!zapLeader) {
                return;
            }
            p = leader;
        }
    }

    // ------------------------------------------------------------------------------------------
    // exit_notify and reparenting
    // ------------------------------------------------------------------------------------------

    /** find_alive_thread: a thread of p's group that is not exiting, or 0. */
    static long findAliveThread(long p) {
        for (long t = firstThread(p); t != 0; t = nextThreadOf(p, t)) {
            if ((getInt(t + TaskStruct.FLAGS) & TaskFlags.PF_EXITING) == 0) {
                return t;
            }
        }
        return 0;
    }

    /**
     * find_child_reaper: the reaper of father's namespace. When father is that reaper, another
     * live thread of its group takes the role; when none is left, the namespace dies with it
     * (zap_pid_ns_processes, with tasklist_lock dropped) and father stays the reaper.
     * (The dead list of exit_ptrace is always empty: the model has no ptrace.)
     */
    static long findChildReaper(Globals g, long father) {
        final long ns = Pids.taskActivePidNs(father);
        long reaper = getLong(ns + PidNamespace.CHILD_REAPER);
        if (reaper != father) {
            return reaper;
        }
        reaper = findAliveThread(father);
        if (reaper != 0) {
            putLong(ns + PidNamespace.CHILD_REAPER, reaper);
            return reaper;
        }
        g.tasklistLock.writeLock().unlock();
        try {
            PidNsExit.zapPidNsProcesses(g, father, ns);
        } finally {
            g.tasklistLock.writeLock().lock(); // exit_notify's finally unlocks it
        }
        return father;
    }

    /**
     * find_new_reaper: a live thread of father's group; else, when an ancestor asked for it
     * (has_child_subreaper), the nearest ancestor in father's namespace that is a child subreaper
     * and has a live thread; else the namespace's child reaper.
     */
    static long findNewReaper(long father, long childReaper, long initTask) {
        long thread = findAliveThread(father);
        if (thread != 0) {
            return thread;
        }
        if (hasChildSubreaper(Signal.signal(father))) {
            final int nsLevel = getInt(getLong(father + TaskStruct.THREAD_PID) + Pid.LEVEL);
            for (long reaper = getLong(father + TaskStruct.REAL_PARENT);
                 getInt(getLong(reaper + TaskStruct.THREAD_PID) + Pid.LEVEL) == nsLevel;
                 reaper = getLong(reaper + TaskStruct.REAL_PARENT)) {
                if (reaper == initTask) {
                    break;
                }
                if (!isChildSubreaper(Signal.signal(reaper))) {
                    continue;
                }
                thread = findAliveThread(reaper);
                if (thread != 0) {
                    return thread;
                }
            }
        }
        return childReaper;
    }

    /**
     * reparent_leader: a child group moved to a new parent. Its exit signal becomes SIGCHLD;
     * a zombie child whose group is done is announced to the new parent, and joins the dead
     * list (returned) when that parent does not wait. (kill_orphaned_pgrp: no job control.)
     *
     * @return the dead list, with p pushed when it must be released
     */
    static long reparentLeader(Globals g, long father, long p, long dead) {
        if (getInt(p + TaskStruct.EXIT_STATE) == TaskState.EXIT_DEAD) {
            return dead;
        }
        putInt(p + TaskStruct.EXIT_SIGNAL, Signals.SIGCHLD);
        if (getInt(p + TaskStruct.PTRACE) == 0 && getInt(p + TaskStruct.EXIT_STATE) == TaskState.EXIT_ZOMBIE
            && Signal.threadGroupEmpty(p)) {
            if (SignalCalls.doNotifyParent(g, father, p, getInt(p + TaskStruct.EXIT_SIGNAL))) {
                Mem.putIntVolatile(p + TaskStruct.EXIT_STATE, TaskState.EXIT_DEAD);
                return pushDead(p, dead);
            }
        }
        return dead;
    }

    /**
     * The LIST_HEAD(dead) of exit_notify, threaded through ptrace_entry as in 5.12 (list_add at
     * the head), its head a local: the chain's next pointer is ptrace_entry.next, 0-terminated.
     */
    private static long pushDead(long p, long dead) {
        putLong(p + TaskStruct.PTRACE_ENTRY + IntrusiveList.NEXT, dead);
        return p;
    }

    /** Releases every task of a dead list (list_del_init of ptrace_entry, then release_task). */
    private static void releaseDead(Globals g, long current, long dead) {
        while (dead != 0) {
            final long next = getLong(dead + TaskStruct.PTRACE_ENTRY + IntrusiveList.NEXT);
            IntrusiveList.init(dead + TaskStruct.PTRACE_ENTRY);
            releaseTask(g, current, dead);
            dead = next;
        }
    }

    /**
     * forget_original_parent: every child of father gets its new reaper as real parent and parent
     * (a pdeath_signal is sent), each announced to the new parent when it is a zombie
     * (reparent_leader, unless the reaper is a thread of father's own group), and the children
     * list moves to the end of the reaper's. tasklist_lock held for writing (find_child_reaper
     * may drop it).
     *
     * @return the dead list: the reparented zombies to release
     */
    static long forgetOriginalParent(Globals g, long father, long dead) {
        long reaper = findChildReaper(g, father);
        final long children = father + TaskStruct.CHILDREN;
        if (IntrusiveList.empty(children)) {
            return dead;
        }
        reaper = findNewReaper(father, reaper, g.initTask);
        for (long n = IntrusiveList.next(children); n != children; n = IntrusiveList.next(n)) {
            final long p = n - TaskStruct.SIBLING;
            for (long t = firstThread(p); t != 0; t = nextThreadOf(p, t)) {
                Mem.putLongRelease(t + TaskStruct.REAL_PARENT, reaper);
                if (getInt(t + TaskStruct.PTRACE) == 0) {
                    putLong(t + TaskStruct.PARENT, reaper);
                }
                final int pdeath = getInt(t + TaskStruct.PDEATH_SIGNAL);
                if (pdeath != 0) {
                    SignalCalls.groupSendSigInfo(g, father, pdeath, Signal.SEND_SIG_NOINFO, t, PidRules.PIDTYPE_TGID);
                }
            }
            if (Signal.signal(reaper) != Signal.signal(father)) {
                dead = reparentLeader(g, father, p, dead);
            }
        }
        // list_splice_tail_init: the children keep their order, after the reaper's own
        while (!IntrusiveList.empty(children)) {
            IntrusiveList.moveTail(IntrusiveList.next(children), reaper + TaskStruct.CHILDREN);
        }
        return dead;
    }

    /**
     * exit_notify: the children go to a new parent, then tsk becomes a zombie and tells its
     * parent (do_notify_parent) when it is its group's last task; a thread, or a group whose
     * parent does not wait, is released at once instead (autoreap). A de_thread waiting for the
     * old leader is woken.
     */
    static void exitNotify(Globals g, long tsk, boolean groupDead) {
        long dead;
        g.tasklistLock.writeLock().lock();
        try { // unlocked in finally, as release_task
            dead = forgetOriginalParent(g, tsk, 0);
            // (kill_orphaned_pgrp: no job control, so no orphaned stopped groups to signal)
            Mem.putIntVolatile(tsk + TaskStruct.EXIT_STATE, TaskState.EXIT_ZOMBIE);
            final boolean autoreap;
            if (threadGroupLeader(tsk)) {
                autoreap = Signal.threadGroupEmpty(tsk)
                    && SignalCalls.doNotifyParent(g, tsk, getInt(tsk + TaskStruct.EXIT_SIGNAL));
            } else {
                autoreap = true;
            }
            if (autoreap) {
                Mem.putIntVolatile(tsk + TaskStruct.EXIT_STATE, TaskState.EXIT_DEAD);
                dead = pushDead(tsk, dead);
            }
            if (getInt(Signal.signal(tsk) + SignalStruct.NOTIFY_COUNT) < 0) {
                Wait.wakeUpAll(g); // mt-exec: de_thread waits for the group leader
            }
        } finally {
            g.tasklistLock.writeLock().unlock();
        }
        releaseDead(g, tsk, dead);
    }

    // ------------------------------------------------------------------------------------------
    // do_exit, do_group_exit
    // ------------------------------------------------------------------------------------------

    /**
     * exit_signals (kernel/signal.c): PF_EXITING, under the siglock unless the task is alone or
     * its group is exiting already. (retarget_shared_pending and the group-stop participation:
     * the shared signals stay queued for the group, which the model's delivery reads; no job
     * control.)
     */
    static void exitSignals(long tsk) {
        final long sig = Signal.signal(tsk);
        if (Signal.threadGroupEmpty(tsk) || signalGroupExit(sig)) {
            putInt(tsk + TaskStruct.FLAGS, getInt(tsk + TaskStruct.FLAGS) | TaskFlags.PF_EXITING);
            return;
        }
        final long siglock = Signal.siglock(tsk);
        Spinlock.lock(siglock);
        putInt(tsk + TaskStruct.FLAGS, getInt(tsk + TaskStruct.FLAGS) | TaskFlags.PF_EXITING);
        Spinlock.unlock(siglock);
    }

    /**
     * do_exit: tsk (current) ends with {@code code} (an exit_code: (status &amp; 0xff) &lt;&lt; 8,
     * or a signal number), in 5.12's order: PF_EXITING, the group-dead test, exit_code,
     * exit_mm, the files, fs and namespaces, exit_notify, the io context, then the task's last
     * context switch (see {@link #doTaskDead}). The task must not be used by the caller
     * afterwards: it may have been freed after the next grace period.
     *
     * @throws org.kfork.api.KernelPanicException for the last thread of the global init
     *     ("Attempted to kill init!", 5.12's panic at group_dead; here before any step, so that the
     *     dead machine still tears down cleanly)
     * @throws IllegalStateException for the idle task (pid 0: "Attempted to kill the idle task!"),
     *     and for a task already exiting (the recursive fault of 5.12, which parks the task forever)
     */
    public static void doExit(Globals g, long tsk, int code) {
        if (getInt(tsk + TaskStruct.PID) == 0) {
            throw new IllegalStateException("Attempted to kill the idle task!");
        }
        if ((getInt(tsk + TaskStruct.FLAGS) & TaskFlags.PF_EXITING) != 0) {
            throw new IllegalStateException("do_exit: recursive exit of task 0x" + Long.toHexString(tsk));
        }
        final long sig = Signal.signal(tsk);
        if (Signal.isGlobalInit(tsk) && Mem.getIntVolatile(sig + SignalStruct.LIVE) == 1) {
            final int gec = getInt(sig + SignalStruct.GROUP_EXIT_CODE);
            throw g.panic.panic(String.format("Attempted to kill init! exitcode=0x%08x", gec != 0 ? gec : code));
        }
        exitSignals(tsk); // sets PF_EXITING
        final boolean groupDead = Mem.getAndAddInt(sig + SignalStruct.LIVE, -1) == 1;
        // (group_dead: hrtimer_cancel, exit_itimers: no timers; setmax_mm_hiwater_rss: no maxrss)
        putInt(tsk + TaskStruct.EXIT_CODE, code);
        exitMm(g, tsk);
        // (exit_sem, exit_shm: no System V IPC objects in the model)
        Files.exitFiles(g, tsk);
        FsStructs.exitFs(g, tsk);
        Nsproxies.exitTaskNamespaces(g, tsk);
        // (exit_task_work: no task work queued; exit_thread: no io bitmap; perf, autogroup: none)
        Cgroups.cgroupExit(g, tsk); // off the css_set's list; the reference goes at cgroup_free
        exitNotify(g, tsk, groupDead);
        ProcConnector.procExitConnector(g, tsk);
        // (mpol_put_task_policy: no policies; pi_state_cache: no PI futexes)
        if (getLong(tsk + TaskStruct.IO_CONTEXT) != 0) {
            BlkIoc.exitIoContext(g, tsk);
        }
        doTaskDead(g, tsk);
    }

    /**
     * exit_mm: tsk lets go of its mm. mm_release first (the vfork parent is released, the
     * clear_child_tid word cleared), then, under task_lock, mm goes to NULL while active_mm keeps
     * the mm (mmgrab) until the last context switch; mmput drops the task's user reference.
     * (core dumps: the model has none, so no core_state to join; mm_update_next_owner: the mm's
     * owner is not modelled.)
     */
    static void exitMm(Globals g, long tsk) {
        final long mm = getLong(tsk + TaskStruct.MM);
        ForkMmRelease.exitMmRelease(g, tsk, mm);
        if (mm == 0) {
            return;
        }
        ForkMm.mmgrab(mm);
        if (getLong(tsk + TaskStruct.ACTIVE_MM) != mm) {
            throw new IllegalStateException("exit_mm: mm is not active_mm (task 0x" + Long.toHexString(tsk) + ")");
        }
        final long lock = tsk + TaskStruct.ALLOC_LOCK;
        Spinlock.lock(lock);
        Mem.putLongVolatile(tsk + TaskStruct.MM, 0);
        Spinlock.unlock(lock);
        ForkMm.mmput(g.mm, mm);
    }

    /**
     * do_task_dead and the dead task's last context switch (finish_task_switch's TASK_DEAD part):
     * the model has no scheduler, so they run here, at the end of do_exit. The lazy active_mm
     * reference goes (mmdrop), then the stack (put_task_stack) and the scheduler's rcu user.
     */
    static void doTaskDead(Globals g, long tsk) {
        Mem.putLongVolatile(tsk + TaskStruct.STATE, TaskState.TASK_DEAD);
        putInt(tsk + TaskStruct.FLAGS, getInt(tsk + TaskStruct.FLAGS) | TaskFlags.PF_NOFREEZE);
        final long activeMm = getLong(tsk + TaskStruct.ACTIVE_MM);
        if (activeMm != 0 && activeMm != g.mm.initMmAddress()) {
            putLong(tsk + TaskStruct.ACTIVE_MM, 0);
            ForkMm.mmdrop(g.mm, activeMm);
        }
        SchedCore.clearTskThreadFlag(tsk, TIF_IN_CALL);
        g.forkInit.stacks().putTaskStack(tsk, g.cpus.current());
        putTaskStructRcuUser(g, tsk);
    }

    /**
     * do_group_exit: current's whole group ends. The first thread to get here sets
     * SIGNAL_GROUP_EXIT and group_exit_code and sends SIGKILL to the others (zap_other_threads);
     * a later one exits with the code already set.
     *
     * @param exitCode an exit_code (no core-dump bit: core dumps do not come this way)
     */
    public static void doGroupExit(Globals g, long current, int exitCode) {
        if ((exitCode & 0x80) != 0) {
            throw new IllegalArgumentException("do_group_exit: core dumps do not get here");
        }
        final long sig = Signal.signal(current);
        if (signalGroupExit(sig)) {
            exitCode = getInt(sig + SignalStruct.GROUP_EXIT_CODE);
        } else if (!Signal.threadGroupEmpty(current)) {
            final long siglock = Signal.siglock(current);
            Spinlock.lock(siglock);
            if (signalGroupExit(sig)) {
                exitCode = getInt(sig + SignalStruct.GROUP_EXIT_CODE);
            } else {
                putInt(sig + SignalStruct.GROUP_EXIT_CODE, exitCode);
                putInt(sig + SignalStruct.FLAGS, SignalFlags.SIGNAL_GROUP_EXIT);
                Signal.zapOtherThreads(g, current);
            }
            Spinlock.unlock(siglock);
        }
        doExit(g, current, exitCode);
    }

    /** sys_exit: do_exit((error_code &amp; 0xff) &lt;&lt; 8). */
    public static void sysExit(Globals g, long current, int errorCode) {
        doExit(g, current, WaitRules.exitCode(errorCode));
    }

    /** sys_exit_group: do_group_exit((error_code &amp; 0xff) &lt;&lt; 8). */
    public static void sysExitGroup(Globals g, long current, int errorCode) {
        doGroupExit(g, current, WaitRules.exitCode(errorCode));
    }

    // ------------------------------------------------------------------------------------------
    // Fatal signals of tasks outside any call
    // ------------------------------------------------------------------------------------------

    /** Whether a Java thread acts for {@code t} inside a call ({@link #TIF_IN_CALL}). */
    public static boolean inCall(long t) {
        return SchedCore.testTskThreadFlag(t, TIF_IN_CALL);
    }

    /** The syscall layer's mark: {@code t} enters ({@code true}) or leaves a call. */
    public static void setInCall(long t, boolean in) {
        if (in) {
            SchedCore.setTskThreadFlag(t, TIF_IN_CALL);
        } else {
            SchedCore.clearTskThreadFlag(t, TIF_IN_CALL);
        }
    }

    /**
     * The end of {@code t}'s call (the syscall layer's): the mark goes, and a deadly signal the
     * call did not act on kicks the walk of {@link #exitIdleTasks}, which skipped t while it was
     * in the call ({@link org.kfork.sched.IdleKick}'s invariant).
     */
    public static void leaveCall(Globals g, long t) {
        SchedCore.clearTskThreadFlag(t, TIF_IN_CALL);
        if (Wait.fatalSignalPending(t) || SignalDelivery.deadlySignalPending(t)) {
            g.idleKick.kick();
        }
    }

    /**
     * The first task, in tasks-list order (each process's threads in thread order), that has a
     * fatal signal pending (SIGKILL, or a signal whose default action would end its group:
     * SIGSEGV, an exit signal such as SIGBUS... which complete_signal leaves queued when it
     * dumps core or no thread wanted it), is outside any call and has not begun to exit; 0 when none. Under
     * tasklist_lock for reading; the task returned carries a reference for the caller.
     */
    static long nextIdleDoomed(Globals g) {
        g.tasklistLock.readLock().lock();
        try {
            final long head = g.initTask + TaskStruct.TASKS;
            for (long n = IntrusiveList.next(head); n != head; n = IntrusiveList.next(n)) {
                final long p = n - TaskStruct.TASKS;
                for (long t = firstThread(p); t != 0; t = nextThreadOf(p, t)) {
                    if (!inCall(t)
                        // after a panic, init stays as it died (its exit would panic again)
                        && (!g.panic.panicked() || !Signal.isGlobalInit(t))
                        && (getInt(t + TaskStruct.FLAGS) & TaskFlags.PF_EXITING) == 0
                        && getInt(t + TaskStruct.EXIT_STATE) == 0
                        && (Wait.fatalSignalPending(t) || SignalDelivery.deadlySignalPending(t))
                        // claimed, as a call would claim it: two threads running exitIdleTasks at
                        // once (each call's finish does) must not both make the same task exit
                        && !SchedCore.testAndSetTskThreadFlag(t, TIF_IN_CALL)) {
                        return ForkTask.getTaskStruct(t);
                    }
                }
            }
            return 0;
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }

    /**
     * Runs the pending fatal exits of the tasks outside any call, on the caller's Java thread,
     * acting for each in turn, in tasks-list order, until none is left (an exit may doom others:
     * a namespace's init takes its namespace with it). Each one does what get_signal does on
     * the task's way back to user space: SIGKILL is dequeued and the group exits with its
     * group_exit_code, or with SIGKILL's number; another deadly signal ends the group with its
     * number. A task in user space takes a signal at once in 5.12 (signal_wake_up kicks it), so
     * it never makes another call with a deadly signal queued: without this, its next call ran
     * (a wait4 reaped a child) and then returned KILLED (the stress fuzzer's wait4 mismatch).
     * The walk of every task runs only when a signal was sent since the last one
     * ({@link org.kfork.sched.IdleKick}): it ran at the end of every call, and made each call
     * cost a walk of all the tasks (70% of a fork + exit + wait4 among 10^4 processes).
     *
     * @return how many tasks exited
     */
    public static int exitIdleTasks(Globals g) {
        if (!g.idleKick.take()) {
            return 0;
        }
        int n = 0;
        for (long t; (t = nextIdleDoomed(g)) != 0; n++) {
            try {
                // get_signal as on the way back to user space: the handled signals queued below
                // the deadly one count as run, and SIGKILL's path or the deadly signal ends the group
                final int fatal = SignalDelivery.getSignal(g, t) & SignalRestart.FATAL_MASK;
                if (fatal == Signals.SIGKILL) {
                    fatalSignalExit(g, t);
                } else if (fatal != 0) {
                    doGroupExit(g, t, fatal);
                }
            } finally {
                // the claim and the reference go even when the exit panics (init's last thread)
                setInCall(t, false);
                ForkTask.putTaskStruct(g, t);
            }
        }
        return n;
    }

    /**
     * {@link #exitIdleTasks} at once, kick or none: for a caller that has just doomed tasks and
     * waits for them to go (zap_pid_ns_processes, de_thread). A task it killed may have had
     * SIGKILL pending already, so no wake-up kicked, and the walk that would find it may be the
     * one this caller runs inside (a namespace's init exiting in a walk).
     */
    public static int exitIdleTasksNow(Globals g) {
        g.idleKick.kick();
        return exitIdleTasks(g);
    }

    /**
     * get_signal's fatal path for a task with SIGKILL pending (a kill, or zap_other_threads):
     * SIGKILL is dequeued and the group exits, with its group_exit_code when the group is
     * exiting already, else with SIGKILL's number. The syscall layer calls it for a task whose
     * call ended with a fatal signal pending; {@link #exitIdleTasks} for tasks outside any call.
     */
    public static void fatalSignalExit(Globals g, long t) {
        final long siglock = Signal.siglock(t);
        Spinlock.lock(siglock);
        final long pending = t + TaskStruct.PENDING + Sigpending.SIGNAL;
        putLong(pending, getLong(pending) & ~(1L << (Signals.SIGKILL - 1)));
        Signal.recalcSigpending(t);
        Spinlock.unlock(siglock);
        doGroupExit(g, t, Signals.SIGKILL);
    }
}
