package org.kfork.kernel.signal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.kfork.arch.X86_64;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.cred.HeapCred;
import org.kfork.heap.cred.HeapUserStruct;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.fork.HeapForkSignal;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.signal.HeapKSigaction;
import org.kfork.heap.signal.HeapMultiprocessSignals;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalCalls;
import org.kfork.heap.signal.HeapSignalExterns;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.heap.signal.HeapSigpending;
import org.kfork.heap.signal.HeapSigqueue;
import org.kfork.heap.sys.HeapSys;
import org.kfork.heap.time.HeapPosixCpuTimers;
import org.kfork.pid.PidRules;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Signals;

/** The heap twin, booted with the off-heap world's RAM and CPUs; its object counts are checked at close. */
final class HeapSignalWorld extends SignalWorld {
    final HeapGlobals g = HeapGlobals.boot((64L << 20) / X86_64.PAGE_SIZE, 2);
    private final List<HeapTask> tasks = new ArrayList<>();
    private final Map<HeapTask, Integer> index = new IdentityHashMap<>();
    private final Map<Integer, HeapUserStruct> userByUid = new HashMap<>();
    private final Map<Integer, HeapMultiprocessSignals> slots = new HashMap<>();
    private final Map<String, Long> baseline;

    HeapSignalWorld() {
        g.signalExterns = new Externs();
        // task 0: the kernel's init_task, linked to init_signals and init_sighand at boot
        HeapTask init = g.initTask;
        model.add(-1, 0, false);
        register(init);
        if (init.signal != g.initSignals || init.sighand != g.initSighand
            || ((HeapTask.Link) g.initSignals.threadHead.next()).task != init) {
            throw new AssertionError("boot did not link init_task to init_signals");
        }
        attachCred(init, 0, 0, 0);
        baseline = g.objectCounts();
    }

    private void register(HeapTask t) {
        index.put(t, tasks.size());
        tasks.add(t);
    }

    HeapTask task(int i) {
        return tasks.get(i);
    }

    private int idx(HeapTask t) {
        Integer i = index.get(t);
        if (i == null) {
            throw new IllegalStateException("unknown task");
        }
        return i;
    }

    private HeapUserStruct user(int uid) {
        return userByUid.computeIfAbsent(uid, u -> {
            HeapUserStruct up = new HeapUserStruct();
            up.uid = u;
            up.count.set(1); // the world's reference
            return up;
        });
    }

    private void attachCred(HeapTask t, int uid, int euid, int suid) {
        HeapCred cred = new HeapCred();
        cred.uid = uid;
        cred.euid = euid;
        cred.suid = suid;
        HeapUserStruct up = user(uid);
        up.count.inc();
        cred.user = up;
        t.realCred = cred;
        t.cred = cred;
    }

    private void detachCred(HeapTask t) {
        t.realCred.user.count.decAndTest();
        t.realCred = null;
        t.cred = null;
    }

    private final class Externs implements HeapSignalExterns {
        @Override
        public Object findVpid(HeapTask current, int nr) {
            int i = model.findVpid(idx(current), nr);
            return i < 0 ? null : model.nr.get(i);
        }

        @Override
        public HeapTask pidTask(Object pid, int type) {
            if (type == PidRules.PIDTYPE_PID) {
                int i = model.byNr((Integer) pid);
                return i < 0 ? null : task(i);
            }
            int i = model.pgrpMember(model.byNr((Integer) pid), 0);
            return i < 0 ? null : task(i);
        }

        @Override
        public HeapTask pidTaskNext(HeapTask t, int type) {
            int i = idx(t);
            int n = model.pgrpMember(model.pgrp.get(i), i + 1);
            return n < 0 ? null : task(n);
        }

        @Override
        public int taskPidNrNs(HeapTask t, int type, Object ns) {
            return model.pidNrNs(idx(t), type, (Integer) ns);
        }

        @Override
        public Object taskActivePidNs(HeapTask t) {
            return model.activeNs(idx(t));
        }

        @Override
        public Object taskPgrp(HeapTask t) {
            return model.nr.get(model.pgrp.get(idx(t)));
        }

        @Override
        public HeapTask initTask() {
            return task(0);
        }

        @Override
        public HeapTask nextTask(HeapTask p) {
            return task(model.nextTask(idx(p)));
        }

