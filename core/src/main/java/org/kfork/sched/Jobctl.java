package org.kfork.sched;

/**
 * task_struct.jobctl, the job-control bits (include/linux/sched/jobctl.h, 5.12). The model has
 * no ptrace and no group stop, but the signal paths clear these bits as 5.12 does (a fatal signal
 * cancels a pending stop), so they are kept exactly.
 */
public final class Jobctl {
    /** The number of the signal that started the last group stop. */
    public static final long JOBCTL_STOP_SIGMASK = 0xffff;
    /** A stop signal was dequeued. */
    public static final long JOBCTL_STOP_DEQUEUED = 1L << 16;
    /** The task should stop for a group stop. */
    public static final long JOBCTL_STOP_PENDING = 1L << 17;
    /** The task consumes a group-stop count. */
    public static final long JOBCTL_STOP_CONSUME = 1L << 18;
    /** Trap for a stop (ptrace). */
    public static final long JOBCTL_TRAP_STOP = 1L << 19;
    /** Trap to notify a tracer. */
    public static final long JOBCTL_TRAP_NOTIFY = 1L << 20;
    /** Switching to TASK_TRACED. */
    public static final long JOBCTL_TRAPPING = 1L << 21;
    /** A tracer listens for events. */
    public static final long JOBCTL_LISTENING = 1L << 22;
    /** Trap for the cgroup freezer. */
    public static final long JOBCTL_TRAP_FREEZE = 1L << 23;
    /** Both ptrace traps. */
    public static final long JOBCTL_TRAP_MASK = JOBCTL_TRAP_STOP | JOBCTL_TRAP_NOTIFY;
    /** What a fatal signal or zap_other_threads cancels. */
    public static final long JOBCTL_PENDING_MASK = JOBCTL_STOP_PENDING | JOBCTL_TRAP_MASK;

    private Jobctl() {
    }
}
