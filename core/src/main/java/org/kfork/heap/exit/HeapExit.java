package org.kfork.heap.exit;

import org.kfork.arch.SignalRestart;
import org.kfork.exit.WaitRules;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.block.HeapBlkIoc;
import org.kfork.heap.cgroup.HeapCgroups;
import org.kfork.heap.events.HeapProcConnector;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fork.HeapForkMmRelease;
import org.kfork.heap.fork.HeapForkSignal;
import org.kfork.heap.fork.HeapForkTask;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.fs.HeapFsStructs;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.nsproxy.HeapNsproxies;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.sched.HeapWait;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalCalls;
import org.kfork.heap.signal.HeapSignalDelivery;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.pid.PidRules;
import org.kfork.sched.SignalFlags;
import org.kfork.smp.CurrentCpu;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.Signals;

/**
 * The heap twin of org.kfork.kernel.exit.Exit: kernel/exit.c (5.12), do_exit, exit_notify and
 * reparenting, release_task, do_group_exit, put_task_struct_rcu_user, the dead task's last
 * context switch and the exits of idle doomed tasks, with the same steps and invariants.
 */
public final class HeapExit {
    /** The model's thread_info flag "a Java thread acts for this task inside a call" (Exit.TIF_IN_CALL). */
    public static final int TIF_IN_CALL = 63;

    private HeapExit() {
    }

    /** Names delayed_put_task_struct, and points free_pid's wake_up_process at HeapWait (boot). */
    public static void exitInit(HeapGlobals g) {
        g.delayedPutTaskStructFn = head -> delayedPutTaskStruct(g, (HeapTask) head);
        g.wakeUpProcess = task -> HeapWait.wakeUpAll(g);
    }

    // ---- the process tree, read through a task

    /** thread_group_leader. */
    public static boolean threadGroupLeader(HeapTask p) {
        return p.groupLeader == p;
    }

    /** The first task of for_each_thread(p, t), or null. */
    public static HeapTask firstThread(HeapTask p) {
        return HeapSignal.firstThread(p.signal);
    }

    /** The next task of for_each_thread(p, t) after t, or null. */
    public static HeapTask nextThreadOf(HeapTask p, HeapTask t) {
        return HeapSignal.nextThreadNode(p.signal, t);
    }

    /** signal->is_child_subreaper. */
    public static boolean isChildSubreaper(HeapSignalStruct sig) {
        return sig.isChildSubreaper;
    }

    /** signal->has_child_subreaper. */
    public static boolean hasChildSubreaper(HeapSignalStruct sig) {
        return sig.hasChildSubreaper;
    }

    /** prctl(PR_SET_CHILD_SUBREAPER) (kernel/sys.c). */
    public static void setChildSubreaper(HeapTask current, boolean on) {
        current.signal.isChildSubreaper = on;
        if (on) {
            current.signal.hasChildSubreaper = true;
        }
    }

    /** signal->has_child_subreaper written. */
    public static void setHasChildSubreaper(HeapSignalStruct sig, boolean on) {
        sig.hasChildSubreaper = on;
    }

    /** signal_group_exit. */
    public static boolean signalGroupExit(HeapSignalStruct sig) {
        return (sig.flags & SignalFlags.SIGNAL_GROUP_EXIT) != 0 || sig.groupExitTask != null;
    }

    // ---- release_task

    /** __unhash_process. */
    static void __unhashProcess(HeapGlobals g, HeapTask p, boolean groupDead) {
        g.nrThreads--;
        HeapPids.detachPid(g, p, PidRules.PIDTYPE_PID);
        if (groupDead) {
            HeapPids.detachPid(g, p, PidRules.PIDTYPE_TGID);
            HeapPids.detachPid(g, p, PidRules.PIDTYPE_PGID);
            HeapPids.detachPid(g, p, PidRules.PIDTYPE_SID);
            HeapIntrusiveList.listDel(p.tasks);
            HeapIntrusiveList.listDelInit(p.sibling);
            g.processCounts.decrementAndGet(CurrentCpu.current(g.nrCpus));
        }
        HeapIntrusiveList.listDel(p.threadGroup);
        HeapIntrusiveList.listDel(p.threadNode);
    }

