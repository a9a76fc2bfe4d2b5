package org.kfork.kernel.exit;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

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
import org.kfork.ds.IntrusiveList;
import org.kfork.exit.WaitOpts;
import org.kfork.kernel.Globals;
import org.kfork.kernel.cred.Capability;
import org.kfork.kernel.cred.Users;
import org.kfork.kernel.KernelText;
import org.kfork.kernel.fork.Fork;
import org.kfork.kernel.fork.ForkThreads;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.mm.Mm;
import org.kfork.kernel.mm.Uaccess;
import org.kfork.kernel.pid.PidNamespaces;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.sched.Wait;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.signal.SignalCalls;
import org.kfork.kernel.signal.SignalExterns;
import org.kfork.kernel.struct.HlistNode;
import org.kfork.kernel.struct.KSigaction;
import org.kfork.kernel.struct.KernelCloneArgs;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.kernel.struct.Sigaction;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.sys.Sys;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.Mman;
import org.kfork.pid.PidRules;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.testing.LeakCheck;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Signals;

/** The off-heap kernel for the exit suite, on a machine of its own, leak-checked at close. */
final class OffHeapExitWorld implements ExitWorld {
    final Machine machine = Machine.builder().ram(64L << 20).cpus(2).build();
    final Globals g = Globals.boot(machine);
    private final List<Long> tasks = new ArrayList<>();
    /** Each handle's pid number in init_pid_ns, kept from its spawn (release clears thread_pid). */
    private final List<Integer> pids = new ArrayList<>();
    private final Map<String, Long> baseline;
    private final WaitOpts wo = new WaitOpts();
    /** The handles of the mms the world made, to map pages into them. */
    private final Map<Long, AddressSpace> spaces = new java.util.HashMap<>();
    /** A word of kernel memory for get_user. */
    private final long word;
    /** The threads of vfork parents, blocked in kernel_clone while their children hold the mm. */
    private final ExecutorService vforkParents = Executors.newCachedThreadPool(r -> {
        final Thread t = new Thread(r, "exit-world-vfork-parent");
        t.setDaemon(true);
        return t;
    });
    /** Each vfork child's parent's kernel_clone, by the child's handle. */
    private final Map<Integer, Future<Integer>> vforks = new java.util.HashMap<>();

    OffHeapExitWorld() {
        if (!Kasan.ENABLED) {
            throw new AssertionError("checked mode must be on in off-heap tests (-Dkfork.checked=true)");
        }
        g.signalExterns = new Externs();
        word = g.image.alloc(64, 64);
        // the pid_2 cache of a level-1 namespace is never destroyed (5.12): made before the baseline
        PidNamespaces.createPidCachep(g, 1);
        baseline = LeakCheck.quiescedSnapshot(machine);
        tasks.add(g.initTask);
        pids.add(0);
        final int init = spawnInit();
        if (init != INIT || pid(init) != 1) {
            throw new AssertionError("init is not pid 1");
        }
    }

    private long newMm() {
        final AddressSpace as = g.mm.mmAlloc();
        final long mm = ((Mm) as).address();
        spaces.put(mm, as);
        return mm;
    }

    long task(int t) {
        return tasks.get(t);
    }

    /**
     * rest_init's kernel_thread(kernel_init, NULL, CLONE_FS) for pid 1 (the real one, which adds
     * CLONE_VM and CLONE_UNTRACED), then what kernel_init's exec and the init program's first step
     * give it: an mm of its own, no longer a kernel thread, and a session of its own (setsid).
     */
    private int spawnInit() {
        final long kernelInit = KernelText.of(g.machine).register("kernel_init", KernelText.START_KERNEL);
        final int nr = ForkThreads.kernelThread(g, task(0), kernelInit, 0, CloneFlags.CLONE_FS);
        check(nr == 1, "kernel_thread for init: " + nr);
        final int h = handleOf(Pids.findTaskByVpidRcu(g, task(0), nr));
        final long p = task(h);
        final long mm = newMm();
        putLong(p + TaskStruct.MM, mm);
        putLong(p + TaskStruct.ACTIVE_MM, mm);
        putInt(p + TaskStruct.FLAGS, getInt(p + TaskStruct.FLAGS) & ~(TaskFlags.PF_KTHREAD | TaskFlags.PF_FORKNOEXEC));
        check(Sys.ksysSetsid(g, p) == 1, "init's setsid");
        return h;
    }

