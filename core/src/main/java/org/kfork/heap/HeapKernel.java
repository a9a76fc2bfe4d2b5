package org.kfork.heap;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.kfork.api.ExecImage;
import org.kfork.arch.SignalRestart;
import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.ProcEventListener;
import org.kfork.api.TaskView;
import org.kfork.heap.cred.HeapCapability;
import org.kfork.heap.cred.HeapCreds;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.cred.HeapUcount;
import org.kfork.heap.events.HeapProcConnector;
import org.kfork.exit.ShutdownReaper;
import org.kfork.exit.WaitOpts;
import org.kfork.heap.exec.HeapExec;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.exit.HeapExitWait;
import org.kfork.heap.fork.HeapFork;
import org.kfork.heap.fork.HeapForkCalls;
import org.kfork.heap.fork.HeapForkTask;
import org.kfork.heap.fork.HeapKernelCloneArgs;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMm;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.proc.HeapProcArray;
import org.kfork.heap.reboot.HeapReboot;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalCalls;
import org.kfork.heap.signal.HeapSignalDelivery;
import org.kfork.heap.sys.HeapSys;
import org.kfork.mm.MmArgs;
import org.kfork.mm.Mman;
import org.kfork.mm.Overcommit;
import org.kfork.pid.PidRules;
import org.kfork.proc.Sysctls;
import org.kfork.sched.TaskState;
import org.kfork.smp.CurrentCpu;
import org.kfork.sched.CallsInFlight;
import org.kfork.sched.WaitResult;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;

/**
 * The heap twin of org.kfork.kernel.OffHeapKernel: the same calls through the same system-call
 * layer, on {@link HeapGlobals} booted for a machine of the configured RAM and CPUs.
 */
public final class HeapKernel implements Kernel {
    private final KernelConfig config;
    private final HeapGlobals g;
    private final ThreadLocal<CallFrame> frames = ThreadLocal.withInitial(CallFrame::new);
    private volatile boolean closed;
    /** Calls between enter and finish, so that close can wait for them to end. */
    private final CallsInFlight inflight = new CallsInFlight();
    /** How long close waits for the calls in flight once every task but init was sent SIGKILL. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What one Java thread keeps across the two halves of a call. */
    private static final class CallFrame {
        HeapTask task;
        int token;
        int prevCpu;
        int depth;
        /** wait4's and waitid's struct wait_opts, reused by every wait of this thread. */
        final WaitOpts wo = new WaitOpts();
    }

    private HeapKernel(KernelConfig config) {
        this.config = config;
        this.g = HeapGlobals.boot(config.ramBytes() / Mman.PAGE_SIZE, config.nrCpus(), config.seed());
        g.signalExterns = new HeapKernelSignalExterns(g);
        startInit(g, config.initImage());
    }

    /** See the off-heap twin: kernel_thread for pid 1, then its execve of the init image. */
    private static void startInit(HeapGlobals g, ExecImage image) {
        final int prev = CurrentCpu.boundCpu();
        CurrentCpu.bind(0);
        try {
            final HeapKernelCloneArgs args = new HeapKernelCloneArgs();
            args.flags = CloneFlags.CLONE_FS | CloneFlags.CLONE_VM | CloneFlags.CLONE_UNTRACED;
            final int nr = WaitResult.ret(HeapFork.kernelClone(g, g.initTask, WaitResult.NO_RCU, args));
            final HeapTask init = nr == 1 ? HeapProcArray.findTask(g, 1) : null;
            if (init == null) {
                throw new IllegalStateException("kernel_thread for init gave " + nr + ", not pid 1");
            }
            final int err = HeapExec.execve(g, init, image);
            if (err != 0) {
                throw new IllegalStateException("init's execve of " + image.name() + " failed: " + Errno.name(-err));
            }
        } finally {
            if (prev < 0) {
                CurrentCpu.unbind();
            } else {
                CurrentCpu.bind(prev);
            }
        }
    }

    /** Boots a heap kernel with {@code config}. */
    public static HeapKernel boot(KernelConfig config) {
        return new HeapKernel(config);
    }

    /** The kernel's globals (for tests and tools that look inside). */
    public HeapGlobals globals() {
        return g;
    }

    @Override
    public String name() {
        return "heap";
    }

    @Override
    public KernelConfig config() {
        return config;
    }

    // ---------------------------------------------------------------------------------------------
    // The system-call layer
    // ---------------------------------------------------------------------------------------------

