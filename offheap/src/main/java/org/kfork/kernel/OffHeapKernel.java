package org.kfork.kernel;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.TreeMap;

import org.kfork.api.ExecImage;
import org.kfork.arch.SignalRestart;
import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.ProcEventListener;
import org.kfork.api.TaskView;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.SlabInfo;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.cred.Capability;
import org.kfork.kernel.cred.Creds;
import org.kfork.kernel.cred.Ucount;
import org.kfork.kernel.events.ProcConnector;
import org.kfork.exit.ShutdownReaper;
import org.kfork.exit.WaitOpts;
import org.kfork.kernel.exec.Exec;
import org.kfork.kernel.exit.Exit;
import org.kfork.kernel.exit.ExitWait;
import org.kfork.kernel.fork.Fork;
import org.kfork.kernel.fork.ForkCalls;
import org.kfork.kernel.fork.ForkTask;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.mm.Mm;
import org.kfork.kernel.mm.Uaccess;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.proc.ProcArray;
import org.kfork.kernel.reboot.Reboot;
import org.kfork.kernel.sched.SchedCore;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.signal.SignalCalls;
import org.kfork.kernel.signal.SignalDelivery;
import org.kfork.kernel.struct.KernelCloneArgs;
import org.kfork.kernel.struct.Rusage;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.sys.Sys;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.MmArgs;
import org.kfork.mm.Mman;
import org.kfork.mm.Overcommit;
import org.kfork.pid.PidRules;
import org.kfork.proc.Sysctls;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.smp.CurrentCpu;
import org.kfork.sched.CallsInFlight;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;

/**
 * The off-heap kernel behind {@link Kernel}: a modeled machine of the configured RAM and CPUs,
 * {@link Globals#boot} on it, pid 1, and the system-call layer every call goes through.
 *
 * <p><b>The system-call layer.</b> {@link #enter} finds the caller in init_pid_ns under
 * tasklist_lock (-ESRCH when there is none or it has exited), takes a reference on it, binds the
 * Java thread to the task's CPU and enters RCU's system-call section; {@link #leave} delivers the
 * task's signals on its way back to user space (a fatal one makes the group exit, and the call
 * returns {@link Kernel#KILLED}), leaves RCU, restores the thread's CPU binding and drops the
 * reference. The per-thread state of a call lives in one {@link CallFrame} per Java thread, so a
 * call allocates nothing for the layer.
 */
public final class OffHeapKernel implements Kernel {
    private final KernelConfig config;
    private final Machine machine;
    private final Globals g;
    private final ThreadLocal<CallFrame> frames = ThreadLocal.withInitial(CallFrame::new);
    private volatile boolean closed;
    /** Calls between enter and finish, so that close can wait for them to end. */
    private final CallsInFlight inflight = new CallsInFlight();
    /** How long close waits for the calls in flight once every task but init was sent SIGKILL. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What one Java thread keeps across the two halves of a call. */
    private static final class CallFrame {
        long task;
        int token;
        int prevCpu;
        int depth;
        /** wait4's and waitid's struct wait_opts, reused by every wait of this thread. */
        final WaitOpts wo = new WaitOpts();
    }

    private OffHeapKernel(KernelConfig config) {
        this.config = config;
        this.machine = Machine.builder().ram(config.ramBytes()).cpus(config.nrCpus()).build();
        Globals booted = null;
        try {
            booted = Globals.boot(machine, config.seed());
            booted.signalExterns = new KernelSignalExterns(booted);
            startInit(booted, config.initImage());
        } catch (RuntimeException | Error e) {
            machine.close();
            throw e;
        }
        this.g = booted;
    }

