package org.kfork.kernel.fork;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.kfork.alloc.KmemCache;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.KernelText;
import org.kfork.kernel.delayacct.Delayacct;
import org.kfork.kernel.exit.Exit;
import org.kfork.kernel.init.InitTask;
import org.kfork.kernel.sched.SchedCore;
import org.kfork.kernel.sched.Wait;
import org.kfork.kernel.struct.Completion;
import org.kfork.kernel.struct.LoadWeight;
import org.kfork.kernel.struct.PlistNode;
import org.kfork.kernel.struct.PosixCputimerBase;
import org.kfork.kernel.struct.PosixCputimers;
import org.kfork.kernel.struct.PrevCputime;
import org.kfork.kernel.struct.RestartBlock;
import org.kfork.kernel.struct.SchedDlEntity;
import org.kfork.kernel.struct.SchedEntity;
import org.kfork.kernel.struct.SchedRtEntity;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.TaskIoAccounting;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.ThreadInfo;
import org.kfork.kernel.struct.ThreadStruct;
import org.kfork.kernel.struct.Fpu;
import org.kfork.kernel.struct.CallSingleNode;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.sched.WaitResult;
import org.kfork.testing.LeakCheck;
import org.kfork.uapi.Signals;

/** The off-heap kernel behind {@link TaskCoreVariant}: task_struct addresses in a machine's RAM. */
public final class OffHeapTaskCore implements TaskCoreVariant {
    final Machine machine;
    final Globals g;
    /** How many kernel log lines boot wrote: {@link #log} shows what came after. */
    private final int bootLines;
    private final KmemCache completions;
    private final List<String> hooks = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> baseline;

    /** Boots a kernel on a 64 MiB, 2-CPU machine. */
    public OffHeapTaskCore() {
        if (!Kasan.ENABLED) {
            throw new AssertionError("checked mode must be on in off-heap tests");
        }
        machine = Machine.builder().ram(64L << 20).cpus(CPUS).build();
        g = Globals.boot(machine, SEED);
        bootLines = g.log.lines().size(); // boot's own messages (pid_max...)
        g.cgroupFree = t -> hooks.add("cgroup_free");
        g.exitCreds = t -> hooks.add("exit_creds");
        g.putSignalStruct = sig -> hooks.add("put_signal_struct");
        completions = g.kmem.slabs().create("test_completion", (int) Completion.SIZEOF, 8, 0, null);
        baseline = LeakCheck.quiescedSnapshot(machine);
    }

    @Override
    public String name() {
        return "OFFHEAP";
    }

    private static long a(Object t) {
        return (Long) t;
    }

    @Override
    public Object initTask() {
        return g.initTask;
    }

    @Override
    public Object dup(Object orig) {
        final long t = ForkTask.dupTaskStruct(g, a(orig), ForkTask.NUMA_NO_NODE);
        return t == 0 ? null : t;
    }

    @Override
    public void abandon(Object t) {
        putLong(a(t) + TaskStruct.STATE, TaskState.TASK_DEAD);
        g.forkInit.stacks().putTaskStack(a(t), g.cpus.current());
        ForkTask.delayedFreeTask(g, a(t));
    }

    @Override
    public void initTaskTidsAndPi(Object p, long cloneFlags, long childTid) {
        ForkTask.initTaskTidsAndPi(a(p), cloneFlags, childTid);
    }

    @Override
    public int initTaskState(Object current, Object p) {
        return ForkTask.initTaskState(g, a(current), a(p));
    }

    @Override
    public void initTaskIdentity(Object current, Object p, long cloneFlags, int pidNr) {
        ForkTask.initTaskIdentity(a(current), a(p), cloneFlags, pidNr);
    }

    @Override
    public int schedFork(Object current, long cloneFlags, Object p) {
        return SchedCore.schedFork(g, a(current), cloneFlags, a(p));
    }

    @Override
    public void wakeUpNewTask(Object p) {
        SchedCore.wakeUpNewTask(g, a(p));
    }