    private HeapTask enter(int caller) {
        inflight.enter();
        if (closed) {
            inflight.exit();
            throw new IllegalStateException("the kernel is closed");
        }
        final CallFrame f = frames.get();
        if (f.depth != 0) {
            throw new IllegalStateException("a Java thread makes one call at a time (already inside a call for "
                + f.task.pid() + ")");
        }
        HeapTask t;
        g.tasklistLock.readLock().lock();
        try {
            t = HeapProcArray.findTask(g, caller);
            if (t == null || t.exitState != 0) {
                inflight.exit();
                return null;
            }
            HeapForkTask.getTaskStruct(t);
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        // a new task runs once wake_up_new_task has made it TASK_RUNNING (see the off-heap twin)
        while (t.state() == TaskState.TASK_NEW) {
            Thread.yield();
        }
        final int cpu = t.cpu;
        f.prevCpu = CurrentCpu.boundCpu();
        CurrentCpu.bind(cpu);
        f.token = g.rcu.rcuSyscallEnter(cpu);
        f.task = t;
        f.depth = 1;
        HeapExit.setInCall(t, true);
        return t;
    }

    /** See OffHeapKernel.returnToUser: signal delivery and the restart rules. */
    private long returnToUser(HeapTask t, long r) {
        if (t.exitState != 0) {
            return r;
        }
        final int got = HeapSignalDelivery.getSignal(g, t);
        final int fatal = got & SignalRestart.FATAL_MASK;
        if (fatal == Signals.SIGKILL) {
            HeapExit.fatalSignalExit(g, t);
            return KILLED;
        }
        if (fatal != 0) {
            HeapExit.doGroupExit(g, t, fatal);
            return KILLED;
        }
        return SignalRestart.afterSignals(r, (got & SignalRestart.HANDLED) != 0,
            (got & SignalRestart.HANDLED_SA_RESTART) != 0);
    }

    private long leave(long r) {
        final long out = returnToUser(frames.get().task, r);
        if (out == SignalRestart.RESTART) {
            throw new IllegalStateException("a call that cannot restart returned " + r);
        }
        return finish(out);
    }

    private long finish(long r) {
        final CallFrame f = frames.get();
        final HeapTask t = f.task;
        HeapExit.setInCall(t, false);
        g.rcu.rcuSyscallExit(f.token);
        f.depth = 0;
        f.task = null;
        if (f.prevCpu < 0) {
            CurrentCpu.unbind();
        } else {
            CurrentCpu.bind(f.prevCpu);
        }
        HeapForkTask.putTaskStruct(g, t);
        HeapExit.exitIdleTasks(g);
        inflight.exit();
        return r;
    }

    // ---------------------------------------------------------------------------------------------
    // kernel/fork.c
    // ---------------------------------------------------------------------------------------------

    private long cloned(long packed) {
        frames.get().token = WaitResult.token(packed);
        return WaitResult.ret(packed);
    }

    @Override
    public long fork(int caller) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        long r;
        do {
            r = cloned(HeapForkCalls.sysFork(g, t, frames.get().token));
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    @Override
    public long vfork(int caller) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        long r;
        do {
            r = cloned(HeapForkCalls.sysVfork(g, t, frames.get().token));
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    @Override
    public long clone(int caller, long flags, long newsp, long parentTid, long childTid, long tls) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        long r;
        do {
            r = cloned(HeapForkCalls.sysClone(g, t, frames.get().token, flags, newsp, parentTid, childTid, tls));
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    @Override
    public long clone3(int caller, long uargs, long size) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        long r;
        do {
            r = cloned(HeapForkCalls.sysClone3(g, t, frames.get().token, uargs, size));
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    @Override
    public long unshare(int caller, long flags) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        return leave(HeapForkCalls.ksysUnshare(g, t, flags));
    }

    @Override
    public long setTidAddress(int caller, long tidptr) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        return leave(HeapForkCalls.sysSetTidAddress(g, t, tidptr));
    }

    // ---------------------------------------------------------------------------------------------
    // fs/exec.c, kernel/exit.c
    // ---------------------------------------------------------------------------------------------

    @Override
    public long execve(int caller, ExecImage image) {
        Objects.requireNonNull(image, "image");
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        return leave(HeapExec.execve(g, t, image));
    }

    @Override
    public long exit(int caller, int code) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        HeapExit.sysExit(g, t, code);
        return finish(0);
    }

    @Override
    public long exitGroup(int caller, int code) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        HeapExit.sysExitGroup(g, t, code);
        return finish(0);
    }

    @Override
    public long wait4(int caller, int pid, long wstatus, int options, long rusage) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        final CallFrame f = frames.get();
        long r;
        do {
            f.wo.rcuToken = f.token;
            r = HeapExitWait.sysWait4(g, t, pid, wstatus, options, f.wo);
            f.token = f.wo.rcuToken;
            if (r > 0 && rusage != 0 && !putRusage(t, rusage)) {
                r = -Errno.EFAULT;
            }
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    @Override
    public long waitid(int caller, int idtype, int id, long infop, int options, long rusage) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        final CallFrame f = frames.get();
        long r;
        do {
            f.wo.rcuToken = f.token;
            r = HeapExitWait.sysWaitid(g, t, idtype, id, infop, options, f.wo);
            f.token = f.wo.rcuToken;
            if (r == 0 && f.wo.infoPid != 0 && rusage != 0 && !putRusage(t, rusage)) {
                r = -Errno.EFAULT;
            }
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    /** See the off-heap twin: a struct rusage of zeros; false on a fault. */
    private boolean putRusage(HeapTask t, long rusage) {
        for (long off = 0; off < org.kfork.uapi.Wait.RUSAGE_SIZEOF; off += Long.BYTES) {
            if (HeapUaccess.putUser(g, t, 0, rusage + off, Long.BYTES) != 0) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // kernel/sys.c, kernel/signal.c
    // ---------------------------------------------------------------------------------------------

    @Override
    public long getpid(int caller) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        return leave(HeapPids.taskTgidVnr(g, t, t));
    }

    @Override
    public long getppid(int caller) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        final int rcu = g.rcu.rcuReadLock();
        final int ppid = HeapPids.taskPidNrNs(g, t, t.realParent, PidRules.PIDTYPE_TGID, null);
        g.rcu.rcuReadUnlock(rcu);
        return leave(ppid);
    }

    @Override
    public long gettid(int caller) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        return leave(HeapPids.taskPidVnr(g, t, t));
    }

    @Override
    public long kill(int caller, int pid, int sig) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        return leave(HeapSignalCalls.sysKill(g, t, pid, sig));
    }

    @Override
    public long sigaction(int caller, int sig, long handler, long flags, long mask) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        return leave(HeapSignalCalls.doSigaction(g, t, sig, true, handler, flags, 0, mask, null));
    }