    /** kernel_clone acting for {@code current}, its kernel_clone_args in current's frame: the packed result. */
    private long kernelClone(long current, long flags, int exitSignal) {
        final long args = Fork.frame(g, current) + Fork.FRAME_KARGS;
        Mem.zero(args, KernelCloneArgs.SIZEOF);
        putLong(args + KernelCloneArgs.FLAGS, flags);
        putInt(args + KernelCloneArgs.EXIT_SIGNAL, exitSignal);
        return Fork.kernelClone(g, current, WaitResult.NO_RCU, args);
    }

    /**
     * kernel_clone (copy_process, wake_up_new_task) acting for {@code parent}. With CLONE_VFORK
     * the parent's call blocks until the child releases the mm, so it runs on a thread of its own,
     * marked inside a call (as the system-call layer marks it), and spawn returns once the child
     * exists and holds the parent's completion: {@link #vforkWaiting}, {@link #vforkReturned}.
     */
    @Override
    public int spawn(int parent, long flags, int exitSignal) {
        final long current = task(parent);
        if ((flags & CloneFlags.CLONE_VFORK) == 0) {
            final int nr = WaitResult.ret(kernelClone(current, flags, exitSignal));
            check(nr > 0, "kernel_clone: " + nr);
            return handleOf(Pids.findTaskByVpidRcu(g, current, nr));
        }
        final long forks = totalForks();
        final Future<Integer> call = vforkParents.submit(() -> {
            Exit.setInCall(current, true);
            try {
                return WaitResult.ret(kernelClone(current, flags, exitSignal));
            } finally {
                Exit.leaveCall(g, current);
            }
        });
        final long deadline = System.nanoTime() + 10_000_000_000L;
        long child = 0;
        while (child == 0 || getLong(child + TaskStruct.VFORK_DONE) == 0
            || Mem.getLongVolatile(child + TaskStruct.STATE) == TaskState.TASK_NEW) {
            check(!call.isDone() && System.nanoTime() < deadline, "vfork's child");
            Thread.onSpinWait();
            if (child == 0 && totalForks() != forks) {
                child = newestProcess();
            }
        }
        final int h = handleOf(child);
        vforks.put(h, call);
        return h;
    }

    /** total_forks, read under tasklist_lock (copy_process counts under it). */
    private long totalForks() {
        g.tasklistLock.readLock().lock();
        try {
            return g.totalForks;
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }

    /** The last process on init_task's tasks list: copy_process adds a new one at its tail. */
    private long newestProcess() {
        g.tasklistLock.readLock().lock();
        try {
            return IntrusiveList.prev(g.initTask + TaskStruct.TASKS) - TaskStruct.TASKS;
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }

    private int handleOf(long task) {
        tasks.add(task);
        pids.add(Pids.pidNr(getLong(task + TaskStruct.THREAD_PID)));
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

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what + " failed in the test world");
        }
    }

    @Override
    public int pid(int t) {
        return pids.get(t);
    }

    @Override
    public int vpid(int viewer, int t) {
        return Pids.taskPidVnr(g, task(viewer), task(t));
    }

    @Override
    public int realParentPid(int t) {
        return getInt(getLong(task(t) + TaskStruct.REAL_PARENT) + TaskStruct.PID);
    }

    @Override
    public int exitState(int t) {
        return Mem.getIntVolatile(task(t) + TaskStruct.EXIT_STATE);
    }

    @Override
    public long taskStructs() {
        return g.forkInit.taskStructCachep().activeObjects();
    }

    @Override
    public void doExit(int t, int code) {
        Exit.doExit(g, task(t), code);
    }

    @Override
    public void exitGroup(int t, int errorCode) {
        Exit.sysExitGroup(g, task(t), errorCode);
    }

    @Override
    public int wait4(int t, int upid, int options) {
        return ExitWait.kernelWait4(g, task(t), upid, options, wo);
    }

    @Override
    public int sysWait4(int t, int upid, long statAddr, int options) {
        return ExitWait.sysWait4(g, task(t), upid, statAddr, options, wo);
    }

    @Override
    public int waitid(int t, int which, int id, int options) {
        return ExitWait.kernelWaitid(g, task(t), which, id, options, wo);
    }

    @Override
    public int sysWaitid(int t, int which, int id, long infop, int options) {
        return ExitWait.sysWaitid(g, task(t), which, id, infop, options, wo);
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
        final int r = SignalCalls.doSigaction(g, task(t), Signals.SIGCHLD, true, handler, flags, 0, 0, 0);
        check(r == 0, "sigaction");
    }

