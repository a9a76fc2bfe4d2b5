package org.kfork.heap.sched;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.init.HeapInitTask;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.pid.HeapPids;
import org.kfork.sched.Prio;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.smp.CurrentCpu;
import org.kfork.uapi.Errno;

/**
 * The heap twin of org.kfork.kernel.sched.SchedCore: kernel/sched/core.c (5.12) for fork and
 * boot, with the same steps, the same invariants and the same fork balancing rule. The five
 * sched_class descriptors are the constants of {@link HeapSchedClass}; nr_running is a padded
 * per-CPU array. The twin has no CPU hotplug: every CPU is online. What only the off-heap struct
 * holds and nothing reads (se.statistics, the dl entity's rb node and hrtimers,
 * pushable_dl_tasks, sched_task_group) has no heap field.
 */
public final class HeapSchedCore {
    private HeapSchedCore() {
    }

    /** sched_init: nr_running, init_task's load weight, init_idle(init_task, 0). */
    public static void schedInit(HeapGlobals g) {
        g.nrRunning = new HeapNrRunning(g.nrCpus);
        setLoadWeight(g.initTask, false);
        initIdle(g, g.initTask, 0);
    }

    /** set_load_weight. */
    public static void setLoadWeight(HeapTask p, boolean updateLoad) {
        p.seLoadWeight = Prio.loadWeight(p.policy, p.staticPrio);
        p.seLoadInvWeight = Prio.loadInvWeight(p.policy, p.staticPrio);
    }

    /** __sched_fork. */
    public static void schedForkCommon(long cloneFlags, HeapTask p) {
        p.onRq = 0;
        p.seOnRq = 0;
        p.seExecStart = 0;
        p.seSumExecRuntime = 0;
        p.sePrevSumExecRuntime = 0;
        p.seNrMigrations = 0;
        p.seVruntime = 0;
        HeapIntrusiveList.init(p.seGroupNode);
        p.seCfsRq = null;
        dlClearParams(p);
        HeapIntrusiveList.init(p.rtRunList);
        p.rtTimeout = 0;
        p.rtTimeSlice = Prio.RR_TIMESLICE;
        p.rtOnRq = 0;
        p.rtOnList = 0;
        p.captureControl = null;
        p.wakeEntryUFlags = Prio.CSD_TYPE_TTWU;
        p.migrationPending = null;
    }

    /** __dl_clear_params. */
    static void dlClearParams(HeapTask p) {
        p.dlRuntime = 0;
        p.dlDeadline = 0;
        p.dlPeriod = 0;
        p.dlFlags = 0;
        p.dlBw = 0;
        p.dlDensity = 0;
        p.dlThrottled = false;
        p.dlYielded = false;
        p.dlNonContending = false;
        p.dlOverrun = false;
        p.dlPiSe = p;
    }

    /**
     * sched_fork.
     *
     * @return 0, or -EAGAIN for a deadline task
     */
    public static int schedFork(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p) {
        schedForkCommon(cloneFlags, p);
        p.setState(TaskState.TASK_NEW);
        p.prio = current.normalPrio;
        if (p.schedResetOnFork) {
            final int policy = p.policy;
            final int staticPrio = Prio.resetOnForkStaticPrio(policy, p.staticPrio);
            if (Prio.dlPolicy(policy) || Prio.rtPolicy(policy)) {
                p.policy = Prio.resetOnForkPolicy(policy);
                p.rtPriority = 0;
            }
            p.staticPrio = staticPrio;
            p.prio = staticPrio;
            p.normalPrio = staticPrio;
            setLoadWeight(p, false);
            p.schedResetOnFork = false;
        }
        if (Prio.dlPrio(p.prio)) {
            return -Errno.EAGAIN;
        }
        p.schedClass = Prio.rtPrio(p.prio) ? HeapSchedClass.RT : HeapSchedClass.FAIR;
        p.piLock.lock();
        try {
            rseqMigrate(p);
            setTaskCpu(p, CurrentCpu.current(g.nrCpus));
        } finally {
            p.piLock.unlock();
        }
        p.schedInfoPcount = 0;
        p.schedInfoRunDelay = 0;
        p.schedInfoLastArrival = 0;
        p.schedInfoLastQueued = 0;
        p.onCpu = 0;
        HeapInitTask.plistNodeInit(p, Prio.MAX_PRIO);
        return 0;
    }

