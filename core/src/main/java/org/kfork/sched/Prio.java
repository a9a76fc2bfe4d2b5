package org.kfork.sched;

/**
 * Scheduling priorities and policies (include/linux/sched/prio.h, include/uapi/linux/sched.h,
 * include/linux/sched/rt.h and deadline.h, kernel/sched/sched.h, 5.12), and the priority rules
 * sched_fork applies, written once for both kernels.
 *
 * <p>One scale for every class: 0..99 are real-time priorities (lower is more urgent), 100..139
 * the nice levels -20..19 of SCHED_NORMAL and SCHED_BATCH, and a negative value (-1) a deadline
 * task. {@code prio} is the effective priority (it may be boosted by priority inheritance),
 * {@code normal_prio} the priority the policy gives, {@code static_prio} the nice level.
 */
public final class Prio {
    /** SCHED_NORMAL (SCHED_OTHER): the fair class. */
    public static final int SCHED_NORMAL = 0;
    /** SCHED_FIFO: real-time, first in first out. */
    public static final int SCHED_FIFO = 1;
    /** SCHED_RR: real-time, round robin. */
    public static final int SCHED_RR = 2;
    /** SCHED_BATCH: the fair class, for CPU-bound work. */
    public static final int SCHED_BATCH = 3;
    /** SCHED_IDLE: the fair class with the lowest weight. */
    public static final int SCHED_IDLE = 5;
    /** SCHED_DEADLINE: earliest deadline first. */
    public static final int SCHED_DEADLINE = 6;
    /** SCHED_RESET_ON_FORK: or-ed into a policy given to sched_setscheduler. */
    public static final int SCHED_RESET_ON_FORK = 0x40000000;

    /** The highest nice value. */
    public static final int MAX_NICE = 19;
    /** The lowest nice value. */
    public static final int MIN_NICE = -20;
    /** How many nice levels there are. */
    public static final int NICE_WIDTH = MAX_NICE - MIN_NICE + 1;
    /** Priorities below this are real-time. */
    public static final int MAX_RT_PRIO = 100;
    /** Priorities below this are deadline priorities. */
    public static final int MAX_DL_PRIO = 0;
    /** One past the lowest priority (nice 19 is 139). */
    public static final int MAX_PRIO = MAX_RT_PRIO + NICE_WIDTH;
    /** The priority of nice 0: 120. */
    public static final int DEFAULT_PRIO = MAX_RT_PRIO + NICE_WIDTH / 2;

    /**
     * RR_TIMESLICE: 100 ms in jiffies, CONFIG_HZ=1000 in the reference config; the value of
     * sched_rr_timeslice, which __sched_fork gives every new task's rt.time_slice.
     */
    public static final int RR_TIMESLICE = 100 * 1000 / 1000;

    /** p->on_rq: the task is on a run queue (kernel/sched/sched.h). */
    public static final int TASK_ON_RQ_QUEUED = 1;
    /** p->on_rq: the task is moving between run queues. */
    public static final int TASK_ON_RQ_MIGRATING = 2;
    /**
     * CSD_TYPE_TTWU (include/linux/smp_types.h): the type __sched_fork gives a task's wake_entry,
     * the node of a remote try_to_wake_up.
     */
    public static final int CSD_TYPE_TTWU = 0x30;

    /** WF_FORK (kernel/sched/sched.h): select_task_rq's flag for fork balancing. */
    public static final int WF_FORK = 0x04;
    /** DEQUEUE_SLEEP: deactivate_task of a task that goes to sleep (or dies). */
    public static final int DEQUEUE_SLEEP = 0x01;
    /** RSEQ_EVENT_MIGRATE_BIT (include/linux/sched.h): rseq_migrate's bit of rseq_event_mask. */
    public static final int RSEQ_EVENT_MIGRATE_BIT = 2;

    /** NICE_TO_PRIO. */
    public static int niceToPrio(int nice) {
        return nice + DEFAULT_PRIO;
    }

    /** PRIO_TO_NICE. */
    public static int prioToNice(int prio) {
        return prio - DEFAULT_PRIO;
    }

    /** rt_prio: a real-time (or deadline) priority. */
    public static boolean rtPrio(int prio) {
        return prio < MAX_RT_PRIO;
    }

    /** dl_prio: a deadline priority. */
    public static boolean dlPrio(int prio) {
        return prio < MAX_DL_PRIO;
    }

    /** task_has_dl_policy, on the policy. */
    public static boolean dlPolicy(int policy) {
        return policy == SCHED_DEADLINE;
    }

    /** task_has_rt_policy, on the policy. */
    public static boolean rtPolicy(int policy) {
        return policy == SCHED_FIFO || policy == SCHED_RR;
    }

