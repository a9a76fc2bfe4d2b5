package org.kfork.mm;

/**
 * The state of a struct mmu_gather (include/asm-generic/tlb.h, mm/mmu_gather.c) as far as the
 * model keeps it: the range of user addresses whose ptes were cleared, whether page tables were
 * freed or entries cleared, and whether the gather covers the whole mm (exit_mmap's fullmm). It
 * says when a TLB flush is due; the caller's kernel makes the flush (flush_tlb_mm_range bumps the
 * mm's tlb_gen), so both kernels flush at the same points.
 *
 * <p>Not modelled: the batches of pages waiting for the flush (MAX_GATHER_BATCH, and the page
 * allocations of tlb_next_batch) and the RCU-deferred freeing of page tables: pages and tables are
 * freed at once, which no user can observe without a TLB. One gather lives per mm system and the
 * big lock guards it (the kernel's is on the stack); {@link #begin} refuses a nested use.
 */
public final class MmuGather {
    private boolean active;
    private boolean fullmm;
    private long start;
    private long end;
    private boolean freedTables;
    private boolean cleared;

    /** tlb_gather_mmu ({@code fullmm} false) or tlb_gather_mmu_fullmm. */
    public void begin(boolean fullmm) {
        if (active) {
            throw new IllegalStateException("mmu_gather already in use");
        }
        active = true;
        this.fullmm = fullmm;
        resetRange();
    }

    /** Whether this gather tears the whole mm down. */
    public boolean fullmm() {
        return fullmm;
    }

    /** __tlb_reset_range. */
    private void resetRange() {
        if (fullmm) {
            start = -1;
            end = -1;
        } else {
            start = Pgtable.TASK_SIZE_MAX;
            end = 0;
        }
        freedTables = false;
        cleared = false;
    }

    /** __tlb_adjust_range. */
    private void adjustRange(long address, long size) {
        if (Long.compareUnsigned(address, start) < 0) {
            start = address;
        }
        if (Long.compareUnsigned(address + size, end) > 0) {
            end = address + size;
        }
    }

    /** tlb_remove_tlb_entry: a pte at {@code address} was cleared. */
    public void removeTlbEntry(long address) {
        adjustRange(address, Mman.PAGE_SIZE);
        cleared = true;
    }

    /** pte_free_tlb, pmd_free_tlb, pud_free_tlb: a page table covering {@code address} was freed. */
    public void freeTable(long address) {
        adjustRange(address, Mman.PAGE_SIZE);
        freedTables = true;
        cleared = true;
    }

    /**
     * tlb_flush_mmu_tlbonly: whether a flush is due (something was cleared or freed since the last
     * one); if so the range resets, and the caller flushes.
     */
    public boolean flushTlbOnly() {
        if (!(freedTables || cleared)) {
            return false;
        }
        resetRange();
        return true;
    }

    /** tlb_end_vma: outside a fullmm gather, a flush may be due at the end of each VMA. */
    public boolean endVma() {
        return !fullmm && flushTlbOnly();
    }

    /** tlb_finish_mmu: the last flush may be due; the gather is free again. */
    public boolean finish() {
        boolean flush = flushTlbOnly();
        active = false;
        return flush;
    }
}
