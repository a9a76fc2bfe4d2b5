package org.kfork.heap.mm;

import org.kfork.heap.ds.HeapIntervalNode;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.mm.Mman;

/**
 * The heap twin of {@code struct vm_area_struct}. The mm's rb-tree node (vm_rb) is inherited, so
 * container_of is a cast; the i_mmap node ({@code shared.rb}) is a separate small object, created
 * only for file-backed areas. The anon_vma_chain list head is {@link #chainFirst}/{@link #chainLast}.
 */
public final class HeapVma extends HeapRbNode {
    /** vm_start. */
    long vmStart;
    /** vm_end. */
    long vmEnd;
    /** vm_next. */
    HeapVma vmNext;
    /** vm_prev. */
    HeapVma vmPrev;
    /** rb_subtree_gap. */
    long rbSubtreeGap;
    /** vm_mm. */
    HeapMm vmMm;
    /** vm_page_prot (the low bits of vm_flags, as vm_get_page_prot's table index). */
    long vmPageProt;
    /** vm_flags. */
    long vmFlags;
    /** shared.rb and shared.rb_subtree_last: the i_mmap interval-tree node, or null. */
    Shared shared;
    /** anon_vma_chain: the first and last avc of this VMA's same_vma list. */
    HeapAnonVmaChain chainFirst;
    HeapAnonVmaChain chainLast;
    /** anon_vma. */
    HeapAnonVma anonVma;
    /** vm_ops (null for anonymous memory). */
    HeapFile.VmOps vmOps;
    /** vm_pgoff. */
    long vmPgoff;
    /** vm_file. */
    HeapFile vmFile;
    /** vm_private_data. */
    Object vmPrivateData;
    /** swap_readahead_info. */
    long swapReadaheadInfo;
    /** vm_policy (no NUMA policies are modelled: always null). */
    Object vmPolicy;
    /** vm_userfaultfd_ctx (always null: no userfaultfd). */
    Object vmUserfaultfdCtx;

    /** Not a kernel field: this VMA's copy while a structural dup (DupMode.STRUCTURAL) runs. */
    HeapVma forkCopy;

    HeapVma() {
    }

    /** vm_area_dup's {@code *new = *orig}, then INIT_LIST_HEAD(anon_vma_chain) and vm_next = vm_prev = NULL. */
    HeapVma(HeapVma o) {
        vmStart = o.vmStart;
        vmEnd = o.vmEnd;
        rbSubtreeGap = o.rbSubtreeGap;
        vmMm = o.vmMm;
        vmPageProt = o.vmPageProt;
        vmFlags = o.vmFlags;
        anonVma = o.anonVma;
        vmOps = o.vmOps;
        vmPgoff = o.vmPgoff;
        vmFile = o.vmFile;
        vmPrivateData = o.vmPrivateData;
        swapReadaheadInfo = o.swapReadaheadInfo;
        vmPolicy = o.vmPolicy;
        vmUserfaultfdCtx = o.vmUserfaultfdCtx;
    }

    /** vma_pages. */
    long pages() {
        return (vmEnd - vmStart) >>> Mman.PAGE_SHIFT;
    }

    /** The i_mmap node: interval [vm_pgoff, vm_pgoff + pages - 1]. */
    static final class Shared extends HeapIntervalNode {
        final HeapVma vma;

        Shared(HeapVma vma) {
            this.vma = vma;
        }

        @Override
        public long start() {
            return vma.vmPgoff;
        }

        @Override
        public long last() {
            return vma.vmPgoff + vma.pages() - 1;
        }
    }

    @Override
    public String toString() {
        return Long.toHexString(vmStart) + "-" + Long.toHexString(vmEnd);
    }
}
