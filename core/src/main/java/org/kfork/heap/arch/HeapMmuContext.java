package org.kfork.heap.arch;

import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.mm.HeapMmSystem;

/**
 * The heap twin of {@code org.kfork.kernel.arch.MmuContext}: init_new_context (5.12
 * arch/x86/include/asm/mmu_context.h) and flush_tlb_mm's generation bump (arch/x86/mm/tlb.c)
 * over the context fields of {@link HeapMmStruct}, with the same steps. No OSPKE and no LDTs, as
 * there; the twin has no context mutex or LDT semaphore to initialise (it models no locks of
 * the mm).
 *
 * <p>Invariants kept: every mm that mm_init builds gets a ctx_id no mm has had before
 * (last_mm_ctx_id only grows), a tlb_gen of 0 and no LDT.
 */
public final class HeapMmuContext {
    private HeapMmuContext() {
    }

    /** init_new_context: a fresh ctx_id (atomic64_inc_return of last_mm_ctx_id), tlb_gen 0, no LDT. */
    public static void initNewContext(HeapMmSystem sys, HeapMmStruct mm) {
        mm.ctxId = sys.lastMmCtxId().incrementAndGet();
        mm.tlbGen = 0;
        mm.ldt = null;
    }

    /** flush_tlb_mm: the flush's new generation (inc_mm_tlb_gen); the caller holds the big lock. */
    public static void flushTlbMm(HeapMmStruct mm) {
        mm.tlbGen++;
    }

    /** flush_tlb_mm_range: a new TLB generation, as {@link #flushTlbMm}. */
    public static void flushTlbMmRange(HeapMmStruct mm) {
        mm.tlbGen++;
    }
}
