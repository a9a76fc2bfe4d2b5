package org.kfork.kernel.exit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kfork.mm.AddressSpace;
import org.kfork.exit.WaitOpts;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.cred.HeapCapability;
import org.kfork.heap.cred.HeapCreds;
import org.kfork.heap.cred.HeapUserStruct;
import org.kfork.heap.cred.HeapUsers;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.exit.HeapExitWait;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fork.HeapForkSignal;
import org.kfork.heap.fork.HeapForkTask;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMm;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.nsproxy.HeapNsproxies;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.sched.HeapCompletion;
import org.kfork.heap.sched.HeapWait;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalCalls;
import org.kfork.heap.signal.HeapSignalExterns;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.mm.Mman;
import org.kfork.pid.PidRules;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskState;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Signals;

/** The heap twin for the exit suite; its live objects are back at the baseline at close. */
final class HeapExitWorld implements ExitWorld {
    final HeapGlobals g = HeapGlobals.boot((64L << 20) / 4096, 2);
    private final List<HeapTask> tasks = new ArrayList<>();
    private final List<Integer> pids = new ArrayList<>();
    private final List<HeapCompletion> vforks = new ArrayList<>();
    private final Map<String, Long> baseline;
    private final WaitOpts wo = new WaitOpts();
    /** The handles of the mms the world made, to map pages into them. */
    private final Map<HeapMmStruct, AddressSpace> spaces = new java.util.IdentityHashMap<>();

    HeapExitWorld() {
        g.signalExterns = new Externs();
        HeapPidNamespaces.createPidCachep(g, 1); // see OffHeapExitWorld
        g.rcu.rcuBarrier();
        baseline = g.objectCounts();
        tasks.add(g.initTask);
        pids.add(0);
        final HeapMmStruct mm = newMm();
        final int init = spawn(0, 0, Signals.SIGCHLD);
        task(init).mm = mm;
        task(init).activeMm = mm;
        if (init != INIT || pid(init) != 1) {
            throw new AssertionError("init is not pid 1");
        }
    }

    private HeapMmStruct newMm() {
        final AddressSpace as = g.mm.mmAlloc();
        final HeapMmStruct mm = ((HeapMm) as).mmStruct();
        spaces.put(mm, as);
        return mm;
    }

