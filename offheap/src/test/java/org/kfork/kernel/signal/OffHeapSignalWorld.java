package org.kfork.kernel.signal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.fork.ForkSignal;
import org.kfork.kernel.locking.Refcount;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.KSigaction;
import org.kfork.kernel.struct.KernelSiginfo;
import org.kfork.kernel.struct.MultiprocessSignals;
import org.kfork.kernel.struct.PosixCputimers;
import org.kfork.kernel.struct.Rlimit;
import org.kfork.kernel.struct.Sigaction;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.Sigqueue;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.kernel.sys.Sys;
import org.kfork.kernel.time.PosixCpuTimers;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.sched.TaskFlags;
import org.kfork.testing.LeakCheck;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Signals;

/** The off-heap kernel on a machine of its own, leak-checked at close. */
final class OffHeapSignalWorld extends SignalWorld {
    private static final int SLOTS = 128;

    final Machine machine;
    final Globals g;
    private final KmemCache creds;
    private final KmemCache users;
    private final List<Long> tasks = new ArrayList<>();
    private final Map<Long, Integer> index = new HashMap<>();
    private final Map<Integer, Long> userByUid = new HashMap<>();
    /** Kernel memory for the callers' locals: an oact, an rlimit, one multiprocess_signals per task. */
    private final long scratch;
    private final Map<String, Long> baseline;

    OffHeapSignalWorld() {
        if (!Kasan.ENABLED) {
            throw new AssertionError("checked mode must be on in off-heap tests (-Dkfork.checked=true)");
        }
        machine = Machine.builder().ram(64L << 20).cpus(2).build();
        g = Globals.boot(machine);
        g.signalExterns = new Externs();
        Kmem kmem = Kmem.of(machine);
        creds = kmem.slabs().create("test_cred", (int) Cred.SIZEOF, 8, 0, null);
        users = kmem.slabs().create("test_user_struct", (int) UserStruct.SIZEOF, 8, 0, null);
        scratch = g.image.alloc(64 + SLOTS * MultiprocessSignals.SIZEOF, 64);
        // task 0: the kernel's init_task, linked to init_signals and init_sighand at boot
        long init = g.initTask;
        model.add(-1, 0, false);
        register(init);
        if (Mem.getLong(init + TaskStruct.SIGNAL) != g.initSignals || Signal.firstThread(g.initSignals) != init) {
            throw new AssertionError("boot did not link init_task to init_signals");
        }
        attachCred(init, 0, 0, 0);
        baseline = LeakCheck.quiescedSnapshot(machine);
    }

    private void register(long t) {
        index.put(t, tasks.size());
        tasks.add(t);
    }

    long task(int i) {
        return tasks.get(i);
    }

    private int idx(long t) {
        Integer i = index.get(t);
        if (i == null) {
            throw new IllegalStateException("unknown task 0x" + Long.toHexString(t));
        }
        return i;
    }

    private long user(int uid) {
        return userByUid.computeIfAbsent(uid, u -> {
            long up = users.zalloc(0);
            Refcount.set(up + UserStruct.__COUNT, 1); // the world's reference
            Mem.putInt(up + UserStruct.UID, u);
            return up;
        });
    }

    private void attachCred(long t, int uid, int euid, int suid) {
        long cred = creds.zalloc(0);
        Mem.putInt(cred + Cred.UID, uid);
        Mem.putInt(cred + Cred.EUID, euid);
        Mem.putInt(cred + Cred.SUID, suid);
        long up = user(uid);
        Refcount.inc(up + UserStruct.__COUNT, "user_struct.__count");
        Mem.putLong(cred + Cred.USER, up);
        Mem.putLong(t + TaskStruct.REAL_CRED, cred);
        Mem.putLong(t + TaskStruct.CRED, cred);
    }

    private void detachCred(long t) {
        long cred = Mem.getLong(t + TaskStruct.REAL_CRED);
        Refcount.decAndTest(Mem.getLong(cred + Cred.USER) + UserStruct.__COUNT, "user_struct.__count");
        creds.free(0, cred);
    }

    // ---- the neighbours

    private final class Externs implements SignalExterns {
        @Override
        public long findVpid(long current, int nr) {
            int i = model.findVpid(idx(current), nr);
            return i < 0 ? 0 : model.nr.get(i);
        }

