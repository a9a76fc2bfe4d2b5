package org.kfork.script;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.kfork.api.ExecImage;
import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.ProcEventListener;
import org.kfork.api.TaskView;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.UapiCloneArgs;
import org.kfork.uapi.Wait;

/**
 * A test double of the Kernel API for the runner's own tests, never shipped: it records every call
 * with the Java thread that made it, and models just enough of a kernel for the runner's threading
 * and ordering to be tested before the real kernels exist: pids in nested pid namespaces (with
 * clone3's set_tid read from user memory), fork, a vfork that really blocks its caller's thread
 * until the child exits or execs (and that SIGKILL ends), exit and exit_group, wait4 and waitid
 * that block, user memory as byte arrays, and /proc status with NSpid and ShdPnd. It is no model of
 * Linux beyond that: the real kernels' tests run the scenarios.
 */
final class FakeKernel implements Kernel {
    /** One recorded call. */
    record Call(int caller, String name, String thread, long[] args) {
    }

    /** A pid namespace: its level and its own pid numbers. */
    private static final java.util.concurrent.atomic.AtomicLong NEXT_INUM = new java.util.concurrent.atomic.AtomicLong();

    static final class Ns {
        final Ns parent;
        final int level;
        final Map<Integer, Task> byNr = new HashMap<>();
        /** ns.inum: init_pid_ns's PROC_PID_INIT_INO, then one number per namespace made. */
        final long inum;
        int last;

        Ns(Ns parent) {
            this.parent = parent;
            this.level = parent == null ? 0 : parent.level + 1;
            this.inum = parent == null ? 0xEFFFFFFCL : 0xF0000000L + NEXT_INUM.getAndIncrement();
        }
    }

    /** A task. */
    static final class Task {
        int pid;
        int tgid;
        Task parent;
        Ns ns;
        Ns childNs;
        int[] nrs;
        Map<Long, byte[]> mm;
        String comm;
        char state = 'R';
        int exitCode;
        int exitSignal = Signals.SIGCHLD;
        boolean vforkReleased;
        boolean killPending;
        boolean inCall;
        final List<Task> children = new ArrayList<>();
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final List<ProcEventListener> listeners = new CopyOnWriteArrayList<>();
    final Map<String, Long> sysctls = new TreeMap<>(Map.of("kernel.pid_max", 32768L,
        "kernel.threads-max", 7890L, "vm.max_map_count", 65530L, "vm.overcommit_memory", 0L,
        "vm.overcommit_ratio", 50L));
    /** A call name that throws, to test how the runner reports a kernel bug. */
    volatile String throwOn;
    /** The clone_args the last clone3 read, field by field. */
    volatile long[] lastCloneArgs;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Integer, Task> tasks = new LinkedHashMap<>();
    private final Ns root = new Ns(null);
    private final KernelConfig config;

    FakeKernel(KernelConfig config) {
        this.config = config;
        Task init = new Task();
        init.ns = root;
        init.childNs = root;
        init.nrs = new int[] {1};
        init.pid = 1;
        init.tgid = 1;
        root.byNr.put(1, init);
        root.last = 1;
        init.mm = mmOf(config.initImage());
        init.comm = config.initImage().name();
        tasks.put(1, init);
    }

    /** The Java threads each task's calls came from. */
    Map<Integer, List<String>> threadsByTask() {
        Map<Integer, List<String>> m = new TreeMap<>();
        for (Call c : calls) {
            List<String> l = m.computeIfAbsent(c.caller, k -> new ArrayList<>());
            if (!l.contains(c.thread)) {
                l.add(c.thread);
            }
        }
        return m;
    }

    /** The recorded calls as "pid:name". */
    List<String> callNames() {
        List<String> out = new ArrayList<>();
        for (Call c : calls) {
            out.add(c.caller + ":" + c.name);
        }
        return out;
    }