    /**
     * rest_init: init_task starts pid 1 with kernel_thread (CLONE_FS, plus the CLONE_VM and
     * CLONE_UNTRACED kernel_thread adds; no exit signal), and pid 1 execs the init image, which
     * makes it a user process with an mm of its own (kernel_init's run_init_process).
     */
    private static void startInit(Globals g, ExecImage image) {
        final int prev = CurrentCpu.boundCpu();
        CurrentCpu.bind(0); // the boot CPU, init_task's
        try {
            final long args = Fork.frame(g, g.initTask) + Fork.FRAME_KARGS;
            Mem.zero(args, KernelCloneArgs.SIZEOF);
            Mem.putLong(args + KernelCloneArgs.FLAGS, CloneFlags.CLONE_FS | CloneFlags.CLONE_VM | CloneFlags.CLONE_UNTRACED);
            final int nr = WaitResult.ret(Fork.kernelClone(g, g.initTask, WaitResult.NO_RCU, args));
            final long init = nr == 1 ? ProcArray.findTask(g, 1) : 0;
            if (init == 0) {
                throw new IllegalStateException("kernel_thread for init gave " + nr + ", not pid 1");
            }
            // kernel_init: run_init_process, an execve of the init image by pid 1 itself
            final int err = Exec.execve(g, init, image);
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

    /** Boots an off-heap kernel with {@code config}. */
    public static OffHeapKernel boot(KernelConfig config) {
        return new OffHeapKernel(config);
    }

    /** The kernel's globals (for tests and tools that look inside). */
    public Globals globals() {
        return g;
    }

    /** The modeled machine. */
    public Machine machine() {
        return machine;
    }

    @Override
    public String name() {
        return "offheap";
    }

    @Override
    public KernelConfig config() {
        return config;
    }

    // ---------------------------------------------------------------------------------------------
    // The system-call layer
    // ---------------------------------------------------------------------------------------------

    /**
     * The entry of a call made by {@code caller} (a pid of init_pid_ns): the task, referenced and
     * bound to its CPU inside RCU's system-call section, or 0 when there is no such live task.
     */
    private long enter(int caller) {
        inflight.enter();
        if (closed) {
            inflight.exit();
            throw new IllegalStateException("the kernel is closed");
        }
        final CallFrame f = frames.get();
        if (f.depth != 0) {
            throw new IllegalStateException("a Java thread makes one call at a time (already inside a call for task 0x"
                + Long.toHexString(f.task) + ")");
        }
        long t;
        g.tasklistLock.readLock().lock();
        try {
            t = ProcArray.findTask(g, caller);
            if (t == 0 || getInt(t + TaskStruct.EXIT_STATE) != 0) {
                inflight.exit();
                return 0;
            }
            ForkTask.getTaskStruct(t);
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        // A new task runs once wake_up_new_task has made it TASK_RUNNING: it is visible (its pid,
        // proc_fork_connector) a little earlier, while its parent finishes kernel_clone (vfork_done)
        while (Mem.getLongVolatile(t + TaskStruct.STATE) == TaskState.TASK_NEW) {
            Thread.yield();
        }
        final int cpu = SchedCore.taskCpu(t);
        f.prevCpu = CurrentCpu.boundCpu();
        CurrentCpu.bind(cpu);
        f.token = g.rcu.rcuSyscallEnter(cpu);
        f.task = t;
        f.depth = 1;
        Exit.setInCall(t, true);
        return t;
    }

    /**
     * The way back to user space of a call by {@code t} that returned {@code r}: the task's
     * pending signals are delivered (get_signal), then the restart rules apply to {@code r}.
     *
     * @return {@code r}, -EINTR, {@link SignalRestart#RESTART} when the call must be made again,
     *         or {@link Kernel#KILLED} when a fatal signal ended the task
     */
    private long returnToUser(long t, long r) {
        if (getInt(t + TaskStruct.EXIT_STATE) != 0) {
            return r; // exit and exit_group never return: the task is gone already
        }
        final int got = SignalDelivery.getSignal(g, t);
        final int fatal = got & SignalRestart.FATAL_MASK;
        if (fatal == Signals.SIGKILL) {
            Exit.fatalSignalExit(g, t);
            return KILLED;
        }
        if (fatal != 0) {
            Exit.doGroupExit(g, t, fatal); // a fatal signal complete_signal did not turn into SIGKILL
            return KILLED;
        }
        return SignalRestart.afterSignals(r, (got & SignalRestart.HANDLED) != 0,
            (got & SignalRestart.HANDLED_SA_RESTART) != 0);
    }

    /** The end of a call that cannot restart: {@link #returnToUser}, then {@link #finish}. */
    private long leave(long r) {
        final long out = returnToUser(frames.get().task, r);
        if (out == SignalRestart.RESTART) {
            throw new IllegalStateException("a call that cannot restart returned " + r);
        }
        return finish(out);
    }

    /** The last step of every call: RCU, the thread's CPU binding and the task's reference. */
    private long finish(long r) {
        final CallFrame f = frames.get();
        final long t = f.task;
        Exit.setInCall(t, false);
        g.rcu.rcuSyscallExit(f.token);
        f.depth = 0;
        f.task = 0;
        if (f.prevCpu < 0) {
            CurrentCpu.unbind();
        } else {
            CurrentCpu.bind(f.prevCpu);
        }
        ForkTask.putTaskStruct(g, t);
        // the tasks killed while outside any call exit now, as on their next return to user space
        Exit.exitIdleTasks(g);
        inflight.exit();
        return r;
    }

    // ---------------------------------------------------------------------------------------------
    // kernel/fork.c
    // ---------------------------------------------------------------------------------------------

    /**
     * One of the clone family's results, packed as a {@link WaitResult}: the frame takes the token
     * the call gives back (vfork sleeps), and the pid or -errno goes on to {@link #returnToUser}.
     */
    private long cloned(long packed) {
        frames.get().token = WaitResult.token(packed);
        return WaitResult.ret(packed);
    }

    @Override
    public long fork(int caller) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        long r;
        do {
            r = cloned(ForkCalls.sysFork(g, t, frames.get().token));
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    @Override
    public long vfork(int caller) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        long r;
        do {
            r = cloned(ForkCalls.sysVfork(g, t, frames.get().token));
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    @Override
    public long clone(int caller, long flags, long newsp, long parentTid, long childTid, long tls) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        long r;
        do {
            r = cloned(ForkCalls.sysClone(g, t, frames.get().token, flags, newsp, parentTid, childTid, tls));
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    @Override
    public long clone3(int caller, long uargs, long size) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        long r;
        do {
            r = cloned(ForkCalls.sysClone3(g, t, frames.get().token, uargs, size));
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    @Override
    public long unshare(int caller, long flags) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        return leave(ForkCalls.ksysUnshare(g, t, flags));
    }

    @Override
    public long setTidAddress(int caller, long tidptr) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        return leave(ForkCalls.sysSetTidAddress(g, t, tidptr));
    }

    // ---------------------------------------------------------------------------------------------
    // fs/exec.c, kernel/exit.c
    // ---------------------------------------------------------------------------------------------

    @Override
    public long execve(int caller, ExecImage image) {
        Objects.requireNonNull(image, "image");
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        return leave(Exec.execve(g, t, image));
    }

    @Override
    public long exit(int caller, int code) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        Exit.sysExit(g, t, code);
        return finish(0);
    }

    @Override
    public long exitGroup(int caller, int code) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        Exit.sysExitGroup(g, t, code);
        return finish(0);
    }

    @Override
    public long wait4(int caller, int pid, long wstatus, int options, long rusage) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        final CallFrame f = frames.get();
        long r;
        do {
            f.wo.rcuToken = f.token;
            r = ExitWait.sysWait4(g, t, pid, wstatus, options, f.wo);
            f.token = f.wo.rcuToken;
            if (r > 0 && rusage != 0 && !putRusage(t, rusage)) {
                r = -Errno.EFAULT;
            }
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    @Override
    public long waitid(int caller, int idtype, int id, long infop, int options, long rusage) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        final CallFrame f = frames.get();
        long r;
        do {
            f.wo.rcuToken = f.token;
            r = ExitWait.sysWaitid(g, t, idtype, id, infop, options, f.wo);
            f.token = f.wo.rcuToken;
            if (r == 0 && f.wo.infoPid != 0 && rusage != 0 && !putRusage(t, rusage)) {
                r = -Errno.EFAULT;
            }
        } while ((r = returnToUser(t, r)) == SignalRestart.RESTART);
        return finish(r);
    }

    /**
     * The struct rusage of a reaped child: the model accounts no CPU time, faults, I/O or
     * context switches, so every field is 0. False on a fault.
     */
    private boolean putRusage(long t, long rusage) {
        final long mm = getLong(t + TaskStruct.MM);
        if (mm == 0) {
            return false;
        }
        for (long off = 0; off < Rusage.SIZEOF; off += Long.BYTES) {
            if (Uaccess.putUser(g.mm, mm, 0, rusage + off, Long.BYTES) != 0) {
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
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        return leave(Pids.taskTgidVnr(g, t, t));
    }

    @Override
    public long getppid(int caller) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        // sys_getppid: task_tgid_vnr(rcu_dereference(current->real_parent))
        final int rcu = g.rcu.rcuReadLock();
        final int ppid = Pids.taskPidNrNs(g, t, Mem.getLongAcquire(t + TaskStruct.REAL_PARENT), PidRules.PIDTYPE_TGID, 0);
        g.rcu.rcuReadUnlock(rcu);
        return leave(ppid);
    }

    @Override
    public long gettid(int caller) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        return leave(Pids.taskPidVnr(g, t, t));
    }

    @Override
    public long kill(int caller, int pid, int sig) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        return leave(SignalCalls.sysKill(g, t, pid, sig));
    }

    @Override
    public long sigaction(int caller, int sig, long handler, long flags, long mask) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        return leave(SignalCalls.doSigaction(g, t, sig, true, handler, flags, 0, mask, 0));
    }

    @Override
    public long setrlimit(int caller, int resource, long cur, long max) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        return leave(Sys.sysPrlimit64(g, t, Integer.toUnsignedLong(resource), true, cur, max, 0));
    }