    @Override
    public void deactivateTask(Object p, int flags) {
        SchedCore.deactivateTask(g, a(p), flags);
    }

    @Override
    public long nrRunning(int cpu) {
        return g.nrRunning.get(cpu);
    }

    @Override
    public void initIdle(Object idle, int cpu) {
        SchedCore.initIdle(g, a(idle), cpu);
    }

    @Override
    public void getTaskStruct(Object t) {
        ForkTask.getTaskStruct(a(t));
    }

    @Override
    public void putTaskStruct(Object t) {
        ForkTask.putTaskStruct(g, a(t));
    }

    @Override
    public void putTaskStructRcuUser(Object t) {
        Exit.putTaskStructRcuUser(g, a(t));
    }

    @Override
    public boolean putTaskStack(Object t) {
        return g.forkInit.stacks().putTaskStack(a(t), g.cpus.current());
    }

    @Override
    public void freeTask(Object t) {
        ForkTask.freeTask(g, a(t));
    }

    @Override
    public void delayacctTskFree(Object t) {
        Delayacct.delayacctTskFree(g, a(t));
    }

    @Override
    public void rcuBarrier() {
        g.rcu.rcuBarrier();
    }

    @Override
    public long liveTasks() {
        return g.forkInit.taskStructCachep().activeObjects();
    }

    @Override
    public long liveDelays() {
        return g.delayacctCache.activeObjects();
    }

