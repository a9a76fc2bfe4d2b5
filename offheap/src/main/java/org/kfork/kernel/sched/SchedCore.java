package org.kfork.kernel.sched;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.machine.Mem.putShort;

import org.kfork.alloc.PerCpuCounter;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.init.InitTask;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.mm.Uaccess;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.struct.CallSingleNode;
import org.kfork.kernel.struct.LoadWeight;
import org.kfork.kernel.struct.OpaqueTypes;
import org.kfork.kernel.struct.RbNode;
import org.kfork.kernel.struct.SchedClass;
import org.kfork.kernel.struct.SchedDlEntity;
import org.kfork.kernel.struct.SchedEntity;
import org.kfork.kernel.struct.SchedInfo;
import org.kfork.kernel.struct.SchedRtEntity;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.ThreadInfo;
import org.kfork.machine.Mem;
import org.kfork.sched.Prio;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.Errno;

/**
 * kernel/sched/core.c (5.12), the parts fork and boot need: sched_init's statics, __sched_fork,
 * sched_fork, set_load_weight, __set_task_cpu, select_task_rq at fork, activate_task and
 * deactivate_task, wake_up_new_task and init_idle.
 *
 * <p>The model has no run queues, no scheduler clock and no preemption: a task runs on the Java
 * thread that drives it. What is kept is what fork and /proc can see: each task's priorities,
 * policy, class, weight and CPU, its state (TASK_NEW until wake_up_new_task, then TASK_RUNNING),
 * {@code on_rq}, and each CPU's {@code nr_running}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>The sched_class descriptors lie in the kernel image in 5.12's link order, lowest class
 *       first (idle, fair, rt, dl, stop), so that comparing two classes' addresses compares the
 *       classes.</li>
 *   <li>A task is counted in {@code nr_running} of exactly one CPU, its {@code cpu}, from
 *       activate_task to deactivate_task, and {@code on_rq} is TASK_ON_RQ_QUEUED meanwhile; an
 *       idle task is never counted.</li>
 *   <li>Fork balancing is deterministic: a fair task goes to the allowed online CPU with the
 *       fewest running tasks, its own CPU first among equals, then the lowest-numbered (the
 *       kernel's find_idlest_cpu without the load averages it does not have); a real-time task
 *       stays where sched_fork put it (select_task_rq_rt keeps it when no real-time task runs
 *       there, and none does in the model).</li>
 *   <li>The pi_lock of the task is held around the CPU choice, as in 5.12; it is a leaf lock.</li>
 * </ul>
 */
public final class SchedCore {
    private SchedCore() {
    }

    // ------------------------------------------------------------------------------------------
    // sched_init
    // ------------------------------------------------------------------------------------------

    /**
     * sched_init, the parts the model keeps: the five sched_class descriptors in the image, the
     * per-CPU nr_running counts, init_task's load weight, and init_idle(init_task, 0): the boot
     * task becomes CPU 0's idle task.
     */
    public static void schedInit(Globals g) {
        final long base = g.image.alloc(5 * SchedClass.SIZEOF, SchedClass.ALIGNOF);
        g.idleSchedClass = base;
        g.fairSchedClass = base + SchedClass.SIZEOF;
        g.rtSchedClass = base + 2 * SchedClass.SIZEOF;
        g.dlSchedClass = base + 3 * SchedClass.SIZEOF;
        g.stopSchedClass = base + 4 * SchedClass.SIZEOF;
        g.nrRunning = new PerCpuCounter(g.kmem.percpu());
        setLoadWeight(g.initTask, false);
        initIdle(g, g.initTask, 0);
    }

