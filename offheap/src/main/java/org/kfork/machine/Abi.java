package org.kfork.machine;

import org.kfork.arch.X86_64;
import org.kfork.sched.Limits;

/**
 * The modeled machine's ABI: x86_64, LP64, little-endian, as Linux 5.12 sees it with
 * reference/config-5.12-x86_64.txt.
 *
 * <p>Addresses are modeled kernel virtual addresses. Structs live in the direct map
 * ({@link #PAGE_OFFSET} + physical offset); thread stacks live in the vmalloc area
 * ({@link #VMALLOC_START}), which is reached through its own page table and never through a
 * direct-map add. The values shared with user space and core live in core's
 * {@link X86_64} and {@link Limits}; this class re-exports them for the machine model.
 */
public final class Abi {
    /** sizeof(void *), sizeof(long) on LP64. */
    public static final int POINTER_SIZE = 8;

    /** PAGE_SHIFT: 4 KiB pages. */
    public static final int PAGE_SHIFT = X86_64.PAGE_SHIFT;
    /** PAGE_SIZE. */
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    /** PAGE_MASK: the bits that select a page, {@code ~(PAGE_SIZE - 1)}. */
    public static final long PAGE_MASK = ~((long) PAGE_SIZE - 1);

    /** MAX_ORDER in 5.12: the buddy allocator hands out orders 0 to MAX_ORDER - 1 (4 MiB). */
    public static final int MAX_ORDER = 11;

    /** THREAD_SIZE_ORDER on x86_64 without KASAN: 2, so a kernel stack is 4 pages. */
    public static final int THREAD_SIZE_ORDER = X86_64.THREAD_SIZE_ORDER;
    /** THREAD_SIZE: 16 KiB kernel stacks. */
    public static final int THREAD_SIZE = PAGE_SIZE << THREAD_SIZE_ORDER;

    /** L1_CACHE_BYTES, SMP_CACHE_BYTES: the cache line ____cacheline_aligned rounds to. */
    public static final int L1_CACHE_BYTES = 64;
    /**
     * Distance between two CPUs' hot per-CPU data: two lines, so that the adjacent-line
     * prefetcher does not pair them (JCTools pads by 128 for the same reason).
     */
    public static final int PER_CPU_STRIDE = 128;

    /** NR_CPUS in the reference config: the most CPUs a machine can have. */
    public static final int NR_CPUS = Limits.NR_CPUS;

    /** PAGE_OFFSET with 4-level paging: the start of the direct map of all physical memory. */
    public static final long PAGE_OFFSET = 0xffff_8880_0000_0000L;
    /** VMALLOC_START with 4-level paging. */
    public static final long VMALLOC_START = 0xffff_c900_0000_0000L;
    /** The size of the vmalloc area with 4-level paging: 32 TiB. */
    public static final long VMALLOC_SIZE_BYTES = 32L << 40;
    /** The NULL pointer. */
    public static final long NULL = 0L;

    private Abi() {
    }

    /** Rounds {@code value} up to a multiple of {@code align}, a power of two. */
    public static long alignUp(long value, long align) {
        return (value + align - 1) & -align;
    }

    /** True when {@code value} is a power of two (and not zero). */
    public static boolean isPowerOfTwo(long value) {
        return value > 0 && (value & (value - 1)) == 0;
    }
}