    /** __exit_signal. */
    static void __exitSignal(HeapGlobals g, HeapTask tsk) {
        final HeapSignalStruct sig = tsk.signal;
        final boolean groupDead = threadGroupLeader(tsk);
        final HeapSighandStruct sighand = tsk.sighand;
        sighand.siglock.lock();
        if (!groupDead) {
            final int notify = sig.notifyCount;
            if (notify > 0) {
                sig.notifyCount = notify - 1;
                if (notify == 1) {
                    HeapWait.wakeUpAll(g);
                }
            }
            if (sig.currTarget == tsk) {
                sig.currTarget = HeapSignal.nextThread(tsk);
            }
        }
        sig.utime += tsk.utime;
        sig.stime += tsk.stime;
        sig.gtime += tsk.gtime;
        sig.nrThreads--;
        __unhashProcess(g, tsk, groupDead);
        HeapSignal.flushSigqueue(g, tsk.pending);
        tsk.sighand = null;
        sighand.siglock.unlock();
        HeapForkSignal.__cleanupSighand(g, sighand);
        tsk.clearTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
        if (groupDead) {
            HeapSignal.flushSigqueue(g, sig.sharedPending);
        }
    }

    /** delayed_put_task_struct. */
    static void delayedPutTaskStruct(HeapGlobals g, HeapTask tsk) {
        HeapForkTask.putTaskStruct(g, tsk);
    }

    /** put_task_struct_rcu_user: the last rcu user queues delayed_put_task_struct. */
    public static void putTaskStructRcuUser(HeapGlobals g, HeapTask task) {
        if (task.rcuUsersDecAndTest()) {
            g.rcu.callRcu(task, g.delayedPutTaskStructFn);
        }
    }

    /** release_task. */
    public static void releaseTask(HeapGlobals g, HeapTask current, HeapTask p) {
        for (;;) {
            p.realCred.user.processes.decrementAndGet();
            final HeapPid threadPid;
            boolean zapLeader = false;
            final HeapTask leader;
            g.tasklistLock.writeLock().lock();
            try { // see the off-heap twin
                threadPid = HeapPids.getPid(p.threadPid());
                __exitSignal(g, p);
                leader = p.groupLeader;
                if (leader != p && HeapSignal.threadGroupEmpty(leader) && leader.exitState == TaskState.EXIT_ZOMBIE) {
                    zapLeader = HeapSignalCalls.doNotifyParent(g, current, leader, leader.exitSignal);
                    if (zapLeader) {
                        leader.exitState = TaskState.EXIT_DEAD;
                    }
                }
            } finally {
                g.tasklistLock.writeLock().unlock();
            }
            HeapPids.putPid(g, threadPid);
            putTaskStructRcuUser(g, p);
            if (!zapLeader) {
                return;
            }
            p = leader;
        }
    }

    // ---- exit_notify and reparenting

    /** find_alive_thread. */
    static HeapTask findAliveThread(HeapTask p) {
        for (HeapTask t = firstThread(p); t != null; t = nextThreadOf(p, t)) {
            if ((t.flags & TaskFlags.PF_EXITING) == 0) {
                return t;
            }
        }
        return null;
    }

    /** find_child_reaper. */
    static HeapTask findChildReaper(HeapGlobals g, HeapTask father) {
        final HeapPidNamespace ns = HeapPids.taskActivePidNs(father);
        HeapTask reaper = HeapPidNamespaces.childReaper(ns);
        if (reaper != father) {
            return reaper;
        }
        reaper = findAliveThread(father);
        if (reaper != null) {
            HeapPidNamespaces.setChildReaper(ns, reaper);
            return reaper;
        }
        g.tasklistLock.writeLock().unlock();
        try {
            HeapPidNsExit.zapPidNsProcesses(g, father, ns);
        } finally {
            g.tasklistLock.writeLock().lock();
        }
        return father;
    }