    @Override
    public void kill(int t) {
        SignalCalls.groupSendSigInfo(g, task(INIT), Signals.SIGKILL, Signal.SEND_SIG_PRIV, task(t), PidRules.PIDTYPE_TGID);
    }

    @Override
    public void fatalSignalExit(int t) {
        Exit.fatalSignalExit(g, task(t));
    }

    @Override
    public void setGroupCoredump(int t) {
        final long sig = getLong(task(t) + TaskStruct.SIGNAL);
        putInt(sig + SignalStruct.FLAGS, getInt(sig + SignalStruct.FLAGS) | SignalFlags.SIGNAL_GROUP_COREDUMP);
    }

    @Override
    public int exitIdleTasks() {
        return Exit.exitIdleTasks(g);
    }

    @Override
    public void setInCall(int t, boolean in) {
        if (in) {
            Exit.setInCall(task(t), true);
        } else {
            Exit.leaveCall(g, task(t)); // as the syscall layer's finish
        }
    }

    @Override
    public void setChildSubreaper(int t) {
        Exit.setChildSubreaper(task(t), true);
    }

    @Override
    public void setPdeathSignal(int t, int sig) {
        putInt(task(t) + TaskStruct.PDEATH_SIGNAL, sig);
    }

    @Override
    public boolean sigPending(int t, int sig) {
        final long own = getLong(task(t) + TaskStruct.PENDING + Sigpending.SIGNAL);
        final long shared = getLong(getLong(task(t) + TaskStruct.SIGNAL) + SignalStruct.SHARED_PENDING + Sigpending.SIGNAL);
        return ((own | shared) & 1L << (sig - 1)) != 0;
    }

    @Override
    public void setClearChildTid(int t, long addr) {
        putLong(task(t) + TaskStruct.CLEAR_CHILD_TID, addr);
    }

    /** A handle on t's mm (one the world made, or one dup_mm made for a child). */
    private AddressSpace mmOf(int t) {
        return spaces.computeIfAbsent(getLong(task(t) + TaskStruct.MM), g.mm::handle);
    }

    @Override
    public void mapWord(int t, long addr, int value) {
        final long r = mmOf(t).mmap(addr, 4096, Mman.PROT_READ | Mman.PROT_WRITE,
            Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, null, 0);
        check(r == addr, "mmap");
        check(Uaccess.putUser(g.mm, getLong(task(t) + TaskStruct.MM), value, addr, Integer.BYTES) == 0, "put_user");
    }

    @Override
    public int readWord(int t, long addr) {
        final long buf = word;
        check(Uaccess.getUser(g.mm, getLong(task(t) + TaskStruct.MM), buf, addr, Integer.BYTES) == 0, "get_user");
        return getInt(buf);
    }

    @Override
    public int execve(int t, String name) {
        return org.kfork.kernel.exec.Exec.execve(g, task(t), ExitTest.image(name));
    }

    @Override
    public String comm(int t) {
        return org.kfork.kernel.init.InitTask.comm(task(t));
    }

    @Override
    public int mmUsers(int t) {
        final long mm = getLong(task(t) + TaskStruct.MM);
        return mm == 0 ? 0 : Mem.getIntVolatile(mm + org.kfork.kernel.struct.MmStruct.MM_USERS);
    }

    @Override
    public int nrThreads() {
        return g.nrThreads;
    }

    @Override
    public long nrProcesses() {
        return g.forkInit.processCounts().sum();
    }

    @Override
    public void rcuBarrier() {
        g.rcu.rcuBarrier();
    }

