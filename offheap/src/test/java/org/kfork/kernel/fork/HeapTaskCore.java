package org.kfork.kernel.fork;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.delayacct.HeapDelayacct;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.fork.HeapForkTask;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.init.HeapInitTask;
import org.kfork.heap.sched.HeapCompletion;
import org.kfork.heap.sched.HeapSchedCore;
import org.kfork.heap.sched.HeapWait;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Signals;

/** The heap twin behind {@link TaskCoreVariant}: HeapTask objects. */
public final class HeapTaskCore implements TaskCoreVariant {
    /** The RAM of the off-heap variant's machine, in pages (64 MiB). */
    static final long PAGES = (64L << 20) / 4096;

    final HeapGlobals g;
    /** How many kernel log lines boot wrote: {@link #log} shows what came after. */
    private final int bootLines;
    private final List<String> hooks = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> baseline;

    /** Boots a heap kernel on 2 CPUs. */
    public HeapTaskCore() {
        g = HeapGlobals.boot(PAGES, CPUS, SEED);
        bootLines = g.log.lines().size(); // boot's own messages (pid_max...)
        g.cgroupFree = t -> hooks.add("cgroup_free");
        g.exitCreds = t -> hooks.add("exit_creds");
        g.putSignalStruct = t -> hooks.add("put_signal_struct");
        g.rcu.quiesce();
        baseline = g.objectCounts();
    }

    @Override
    public String name() {
        return "HEAP";
    }

    private static HeapTask h(Object t) {
        return (HeapTask) t;
    }

    @Override
    public Object initTask() {
        return g.initTask;
    }

    @Override
    public Object dup(Object orig) {
        return HeapForkTask.dupTaskStruct(g, h(orig), HeapForkTask.NUMA_NO_NODE);
    }

    @Override
    public void abandon(Object t) {
        h(t).setState(TaskState.TASK_DEAD);
        g.stacks.putTaskStack(h(t), org.kfork.smp.CurrentCpu.current(g.nrCpus));
        HeapForkTask.delayedFreeTask(g, h(t));
    }

    @Override
    public void initTaskTidsAndPi(Object p, long cloneFlags, long childTid) {
        HeapForkTask.initTaskTidsAndPi(h(p), cloneFlags, childTid);
    }

    @Override
    public int initTaskState(Object current, Object p) {
        return HeapForkTask.initTaskState(g, h(current), h(p));
    }

    @Override
    public void initTaskIdentity(Object current, Object p, long cloneFlags, int pidNr) {
        HeapForkTask.initTaskIdentity(h(current), h(p), cloneFlags, pidNr);
    }

    @Override
    public int schedFork(Object current, long cloneFlags, Object p) {
        return HeapSchedCore.schedFork(g, h(current), cloneFlags, h(p));
    }

    @Override
    public void wakeUpNewTask(Object p) {
        HeapSchedCore.wakeUpNewTask(g, h(p));
    }

    @Override
    public void deactivateTask(Object p, int flags) {
        HeapSchedCore.deactivateTask(g, h(p), flags);
    }

    @Override
    public long nrRunning(int cpu) {
        return g.nrRunning.get(cpu);
    }

    @Override
    public void initIdle(Object idle, int cpu) {
        HeapSchedCore.initIdle(g, h(idle), cpu);
    }

    @Override
    public void getTaskStruct(Object t) {
        HeapForkTask.getTaskStruct(h(t));
    }

    @Override
    public void putTaskStruct(Object t) {
        HeapForkTask.putTaskStruct(g, h(t));
    }

    @Override
    public void putTaskStructRcuUser(Object t) {
        HeapExit.putTaskStructRcuUser(g, h(t));
    }

    @Override
    public boolean putTaskStack(Object t) {
        return g.stacks.putTaskStack(h(t), org.kfork.smp.CurrentCpu.current(g.nrCpus));
    }

    @Override
    public void freeTask(Object t) {
        HeapForkTask.freeTask(g, h(t));
    }

    @Override
    public void delayacctTskFree(Object t) {
        HeapDelayacct.delayacctTskFree(g, h(t));
    }

    @Override
    public void rcuBarrier() {
        g.rcu.rcuBarrier();
    }

    @Override
    public long liveTasks() {
        return g.objectCounts().get("task_struct");
    }