    /** find_new_reaper. */
    static HeapTask findNewReaper(HeapTask father, HeapTask childReaper, HeapTask initTask) {
        HeapTask thread = findAliveThread(father);
        if (thread != null) {
            return thread;
        }
        if (hasChildSubreaper(father.signal)) {
            final int nsLevel = father.threadPid().level();
            for (HeapTask reaper = father.realParent; reaper.threadPid().level() == nsLevel; reaper = reaper.realParent) {
                if (reaper == initTask) {
                    break;
                }
                if (!isChildSubreaper(reaper.signal)) {
                    continue;
                }
                thread = findAliveThread(reaper);
                if (thread != null) {
                    return thread;
                }
            }
        }
        return childReaper;
    }

    /** reparent_leader. */
    static HeapTask reparentLeader(HeapGlobals g, HeapTask father, HeapTask p, HeapTask dead) {
        if (p.exitState == TaskState.EXIT_DEAD) {
            return dead;
        }
        p.exitSignal = Signals.SIGCHLD;
        if (p.ptrace == 0 && p.exitState == TaskState.EXIT_ZOMBIE && HeapSignal.threadGroupEmpty(p)) {
            if (HeapSignalCalls.doNotifyParent(g, father, p, p.exitSignal)) {
                p.exitState = TaskState.EXIT_DEAD;
                return pushDead(p, dead);
            }
        }
        return dead;
    }

    /** The dead list, threaded through ptrace_entry (list_add at the head). */
    private static HeapTask pushDead(HeapTask p, HeapTask dead) {
        p.deadNext = dead;
        return p;
    }

    private static void releaseDead(HeapGlobals g, HeapTask current, HeapTask dead) {
        while (dead != null) {
            final HeapTask next = dead.deadNext;
            dead.deadNext = null;
            releaseTask(g, current, dead);
            dead = next;
        }
    }

    /** forget_original_parent. */
    static HeapTask forgetOriginalParent(HeapGlobals g, HeapTask father, HeapTask dead) {
        HeapTask reaper = findChildReaper(g, father);
        final HeapIntrusiveList children = father.children;
        if (HeapIntrusiveList.listEmpty(children)) {
            return dead;
        }
        reaper = findNewReaper(father, reaper, g.initTask);
        for (HeapIntrusiveList n = children.next(); n != children; n = n.next()) {
            final HeapTask p = ((HeapTask.Link) n).task;
            for (HeapTask t = firstThread(p); t != null; t = nextThreadOf(p, t)) {
                t.realParent = reaper;
                if (t.ptrace == 0) {
                    t.parent = reaper;
                }
                if (t.pdeathSignal != 0) {
                    HeapSignalCalls.groupSendSigInfo(g, father, t.pdeathSignal, HeapSignal.SEND_SIG_NOINFO, t,
                        PidRules.PIDTYPE_TGID);
                }
            }
            if (reaper.signal != father.signal) {
                dead = reparentLeader(g, father, p, dead);
            }
        }
        while (!HeapIntrusiveList.listEmpty(children)) {
            HeapIntrusiveList.listMoveTail(children.next(), reaper.children);
        }
        return dead;
    }

    /** exit_notify. */
    static void exitNotify(HeapGlobals g, HeapTask tsk, boolean groupDead) {
        HeapTask dead;
        g.tasklistLock.writeLock().lock();
        try {
            dead = forgetOriginalParent(g, tsk, null);
            tsk.exitState = TaskState.EXIT_ZOMBIE;
            final boolean autoreap;
            if (threadGroupLeader(tsk)) {
                autoreap = HeapSignal.threadGroupEmpty(tsk) && HeapSignalCalls.doNotifyParent(g, tsk, tsk.exitSignal);
            } else {
                autoreap = true;
            }
            if (autoreap) {
                tsk.exitState = TaskState.EXIT_DEAD;
                dead = pushDead(tsk, dead);
            }
            if (tsk.signal.notifyCount < 0) {
                HeapWait.wakeUpAll(g);
            }
        } finally {
            g.tasklistLock.writeLock().unlock();
        }
        releaseDead(g, tsk, dead);
    }

    // ---- do_exit, do_group_exit

