package org.kfork.uapi;

/**
 * {@code struct clone_args} as user space lays it out (include/uapi/linux/sched.h, 5.12): eleven
 * {@code __aligned_u64} fields, 88 bytes. Whoever writes a clone3 argument into user memory, or reads
 * one out of it without the off-heap layout engine (the heap kernel, the script runner), takes the
 * offsets from here; the off-heap layout ({@code org.kfork.kernel.struct.CloneArgs}) places the same
 * struct, and a test in {@code tests/} pins the two together.
 *
 * <p>The struct's size is its version: {@link CloneFlags#CLONE_ARGS_SIZE_VER0} (64, up to tls),
 * VER1 (80, with set_tid and set_tid_size), VER2 (88, with cgroup).
 */
public final class UapiCloneArgs {
    /** {@code __aligned_u64 flags}: the CLONE_* flags, without an exit signal in the low byte. */
    public static final int FLAGS = 0;
    /** {@code __aligned_u64 pidfd}: where CLONE_PIDFD stores the pidfd (an int). */
    public static final int PIDFD = 8;
    /** {@code __aligned_u64 child_tid}: CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID's address. */
    public static final int CHILD_TID = 16;
    /** {@code __aligned_u64 parent_tid}: CLONE_PARENT_SETTID's address. */
    public static final int PARENT_TID = 24;
    /** {@code __aligned_u64 exit_signal}: the signal the parent gets when the child exits. */
    public static final int EXIT_SIGNAL = 32;
    /** {@code __aligned_u64 stack}: the lowest address of the child's stack. */
    public static final int STACK = 40;
    /** {@code __aligned_u64 stack_size}. */
    public static final int STACK_SIZE = 48;
    /** {@code __aligned_u64 tls}: CLONE_SETTLS's fs base. */
    public static final int TLS = 56;
    /** {@code __aligned_u64 set_tid}: address of an array of pid_t, one per pid-namespace level. */
    public static final int SET_TID = 64;
    /** {@code __aligned_u64 set_tid_size}: the array's length. */
    public static final int SET_TID_SIZE = 72;
    /** {@code __aligned_u64 cgroup}: CLONE_INTO_CGROUP's cgroup file descriptor. */
    public static final int CGROUP = 80;
    /** sizeof(struct clone_args) in 5.12. */
    public static final int SIZEOF = CloneFlags.CLONE_ARGS_SIZE_VER2;

    private UapiCloneArgs() {
    }
}
