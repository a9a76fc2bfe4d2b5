package org.kfork.kernel;

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
import org.kfork.kernel.fork.ForkCalls;
import org.kfork.kernel.fork.ForkThreads;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.mm.Mm;
import org.kfork.kernel.mm.Uaccess;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.proc.ProcArray;
import org.kfork.kernel.proc.ProcMeminfo;
import org.kfork.kernel.reboot.Reboot;
import org.kfork.kernel.sched.SchedCore;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.signal.SignalCalls;
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
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.smp.CurrentCpu;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;

/**
 * The off-heap kernel behind {@link Kernel}: a modeled machine of the configured RAM and CPUs,
 * {@link Globals#boot} on it, pid 1, and the system-call layer every call goes through.
 *
 * <p><b>The system-call layer</b> ({@link SyscallLayer}): each call enters it, runs the kernel's
 * function, goes back to user space through it, and finishes in a {@code finally}, so that an
 * exception escaping the kernel leaves nothing taken behind.
 */
public final class OffHeapKernel implements Kernel {
    private final KernelConfig config;
    private final Machine machine;
    private final Globals g;
    /** The system-call layer every call goes through. */
    private final SyscallLayer sys;
    /** How long close waits for the calls in flight once every task but init was sent SIGKILL. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

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
        this.sys = new SyscallLayer(booted);
    }

    /** kernel_init's place in the kernel text: the model runs no kernel thread's function. */
    private static final Runnable KERNEL_INIT = () -> {
        throw new UnsupportedOperationException("kernel_init runs as the execve of the init image");
    };

