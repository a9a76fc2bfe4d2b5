package org.kfork.kernel.reboot;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import java.util.ArrayList;
import java.util.List;

import org.kfork.ds.HList;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.block.BlkIoc;
import org.kfork.kernel.cgroup.Cgroups;
import org.kfork.kernel.exit.Exit;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.kernel.fork.ForkSignal;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.fs.FsStructs;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.nsproxy.Nsproxies;
import org.kfork.kernel.pid.PidNamespaces;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.HlistNode;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;

/**
 * kernel/reboot.c (5.12), kernel_power_off as the model needs it: 5.12 stops the machine with
 * every task still in memory, but the model gives its RAM back, and every object must go back to
 * its cache first (the machine's close is a leak check). Each task still there (init, and any
 * task a caller left behind) goes the way do_exit and release_task would take it, without the
 * signals and the wait: its mm, files, fs, io_context, namespaces, pending signals and cgroup
 * given back, then it leaves the tree and its pids, its sighand is dropped, and its stack and
 * last references go.
 *
 * <p>Called with no call running on the kernel (the caller made sure of it); tasks go children
 * first (reverse creation order, each group's other threads before its leader), and an RCU
 * barrier ends it, so that the delayed frees have run.
 */
public final class Reboot {
    private Reboot() {
    }

    /** kernel_power_off: every task torn down; the machine's caches then hold only what boot made. */
    public static void kernelPowerOff(Globals g) {
        for (long p : tasksNewestFirst(g)) {
            if (getInt(p + TaskStruct.EXIT_STATE) != 0) {
                Exit.releaseTask(g, g.initTask, p); // a zombie: do_exit ran, release_task is left
            } else {
                powerOff(g, p, false);
            }
        }
        // the idle tasks fork_idle made (smpboot's idle_threads): on no list, they go last
        for (int cpu = 1; cpu < g.idleThreads.length; cpu++) {
            if (g.idleThreads[cpu] != 0) {
                powerOff(g, g.idleThreads[cpu], true);
                g.idleThreads[cpu] = 0;
            }
        }
        g.rcu.rcuBarrier();
    }

