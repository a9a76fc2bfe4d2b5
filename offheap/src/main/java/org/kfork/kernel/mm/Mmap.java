package org.kfork.kernel.mm;

import static org.kfork.kernel.fs.FileTable.fileInode;
import static org.kfork.kernel.fs.FileTable.fileMapping;
import static org.kfork.kernel.mm.MmTypes.*;
import static org.kfork.machine.Mem.getAndAddInt;
import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Mman.*;
import static org.kfork.mm.VmFlags.*;

import org.kfork.ds.RbAugmentMax;
import org.kfork.ds.RbAugmented;
import org.kfork.ds.RbTree;
import org.kfork.ds.VmaIntervalTree;
import org.kfork.fs.Fmode;
import org.kfork.kernel.arch.MmuContext;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.kernel.struct.AddressSpace;
import org.kfork.kernel.struct.File;
import org.kfork.kernel.struct.Inode;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.mm.MmArgs;
import org.kfork.mm.MmuGather;
import org.kfork.mm.Pgtable;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;

/**
 * 5.12 mm/mmap.c: the VMA list and its rb-tree augmented with rb_subtree_gap
 * (vma_compute_gap, __vma_link_rb, __vma_unlink), find_vma_links and find_vma,
 * __split_vma/split_vma, do_mmap and mmap_region, __do_munmap with unmap_region (the pages and
 * page tables go through {@link Memory}), remove_vma, exit_mmap, expand_stack, vm_stat_account
 * and validate_mm. Two parts of mm/mmap.c have rooms of their own: vma_merge with __vma_adjust
 * ({@link VmaMerge}) and get_unmapped_area with x86's policy ({@link UnmappedArea}). Static over
 * modeled addresses; calls that look a VMA up go through a handle ({@link Mm}: its vmacache and
 * the out-parameters). The heap twin is {@link org.kfork.heap.mm.HeapMmap}.
 *
 * <p>Invariants kept (what {@link Mm#validate} checks), with {@link VmaMerge} when areas merge:
 * <ul>
 *   <li>The VMAs sort by address and do not overlap; each is non-empty and page-aligned, and its
 *       vm_mm is its mm. The vm_next/vm_prev list, from mm->mmap, is the tree's in-order walk.</li>
 *   <li>mm_rb is a valid rb-tree, and every rb_subtree_gap is the largest free gap below a VMA of
 *       its subtree: vm_start_gap of the VMA less vm_end_gap of its predecessor (or 0 first).</li>
 *   <li>highest_vm_end is vm_end_gap of the last VMA; map_count is the number of VMAs.</li>
 *   <li>total_vm is the pages mapped, and data_vm, exec_vm and stack_vm the pages of each class
 *       vm_stat_account assigns; locked_vm counts the pages of VM_LOCKED areas.</li>
 *   <li>A file-backed VMA holds a reference on its file and sits in the file's i_mmap interval
 *       tree; its VM_DENYWRITE and VM_SHARED are counted in i_writecount and i_mmap_writable.
 *       Its anon_vma chains obey {@link Rmap}'s invariants.</li>
 *   <li>Whenever a VMA leaves the tree, vmacache_seqnum moves, so no vmacache returns it.</li>
 * </ul>
 */
public final class Mmap {
    private Mmap() {
    }

    // ---- The VMA list and tree ----

    /** vma_compute_gap: the free space below this VMA, guard gaps included. */
    static long vmaComputeGap(long vma) {
        long gap = VmRules.vmStartGap(vmStart(vma), vmFlags(vma));
        long prev = vmPrev(vma);
        if (prev != 0) {
            long prevEnd = VmRules.vmEndGap(vmEnd(prev), vmFlags(prev));
            gap = gap > prevEnd ? gap - prevEnd : 0;
        }
        return gap;
    }

    /** vma_gap_callbacks: RB_DECLARE_CALLBACKS_MAX(rb_subtree_gap, vma_compute_gap). */
    static final RbAugmentMax GAP = new RbAugmentMax((int) VmAreaStruct.VM_RB, (int) VmAreaStruct.RB_SUBTREE_GAP) {
        @Override
        protected long compute(long vma) {
            return vmaComputeGap(vma);
        }
    };

