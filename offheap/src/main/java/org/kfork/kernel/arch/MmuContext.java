package org.kfork.kernel.arch;

import static org.kfork.machine.Mem.putLong;

import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.kernel.struct.MmContext;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.Mutex;
import org.kfork.kernel.struct.RwSemaphore;
import org.kfork.machine.Mem;

/**
 * The x86 half of an mm's life in 5.12: init_new_context of arch/x86/include/asm/mmu_context.h,
 * and from arch/x86/mm/tlb.c the global last_mm_ctx_id and flush_tlb_mm's generation bump
 * (inc_mm_tlb_gen). Static over the mm_struct's {@code context} (mm_context_t); the heap twin is
 * {@link org.kfork.heap.arch.HeapMmuContext}.
 *
 * <p>The modeled CPU has no OSPKE (cpu_feature_enabled(X86_FEATURE_OSPKE) is false), the model's
 * "no protection keys": init_new_context leaves pkey_allocation_map and execute_only_pkey alone
 * and arch_dup_pkeys copies nothing, so a copy keeps the bytes dup_mm's memcpy gave it and a
 * fresh mm has zeros. There are no LDTs (modify_ldt is not modelled), so ldt_dup_context,
 * destroy_context and arch_exit_mmap have nothing to do.
 *
 * <p>Invariants kept: every mm that mm_init builds gets a ctx_id no mm has had before
 * (last_mm_ctx_id only grows, from init_mm's {@link org.kfork.arch.X86_64#INIT_MM_CTX_ID}), a
 * tlb_gen of 0, no LDT, and a context mutex and LDT semaphore of its own (their wait lists point
 * at themselves, never into the mm it was copied from).
 */
public final class MmuContext {
    private MmuContext() {
    }

    /**
     * init_new_context: mutex_init(&context.lock), a fresh ctx_id (atomic64_inc_return of
     * last_mm_ctx_id), tlb_gen 0, and init_new_context_ldt (no LDT, an initialised
     * ldt_usr_sem). x86's never fails.
     */
    public static void initNewContext(OffHeapMmSystem sys, long mm) {
        long ctx = mm + MmStruct.CONTEXT;
        Mem.zero(ctx + MmContext.LOCK, Mutex.SIZEOF);
        IntrusiveList.init(ctx + MmContext.LOCK + Mutex.WAIT_LIST);
        putLong(ctx + MmContext.CTX_ID, Mem.getAndAddLong(sys.lastMmCtxIdAddress(), 1) + 1);
        Mem.putLongVolatile(ctx + MmContext.TLB_GEN, 0);
        putLong(ctx + MmContext.LDT, 0);
        Mem.zero(ctx + MmContext.LDT_USR_SEM, RwSemaphore.SIZEOF);
        IntrusiveList.init(ctx + MmContext.LDT_USR_SEM + RwSemaphore.WAIT_LIST);
    }

    /**
     * flush_tlb_mm: there is no TLB to flush, but the flush's new generation (inc_mm_tlb_gen, a
     * full barrier) is the mm's, as in 5.12.
     */
    public static void flushTlbMm(long mm) {
        Mem.getAndAddLong(mm + MmStruct.CONTEXT + MmContext.TLB_GEN, 1);
    }

    /**
     * flush_tlb_mm_range (flush_tlb_range, flush_tlb_page, an mmu_gather's flush): as
     * {@link #flushTlbMm}, a new generation of the mm's TLB (inc_mm_tlb_gen).
     */
    public static void flushTlbMmRange(long mm) {
        Mem.getAndAddLong(mm + MmStruct.CONTEXT + MmContext.TLB_GEN, 1);
    }
}
