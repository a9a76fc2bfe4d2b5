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
import org.kfork.heap.fork.HeapForkCalls;
import org.kfork.heap.fork.HeapForkThreads;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMm;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.proc.HeapProcArray;
import org.kfork.heap.proc.HeapProcMeminfo;
import org.kfork.heap.reboot.HeapReboot;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalCalls;
import org.kfork.heap.sys.HeapSys;
import org.kfork.mm.MmArgs;
import org.kfork.mm.Mman;
import org.kfork.mm.Overcommit;
import org.kfork.pid.PidRules;
import org.kfork.proc.Sysctls;
import org.kfork.smp.CurrentCpu;
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
    /** The system-call layer every call goes through. */
    private final HeapSyscallLayer sys;
    /** How long close waits for the calls in flight once every task but init was sent SIGKILL. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private HeapKernel(KernelConfig config) {
        this.config = config;
        this.g = HeapGlobals.boot(config.ramBytes() / Mman.PAGE_SIZE, config.nrCpus(), config.seed());
        g.signalExterns = new HeapKernelSignalExterns(g);
        this.sys = new HeapSyscallLayer(g);
        startInit(g, config.initImage());
    }

    /**
     * kernel_init's address as pid 1's frame records it: the heap kernel has no kernel text, so it
     * is the text's first address (__START_KERNEL); nothing calls it.
     */
    public static final long KERNEL_INIT = 0xffff_ffff_8100_0000L;

    /** See the off-heap twin: kernel_thread for pid 1, then its execve of the init image. */
    private static void startInit(HeapGlobals g, ExecImage image) {
        final int prev = CurrentCpu.boundCpu();
        CurrentCpu.bind(0);
        try {
            final int nr = HeapForkThreads.kernelThread(g, g.initTask, KERNEL_INIT, 0, CloneFlags.CLONE_FS);
            final HeapTask init = nr == 1 ? HeapProcArray.findTask(g, 1) : null;
            if (init == null) {
                throw new IllegalStateException("kernel_thread for init gave " + nr + ", not pid 1");
            }
            final int err = HeapExec.execve(g, init, image);
            if (err != 0) {
                throw new IllegalStateException("init's execve of " + image.name() + " failed: " + Errno.name(-err));
            }
            if (HeapSys.ksysSetsid(g, init) != 1) { // a session of its own, as a real init's
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
    // kernel/fork.c
    // ---------------------------------------------------------------------------------------------

    @Override
    public long fork(int caller) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            long r;
            do {
                r = sys.cloned(HeapForkCalls.sysFork(g, t, sys.frame().token));
            } while ((r = sys.returnToUser(t, r)) == SignalRestart.RESTART);
            return r;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long vfork(int caller) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            long r;
            do {
                r = sys.cloned(HeapForkCalls.sysVfork(g, t, sys.frame().token));
            } while ((r = sys.returnToUser(t, r)) == SignalRestart.RESTART);
            return r;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long clone(int caller, long flags, long newsp, long parentTid, long childTid, long tls) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            long r;
            do {
                r = sys.cloned(HeapForkCalls.sysClone(g, t, sys.frame().token, flags, newsp, parentTid, childTid, tls));
            } while ((r = sys.returnToUser(t, r)) == SignalRestart.RESTART);
            return r;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long clone3(int caller, long uargs, long size) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            long r;
            do {
                r = sys.cloned(HeapForkCalls.sysClone3(g, t, sys.frame().token, uargs, size));
            } while ((r = sys.returnToUser(t, r)) == SignalRestart.RESTART);
            return r;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long unshare(int caller, long flags) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(HeapForkCalls.ksysUnshare(g, t, flags));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long setTidAddress(int caller, long tidptr) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(HeapForkCalls.sysSetTidAddress(g, t, tidptr));
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
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(HeapExec.execve(g, t, image));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long exit(int caller, int code) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            HeapExit.sysExit(g, t, code);
            return 0;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long exitGroup(int caller, int code) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            HeapExit.sysExitGroup(g, t, code);
            return 0;
        } finally {
            sys.finish();
        }
    }

    @Override
    public long wait4(int caller, int pid, long wstatus, int options, long rusage) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            final HeapSyscallLayer.CallFrame f = sys.frame();
            long r;
            do {
                f.wo.rcuToken = f.token;
                r = HeapExitWait.sysWait4(g, t, pid, wstatus, options, f.wo);
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
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            final HeapSyscallLayer.CallFrame f = sys.frame();
            long r;
            do {
                f.wo.rcuToken = f.token;
                r = HeapExitWait.sysWaitid(g, t, idtype, id, infop, options, f.wo);
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
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(HeapPids.taskTgidVnr(g, t, t));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long getppid(int caller) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            final int rcu = g.rcu.rcuReadLock();
            final int ppid = HeapPids.taskPidNrNs(g, t, t.realParent, PidRules.PIDTYPE_TGID, null);
            g.rcu.rcuReadUnlock(rcu);
            return sys.leave(ppid);
        } finally {
            sys.finish();
        }
    }

    @Override
    public long gettid(int caller) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(HeapPids.taskPidVnr(g, t, t));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long kill(int caller, int pid, int sig) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(HeapSignalCalls.sysKill(g, t, pid, sig));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long sigaction(int caller, int sig, long handler, long flags, long mask) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(HeapSignalCalls.doSigaction(g, t, sig, true, handler, flags, 0, mask, null));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long setrlimit(int caller, int resource, long cur, long max) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(HeapSys.sysPrlimit64(g, t, Integer.toUnsignedLong(resource), true, cur, max, null));
        } finally {
            sys.finish();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // mm
    // ---------------------------------------------------------------------------------------------

    private HeapMm mmOf(HeapTask t) {
        return t.mm == null ? null : g.mm.handle(t.mm);
    }

    @Override
    public long mmap(int caller, long addr, long len, int prot, int flags, int fd, long off) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            if ((off & (Mman.PAGE_SIZE - 1)) != 0) {
                return sys.leave(-Errno.EINVAL);
            }
            // see the off-heap twin: -EBADF without such an fd, -ENODEV for a pidfd (no mmap)
            if ((flags & Mman.MAP_ANONYMOUS) == 0) {
                return sys.leave(t.files == null || HeapFiles.lookupFd(t.files, fd) == null ? -Errno.EBADF : -Errno.ENODEV);
            }
            if (MmArgs.mmapNeedsRawio(addr, len, flags) && !HeapCapability.capable(g, t, Capabilities.CAP_SYS_RAWIO)) {
                return sys.leave(-Errno.EPERM);
            }
            final HeapMm m = mmOf(t);
            return sys.leave(m == null ? -Errno.ENOMEM : m.mmap(addr, len, prot, flags, null, off >>> Mman.PAGE_SHIFT));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long munmap(int caller, long addr, long len) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            final HeapMm m = mmOf(t);
            return sys.leave(m == null ? -Errno.EINVAL : m.munmap(addr, len));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long mprotect(int caller, long addr, long len, int prot) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            final HeapMm m = mmOf(t);
            return sys.leave(m == null ? -Errno.ENOMEM : m.mprotect(addr, len, prot));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long madvise(int caller, long addr, long len, int advice) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            final HeapMm m = mmOf(t);
            return sys.leave(m == null ? -Errno.ENOMEM : m.madvise(addr, len, advice));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long mlock(int caller, long addr, long len) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            final HeapMm m = mmOf(t);
            return sys.leave(m == null ? -Errno.ENOMEM : m.mlock(addr, len));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long munlock(int caller, long addr, long len) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            final HeapMm m = mmOf(t);
            return sys.leave(m == null ? -Errno.ENOMEM : m.munlock(addr, len));
        } finally {
            sys.finish();
        }
    }

    @Override
    public long writeUser(int caller, long addr, byte[] src, int off, int len) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            final HeapMm m = mmOf(t);
            return sys.leave(m == null || m.copyToUser(addr, src, off, len) != 0 ? -Errno.EFAULT : 0);
        } finally {
            sys.finish();
        }
    }

    @Override
    public long readUser(int caller, long addr, byte[] dst, int off, int len) {
        final HeapTask t = sys.enter(caller);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            final HeapMm m = mmOf(t);
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
            return HeapPids.sysctlPidMax(g, write, value);
        }

        @Override
        public int threadsMax(boolean write, long value) {
            return g.sysctlMaxThreads(write, value);
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
        final HeapTask t = sys.enter(pid);
        if (t == null) {
            return -Errno.ESRCH;
        }
        try {
            return sys.leave(HeapCreds.setCred(g, t, uid, gid, caps));
        } finally {
            sys.finish();
        }
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

    @Override
    public String meminfo() {
        return HeapProcMeminfo.meminfo(g);
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
        if (!sys.close()) {
            return;
        }
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
        // init reaps from now on, while the calls in flight end: a namespace's init killed inside
        // its exit waits in zap_pid_ns_processes for a task whose parent is pid 1 (unshare
        // CLONE_NEWPID, then fork by init), and only init's reaping ends that call
        final Thread reaper = ShutdownReaper.start(name(), () -> {
            init.clearTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
            return HeapExitWait.kernelWait4(g, init, -1, org.kfork.uapi.Wait.__WALL, new WaitOpts());
        });
        sys.awaitNone(CLOSE_WAIT_NANOS);
        // the killed tasks outside any call exit (do_exit); kernel_power_off releases what is left
        HeapExit.exitIdleTasksNow(g);
        ShutdownReaper.join(reaper, CLOSE_WAIT_NANOS);
    }
}