    // ---------------------------------------------------------------------------------------------
    // mm
    // ---------------------------------------------------------------------------------------------

    /** The caller's mm as an address-space handle, or null for a task without one. */
    private Mm mmOf(long t) {
        final long mm = getLong(t + TaskStruct.MM);
        return mm == 0 ? null : g.mm.handle(mm);
    }

    @Override
    public long mmap(int caller, long addr, long len, int prot, int flags, int fd, long off) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        // sys_mmap (arch/x86/kernel/sys_x86_64.c): the offset is in bytes and must be page aligned
        if ((off & (Mman.PAGE_SIZE - 1)) != 0) {
            return leave(-Errno.EINVAL);
        }
        // ksys_mmap_pgoff: a file mapping needs an open file (fget), and do_mmap a file with an
        // mmap method; the only files a task of the model can open are pidfds (anonymous inodes,
        // no mmap), so a file mapping is -EBADF or -ENODEV
        if ((flags & Mman.MAP_ANONYMOUS) == 0) {
            final long files = getLong(t + TaskStruct.FILES);
            return leave(files == 0 || Files.lookupFd(files, fd) == 0 ? -Errno.EBADF : -Errno.ENODEV);
        }
        // security_mmap_addr: below mmap_min_addr only with CAP_SYS_RAWIO (cap_mmap_addr)
        if (MmArgs.mmapNeedsRawio(addr, len, flags) && !Capability.capable(g, t, Capabilities.CAP_SYS_RAWIO)) {
            return leave(-Errno.EPERM);
        }
        final Mm m = mmOf(t);
        return leave(m == null ? -Errno.ENOMEM : m.mmap(addr, len, prot, flags, null, off >>> Mman.PAGE_SHIFT));
    }

    @Override
    public long munmap(int caller, long addr, long len) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        final Mm m = mmOf(t);
        return leave(m == null ? -Errno.EINVAL : m.munmap(addr, len));
    }

    @Override
    public long mprotect(int caller, long addr, long len, int prot) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        final Mm m = mmOf(t);
        return leave(m == null ? -Errno.ENOMEM : m.mprotect(addr, len, prot));
    }

    @Override
    public long madvise(int caller, long addr, long len, int advice) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        final Mm m = mmOf(t);
        return leave(m == null ? -Errno.ENOMEM : m.madvise(addr, len, advice));
    }

    @Override
    public long mlock(int caller, long addr, long len) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        final Mm m = mmOf(t);
        return leave(m == null ? -Errno.ENOMEM : m.mlock(addr, len));
    }

    @Override
    public long munlock(int caller, long addr, long len) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        final Mm m = mmOf(t);
        return leave(m == null ? -Errno.ENOMEM : m.munlock(addr, len));
    }

    @Override
    public long writeUser(int caller, long addr, byte[] src, int off, int len) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        final Mm m = mmOf(t);
        return leave(m == null || m.copyToUser(addr, src, off, len) != 0 ? -Errno.EFAULT : 0);
    }

    @Override
    public long readUser(int caller, long addr, byte[] dst, int off, int len) {
        final long t = enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        final Mm m = mmOf(t);
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
            return Pids.sysctlPidMax(g, write, value);
        }

        @Override
        public int threadsMax(boolean write, long value) {
            return g.forkInit.sysctlMaxThreads(write, value);
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
            return Ucount.sysctlUcountMax(g, type, write, value);
        }
    };

    @Override
    public long setCred(int pid, int uid, int gid, long caps) {
        final long t = enter(pid);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        return leave(Creds.setCred(g, t, uid, gid, caps));
    }

    // ---------------------------------------------------------------------------------------------
    // Introspection
    // ---------------------------------------------------------------------------------------------

    @Override
    public List<TaskView> tasks() {
        return ProcArray.tasks(g);
    }

    @Override
    public String procStatus(int pid) {
        return ProcArray.procStatus(g, pid, machine.nrCpus());
    }

    @Override
    public String procMaps(int pid) {
        return ProcArray.procMaps(g, pid);
    }

    @Override
    public String slabinfo() {
        return g.kmem.slabs().slabinfo();
    }

    @Override
    public Map<String, Long> objectCounts() {
        g.rcu.rcuBarrier();
        Kmem.quiesce(machine); // checked mode's quarantine holds freed objects: free them for real
        final Map<String, Long> m = new TreeMap<>();
        for (SlabInfo i : g.kmem.slabs().infos()) {
            m.merge(i.name(), i.activeObjs(), Long::sum);
        }
        return m;
    }

    @Override
    public void rcuBarrier() {
        g.rcu.rcuBarrier();
    }

    @Override
    public void addProcEventListener(ProcEventListener listener) {
        ProcConnector.addListener(g, Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Shuts the kernel down: no new call is accepted; every task but init is sent SIGKILL, the
     * calls still running end (a fatal signal ends killable sleeps such as a vfork parent's, and
     * their tasks exit), the tasks outside any call exit; then kernel_power_off releases the
     * zombies and gives init back (Reboot), and the machine closes, which checks that every cache
     * is empty: a leak fails the close.
     *
     * @throws IllegalStateException when calls are still running after the wait
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        drainCalls();
        Reboot.kernelPowerOff(g);
        machine.close();
    }

    /**
     * SIGKILL to every task but init, then the calls in flight return and the killed tasks exit,
     * while init reaps its children on a thread of its own ({@link ShutdownReaper}).
     */
    private void drainCalls() {
        final long init;
        g.tasklistLock.readLock().lock();
        try {
            init = ProcArray.findTask(g, 1);
            final long head = g.initTask + TaskStruct.TASKS;
            for (long n = IntrusiveList.next(head); n != head; n = IntrusiveList.next(n)) {
                final long p = n - TaskStruct.TASKS;
                if (p != init) {
                    // group-directed, as kill(-1, SIGKILL) is: a zombie leader's live threads die too
                    SignalCalls.groupSendSigInfo(g, g.initTask, Signals.SIGKILL, Signal.SEND_SIG_PRIV, p, PidRules.PIDTYPE_MAX);
                }
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        inflight.awaitNone(CLOSE_WAIT_NANOS);
        final Thread reaper = ShutdownReaper.start(name(), () -> {
            SchedCore.clearTskThreadFlag(init, ThreadInfoFlags.TIF_SIGPENDING);
            return ExitWait.kernelWait4(g, init, -1, org.kfork.uapi.Wait.__WALL, new WaitOpts());
        });
        // the killed tasks outside any call exit (do_exit); kernel_power_off releases what is left
        Exit.exitIdleTasks(g);
        ShutdownReaper.join(reaper, CLOSE_WAIT_NANOS);
    }
}