    /** exit_signals (kernel/signal.c). */
    static void exitSignals(HeapTask tsk) {
        final HeapSignalStruct sig = tsk.signal;
        if (HeapSignal.threadGroupEmpty(tsk) || signalGroupExit(sig)) {
            tsk.flags |= TaskFlags.PF_EXITING;
            return;
        }
        final HeapSighandStruct sighand = tsk.sighand;
        sighand.siglock.lock();
        tsk.flags |= TaskFlags.PF_EXITING;
        sighand.siglock.unlock();
    }

    /** do_exit. */
    public static void doExit(HeapGlobals g, HeapTask tsk, int code) {
        if (tsk.pid == 0) {
            throw new IllegalStateException("Attempted to kill the idle task!");
        }
        if ((tsk.flags & TaskFlags.PF_EXITING) != 0) {
            throw new IllegalStateException("do_exit: recursive exit of a task");
        }
        final HeapSignalStruct sig = tsk.signal;
        if (HeapSignal.isGlobalInit(tsk) && sig.live.get() == 1) {
            final int gec = sig.groupExitCode;
            throw g.panic.panic(String.format("Attempted to kill init! exitcode=0x%08x", gec != 0 ? gec : code));
        }
        exitSignals(tsk);
        final boolean groupDead = sig.live.decrementAndGet() == 0;
        tsk.exitCode = code;
        exitMm(g, tsk);
        HeapFiles.exitFiles(g, tsk);
        HeapFsStructs.exitFs(g, tsk);
        HeapNsproxies.exitTaskNamespaces(g, tsk);
        HeapCgroups.cgroupExit(g, tsk);
        exitNotify(g, tsk, groupDead);
        HeapProcConnector.procExitConnector(g, tsk);
        if (tsk.ioContext != null) {
            HeapBlkIoc.exitIoContext(g, tsk);
        }
        doTaskDead(g, tsk);
    }

    /** exit_mm. */
    static void exitMm(HeapGlobals g, HeapTask tsk) {
        final HeapMmStruct mm = tsk.mm;
        HeapForkMmRelease.exitMmRelease(g, tsk, mm);
        if (mm == null) {
            return;
        }
        g.mm.bkl().lock(); // a plain count: the big lock guards it, as in HeapMm
        try {
            HeapForkMm.mmgrab(mm);
        } finally {
            g.mm.bkl().unlock();
        }
        if (tsk.activeMm != mm) {
            throw new IllegalStateException("exit_mm: mm is not active_mm");
        }
        tsk.allocLock.lock();
        tsk.mm = null;
        tsk.allocLock.unlock();
        HeapForkMm.mmput(g.mm, mm);
    }

    /** do_task_dead and the dead task's last context switch. */
    static void doTaskDead(HeapGlobals g, HeapTask tsk) {
        tsk.setState(TaskState.TASK_DEAD);
        tsk.flags |= TaskFlags.PF_NOFREEZE;
        final HeapMmStruct activeMm = tsk.activeMm;
        if (activeMm != null && activeMm != g.mm.initMmStruct()) {
            tsk.activeMm = null;
            HeapForkMm.mmdrop(g.mm, activeMm);
        }
        tsk.clearTskThreadFlag(TIF_IN_CALL);
        g.stacks.putTaskStack(tsk, CurrentCpu.current(g.nrCpus));
        putTaskStructRcuUser(g, tsk);
    }

    /** do_group_exit. */
    public static void doGroupExit(HeapGlobals g, HeapTask current, int exitCode) {
        if ((exitCode & 0x80) != 0) {
            throw new IllegalArgumentException("do_group_exit: core dumps do not get here");
        }
        final HeapSignalStruct sig = current.signal;
        if (signalGroupExit(sig)) {
            exitCode = sig.groupExitCode;
        } else if (!HeapSignal.threadGroupEmpty(current)) {
            final HeapSighandStruct sighand = current.sighand;
            sighand.siglock.lock();
            if (signalGroupExit(sig)) {
                exitCode = sig.groupExitCode;
            } else {
                sig.groupExitCode = exitCode;
                sig.flags = SignalFlags.SIGNAL_GROUP_EXIT;
                HeapSignal.zapOtherThreads(g, current);
            }
            sighand.siglock.unlock();
        }
        doExit(g, current, exitCode);
    }

