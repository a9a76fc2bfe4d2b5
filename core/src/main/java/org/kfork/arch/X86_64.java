package org.kfork.arch;

/**
 * x86_64 page, stack and address-space constants (arch/x86/include/asm/page_types.h and
 * page_64_types.h, 5.12, without KASAN, with 4-level paging), and the first mm context id.
 *
 * <p>The core module needs them for checks done by both kernels (clone3 rejects a clone_args
 * larger than PAGE_SIZE, mmap rounds to pages) and cannot see the offheap module's machine ABI,
 * which models the same values.
 */
public final class X86_64 {
    /** log2 of the page size. */
    public static final int PAGE_SHIFT = 12;
    /** The page size: 4 KiB. */
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    /** Extra stack order KASAN needs; 0 without CONFIG_KASAN. */
    public static final int KASAN_STACK_ORDER = 0;
    /** A kernel stack is 2^THREAD_SIZE_ORDER pages. */
    public static final int THREAD_SIZE_ORDER = 2 + KASAN_STACK_ORDER;
    /** A kernel stack's size: 16 KiB. */
    public static final int THREAD_SIZE = PAGE_SIZE << THREAD_SIZE_ORDER;
    /**
     * The top of the user address space a process gets by default (47 bits, less a guard page):
     * mmap hands out addresses below it.
     */
    public static final long DEFAULT_MAP_WINDOW = (1L << 47) - PAGE_SIZE;
    /**
     * init_mm's context.ctx_id (INIT_MM_CONTEXT), and the first value of last_mm_ctx_id
     * (arch/x86/mm/tlb.c): init_new_context gives every other mm the next one.
     */
    public static final long INIT_MM_CTX_ID = 1;

    private X86_64() {
    }
}