    @Override
    public long liveDelays() {
        return g.objectCounts().get("task_delay_info");
    }

    @Override
    public int cachedStacks(int cpu) {
        return g.stacks.cachedCount(cpu);
    }

    @Override
    public void failNth(long k) {
        g.failSlab.failNth(k);
    }

    @Override
    public void disarm() {
        g.failSlab.disarm();
    }

    @Override
    public long failslabAllocations() {
        return g.failSlab.allocations();
    }

    @Override
    public List<String> log() {
        final List<String> all = g.log.lines();
        return all.subList(bootLines, all.size());
    }

    @Override
    public List<String> putHookCalls() {
        return List.copyOf(hooks);
    }

    // ---- fields ----

    @Override
    public long get(Object o, TaskField f) {
        final HeapTask t = h(o);
        switch (f) {
            case USAGE: return t.usage();
            case RCU_USERS: return t.rcuUsers();
            case STACK_REFCOUNT: return t.stackRefcount();
            case STATE: return t.state();
            case EXIT_STATE: return t.exitState;
            case FLAGS: return t.flags;
            case PRIO: return t.prio;
            case STATIC_PRIO: return t.staticPrio;
            case NORMAL_PRIO: return t.normalPrio;
            case RT_PRIORITY: return t.rtPriority;
            case POLICY: return t.policy;
            case SCHED_RESET_ON_FORK: return t.schedResetOnFork ? 1 : 0;
            case CPU: return t.cpu;
            case WAKE_CPU: return t.wakeCpu;
            case RECENT_USED_CPU: return t.recentUsedCpu;
            case ON_RQ: return t.onRq;
            case ON_CPU: return t.onCpu;
            case NR_CPUS_ALLOWED: return t.nrCpusAllowed;
            case CPUS_MASK: return t.cpusMask[0];
            case TI_FLAGS: return t.threadInfoFlags();
            case SYSCALL_WORK: return t.threadInfoSyscallWork;
            case STACK_CANARY: return t.stackCanary;
            case TIMER_SLACK_NS: return t.timerSlackNs;
            case DEFAULT_TIMER_SLACK_NS: return t.defaultTimerSlackNs;
            case SET_CHILD_TID: return t.setChildTid;
            case CLEAR_CHILD_TID: return t.clearChildTid;
            case PID: return t.pid;
            case TGID: return t.tgid;
            case PDEATH_SIGNAL: return t.pdeathSignal;
            case NR_DIRTIED: return t.nrDirtied;
            case NR_DIRTIED_PAUSE: return t.nrDirtiedPause;
            case DIRTY_PAUSED_WHEN: return t.dirtyPausedWhen;
            case CPUSET_MEM_SPREAD_ROTOR: return t.cpusetMemSpreadRotor;
            case CPUSET_SLAB_SPREAD_ROTOR: return t.cpusetSlabSpreadRotor;
            case PAGEFAULT_DISABLED: return t.pagefaultDisabled;
            case LOAD_WEIGHT: return t.seLoadWeight;
            case LOAD_INV_WEIGHT: return t.seLoadInvWeight;
            case RT_TIME_SLICE: return t.rtTimeSlice;
            case WAKE_ENTRY_U_FLAGS: return t.wakeEntryUFlags;
            case LOGINUID: return t.loginuid;
            case SESSIONID: return t.sessionid;
            case PUSHABLE_PRIO: return t.pushableTasksPrio;
            case PENDING_SIGNAL: return t.pending.signal;
            case UTIME: return t.utime;
            case STIME: return t.stime;
            case GTIME: return t.gtime;
            case PREV_UTIME: return t.prevCputimeUtime;
            case RSEQ_EVENT_MASK: return t.rseqEventMask;
            case FPU_LAST_CPU: return t.fpuLastCpu;
            case BTRACE_SEQ: return t.btraceSeq;
            case NEXTEVT0: return t.posixCputimersNextevt[0];
            case NEXTEVT1: return t.posixCputimersNextevt[1];
            case NEXTEVT2: return t.posixCputimersNextevt[2];
            case SE_VRUNTIME: return t.seVruntime;
            case SE_SUM_EXEC_RUNTIME: return t.seSumExecRuntime;
            case DL_RUNTIME: return t.dlRuntime;
            case ACCT_TIMEXPD: return t.acctTimexpd;
            case IOAC_RCHAR: return t.ioacRchar;
            case JOBCTL: return t.jobctl;
            case EXIT_SIGNAL: return t.exitSignal;
            default: throw new IllegalArgumentException(f.name());
        }
    }