    /** sys_exit. */
    public static void sysExit(HeapGlobals g, HeapTask current, int errorCode) {
        doExit(g, current, WaitRules.exitCode(errorCode));
    }

    /** sys_exit_group. */
    public static void sysExitGroup(HeapGlobals g, HeapTask current, int errorCode) {
        doGroupExit(g, current, WaitRules.exitCode(errorCode));
    }

    // ---- fatal signals of tasks outside any call

    /** Whether a Java thread acts for {@code t} inside a call. */
    public static boolean inCall(HeapTask t) {
        return t.testTskThreadFlag(TIF_IN_CALL);
    }

    /** The syscall layer's mark: {@code t} enters or leaves a call. */
    public static void setInCall(HeapTask t, boolean in) {
        if (in) {
            t.setTskThreadFlag(TIF_IN_CALL);
        } else {
            t.clearTskThreadFlag(TIF_IN_CALL);
        }
    }

    /** The end of {@code t}'s call: the mark goes, and a deadly signal left pending kicks (see the off-heap twin). */
    public static void leaveCall(HeapGlobals g, HeapTask t) {
        t.clearTskThreadFlag(TIF_IN_CALL);
        if (HeapWait.fatalSignalPending(t) || HeapSignalDelivery.deadlySignalPending(t)) {
            g.idleKick.kick();
        }
    }

    /** The first idle doomed task in tasks-list order, with a reference, or null. */
    static HeapTask nextIdleDoomed(HeapGlobals g) {
        g.tasklistLock.readLock().lock();
        try {
            final HeapIntrusiveList head = g.initTask.tasks;
            for (HeapIntrusiveList n = head.next(); n != head; n = n.next()) {
                final HeapTask p = ((HeapTask.Link) n).task;
                for (HeapTask t = firstThread(p); t != null; t = nextThreadOf(p, t)) {
                    if (!inCall(t) && (!g.panic.panicked() || !HeapSignal.isGlobalInit(t))
                        && (t.flags & TaskFlags.PF_EXITING) == 0 && t.exitState == 0
                        && (HeapWait.fatalSignalPending(t) || HeapSignalDelivery.deadlySignalPending(t))
                        // claimed, as a call would claim it (see Exit.nextIdleDoomed)
                        && !t.testAndSetTskThreadFlag(TIF_IN_CALL)) {
                        return HeapForkTask.getTaskStruct(t);
                    }
                }
            }
            return null;
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }

    /** Runs the pending fatal exits of the tasks outside any call (see Exit.exitIdleTasks). */
    public static int exitIdleTasks(HeapGlobals g) {
        if (!g.idleKick.take()) {
            return 0; // no signal since the last walk (see the off-heap twin)
        }
        int n = 0;
        for (HeapTask t; (t = nextIdleDoomed(g)) != null; n++) {
            try {
                final int fatal = HeapSignalDelivery.getSignal(g, t) & SignalRestart.FATAL_MASK;
                if (fatal == Signals.SIGKILL) {
                    fatalSignalExit(g, t);
                } else if (fatal != 0) {
                    doGroupExit(g, t, fatal);
                }
            } finally {
                setInCall(t, false);
                HeapForkTask.putTaskStruct(g, t);
            }
        }
        return n;
    }

    /** exitIdleTasks at once, kick or none (see the off-heap twin): for zap_pid_ns_processes and de_thread. */
    public static int exitIdleTasksNow(HeapGlobals g) {
        g.idleKick.kick();
        return exitIdleTasks(g);
    }

    /** get_signal's fatal path (see Exit.fatalSignalExit). */
    public static void fatalSignalExit(HeapGlobals g, HeapTask t) {
        final HeapSighandStruct sighand = t.sighand;
        sighand.siglock.lock();
        t.pending.signal &= ~(1L << (Signals.SIGKILL - 1));
        HeapSignal.recalcSigpending(t);
        sighand.siglock.unlock();
        doGroupExit(g, t, Signals.SIGKILL);
    }
}
