package org.kfork.sched;

/**
 * Task states (include/linux/sched.h, 5.12). task_struct.state holds the TASK_* run state;
 * task_struct.exit_state holds EXIT_ZOMBIE, EXIT_DEAD or both ({@link #EXIT_TRACE}). Two
 * separate words, so that changing one never clobbers the other; the bit values still never
 * overlap.
 */
public final class TaskState {
    /** Runnable (state). */
    public static final int TASK_RUNNING = 0x0000;
    /** Sleeping; a signal wakes it (state). */
    public static final int TASK_INTERRUPTIBLE = 0x0001;
    /** Sleeping; only the awaited event wakes it (state). */
    public static final int TASK_UNINTERRUPTIBLE = 0x0002;
    /** Stopped by a job-control signal (state bit; TASK_STOPPED adds TASK_WAKEKILL). */
    public static final int __TASK_STOPPED = 0x0004;
    /** Stopped by a tracer (state bit; TASK_TRACED adds TASK_WAKEKILL). */
    public static final int __TASK_TRACED = 0x0008;
    /** Fully dead, about to be released (exit_state). */
    public static final int EXIT_DEAD = 0x0010;
    /** Exited, waiting for the parent to reap it (exit_state). */
    public static final int EXIT_ZOMBIE = 0x0020;
    /** A zombie a tracer is reaping while the real parent may still wait (exit_state). */
    public static final int EXIT_TRACE = EXIT_ZOMBIE | EXIT_DEAD;
    /** A parked kthread (state). */
    public static final int TASK_PARKED = 0x0040;
    /** Finished do_exit's last schedule() (state). */
    public static final int TASK_DEAD = 0x0080;
    /** A fatal signal wakes it (state modifier). */
    public static final int TASK_WAKEKILL = 0x0100;
    /** Being woken up, between wake-up and enqueue (state). */
    public static final int TASK_WAKING = 0x0200;
    /** Sleeping without adding to the load average (state modifier). */
    public static final int TASK_NOLOAD = 0x0400;
    /** Being created: sched_fork sets it so that nobody can wake the child early (state). */
    public static final int TASK_NEW = 0x0800;
    /** One past the highest state bit. */
    public static final int TASK_STATE_MAX = 0x1000;

    /** Sleeping, but a fatal signal wakes it. */
    public static final int TASK_KILLABLE = TASK_WAKEKILL | TASK_UNINTERRUPTIBLE;
    /** Stopped by job control, and killable. */
    public static final int TASK_STOPPED = TASK_WAKEKILL | __TASK_STOPPED;
    /** Stopped by a tracer, and killable. */
    public static final int TASK_TRACED = TASK_WAKEKILL | __TASK_TRACED;
    /** The states /proc reports (fs/proc/array.c's get_task_state masks with it). */
    public static final int TASK_REPORT = TASK_RUNNING | TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE | __TASK_STOPPED
        | __TASK_TRACED | EXIT_DEAD | EXIT_ZOMBIE | TASK_PARKED;

    private TaskState() {
    }
}