        @Override
        public void freeUid(HeapUserStruct up) {
            synchronized (model) {
                model.freeUids++;
            }
            if (up.count.decAndTest()) {
                throw new AssertionError("free_uid dropped the world's own reference");
            }
        }

        @Override
        public boolean capable(HeapTask current, int cap) {
            return (model.caps.get(idx(current)) & (1L << cap)) != 0;
        }

        @Override
        public boolean taskCurr(HeapTask p) {
            return model.running.get(idx(p));
        }

        @Override
        public boolean wakeUpState(HeapTask p, int state) {
            model.wakeups.add(idx(p) + ":" + state);
            return true;
        }

        @Override
        public void wakeUpParent(HeapTask p, HeapTask parent) {
            model.parentWakeups.add(idx(p) + "->" + idx(parent));
        }
    }

    @Override
    int fork(int parent, long flags) {
        HeapTask p = task(parent);
        HeapTask c = new HeapTask();
        c.sighand = p.sighand;
        c.signal = p.signal;
        c.blocked = p.blocked;
        int r = HeapForkSignal.copySighand(g, p, flags, c);
        if (r < 0) {
            return r;
        }
        r = HeapForkSignal.copySignal(g, p, flags, c);
        if (r < 0) {
            HeapForkSignal.__cleanupSighand(g, c.sighand);
            return r;
        }
        boolean thread = (flags & CloneFlags.CLONE_THREAD) != 0;
        int i = model.add(parent, flags, thread);
        register(c);
        attachCred(c, p.realCred.uid, p.realCred.euid, p.realCred.suid);
        c.pid = model.nr.get(i);
        c.parent = p;
        c.realParent = p;
        c.parentExecId = p.selfExecId;
        if (thread) {
            HeapTask leader = p.groupLeader;
            HeapSignalStruct sig = c.signal;
            c.groupLeader = leader;
            c.tgid = leader.tgid;
            sig.nrThreads++;
            sig.live.incrementAndGet();
            sig.sigcnt.inc();
            HeapIntrusiveList.listAddTail(c.threadGroup, leader.threadGroup);
            HeapIntrusiveList.listAddTail(c.threadNode, sig.threadHead);
        } else {
            c.groupLeader = c;
            c.tgid = model.nr.get(i);
        }
        return i;
    }

    @Override
    void release(int t) {
        HeapTask c = task(t);
        HeapSighandStruct sighand = c.sighand;
        HeapSignalStruct sig = c.signal;
        sighand.siglock.lock();
        HeapIntrusiveList.listDel(c.threadNode);
        if (--sig.nrThreads == 0) {
            HeapSignal.flushSigqueue(g, sig.sharedPending);
        }
        HeapSignal.flushSigqueue(g, c.pending);
        c.sighand = null;
        sighand.siglock.unlock();
        HeapForkSignal.__cleanupSighand(g, sighand);
        HeapIntrusiveList.listDel(c.threadGroup);
        sig.live.decrementAndGet();
        HeapForkSignal.putSignalStruct(g, sig);
        detachCred(c);
        model.hashed.set(t, false);
        index.remove(c);
    }

    @Override
    void setCred(int t, int uid, int euid, int suid) {
        detachCred(task(t));
        attachCred(task(t), uid, euid, suid);
    }

    @Override
    int kill(int caller, int pid, int sig) {
        return HeapSignalCalls.sysKill(g, task(caller), pid, sig);
    }

    @Override
    int sendSig(int caller, int sig, int t, boolean priv) {
        return HeapSignalCalls.sendSig(g, task(caller), sig, task(t), priv);
    }

    @Override
    int groupSendPriv(int caller, int sig, int t) {
        return HeapSignalCalls.groupSendSigInfo(g, task(caller), sig, HeapSignal.SEND_SIG_PRIV, task(t), PidRules.PIDTYPE_TGID);
    }

    @Override
    int sigaction(int t, int sig, long handler, long flags, long mask) {
        return HeapSignalCalls.doSigaction(g, task(t), sig, true, handler, flags, 0, mask, null);
    }

    @Override
    int sigaction(int t, int sig, boolean hasAct, long handler, long flags, long restorer, long mask, long[] old) {
        HeapKSigaction act = null;
        if (hasAct) {
            act = new HeapKSigaction();
            act.saHandler = handler;
            act.saFlags = flags;
            act.saRestorer = restorer;
            act.saMask = mask;
        }
        HeapKSigaction oact = old == null ? null : new HeapKSigaction();
        int r = HeapSignalCalls.doSigaction(g, task(t), sig, act, oact);
        if (old != null) {
            old[0] = oact.saHandler;
            old[1] = oact.saFlags;
            old[2] = oact.saRestorer;
            old[3] = oact.saMask;
        }
        return r;
    }