    @Override
    public int cachedStacks(int cpu) {
        return g.forkInit.stacks().cachedCount(cpu);
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

    private static long at(long t, TaskField f) {
        switch (f) {
            case USAGE: return t + TaskStruct.USAGE;
            case RCU_USERS: return t + TaskStruct.RCU_USERS;
            case STACK_REFCOUNT: return t + TaskStruct.STACK_REFCOUNT;
            case STATE: return t + TaskStruct.STATE;
            case EXIT_STATE: return t + TaskStruct.EXIT_STATE;
            case FLAGS: return t + TaskStruct.FLAGS;
            case PRIO: return t + TaskStruct.PRIO;
            case STATIC_PRIO: return t + TaskStruct.STATIC_PRIO;
            case NORMAL_PRIO: return t + TaskStruct.NORMAL_PRIO;
            case RT_PRIORITY: return t + TaskStruct.RT_PRIORITY;
            case POLICY: return t + TaskStruct.POLICY;
            case CPU: return t + TaskStruct.CPU;
            case WAKE_CPU: return t + TaskStruct.WAKE_CPU;
            case RECENT_USED_CPU: return t + TaskStruct.RECENT_USED_CPU;
            case ON_RQ: return t + TaskStruct.ON_RQ;
            case ON_CPU: return t + TaskStruct.ON_CPU;
            case NR_CPUS_ALLOWED: return t + TaskStruct.NR_CPUS_ALLOWED;
            case CPUS_MASK: return t + TaskStruct.CPUS_MASK;
            case TI_FLAGS: return t + TaskStruct.THREAD_INFO + ThreadInfo.FLAGS;
            case SYSCALL_WORK: return t + TaskStruct.THREAD_INFO + ThreadInfo.SYSCALL_WORK;
            case STACK_CANARY: return t + TaskStruct.STACK_CANARY;
            case TIMER_SLACK_NS: return t + TaskStruct.TIMER_SLACK_NS;
            case DEFAULT_TIMER_SLACK_NS: return t + TaskStruct.DEFAULT_TIMER_SLACK_NS;
            case SET_CHILD_TID: return t + TaskStruct.SET_CHILD_TID;
            case CLEAR_CHILD_TID: return t + TaskStruct.CLEAR_CHILD_TID;
            case PID: return t + TaskStruct.PID;
            case TGID: return t + TaskStruct.TGID;
            case PDEATH_SIGNAL: return t + TaskStruct.PDEATH_SIGNAL;
            case NR_DIRTIED: return t + TaskStruct.NR_DIRTIED;
            case NR_DIRTIED_PAUSE: return t + TaskStruct.NR_DIRTIED_PAUSE;
            case DIRTY_PAUSED_WHEN: return t + TaskStruct.DIRTY_PAUSED_WHEN;
            case CPUSET_MEM_SPREAD_ROTOR: return t + TaskStruct.CPUSET_MEM_SPREAD_ROTOR;
            case CPUSET_SLAB_SPREAD_ROTOR: return t + TaskStruct.CPUSET_SLAB_SPREAD_ROTOR;
            case PAGEFAULT_DISABLED: return t + TaskStruct.PAGEFAULT_DISABLED;
            case LOAD_WEIGHT: return t + TaskStruct.SE + SchedEntity.LOAD + LoadWeight.WEIGHT;
            case LOAD_INV_WEIGHT: return t + TaskStruct.SE + SchedEntity.LOAD + LoadWeight.INV_WEIGHT;
            case RT_TIME_SLICE: return t + TaskStruct.RT + SchedRtEntity.TIME_SLICE;
            case WAKE_ENTRY_U_FLAGS: return t + TaskStruct.WAKE_ENTRY + CallSingleNode.U_FLAGS;
            case LOGINUID: return t + TaskStruct.LOGINUID;
            case SESSIONID: return t + TaskStruct.SESSIONID;
            case PUSHABLE_PRIO: return t + TaskStruct.PUSHABLE_TASKS + PlistNode.PRIO;
            case PENDING_SIGNAL: return t + TaskStruct.PENDING + Sigpending.SIGNAL;
            case UTIME: return t + TaskStruct.UTIME;
            case STIME: return t + TaskStruct.STIME;
            case GTIME: return t + TaskStruct.GTIME;
            case PREV_UTIME: return t + TaskStruct.PREV_CPUTIME + PrevCputime.UTIME;
            case RSEQ_EVENT_MASK: return t + TaskStruct.RSEQ_EVENT_MASK;
            case FPU_LAST_CPU: return t + TaskStruct.THREAD + ThreadStruct.FPU + Fpu.LAST_CPU;
            case BTRACE_SEQ: return t + TaskStruct.BTRACE_SEQ;
            case NEXTEVT0: return nextevt(t, 0);
            case NEXTEVT1: return nextevt(t, 1);
            case NEXTEVT2: return nextevt(t, 2);
            case SE_VRUNTIME: return t + TaskStruct.SE + SchedEntity.VRUNTIME;
            case SE_SUM_EXEC_RUNTIME: return t + TaskStruct.SE + SchedEntity.SUM_EXEC_RUNTIME;
            case DL_RUNTIME: return t + TaskStruct.DL + SchedDlEntity.DL_RUNTIME;
            case ACCT_TIMEXPD: return t + TaskStruct.ACCT_TIMEXPD;
            case IOAC_RCHAR: return t + TaskStruct.IOAC + TaskIoAccounting.RCHAR;
            case JOBCTL: return t + TaskStruct.JOBCTL;
            case EXIT_SIGNAL: return t + TaskStruct.EXIT_SIGNAL;
            default: throw new IllegalArgumentException(f.name());
        }
    }

    private static long nextevt(long t, int i) {
        return t + TaskStruct.POSIX_CPUTIMERS + PosixCputimers.BASES + i * PosixCputimerBase.SIZEOF
            + PosixCputimerBase.NEXTEVT;
    }

    /** The fields stored in 8 bytes; the others are 4 bytes wide (rt.time_slice too). */
    private static boolean wide(TaskField f) {
        switch (f) {
            case STATE: case CPUS_MASK: case TI_FLAGS: case SYSCALL_WORK: case STACK_CANARY: case TIMER_SLACK_NS:
            case DEFAULT_TIMER_SLACK_NS: case SET_CHILD_TID: case CLEAR_CHILD_TID: case DIRTY_PAUSED_WHEN:
            case LOAD_WEIGHT: case PENDING_SIGNAL: case UTIME: case STIME: case GTIME: case PREV_UTIME:
            case RSEQ_EVENT_MASK: case NEXTEVT0: case NEXTEVT1: case NEXTEVT2: case SE_VRUNTIME:
            case SE_SUM_EXEC_RUNTIME: case DL_RUNTIME: case ACCT_TIMEXPD: case IOAC_RCHAR: case JOBCTL:
                return true;
            default:
                return false;
        }
    }

    @Override
    public long get(Object t, TaskField f) {
        if (f == TaskField.SCHED_RESET_ON_FORK) {
            return (Mem.getByte(a(t) + (TaskStruct.SCHED_RESET_ON_FORK_BIT >>> 3)) >> (TaskStruct.SCHED_RESET_ON_FORK_BIT & 7)) & 1;
        }
        final long at = at(a(t), f);
        return wide(f) ? getLong(at) : getInt(at);
    }

    @Override
    public void set(Object t, TaskField f, long v) {
        if (f == TaskField.SCHED_RESET_ON_FORK) {
            final long at = a(t) + (TaskStruct.SCHED_RESET_ON_FORK_BIT >>> 3);
            final int bit = 1 << (TaskStruct.SCHED_RESET_ON_FORK_BIT & 7);
            Mem.putByte(at, (byte) (v != 0 ? Mem.getByte(at) | bit : Mem.getByte(at) & ~bit));
            return;
        }
        final long at = at(a(t), f);
        if (wide(f)) {
            putLong(at, v);
        } else {
            putInt(at, (int) v);
        }
    }

    @Override
    public String comm(Object t) {
        return InitTask.comm(a(t));
    }

    @Override
    public String schedClass(Object t) {
        final long c = getLong(a(t) + TaskStruct.SCHED_CLASS);
        if (c == 0) {
            return null;
        }
        if (c == g.idleSchedClass) {
            return "idle_sched_class";
        }
        if (c == g.fairSchedClass) {
            return "fair_sched_class";
        }
        if (c == g.rtSchedClass) {
            return "rt_sched_class";
        }
        if (c == g.dlSchedClass) {
            return "dl_sched_class";
        }
        return c == g.stopSchedClass ? "stop_sched_class" : "0x" + Long.toHexString(c);
    }

    @Override
    public Object groupLeader(Object t) {
        return getLong(a(t) + TaskStruct.GROUP_LEADER);
    }

    @Override
    public Object realParent(Object t) {
        return getLong(a(t) + TaskStruct.REAL_PARENT);
    }

    @Override
    public Object parent(Object t) {
        return getLong(a(t) + TaskStruct.PARENT);
    }

    @Override
    public boolean cpusPtrOwn(Object t) {
        return getLong(a(t) + TaskStruct.CPUS_PTR) == a(t) + TaskStruct.CPUS_MASK;
    }

    @Override
    public void pointCpusPtrElsewhere(Object t) {
        // cpumask_of(cpu) is a static table in 5.12; init_task's own mask serves as "elsewhere"
        putLong(a(t) + TaskStruct.CPUS_PTR, g.initTask + TaskStruct.CPUS_MASK);
    }

    @Override
    public boolean stackEndMagicOk(Object t) {
        final long tsk = a(t);
        if (getLong(tsk + TaskStruct.STACK_VM_AREA) == 0) { // init_stack: a static of the image
            return getLong(getLong(tsk + TaskStruct.STACK)) == Limits.STACK_END_MAGIC;
        }
        return !g.forkInit.stacks().taskStackEndCorrupted(tsk);
    }

    @Override
    public boolean hasStack(Object t) {
        return getLong(a(t) + TaskStruct.STACK) != 0;
    }

    @Override
    public boolean sameStack(Object x, Object y) {
        return getLong(a(x) + TaskStruct.STACK) == getLong(a(y) + TaskStruct.STACK);
    }

    @Override
    public boolean sameDelays(Object x, Object y) {
        return getLong(a(x) + TaskStruct.DELAYS) == getLong(a(y) + TaskStruct.DELAYS);
    }

    @Override
    public boolean activeMmIsInitMm(Object t) {
        return getLong(a(t) + TaskStruct.ACTIVE_MM) == g.mm.initMmAddress();
    }

    @Override
    public long restartFn(Object t) {
        final long fn = getLong(a(t) + TaskStruct.RESTART_BLOCK + RestartBlock.FN);
        final InitTask.RestartFn f = KernelText.of(machine).resolve(fn, InitTask.RestartFn.class);
        return f.call(a(t) + TaskStruct.RESTART_BLOCK);
    }

    @Override
    public boolean listsEmpty(Object t) {
        final long p = a(t);
        return IntrusiveList.empty(p + TaskStruct.CHILDREN) && IntrusiveList.empty(p + TaskStruct.SIBLING)
            && IntrusiveList.empty(p + TaskStruct.THREAD_GROUP)
            && IntrusiveList.empty(p + TaskStruct.PENDING + Sigpending.LIST)
            && IntrusiveList.empty(p + TaskStruct.SE + SchedEntity.GROUP_NODE)
            && IntrusiveList.empty(p + TaskStruct.RT + SchedRtEntity.RUN_LIST)
            && IntrusiveList.empty(p + TaskStruct.PUSHABLE_TASKS + PlistNode.PRIO_LIST)
            && IntrusiveList.empty(p + TaskStruct.PUSHABLE_TASKS + PlistNode.NODE_LIST);
    }

    @Override
    public boolean pointersCleared(Object t) {
        final long p = a(t);
        return getLong(p + TaskStruct.VFORK_DONE) == 0 && getLong(p + TaskStruct.IO_CONTEXT) == 0
            && getLong(p + TaskStruct.AUDIT_CONTEXT) == 0 && getLong(p + TaskStruct.TASK_WORKS) == 0
            && getLong(p + TaskStruct.IO_URING) == 0 && getLong(p + TaskStruct.KRETPROBE_INSTANCES) == 0;
    }

    // ---- sleeping ----

    @Override
    public void waitEvent(BooleanSupplier condition) {
        Wait.waitEvent(g, WaitResult.NO_RCU, condition);
    }

    @Override
    public int waitEvent(int token, BooleanSupplier condition) {
        return Wait.waitEvent(g, token, condition);
    }

    @Override
    public int waitEventKillable(Object current, BooleanSupplier condition) {
        return WaitResult.ret(Wait.waitEventKillable(g, a(current), WaitResult.NO_RCU, condition));
    }

    @Override
    public void wakeUpAll() {
        Wait.wakeUpAll(g);
    }

    @Override
    public void sendFatalSignal(Object t) {
        final long p = a(t);
        final long pending = p + TaskStruct.PENDING + Sigpending.SIGNAL;
        Mem.putLongVolatile(pending, getLong(pending) | 1L << (Signals.SIGKILL - 1));
        SchedCore.setTskThreadFlag(p, ThreadInfoFlags.TIF_SIGPENDING);
        Wait.wakeUpState(g, p, TaskState.TASK_WAKEKILL);
    }

    private final List<Long> liveCompletions = new ArrayList<>();

    @Override
    public Object newCompletion() {
        final long x = completions.alloc(g.cpus.current());
        Wait.initCompletion(x);
        synchronized (liveCompletions) {
            liveCompletions.add(x);
        }
        return x;
    }

    @Override
    public void complete(Object x) {
        Wait.complete(g, a(x));
    }

    @Override
    public int waitForCompletionKillable(Object current, Object x) {
        return WaitResult.ret(Wait.waitForCompletionKillable(g, a(current), WaitResult.NO_RCU, a(x)));
    }

    @Override
    public int done(Object x) {
        return Wait.done(a(x));
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
            synchronized (liveCompletions) {
                for (long x : liveCompletions) {
                    completions.free(g.cpus.current(), x);
                }
                liveCompletions.clear();
            }
            g.failSlab.disarm();
            LeakCheck.assertNoLeak(baseline, LeakCheck.quiescedSnapshot(machine));
            completions.destroy();
        } finally {
            machine.close();
        }
    }
}