        @Override
        public long pidTask(long pid, int type) {
            if (type == PidRules.PIDTYPE_PID) {
                int i = model.byNr((int) pid);
                return i < 0 ? 0 : task(i);
            }
            int i = model.pgrpMember(model.byNr((int) pid), 0);
            return i < 0 ? 0 : task(i);
        }

        @Override
        public long pidTaskNext(long t, int type) {
            int i = idx(t);
            int n = model.pgrpMember(model.pgrp.get(i), i + 1);
            return n < 0 ? 0 : task(n);
        }

        @Override
        public int taskPidNrNs(long t, int type, long ns) {
            return model.pidNrNs(idx(t), type, (int) ns);
        }

        @Override
        public long taskActivePidNs(long t) {
            return model.activeNs(idx(t));
        }

        @Override
        public long taskPgrp(long t) {
            return model.nr.get(model.pgrp.get(idx(t)));
        }

        @Override
        public long initTask() {
            return task(0);
        }

        @Override
        public long nextTask(long p) {
            return task(model.nextTask(idx(p)));
        }

        @Override
        public void freeUid(long up) {
            synchronized (model) {
                model.freeUids++;
            }
            if (Refcount.decAndTest(up + UserStruct.__COUNT, "user_struct.__count")) {
                throw new AssertionError("free_uid dropped the world's own reference");
            }
        }

        @Override
        public boolean capable(long current, int cap) {
            return (model.caps.get(idx(current)) & (1L << cap)) != 0;
        }

        @Override
        public boolean taskCurr(long p) {
            return model.running.get(idx(p));
        }

        @Override
        public boolean wakeUpState(long p, int state) {
            model.wakeups.add(idx(p) + ":" + state);
            return true;
        }

        @Override
        public void wakeUpParent(long p, long parent) {
            model.parentWakeups.add(idx(p) + "->" + idx(parent));
        }
    }

    // ---- building and tearing down tasks

    @Override
    int fork(int parent, long flags) {
        long p = task(parent);
        long c = g.forkInit.taskStructCachep().zalloc(0);
        // the part of dup_task_struct these fields need: the parent's pointers and blocked set
        Mem.putLong(c + TaskStruct.SIGHAND, Mem.getLong(p + TaskStruct.SIGHAND));
        Mem.putLong(c + TaskStruct.SIGNAL, Mem.getLong(p + TaskStruct.SIGNAL));
        Mem.putLong(c + TaskStruct.BLOCKED, Mem.getLong(p + TaskStruct.BLOCKED));
        IntrusiveList.init(c + TaskStruct.THREAD_GROUP);
        IntrusiveList.init(c + TaskStruct.PENDING + Sigpending.LIST);
        int r = ForkSignal.copySighand(g, p, flags, c);
        if (r < 0) {
            g.forkInit.taskStructCachep().free(0, c);
            return r;
        }
        r = ForkSignal.copySignal(g, p, flags, c);
        if (r < 0) {
            ForkSignal.__cleanupSighand(g, Mem.getLong(c + TaskStruct.SIGHAND));
            g.forkInit.taskStructCachep().free(0, c);
            return r;
        }
        if (g.forkInit.stacks().allocThreadStackNode(c, 0) == 0) {
            throw new IllegalStateException("no stack");
        }
        boolean thread = (flags & CloneFlags.CLONE_THREAD) != 0;
        int i = model.add(parent, flags, thread);
        register(c);
        long pcred = Mem.getLong(p + TaskStruct.REAL_CRED);
        attachCred(c, Mem.getInt(pcred + Cred.UID), Mem.getInt(pcred + Cred.EUID), Mem.getInt(pcred + Cred.SUID));
        Mem.putInt(c + TaskStruct.PID, model.nr.get(i));
        Mem.putLong(c + TaskStruct.PARENT, p);
        Mem.putLong(c + TaskStruct.REAL_PARENT, p);
        Mem.putLong(c + TaskStruct.PARENT_EXEC_ID, Mem.getLong(p + TaskStruct.SELF_EXEC_ID));
        if (thread) {
            long leader = Mem.getLong(p + TaskStruct.GROUP_LEADER);
            long sig = Mem.getLong(c + TaskStruct.SIGNAL);
            Mem.putLong(c + TaskStruct.GROUP_LEADER, leader);
            Mem.putInt(c + TaskStruct.TGID, Mem.getInt(leader + TaskStruct.TGID));
            Mem.putInt(sig + SignalStruct.NR_THREADS, Mem.getInt(sig + SignalStruct.NR_THREADS) + 1);
            Mem.getAndAddInt(sig + SignalStruct.LIVE, 1);
            Refcount.inc(sig + SignalStruct.SIGCNT, "signal_struct.sigcnt");
            IntrusiveList.addTailRcu(c + TaskStruct.THREAD_GROUP, leader + TaskStruct.THREAD_GROUP);
            IntrusiveList.addTailRcu(c + TaskStruct.THREAD_NODE, sig + SignalStruct.THREAD_HEAD);
        } else {
            Mem.putLong(c + TaskStruct.GROUP_LEADER, c);
            Mem.putInt(c + TaskStruct.TGID, model.nr.get(i));
        }
        return i;
    }

