package org.kfork.heap.mm;

import org.kfork.heap.ds.HeapIntervalNode;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.mm.Mman;

/**
 * The heap twin of {@code struct vm_area_struct}. The mm's rb-tree node (vm_rb) is inherited, so
 * container_of is a cast; the i_mmap node ({@code shared.rb}) is a separate small object, created
 * only for file-backed areas. The anon_vma_chain list head is {@link #chainFirst}/{@link #chainLast}.
 */
public final class HeapVma extends HeapRbNode {
    /** vm_start. */
    public long vmStart;
    /** vm_end. */
    public long vmEnd;
    /** vm_next. */
    public HeapVma vmNext;
    /** vm_prev. */
    public HeapVma vmPrev;
    /** rb_subtree_gap. */
    public long rbSubtreeGap;
    /** vm_mm. */
    public HeapMmStruct vmMm;
    /** vm_page_prot (the low bits of vm_flags, as vm_get_page_prot's table index). */
    public long vmPageProt;
    /** vm_flags. */
    public long vmFlags;
    /** shared.rb and shared.rb_subtree_last: the i_mmap interval-tree node, or null. */
    public Shared shared;
    /** anon_vma_chain: the first and last avc of this VMA's same_vma list. */
    public HeapAnonVmaChain chainFirst;
    public HeapAnonVmaChain chainLast;
    /** anon_vma. */
    public HeapAnonVma anonVma;
    /** vm_ops (null for anonymous memory). */
    public HeapVmOperations vmOps;
    /** vm_pgoff. */
    public long vmPgoff;
    /** vm_file. */
    public HeapFile vmFile;
    /** vm_private_data. */
    public Object vmPrivateData;
    /** swap_readahead_info. */
    public long swapReadaheadInfo;
    /** vm_policy (no NUMA policies are modelled: always null). */
    public Object vmPolicy;
    /** vm_userfaultfd_ctx (always null: no userfaultfd). */
    public Object vmUserfaultfdCtx;

    /** Not a kernel field: this VMA's copy while a structural dup (DupMode.STRUCTURAL) runs. */
    public HeapVma forkCopy;

    /** A cleared VMA, as vm_area_alloc makes it. */
    public HeapVma() {
    }

    /** vm_area_dup's {@code *new = *orig}, then INIT_LIST_HEAD(anon_vma_chain) and vm_next = vm_prev = NULL. */
    public HeapVma(HeapVma o) {
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
    public long pages() {
        return (vmEnd - vmStart) >>> Mman.PAGE_SHIFT;
    }

    /** The i_mmap node: interval [vm_pgoff, vm_pgoff + pages - 1]. */
    public static final class Shared extends HeapIntervalNode {
        final HeapVma vma;

        /** The i_mmap node of {@code vma}. */
        public Shared(HeapVma vma) {
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
