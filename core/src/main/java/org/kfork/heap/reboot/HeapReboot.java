package org.kfork.heap.reboot;

import java.util.ArrayList;
import java.util.List;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.block.HeapBlkIoc;
import org.kfork.heap.cgroup.HeapCgroups;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fork.HeapForkSignal;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.fs.HeapFsStructs;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.nsproxy.HeapNsproxies;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.pid.PidRules;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.smp.CurrentCpu;

/** The heap twin of org.kfork.kernel.reboot.Reboot: kernel_power_off, every task given back. */
public final class HeapReboot {
    private HeapReboot() {
    }

    /** kernel_power_off (see the off-heap twin). */
    public static void kernelPowerOff(HeapGlobals g) {
        for (HeapTask p : tasksNewestFirst(g)) {
            if (p.exitState != 0) {
                HeapExit.releaseTask(g, g.initTask, p);
            } else {
                powerOff(g, p, false);
            }
        }
        for (int cpu = 1; cpu < g.idleThreads.length; cpu++) {
            if (g.idleThreads[cpu] != null) {
                powerOff(g, g.idleThreads[cpu], true);
                g.idleThreads[cpu] = null;
            }
        }
        g.rcu.rcuBarrier();
    }

    private static List<HeapTask> tasksNewestFirst(HeapGlobals g) {
        final List<HeapTask> all = new ArrayList<>();
        g.tasklistLock.readLock().lock();
        try {
            final HeapIntrusiveList head = g.initTask.tasks;
            for (HeapIntrusiveList n = head.next(); n != head; n = n.next()) {
                final HeapTask p = ((HeapTask.Link) n).task;
                all.add(p);
                final HeapIntrusiveList threads = p.signal.threadHead;
                for (HeapIntrusiveList t = threads.next(); t != threads; t = t.next()) {
                    if (((HeapTask.Link) t).task != p) {
                        all.add(((HeapTask.Link) t).task);
                    }
                }
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        final List<HeapTask> out = new ArrayList<>(all.size());
        for (int i = all.size() - 1; i >= 0; i--) {
            out.add(all.get(i));
        }
        return out;
    }

    private static void powerOff(HeapGlobals g, HeapTask p, boolean idle) {
        final boolean leader = p.groupLeader == p;
        final HeapSignalStruct sig = p.signal;
        p.flags |= TaskFlags.PF_EXITING;
        sig.live.decrementAndGet();
        HeapCgroups.cgroupExit(g, p);
        final HeapMmStruct mm = p.mm;
        final HeapMmStruct activeMm = p.activeMm;
        p.mm = null;
        p.activeMm = null;
        if (mm != null) {
            HeapForkMm.mmput(g.mm, mm);
        }
        if (activeMm != null && activeMm != mm && activeMm != g.mm.initMmStruct()) {
            HeapForkMm.mmdrop(g.mm, activeMm);
        }
        HeapFiles.exitFiles(g, p);
        HeapFsStructs.exitFs(g, p);
        if (p.ioContext != null) {
            HeapBlkIoc.exitIoContext(g, p);
        }
        HeapNsproxies.exitTaskNamespaces(g, p);
        p.exitState = TaskState.EXIT_DEAD;
        p.realCred.user.processes.decrementAndGet();
        HeapSignal.flushSignals(g, p);
        g.tasklistLock.writeLock().lock();
        final HeapSighandStruct sighand = p.sighand;
        sighand.siglock.lock();
        sig.nrThreads--;
        if (!idle) {
            unlinkTask(g, p, leader);
        }
        p.sighand = null;
        sighand.siglock.unlock();
        g.tasklistLock.writeLock().unlock();
        HeapForkSignal.__cleanupSighand(g, sighand);
        p.setState(TaskState.TASK_DEAD);
        g.stacks.putTaskStack(p, CurrentCpu.current(g.nrCpus));
        HeapExit.putTaskStructRcuUser(g, p);
        HeapExit.putTaskStructRcuUser(g, p);
    }

    /** release_task's unhashing (see the off-heap twin). */
    private static void unlinkTask(HeapGlobals g, HeapTask p, boolean leader) {
        if (leader) {
            final HeapPid pid = p.threadPid();
            final HeapPidNamespace ns = pid == null ? null : HeapPids.nsOfPid(pid);
            if (ns != null && (HeapPidNamespaces.childReaper(ns) == p || HeapPids.isChildReaper(pid))) {
                HeapPids.disablePidAllocation(g, ns);
                HeapPidNamespaces.setChildReaper(ns, null);
            }
        }
        HeapPids.detachPid(g, p, PidRules.PIDTYPE_PID);
        if (leader) {
            HeapPids.detachPid(g, p, PidRules.PIDTYPE_TGID);
            detachGroupPid(g, p, PidRules.PIDTYPE_PGID);
            detachGroupPid(g, p, PidRules.PIDTYPE_SID);
            HeapIntrusiveList.listDel(p.tasks);
            HeapIntrusiveList.listDelInit(p.sibling);
            g.processCounts.decrementAndGet(CurrentCpu.current(g.nrCpus));
        } else {
            HeapIntrusiveList.listDelInit(p.sibling);
        }
        HeapIntrusiveList.listDel(p.threadGroup);
        HeapIntrusiveList.listDel(p.threadNode);
        g.nrThreads--;
    }

    private static void detachGroupPid(HeapGlobals g, HeapTask p, int type) {
        if (p.signal.pid(type) == g.initStructPid) {
            HeapHList.delRcu(p.pidLink(type));
        } else {
            HeapPids.detachPid(g, p, type);
        }
    }
}