    @Override
    public long setrlimit(int caller, int resource, long cur, long max) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        return leave(HeapSys.sysPrlimit64(g, t, Integer.toUnsignedLong(resource), true, cur, max, null));
    }

    // ---------------------------------------------------------------------------------------------
    // mm
    // ---------------------------------------------------------------------------------------------

    private HeapMm mmOf(HeapTask t) {
        return t.mm == null ? null : g.mm.handle(t.mm);
    }

    @Override
    public long mmap(int caller, long addr, long len, int prot, int flags, int fd, long off) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        if ((off & (Mman.PAGE_SIZE - 1)) != 0) {
            return leave(-Errno.EINVAL);
        }
        // see the off-heap twin: -EBADF without such an fd, -ENODEV for a pidfd (no mmap)
        if ((flags & Mman.MAP_ANONYMOUS) == 0) {
            return leave(t.files == null || HeapFiles.lookupFd(t.files, fd) == null ? -Errno.EBADF : -Errno.ENODEV);
        }
        if (MmArgs.mmapNeedsRawio(addr, len, flags) && !HeapCapability.capable(g, t, Capabilities.CAP_SYS_RAWIO)) {
            return leave(-Errno.EPERM);
        }
        final HeapMm m = mmOf(t);
        return leave(m == null ? -Errno.ENOMEM : m.mmap(addr, len, prot, flags, null, off >>> Mman.PAGE_SHIFT));
    }

    @Override
    public long munmap(int caller, long addr, long len) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        final HeapMm m = mmOf(t);
        return leave(m == null ? -Errno.EINVAL : m.munmap(addr, len));
    }

    @Override
    public long mprotect(int caller, long addr, long len, int prot) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        final HeapMm m = mmOf(t);
        return leave(m == null ? -Errno.ENOMEM : m.mprotect(addr, len, prot));
    }

    @Override
    public long madvise(int caller, long addr, long len, int advice) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        final HeapMm m = mmOf(t);
        return leave(m == null ? -Errno.ENOMEM : m.madvise(addr, len, advice));
    }

    @Override
    public long mlock(int caller, long addr, long len) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        final HeapMm m = mmOf(t);
        return leave(m == null ? -Errno.ENOMEM : m.mlock(addr, len));
    }

    @Override
    public long munlock(int caller, long addr, long len) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        final HeapMm m = mmOf(t);
        return leave(m == null ? -Errno.ENOMEM : m.munlock(addr, len));
    }

    @Override
    public long writeUser(int caller, long addr, byte[] src, int off, int len) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        final HeapMm m = mmOf(t);
        return leave(m == null || m.copyToUser(addr, src, off, len) != 0 ? -Errno.EFAULT : 0);
    }

    @Override
    public long readUser(int caller, long addr, byte[] dst, int off, int len) {
        final HeapTask t = enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        final HeapMm m = mmOf(t);
        return leave(m == null || m.copyFromUser(dst, off, addr, len) != 0 ? -Errno.EFAULT : 0);
    }

    // ---------------------------------------------------------------------------------------------
    // Administration
    // ---------------------------------------------------------------------------------------------

    @Override
    public long sysctl(String name) {
        return sysctl(name, false, 0);
    }

    @Override
    public long sysctl(String name, long value) {
        return sysctl(name, true, value);
    }

    private long sysctl(String name, boolean write, long value) {
        return Sysctls.sysctl(sysctls, name, write, value);
    }

    /** The sysctls of this kernel: each room's handler. */
    private final Sysctls.Table sysctls = new Sysctls.Table() {
        @Override
        public int pidMax(boolean write, long value) {
            return HeapPids.sysctlPidMax(g, write, value);
        }

        @Override
        public int threadsMax(boolean write, long value) {
            // fork.c's sysctl_max_threads (the heap twin keeps max_threads in HeapGlobals)
            if (!write) {
                return g.maxThreads;
            }
            if (Sysctls.checkThreadsMax(value) != 0) {
                return -Errno.EINVAL;
            }
            g.maxThreads = (int) value;
            return g.maxThreads;
        }

        @Override
        public int maxMapCount() {
            return g.mm.maxMapCount();
        }

        @Override
        public void setMaxMapCount(int value) {
            g.mm.setMaxMapCount(value);
        }

        @Override
        public Overcommit overcommit() {
            return g.mm.overcommit();
        }

        @Override
        public long ucountMax(int type, boolean write, long value) {
            return HeapUcount.sysctlUcountMax(g, type, write, value);
        }
    };

    @Override
    public long setCred(int pid, int uid, int gid, long caps) {
        final HeapTask t = enter(pid);
        if (t == null) {
            return -Errno.ESRCH;
        }
        return leave(HeapCreds.setCred(g, t, uid, gid, caps));
    }

    // ---------------------------------------------------------------------------------------------
    // Introspection
    // ---------------------------------------------------------------------------------------------

    @Override
    public List<TaskView> tasks() {
        return HeapProcArray.tasks(g);
    }

    @Override
    public String procStatus(int pid) {
        return HeapProcArray.procStatus(g, pid);
    }

    @Override
    public String procMaps(int pid) {
        return HeapProcArray.procMaps(g, pid);
    }

    @Override
    public String slabinfo() {
        return HeapSlabinfo.slabinfo(objectCounts());
    }

    /**
     * As off-heap, where Kmem.quiesce runs RCU's quiesce first: rcu_barrier until nothing is
     * pending, since callbacks queue callbacks (a task's or a pid's last put frees its cred or its
     * pid namespace through call_rcu again) that one barrier does not wait for.
     */
    @Override
    public Map<String, Long> objectCounts() {
        g.rcu.rcuBarrier();
        g.rcu.quiesce();
        return g.objectCounts();
    }

    @Override
    public void rcuBarrier() {
        g.rcu.rcuBarrier();
    }

    @Override
    public void addProcEventListener(ProcEventListener listener) {
        HeapProcConnector.addListener(g, Objects.requireNonNull(listener, "listener"));
    }

    /** See the off-heap twin: the calls in flight end, kernel_power_off, then the globals close. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        drainCalls();
        HeapReboot.kernelPowerOff(g);
        g.close();
    }

    /** See the off-heap twin: SIGKILL to all but init, the calls end, the killed exit while init reaps. */
    private void drainCalls() {
        final HeapTask init;
        g.tasklistLock.readLock().lock();
        try {
            init = HeapProcArray.findTask(g, 1);
            final HeapIntrusiveList head = g.initTask.tasks;
            for (HeapIntrusiveList n = head.next(); n != head; n = n.next()) {
                final HeapTask p = ((HeapTask.Link) n).task;
                if (p != init) {
                    // group-directed, as kill(-1, SIGKILL) is: a zombie leader's live threads die too
                    HeapSignalCalls.groupSendSigInfo(g, g.initTask, Signals.SIGKILL, HeapSignal.SEND_SIG_PRIV, p, PidRules.PIDTYPE_MAX);
                }
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        inflight.awaitNone(CLOSE_WAIT_NANOS);
        final Thread reaper = ShutdownReaper.start(name(), () -> {
            init.clearTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
            return HeapExitWait.kernelWait4(g, init, -1, org.kfork.uapi.Wait.__WALL, new WaitOpts());
        });
        // the killed tasks outside any call exit (do_exit); kernel_power_off releases what is left
        HeapExit.exitIdleTasks(g);
        ShutdownReaper.join(reaper, CLOSE_WAIT_NANOS);
    }
}