    /** task_has_idle_policy, on the policy. */
    public static boolean idlePolicy(int policy) {
        return policy == SCHED_IDLE;
    }

    /**
     * normal_prio: what the policy gives, boosts aside: MAX_DL_PRIO - 1 for a deadline task,
     * MAX_RT_PRIO - 1 - rt_priority for a real-time one, the static priority otherwise.
     */
    public static int normalPrio(int policy, int rtPriority, int staticPrio) {
        if (dlPolicy(policy)) {
            return MAX_DL_PRIO - 1;
        }
        if (rtPolicy(policy)) {
            return MAX_RT_PRIO - 1 - rtPriority;
        }
        return staticPrio;
    }

    /**
     * sched_fork's reset of a task forked with sched_reset_on_fork: a deadline or real-time
     * policy goes back to SCHED_NORMAL at nice 0 (rt_priority 0); a fair task keeps its policy
     * and its nice level unless that is below 0, which goes back to 0.
     *
     * @return the child's {@code static_prio} after the reset
     */
    public static int resetOnForkStaticPrio(int policy, int staticPrio) {
        if (dlPolicy(policy) || rtPolicy(policy)) {
            return niceToPrio(0);
        }
        return prioToNice(staticPrio) < 0 ? niceToPrio(0) : staticPrio;
    }

    /** The policy after sched_fork's reset on fork: SCHED_NORMAL for deadline and real-time ones. */
    public static int resetOnForkPolicy(int policy) {
        return dlPolicy(policy) || rtPolicy(policy) ? SCHED_NORMAL : policy;
    }

    // ------------------------------------------------------------------------------------------
    // Load weights (kernel/sched/core.c, kernel/sched/sched.h)
    // ------------------------------------------------------------------------------------------

    /** SCHED_FIXEDPOINT_SHIFT: the extra resolution of load weights on 64-bit. */
    public static final int SCHED_FIXEDPOINT_SHIFT = 10;
    /** WEIGHT_IDLEPRIO: the weight of a SCHED_IDLE task, before scale_load. */
    public static final int WEIGHT_IDLEPRIO = 3;
    /** WMULT_IDLEPRIO: 2^32 / WEIGHT_IDLEPRIO. */
    public static final int WMULT_IDLEPRIO = 1431655765;

    /**
     * sched_prio_to_weight: the weight of each nice level, -20 first; each step is about 1.25x, so
     * that one nice level is about 10% of CPU time.
     */
    private static final int[] PRIO_TO_WEIGHT = {
        88761, 71755, 56483, 46273, 36291,
        29154, 23254, 18705, 14949, 11916,
        9548, 7620, 6100, 4904, 3906,
        3121, 2501, 1991, 1586, 1277,
        1024, 820, 655, 526, 423,
        335, 272, 215, 172, 137,
        110, 87, 70, 56, 45,
        36, 29, 23, 18, 15,
    };

    /** sched_prio_to_wmult: 2^32 / weight, so that a division by the weight is a multiply. */
    private static final long[] PRIO_TO_WMULT = {
        48388, 59856, 76040, 92818, 118348,
        147320, 184698, 229616, 287308, 360437,
        449829, 563644, 704093, 875809, 1099582,
        1376151, 1717300, 2157191, 2708050, 3363326,
        4194304, 5237765, 6557202, 8165337, 10153587,
        12820798, 15790321, 19976592, 24970740, 31350126,
        39045157, 49367440, 61356676, 76695844, 95443717,
        119304647, 148102320, 186737708, 238609294, 286331153,
    };

    /** scale_load on 64-bit. */
    public static long scaleLoad(long w) {
        return w << SCHED_FIXEDPOINT_SHIFT;
    }

    /**
     * set_load_weight's se.load.weight for a task of this policy and static priority:
     * scale_load(WEIGHT_IDLEPRIO) for SCHED_IDLE, else scale_load(sched_prio_to_weight[nice]).
     */
    public static long loadWeight(int policy, int staticPrio) {
        if (idlePolicy(policy)) {
            return scaleLoad(WEIGHT_IDLEPRIO);
        }
        return scaleLoad(PRIO_TO_WEIGHT[staticPrio - MAX_RT_PRIO]);
    }

    /** set_load_weight's se.load.inv_weight (a u32). */
    public static int loadInvWeight(int policy, int staticPrio) {
        if (idlePolicy(policy)) {
            return WMULT_IDLEPRIO;
        }
        return (int) PRIO_TO_WMULT[staticPrio - MAX_RT_PRIO];
    }

    private Prio() {
    }
}
