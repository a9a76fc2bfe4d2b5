package org.kfork.kernel.exit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.kfork.mm.AddressSpace;
import org.kfork.exit.WaitOpts;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.HeapKernel;
import org.kfork.heap.cred.HeapCapability;
import org.kfork.heap.cred.HeapUserStruct;
import org.kfork.heap.cred.HeapUsers;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.exit.HeapExitWait;
import org.kfork.heap.fork.HeapFork;
import org.kfork.heap.fork.HeapForkThreads;
import org.kfork.heap.fork.HeapKernelCloneArgs;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMm;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.sched.HeapWait;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalCalls;
import org.kfork.heap.signal.HeapSignalExterns;
import org.kfork.heap.sys.HeapSys;
import org.kfork.mm.Mman;
import org.kfork.pid.PidRules;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Signals;

/** The heap twin for the exit suite; its live objects are back at the baseline at close. */
final class HeapExitWorld implements ExitWorld {
    final HeapGlobals g = HeapGlobals.boot((64L << 20) / 4096, 2);
    private final List<HeapTask> tasks = new ArrayList<>();
    private final List<Integer> pids = new ArrayList<>();
    /** The threads of vfork parents, blocked in kernel_clone while their children hold the mm. */
    private final ExecutorService vforkParents = Executors.newCachedThreadPool(r -> {
        final Thread t = new Thread(r, "exit-world-vfork-parent");
        t.setDaemon(true);
        return t;
    });
    /** Each vfork child's parent's kernel_clone, by the child's handle. */
    private final Map<Integer, Future<Integer>> vforks = new java.util.HashMap<>();
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
        final int init = spawnInit();
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
            throw new AssertionError(what + " failed in the test world");
        }
    }

    /** rest_init's kernel_thread for pid 1, then its mm, and its setsid (see the off-heap twin). */
    private int spawnInit() {
        final int nr = HeapForkThreads.kernelThread(g, task(0), HeapKernel.KERNEL_INIT, 0, CloneFlags.CLONE_FS);
        check(nr == 1, "kernel_thread for init: " + nr);
        final int h = handleOf(HeapPids.findTaskByVpid(g, task(0), nr));
        final HeapTask p = task(h);
        final HeapMmStruct mm = newMm();
        p.mm = mm;
        p.activeMm = mm;
        p.flags &= ~(TaskFlags.PF_KTHREAD | TaskFlags.PF_FORKNOEXEC);
        check(HeapSys.ksysSetsid(g, p) == 1, "init's setsid");
        return h;
    }

    private long kernelClone(HeapTask current, long flags, int exitSignal) {
        final HeapKernelCloneArgs args = new HeapKernelCloneArgs();
        args.flags = flags;
        args.exitSignal = exitSignal;
        return HeapFork.kernelClone(g, current, WaitResult.NO_RCU, args);
    }

    /** kernel_clone acting for {@code parent} (see the off-heap twin for CLONE_VFORK). */
    @Override
    public int spawn(int parent, long flags, int exitSignal) {
        final HeapTask current = task(parent);
        if ((flags & CloneFlags.CLONE_VFORK) == 0) {
            final int nr = WaitResult.ret(kernelClone(current, flags, exitSignal));
            check(nr > 0, "kernel_clone: " + nr);
            return handleOf(HeapPids.findTaskByVpid(g, current, nr));
        }
        final long forks = totalForks();
        final Future<Integer> call = vforkParents.submit(() -> {
            HeapExit.setInCall(current, true);
            try {
                return WaitResult.ret(kernelClone(current, flags, exitSignal));
            } finally {
                HeapExit.leaveCall(g, current);
            }
        });
        final long deadline = System.nanoTime() + 10_000_000_000L;
        HeapTask child = null;
        while (child == null || child.vforkDone == null || child.state() == TaskState.TASK_NEW) {
            check(!call.isDone() && System.nanoTime() < deadline, "vfork's child");
            Thread.onSpinWait();
            if (child == null && totalForks() != forks) {
                child = newestProcess();
            }
        }
        final int h = handleOf(child);
        vforks.put(h, call);
        return h;
    }

    /** total_forks, read under tasklist_lock. */
    private long totalForks() {
        g.tasklistLock.readLock().lock();
        try {
            return g.totalForks;
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }

    /** The last process on init_task's tasks list. */
    private HeapTask newestProcess() {
        g.tasklistLock.readLock().lock();
        try {
            return ((HeapTask.Link) g.initTask.tasks.prev()).task;
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }

    private int handleOf(HeapTask task) {
        tasks.add(task);
        pids.add(HeapPids.pidNr(task.threadPid()));
        return tasks.size() - 1;
    }

    @Override
    public boolean vforkWaiting(int t) {
        final Future<Integer> call = vforks.get(t);
        return call != null && !call.isDone();
    }

    @Override
    public int vforkReturned(int t) {
        try {
            return vforks.get(t).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("the vfork parent of " + t + " did not return", e);
        }
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
        if (in) {
            HeapExit.setInCall(task(t), true);
        } else {
            HeapExit.leaveCall(g, task(t)); // as the syscall layer's finish
        }
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
        final AddressSpace as = spaces.computeIfAbsent(task(t).mm, g.mm::handle);
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
        // a vfork parent still waiting is killed first: its wait ends and its thread leaves the call
        for (Map.Entry<Integer, Future<Integer>> v : vforks.entrySet()) {
            if (!v.getValue().isDone()) {
                kill(tasks.indexOf(task(v.getKey()).realParent));
                vforkReturned(v.getKey());
            }
        }
        vforkParents.shutdown();
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