    /** vma_gap_update. */
    static void vmaGapUpdate(long vma) {
        GAP.propagate(vma + VmAreaStruct.VM_RB, 0);
    }

    /** __vma_link_rb: link at the slot {@code link} under {@code rbParent}, update the gaps, rebalance. */
    public static void vmaLinkRb(long mm, long vma, long rbParent, long link) {
        long next = vmNext(vma);
        if (next != 0) {
            vmaGapUpdate(next);
        } else {
            putLong(mm + MmStruct.HIGHEST_VM_END, VmRules.vmEndGap(vmEnd(vma), vmFlags(vma)));
        }
        RbTree.linkNode(vma + VmAreaStruct.VM_RB, rbParent, link);
        putLong(vma + VmAreaStruct.RB_SUBTREE_GAP, 0);
        vmaGapUpdate(vma);
        RbAugmented.insert(vma + VmAreaStruct.VM_RB, mm + MmStruct.MM_RB, GAP);
    }

    /** __vma_link_list. */
    static void vmaLinkList(long mm, long vma, long prev) {
        long next;
        putLong(vma + VmAreaStruct.VM_PREV, prev);
        if (prev != 0) {
            next = vmNext(prev);
            putLong(prev + VmAreaStruct.VM_NEXT, vma);
        } else {
            next = getLong(mm + MmStruct.MMAP);
            putLong(mm + MmStruct.MMAP, vma);
        }
        putLong(vma + VmAreaStruct.VM_NEXT, next);
        if (next != 0) {
            putLong(next + VmAreaStruct.VM_PREV, vma);
        }
    }

    /**
     * find_vma_links: where [addr, end) goes in the tree ({@code cur.linkPrev}, {@code linkParent},
     * {@code linkSlot}); -ENOMEM if it overlaps a VMA.
     */
    static int findVmaLinks(Mm cur, long addr, long end) {
        long slot = cur.mm + MmStruct.MM_RB;
        long parent = 0;
        long prev = 0;
        long node;
        while ((node = getLong(slot)) != 0) {
            parent = node;
            long v = node - VmAreaStruct.VM_RB;
            if (vmEnd(v) > addr) {
                if (vmStart(v) < end) {
                    return -Errno.ENOMEM;
                }
                slot = node + RbTree.RB_LEFT;
            } else {
                prev = v;
                slot = node + RbTree.RB_RIGHT;
            }
        }
        cur.linkPrev = prev;
        cur.linkParent = parent;
        cur.linkSlot = slot;
        return 0;
    }

    /** __vma_link_file: the VMA joins its file's i_mmap and takes its deny-write / writable counts. */
    static void vmaLinkFile(long vma) {
        long file = vmFile(vma);
        if (file != 0) {
            long flags = vmFlags(vma);
            if ((flags & VM_DENYWRITE) != 0) {
                getAndAddInt(fileInode(file) + Inode.I_WRITECOUNT, -1); // put_write_access
            }
            if ((flags & VM_SHARED) != 0) {
                getAndAddInt(fileMapping(file) + AddressSpace.I_MMAP_WRITABLE, 1); // mapping_allow_writable
            }
            VmaIntervalTree.insert(vma, fileMapping(file) + AddressSpace.I_MMAP);
        }
    }

    /** __remove_shared_vm_struct (unlink_file_vma). */
    static void unlinkFileVma(long vma) {
        long file = vmFile(vma);
        if (file != 0) {
            long flags = vmFlags(vma);
            if ((flags & VM_DENYWRITE) != 0) {
                getAndAddInt(fileInode(file) + Inode.I_WRITECOUNT, 1); // allow_write_access
            }
            if ((flags & VM_SHARED) != 0) {
                getAndAddInt(fileMapping(file) + AddressSpace.I_MMAP_WRITABLE, -1); // mapping_unmap_writable
            }
            VmaIntervalTree.remove(vma, fileMapping(file) + AddressSpace.I_MMAP);
        }
    }

