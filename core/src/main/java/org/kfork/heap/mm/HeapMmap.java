package org.kfork.heap.mm;

import static org.kfork.mm.Mman.*;
import static org.kfork.mm.VmFlags.*;

import org.kfork.fs.Fmode;
import org.kfork.heap.arch.HeapMmuContext;
import org.kfork.heap.ds.HeapIntervalTree;
import org.kfork.heap.ds.HeapRbAugmentMax;
import org.kfork.heap.ds.HeapRbAugmented;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.heap.ds.HeapRbTree;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.fs.HeapFileTable;
import org.kfork.mm.MmArgs;
import org.kfork.mm.MmuGather;
import org.kfork.mm.Pgtable;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Mmap}: 5.12 mm/mmap.c without page tables (the VMA
 * list and its rb-tree augmented with rb_subtree_gap, find_vma_links and find_vma,
 * __split_vma/split_vma, do_mmap and mmap_region, __do_munmap, remove_vma, exit_mmap,
 * expand_stack, vm_stat_account and validate_mm) over {@link HeapMmStruct} and {@link HeapVma},
 * with the same steps in the same order; vma_merge with __vma_adjust is {@link HeapVmaMerge} and
 * get_unmapped_area {@link HeapUnmappedArea}. Calls that look a VMA up go through a handle
 * ({@link HeapMm}: its vmacache and the out-parameters).
 *
 * <p>Invariants kept (what {@link HeapMm#validate} checks), with {@link HeapVmaMerge} when areas merge:
 * <ul>
 *   <li>The VMAs sort by address and do not overlap; each is non-empty and page-aligned. The
 *       vm_next/vm_prev list, from mm.mmap, is the tree's in-order walk.</li>
 *   <li>mm_rb is a valid rb-tree, and every rb_subtree_gap is the largest free gap below a VMA of
 *       its subtree: vm_start_gap of the VMA less vm_end_gap of its predecessor (or 0 first).</li>
 *   <li>highest_vm_end is vm_end_gap of the last VMA; map_count is the number of VMAs.</li>
 *   <li>total_vm is the pages mapped, and data_vm, exec_vm and stack_vm the pages of each class
 *       vm_stat_account assigns; locked_vm counts the pages of VM_LOCKED areas.</li>
 *   <li>A file-backed VMA holds a reference on its file and sits in the file's i_mmap interval
 *       tree; its VM_DENYWRITE and VM_SHARED are counted in i_writecount and i_mmap_writable.
 *       Its anon_vma chains obey {@link HeapRmap}'s invariants.</li>
 *   <li>Whenever a VMA leaves the tree, vmacache_seqnum moves, so no vmacache returns it.</li>
 * </ul>
 */
public final class HeapMmap {
    private HeapMmap() {
    }

    // ---- The VMA list and tree ----

    /** vma_compute_gap: the free space below this VMA, guard gaps included. */
    static long vmaComputeGap(HeapVma vma) {
        long gap = VmRules.vmStartGap(vma.vmStart, vma.vmFlags);
        HeapVma prev = vma.vmPrev;
        if (prev != null) {
            long prevEnd = VmRules.vmEndGap(prev.vmEnd, prev.vmFlags);
            gap = gap > prevEnd ? gap - prevEnd : 0;
        }
        return gap;
    }

    /** vma_gap_callbacks: RB_DECLARE_CALLBACKS_MAX(rb_subtree_gap, vma_compute_gap). */
    public static final HeapRbAugmentMax<HeapVma> GAP = new HeapRbAugmentMax<>() {
        @Override
        protected long compute(HeapVma node) {
            return vmaComputeGap(node);
        }

        @Override
        protected long augmented(HeapVma node) {
            return node.rbSubtreeGap;
        }

        @Override
        protected void setAugmented(HeapVma node, long value) {
            node.rbSubtreeGap = value;
        }
    };

    /** vma_gap_update. */
    static void vmaGapUpdate(HeapVma vma) {
        GAP.propagate(vma, null);
    }

    /** __vma_link_rb: link under {@code parent} (null: root), update the gaps, rebalance. */
    public static void vmaLinkRb(HeapMmStruct mm, HeapVma vma, HeapRbNode parent, boolean asLeft) {
        if (vma.vmNext != null) {
            vmaGapUpdate(vma.vmNext);
        } else {
            mm.highestVmEnd = VmRules.vmEndGap(vma.vmEnd, vma.vmFlags);
        }
        HeapRbTree.linkNode(vma, parent, asLeft, mm.mmRb);
        vma.rbSubtreeGap = 0;
        vmaGapUpdate(vma);
        HeapRbAugmented.insert(vma, mm.mmRb, GAP);
    }

    /** __vma_link_list. */
    static void vmaLinkList(HeapMmStruct mm, HeapVma vma, HeapVma prev) {
        HeapVma next;
        vma.vmPrev = prev;
        if (prev != null) {
            next = prev.vmNext;
            prev.vmNext = vma;
        } else {
            next = mm.mmap;
            mm.mmap = vma;
        }
        vma.vmNext = next;
        if (next != null) {
            next.vmPrev = vma;
        }
    }

    /**
     * find_vma_links: where [addr, end) goes in the tree ({@code cur.linkPrev}, {@code linkParent},
     * {@code linkLeft}); -ENOMEM if it overlaps a VMA.
     */
    static int findVmaLinks(HeapMm cur, long addr, long end) {
        HeapRbNode node = cur.mm.mmRb.node();
        HeapRbNode parent = null;
        HeapVma prev = null;
        boolean left = false;
        while (node != null) {
            parent = node;
            HeapVma v = (HeapVma) node;
            if (v.vmEnd > addr) {
                if (v.vmStart < end) {
                    return -Errno.ENOMEM;
                }
                node = node.left();
                left = true;
            } else {
                prev = v;
                node = node.right();
                left = false;
            }
        }
        cur.linkPrev = prev;
        cur.linkParent = parent;
        cur.linkLeft = left;
        return 0;
    }

    /** __vma_link_file: the VMA joins its file's i_mmap and takes its deny-write / writable counts. */
    static void vmaLinkFile(HeapVma vma) {
        HeapFile file = vma.vmFile;
        if (file != null) {
            if ((vma.vmFlags & VM_DENYWRITE) != 0) {
                file.fInode.iWritecount--; // put_write_access
            }
            if ((vma.vmFlags & VM_SHARED) != 0) {
                file.fMapping.iMmapWritable++; // mapping_allow_writable
            }
            if (vma.shared == null) {
                vma.shared = new HeapVma.Shared(vma);
            }
            HeapIntervalTree.insert(vma.shared, file.fMapping.iMmap);
        }
    }

    /** __remove_shared_vm_struct (unlink_file_vma). */
    static void unlinkFileVma(HeapVma vma) {
        HeapFile file = vma.vmFile;
        if (file != null) {
            if ((vma.vmFlags & VM_DENYWRITE) != 0) {
                file.fInode.iWritecount++; // allow_write_access
            }
            if ((vma.vmFlags & VM_SHARED) != 0) {
                file.fMapping.iMmapWritable--; // mapping_unmap_writable
            }
            HeapIntervalTree.remove(vma.shared, file.fMapping.iMmap);
        }
    }

    /** vma_link after find_vma_links: list, tree, file, map_count. */
    static void vmaLink(HeapMm cur, HeapVma vma) {
        vmaLinkList(cur.mm, vma, cur.linkPrev);
        vmaLinkRb(cur.mm, vma, cur.linkParent, cur.linkLeft);
        vmaLinkFile(vma);
        cur.mm.mapCount++;
    }

    /** __vma_unlink_common and the next VMA's gap: out of the tree and the list; vmacaches invalidated. */
    static void vmaUnlink(HeapMmStruct mm, HeapVma vma) {
        HeapRbAugmented.erase(vma, mm.mmRb, GAP);
        HeapVma prev = vma.vmPrev;
        HeapVma next = vma.vmNext;
        if (prev != null) {
            prev.vmNext = next;
        } else {
            mm.mmap = next;
        }
        if (next != null) {
            next.vmPrev = prev;
            vmaGapUpdate(next);
        } else {
            mm.highestVmEnd = prev != null ? VmRules.vmEndGap(prev.vmEnd, prev.vmFlags) : 0;
        }
        mm.vmacacheSeqnum++; // vmacache_invalidate
    }

    /**
     * find_vma: the first VMA with vm_end &gt; addr, or null; the handle's vmacache first. Every
     * VMA lies below TASK_SIZE, so an address past 2^63 (negative as a long) finds none, as the
     * kernel's unsigned compare says.
     */
    static HeapVma findVma(HeapMm cur, long addr) {
        if (addr < 0) {
            return null;
        }
        HeapVma vma = cur.vmacacheFind(addr);
        if (vma != null) {
            return vma;
        }
        vma = findVmaRb(cur.mm, addr);
        if (vma != null) {
            cur.vmacacheUpdate(addr, vma);
        }
        return vma;
    }

    /** find_vma's walk of the tree, without a vmacache (the fault path of a caller with no handle). */
    public static HeapVma findVmaRb(HeapMmStruct mm, long addr) {
        if (addr < 0) {
            return null;
        }
        HeapVma vma = null;
        HeapRbNode n = mm.mmRb.node();
        while (n != null) {
            HeapVma t = (HeapVma) n;
            if (t.vmEnd > addr) {
                vma = t;
                if (t.vmStart <= addr) {
                    break;
                }
                n = n.left();
            } else {
                n = n.right();
            }
        }
        return vma;
    }

    // ---- do_mmap, mmap_region ----

    /** do_mmap of {@code file} (null: anonymous memory): the address, or a negative errno. */
    static long doMmap(HeapMm cur, long addr, long len, int prot, int flags, HeapFile file, long pgoff) {
        HeapMmSystem sys = cur.sys;
        HeapMmStruct mm = cur.mm;
        len = MmArgs.mmapLen(len, flags, file != null);
        if (Errno.isError(len)) {
            return len;
        }
        flags = MmArgs.mmapFlags(flags);
        addr = MmArgs.mmapHint(addr, flags);
        if (MmArgs.pgoffOverflows(pgoff, len)) {
            return -Errno.EOVERFLOW;
        }
        if (mm.mapCount > sys.maxMapCount) {
            return -Errno.ENOMEM;
        }
        addr = HeapUnmappedArea.getUnmappedArea(cur, addr, len, pgoff, flags);
        if (Errno.isError(addr)) {
            return addr;
        }
        if ((flags & MAP_FIXED_NOREPLACE) != 0) {
            HeapVma vma = findVma(cur, addr);
            if (vma != null && vma.vmStart < addr + len) {
                return -Errno.EEXIST;
            }
        }
        boolean fmodeWrite = file != null && (file.fMode & Fmode.FMODE_WRITE) != 0;
        long vmFlags = MmArgs.mmapVmFlags(prot, flags, mm.defFlags, file != null, fmodeWrite, pgoff, len,
            sys.overcommitMode());
        if (vmFlags < 0) {
            return vmFlags;
        }
        if (file == null) {
            pgoff = MmArgs.anonPgoff(flags, addr);
        }
        return mmapRegion(cur, file, addr, len, vmFlags, pgoff);
    }

    /** mmap_region: unmap what is in the way, charge, merge or make a VMA, account. */
    static long mmapRegion(HeapMm cur, HeapFile file, long addr, long len, long vmFlags, long pgoff) {
        HeapMmSystem sys = cur.sys;
        HeapMmStruct mm = cur.mm;
        if (findVmaLinks(cur, addr, addr + len) != 0) { // munmap_vma_range
            if (doMunmap(cur, addr, len) != 0) {
                return -Errno.ENOMEM;
            }
            findVmaLinks(cur, addr, addr + len);
        }
        long charged = 0;
        if (VmRules.accountableMapping(vmFlags)) {
            charged = len >>> PAGE_SHIFT;
            if (sys.overcommit().vmEnoughMemory(charged, mm.totalVm) != 0) {
                return -Errno.ENOMEM;
            }
            vmFlags |= VM_ACCOUNT;
        }
        HeapVma vma = HeapVmaMerge.vmaMerge(sys, mm, cur.linkPrev, addr, addr + len, vmFlags, null, file, pgoff);
        if (vma == null) {
            vma = HeapForkMm.vmAreaAlloc(sys, mm);
            if (vma == null) {
                sys.overcommit().vmUnacctMemory(charged);
                return -Errno.ENOMEM;
            }
            vma.vmStart = addr;
            vma.vmEnd = addr + len;
            vma.vmFlags = vmFlags;
            vma.vmPageProt = VmRules.vmPageProt(vmFlags);
            vma.vmPgoff = pgoff;
            if (file != null) {
                if ((vmFlags & VM_DENYWRITE) != 0 && file.fInode.iWritecount > 0) {
                    return freeVma(sys, vma, charged, -Errno.ETXTBSY); // deny_write_access
                }
                if ((vmFlags & VM_SHARED) != 0 && file.fMapping.iMmapWritable < 0) {
                    return freeVma(sys, vma, charged, -Errno.EPERM); // mapping_map_writable
                }
                sys.getFile(file);
                vma.vmFile = file;
                int err = HeapFileTable.callMmap(file, vma); // f_op->mmap installs vm_ops
                if (err != 0) {
                    vma.vmFile = null; // unmap_and_free_vma
                    sys.fput(file);
                    return freeVma(sys, vma, charged, err);
                }
            } else if ((vmFlags & VM_SHARED) != 0) {
                // shared anonymous memory is a deleted /dev/zero shmem file, charged to overcommit
                // for its size (__shmem_file_setup's shmem_acct_size)
                int err = sys.shmem.shmemZeroSetup(vma, mm.totalVm);
                if (err != 0) {
                    return freeVma(sys, vma, charged, err);
                }
            }
            findVmaLinks(cur, addr, addr + len);
            vmaLink(cur, vma);
        }
        vmStatAccount(mm, vmFlags, len >>> PAGE_SHIFT);
        if ((vmFlags & VM_LOCKED) != 0) {
            if (VmRules.neverLocked(vmFlags)) {
                vma.vmFlags &= VM_LOCKED_CLEAR_MASK;
            } else {
                mm.lockedVm += len >>> PAGE_SHIFT;
            }
        }
        return addr;
    }

    /** mmap_region's free_vma and unacct_error exits: the new VMA goes, the charge is returned. */
    private static long freeVma(HeapMmSystem sys, HeapVma vma, long charged, int err) {
        HeapForkMm.vmAreaFree(sys, vma);
        sys.overcommit().vmUnacctMemory(charged);
        return err;
    }

    // ---- remove_vma, split_vma, do_munmap, exit_mmap ----

    /** remove_vma: vm_ops->close, fput, vm_area_free; returns vm_next. */
    static HeapVma removeVma(HeapMmSystem sys, HeapVma vma) {
        HeapVma next = vma.vmNext;
        HeapVmOperations.close(vma);
        if (vma.vmFile != null) {
            sys.fput(vma.vmFile);
        }
        HeapForkMm.vmAreaFree(sys, vma);
        return next;
    }

    /** __split_vma: cut {@code vma} at {@code addr}; the new VMA takes the lower part if {@code newBelow}. */
    static int splitVma(HeapMm cur, HeapVma vma, long addr, boolean newBelow) {
        HeapMmSystem sys = cur.sys;
        HeapVma n = HeapForkMm.vmAreaDup(sys, vma);
        if (n == null) {
            return -Errno.ENOMEM;
        }
        if (newBelow) {
            n.vmEnd = addr;
        } else {
            n.vmStart = addr;
            n.vmPgoff += (addr - vma.vmStart) >>> PAGE_SHIFT;
        }
        int err = HeapRmap.anonVmaClone(sys, n, vma);
        if (err != 0) {
            HeapForkMm.vmAreaFree(sys, n);
            return err;
        }
        if (n.vmFile != null) {
            sys.getFile(n.vmFile);
        }
        HeapVmOperations.open(n);
        n.shared = null; // the copy's own i_mmap node is made when it is linked
        if (newBelow) {
            HeapVmaMerge.adjustRange(cur.mm, vma, addr, vma.vmEnd, vma.vmPgoff + ((addr - n.vmStart) >>> PAGE_SHIFT));
        } else {
            HeapVmaMerge.adjustRange(cur.mm, vma, vma.vmStart, addr, vma.vmPgoff);
        }
        // __insert_vm_struct
        if (findVmaLinks(cur, n.vmStart, n.vmEnd) != 0) {
            throw new IllegalStateException("split_vma: new area overlaps");
        }
        vmaLinkList(cur.mm, n, cur.linkPrev);
        vmaLinkRb(cur.mm, n, cur.linkParent, cur.linkLeft);
        vmaLinkFile(n);
        cur.mm.mapCount++;
        return 0;
    }

    /**
     * split_vma: __split_vma after the vm.max_map_count check (-ENOMEM). madvise_behavior makes
     * the same check itself, then reports a failed __split_vma as -EAGAIN ({@code madvise}); the
     * refusal at the limit stays -ENOMEM there too.
     */
    static int splitVmaChecked(HeapMm cur, HeapVma vma, long addr, boolean newBelow, boolean madvise) {
        if (cur.mm.mapCount >= cur.sys.maxMapCount) {
            return -Errno.ENOMEM;
        }
        int err = splitVma(cur, vma, addr, newBelow);
        return madvise ? MmArgs.madviseSplitError(err) : err;
    }

    /**
     * What mprotect_fixup, madvise_behavior and mlock_fixup share: [start, end) of {@code vma}
     * takes {@code newFlags} by merging with a neighbour (vma_merge) or by splitting {@code vma} at
     * the range's ends (split_vma, refused with -ENOMEM at vm.max_map_count; for
     * {@code madvise}, a failed split reports -EAGAIN). Then {@code cur.pprev} is the VMA covering
     * exactly the range; on failure it is {@code vma}. Returns 0 or the split's errno.
     */
    static int vmaMergeOrSplit(HeapMm cur, HeapVma vma, long start, long end, long newFlags, boolean madvise) {
        long pgoff = vma.vmPgoff + ((start - vma.vmStart) >>> PAGE_SHIFT);
        HeapVma merged = HeapVmaMerge.vmaMerge(cur.sys, cur.mm, cur.pprev, start, end, newFlags, vma.anonVma,
            vma.vmFile, pgoff);
        if (merged != null) {
            cur.pprev = merged;
            return 0;
        }
        cur.pprev = vma;
        if (start != vma.vmStart) {
            int err = splitVmaChecked(cur, vma, start, true, madvise);
            if (err != 0) {
                return err;
            }
        }
        if (end != vma.vmEnd) {
            return splitVmaChecked(cur, vma, end, false, madvise);
        }
        return 0;
    }

    /** unmap_region: the pages of the detached VMAs, then the page tables nothing else needs. */
    static void unmapRegion(HeapMmSystem sys, HeapMmStruct mm, HeapVma vma, HeapVma prev, long start, long end) {
        HeapVma next = prev != null ? prev.vmNext : mm.mmap;
        MmuGather tlb = sys.tlb;
        tlb.begin(false);
        HeapMemory.updateHiwaterRss(mm);
        HeapMemory.unmapVmas(sys, tlb, mm, vma, start, end);
        HeapPageTables.freePgtables(sys, tlb, mm, vma, prev != null ? prev.vmEnd : Pgtable.FIRST_USER_ADDRESS,
            next != null ? next.vmStart : Pgtable.USER_PGTABLES_CEILING);
        if (tlb.finish()) {
            HeapMmuContext.flushTlbMmRange(mm);
        }
    }

    /** __do_munmap: split at the range's ends, then detach, unaccount and remove the VMAs inside. */
    static int doMunmap(HeapMm cur, long start, long len) {
        HeapMmSystem sys = cur.sys;
        HeapMmStruct mm = cur.mm;
        long end = MmArgs.munmapEnd(start, len);
        if (Errno.isError(end)) {
            return (int) end;
        }
        HeapVma vma = findVma(cur, start);
        if (vma == null) {
            return 0;
        }
        HeapVma prev = vma.vmPrev;
        if (vma.vmStart >= end) {
            return 0;
        }
        if (start > vma.vmStart) {
            if (end < vma.vmEnd && mm.mapCount >= sys.maxMapCount) {
                return -Errno.ENOMEM;
            }
            int err = splitVma(cur, vma, start, false);
            if (err != 0) {
                return err;
            }
            prev = vma;
        }
        HeapVma last = findVma(cur, end);
        if (last != null && end > last.vmStart) {
            int err = splitVma(cur, last, end, true);
            if (err != 0) {
                return err;
            }
        }
        vma = prev != null ? prev.vmNext : mm.mmap;
        if (mm.lockedVm != 0) {
            for (HeapVma t = vma; t != null && t.vmStart < end; t = t.vmNext) {
                if ((t.vmFlags & VM_LOCKED) != 0) {
                    mm.lockedVm -= t.pages();
                }
            }
        }
        detachVmasToBeUnmapped(mm, vma, prev, end);
        unmapRegion(sys, mm, vma, prev, start, end);
        removeVmaList(sys, mm, vma);
        return 0;
    }

    /**
     * detach_vmas_to_be_unmapped: {@code vma} and the VMAs after it that start below {@code end}
     * leave the tree, map_count and the mm's list, which they keep as a list of their own (the
     * last one's vm_next cleared); the next VMA's gap is recomputed and the vmacaches are
     * invalidated once for the whole range.
     */
    static void detachVmasToBeUnmapped(HeapMmStruct mm, HeapVma vma, HeapVma prev, long end) {
        vma.vmPrev = null;
        HeapVma tail;
        do {
            HeapRbAugmented.erase(vma, mm.mmRb, GAP);
            mm.mapCount--;
            tail = vma;
            vma = vma.vmNext;
        } while (vma != null && vma.vmStart < end);
        if (prev != null) {
            prev.vmNext = vma;
        } else {
            mm.mmap = vma;
        }
        if (vma != null) {
            vma.vmPrev = prev;
            vmaGapUpdate(vma);
        } else {
            mm.highestVmEnd = prev != null ? VmRules.vmEndGap(prev.vmEnd, prev.vmFlags) : 0;
        }
        tail.vmNext = null;
        mm.vmacacheSeqnum++; // vmacache_invalidate
    }

    /**
     * remove_vma_list: hiwater_vm takes total_vm before it drops (update_hiwater_vm); then each
     * detached VMA leaves the counters and is removed, and the overcommit charge goes back.
     */
    static void removeVmaList(HeapMmSystem sys, HeapMmStruct mm, HeapVma vma) {
        long nrAccounted = 0;
        if (mm.hiwaterVm < mm.totalVm) {
            mm.hiwaterVm = mm.totalVm; // update_hiwater_vm
        }
        do {
            long nrpages = vma.pages();
            if ((vma.vmFlags & VM_ACCOUNT) != 0) {
                nrAccounted += nrpages;
            }
            vmStatAccount(mm, vma.vmFlags, -nrpages);
            vma = removeVma(sys, vma);
        } while (vma != null);
        sys.overcommit().vmUnacctMemory(nrAccounted);
    }

    /** exit_mmap: every page and page table, then every VMA with its anon_vma chains and file reference. */
    public static void exitMmap(HeapMmSystem sys, HeapMmStruct mm) {
        HeapVma vma = mm.mmap;
        if (vma == null) {
            return;
        }
        MmuGather tlb = sys.tlb;
        tlb.begin(true);
        HeapMemory.unmapVmas(sys, tlb, mm, vma, 0, -1);
        HeapPageTables.freePgtables(sys, tlb, mm, vma, Pgtable.FIRST_USER_ADDRESS, Pgtable.USER_PGTABLES_CEILING);
        if (tlb.finish()) {
            HeapMmuContext.flushTlbMmRange(mm);
        }
        long nrAccounted = 0;
        while (vma != null) {
            if ((vma.vmFlags & VM_ACCOUNT) != 0) {
                nrAccounted += vma.pages();
            }
            vma = removeVma(sys, vma);
        }
        sys.overcommit().vmUnacctMemory(nrAccounted);
    }

    /** expand_stack (expand_downwards): see the off-heap twin. */
    public static int expandStack(HeapMmSystem sys, HeapVma vma, long address) {
        HeapMmStruct mm = vma.vmMm;
        address &= PAGE_MASK;
        if (Long.compareUnsigned(address, MMAP_MIN_ADDR) < 0) {
            return -Errno.EPERM;
        }
        HeapVma prev = vma.vmPrev;
        if (prev != null && (prev.vmFlags & VM_GROWSDOWN) == 0 && VmRules.vmaIsAccessible(prev.vmFlags)
            && Long.compareUnsigned(address - prev.vmEnd, STACK_GUARD_GAP) < 0) {
            return -Errno.ENOMEM;
        }
        if (vma.anonVma == null && HeapRmap.anonVmaPrepare(sys, vma) != 0) {
            return -Errno.ENOMEM;
        }
        if (Long.compareUnsigned(address, vma.vmStart) >= 0) {
            return 0;
        }
        long grow = (vma.vmStart - address) >>> PAGE_SHIFT;
        if (Long.compareUnsigned(grow, vma.vmPgoff) > 0 || ((vma.vmFlags & VM_ACCOUNT) != 0
            && sys.overcommit().vmEnoughMemory(grow, mm.totalVm) != 0)) {
            return -Errno.ENOMEM;
        }
        if ((vma.vmFlags & VM_LOCKED) != 0) {
            mm.lockedVm += grow;
        }
        vmStatAccount(mm, vma.vmFlags, grow);
        HeapVmaMerge.preUpdateVma(vma);
        vma.vmStart = address;
        vma.vmPgoff -= grow;
        HeapVmaMerge.postUpdateVma(vma);
        vmaGapUpdate(vma);
        return 0;
    }

    /** vm_stat_account: total_vm, and exec_vm, stack_vm or data_vm by the area's class. */
    public static void vmStatAccount(HeapMmStruct mm, long flags, long npages) {
        mm.totalVm += npages;
        if (VmRules.isExecMapping(flags)) {
            mm.execVm += npages;
        } else if (VmRules.isStackMapping(flags)) {
            mm.stackVm += npages;
        } else if (VmRules.isDataMapping(flags)) {
            mm.dataVm += npages;
        }
    }
}