    HeapTask task(int t) {
        return tasks.get(t);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what + " failed in the test's spawn");
        }
    }

    @Override
    public int spawn(int parent, long flags, int exitSignal) {
        final HeapTask current = task(parent);
        final HeapTask p = HeapForkTask.dupTaskStruct(g, current, HeapForkTask.NUMA_NO_NODE);
        check(p != null, "dup_task_struct");
        HeapForkTask.initTaskTidsAndPi(p, flags, 0);
        org.kfork.heap.cgroup.HeapCgroups.cgroupFork(g, p);
        final org.kfork.heap.fork.HeapKernelCloneArgs kargs = new org.kfork.heap.fork.HeapKernelCloneArgs();
        kargs.flags = flags;
        check(org.kfork.heap.cgroup.HeapCgroups.cgroupCanFork(g, current, p, kargs) == 0, "cgroup_can_fork");
        check(HeapCreds.copyCreds(g, current, p, flags) == 0, "copy_creds");
        HeapForkTask.initTaskState(g, current, p);
        p.setState(TaskState.TASK_RUNNING);
        p.exitState = 0;
        p.exitCode = 0;
        check(org.kfork.heap.fork.HeapForkFiles.copyFiles(g, current, flags, p) == 0, "copy_files");
        check(org.kfork.heap.fork.HeapForkFiles.copyFs(g, current, flags, p) == 0, "copy_fs");
        check(HeapForkSignal.copySighand(g, current, flags, p) == 0, "copy_sighand");
        check(HeapForkSignal.copySignal(g, current, flags, p) == 0, "copy_signal");
        final HeapMmStruct mm = current.mm;
        if (mm != null && (flags & CloneFlags.CLONE_VM) != 0) {
            g.mm.bkl().lock();
            HeapForkMm.mmget(mm);
            g.mm.bkl().unlock();
        } else if (mm != null) {
            final HeapMmStruct nmm = newMm();
            p.mm = nmm;
            p.activeMm = nmm;
        } else {
            p.activeMm = g.mm.initMmStruct();
        }
        check(HeapNsproxies.copyNamespaces(g, current, flags, p) == 0, "copy_namespaces");
        p.ioContext = null;
        final HeapPidNamespace ns = p.nsproxy.pidNsForChildren;
        final HeapPid pid = HeapPids.allocPid(g, ns, null, 0, () -> true);
        check(pid != null && !org.kfork.heap.ErrPtr.isErr(pid), "alloc_pid");
        HeapForkTask.initTaskIdentity(current, p, flags, HeapPids.pidNr(pid));
        final boolean thread = (flags & CloneFlags.CLONE_THREAD) != 0;
        p.exitSignal = thread ? -1 : exitSignal;
        p.setThreadPid(pid);
        g.tasklistLock.writeLock().lock();
        try {
            final HeapTask realParent = (flags & (CloneFlags.CLONE_PARENT | CloneFlags.CLONE_THREAD)) != 0
                ? current.realParent : current;
            p.realParent = realParent;
            p.parent = realParent;
            p.parentExecId = current.selfExecId;
            HeapIntrusiveList.init(p.ptraceEntry);
            HeapIntrusiveList.init(p.ptraced);
            p.ptrace = 0;
            final HeapSignalStruct sig = p.signal;
            if (!thread) {
                if (HeapPids.isChildReaper(pid)) {
                    HeapPidNamespaces.setChildReaper(HeapPids.nsOfPid(pid), p);
                    sig.flags |= SignalFlags.SIGNAL_UNKILLABLE;
                }
                final HeapSignalStruct csig = current.signal;
                HeapExit.setHasChildSubreaper(sig, HeapExit.hasChildSubreaper(csig) || HeapExit.isChildSubreaper(csig));
                final boolean ofIdle = current == g.initTask;
                sig.setPid(PidRules.PIDTYPE_TGID, pid);
                sig.setPid(PidRules.PIDTYPE_PGID, ofIdle ? pid : csig.pid(PidRules.PIDTYPE_PGID));
                sig.setPid(PidRules.PIDTYPE_SID, ofIdle ? pid : csig.pid(PidRules.PIDTYPE_SID));
                HeapIntrusiveList.listAddTail(p.sibling, realParent.children);
                HeapIntrusiveList.listAddTail(p.tasks, g.initTask.tasks);
                HeapPids.attachPid(p, PidRules.PIDTYPE_TGID);
                HeapPids.attachPid(p, PidRules.PIDTYPE_PGID);
                HeapPids.attachPid(p, PidRules.PIDTYPE_SID);
                g.processCounts.incrementAndGet(org.kfork.smp.CurrentCpu.current(g.nrCpus));
            } else {
                sig.nrThreads++;
                sig.live.incrementAndGet();
                sig.sigcnt.inc();
                final HeapTask leader = p.groupLeader;
                HeapIntrusiveList.listAddTail(p.threadGroup, leader.threadGroup);
                HeapIntrusiveList.listAddTail(p.threadNode, sig.threadHead);
            }
            HeapPids.attachPid(p, PidRules.PIDTYPE_PID);
            org.kfork.heap.cgroup.HeapCgroups.cgroupPostFork(g, p, kargs);
            g.nrThreads++;
            g.totalForks++;
        } finally {
            g.tasklistLock.writeLock().unlock();
        }
        tasks.add(p);
        pids.add(HeapPids.pidNr(pid));
        return tasks.size() - 1;
    }

    @Override
    public int pid(int t) {
        return pids.get(t);
    }

    @Override
    public int vpid(int viewer, int t) {
        return HeapPids.taskPidVnr(g, task(viewer), task(t));
    }

    @Override
    public int realParentPid(int t) {
        return task(t).realParent.pid;
    }

    @Override
    public int exitState(int t) {
        return task(t).exitState;
    }

    @Override
    public long taskStructs() {
        return g.objectCounts().getOrDefault("task_struct", 0L);
    }

    @Override
    public void doExit(int t, int code) {
        HeapExit.doExit(g, task(t), code);
    }

    @Override
    public void exitGroup(int t, int errorCode) {
        HeapExit.sysExitGroup(g, task(t), errorCode);
    }

    @Override
    public int wait4(int t, int upid, int options) {
        return HeapExitWait.kernelWait4(g, task(t), upid, options, wo);
    }

    @Override
    public int sysWait4(int t, int upid, long statAddr, int options) {
        return HeapExitWait.sysWait4(g, task(t), upid, statAddr, options, wo);
    }

    @Override
    public int waitid(int t, int which, int id, int options) {
        return HeapExitWait.kernelWaitid(g, task(t), which, id, options, wo);
    }

    @Override
    public int sysWaitid(int t, int which, int id, long infop, int options) {
        return HeapExitWait.sysWaitid(g, task(t), which, id, infop, options, wo);
    }

    @Override
    public int stat() {
        return wo.woStat;
    }

    @Override
    public int[] info() {
        return new int[] {wo.infoPid, wo.infoUid, wo.infoStatus, wo.infoCause};
    }

    @Override
    public void sigchld(int t, long handler, long flags) {
        check(HeapSignalCalls.doSigaction(g, task(t), Signals.SIGCHLD, true, handler, flags, 0, 0, null) == 0,
            "sigaction");
    }

    @Override
    public void kill(int t) {
        HeapSignalCalls.groupSendSigInfo(g, task(INIT), Signals.SIGKILL, HeapSignal.SEND_SIG_PRIV, task(t),
            PidRules.PIDTYPE_TGID);
    }

    @Override
    public void fatalSignalExit(int t) {
        HeapExit.fatalSignalExit(g, task(t));
    }

    @Override
    public void setGroupCoredump(int t) {
        task(t).signal.flags |= SignalFlags.SIGNAL_GROUP_COREDUMP;
    }

    @Override
    public int exitIdleTasks() {
        return HeapExit.exitIdleTasks(g);
    }

    @Override
    public void setInCall(int t, boolean in) {
        HeapExit.setInCall(task(t), in);
    }

    @Override
    public void setChildSubreaper(int t) {
        HeapExit.setChildSubreaper(task(t), true);
    }

    @Override
    public void setPdeathSignal(int t, int sig) {
        task(t).pdeathSignal = sig;
    }

    @Override
    public boolean sigPending(int t, int sig) {
        return ((task(t).pending.signal | task(t).signal.sharedPending.signal) & 1L << (sig - 1)) != 0;
    }

    @Override
    public void setClearChildTid(int t, long addr) {
        task(t).clearChildTid = addr;
    }

    @Override
    public void mapWord(int t, long addr, int value) {
        final AddressSpace as = spaces.get(task(t).mm);
        check(as.mmap(addr, 4096, Mman.PROT_READ | Mman.PROT_WRITE,
            Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0) == addr, "mmap");
        check(HeapUaccess.putUser(g.mm, task(t).mm, value, addr, Integer.BYTES) == 0, "put_user");
    }

    @Override
    public int readWord(int t, long addr) {
        final long[] x = new long[1];
        check(HeapUaccess.getUser(g.mm, task(t).mm, x, addr, Integer.BYTES) == 0, "get_user");
        return (int) x[0];
    }

    @Override
    public void armVfork(int t) {
        final HeapCompletion c = new HeapCompletion();
        HeapWait.initCompletion(c);
        while (vforks.size() <= t) {
            vforks.add(null);
        }
        vforks.set(t, c);
        task(t).vforkDone = c;
    }

    @Override
    public boolean vforkCompleted(int t) {
        return HeapWait.done(vforks.get(t)) == 1;
    }

    @Override
    public int execve(int t, String name) {
        return org.kfork.heap.exec.HeapExec.execve(g, task(t), ExitTest.image(name));
    }

    @Override
    public String comm(int t) {
        return task(t).comm;
    }

    @Override
    public int mmUsers(int t) {
        return task(t).mm == null ? 0 : task(t).mm.mmUsers;
    }

    @Override
    public int nrThreads() {
        return g.nrThreads;
    }

    @Override
    public long nrProcesses() {
        long n = 0;
        for (int cpu = 0; cpu < g.nrCpus; cpu++) {
            n += g.processCounts.get(cpu);
        }
        return n;
    }

    @Override
    public void rcuBarrier() {
        g.rcu.rcuBarrier();
    }

    @Override
    public void close() {
        final List<HeapTask> live = new ArrayList<>();
        try {
            if (!g.tasklistLock.readLock().tryLock(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("tasklist_lock is still held at close: " + g.tasklistLock);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        for (HeapIntrusiveList n = g.initTask.tasks.next(); n != g.initTask.tasks; n = n.next()) {
            final HeapTask p = ((HeapTask.Link) n).task;
            if (p != task(INIT) && p.exitState == 0) {
                live.add(p);
            }
        }
        g.tasklistLock.readLock().unlock();
        for (HeapTask p : live) {
            HeapSignalCalls.groupSendSigInfo(g, task(INIT), Signals.SIGKILL, HeapSignal.SEND_SIG_PRIV, p,
                PidRules.PIDTYPE_TGID);
        }
        HeapExit.exitIdleTasks(g);
        while (HeapExitWait.kernelWait4(g, task(INIT), -1, org.kfork.uapi.Wait.__WALL, wo) > 0) {
            // reaping
        }
        final HeapTask init = task(INIT);
        HeapPidNamespaces.setChildReaper(g.initPidNs, g.initTask);
        HeapPids.disablePidAllocation(g, g.initPidNs); // see OffHeapExitWorld.close
        init.tgid = -1; // see OffHeapExitWorld.close
        HeapExit.doExit(g, init, 0);
        check(HeapExitWait.kernelWait4(g, g.initTask, -1, org.kfork.uapi.Wait.__WALL, wo) == 1, "reaping init");
        check(g.nrThreads == 0, "nr_threads back to 0");
        check(g.log.lines().stream().noneMatch(l -> l.contains("free_pid")), "no free_pid warning: " + g.log.lines());
        g.rcu.quiesce();
        final Map<String, Long> after = g.objectCounts();
        if (!after.equals(baseline)) {
            throw new AssertionError("heap objects not back at baseline: " + baseline + " -> " + after);
        }
    }

    private final class Externs implements HeapSignalExterns {
        @Override
        public Object findVpid(HeapTask current, int nr) {
            return HeapPids.findVpid(g, current, nr);
        }

        @Override
        public HeapTask pidTask(Object pid, int type) {
            return HeapPids.pidTask((HeapPid) pid, type);
        }

        @Override
        public HeapTask pidTaskNext(HeapTask task, int type) {
            final org.kfork.heap.ds.HeapHList.Node next = task.pidLink(type).next();
            return next == null ? null : ((HeapTask.PidLink) next).task();
        }

        @Override
        public int taskPidNrNs(HeapTask task, int type, Object ns) {
            return HeapPids.taskPidNrNs(g, task, task, type, (HeapPidNamespace) ns);
        }

        @Override
        public Object taskActivePidNs(HeapTask task) {
            return HeapPids.taskActivePidNs(task);
        }

        @Override
        public Object taskPgrp(HeapTask task) {
            return task.signal.pid(PidRules.PIDTYPE_PGID);
        }

        @Override
        public HeapTask initTask() {
            return g.initTask;
        }

        @Override
        public HeapTask nextTask(HeapTask p) {
            return ((HeapTask.Link) p.tasks.next()).task;
        }

        @Override
        public void freeUid(HeapUserStruct up) {
            HeapUsers.freeUid(g, up);
        }

        @Override
        public boolean capable(HeapTask current, int cap) {
            return HeapCapability.capable(g, current, cap);
        }

        @Override
        public boolean taskCurr(HeapTask p) {
            return false;
        }

        @Override
        public boolean wakeUpState(HeapTask p, int state) {
            HeapWait.wakeUpState(g, p, state);
            return true;
        }

        @Override
        public void wakeUpParent(HeapTask p, HeapTask parent) {
            HeapExitWait.wakeUpParent(g, p, parent);
        }
    }
}
