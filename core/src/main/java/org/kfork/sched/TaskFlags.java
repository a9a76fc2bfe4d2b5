package org.kfork.sched;

import org.kfork.uapi.FlagNames;

/**
 * task_struct.flags, the PF_* bits (include/linux/sched.h, 5.12). The field is an
 * {@code unsigned int}, so the flags are {@code int}: PF_SUSPEND_TASK is negative in Java, and
 * that is fine as long as the word is never widened to a {@code long} before masking.
 *
 * <p>copy_process clears PF_SUPERPRIV, PF_WQ_WORKER and PF_IDLE in the child, sets
 * PF_FORKNOEXEC, and clears PF_NPROC_EXCEEDED once the RLIMIT_NPROC check passed.
 */
public final class TaskFlags {
    /** The task is a virtual CPU (KVM guest time). */
    public static final int PF_VCPU = 0x00000001;
    /** The task is an idle thread. */
    public static final int PF_IDLE = 0x00000002;
    /** The task is exiting. */
    public static final int PF_EXITING = 0x00000004;
    /** The task is an io_uring I/O worker (new in 5.12: create_io_thread). */
    public static final int PF_IO_WORKER = 0x00000010;
    /** The task is a workqueue worker. */
    public static final int PF_WQ_WORKER = 0x00000020;
    /** Forked but has not exec'd yet. */
    public static final int PF_FORKNOEXEC = 0x00000040;
    /** Process policy on machine-check errors. */
    public static final int PF_MCE_PROCESS = 0x00000080;
    /** Used super-user privileges. */
    public static final int PF_SUPERPRIV = 0x00000100;
    /** Dumped core. */
    public static final int PF_DUMPCORE = 0x00000200;
    /** Killed by a signal. */
    public static final int PF_SIGNALED = 0x00000400;
    /** Allocating memory to free memory: may dip into reserves. */
    public static final int PF_MEMALLOC = 0x00000800;
    /** set_user found RLIMIT_NPROC exceeded; copy_process clears it in the child. */
    public static final int PF_NPROC_EXCEEDED = 0x00001000;
    /** The FPU was used. */
    public static final int PF_USED_MATH = 0x00002000;
    /** Used async_schedule*(). */
    public static final int PF_USED_ASYNC = 0x00004000;
    /** The freezer never freezes this task. */
    public static final int PF_NOFREEZE = 0x00008000;
    /** Frozen for system suspend. */
    public static final int PF_FROZEN = 0x00010000;
    /** The task is kswapd. */
    public static final int PF_KSWAPD = 0x00020000;
    /** All allocations behave as GFP_NOFS. */
    public static final int PF_MEMALLOC_NOFS = 0x00040000;
    /** All allocations behave as GFP_NOIO. */
    public static final int PF_MEMALLOC_NOIO = 0x00080000;
    /** Throttle writes only against this task's own backing device. */
    public static final int PF_LOCAL_THROTTLE = 0x00100000;
    /** A kernel thread. */
    public static final int PF_KTHREAD = 0x00200000;
    /** Randomize the virtual address space. */
    public static final int PF_RANDOMIZE = 0x00400000;
    /** Allowed to write to swap. */
    public static final int PF_SWAPWRITE = 0x00800000;
    /** Userland may not change the CPU affinity. */
    public static final int PF_NO_SETAFFINITY = 0x04000000;
    /** Early kill on machine-check errors. */
    public static final int PF_MCE_EARLY = 0x08000000;
    /** Allocations may not come from CMA (renamed PF_MEMALLOC_PIN in 5.13). */
    public static final int PF_MEMALLOC_NOCMA = 0x10000000;
    /** The freezer need not count this task. */
    public static final int PF_FREEZER_SKIP = 0x40000000;
    /** This task is the one suspending the system. */
    public static final int PF_SUSPEND_TASK = 0x80000000;

    private static final FlagNames NAMES = new FlagNames(
        new long[] {
            PF_VCPU, PF_IDLE, PF_EXITING, PF_IO_WORKER, PF_WQ_WORKER, PF_FORKNOEXEC, PF_MCE_PROCESS,
            PF_SUPERPRIV, PF_DUMPCORE, PF_SIGNALED, PF_MEMALLOC, PF_NPROC_EXCEEDED, PF_USED_MATH,
            PF_USED_ASYNC, PF_NOFREEZE, PF_FROZEN, PF_KSWAPD, PF_MEMALLOC_NOFS, PF_MEMALLOC_NOIO,
            PF_LOCAL_THROTTLE, PF_KTHREAD, PF_RANDOMIZE, PF_SWAPWRITE, PF_NO_SETAFFINITY,
            PF_MCE_EARLY, PF_MEMALLOC_NOCMA, PF_FREEZER_SKIP, Integer.toUnsignedLong(PF_SUSPEND_TASK),
        },
        new String[] {
            "PF_VCPU", "PF_IDLE", "PF_EXITING", "PF_IO_WORKER", "PF_WQ_WORKER", "PF_FORKNOEXEC",
            "PF_MCE_PROCESS", "PF_SUPERPRIV", "PF_DUMPCORE", "PF_SIGNALED", "PF_MEMALLOC",
            "PF_NPROC_EXCEEDED", "PF_USED_MATH", "PF_USED_ASYNC", "PF_NOFREEZE", "PF_FROZEN",
            "PF_KSWAPD", "PF_MEMALLOC_NOFS", "PF_MEMALLOC_NOIO", "PF_LOCAL_THROTTLE", "PF_KTHREAD",
            "PF_RANDOMIZE", "PF_SWAPWRITE", "PF_NO_SETAFFINITY", "PF_MCE_EARLY", "PF_MEMALLOC_NOCMA",
            "PF_FREEZER_SKIP", "PF_SUSPEND_TASK",
        });

    private TaskFlags() {
    }

    /**
     * Names the PF_* bits of a task's flags in ascending bit order, unnamed bits last in hex:
     * {@code "PF_FORKNOEXEC|PF_RANDOMIZE"}. Zero gives {@code "0"}.
     *
     * @param flags task_struct.flags (read as an unsigned 32-bit word)
     * @return the description, never empty
     */
    public static String describe(int flags) {
        // Widen without sign extension so that PF_SUSPEND_TASK stays one bit.
        return NAMES.describe(Integer.toUnsignedLong(flags));
    }
}