    @Override
    boolean notifyParent(int t, int sig) {
        g.tasklistLock.writeLock().lock();
        try {
            return HeapSignalCalls.doNotifyParent(g, task(t), sig);
        } finally {
            g.tasklistLock.writeLock().unlock();
        }
    }

    @Override
    int zapOtherThreads(int t) {
        HeapTask p = task(t);
        p.sighand.siglock.lock();
        try {
            return HeapSignal.zapOtherThreads(g, p);
        } finally {
            p.sighand.siglock.unlock();
        }
    }

    @Override
    void flushSignalHandlers(int t, boolean force) {
        HeapSignal.flushSignalHandlers(task(t), force);
    }

    @Override
    void recalcSigpending(int t) {
        HeapTask p = task(t);
        p.sighand.siglock.lock();
        HeapSignal.recalcSigpending(p);
        p.sighand.siglock.unlock();
    }

    @Override
    void calculateSigpending(int t) {
        HeapSignal.calculateSigpending(task(t));
    }

    @Override
    void flushSignals(int t) {
        HeapSignal.flushSignals(g, task(t));
    }

    @Override
    int prlimit(int t, long resource, boolean hasNew, long cur, long max, long[] old) {
        if (old != null) {
            old[0] = 0x5a5a;
            old[1] = 0x5a5a;
        }
        return HeapSys.sysPrlimit64(g, task(t), resource, hasNew, cur, max, old);
    }

    @Override
    int forkDelay(int t, long flags) {
        return HeapForkSignal.forkDelaySignals(g, task(t), flags,
            slots.computeIfAbsent(t, k -> new HeapMultiprocessSignals()));
    }

    @Override
    long delayed(int t) {
        return slots.get(t).signal;
    }

    @Override
    void forkDone(int t) {
        HeapForkSignal.forkSignalsDone(task(t), slots.get(t));
    }

    @Override
    long[] action(int t, int sig) {
        HeapKSigaction a = task(t).sighand.action[sig - 1];
        return new long[] {a.saHandler, a.saFlags, a.saRestorer, a.saMask};
    }

    @Override
    long pending(int t) {
        return task(t).pending.signal;
    }

    @Override
    long sharedPending(int t) {
        return task(t).signal.sharedPending.signal;
    }

    @Override
    List<int[]> queued(int t, boolean shared) {
        HeapSigpending p = shared ? task(t).signal.sharedPending : task(t).pending;
        List<int[]> out = new ArrayList<>();
        for (HeapIntrusiveList n = p.list.next(); n != p.list; n = n.next()) {
            HeapSigqueue q = (HeapSigqueue) n;
            out.add(new int[] {q.info.siSigno, q.info.siCode, q.info.siPid, q.info.siUid, q.info.siStatus});
        }
        return out;
    }

    @Override
    boolean tifSigpending(int t) {
        return HeapSignal.taskSigpending(task(t));
    }

    @Override
    boolean fatalSignalPending(int t) {
        return HeapSignal.fatalSignalPending(task(t));
    }

    @Override
    void setBlocked(int t, long set) {
        task(t).blocked = set;
    }

    @Override
    void setFlags(int t, int pf) {
        task(t).flags = pf;
    }

    @Override
    void setExitCode(int t, int code) {
        task(t).exitCode = code;
    }

    @Override
    void setExitState(int t, int state) {
        task(t).exitState = state;
    }

    @Override
    void setParentExecIds(int t, long parentExecId, long parentSelfExecId) {
        task(t).parentExecId = parentExecId;
        task(t).parent.selfExecId = parentSelfExecId;
    }

    @Override
    int signalFlags(int t) {
        return task(t).signal.flags;
    }

    @Override
    void setSignalFlags(int t, int flags) {
        task(t).signal.flags = flags;
    }

    @Override
    int groupExitCode(int t) {
        return task(t).signal.groupExitCode;
    }

    @Override
    long jobctl(int t) {
        return task(t).jobctl;
    }

    @Override
    void setJobctl(int t, long jobctl) {
        task(t).jobctl = jobctl;
    }