    @Override
    void release(int t) {
        long c = task(t);
        long sighand = Mem.getLong(c + TaskStruct.SIGHAND);
        long sig = Mem.getLong(c + TaskStruct.SIGNAL);
        Spinlock.lock(sighand + SighandStruct.SIGLOCK);
        IntrusiveList.del(c + TaskStruct.THREAD_NODE);
        int nr = Mem.getInt(sig + SignalStruct.NR_THREADS) - 1;
        Mem.putInt(sig + SignalStruct.NR_THREADS, nr);
        if (nr == 0) {
            Signal.flushSigqueue(g, sig + SignalStruct.SHARED_PENDING);
        }
        Signal.flushSigqueue(g, c + TaskStruct.PENDING);
        Mem.putLongRelease(c + TaskStruct.SIGHAND, 0);
        Spinlock.unlock(sighand + SighandStruct.SIGLOCK);
        ForkSignal.__cleanupSighand(g, sighand);
        IntrusiveList.del(c + TaskStruct.THREAD_GROUP);
        Mem.getAndAddInt(sig + SignalStruct.LIVE, -1);
        ForkSignal.putSignalStruct(g, sig);
        detachCred(c);
        g.forkInit.stacks().freeThreadStack(c);
        model.hashed.set(t, false);
        index.remove(c);
        g.forkInit.taskStructCachep().free(0, c);
    }

    @Override
    void setCred(int t, int uid, int euid, int suid) {
        long c = task(t);
        detachCred(c);
        attachCred(c, uid, euid, suid);
    }

    // ---- calls

    @Override
    int kill(int caller, int pid, int sig) {
        return SignalCalls.sysKill(g, task(caller), pid, sig);
    }

    @Override
    int sendSig(int caller, int sig, int t, boolean priv) {
        return SignalCalls.sendSig(g, task(caller), sig, task(t), priv);
    }

    @Override
    int groupSendPriv(int caller, int sig, int t) {
        return SignalCalls.groupSendSigInfo(g, task(caller), sig, Signal.SEND_SIG_PRIV, task(t), PidRules.PIDTYPE_TGID);
    }

    @Override
    int sigaction(int t, int sig, long handler, long flags, long mask) {
        return SignalCalls.doSigaction(g, task(t), sig, true, handler, flags, 0, mask, 0);
    }

    @Override
    int sigaction(int t, int sig, boolean hasAct, long handler, long flags, long restorer, long mask, long[] old) {
        long act = 0;
        if (hasAct) {
            act = scratch + 32; // a k_sigaction, as sys_rt_sigaction's new_ka on the stack
            Mem.putLong(act + KSigaction.SA + Sigaction.SA_HANDLER, handler);
            Mem.putLong(act + KSigaction.SA + Sigaction.SA_FLAGS, flags);
            Mem.putLong(act + KSigaction.SA + Sigaction.SA_RESTORER, restorer);
            Mem.putLong(act + KSigaction.SA + Sigaction.SA_MASK, mask);
        }
        long oact = old == null ? 0 : scratch;
        int r = SignalCalls.doSigaction(g, task(t), sig, act, oact);
        if (old != null) {
            old[0] = Mem.getLong(oact + KSigaction.SA + Sigaction.SA_HANDLER);
            old[1] = Mem.getLong(oact + KSigaction.SA + Sigaction.SA_FLAGS);
            old[2] = Mem.getLong(oact + KSigaction.SA + Sigaction.SA_RESTORER);
            old[3] = Mem.getLong(oact + KSigaction.SA + Sigaction.SA_MASK);
        }
        return r;
    }

