package org.kfork.sched;

import org.kfork.arch.X86_64;
import org.kfork.uapi.Futex;

/**
 * Fixed sizes and bounds fork.c and its structs depend on (5.12, x86_64, with
 * reference/config-5.12-x86_64.txt). Each names its header in its comment.
 */
public final class Limits {
    /** kernel/fork.c: the floor of max_threads, whatever the RAM (set_max_threads). */
    public static final int MIN_THREADS = 20;
    /** kernel/fork.c: the ceiling of max_threads; a tid must fit in a futex word's tid bits. */
    public static final int MAX_THREADS = Futex.FUTEX_TID_MASK;
    /** kernel/fork.c: vmalloc'ed thread stacks each CPU keeps for reuse (CONFIG_VMAP_STACK). */
    public static final int NR_CACHED_STACKS = 2;
    /**
     * include/uapi/linux/magic.h: the word set_task_stack_end_magic writes at the lowest address
     * of a kernel stack, to catch overflows. Stored as an {@code unsigned long}.
     */
    public static final long STACK_END_MAGIC = 0x57ac6e9dL;
    /** include/linux/sched.h: bytes of task_struct.comm, the NUL included. */
    public static final int TASK_COMM_LEN = 16;

    /** include/linux/threads.h: the default pid_max (CONFIG_BASE_SMALL=0). */
    public static final int PID_MAX_DEFAULT = 0x8000;
    /** include/linux/threads.h: the largest pid_max on 64-bit: 4 Mi. */
    public static final int PID_MAX_LIMIT = 4 * 1024 * 1024;
    /** include/linux/pid_namespace.h: the deepest pid namespace nesting. */
    public static final int MAX_PID_NS_LEVEL = 32;
    /** include/linux/pid.h: the number of pid types (PID, TGID, PGID, SID). */
    public static final int PIDTYPE_MAX = 4;

    /** include/linux/mm_types_task.h: entries of the per-task VMA lookup cache. */
    public static final int VMACACHE_SIZE = 4;
    /** include/linux/mm_types_task.h: the rss counter of file-backed pages. */
    public static final int MM_FILEPAGES = 0;
    /** include/linux/mm_types_task.h: the rss counter of anonymous pages. */
    public static final int MM_ANONPAGES = 1;
    /** include/linux/mm_types_task.h: the rss counter of swap entries. */
    public static final int MM_SWAPENTS = 2;
    /** include/linux/mm_types_task.h: the rss counter of shmem pages. */
    public static final int MM_SHMEMPAGES = 3;
    /** include/linux/mm_types_task.h: RSS counters per mm (file, anon, swap entries, shmem). */
    public static final int NR_MM_COUNTERS = 4;
    /**
     * include/linux/mm_types.h: unsigned longs of mm_struct.saved_auxv: 2 * (2 arch + 20 base + 1)
     * with IA32_EMULATION.
     */
    public static final int AT_VECTOR_SIZE = 46;
    /** include/uapi/asm-generic/resource.h: the number of resource limits (signal_struct.rlim). */
    public static final int RLIM_NLIMITS = 16;
    /** include/linux/fdtable.h: file descriptors in files_struct's embedded fd array (BITS_PER_LONG). */
    public static final int NR_OPEN_DEFAULT = 64;
    /** include/linux/threads.h: CONFIG_NR_CPUS, the most CPUs the kernel supports (64 in the config). */
    public static final int NR_CPUS = 64;

    private Limits() {
    }

    /**
     * kernel/fork.c's set_max_threads, the arithmetic both kernels share: the thread structures
     * may use at most 1/8 of RAM, so {@code totalram_pages * PAGE_SIZE / (THREAD_SIZE * 8)} (or
     * MAX_THREADS when that product would overflow 64 bits), no more than the suggestion, clamped
     * to [MIN_THREADS, MAX_THREADS].
     */
    public static int maxThreads(long totalramPages, long maxThreadsSuggested) {
        long threads;
        if (fls64(totalramPages) + fls64(X86_64.PAGE_SIZE) > 64) {
            threads = MAX_THREADS;
        } else {
            threads = totalramPages * X86_64.PAGE_SIZE / ((long) X86_64.THREAD_SIZE * 8);
        }
        if (threads > maxThreadsSuggested) {
            threads = maxThreadsSuggested;
        }
        return (int) Math.max(MIN_THREADS, Math.min(MAX_THREADS, threads));
    }

    private static int fls64(long x) {
        return 64 - Long.numberOfLeadingZeros(x);
    }
}
