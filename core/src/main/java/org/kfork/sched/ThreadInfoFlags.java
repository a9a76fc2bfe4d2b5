package org.kfork.sched;

/**
 * The bits of {@code thread_info.flags} (arch/x86/include/asm/thread_info.h) and of
 * {@code thread_info.syscall_work} (include/linux/thread_info.h, CONFIG_GENERIC_ENTRY) that the
 * port reads or writes, as bit numbers (set_bit/clear_bit/test_bit take those), and the stack
 * canary mask of get_random_canary.
 */
public final class ThreadInfoFlags {
    /** TIF_NOTIFY_RESUME: a callback before returning to user space (rseq_set_notify_resume). */
    public static final int TIF_NOTIFY_RESUME = 1;
    /** TIF_SIGPENDING: a signal is pending (signal_pending). */
    public static final int TIF_SIGPENDING = 2;
    /** TIF_NEED_RESCHED: rescheduling necessary (clear_tsk_need_resched). */
    public static final int TIF_NEED_RESCHED = 3;
    /** TIF_USER_RETURN_NOTIFY: notify the kernel on return to user space (KVM only). */
    public static final int TIF_USER_RETURN_NOTIFY = 11;
    /** TIF_NEED_FPU_LOAD: the FPU registers are loaded on return to user space (fpu__copy sets it). */
    public static final int TIF_NEED_FPU_LOAD = 14;

    /** SYSCALL_WORK_BIT_SECCOMP. */
    public static final int SYSCALL_WORK_BIT_SECCOMP = 0;
    /** SYSCALL_WORK_BIT_SYSCALL_TRACEPOINT. */
    public static final int SYSCALL_WORK_BIT_SYSCALL_TRACEPOINT = 1;
    /** SYSCALL_WORK_BIT_SYSCALL_TRACE. */
    public static final int SYSCALL_WORK_BIT_SYSCALL_TRACE = 2;
    /** SYSCALL_WORK_BIT_SYSCALL_EMU. */
    public static final int SYSCALL_WORK_BIT_SYSCALL_EMU = 3;
    /** SYSCALL_WORK_BIT_SYSCALL_AUDIT. */
    public static final int SYSCALL_WORK_BIT_SYSCALL_AUDIT = 4;
    /** SYSCALL_WORK_BIT_SYSCALL_USER_DISPATCH (cleared in every new task by dup_task_struct). */
    public static final int SYSCALL_WORK_BIT_SYSCALL_USER_DISPATCH = 5;

    /**
     * CANARY_MASK on 64-bit: get_random_canary clears the low byte, so that a string overflow
     * that copies a NUL over it cannot reproduce the canary.
     */
    public static final long CANARY_MASK = 0xffff_ffff_ffff_ff00L;

    /** The mask of bit {@code nr}. */
    public static long bit(int nr) {
        return 1L << nr;
    }

    private ThreadInfoFlags() {
    }
}
