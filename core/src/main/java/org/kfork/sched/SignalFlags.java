package org.kfork.sched;

/**
 * signal_struct.flags, the SIGNAL_* bits (include/linux/sched/signal.h, 5.12). copy_process
 * refuses a sibling thread (CLONE_THREAD or CLONE_PARENT) of an init process whose signal_struct
 * is {@link #SIGNAL_UNKILLABLE}: a global or container init must have no siblings.
 */
public final class SignalFlags {
    /** Job control stop in effect. */
    public static final int SIGNAL_STOP_STOPPED = 0x00000001;
    /** SIGCONT since the last wait. */
    public static final int SIGNAL_STOP_CONTINUED = 0x00000002;
    /** The thread group is exiting (exit_group or a fatal signal). */
    public static final int SIGNAL_GROUP_EXIT = 0x00000004;
    /** A core dump is in progress. */
    public static final int SIGNAL_GROUP_COREDUMP = 0x00000008;
    /** The parent should be notified of a stop. */
    public static final int SIGNAL_CLD_STOPPED = 0x00000010;
    /** The parent should be notified of a continue. */
    public static final int SIGNAL_CLD_CONTINUED = 0x00000020;
    /** The init process of a pid namespace: signals without handlers cannot kill it. */
    public static final int SIGNAL_UNKILLABLE = 0x00000040;

    /** Both notifications a parent may be owed. */
    public static final int SIGNAL_CLD_MASK = SIGNAL_CLD_STOPPED | SIGNAL_CLD_CONTINUED;
    /** The stop state and the notifications: what signal_set_stop_flags replaces. */
    public static final int SIGNAL_STOP_MASK = SIGNAL_CLD_MASK | SIGNAL_STOP_STOPPED | SIGNAL_STOP_CONTINUED;

    private SignalFlags() {
    }
}