    /** Gives back what {@link #schedInit} took outside the image. */
    public static void schedClose(Globals g) {
        if (g.nrRunning != null) {
            g.nrRunning.close();
            g.nrRunning = null;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Priorities and weights
    // ------------------------------------------------------------------------------------------

    /**
     * set_load_weight: se.load from the task's static priority (or the SCHED_IDLE weight).
     * {@code updateLoad} asks for reweight_task of a queued fair task, which would move its
     * run queue's load too; the model has no run queues, so both paths store the same weight.
     */
    public static void setLoadWeight(long p, boolean updateLoad) {
        final int policy = getInt(p + TaskStruct.POLICY);
        final int staticPrio = getInt(p + TaskStruct.STATIC_PRIO);
        final long load = p + TaskStruct.SE + SchedEntity.LOAD;
        putLong(load + LoadWeight.WEIGHT, Prio.loadWeight(policy, staticPrio));
        putInt(load + LoadWeight.INV_WEIGHT, Prio.loadInvWeight(policy, staticPrio));
    }

    // ------------------------------------------------------------------------------------------
    // Fork
    // ------------------------------------------------------------------------------------------

    /**
     * __sched_fork: the scheduling state a new task (or an idle task) starts from: off every run
     * queue, no runtime, empty lists, cleared deadline parameters, a full round-robin slice.
     */
    public static void schedForkCommon(long cloneFlags, long p) {
        putInt(p + TaskStruct.ON_RQ, 0);
        final long se = p + TaskStruct.SE;
        putInt(se + SchedEntity.ON_RQ, 0);
        putLong(se + SchedEntity.EXEC_START, 0);
        putLong(se + SchedEntity.SUM_EXEC_RUNTIME, 0);
        putLong(se + SchedEntity.PREV_SUM_EXEC_RUNTIME, 0);
        putLong(se + SchedEntity.NR_MIGRATIONS, 0);
        putLong(se + SchedEntity.VRUNTIME, 0);
        IntrusiveList.init(se + SchedEntity.GROUP_NODE);
        putLong(se + SchedEntity.CFS_RQ, 0); // CONFIG_FAIR_GROUP_SCHED
        // CONFIG_SCHEDSTATS: no garbage even with schedstats off
        Mem.zero(se + SchedEntity.STATISTICS, OpaqueTypes.SCHED_STATISTICS.size());

        final long dl = p + TaskStruct.DL;
        rbClearNode(dl + SchedDlEntity.RB_NODE);
        // init_dl_task_timer, init_dl_inactive_task_timer: hrtimer_init zeroes each timer; the
        // model has no hrtimers, so their base and function stay unset (the types' sizes: a
        // field's size looked up by name would allocate on every fork)
        Mem.zero(dl + SchedDlEntity.DL_TIMER, OpaqueTypes.HRTIMER.size());
        Mem.zero(dl + SchedDlEntity.INACTIVE_TIMER, OpaqueTypes.HRTIMER.size());
        dlClearParams(p);

        final long rt = p + TaskStruct.RT;
        IntrusiveList.init(rt + SchedRtEntity.RUN_LIST);
        putLong(rt + SchedRtEntity.TIMEOUT, 0);
        putInt(rt + SchedRtEntity.TIME_SLICE, Prio.RR_TIMESLICE);
        putShort(rt + SchedRtEntity.ON_RQ, (short) 0);
        putShort(rt + SchedRtEntity.ON_LIST, (short) 0);

        // (CONFIG_PREEMPT_NOTIFIERS and CONFIG_NUMA_BALANCING are off)
        putLong(p + TaskStruct.CAPTURE_CONTROL, 0); // CONFIG_COMPACTION
        putInt(p + TaskStruct.WAKE_ENTRY + CallSingleNode.U_FLAGS, Prio.CSD_TYPE_TTWU);
        putLong(p + TaskStruct.MIGRATION_PENDING, 0);
    }

    /** __dl_clear_params: no deadline parameters, and the entity donates to itself (pi_se). */
    static void dlClearParams(long p) {
        final long dl = p + TaskStruct.DL;
        putLong(dl + SchedDlEntity.DL_RUNTIME, 0);
        putLong(dl + SchedDlEntity.DL_DEADLINE, 0);
        putLong(dl + SchedDlEntity.DL_PERIOD, 0);
        putInt(dl + SchedDlEntity.FLAGS, 0);
        putLong(dl + SchedDlEntity.DL_BW, 0);
        putLong(dl + SchedDlEntity.DL_DENSITY, 0);
        putBit(dl, SchedDlEntity.DL_THROTTLED_BIT, false);
        putBit(dl, SchedDlEntity.DL_YIELDED_BIT, false);
        putBit(dl, SchedDlEntity.DL_NON_CONTENDING_BIT, false);
        putBit(dl, SchedDlEntity.DL_OVERRUN_BIT, false);
        putLong(dl + SchedDlEntity.PI_SE, dl); // CONFIG_RT_MUTEXES
    }

    /**
     * sched_fork: the child is TASK_NEW (nobody can wake it), gets the parent's normal priority
     * (no inherited boost), is reset to SCHED_NORMAL / nice 0 if the parent asked for
     * sched_reset_on_fork, takes the class of its priority and the forking CPU.
     *
     * @return 0, or -EAGAIN for a deadline task (SCHED_DEADLINE tasks may not fork unless they
     *         reset on fork)
     */
    public static int schedFork(Globals g, long current, long cloneFlags, long p) {
        schedForkCommon(cloneFlags, p);
        putLong(p + TaskStruct.STATE, TaskState.TASK_NEW);
        putInt(p + TaskStruct.PRIO, getInt(current + TaskStruct.NORMAL_PRIO));
        // (uclamp_fork: CONFIG_UCLAMP_TASK is off)
        if (getBit(p, TaskStruct.SCHED_RESET_ON_FORK_BIT)) {
            final int policy = getInt(p + TaskStruct.POLICY);
            final int staticPrio = Prio.resetOnForkStaticPrio(policy, getInt(p + TaskStruct.STATIC_PRIO));
            if (Prio.dlPolicy(policy) || Prio.rtPolicy(policy)) {
                putInt(p + TaskStruct.POLICY, Prio.resetOnForkPolicy(policy));
                putInt(p + TaskStruct.RT_PRIORITY, 0);
            }
            putInt(p + TaskStruct.STATIC_PRIO, staticPrio);
            // __normal_prio: the static priority
            putInt(p + TaskStruct.PRIO, staticPrio);
            putInt(p + TaskStruct.NORMAL_PRIO, staticPrio);
            setLoadWeight(p, false);
            putBit(p, TaskStruct.SCHED_RESET_ON_FORK_BIT, false);
        }
        final int prio = getInt(p + TaskStruct.PRIO);
        if (Prio.dlPrio(prio)) {
            return -Errno.EAGAIN;
        }
        putLong(p + TaskStruct.SCHED_CLASS, Prio.rtPrio(prio) ? g.rtSchedClass : g.fairSchedClass);
        // (init_entity_runnable_average: the model keeps no load averages)

        final long piLock = p + TaskStruct.PI_LOCK;
        Spinlock.lock(piLock);
        try {
            rseqMigrate(p);
            // the CPU is set for the first time: no migration
            setTaskCpu(p, g.cpus.current());
            // (task_fork_fair places the vruntime against the run queue's min_vruntime: no run
            // queues in the model; the rt class has no task_fork)
        } finally {
            Spinlock.unlock(piLock);
        }
        Mem.zero(p + TaskStruct.SCHED_INFO, SchedInfo.SIZEOF); // CONFIG_SCHED_INFO
        putInt(p + TaskStruct.ON_CPU, 0);
        // (init_task_preempt_count: x86 keeps the preempt count per CPU, not in the task)
        InitTask.plistNodeInit(p + TaskStruct.PUSHABLE_TASKS, Prio.MAX_PRIO);
        rbClearNode(p + TaskStruct.PUSHABLE_DL_TASKS);
        return 0;
    }

    /** rseq_migrate: the task's rseq critical sections restart after a move. */
    static void rseqMigrate(long t) {
        putLong(t + TaskStruct.RSEQ_EVENT_MASK, getLong(t + TaskStruct.RSEQ_EVENT_MASK) | 1L << Prio.RSEQ_EVENT_MIGRATE_BIT);
        if (getLong(t + TaskStruct.RSEQ) != 0) { // rseq_set_notify_resume
            setTskThreadFlag(t, ThreadInfoFlags.TIF_NOTIFY_RESUME);
        }
    }

    /**
     * __set_task_cpu: the task's CPU, without migrating anything. (set_task_rq would point
     * se.cfs_rq and se.parent at the task group's entities of that CPU: the model has no task
     * groups, so they stay NULL.) The release store pairs with task_cpu readers, as 5.12's
     * smp_wmb does.
     */
    public static void setTaskCpu(long p, int cpu) {
        Mem.putIntRelease(p + TaskStruct.CPU, cpu);
        putInt(p + TaskStruct.WAKE_CPU, cpu);
    }

    /** task_cpu. */
    public static int taskCpu(long p) {
        return Mem.getIntAcquire(p + TaskStruct.CPU);
    }

    /**
     * select_task_rq for fork balancing (WF_FORK), with the rule of the class comment; then the
     * generic check: a CPU the task may not run on, or one that is offline, falls back to the
     * lowest-numbered allowed online CPU (select_fallback_rq), else the first online one.
     */
    public static int selectTaskRq(Globals g, long p, int cpu, int wakeFlags) {
        final long allowed = getLong(getLong(p + TaskStruct.CPUS_PTR));
        if (getInt(p + TaskStruct.NR_CPUS_ALLOWED) > 1 && Mem.getShort(p + TaskStruct.MIGRATION_DISABLED) == 0) {
            if (getLong(p + TaskStruct.SCHED_CLASS) == g.fairSchedClass && (wakeFlags & Prio.WF_FORK) != 0) {
                cpu = findIdlestCpu(g, allowed, cpu);
            }
        } else {
            cpu = Long.numberOfTrailingZeros(allowed); // cpumask_any
        }
        if (!isCpuAllowed(g, allowed, cpu)) {
            cpu = selectFallbackRq(g, allowed);
        }
        return cpu;
    }

    private static int findIdlestCpu(Globals g, long allowed, int prev) {
        int best = isCpuAllowed(g, allowed, prev) ? prev : -1;
        long bestLoad = best < 0 ? Long.MAX_VALUE : g.nrRunning.get(prev);
        for (int cpu = 0; cpu < g.cpus.nrCpus(); cpu++) {
            if (isCpuAllowed(g, allowed, cpu) && g.nrRunning.get(cpu) < bestLoad) {
                best = cpu;
                bestLoad = g.nrRunning.get(cpu);
            }
        }
        return best < 0 ? prev : best;
    }

    private static boolean isCpuAllowed(Globals g, long allowed, int cpu) {
        return cpu >= 0 && cpu < g.cpus.nrCpus() && (allowed & 1L << cpu) != 0 && g.cpus.isOnline(cpu);
    }

    private static int selectFallbackRq(Globals g, long allowed) {
        for (int cpu = 0; cpu < g.cpus.nrCpus(); cpu++) {
            if (isCpuAllowed(g, allowed, cpu)) {
                return cpu;
            }
        }
        for (int cpu = 0; cpu < g.cpus.nrCpus(); cpu++) {
            if (g.cpus.isOnline(cpu)) {
                return cpu;
            }
        }
        throw new IllegalStateException("select_fallback_rq: no online CPU");
    }

    /** activate_task: the task is counted on its CPU's run queue and is on_rq. */
    public static void activateTask(Globals g, long p) {
        g.nrRunning.inc(taskCpu(p));
        putInt(p + TaskStruct.ON_RQ, Prio.TASK_ON_RQ_QUEUED);
    }

    /**
     * deactivate_task: off its CPU's run queue; {@code on_rq} becomes 0 for a sleeping (or dying,
     * DEQUEUE_SLEEP) task and TASK_ON_RQ_MIGRATING for one that moves.
     */
    public static void deactivateTask(Globals g, long p, int flags) {
        putInt(p + TaskStruct.ON_RQ, (flags & Prio.DEQUEUE_SLEEP) != 0 ? 0 : Prio.TASK_ON_RQ_MIGRATING);
        g.nrRunning.dec(taskCpu(p));
    }

    /** nr_running: the running tasks of every CPU, idle tasks excepted. */
    public static long nrRunning(Globals g) {
        return g.nrRunning.sum();
    }

    /**
     * wake_up_new_task: the new task becomes TASK_RUNNING, is placed by fork balancing (now, not
     * at sched_fork, because its allowed CPUs may have changed since) and is counted runnable.
     * (check_preempt_curr and task_woken: nothing to preempt in the model.)
     */
    public static void wakeUpNewTask(Globals g, long p) {
        final long piLock = p + TaskStruct.PI_LOCK;
        Spinlock.lock(piLock);
        try {
            putLong(p + TaskStruct.STATE, TaskState.TASK_RUNNING);
            final int cpu = taskCpu(p);
            putInt(p + TaskStruct.RECENT_USED_CPU, cpu);
            rseqMigrate(p);
            setTaskCpu(p, selectTaskRq(g, p, cpu, Prio.WF_FORK));
            activateTask(g, p);
        } finally {
            Spinlock.unlock(piLock);
        }
    }

    /**
     * schedule_tail, the part a task that runs no user code keeps: the new task's first step
     * stores its tid (in its own pid namespace) at set_child_tid in its own memory
     * (CLONE_CHILD_SETTID); a fault is ignored. kernel_clone calls it for the child before
     * waking it, so that the store is done before anyone can see the child, as it is before the
     * child's first return to user space in 5.12.
     */
    public static void scheduleTail(Globals g, long p) {
        final long tidptr = getLong(p + TaskStruct.SET_CHILD_TID);
        if (tidptr != 0) {
            Uaccess.putUser(g, p, Pids.taskPidVnr(g, p, p), tidptr, Integer.BYTES);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Idle tasks
    // ------------------------------------------------------------------------------------------

    /**
     * init_idle: {@code idle} becomes the idle task of {@code cpu}: __sched_fork, running, PF_IDLE,
     * allowed on that CPU only, on it (on_rq, on_cpu), the idle class, and "swapper/N" for a name.
     * (se.exec_start would be sched_clock(): the model has no clock, so 0.)
     */
    public static void initIdle(Globals g, long idle, int cpu) {
        schedForkCommon(0, idle);
        final long piLock = idle + TaskStruct.PI_LOCK;
        Spinlock.lock(piLock);
        try {
            putLong(idle + TaskStruct.STATE, TaskState.TASK_RUNNING);
            putLong(idle + TaskStruct.SE + SchedEntity.EXEC_START, 0);
            putInt(idle + TaskStruct.FLAGS, getInt(idle + TaskStruct.FLAGS) | TaskFlags.PF_IDLE);
            // set_cpus_allowed_common(idle, cpumask_of(cpu), 0)
            putLong(idle + TaskStruct.CPUS_MASK, 1L << cpu);
            putInt(idle + TaskStruct.NR_CPUS_ALLOWED, 1);
            setTaskCpu(idle, cpu);
            // (rq->idle = rq->curr = idle: no run queues)
            putInt(idle + TaskStruct.ON_RQ, Prio.TASK_ON_RQ_QUEUED);
            putInt(idle + TaskStruct.ON_CPU, 1);
        } finally {
            Spinlock.unlock(piLock);
        }
        // (init_idle_preempt_count: per CPU on x86)
        putLong(idle + TaskStruct.SCHED_CLASS, g.idleSchedClass);
        InitTask.setComm(idle, InitTask.INIT_TASK_COMM + "/" + cpu);
    }

    // ------------------------------------------------------------------------------------------
    // Bits
    // ------------------------------------------------------------------------------------------

    /** RB_CLEAR_NODE: a node on no tree points at itself as its parent. */
    static void rbClearNode(long node) {
        putLong(node + RbNode.__RB_PARENT_COLOR, node);
    }

    /** A one-bit bitfield at {@code bitOffset} bits from {@code base}. */
    static boolean getBit(long base, long bitOffset) {
        return (Mem.getByte(base + (bitOffset >>> 3)) & 1 << (bitOffset & 7)) != 0;
    }

    /** Sets a one-bit bitfield (a plain read-modify-write, as C's bitfield stores are). */
    static void putBit(long base, long bitOffset, boolean on) {
        final long at = base + (bitOffset >>> 3);
        final int mask = 1 << (bitOffset & 7);
        final byte b = Mem.getByte(at);
        Mem.putByte(at, (byte) (on ? b | mask : b & ~mask));
    }

    /** set_tsk_thread_flag: an atomic set_bit on thread_info.flags. */
    public static void setTskThreadFlag(long t, int flag) {
        final long w = t + TaskStruct.THREAD_INFO + ThreadInfo.FLAGS;
        for (;;) {
            final long old = Mem.getLongVolatile(w);
            if ((old & 1L << flag) != 0 || Mem.compareAndSetLong(w, old, old | 1L << flag)) {
                return;
            }
        }
    }

    /** test_and_set_tsk_thread_flag: an atomic test_and_set_bit; true if the flag was set already. */
    public static boolean testAndSetTskThreadFlag(long t, int flag) {
        final long w = t + TaskStruct.THREAD_INFO + ThreadInfo.FLAGS;
        for (;;) {
            final long old = Mem.getLongVolatile(w);
            if ((old & 1L << flag) != 0) {
                return true;
            }
            if (Mem.compareAndSetLong(w, old, old | 1L << flag)) {
                return false;
            }
        }
    }

    /** clear_tsk_thread_flag: an atomic clear_bit on thread_info.flags. */
    public static void clearTskThreadFlag(long t, int flag) {
        final long w = t + TaskStruct.THREAD_INFO + ThreadInfo.FLAGS;
        for (;;) {
            final long old = Mem.getLongVolatile(w);
            if ((old & 1L << flag) == 0 || Mem.compareAndSetLong(w, old, old & ~(1L << flag))) {
                return;
            }
        }
    }

    /** test_tsk_thread_flag. */
    public static boolean testTskThreadFlag(long t, int flag) {
        return (Mem.getLongVolatile(t + TaskStruct.THREAD_INFO + ThreadInfo.FLAGS) & 1L << flag) != 0;
    }
}