    /** vma_link after find_vma_links: list, tree, file, map_count. */
    static void vmaLink(Mm cur, long vma) {
        vmaLinkList(cur.mm, vma, cur.linkPrev);
        vmaLinkRb(cur.mm, vma, cur.linkParent, cur.linkSlot);
        vmaLinkFile(vma);
        mapCountAdd(cur.mm, 1);
    }

    /** __vma_unlink_common and the next VMA's gap: out of the tree and the list; vmacaches invalidated. */
    static void vmaUnlink(long mm, long vma) {
        RbAugmented.erase(vma + VmAreaStruct.VM_RB, mm + MmStruct.MM_RB, GAP);
        long prev = vmPrev(vma);
        long next = vmNext(vma);
        if (prev != 0) {
            putLong(prev + VmAreaStruct.VM_NEXT, next);
        } else {
            putLong(mm + MmStruct.MMAP, next);
        }
        if (next != 0) {
            putLong(next + VmAreaStruct.VM_PREV, prev);
            vmaGapUpdate(next);
        } else {
            putLong(mm + MmStruct.HIGHEST_VM_END, prev != 0 ? VmRules.vmEndGap(vmEnd(prev), vmFlags(prev)) : 0);
        }
        mmAdd(mm, MmStruct.VMACACHE_SEQNUM, 1); // vmacache_invalidate
    }

    /**
     * find_vma: the first VMA with vm_end &gt; addr, or 0; the handle's vmacache first. Every VMA
     * lies below TASK_SIZE, so an address past 2^63 (negative as a long) finds none, as the
     * kernel's unsigned compare says.
     */
    static long findVma(Mm cur, long addr) {
        if (addr < 0) {
            return 0;
        }
        long vma = cur.vmacacheFind(addr);
        if (vma != 0) {
            return vma;
        }
        vma = findVmaRb(cur.mm, addr);
        if (vma != 0) {
            cur.vmacacheUpdate(addr, vma);
        }
        return vma;
    }

    /**
     * find_vma's walk of the tree, without a vmacache: what the fault path of a caller with no
     * handle uses (the model's tasks carry no vmacache yet).
     */
    public static long findVmaRb(long mm, long addr) {
        if (addr < 0) {
            return 0;
        }
        long vma = 0;
        long n = getLong(mm + MmStruct.MM_RB);
        while (n != 0) {
            long t = n - VmAreaStruct.VM_RB;
            if (vmEnd(t) > addr) {
                vma = t;
                if (vmStart(t) <= addr) {
                    break;
                }
                n = RbTree.left(n);
            } else {
                n = RbTree.right(n);
            }
        }
        return vma;
    }

    // ---- do_mmap, mmap_region ----

    /** do_mmap of {@code file} (0: anonymous memory): the address, or a negative errno. */
    static long doMmap(Mm cur, long addr, long len, int prot, int flags, long file, long pgoff) {
        OffHeapMmSystem sys = cur.sys;
        long mm = cur.mm;
        len = MmArgs.mmapLen(len, flags, file != 0);
        if (Errno.isError(len)) {
            return len;
        }
        flags = MmArgs.mmapFlags(flags);
        addr = MmArgs.mmapHint(addr, flags);
        if (MmArgs.pgoffOverflows(pgoff, len)) {
            return -Errno.EOVERFLOW;
        }
        if (getInt(mm + MmStruct.MAP_COUNT) > sys.maxMapCount) {
            return -Errno.ENOMEM;
        }
        addr = UnmappedArea.getUnmappedArea(cur, addr, len, pgoff, flags);
        if (Errno.isError(addr)) {
            return addr;
        }
        if ((flags & MAP_FIXED_NOREPLACE) != 0) {
            long vma = findVma(cur, addr);
            if (vma != 0 && vmStart(vma) < addr + len) {
                return -Errno.EEXIST;
            }
        }
        boolean fmodeWrite = file != 0 && (getInt(file + File.F_MODE) & Fmode.FMODE_WRITE) != 0;
        long vmFlags = MmArgs.mmapVmFlags(prot, flags, mmGet(mm, MmStruct.DEF_FLAGS), file != 0, fmodeWrite, pgoff,
            len, sys.overcommitMode());
        if (vmFlags < 0) {
            return vmFlags;
        }
        if (file == 0) {
            pgoff = MmArgs.anonPgoff(flags, addr);
        }
        return mmapRegion(cur, file, addr, len, vmFlags, pgoff);
    }