    private Task enter(int caller, String name, long... args) {
        calls.add(new Call(caller, name, Thread.currentThread().getName(), args));
        if (name.equals(throwOn)) {
            throw new IllegalStateException("injected failure in " + name);
        }
        Task t = tasks.get(caller);
        return t == null || t.state == 'Z' ? null : t;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public KernelConfig config() {
        return config;
    }

    @Override
    public long fork(int caller) {
        return clone(caller, Signals.SIGCHLD, 0, 0, 0, 0);
    }

    @Override
    public long vfork(int caller) {
        return clone(caller, CloneFlags.CLONE_VM | CloneFlags.CLONE_VFORK | Signals.SIGCHLD, 0, 0, 0, 0);
    }

    @Override
    public long clone(int caller, long flags, long newsp, long parentTid, long childTid, long tls) {
        lock.lock();
        try {
            Task p = enter(caller, "clone", flags);
            if (p == null) {
                return -Errno.ESRCH;
            }
            long ret = copyProcess(p, flags & ~CloneFlags.CSIGNAL, (int) (flags & CloneFlags.CSIGNAL), new int[0]);
            if (ret > 0 && (flags & CloneFlags.CLONE_PARENT_SETTID) != 0) {
                write(p, parentTid, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) ret).array());
            }
            return ret;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long clone3(int caller, long uargs, long size) {
        lock.lock();
        try {
            Task p = enter(caller, "clone3", uargs, size);
            if (p == null) {
                return -Errno.ESRCH;
            }
            if (size > 4096) {
                return -Errno.E2BIG;
            }
            if (size < CloneFlags.CLONE_ARGS_SIZE_VER0) {
                return -Errno.EINVAL;
            }
            byte[] raw = new byte[(int) size];
            if (read(p, uargs, raw) != 0) {
                return -Errno.EFAULT;
            }
            for (int i = UapiCloneArgs.SIZEOF; i < raw.length; i++) {
                if (raw[i] != 0) {
                    return -Errno.E2BIG;
                }
            }
            ByteBuffer b = ByteBuffer.allocate(UapiCloneArgs.SIZEOF).order(ByteOrder.LITTLE_ENDIAN);
            b.put(raw, 0, Math.min(raw.length, UapiCloneArgs.SIZEOF));
            long[] f = new long[11];
            for (int i = 0; i < f.length; i++) {
                f[i] = b.getLong(i * 8);
            }
            lastCloneArgs = f;
            long setTidSize = f[UapiCloneArgs.SET_TID_SIZE / 8];
            if (setTidSize > 32) {
                return -Errno.EINVAL;
            }
            int[] setTid = new int[(int) setTidSize];
            if (setTidSize > 0) {
                byte[] a = new byte[4 * (int) setTidSize];
                if (read(p, f[UapiCloneArgs.SET_TID / 8], a) != 0) {
                    return -Errno.EFAULT;
                }
                ByteBuffer ab = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < setTid.length; i++) {
                    setTid[i] = ab.getInt(4 * i);
                }
            }
            return copyProcess(p, f[UapiCloneArgs.FLAGS / 8], (int) f[UapiCloneArgs.EXIT_SIGNAL / 8], setTid);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock. */
    private long copyProcess(Task p, long flags, int exitSignal, int[] setTid) {
        Task c = new Task();
        c.parent = (flags & CloneFlags.CLONE_PARENT) != 0 ? p.parent : p;
        c.ns = (flags & CloneFlags.CLONE_NEWPID) != 0 ? new Ns(p.childNs) : p.childNs;
        c.childNs = c.ns;
        c.nrs = new int[c.ns.level + 1];
        Ns n = c.ns;
        for (int i = 0; n != null; i++, n = n.parent) {
            int nr = i < setTid.length ? setTid[i] : n.last + 1;
            if (n.byNr.containsKey(nr)) {
                return -Errno.EEXIST;
            }
            c.nrs[n.level] = nr;
        }
        for (n = c.ns; n != null; n = n.parent) {
            n.byNr.put(c.nrs[n.level], c);
            n.last = Math.max(n.last, c.nrs[n.level]);
        }
        c.pid = c.nrs[0];
        c.tgid = (flags & CloneFlags.CLONE_THREAD) != 0 ? p.tgid : c.pid;
        c.exitSignal = (flags & CloneFlags.CLONE_THREAD) != 0 ? -1 : exitSignal;
        c.mm = (flags & CloneFlags.CLONE_VM) != 0 ? p.mm : copy(p.mm);
        c.comm = p.comm;
        c.parent.children.add(c);
        tasks.put(c.pid, c);
        for (ProcEventListener l : listeners) {
            l.fork(p.pid, p.tgid, c.pid, c.tgid);
        }
        if ((flags & CloneFlags.CLONE_VFORK) != 0) {
            p.inCall = true;
            try {
                while (!c.vforkReleased && !p.killPending) {
                    changed.awaitUninterruptibly();
                }
            } finally {
                p.inCall = false;
            }
            if (p.killPending) {
                doExit(p, 0, Signals.SIGKILL);
                return KILLED;
            }
        }
        return c.nrs[p.ns.level];
    }

    @Override
    public long unshare(int caller, long flags) {
        lock.lock();
        try {
            Task t = enter(caller, "unshare", flags);
            if (t == null) {
                return -Errno.ESRCH;
            }
            if ((flags & CloneFlags.CLONE_NEWPID) != 0) {
                t.childNs = new Ns(t.ns);
            }
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long setTidAddress(int caller, long tidptr) {
        return simple(caller, "set_tid_address", tidptr);
    }

    @Override
    public long execve(int caller, ExecImage image) {
        lock.lock();
        try {
            Task t = enter(caller, "execve");
            if (t == null) {
                return -Errno.ESRCH;
            }
            t.mm = mmOf(image);
            t.comm = image.name();
            t.vforkReleased = true;
            for (ProcEventListener l : listeners) {
                l.exec(t.pid, t.tgid);
            }
            changed.signalAll();
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long exit(int caller, int code) {
        lock.lock();
        try {
            Task t = enter(caller, "exit", code);
            if (t == null) {
                return -Errno.ESRCH;
            }
            doExit(t, code, 0);
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long exitGroup(int caller, int code) {
        lock.lock();
        try {
            Task t = enter(caller, "exit_group", code);
            if (t == null) {
                return -Errno.ESRCH;
            }
            for (Task o : new ArrayList<>(tasks.values())) {
                if (o != t && o.tgid == t.tgid && o.state != 'Z') {
                    doExit(o, code, 0);
                }
            }
            doExit(t, code, 0);
            return 0;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the task becomes a zombie (or is reaped at once if it is a thread). */
    private void doExit(Task t, int code, int sig) {
        t.state = 'Z';
        t.exitCode = Wait.exitCode(code & 0xff, sig);
        t.vforkReleased = true;
        Task init = tasks.get(1);
        for (Task c : t.children) {
            c.parent = init;
            init.children.add(c);
        }
        t.children.clear();
        for (ProcEventListener l : listeners) {
            l.exit(t.pid, t.tgid, t.exitCode, t.exitSignal);
        }
        if (t.exitSignal == -1) {
            release(t);
        }
        changed.signalAll();
    }

    private void release(Task t) {
        tasks.remove(t.pid);
        if (t.parent != null) {
            t.parent.children.remove(t);
        }
        for (Ns n = t.ns; n != null; n = n.parent) {
            n.byNr.remove(t.nrs[n.level]);
        }
    }

    @Override
    public long wait4(int caller, int pid, long wstatus, int options, long rusage) {
        lock.lock();
        try {
            Task t = enter(caller, "wait4", pid, options);
            if (t == null) {
                return -Errno.ESRCH;
            }
            long ret = doWait(t, pid, options);
            if (ret > 0 && wstatus != 0) {
                ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, lastStatus);
                if (write(t, wstatus, b.array()) != 0) {
                    return -Errno.EFAULT;
                }
            }
            return ret;
        } finally {
            lock.unlock();
        }
    }

    private int lastStatus;

    /** Under the lock: reaps a zombie child (its pid in t's namespace), 0 with WNOHANG, or an error. */
    private long doWait(Task t, int pid, int options) {
        t.inCall = true;
        try {
            for (;;) {
                List<Task> candidates = new ArrayList<>();
                for (Task c : t.children) {
                    if (pid == -1 || pid > 0 && c.nrs.length > t.ns.level && c.nrs[t.ns.level] == pid) {
                        candidates.add(c);
                    }
                }
                if (candidates.isEmpty()) {
                    return -Errno.ECHILD;
                }
                for (Task c : candidates) {
                    if (c.state == 'Z') {
                        lastStatus = c.exitCode;
                        release(c);
                        return c.nrs[t.ns.level];
                    }
                }
                if ((options & Wait.WNOHANG) != 0) {
                    return 0;
                }
                if (t.killPending) {
                    doExit(t, 0, Signals.SIGKILL);
                    return KILLED;
                }
                changed.awaitUninterruptibly();
            }
        } finally {
            t.inCall = false;
        }
    }

    @Override
    public long waitid(int caller, int idtype, int id, long infop, int options, long rusage) {
        lock.lock();
        try {
            Task t = enter(caller, "waitid", idtype, id, options);
            if (t == null) {
                return -Errno.ESRCH;
            }
            long ret = doWait(t, idtype == Wait.P_ALL ? -1 : id, options);
            if (ret < 0) {
                return ret;
            }
            ByteBuffer si = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
            if (ret > 0) {
                si.putInt(0, Signals.SIGCHLD).putInt(8, Wait.CLD_EXITED).putInt(16, (int) ret)
                    .putInt(24, Wait.exitStatus(lastStatus));
            }
            return write(t, infop, si.array()) != 0 ? -Errno.EFAULT : 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long getpid(int caller) {
        lock.lock();
        try {
            Task t = enter(caller, "getpid");
            return t == null ? -Errno.ESRCH : tasks.get(t.tgid).nrs[t.ns.level];
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long getppid(int caller) {
        lock.lock();
        try {
            Task t = enter(caller, "getppid");
            if (t == null) {
                return -Errno.ESRCH;
            }
            Task p = t.parent;
            return p == null || p.nrs.length <= t.ns.level ? 0 : p.nrs[t.ns.level];
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long gettid(int caller) {
        lock.lock();
        try {
            Task t = enter(caller, "gettid");
            return t == null ? -Errno.ESRCH : t.nrs[t.ns.level];
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long kill(int caller, int pid, int sig) {
        lock.lock();
        try {
            Task t = enter(caller, "kill", pid, sig);
            if (t == null) {
                return -Errno.ESRCH;
            }
            Task target = t.ns.byNr.get(pid);
            if (target == null || target.state == 'Z') {
                return -Errno.ESRCH;
            }
            if (sig == Signals.SIGKILL && target.pid != 1) {
                if (target.inCall) {
                    target.killPending = true;
                    changed.signalAll();
                } else {
                    doExit(target, 0, Signals.SIGKILL);
                }
            }
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long sigaction(int caller, int sig, long handler, long flags, long mask) {
        return simple(caller, "sigaction", sig, handler, flags, mask);
    }

    @Override
    public long setrlimit(int caller, int resource, long cur, long max) {
        return simple(caller, "setrlimit", resource, cur, max);
    }

    @Override
    public long mmap(int caller, long addr, long len, int prot, int flags, int fd, long off) {
        lock.lock();
        try {
            Task t = enter(caller, "mmap", addr, len, prot, flags, fd, off);
            if (t == null) {
                return -Errno.ESRCH;
            }
            if (len <= 0 || len > (1L << 30)) {
                return -Errno.EINVAL;
            }
            long at = addr != 0 ? addr : 0x7f0000000000L + 0x100000L * t.mm.size();
            t.mm.put(at, new byte[(int) len]);
            return at;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long munmap(int caller, long addr, long len) {
        lock.lock();
        try {
            Task t = enter(caller, "munmap", addr, len);
            if (t == null) {
                return -Errno.ESRCH;
            }
            t.mm.remove(addr);
            return 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long mprotect(int caller, long addr, long len, int prot) {
        return simple(caller, "mprotect", addr, len, prot);
    }

    @Override
    public long madvise(int caller, long addr, long len, int advice) {
        return simple(caller, "madvise", addr, len, advice);
    }

    @Override
    public long mlock(int caller, long addr, long len) {
        return simple(caller, "mlock", addr, len);
    }

    @Override
    public long munlock(int caller, long addr, long len) {
        return simple(caller, "munlock", addr, len);
    }

    private long simple(int caller, String name, long... args) {
        lock.lock();
        try {
            return enter(caller, name, args) == null ? -Errno.ESRCH : 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long writeUser(int caller, long addr, byte[] src, int off, int len) {
        lock.lock();
        try {
            Task t = tasks.get(caller);
            if (t == null) {
                return -Errno.ESRCH;
            }
            byte[] bytes = new byte[len];
            System.arraycopy(src, off, bytes, 0, len);
            return write(t, addr, bytes);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long readUser(int caller, long addr, byte[] dst, int off, int len) {
        lock.lock();
        try {
            Task t = tasks.get(caller);
            if (t == null) {
                return -Errno.ESRCH;
            }
            byte[] bytes = new byte[len];
            long ret = read(t, addr, bytes);
            if (ret == 0) {
                System.arraycopy(bytes, 0, dst, off, len);
            }
            return ret;
        } finally {
            lock.unlock();
        }
    }

    private static long write(Task t, long addr, byte[] bytes) {
        for (Map.Entry<Long, byte[]> r : t.mm.entrySet()) {
            long start = r.getKey();
            if (addr >= start && addr + bytes.length <= start + r.getValue().length) {
                System.arraycopy(bytes, 0, r.getValue(), (int) (addr - start), bytes.length);
                return 0;
            }
        }
        return -Errno.EFAULT;
    }

    private static long read(Task t, long addr, byte[] bytes) {
        for (Map.Entry<Long, byte[]> r : t.mm.entrySet()) {
            long start = r.getKey();
            if (addr >= start && addr + bytes.length <= start + r.getValue().length) {
                System.arraycopy(r.getValue(), (int) (addr - start), bytes, 0, bytes.length);
                return 0;
            }
        }
        return -Errno.EFAULT;
    }

    private static Map<Long, byte[]> mmOf(ExecImage image) {
        Map<Long, byte[]> mm = new TreeMap<>();
        for (ExecImage.Mapping m : image.mappings()) {
            mm.put(m.addr(), new byte[(int) m.len()]);
        }
        return mm;
    }

    private static Map<Long, byte[]> copy(Map<Long, byte[]> mm) {
        Map<Long, byte[]> c = new TreeMap<>();
        for (Map.Entry<Long, byte[]> e : mm.entrySet()) {
            c.put(e.getKey(), e.getValue().clone());
        }
        return c;
    }

    @Override
    public long sysctl(String name) {
        Long v = sysctls.get(name);
        return v == null ? -Errno.ENOENT : v;
    }

    @Override
    public long sysctl(String name, long value) {
        if (!sysctls.containsKey(name)) {
            return -Errno.ENOENT;
        }
        sysctls.put(name, value);
        return 0;
    }

    @Override
    public long setCred(int pid, int uid, int gid, long caps) {
        return simple(pid, "cred", uid, gid, caps);
    }

    @Override
    public List<TaskView> tasks() {
        lock.lock();
        try {
            List<TaskView> out = new ArrayList<>();
            for (Task t : tasks.values()) {
                List<Integer> nrs = new ArrayList<>();
                List<Long> inums = new ArrayList<>();
                for (Ns n = t.ns; n != null; n = n.parent) {
                    nrs.add(0, t.nrs[n.level]);
                    inums.add(0, n.inum);
                }
                out.add(new TaskView(t.pid, t.tgid, t.parent == null ? 0 : t.parent.tgid, t.state, t.comm, nrs, inums));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String procStatus(int pid) {
        lock.lock();
        try {
            Task t = tasks.get(pid);
            if (t == null) {
                return null;
            }
            StringBuilder nspid = new StringBuilder();
            for (int nr : t.nrs) {
                nspid.append('\t').append(nr);
            }
            return "Name:\t" + t.comm + "\nState:\t" + t.state + "\nPid:\t" + t.pid + "\nPPid:\t"
                + (t.parent == null ? 0 : t.parent.pid) + "\nNSpid:" + nspid + "\nShdPnd:\t"
                + String.format("%016x", t.killPending ? Signals.sigmask(Signals.SIGKILL) : 0) + "\n";
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String procMaps(int pid) {
        lock.lock();
        try {
            Task t = tasks.get(pid);
            if (t == null) {
                return null;
            }
            StringBuilder out = new StringBuilder();
            for (Map.Entry<Long, byte[]> r : t.mm.entrySet()) {
                out.append(String.format("%08x-%08x rw-p 00000000 00:00 0", r.getKey(), r.getKey() + r.getValue().length)).append('\n');
            }
            return out.toString();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String slabinfo() {
        return "";
    }

    @Override
    public String meminfo() {
        return "MemTotal:       " + (config.ramBytes() >> 10) + " kB\n";
    }

    @Override
    public Map<String, Long> objectCounts() {
        return Collections.emptyMap();
    }

    @Override
    public void rcuBarrier() {
    }

    @Override
    public void addProcEventListener(ProcEventListener listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            for (Task t : tasks.values()) {
                t.killPending = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