    @Override
    int nrThreads(int t) {
        return task(t).signal.nrThreads;
    }

    @Override
    int live(int t) {
        return task(t).signal.live.get();
    }

    @Override
    int sigcnt(int t) {
        return task(t).signal.sigcnt.read();
    }

    @Override
    int sighandCount(int t) {
        return task(t).sighand.count.read();
    }

    @Override
    boolean sameSighand(int a, int b) {
        return task(a).sighand == task(b).sighand;
    }

    @Override
    boolean sameSignal(int a, int b) {
        return task(a).signal == task(b).signal;
    }

    @Override
    List<Integer> threads(int t) {
        List<Integer> out = new ArrayList<>();
        HeapSignalStruct s = task(t).signal;
        for (HeapIntrusiveList n = s.threadHead.next(); n != s.threadHead; n = n.next()) {
            out.add(idx(((HeapTask.Link) n).task));
        }
        return out;
    }

    @Override
    int currTarget(int t) {
        return idx(task(t).signal.currTarget);
    }

    @Override
    long[] rlimit(int t, int resource) {
        HeapSignalStruct s = task(t).signal;
        return new long[] {s.rlimCur[resource], s.rlimMax[resource]};
    }

    @Override
    void setRlimit(int t, int resource, long cur, long max) {
        task(t).signal.rlimCur[resource] = cur;
        task(t).signal.rlimMax[resource] = max;
    }

    @Override
    long profNextevt(int t) {
        return HeapPosixCpuTimers.groupNextevt(task(t).signal, org.kfork.sched.CpuClocks.CPUCLOCK_PROF);
    }

    @Override
    boolean timersActive(int t) {
        return task(t).signal.posixCputimersTimersActive;
    }

    @Override
    void setOom(int t, short adj, short adjMin, int auditTty) {
        HeapSignalStruct s = task(t).signal;
        s.oomScoreAdj = adj;
        s.oomScoreAdjMin = adjMin;
        s.auditTty = auditTty;
    }

    @Override
    int[] oom(int t) {
        HeapSignalStruct s = task(t).signal;
        return new int[] {s.oomScoreAdj, s.oomScoreAdjMin, s.auditTty, s.hasChildSubreaper ? 1 : 0,
            s.isChildSubreaper ? 1 : 0};
    }

    @Override
    int[] userCounts(int uid) {
        HeapUserStruct up = user(uid);
        return new int[] {up.count.read(), up.sigpending.get()};
    }

    @Override
    long objects(String cache) {
        return g.objectCounts().get(cache);
    }

    @Override
    long[] initStatics() {
        long allDfl = 1;
        for (HeapKSigaction a : g.initSighand.action) {
            if (a.saHandler != Signals.SIG_DFL || a.saFlags != 0 || a.saMask != 0) {
                allDfl = 0;
            }
        }
        long pidsInit = g.initStructPid != null ? 1 : 0;
        for (int type = 0; type < PidRules.PIDTYPE_MAX; type++) {
            if (g.initSignals.pid(type) != g.initStructPid) {
                pidsInit = 0;
            }
        }
        return new long[] {g.initSighand.count.read(), allDfl, g.initSignals.nrThreads, g.initSignals.sigcnt.read(),
            pidsInit};
    }

    @Override
    long[] initRlimit(int resource) {
        return new long[] {g.initSignals.rlimCur[resource], g.initSignals.rlimMax[resource]};
    }

    @Override
    int maxThreads() {
        return g.maxThreads;
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
        HeapSighandStruct sh = task(t).sighand;
        task(t).sighand = null;
        try {
            r.run();
        } finally {
            task(t).sighand = sh;
        }
    }

    @Override
    Map<String, Long> counts() {
        return g.objectCounts();
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
            for (Map.Entry<Integer, HeapUserStruct> e : userByUid.entrySet()) {
                HeapUserStruct up = e.getValue();
                int expected = e.getKey() == 0 ? 2 : 1;
                if (up.count.read() != expected || up.sigpending.get() != 0) {
                    throw new AssertionError("user " + e.getKey() + " left with __count " + up.count.read()
                        + ", sigpending " + up.sigpending.get());
                }
            }
            Map<String, Long> now = g.objectCounts();
            if (!now.equals(baseline)) {
                throw new AssertionError("heap object counts are not back at their baseline: " + baseline + " -> " + now);
            }
        } finally {
            g.close();
        }
    }
}