    /** mmap_region: unmap what is in the way, charge, merge or make a VMA, account. */
    static long mmapRegion(Mm cur, long file, long addr, long len, long vmFlags, long pgoff) {
        OffHeapMmSystem sys = cur.sys;
        long mm = cur.mm;
        if (findVmaLinks(cur, addr, addr + len) != 0) { // munmap_vma_range
            if (doMunmap(cur, addr, len) != 0) {
                return -Errno.ENOMEM;
            }
            findVmaLinks(cur, addr, addr + len);
        }
        long charged = 0;
        if (VmRules.accountableMapping(vmFlags)) {
            charged = len >>> PAGE_SHIFT;
            if (sys.overcommit().vmEnoughMemory(charged, mmGet(mm, MmStruct.TOTAL_VM)) != 0) {
                return -Errno.ENOMEM;
            }
            vmFlags |= VM_ACCOUNT;
        }
        long vma = VmaMerge.vmaMerge(sys, mm, cur.linkPrev, addr, addr + len, vmFlags, 0, file, pgoff);
        if (vma == 0) {
            vma = ForkMm.vmAreaAlloc(sys, mm);
            if (vma == 0) {
                sys.overcommit().vmUnacctMemory(charged);
                return -Errno.ENOMEM;
            }
            putLong(vma + VmAreaStruct.VM_START, addr);
            putLong(vma + VmAreaStruct.VM_END, addr + len);
            putLong(vma + VmAreaStruct.VM_FLAGS, vmFlags);
            putLong(vma + VmAreaStruct.VM_PAGE_PROT, VmRules.vmPageProt(vmFlags));
            putLong(vma + VmAreaStruct.VM_PGOFF, pgoff);
            if (file != 0) {
                if ((vmFlags & VM_DENYWRITE) != 0 && getInt(fileInode(file) + Inode.I_WRITECOUNT) > 0) {
                    return freeVma(sys, vma, charged, -Errno.ETXTBSY); // deny_write_access
                }
                if ((vmFlags & VM_SHARED) != 0 && getInt(fileMapping(file) + AddressSpace.I_MMAP_WRITABLE) < 0) {
                    return freeVma(sys, vma, charged, -Errno.EPERM); // mapping_map_writable
                }
                sys.getFile(file);
                putLong(vma + VmAreaStruct.VM_FILE, file);
                int err = sys.callMmap(file, vma); // f_op->mmap installs vm_ops
                if (err != 0) {
                    putLong(vma + VmAreaStruct.VM_FILE, 0); // unmap_and_free_vma
                    sys.fput(file);
                    return freeVma(sys, vma, charged, err);
                }
            } else if ((vmFlags & VM_SHARED) != 0) {
                // shared anonymous memory is a deleted /dev/zero shmem file, charged to overcommit
                // for its size (__shmem_file_setup's shmem_acct_size)
                int err = sys.shmem.shmemZeroSetup(vma, mmGet(mm, MmStruct.TOTAL_VM));
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
                putLong(vma + VmAreaStruct.VM_FLAGS, vmFlags(vma) & VM_LOCKED_CLEAR_MASK);
            } else {
                mmAdd(mm, MmStruct.LOCKED_VM, len >>> PAGE_SHIFT);
            }
        }
        return addr;
    }

    /** mmap_region's free_vma and unacct_error exits: the new VMA goes, the charge is returned. */
    private static long freeVma(OffHeapMmSystem sys, long vma, long charged, int err) {
        ForkMm.vmAreaFree(sys, vma);
        sys.overcommit().vmUnacctMemory(charged);
        return err;
    }

    // ---- remove_vma, split_vma, do_munmap, exit_mmap ----

    /** remove_vma: vm_ops->close, fput, vm_area_free; returns vm_next. */
    static long removeVma(OffHeapMmSystem sys, long vma) {
        long next = vmNext(vma);
        long file = vmFile(vma);
        sys.vmOpsClose(vma);
        if (file != 0) {
            sys.fput(file);
        }
        ForkMm.vmAreaFree(sys, vma);
        return next;
    }