    @Override
    boolean notifyParent(int t, int sig) {
        g.tasklistLock.writeLock().lock();
        try {
            return SignalCalls.doNotifyParent(g, task(t), sig);
        } finally {
            g.tasklistLock.writeLock().unlock();
        }
    }

    @Override
    int zapOtherThreads(int t) {
        long siglock = Signal.siglock(task(t));
        Spinlock.lock(siglock);
        try {
            return Signal.zapOtherThreads(g, task(t));
        } finally {
            Spinlock.unlock(siglock);
        }
    }

    @Override
    void flushSignalHandlers(int t, boolean force) {
        Signal.flushSignalHandlers(task(t), force);
    }

    @Override
    void recalcSigpending(int t) {
        long siglock = Signal.siglock(task(t));
        Spinlock.lock(siglock);
        Signal.recalcSigpending(task(t));
        Spinlock.unlock(siglock);
    }

    @Override
    void calculateSigpending(int t) {
        Signal.calculateSigpending(task(t));
    }

    @Override
    void flushSignals(int t) {
        Signal.flushSignals(g, task(t));
    }

    @Override
    int prlimit(int t, long resource, boolean hasNew, long cur, long max, long[] old) {
        long oldRlim = old == null ? 0 : scratch;
        if (old != null) {
            Mem.putLong(oldRlim + Rlimit.RLIM_CUR, 0x5a5a);
            Mem.putLong(oldRlim + Rlimit.RLIM_MAX, 0x5a5a);
        }
        int r = Sys.sysPrlimit64(g, task(t), resource, hasNew, cur, max, oldRlim);
        if (old != null) {
            old[0] = Mem.getLong(oldRlim + Rlimit.RLIM_CUR);
            old[1] = Mem.getLong(oldRlim + Rlimit.RLIM_MAX);
        }
        return r;
    }

    private long slot(int t) {
        return scratch + 64 + t * MultiprocessSignals.SIZEOF;
    }

    @Override
    int forkDelay(int t, long flags) {
        return ForkSignal.forkDelaySignals(g, task(t), flags, slot(t));
    }

    @Override
    long delayed(int t) {
        return Mem.getLong(slot(t) + MultiprocessSignals.SIGNAL);
    }

    @Override
    void forkDone(int t) {
        ForkSignal.forkSignalsDone(task(t), slot(t));
    }

    // ---- state

    private long sig(int t) {
        return Mem.getLong(task(t) + TaskStruct.SIGNAL);
    }

    private long sighand(int t) {
        return Mem.getLong(task(t) + TaskStruct.SIGHAND);
    }

    @Override
    long[] action(int t, int sig) {
        long sa = sighand(t) + SighandStruct.ACTION + (sig - 1) * KSigaction.SIZEOF + KSigaction.SA;
        return new long[] {Mem.getLong(sa + Sigaction.SA_HANDLER), Mem.getLong(sa + Sigaction.SA_FLAGS),
            Mem.getLong(sa + Sigaction.SA_RESTORER), Mem.getLong(sa + Sigaction.SA_MASK)};
    }

    @Override
    long pending(int t) {
        return Mem.getLong(task(t) + TaskStruct.PENDING + Sigpending.SIGNAL);
    }

    @Override
    long sharedPending(int t) {
        return Mem.getLong(sig(t) + SignalStruct.SHARED_PENDING + Sigpending.SIGNAL);
    }

    @Override
    List<int[]> queued(int t, boolean shared) {
        long head = (shared ? sig(t) + SignalStruct.SHARED_PENDING : task(t) + TaskStruct.PENDING) + Sigpending.LIST;
        List<int[]> out = new ArrayList<>();
        for (long n = IntrusiveList.next(head); n != head; n = IntrusiveList.next(n)) {
            long info = n - Sigqueue.LIST + Sigqueue.INFO;
            out.add(new int[] {Mem.getInt(info + KernelSiginfo.SI_SIGNO), Mem.getInt(info + KernelSiginfo.SI_CODE),
                Mem.getInt(info + KernelSiginfo.SI_PID), Mem.getInt(info + KernelSiginfo.SI_UID),
                Mem.getInt(info + KernelSiginfo.SI_STATUS)});
        }
        return out;
    }

    @Override
    boolean tifSigpending(int t) {
        return Signal.taskSigpending(task(t));
    }

    @Override
    boolean fatalSignalPending(int t) {
        return Signal.fatalSignalPending(task(t));
    }