    @Override
    public void close() {
        try {
            // a vfork parent still waiting is killed first: its wait ends and its thread leaves the call
            for (Map.Entry<Integer, Future<Integer>> v : vforks.entrySet()) {
                if (!v.getValue().isDone()) {
                    kill(tasks.indexOf(getLong(task(v.getKey()) + TaskStruct.REAL_PARENT)));
                    vforkReturned(v.getKey());
                }
            }
            vforkParents.shutdown();
            // every task but init goes: killed (exiting at once outside a call), reaped by init
            final List<Long> live = new ArrayList<>();
            try {
            if (!g.tasklistLock.readLock().tryLock(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("tasklist_lock is still held at close: " + g.tasklistLock);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
            final long head = g.initTask + TaskStruct.TASKS;
            for (long n = IntrusiveList.next(head); n != head; n = IntrusiveList.next(n)) {
                if (n - TaskStruct.TASKS != task(INIT) && getInt(n - TaskStruct.TASKS + TaskStruct.EXIT_STATE) == 0) {
                    live.add(n - TaskStruct.TASKS);
                }
            }
            g.tasklistLock.readLock().unlock();
            for (long p : live) {
                SignalCalls.groupSendSigInfo(g, task(INIT), Signals.SIGKILL, Signal.SEND_SIG_PRIV, p, PidRules.PIDTYPE_TGID);
            }
            Exit.exitIdleTasks(g);
            while (ExitWait.kernelWait4(g, task(INIT), -1, org.kfork.uapi.Wait.__WALL, wo) > 0) {
                // reaping
            }
            // init itself: 5.12 never lets the global init die; the test undoes it by hand, by
            // giving the reaper role back to init_task and hiding pid 1 from is_global_init; the
            // namespace stops accepting pids first, as zap_pid_ns_processes would have it when its
            // init dies (free_pid warns when the first pid goes while it still accepts them)
            final long init = task(INIT);
            PidNamespaces.setChildReaper(g.initPidNs, g.initTask);
            Pids.disablePidAllocation(g, g.initPidNs);
            putInt(init + TaskStruct.TGID, -1);
            final long mm = getLong(init + TaskStruct.MM);
            Exit.doExit(g, init, 0);
            check(ExitWait.kernelWait4(g, g.initTask, -1, org.kfork.uapi.Wait.__WALL, wo) == 1, "reaping init");
            check(g.nrThreads == 0, "nr_threads back to 0");
            // free_pid warns when a namespace loses its first pid while it has a reaper and still accepts pids
            check(g.log.lines().stream().noneMatch(l -> l.contains("free_pid")), "no free_pid warning: " + g.log.lines());
            check(mm != 0, "init had an mm");
            LeakCheck.assertNoLeak(baseline, LeakCheck.quiescedSnapshot(machine));
        } finally {
            machine.close();
        }
    }

    // ---- the neighbours signal.c calls, as the assembled kernel wires them

    private final class Externs implements SignalExterns {
        @Override
        public long findVpid(long current, int nr) {
            return Pids.findVpid(g, current, nr);
        }

        @Override
        public long pidTask(long pid, int type) {
            return Pids.pidTask(pid, type);
        }

        @Override
        public long pidTaskNext(long task, int type) {
            final long next = Mem.getLongAcquire(task + TaskStruct.PID_LINKS + HlistNode.SIZEOF * type + HlistNode.NEXT);
            return next == 0 ? 0 : next - TaskStruct.PID_LINKS - HlistNode.SIZEOF * type;
        }

        @Override
        public int taskPidNrNs(long task, int type, long ns) {
            return Pids.taskPidNrNs(g, task, task, type, ns);
        }

        @Override
        public long taskActivePidNs(long task) {
            return Pids.taskActivePidNs(task);
        }

        @Override
        public long taskPgrp(long task) {
            return getLong(getLong(task + TaskStruct.SIGNAL) + SignalStruct.PIDS + (long) Long.BYTES * PidRules.PIDTYPE_PGID);
        }

        @Override
        public long initTask() {
            return g.initTask;
        }

        @Override
        public long nextTask(long p) {
            return IntrusiveList.nextRcu(p + TaskStruct.TASKS) - TaskStruct.TASKS;
        }

        @Override
        public void freeUid(long up) {
            Users.freeUid(g, up);
        }

        @Override
        public boolean capable(long current, int cap) {
            return Capability.capable(g, current, cap);
        }

        @Override
        public boolean taskCurr(long p) {
            return false;
        }

        @Override
        public boolean wakeUpState(long p, int state) {
            Wait.wakeUpState(g, p, state);
            return true;
        }

        @Override
        public void wakeUpParent(long p, long parent) {
            ExitWait.wakeUpParent(g, p, parent);
        }
    }

    /** The SIGCHLD action of t: handler and flags (for assertions). */
    long[] sigchldAction(int t) {
        final long sighand = getLong(task(t) + TaskStruct.SIGHAND);
        Spinlock.lock(sighand + SighandStruct.SIGLOCK);
        try {
            final long sa = sighand + SighandStruct.ACTION + (Signals.SIGCHLD - 1) * KSigaction.SIZEOF + KSigaction.SA;
            return new long[] {getLong(sa + Sigaction.SA_HANDLER), getLong(sa + Sigaction.SA_FLAGS)};
        } finally {
            Spinlock.unlock(sighand + SighandStruct.SIGLOCK);
        }
    }

    long childReaper(long ns) {
        return getLong(ns + PidNamespace.CHILD_REAPER);
    }
}