    /** rseq_migrate. */
    static void rseqMigrate(HeapTask t) {
        t.rseqEventMask |= 1L << Prio.RSEQ_EVENT_MIGRATE_BIT;
        if (t.rseq != 0) {
            t.setTskThreadFlag(ThreadInfoFlags.TIF_NOTIFY_RESUME);
        }
    }

    /** __set_task_cpu. */
    public static void setTaskCpu(HeapTask p, int cpu) {
        p.cpu = cpu;
        p.wakeCpu = cpu;
    }

    /** select_task_rq for fork balancing, with the off-heap twin's rule. */
    public static int selectTaskRq(HeapGlobals g, HeapTask p, int cpu, int wakeFlags) {
        final long allowed = p.cpusPtr[0];
        if (p.nrCpusAllowed > 1 && p.migrationDisabled == 0) {
            if (p.schedClass == HeapSchedClass.FAIR && (wakeFlags & Prio.WF_FORK) != 0) {
                cpu = findIdlestCpu(g, allowed, cpu);
            }
        } else {
            cpu = Long.numberOfTrailingZeros(allowed);
        }
        if (!isCpuAllowed(g, allowed, cpu)) {
            cpu = selectFallbackRq(g, allowed);
        }
        return cpu;
    }

    private static int findIdlestCpu(HeapGlobals g, long allowed, int prev) {
        int best = isCpuAllowed(g, allowed, prev) ? prev : -1;
        long bestLoad = best < 0 ? Long.MAX_VALUE : g.nrRunning.get(prev);
        for (int cpu = 0; cpu < g.nrCpus; cpu++) {
            if (isCpuAllowed(g, allowed, cpu) && g.nrRunning.get(cpu) < bestLoad) {
                best = cpu;
                bestLoad = g.nrRunning.get(cpu);
            }
        }
        return best < 0 ? prev : best;
    }

    private static boolean isCpuAllowed(HeapGlobals g, long allowed, int cpu) {
        return cpu >= 0 && cpu < g.nrCpus && (allowed & 1L << cpu) != 0;
    }

    private static int selectFallbackRq(HeapGlobals g, long allowed) {
        for (int cpu = 0; cpu < g.nrCpus; cpu++) {
            if (isCpuAllowed(g, allowed, cpu)) {
                return cpu;
            }
        }
        return 0;
    }

    /** activate_task. */
    public static void activateTask(HeapGlobals g, HeapTask p) {
        g.nrRunning.add(p.cpu, 1);
        p.onRq = Prio.TASK_ON_RQ_QUEUED;
    }

    /** deactivate_task. */
    public static void deactivateTask(HeapGlobals g, HeapTask p, int flags) {
        p.onRq = (flags & Prio.DEQUEUE_SLEEP) != 0 ? 0 : Prio.TASK_ON_RQ_MIGRATING;
        g.nrRunning.add(p.cpu, -1);
    }

    /** nr_running. */
    public static long nrRunning(HeapGlobals g) {
        return g.nrRunning.sum();
    }

    /** wake_up_new_task. */
    public static void wakeUpNewTask(HeapGlobals g, HeapTask p) {
        p.piLock.lock();
        try {
            p.setState(TaskState.TASK_RUNNING);
            final int cpu = p.cpu;
            p.recentUsedCpu = cpu;
            rseqMigrate(p);
            setTaskCpu(p, selectTaskRq(g, p, cpu, Prio.WF_FORK));
            activateTask(g, p);
        } finally {
            p.piLock.unlock();
        }
    }

    /** schedule_tail: the child's tid at set_child_tid (see the off-heap twin). */
    public static void scheduleTail(HeapGlobals g, HeapTask p) {
        final long tidptr = p.setChildTid;
        if (tidptr != 0) {
            HeapUaccess.putUser(g, p, HeapPids.taskPidVnr(g, p, p), tidptr, Integer.BYTES);
        }
    }

    /** init_idle. */
    public static void initIdle(HeapGlobals g, HeapTask idle, int cpu) {
        schedForkCommon(0, idle);
        idle.piLock.lock();
        try {
            idle.setState(TaskState.TASK_RUNNING);
            idle.seExecStart = 0;
            idle.flags |= TaskFlags.PF_IDLE;
            idle.cpusMask[0] = 1L << cpu;
            idle.nrCpusAllowed = 1;
            setTaskCpu(idle, cpu);
            idle.onRq = Prio.TASK_ON_RQ_QUEUED;
            idle.onCpu = 1;
        } finally {
            idle.piLock.unlock();
        }
        idle.schedClass = HeapSchedClass.IDLE;
        idle.comm = HeapInitTask.INIT_TASK_COMM + "/" + cpu;
    }
}