    @Override
    void setBlocked(int t, long set) {
        Mem.putLong(task(t) + TaskStruct.BLOCKED, set);
    }

    @Override
    void setFlags(int t, int pf) {
        Mem.putInt(task(t) + TaskStruct.FLAGS, pf);
    }

    @Override
    void setExitCode(int t, int code) {
        Mem.putInt(task(t) + TaskStruct.EXIT_CODE, code);
    }

    @Override
    void setExitState(int t, int state) {
        Mem.putInt(task(t) + TaskStruct.EXIT_STATE, state);
    }

    @Override
    void setParentExecIds(int t, long parentExecId, long parentSelfExecId) {
        Mem.putLong(task(t) + TaskStruct.PARENT_EXEC_ID, parentExecId);
        Mem.putLong(Mem.getLong(task(t) + TaskStruct.PARENT) + TaskStruct.SELF_EXEC_ID, parentSelfExecId);
    }

    @Override
    int signalFlags(int t) {
        return Mem.getInt(sig(t) + SignalStruct.FLAGS);
    }

    @Override
    void setSignalFlags(int t, int flags) {
        Mem.putInt(sig(t) + SignalStruct.FLAGS, flags);
    }

    @Override
    int groupExitCode(int t) {
        return Mem.getInt(sig(t) + SignalStruct.GROUP_EXIT_CODE);
    }

    @Override
    long jobctl(int t) {
        return Mem.getLong(task(t) + TaskStruct.JOBCTL);
    }

    @Override
    void setJobctl(int t, long jobctl) {
        Mem.putLong(task(t) + TaskStruct.JOBCTL, jobctl);
    }

    @Override
    int nrThreads(int t) {
        return Mem.getInt(sig(t) + SignalStruct.NR_THREADS);
    }

    @Override
    int live(int t) {
        return Mem.getInt(sig(t) + SignalStruct.LIVE);
    }

    @Override
    int sigcnt(int t) {
        return Refcount.read(sig(t) + SignalStruct.SIGCNT);
    }

    @Override
    int sighandCount(int t) {
        return Signal.sighandCount(sighand(t));
    }

    @Override
    boolean sameSighand(int a, int b) {
        return sighand(a) == sighand(b);
    }

    @Override
    boolean sameSignal(int a, int b) {
        return sig(a) == sig(b);
    }

    @Override
    List<Integer> threads(int t) {
        List<Integer> out = new ArrayList<>();
        long s = sig(t);
        for (long x = Signal.firstThread(s); x != 0; x = Signal.nextThreadNode(s, x)) {
            out.add(idx(x));
        }
        return out;
    }

    @Override
    int currTarget(int t) {
        return idx(Mem.getLong(sig(t) + SignalStruct.CURR_TARGET));
    }

    @Override
    long[] rlimit(int t, int resource) {
        long r = sig(t) + SignalStruct.RLIM + resource * Rlimit.SIZEOF;
        return new long[] {Mem.getLong(r + Rlimit.RLIM_CUR), Mem.getLong(r + Rlimit.RLIM_MAX)};
    }

    @Override
    void setRlimit(int t, int resource, long cur, long max) {
        long r = sig(t) + SignalStruct.RLIM + resource * Rlimit.SIZEOF;
        Mem.putLong(r + Rlimit.RLIM_CUR, cur);
        Mem.putLong(r + Rlimit.RLIM_MAX, max);
    }

    @Override
    long profNextevt(int t) {
        return PosixCpuTimers.groupNextevt(sig(t), org.kfork.sched.CpuClocks.CPUCLOCK_PROF);
    }

    @Override
    boolean timersActive(int t) {
        return Mem.getInt(sig(t) + SignalStruct.POSIX_CPUTIMERS
            + PosixCputimers.TIMERS_ACTIVE) != 0;
    }

    @Override
    void setOom(int t, short adj, short adjMin, int auditTty) {
        Mem.putShort(sig(t) + SignalStruct.OOM_SCORE_ADJ, adj);
        Mem.putShort(sig(t) + SignalStruct.OOM_SCORE_ADJ_MIN, adjMin);
        Mem.putInt(sig(t) + SignalStruct.AUDIT_TTY, auditTty);
    }