    /** __split_vma: cut {@code vma} at {@code addr}; the new VMA takes the lower part if {@code newBelow}. */
    static int splitVma(Mm cur, long vma, long addr, boolean newBelow) {
        OffHeapMmSystem sys = cur.sys;
        long n = ForkMm.vmAreaDup(sys, vma);
        if (n == 0) {
            return -Errno.ENOMEM;
        }
        if (newBelow) {
            putLong(n + VmAreaStruct.VM_END, addr);
        } else {
            putLong(n + VmAreaStruct.VM_START, addr);
            putLong(n + VmAreaStruct.VM_PGOFF, vmPgoff(n) + ((addr - vmStart(vma)) >>> PAGE_SHIFT));
        }
        int err = Rmap.anonVmaClone(sys, n, vma);
        if (err != 0) {
            ForkMm.vmAreaFree(sys, n);
            return err;
        }
        long file = vmFile(n);
        if (file != 0) {
            sys.getFile(file);
        }
        sys.vmOpsOpen(n);
        if (newBelow) {
            VmaMerge.adjustRange(cur.mm, vma, addr, vmEnd(vma), vmPgoff(vma) + ((addr - vmStart(n)) >>> PAGE_SHIFT));
        } else {
            VmaMerge.adjustRange(cur.mm, vma, vmStart(vma), addr, vmPgoff(vma));
        }
        // __insert_vm_struct
        if (findVmaLinks(cur, vmStart(n), vmEnd(n)) != 0) {
            throw new IllegalStateException("split_vma: new area overlaps");
        }
        vmaLinkList(cur.mm, n, cur.linkPrev);
        vmaLinkRb(cur.mm, n, cur.linkParent, cur.linkSlot);
        vmaLinkFile(n);
        mapCountAdd(cur.mm, 1);
        return 0;
    }