    /**
     * rest_init: init_task starts pid 1 with kernel_thread (CLONE_FS, plus the CLONE_VM and
     * CLONE_UNTRACED kernel_thread adds; no exit signal), and pid 1 execs the init image, which
     * makes it a user process with an mm of its own (kernel_init's run_init_process); then it
     * leaves init_struct_pid's session (0) for one of its own, as a real init's setsid does.
     */
    private static void startInit(Globals g, ExecImage image) {
        final int prev = CurrentCpu.boundCpu();
        CurrentCpu.bind(0); // the boot CPU, init_task's
        try {
            // rest_init's kernel_thread(kernel_init, NULL, CLONE_FS): kernel_init is a symbol of
            // the kernel text, recorded in pid 1's frame and never called (pid 1 execs below)
            final long kernelInit = KernelText.of(g.machine).register("kernel_init", KERNEL_INIT);
            final int nr = ForkThreads.kernelThread(g, g.initTask, kernelInit, 0, CloneFlags.CLONE_FS);
            final long init = nr == 1 ? ProcArray.findTask(g, 1) : 0;
            if (init == 0) {
                throw new IllegalStateException("kernel_thread for init gave " + nr + ", not pid 1");
            }
            // kernel_init: run_init_process, an execve of the init image by pid 1 itself
            final int err = Exec.execve(g, init, image);
            if (err != 0) {
                throw new IllegalStateException("init's execve of " + image.name() + " failed: " + Errno.name(-err));
            }
            // the init program's first step, as a real pid 1's: a session and process group of its own
            if (Sys.ksysSetsid(g, init) != 1) {
                throw new IllegalStateException("init's setsid failed");
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
    // kernel/fork.c
    // ---------------------------------------------------------------------------------------------

    @Override
    public long fork(int caller) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            long r;
            do {
                r = sys.cloned(ForkCalls.sysFork(g, t, sys.frame().token));
            } while ((r = sys.returnToUser(t, r)) == SignalRestart.RESTART);
            return r;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long vfork(int caller) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            long r;
            do {
                r = sys.cloned(ForkCalls.sysVfork(g, t, sys.frame().token));
            } while ((r = sys.returnToUser(t, r)) == SignalRestart.RESTART);
            return r;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long clone(int caller, long flags, long newsp, long parentTid, long childTid, long tls) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            long r;
            do {
                r = sys.cloned(ForkCalls.sysClone(g, t, sys.frame().token, flags, newsp, parentTid, childTid, tls));
            } while ((r = sys.returnToUser(t, r)) == SignalRestart.RESTART);
            return r;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long clone3(int caller, long uargs, long size) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            long r;
            do {
                r = sys.cloned(ForkCalls.sysClone3(g, t, sys.frame().token, uargs, size));
            } while ((r = sys.returnToUser(t, r)) == SignalRestart.RESTART);
            return r;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long unshare(int caller, long flags) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(ForkCalls.ksysUnshare(g, t, flags));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long setTidAddress(int caller, long tidptr) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(ForkCalls.sysSetTidAddress(g, t, tidptr));
        } finally {
            sys.finish();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // fs/exec.c, kernel/exit.c
    // ---------------------------------------------------------------------------------------------

    @Override
    public long execve(int caller, ExecImage image) {
        Objects.requireNonNull(image, "image");
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(Exec.execve(g, t, image));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long exit(int caller, int code) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            Exit.sysExit(g, t, code);
            return 0;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long exitGroup(int caller, int code) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            Exit.sysExitGroup(g, t, code);
            return 0;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long wait4(int caller, int pid, long wstatus, int options, long rusage) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            final SyscallLayer.CallFrame f = sys.frame();
            long r;
            do {
                f.wo.rcuToken = f.token;
                r = ExitWait.sysWait4(g, t, pid, wstatus, options, f.wo);
                f.token = f.wo.rcuToken;
                if (r > 0 && rusage != 0 && !putRusage(t, rusage)) {
                    r = -Errno.EFAULT;
                }
            } while ((r = sys.returnToUser(t, r)) == SignalRestart.RESTART);
            return r;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long waitid(int caller, int idtype, int id, long infop, int options, long rusage) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            final SyscallLayer.CallFrame f = sys.frame();
            long r;
            do {
                f.wo.rcuToken = f.token;
                r = ExitWait.sysWaitid(g, t, idtype, id, infop, options, f.wo);
                f.token = f.wo.rcuToken;
                if (r == 0 && f.wo.infoPid != 0 && rusage != 0 && !putRusage(t, rusage)) {
                    r = -Errno.EFAULT;
                }
            } while ((r = sys.returnToUser(t, r)) == SignalRestart.RESTART);
            return r;
        } finally {
            sys.finish();
        }
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
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(Pids.taskTgidVnr(g, t, t));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long getppid(int caller) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            // sys_getppid: task_tgid_vnr(rcu_dereference(current->real_parent))
            final int rcu = g.rcu.rcuReadLock();
            final int ppid = Pids.taskPidNrNs(g, t, Mem.getLongAcquire(t + TaskStruct.REAL_PARENT), PidRules.PIDTYPE_TGID, 0);
            g.rcu.rcuReadUnlock(rcu);
            return sys.leave(ppid);
        } finally {
            sys.finish();
        }
    }

    @Override
    public long gettid(int caller) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(Pids.taskPidVnr(g, t, t));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long kill(int caller, int pid, int sig) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(SignalCalls.sysKill(g, t, pid, sig));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long sigaction(int caller, int sig, long handler, long flags, long mask) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(SignalCalls.doSigaction(g, t, sig, true, handler, flags, 0, mask, 0));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long setrlimit(int caller, int resource, long cur, long max) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(Sys.sysPrlimit64(g, t, Integer.toUnsignedLong(resource), true, cur, max, 0));
        } finally {
            sys.finish();
        }
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
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            // sys_mmap (arch/x86/kernel/sys_x86_64.c): the offset is in bytes and must be page aligned
            if ((off & (Mman.PAGE_SIZE - 1)) != 0) {
                return sys.leave(-Errno.EINVAL);
            }
            // ksys_mmap_pgoff: a file mapping needs an open file (fget), and do_mmap a file with an
            // mmap method; the only files a task of the model can open are pidfds (anonymous inodes,
            // no mmap), so a file mapping is -EBADF or -ENODEV
            if ((flags & Mman.MAP_ANONYMOUS) == 0) {
                final long files = getLong(t + TaskStruct.FILES);
                return sys.leave(files == 0 || Files.lookupFd(files, fd) == 0 ? -Errno.EBADF : -Errno.ENODEV);
            }
            // security_mmap_addr: below mmap_min_addr only with CAP_SYS_RAWIO (cap_mmap_addr)
            if (MmArgs.mmapNeedsRawio(addr, len, flags) && !Capability.capable(g, t, Capabilities.CAP_SYS_RAWIO)) {
                return sys.leave(-Errno.EPERM);
            }
            final Mm m = mmOf(t);
            return sys.leave(m == null ? -Errno.ENOMEM : m.mmap(addr, len, prot, flags, null, off >>> Mman.PAGE_SHIFT));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long munmap(int caller, long addr, long len) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            final Mm m = mmOf(t);
            return sys.leave(m == null ? -Errno.EINVAL : m.munmap(addr, len));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long mprotect(int caller, long addr, long len, int prot) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            final Mm m = mmOf(t);
            return sys.leave(m == null ? -Errno.ENOMEM : m.mprotect(addr, len, prot));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long madvise(int caller, long addr, long len, int advice) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            final Mm m = mmOf(t);
            return sys.leave(m == null ? -Errno.ENOMEM : m.madvise(addr, len, advice));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long mlock(int caller, long addr, long len) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            final Mm m = mmOf(t);
            return sys.leave(m == null ? -Errno.ENOMEM : m.mlock(addr, len));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long munlock(int caller, long addr, long len) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            final Mm m = mmOf(t);
            return sys.leave(m == null ? -Errno.ENOMEM : m.munlock(addr, len));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long writeUser(int caller, long addr, byte[] src, int off, int len) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            final Mm m = mmOf(t);
            return sys.leave(m == null || m.copyToUser(addr, src, off, len) != 0 ? -Errno.EFAULT : 0);
        } finally {
            sys.finish();
        }
    }

    @Override
    public long readUser(int caller, long addr, byte[] dst, int off, int len) {
        final long t = sys.enter(caller);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            final Mm m = mmOf(t);
            return sys.leave(m == null || m.copyFromUser(dst, off, addr, len) != 0 ? -Errno.EFAULT : 0);
        } finally {
            sys.finish();
        }
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
        final long t = sys.enter(pid);
        if (t == 0) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(Creds.setCred(g, t, uid, gid, caps));
        } finally {
            sys.finish();
        }
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
    public String meminfo() {
        return ProcMeminfo.meminfo(g);
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
     * crash_save_vmcoreinfo, then a dump: brings the VMCOREINFO block up to date (the slab caches'
     * counters, the free pages, CRASHTIME) under tasklist_lock, and writes RAM's dirty pages to the
     * RAM file, so that the file read later is memory as it is now. The kernel runs on; an image
     * meant to be read should be taken when no call is running.
     *
     * @return the RAM file ({@code -Dkfork.ram.file})
     * @throws IllegalStateException when RAM is no file, or the VMCOREINFO block does not start the
     *         file (another machine held RAM before this kernel booted), so no reader could find it
     */
    public java.io.File saveImage() {
        final java.io.File f = Mem.ramFile();
        if (f == null) {
            throw new IllegalStateException("RAM is anonymous memory in this JVM: start it with -Dkfork.ram.file=FILE"
                + " (kfork run --ram-file FILE) to leave an image");
        }
        if (!g.crash.atWindowStart() || machine.ramStart() != org.kfork.machine.Abi.PAGE_OFFSET) {
            throw new IllegalStateException("the VMCOREINFO block is at 0x" + Long.toHexString(g.crash.address())
                + ", not at the start of " + f + ": only the first machine of a JVM makes a readable image");
        }
        g.tasklistLock.readLock().lock();
        try {
            g.crash.save();
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        Mem.syncRamFile();
        return f;
    }

    /**
     * Writes this machine's RAM to {@code out} as a RAM image that {@code kfork inspect} and
     * {@code kfork vmcore} read (CrashCore.dump: all-zero pages stay holes), after bringing
     * VMCOREINFO up to date as {@link #saveImage} does. For a machine whose RAM is no file; take it
     * when no call is running.
     *
     * @throws IllegalStateException when another machine took RAM before this kernel booted, so
     *         that the VMCOREINFO block does not start the window
     */
    public void dumpImage(java.nio.file.Path out) {
        g.tasklistLock.readLock().lock();
        try {
            g.crash.save();
            g.crash.dump(out);
        } finally {
            g.tasklistLock.readLock().unlock();
        }
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
        if (!sys.close()) {
            return;
        }
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
        // init reaps from now on, while the calls in flight end: a namespace's init killed inside
        // its exit waits in zap_pid_ns_processes for a task whose parent is pid 1 (unshare
        // CLONE_NEWPID, then fork by init), and only init's reaping ends that call
        final Thread reaper = ShutdownReaper.start(name(), () -> {
            SchedCore.clearTskThreadFlag(init, ThreadInfoFlags.TIF_SIGPENDING);
            return ExitWait.kernelWait4(g, init, -1, org.kfork.uapi.Wait.__WALL, new WaitOpts());
        });
        sys.awaitNone(CLOSE_WAIT_NANOS);
        // the killed tasks outside any call exit (do_exit); kernel_power_off releases what is left
        Exit.exitIdleTasksNow(g);
        ShutdownReaper.join(reaper, CLOSE_WAIT_NANOS);
    }
}