    @Override
    int[] oom(int t) {
        long s = sig(t);
        int bits = Mem.getInt(s + SignalStruct.LAYOUT.offsetOf("is_child_subreaper"));
        return new int[] {Mem.getShort(s + SignalStruct.OOM_SCORE_ADJ), Mem.getShort(s + SignalStruct.OOM_SCORE_ADJ_MIN),
            Mem.getInt(s + SignalStruct.AUDIT_TTY), (bits >> 1) & 1, bits & 1};
    }

    @Override
    int[] userCounts(int uid) {
        long up = user(uid);
        return new int[] {Refcount.read(up + UserStruct.__COUNT), Mem.getInt(up + UserStruct.SIGPENDING)};
    }

    @Override
    long objects(String cache) {
        return switch (cache) {
            case "sighand_cache" -> g.forkInit.sighandCachep().activeObjects();
            case "signal_cache" -> g.forkInit.signalCachep().activeObjects();
            case "sigqueue" -> g.sigqueueCachep.activeObjects();
            default -> throw new IllegalArgumentException(cache);
        };
    }

    @Override
    long[] initStatics() {
        long allDfl = 1;
        for (int sig = 1; sig <= Signals._NSIG; sig++) {
            long sa = g.initSighand + SighandStruct.ACTION + (sig - 1) * KSigaction.SIZEOF + KSigaction.SA;
            if (Mem.getLong(sa + Sigaction.SA_HANDLER) != Signals.SIG_DFL || Mem.getLong(sa + Sigaction.SA_FLAGS) != 0
                || Mem.getLong(sa + Sigaction.SA_MASK) != 0) {
                allDfl = 0;
            }
        }
        long pidsInit = g.initStructPid != 0 ? 1 : 0;
        for (int type = 0; type < PidRules.PIDTYPE_MAX; type++) {
            if (Mem.getLong(g.initSignals + SignalStruct.PIDS + (long) Long.BYTES * type) != g.initStructPid) {
                pidsInit = 0;
            }
        }
        return new long[] {Refcount.read(g.initSighand + SighandStruct.COUNT), allDfl,
            Mem.getInt(g.initSignals + SignalStruct.NR_THREADS), Refcount.read(g.initSignals + SignalStruct.SIGCNT),
            pidsInit};
    }

    @Override
    long[] initRlimit(int resource) {
        long r = g.initSignals + SignalStruct.RLIM + resource * Rlimit.SIZEOF;
        return new long[] {Mem.getLong(r + Rlimit.RLIM_CUR), Mem.getLong(r + Rlimit.RLIM_MAX)};
    }

    @Override
    int maxThreads() {
        return g.forkInit.maxThreads();
    }

    @Override
    void failNth(long k) {
        g.failSlab.failNth(k);
    }

    @Override
    long allocations() {
        return g.failSlab.allocations();
    }

    @Override
    void disarm() {
        g.failSlab.disarm();
    }

    @Override
    void setNrOpen(int n) {
        g.sysctlNrOpen = n;
    }

    @Override
    void withoutSighand(int t, Runnable r) {
        long sh = Mem.getLong(task(t) + TaskStruct.SIGHAND);
        Mem.putLong(task(t) + TaskStruct.SIGHAND, 0);
        try {
            r.run();
        } finally {
            Mem.putLong(task(t) + TaskStruct.SIGHAND, sh);
        }
    }

    @Override
    Map<String, Long> counts() {
        return LeakCheck.quiescedSnapshot(machine);
    }

    @Override
    public void close() {
        try {
            g.failSlab.disarm();
            for (int t = count() - 1; t > 0; t--) {
                if (model.hashed.get(t)) {
                    release(t);
                }
            }
            for (Map.Entry<Integer, Long> e : userByUid.entrySet()) {
                long up = e.getValue();
                if (Refcount.read(up + UserStruct.__COUNT) != (e.getKey() == 0 ? 2 : 1)
                    || Mem.getInt(up + UserStruct.SIGPENDING) != 0) {
                    throw new AssertionError("user " + e.getKey() + " left with __count "
                        + Refcount.read(up + UserStruct.__COUNT) + ", sigpending " + Mem.getInt(up + UserStruct.SIGPENDING));
                }
                if (e.getKey() != 0) {
                    users.free(0, up); // root's user was there at the baseline, with init_task's cred
                }
            }
            LeakCheck.assertNoLeak(baseline, LeakCheck.quiescedSnapshot(machine));
        } finally {
            machine.close();
        }
    }
}