    @Override
    public void set(Object o, TaskField f, long v) {
        final HeapTask t = h(o);
        final int i = (int) v;
        switch (f) {
            case USAGE: t.setUsage(i); break;
            case STACK_REFCOUNT: t.setStackRefcount(i); break;
            case STATE: t.setState(v); break;
            case EXIT_STATE: t.exitState = i; break;
            case FLAGS: t.flags = i; break;
            case PRIO: t.prio = i; break;
            case STATIC_PRIO: t.staticPrio = i; break;
            case NORMAL_PRIO: t.normalPrio = i; break;
            case RT_PRIORITY: t.rtPriority = i; break;
            case POLICY: t.policy = i; break;
            case SCHED_RESET_ON_FORK: t.schedResetOnFork = v != 0; break;
            case CPU: t.cpu = i; break;
            case NR_CPUS_ALLOWED: t.nrCpusAllowed = i; break;
            case CPUS_MASK: t.cpusMask[0] = v; break;
            case TI_FLAGS:
                for (int b = 0; b < 64; b++) {
                    if ((v & 1L << b) != 0) {
                        t.setTskThreadFlag(b);
                    } else {
                        t.clearTskThreadFlag(b);
                    }
                }
                break;
            case SYSCALL_WORK: t.threadInfoSyscallWork = v; break;
            case STACK_CANARY: t.stackCanary = v; break;
            case TIMER_SLACK_NS: t.timerSlackNs = v; break;
            case SET_CHILD_TID: t.setChildTid = v; break;
            case CLEAR_CHILD_TID: t.clearChildTid = v; break;
            case PID: t.pid = i; break;
            case TGID: t.tgid = i; break;
            case PDEATH_SIGNAL: t.pdeathSignal = i; break;
            case NR_DIRTIED: t.nrDirtied = i; break;
            case DIRTY_PAUSED_WHEN: t.dirtyPausedWhen = v; break;
            case PAGEFAULT_DISABLED: t.pagefaultDisabled = i; break;
            case PENDING_SIGNAL: t.pending.signal = v; break;
            case UTIME: t.utime = v; break;
            case STIME: t.stime = v; break;
            case GTIME: t.gtime = v; break;
            case PREV_UTIME: t.prevCputimeUtime = v; break;
            case SE_VRUNTIME: t.seVruntime = v; break;
            case SE_SUM_EXEC_RUNTIME: t.seSumExecRuntime = v; break;
            case DL_RUNTIME: t.dlRuntime = v; break;
            case ACCT_TIMEXPD: t.acctTimexpd = v; break;
            case IOAC_RCHAR: t.ioacRchar = v; break;
            case JOBCTL: t.jobctl = v; break;
            case EXIT_SIGNAL: t.exitSignal = i; break;
            case NEXTEVT0: t.posixCputimersNextevt[0] = v; break;
            case BTRACE_SEQ: t.btraceSeq = i; break;
            case FPU_LAST_CPU: t.fpuLastCpu = i; break;
            case RSEQ_EVENT_MASK: t.rseqEventMask = v; break;
            case LOAD_WEIGHT: t.seLoadWeight = v; break;
            case RT_TIME_SLICE: t.rtTimeSlice = i; break;
            case CPUSET_MEM_SPREAD_ROTOR: t.cpusetMemSpreadRotor = i; break;
            default: throw new IllegalArgumentException("the suite does not write " + f);
        }
    }

    @Override
    public String comm(Object t) {
        return h(t).comm;
    }

    @Override
    public String schedClass(Object t) {
        return h(t).schedClass == null ? null : h(t).schedClass.symbol();
    }

    @Override
    public Object groupLeader(Object t) {
        return h(t).groupLeader;
    }

    @Override
    public Object realParent(Object t) {
        return h(t).realParent;
    }

    @Override
    public Object parent(Object t) {
        return h(t).parent;
    }