    /**
     * split_vma: __split_vma after the vm.max_map_count check (-ENOMEM). madvise_behavior makes
     * the same check itself, then reports a failed __split_vma as -EAGAIN ({@code madvise}); the
     * refusal at the limit stays -ENOMEM there too.
     */
    static int splitVmaChecked(Mm cur, long vma, long addr, boolean newBelow, boolean madvise) {
        if (getInt(cur.mm + MmStruct.MAP_COUNT) >= cur.sys.maxMapCount) {
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
    static int vmaMergeOrSplit(Mm cur, long vma, long start, long end, long newFlags, boolean madvise) {
        long pgoff = vmPgoff(vma) + ((start - vmStart(vma)) >>> PAGE_SHIFT);
        long merged = VmaMerge.vmaMerge(cur.sys, cur.mm, cur.pprev, start, end, newFlags, anonVma(vma), vmFile(vma),
            pgoff);
        if (merged != 0) {
            cur.pprev = merged;
            return 0;
        }
        cur.pprev = vma;
        if (start != vmStart(vma)) {
            int err = splitVmaChecked(cur, vma, start, true, madvise);
            if (err != 0) {
                return err;
            }
        }
        if (end != vmEnd(vma)) {
            return splitVmaChecked(cur, vma, end, false, madvise);
        }
        return 0;
    }

    /**
     * unmap_region: the pages of [start, end) in the detached VMAs from {@code vma} go
     * (unmap_vmas), then the page tables that nothing between prev and the next VMA still needs
     * (free_pgtables, which also unlinks the VMAs from their anon_vmas and files).
     */
    static void unmapRegion(OffHeapMmSystem sys, long mm, long vma, long prev, long start, long end) {
        long next = prev != 0 ? vmNext(prev) : getLong(mm + MmStruct.MMAP);
        MmuGather tlb = sys.tlb;
        tlb.begin(false);
        Memory.updateHiwaterRss(mm);
        Memory.unmapVmas(sys, tlb, mm, vma, start, end);
        PageTables.freePgtables(sys, tlb, mm, vma, prev != 0 ? vmEnd(prev) : Pgtable.FIRST_USER_ADDRESS,
            next != 0 ? vmStart(next) : Pgtable.USER_PGTABLES_CEILING);
        if (tlb.finish()) {
            MmuContext.flushTlbMmRange(mm);
        }
    }

    /** __do_munmap: split at the range's ends, then detach, unaccount and remove the VMAs inside. */
    static int doMunmap(Mm cur, long start, long len) {
        OffHeapMmSystem sys = cur.sys;
        long mm = cur.mm;
        long end = MmArgs.munmapEnd(start, len);
        if (Errno.isError(end)) {
            return (int) end;
        }
        long vma = findVma(cur, start);
        if (vma == 0) {
            return 0;
        }
        long prev = vmPrev(vma);
        if (vmStart(vma) >= end) {
            return 0;
        }
        if (start > vmStart(vma)) {
            if (end < vmEnd(vma) && getInt(mm + MmStruct.MAP_COUNT) >= sys.maxMapCount) {
                return -Errno.ENOMEM;
            }
            int err = splitVma(cur, vma, start, false);
            if (err != 0) {
                return err;
            }
            prev = vma;
        }
        long last = findVma(cur, end);
        if (last != 0 && end > vmStart(last)) {
            int err = splitVma(cur, last, end, true);
            if (err != 0) {
                return err;
            }
        }
        vma = prev != 0 ? vmNext(prev) : getLong(mm + MmStruct.MMAP);
        if (mmGet(mm, MmStruct.LOCKED_VM) != 0) {
            for (long t = vma; t != 0 && vmStart(t) < end; t = vmNext(t)) {
                if ((vmFlags(t) & VM_LOCKED) != 0) {
                    mmAdd(mm, MmStruct.LOCKED_VM, -pages(t));
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
    static void detachVmasToBeUnmapped(long mm, long vma, long prev, long end) {
        long insertionPoint = prev != 0 ? prev + VmAreaStruct.VM_NEXT : mm + MmStruct.MMAP;
        putLong(vma + VmAreaStruct.VM_PREV, 0);
        long tail;
        do {
            RbAugmented.erase(vma + VmAreaStruct.VM_RB, mm + MmStruct.MM_RB, GAP);
            mapCountAdd(mm, -1);
            tail = vma;
            vma = vmNext(vma);
        } while (vma != 0 && vmStart(vma) < end);
        putLong(insertionPoint, vma);
        if (vma != 0) {
            putLong(vma + VmAreaStruct.VM_PREV, prev);
            vmaGapUpdate(vma);
        } else {
            putLong(mm + MmStruct.HIGHEST_VM_END, prev != 0 ? VmRules.vmEndGap(vmEnd(prev), vmFlags(prev)) : 0);
        }
        putLong(tail + VmAreaStruct.VM_NEXT, 0);
        mmAdd(mm, MmStruct.VMACACHE_SEQNUM, 1); // vmacache_invalidate
    }

    /**
     * remove_vma_list: hiwater_vm takes total_vm before it drops (update_hiwater_vm); then each
     * detached VMA leaves the counters and is removed, and the overcommit charge goes back.
     */
    static void removeVmaList(OffHeapMmSystem sys, long mm, long vma) {
        long nrAccounted = 0;
        if (mmGet(mm, MmStruct.HIWATER_VM) < mmGet(mm, MmStruct.TOTAL_VM)) {
            putLong(mm + MmStruct.HIWATER_VM, mmGet(mm, MmStruct.TOTAL_VM)); // update_hiwater_vm
        }
        do {
            long nrpages = pages(vma);
            if ((vmFlags(vma) & VM_ACCOUNT) != 0) {
                nrAccounted += nrpages;
            }
            vmStatAccount(mm, vmFlags(vma), -nrpages);
            vma = removeVma(sys, vma);
        } while (vma != 0);
        sys.overcommit().vmUnacctMemory(nrAccounted);
    }

    /**
     * exit_mmap: every page and page table goes (a full-mm gather: unmap_vmas over the whole
     * address space, then free_pgtables from the bottom to the top), then every VMA with its
     * anon_vma chains and file reference.
     */
    public static void exitMmap(OffHeapMmSystem sys, long mm) {
        long vma = getLong(mm + MmStruct.MMAP);
        if (vma == 0) {
            return;
        }
        MmuGather tlb = sys.tlb;
        tlb.begin(true);
        Memory.unmapVmas(sys, tlb, mm, vma, 0, -1);
        PageTables.freePgtables(sys, tlb, mm, vma, Pgtable.FIRST_USER_ADDRESS,
            Pgtable.USER_PGTABLES_CEILING);
        if (tlb.finish()) {
            MmuContext.flushTlbMmRange(mm);
        }
        long nrAccounted = 0;
        while (vma != 0) {
            if ((vmFlags(vma) & VM_ACCOUNT) != 0) {
                nrAccounted += pages(vma);
            }
            vma = removeVma(sys, vma);
        }
        sys.overcommit().vmUnacctMemory(nrAccounted);
    }

    /**
     * expand_stack (expand_downwards on x86): a fault below a VM_GROWSDOWN area moves its start
     * down to the faulting page. -EPERM below mmap_min_addr; -ENOMEM within the stack guard gap of
     * an accessible area below that does not grow down, beyond the area's pgoff, without memory
     * for the anon_vma, or when overcommit refuses the growth (acct_stack_growth: the rlimits are
     * unlimited in the model). The growth is accounted and the gaps kept. Unlike 5.12, only a
     * VM_ACCOUNT area is charged to overcommit for its growth: 5.12 charges any growing stack but
     * gives the charge back only for VM_ACCOUNT areas, a leak the model does not copy.
     */
    public static int expandStack(OffHeapMmSystem sys, long vma, long address) {
        long mm = getLong(vma + VmAreaStruct.VM_MM);
        address &= PAGE_MASK;
        if (Long.compareUnsigned(address, MMAP_MIN_ADDR) < 0) {
            return -Errno.EPERM;
        }
        long prev = vmPrev(vma);
        if (prev != 0 && (vmFlags(prev) & VM_GROWSDOWN) == 0 && VmRules.vmaIsAccessible(vmFlags(prev))
            && Long.compareUnsigned(address - vmEnd(prev), STACK_GUARD_GAP) < 0) {
            return -Errno.ENOMEM;
        }
        if (anonVma(vma) == 0 && Rmap.anonVmaPrepare(sys, vma) != 0) {
            return -Errno.ENOMEM;
        }
        if (Long.compareUnsigned(address, vmStart(vma)) >= 0) {
            return 0;
        }
        long grow = (vmStart(vma) - address) >>> PAGE_SHIFT;
        if (Long.compareUnsigned(grow, vmPgoff(vma)) > 0 || ((vmFlags(vma) & VM_ACCOUNT) != 0
            && sys.overcommit().vmEnoughMemory(grow, mmGet(mm, MmStruct.TOTAL_VM)) != 0)) {
            return -Errno.ENOMEM;
        }
        if ((vmFlags(vma) & VM_LOCKED) != 0) {
            mmAdd(mm, MmStruct.LOCKED_VM, grow);
        }
        vmStatAccount(mm, vmFlags(vma), grow);
        VmaMerge.preUpdateVma(vma);
        putLong(vma + VmAreaStruct.VM_START, address);
        putLong(vma + VmAreaStruct.VM_PGOFF, vmPgoff(vma) - grow);
        VmaMerge.postUpdateVma(vma);
        vmaGapUpdate(vma);
        return 0;
    }

    /** vm_stat_account: total_vm, and exec_vm, stack_vm or data_vm by the area's class. */
    public static void vmStatAccount(long mm, long flags, long npages) {
        mmAdd(mm, MmStruct.TOTAL_VM, npages);
        if (VmRules.isExecMapping(flags)) {
            mmAdd(mm, MmStruct.EXEC_VM, npages);
        } else if (VmRules.isStackMapping(flags)) {
            mmAdd(mm, MmStruct.STACK_VM, npages);
        } else if (VmRules.isDataMapping(flags)) {
            mmAdd(mm, MmStruct.DATA_VM, npages);
        }
    }
}