    /** Every task, each process's threads after its leader, newest first. */
    private static List<Long> tasksNewestFirst(Globals g) {
        final List<Long> all = new ArrayList<>();
        g.tasklistLock.readLock().lock();
        try {
            final long head = g.initTask + TaskStruct.TASKS;
            for (long n = IntrusiveList.next(head); n != head; n = IntrusiveList.next(n)) {
                final long p = n - TaskStruct.TASKS;
                all.add(p);
                final long threads = getLong(p + TaskStruct.SIGNAL) + SignalStruct.THREAD_HEAD;
                for (long t = IntrusiveList.next(threads); t != threads; t = IntrusiveList.next(t)) {
                    if (t - TaskStruct.THREAD_NODE != p) {
                        all.add(t - TaskStruct.THREAD_NODE);
                    }
                }
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        final List<Long> out = new ArrayList<>(all.size());
        for (int i = all.size() - 1; i >= 0; i--) {
            out.add(all.get(i));
        }
        return out;
    }

    /**
     * do_exit's releases and release_task, for a live task that is not running; an idle task
     * (fork_idle) holds no pid but init_struct_pid and is on no list, so it leaves none.
     */
    private static void powerOff(Globals g, long p, boolean idle) {
        final boolean leader = getLong(p + TaskStruct.GROUP_LEADER) == p;
        final long sig = getLong(p + TaskStruct.SIGNAL);
        putInt(p + TaskStruct.FLAGS, getInt(p + TaskStruct.FLAGS) | TaskFlags.PF_EXITING);
        Mem.getAndAddInt(sig + SignalStruct.LIVE, -1);
        Cgroups.cgroupExit(g, p);
        final long mm = getLong(p + TaskStruct.MM);
        final long activeMm = getLong(p + TaskStruct.ACTIVE_MM);
        putLong(p + TaskStruct.MM, 0);
        putLong(p + TaskStruct.ACTIVE_MM, 0);
        if (mm != 0) {
            ForkMm.mmput(g.mm, mm);
        }
        if (activeMm != 0 && activeMm != mm && activeMm != g.mm.initMmAddress()) {
            ForkMm.mmdrop(g.mm, activeMm);
        }
        Files.exitFiles(g, p);
        FsStructs.exitFs(g, p);
        if (getLong(p + TaskStruct.IO_CONTEXT) != 0) {
            BlkIoc.exitIoContext(g, p);
        }
        Nsproxies.exitTaskNamespaces(g, p);
        putInt(p + TaskStruct.EXIT_STATE, TaskState.EXIT_DEAD);
        // release_task
        Mem.getAndAddInt(getLong(getLong(p + TaskStruct.REAL_CRED) + Cred.USER) + UserStruct.PROCESSES, -1);
        // __exit_signal's flush: the thread's pending signals and the group's
        Signal.flushSignals(g, p);
        g.tasklistLock.writeLock().lock();
        final long sighand = getLong(p + TaskStruct.SIGHAND);
        Spinlock.lock(sighand + SighandStruct.SIGLOCK);
        putInt(sig + SignalStruct.NR_THREADS, getInt(sig + SignalStruct.NR_THREADS) - 1);
        if (!idle) {
            unlinkTask(g, p, leader);
        }
        putLong(p + TaskStruct.SIGHAND, 0);
        Spinlock.unlock(sighand + SighandStruct.SIGLOCK);
        g.tasklistLock.writeLock().unlock();
        ForkSignal.__cleanupSighand(g, sighand);
        Mem.putLongVolatile(p + TaskStruct.STATE, TaskState.TASK_DEAD);
        g.forkInit.stacks().putTaskStack(p, g.cpus.current());
        Exit.putTaskStructRcuUser(g, p); // release_task's
        Exit.putTaskStructRcuUser(g, p); // the last schedule's
    }

    /** release_task's unhashing, under tasklist_lock and the siglock: pids, lists, counters. */
    private static void unlinkTask(Globals g, long p, boolean leader) {
        if (leader) {
            final long pid = getLong(p + TaskStruct.THREAD_PID);
            final long ns = Pids.nsOfPid(pid);
            // the namespace's init (or its reaper) goes: no pid is allocated there any more, and
            // its last pid goes without a reaper to wake
            if (ns != 0 && (PidNamespaces.childReaper(ns) == p || Pids.isChildReaper(pid))) {
                Pids.disablePidAllocation(g, ns);
                PidNamespaces.setChildReaper(ns, 0);
            }
        }
        Pids.detachPid(g, p, PidRules.PIDTYPE_PID);
        if (leader) {
            Pids.detachPid(g, p, PidRules.PIDTYPE_TGID);
            detachGroupPid(g, p, PidRules.PIDTYPE_PGID);
            detachGroupPid(g, p, PidRules.PIDTYPE_SID);
            IntrusiveList.delRcu(p + TaskStruct.TASKS);
            IntrusiveList.delInit(p + TaskStruct.SIBLING);
            g.forkInit.processCounts().dec(g.cpus.current());
        } else {
            IntrusiveList.delInit(p + TaskStruct.SIBLING);
        }
        IntrusiveList.delRcu(p + TaskStruct.THREAD_GROUP);
        IntrusiveList.delRcu(p + TaskStruct.THREAD_NODE);
        g.nrThreads--;
    }

    /**
     * detach_pid of a process group or session; init's are init_struct_pid, a static never
     * freed, so its link is only unhashed.
     */
    private static void detachGroupPid(Globals g, long p, int type) {
        final long pid = getLong(getLong(p + TaskStruct.SIGNAL) + SignalStruct.PIDS + (long) Long.BYTES * type);
        if (pid == g.initStructPid) {
            HList.delRcu(p + TaskStruct.PID_LINKS + (long) HlistNode.SIZEOF * type);
        } else {
            Pids.detachPid(g, p, type);
        }
    }
}