    @Override
    public boolean cpusPtrOwn(Object t) {
        return h(t).cpusPtr == h(t).cpusMask;
    }

    @Override
    public void pointCpusPtrElsewhere(Object t) {
        h(t).cpusPtr = g.initTask.cpusMask;
    }

    @Override
    public boolean stackEndMagicOk(Object t) {
        return HeapInitTask.stackEndWord(h(t).stack()) == org.kfork.sched.Limits.STACK_END_MAGIC;
    }

    @Override
    public boolean hasStack(Object t) {
        return h(t).stack() != null;
    }

    @Override
    public boolean sameStack(Object x, Object y) {
        return h(x).stack() == h(y).stack();
    }

    @Override
    public boolean sameDelays(Object x, Object y) {
        return h(x).delays == h(y).delays;
    }

    @Override
    public boolean activeMmIsInitMm(Object t) {
        return h(t).activeMm != null && h(t).activeMm == g.mm.initMmStruct();
    }

    @Override
    public long restartFn(Object t) {
        return h(t).restartBlockFn.getAsInt();
    }

    @Override
    public boolean listsEmpty(Object t) {
        final HeapTask p = h(t);
        for (HeapIntrusiveList l : new HeapIntrusiveList[] {p.children, p.sibling, p.threadGroup,
            p.pending.list, p.seGroupNode, p.rtRunList, p.pushableTasksPrioList, p.pushableTasksNodeList}) {
            if (l.next() != l || l.prev() != l) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean pointersCleared(Object t) {
        final HeapTask p = h(t);
        return p.vforkDone == null && p.ioContext == null && p.auditContext == null && p.taskWorks == null
            && p.ioUring == null && p.kretprobeInstances == null;
    }

    // ---- sleeping ----

    @Override
    public void waitEvent(BooleanSupplier condition) {
        HeapWait.waitEvent(g, WaitResult.NO_RCU, condition);
    }

    @Override
    public int waitEvent(int token, BooleanSupplier condition) {
        return HeapWait.waitEvent(g, token, condition);
    }

    @Override
    public int waitEventKillable(Object current, BooleanSupplier condition) {
        return WaitResult.ret(HeapWait.waitEventKillable(g, h(current), WaitResult.NO_RCU, condition));
    }

    @Override
    public void wakeUpAll() {
        HeapWait.wakeUpAll(g);
    }

    @Override
    public void sendFatalSignal(Object t) {
        final HeapTask p = h(t);
        synchronized (p.pending) {
            p.pending.signal |= 1L << (Signals.SIGKILL - 1);
        }
        p.setTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
        HeapWait.wakeUpState(g, p, TaskState.TASK_WAKEKILL);
    }

    @Override
    public Object newCompletion() {
        return new HeapCompletion();
    }

    @Override
    public void complete(Object x) {
        HeapWait.complete(g, (HeapCompletion) x);
    }

    @Override
    public int waitForCompletionKillable(Object current, Object x) {
        return WaitResult.ret(HeapWait.waitForCompletionKillable(g, h(current), WaitResult.NO_RCU, (HeapCompletion) x));
    }

    @Override
    public int done(Object x) {
        return HeapWait.done((HeapCompletion) x);
    }

    @Override
    public int rcuEnter(int cpu) {
        return g.rcu.rcuSyscallEnter(cpu);
    }

    @Override
    public void rcuExit(int token) {
        g.rcu.rcuSyscallExit(token);
    }

    @Override
    public void synchronizeRcu() {
        g.rcu.synchronizeRcu();
    }

    @Override
    public void close() {
        try {
            g.failSlab.disarm();
            g.rcu.quiesce();
            final Map<String, Long> now = g.objectCounts();
            final StringBuilder diff = new StringBuilder();
            final TreeSet<String> names = new TreeSet<>(baseline.keySet());
            names.addAll(now.keySet());
            for (String n : names) {
                if (!baseline.getOrDefault(n, 0L).equals(now.getOrDefault(n, 0L))) {
                    diff.append("\n  ").append(n).append(": ").append(baseline.get(n)).append(" -> ").append(now.get(n));
                }
            }
            if (diff.length() > 0) {
                throw new AssertionError("heap leak check: live objects are not back at their baseline:" + diff);
            }
        } finally {
            g.close();
        }
    }
}
