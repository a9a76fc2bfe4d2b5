package org.kfork.heap.mm;

import static org.kfork.mm.Mman.*;
import static org.kfork.mm.VmFlags.*;

import java.util.ArrayList;
import java.util.List;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.ds.HeapIntervalTree;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.ds.HeapRbAugmentMax;
import org.kfork.heap.ds.HeapRbAugmented;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.heap.ds.HeapRbRoot;
import org.kfork.heap.ds.HeapRbTree;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.LockedAddressSpace;
import org.kfork.mm.MmArgs;
import org.kfork.mm.MmDebug;
import org.kfork.mm.DupMode;
import org.kfork.mm.MappedFile;
import org.kfork.mm.MmFlags;
import org.kfork.mm.Overcommit;
import org.kfork.mm.VmRules;
import org.kfork.mm.VmaInfo;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;

/**
 * The heap twin of {@code struct mm_struct} with the address-space operations of 5.12 mm/mmap.c,
 * mm/mprotect.c, mm/madvise.c and mm/mlock.c, the anon_vma code of mm/rmap.c, and dup_mm/dup_mmap
 * and the mm lifetime of kernel/fork.c. The off-heap port ({@code org.kfork.kernel.mm.Mm}) runs the
 * same steps over modeled memory; the differential tests hold the two to identical results.
 *
 * <p>vmacache: 5.12 keeps 4 cached VMAs per task, validated by the mm's vmacache_seqnum. Tasks do
 * not exist yet, so each mm carries one such cache (a per-mm stand-in): same hash, same seqnum
 * protocol, same invalidation points.
 *
 * <p>Not thread-safe: the mmap lock is held by the single caller (the twin models its order of
 * steps, not its concurrency).
 */
public final class HeapMm extends LockedAddressSpace {
    final HeapMmSystem sys;
    /** The mm_struct. */
    final HeapMmStruct mm;
    // --- the per-handle vmacache stand-in (task_struct.vmacache in 5.12) ---
    long vmacacheTaskSeqnum;
    final HeapVma[] vmacache = new HeapVma[Limits.VMACACHE_SIZE];
    /** The **pprev of the fixups of mprotect, madvise and mlock: the VMA before the part not yet done. */
    HeapVma pprev;

    HeapMm(HeapMmSystem sys, HeapMmStruct mm) {
        super(sys.bkl);
        this.sys = sys;
        this.mm = mm;
    }

    // =========================================================================================
    // The VMA rb-tree with rb_subtree_gap (mm/mmap.c)
    // =========================================================================================

    /** vma_compute_gap: the free space below this VMA, guard gaps excluded. */
    static long computeGap(HeapVma vma) {
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
            return computeGap(node);
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
    static void gapUpdate(HeapVma vma) {
        GAP.propagate(vma, null);
    }

    /** __vma_link_rb: link under {@code parent} (null: root), update the gaps, rebalance. */
    public static void vmaLinkRb(HeapMmStruct mm, HeapVma vma, HeapRbNode parent, boolean asLeft) {
        if (vma.vmNext != null) {
            gapUpdate(vma.vmNext);
        } else {
            mm.highestVmEnd = VmRules.vmEndGap(vma.vmEnd, vma.vmFlags);
        }
        HeapRbTree.linkNode(vma, parent, asLeft, mm.mmRb);
        vma.rbSubtreeGap = 0;
        gapUpdate(vma);
        HeapRbAugmented.insert(vma, mm.mmRb, GAP);
    }

    /** __vma_link_list. */
    void vmaLinkList(HeapVma vma, HeapVma prev) {
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

    // find_vma_links' results
    private HeapVma linkPrev;
    private HeapRbNode linkParent;
    private boolean linkLeft;

    /** find_vma_links: where [addr, end) goes; -ENOMEM if it overlaps a VMA. */
    int findVmaLinks(long addr, long end) {
        HeapRbNode cur = mm.mmRb.node();
        HeapRbNode parent = null;
        HeapVma prev = null;
        boolean left = false;
        while (cur != null) {
            parent = cur;
            HeapVma v = (HeapVma) cur;
            if (v.vmEnd > addr) {
                if (v.vmStart < end) {
                    return -Errno.ENOMEM;
                }
                cur = cur.left();
                left = true;
            } else {
                prev = v;
                cur = cur.right();
                left = false;
            }
        }
        linkPrev = prev;
        linkParent = parent;
        linkLeft = left;
        return 0;
    }

    /** __vma_link_file: the VMA joins its file's i_mmap and takes its deny-write / writable counts. */
    static void vmaLinkFile(HeapVma vma) {
        HeapFile file = vma.vmFile;
        if (file != null) {
            if ((vma.vmFlags & VM_DENYWRITE) != 0) {
                file.iWritecount--; // put_write_access
            }
            if ((vma.vmFlags & VM_SHARED) != 0) {
                file.iMmapWritable++; // mapping_allow_writable
            }
            if (vma.shared == null) {
                vma.shared = new HeapVma.Shared(vma);
            }
            HeapIntervalTree.insert(vma.shared, file.iMmap);
        }
    }

    /** __remove_shared_vm_struct / unlink_file_vma. */
    static void unlinkFileVma(HeapVma vma) {
        HeapFile file = vma.vmFile;
        if (file != null) {
            if ((vma.vmFlags & VM_DENYWRITE) != 0) {
                file.iWritecount++; // allow_write_access
            }
            if ((vma.vmFlags & VM_SHARED) != 0) {
                file.iMmapWritable--; // mapping_unmap_writable
            }
            HeapIntervalTree.remove(vma.shared, file.iMmap);
        }
    }

    /** vma_link after find_vma_links: list, tree, file, map_count. */
    void vmaLink(HeapVma vma) {
        vmaLinkList(vma, linkPrev);
        vmaLinkRb(mm, vma, linkParent, linkLeft);
        vmaLinkFile(vma);
        mm.mapCount++;
    }

    /** __vma_unlink_common + the next VMA's gap: out of the tree and the list; caches invalidated. */
    void vmaUnlink(HeapVma vma) {
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
            gapUpdate(next);
        } else {
            mm.highestVmEnd = prev != null ? VmRules.vmEndGap(prev.vmEnd, prev.vmFlags) : 0;
        }
        vmacacheInvalidate();
    }

    /** vmacache_invalidate: bump the seqnum so every cached VMA pointer is stale. */
    void vmacacheInvalidate() {
        mm.vmacacheSeqnum++;
    }

    // =========================================================================================
    // find_vma with the vmacache (mm/vmacache.c)
    // =========================================================================================

    /** find_vma: the first VMA with vm_end &gt; addr, or null. */
    HeapVma findVmaRaw(long addr) {
        // vmacache_find: a stale cache (seqnum moved) is flushed first
        if (vmacacheTaskSeqnum != mm.vmacacheSeqnum) {
            vmacacheTaskSeqnum = mm.vmacacheSeqnum;
            for (int i = 0; i < Limits.VMACACHE_SIZE; i++) {
                vmacache[i] = null;
            }
        } else {
            int idx = (int) (addr >>> PAGE_SHIFT) & (Limits.VMACACHE_SIZE - 1);
            for (int i = 0; i < Limits.VMACACHE_SIZE; i++) {
                HeapVma v = vmacache[idx];
                if (v != null && v.vmStart <= addr && v.vmEnd > addr) {
                    return v;
                }
                idx = (idx + 1) & (Limits.VMACACHE_SIZE - 1);
            }
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
        if (vma != null) {
            vmacache[(int) (addr >>> PAGE_SHIFT) & (Limits.VMACACHE_SIZE - 1)] = vma; // vmacache_update
        }
        return vma;
    }

    /** anon_vma_compatible (for find_mergeable_anon_vma): access flags may differ. */
    static boolean anonVmaCompatible(HeapVma a, HeapVma b) {
        return a.vmEnd == b.vmStart && a.vmFile == b.vmFile
            && ((a.vmFlags ^ b.vmFlags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) == 0
            && b.vmPgoff == a.vmPgoff + ((b.vmStart - a.vmStart) >>> PAGE_SHIFT);
    }

    static HeapAnonVma reusableAnonVma(HeapVma old, HeapVma a, HeapVma b) {
        if (anonVmaCompatible(a, b)) {
            HeapAnonVma av = old.anonVma;
            if (av != null && HeapRmap.chainSingular(old)) {
                return av;
            }
        }
        return null;
    }

    /** find_mergeable_anon_vma: the anon_vma of a neighbour (the next, then the previous) this VMA could share, or null. */
    static HeapAnonVma findMergeableAnonVma(HeapVma vma) {
        HeapAnonVma a = null;
        if (vma.vmNext != null) {
            a = reusableAnonVma(vma.vmNext, vma, vma.vmNext);
        }
        if (a == null && vma.vmPrev != null) {
            a = reusableAnonVma(vma.vmPrev, vma.vmPrev, vma);
        }
        return a;
    }

    /** Remove and re-insert a VMA's avcs and i_mmap node around a change of its range or pgoff. */
    void preUpdateVma(HeapVma vma) {
        for (HeapAnonVmaChain avc = vma.chainFirst; avc != null; avc = avc.sameNext) {
            HeapIntervalTree.remove(avc, avc.anonVma.rbRoot);
        }
        if (vma.vmFile != null) {
            HeapIntervalTree.remove(vma.shared, vma.vmFile.iMmap);
        }
    }

    void postUpdateVma(HeapVma vma) {
        for (HeapAnonVmaChain avc = vma.chainFirst; avc != null; avc = avc.sameNext) {
            HeapIntervalTree.insert(avc, avc.anonVma.rbRoot);
        }
        if (vma.vmFile != null) {
            HeapIntervalTree.insert(vma.shared, vma.vmFile.iMmap);
        }
    }

    // =========================================================================================
    // vma_merge, __vma_adjust, split (mm/mmap.c)
    // =========================================================================================

    /** is_mergeable_anon_vma. */
    static boolean isMergeableAnonVma(HeapAnonVma a1, HeapAnonVma a2, HeapVma vma) {
        if ((a1 == null || a2 == null) && (vma == null || HeapRmap.chainSingular(vma))) {
            return true;
        }
        return a1 == a2;
    }

    /** is_mergeable_vma: same flags and file, and no vm_ops->close. */
    static boolean isMergeableVma(HeapVma vma, HeapFile file, long vmFlags) {
        if (!VmRules.flagsMergeable(vma.vmFlags, vmFlags)) {
            return false;
        }
        if (vma.vmFile != file) {
            return false;
        }
        return vma.vmOps == null || !vma.vmOps.hasOpen;
    }

    static boolean canMergeBefore(HeapVma vma, long vmFlags, HeapAnonVma av, HeapFile file, long pgoff) {
        return isMergeableVma(vma, file, vmFlags) && isMergeableAnonVma(av, vma.anonVma, vma) && vma.vmPgoff == pgoff;
    }

    static boolean canMergeAfter(HeapVma vma, long vmFlags, HeapAnonVma av, HeapFile file, long pgoff) {
        return isMergeableVma(vma, file, vmFlags) && isMergeableAnonVma(av, vma.anonVma, vma)
            && vma.vmPgoff + vma.pages() == pgoff;
    }

    /** Set a VMA's range and pgoff, keeping i_mmap, the avc trees and the gaps right. */
    void adjustRange(HeapVma vma, long start, long end, long pgoff) {
        preUpdateVma(vma);
        vma.vmStart = start;
        vma.vmEnd = end;
        vma.vmPgoff = pgoff;
        postUpdateVma(vma);
        gapUpdate(vma);
        if (vma.vmNext != null) {
            gapUpdate(vma.vmNext);
        } else {
            mm.highestVmEnd = VmRules.vmEndGap(vma.vmEnd, vma.vmFlags);
        }
    }

    /** The removal half of __vma_adjust: {@code gone} is absorbed by a neighbour and freed. */
    void removeAbsorbed(HeapVma gone) {
        vmaUnlink(gone);
        unlinkFileVma(gone);
        if (gone.anonVma != null || gone.chainFirst != null) {
            HeapRmap.unlinkAnonVmas(sys, gone); // anon_vma_merge
        }
        mm.mapCount--;
        if (gone.vmFile != null) {
            gone.vmFile.fputLocked();
        }
        HeapForkMm.vmAreaFree(sys, gone);
    }

    /** The anon_vma import of __vma_adjust: importer takes exporter's anon_vma if it has none. */
    int importAnonVma(HeapVma importer, HeapVma exporter) {
        if (exporter != null && exporter.anonVma != null && importer.anonVma == null) {
            importer.anonVma = exporter.anonVma;
            int err = HeapRmap.anonVmaClone(sys, importer, exporter);
            if (err != 0) {
                return err;
            }
        }
        return 0;
    }

    /**
     * vma_merge (cases 1-8 of mm/mmap.c): merge [addr, end) with flags {@code vmFlags} into prev
     * and/or next when flags, file, anon_vma and pgoff agree. Returns the VMA now covering the range,
     * or null (no merge).
     */
    HeapVma vmaMerge(HeapVma prev, long addr, long end, long vmFlags, HeapAnonVma av, HeapFile file, long pgoff) {
        long pglen = (end - addr) >>> PAGE_SHIFT;
        if ((vmFlags & VM_SPECIAL) != 0) {
            return null;
        }
        HeapVma next = prev != null ? prev.vmNext : mm.mmap;
        HeapVma area = next;
        if (area != null && area.vmEnd == end) {
            next = next.vmNext; // cases 6, 7, 8
        }
        if (prev != null && prev.vmEnd == addr && canMergeAfter(prev, vmFlags, av, file, pgoff)) {
            HeapVma covered = area != null && area.vmStart == addr && area.vmEnd <= end ? area : null;
            HeapVma shrunk = area != null && area.vmStart == addr && area.vmEnd > end ? area : null;
            if (next != null && end == next.vmStart && canMergeBefore(next, vmFlags, av, file, pgoff + pglen)
                && isMergeableAnonVma(prev.anonVma, next.anonVma, null)) {
                // cases 1, 6: prev absorbs the range and next
                if (importAnonVma(prev, covered != null && covered.anonVma != null ? covered : next) != 0) {
                    return null;
                }
                long newEnd = next.vmEnd;
                if (covered != null) {
                    removeAbsorbed(covered);
                }
                removeAbsorbed(next);
                adjustRange(prev, prev.vmStart, newEnd, prev.vmPgoff);
            } else {
                // cases 2, 5, 7: prev grows to end; area shrinks (5) or goes (7)
                if (importAnonVma(prev, covered != null ? covered : shrunk) != 0) {
                    return null;
                }
                if (covered != null) {
                    removeAbsorbed(covered);
                } else if (shrunk != null) {
                    adjustRange(shrunk, end, shrunk.vmEnd, shrunk.vmPgoff + pglen);
                }
                adjustRange(prev, prev.vmStart, end, prev.vmPgoff);
            }
            return prev;
        }
        if (next != null && end == next.vmStart && canMergeBefore(next, vmFlags, av, file, pgoff + pglen)) {
            if (prev != null && addr < prev.vmEnd) {
                // case 4: prev shrinks to addr, next grows down to addr
                if (importAnonVma(next, prev) != 0) {
                    return null;
                }
                long delta = (prev.vmEnd - addr) >>> PAGE_SHIFT;
                adjustRange(prev, prev.vmStart, addr, prev.vmPgoff);
                adjustRange(next, addr, next.vmEnd, next.vmPgoff - delta);
            } else {
                // cases 3, 8: next grows down to addr, over area in case 8
                HeapVma covered = area != next && area != null && area.vmStart == addr ? area : null;
                if (importAnonVma(next, covered) != 0) {
                    return null;
                }
                if (covered != null) {
                    removeAbsorbed(covered);
                }
                adjustRange(next, addr, next.vmEnd, next.vmPgoff - pglen);
            }
            return next;
        }
        return null;
    }

    /** __split_vma: cut vma at addr; the new VMA takes the lower part if newBelow. */
    int splitVma(HeapVma vma, long addr, boolean newBelow) {
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
            n.vmFile.getLocked();
        }
        if (n.vmOps != null && n.vmOps.hasOpen) {
            n.vmFile.vmOpens++;
        }
        n.shared = null;
        if (newBelow) {
            adjustRange(vma, addr, vma.vmEnd, vma.vmPgoff + ((addr - n.vmStart) >>> PAGE_SHIFT));
        } else {
            adjustRange(vma, vma.vmStart, addr, vma.vmPgoff);
        }
        // __insert_vm_struct
        if (findVmaLinks(n.vmStart, n.vmEnd) != 0) {
            throw new IllegalStateException("split_vma: new area overlaps");
        }
        vmaLinkList(n, linkPrev);
        vmaLinkRb(mm, n, linkParent, linkLeft);
        vmaLinkFile(n);
        mm.mapCount++;
        return 0;
    }

    /** split_vma: __split_vma after the max_map_count check. */
    int splitVmaChecked(HeapVma vma, long addr, boolean newBelow) {
        if (mm.mapCount >= sys.maxMapCount) {
            return -Errno.ENOMEM;
        }
        return splitVma(vma, addr, newBelow);
    }

    // =========================================================================================
    // Accounting (mm/mmap.c vm_stat_account)
    // =========================================================================================

    /** vm_stat_account. */
    public static void vmStatAccount(HeapMmStruct mm, long vmFlags, long npages) {
        mm.totalVm += npages;
        if (VmRules.isExecMapping(vmFlags)) {
            mm.execVm += npages;
        } else if (VmRules.isStackMapping(vmFlags)) {
            mm.stackVm += npages;
        } else if (VmRules.isDataMapping(vmFlags)) {
            mm.dataVm += npages;
        }
    }

    // =========================================================================================
    // get_unmapped_area (mm/mmap.c, arch/x86/kernel/sys_x86_64.c)
    // =========================================================================================

    /** unmapped_area_topdown: the highest gap of {@code length} below highLimit, or -ENOMEM. */
    long unmappedAreaTopdown(long len, long lowLimitIn, long highLimitIn, long alignMask, long alignOffset) {
        if (MmArgs.noRoom(len, lowLimitIn, highLimitIn, alignMask)) {
            return -Errno.ENOMEM;
        }
        long length = len + alignMask;
        long highLimit = highLimitIn - length;
        long lowLimit = lowLimitIn + length;
        long gapStart = mm.highestVmEnd;
        long gapEnd;
        if (gapStart <= highLimit) {
            return MmArgs.topdownPlace(highLimitIn, len, alignMask, alignOffset);
        }
        HeapVma vma = (HeapVma) mm.mmRb.node();
        if (vma == null || vma.rbSubtreeGap < length) {
            return -Errno.ENOMEM;
        }
        boolean descend = true;
        while (true) {
            if (descend) {
                gapStart = vma.vmPrev != null ? VmRules.vmEndGap(vma.vmPrev.vmEnd, vma.vmPrev.vmFlags) : 0;
                HeapVma right = (HeapVma) vma.right();
                if (gapStart <= highLimit && right != null && right.rbSubtreeGap >= length) {
                    vma = right;
                    continue;
                }
            }
            descend = true;
            // check_current
            gapEnd = VmRules.vmStartGap(vma.vmStart, vma.vmFlags);
            if (gapEnd < lowLimit) {
                return -Errno.ENOMEM;
            }
            if (gapStart <= highLimit && gapEnd > gapStart && gapEnd - gapStart >= length) {
                if (gapEnd > highLimitIn) {
                    gapEnd = highLimitIn;
                }
                return MmArgs.topdownPlace(gapEnd, len, alignMask, alignOffset);
            }
            HeapVma left = (HeapVma) vma.left();
            if (left != null && left.rbSubtreeGap >= length) {
                vma = left;
                continue;
            }
            while (true) {
                HeapRbNode prev = vma;
                HeapRbNode parent = prev.parent();
                if (parent == null) {
                    return -Errno.ENOMEM;
                }
                vma = (HeapVma) parent;
                if (prev == vma.right()) {
                    gapStart = vma.vmPrev != null ? VmRules.vmEndGap(vma.vmPrev.vmEnd, vma.vmPrev.vmFlags) : 0;
                    descend = false;
                    break;
                }
            }
        }
    }

    /** unmapped_area: the lowest gap of {@code length} above lowLimit, or -ENOMEM. */
    long unmappedArea(long len, long lowLimitIn, long highLimitIn, long alignMask, long alignOffset) {
        if (MmArgs.noRoom(len, lowLimitIn, highLimitIn, alignMask)) {
            return -Errno.ENOMEM;
        }
        long length = len + alignMask;
        long highLimit = highLimitIn - length;
        long lowLimit = lowLimitIn + length;
        long gapStart;
        long gapEnd;
        HeapVma vma = (HeapVma) mm.mmRb.node();
        if (vma != null && vma.rbSubtreeGap >= length) {
            boolean descend = true;
            search:
            while (true) {
                if (descend) {
                    gapEnd = VmRules.vmStartGap(vma.vmStart, vma.vmFlags);
                    HeapVma left = (HeapVma) vma.left();
                    if (gapEnd >= lowLimit && left != null && left.rbSubtreeGap >= length) {
                        vma = left;
                        continue;
                    }
                    gapStart = vma.vmPrev != null ? VmRules.vmEndGap(vma.vmPrev.vmEnd, vma.vmPrev.vmFlags) : 0;
                } else {
                    gapStart = VmRules.vmEndGap(vma.vmPrev.vmEnd, vma.vmPrev.vmFlags);
                    gapEnd = VmRules.vmStartGap(vma.vmStart, vma.vmFlags);
                }
                descend = true;
                // check_current
                if (gapStart > highLimit) {
                    return -Errno.ENOMEM;
                }
                if (gapEnd >= lowLimit && gapEnd > gapStart && gapEnd - gapStart >= length) {
                    return MmArgs.bottomUpPlace(gapStart, lowLimitIn, alignMask, alignOffset);
                }
                HeapVma right = (HeapVma) vma.right();
                if (right != null && right.rbSubtreeGap >= length) {
                    vma = right;
                    continue;
                }
                while (true) {
                    HeapRbNode prev = vma;
                    HeapRbNode parent = prev.parent();
                    if (parent == null) {
                        break search;
                    }
                    vma = (HeapVma) parent;
                    if (prev == vma.left()) {
                        descend = false;
                        break;
                    }
                }
            }
        }
        // check_highest
        gapStart = mm.highestVmEnd;
        if (gapStart > highLimit) {
            return -Errno.ENOMEM;
        }
        return MmArgs.bottomUpPlace(gapStart, lowLimitIn, alignMask, alignOffset);
    }

    @Override
    protected long getUnmappedAreaLocked(long addr, long len, long pgoff, int flags) {
        if (MmArgs.tooLong(len)) {
            return -Errno.ENOMEM;
        }
        long alignMask = MmArgs.alignMask(flags);
        long result;
        if ((flags & MAP_FIXED) != 0) {
            result = addr;
        } else {
            result = -Errno.ENOMEM;
            if (addr != 0) {
                addr &= PAGE_MASK;
                if (MmArgs.hintFits(addr, len)) {
                    HeapVma vma = findVmaRaw(addr);
                    if (vma == null || addr + len <= VmRules.vmStartGap(vma.vmStart, vma.vmFlags)) {
                        result = addr;
                    }
                }
            }
            if (result < 0) {
                long alignOffset = MmArgs.alignOffset(pgoff, alignMask);
                result = unmappedAreaTopdown(len, PAGE_SIZE, mm.mmapBase, alignMask, alignOffset);
                if (result < 0) {
                    result = unmappedArea(len, mm.mmapLegacyBase, TASK_SIZE, alignMask, alignOffset);
                }
            }
        }
        return MmArgs.checkUnmappedArea(result, len);
    }

    // =========================================================================================
    // mmap, munmap (mm/mmap.c)
    // =========================================================================================

    @Override
    protected long mmapLocked(long addr, long len, int prot, int flags, MappedFile mf, long pgoff) {
        HeapFile file = (HeapFile) mf;
        len = MmArgs.mmapLen(len, flags, file != null);
        if (len < 0) {
            return len;
        }
        flags = MmArgs.mmapFlags(flags);
        addr = MmArgs.mmapHint(addr, flags);
        if (MmArgs.pgoffOverflows(pgoff, len)) {
            return -EOVERFLOW;
        }
        if (mm.mapCount > sys.maxMapCount) {
            return -Errno.ENOMEM;
        }
        addr = getUnmappedAreaLocked(addr, len, pgoff, flags);
        if (addr < 0) {
            return addr;
        }
        if ((flags & MAP_FIXED_NOREPLACE) != 0) {
            HeapVma vma = findVmaRaw(addr);
            if (vma != null && vma.vmStart < addr + len) {
                return -Errno.EEXIST;
            }
        }
        long vmFlags = MmArgs.mmapVmFlags(prot, flags, mm.defFlags, file != null, file != null && file.fmodeWrite,
            sys.overcommitMode());
        if (vmFlags < 0) {
            return vmFlags;
        }
        if (file == null) {
            pgoff = MmArgs.anonPgoff(flags, addr);
        }
        return mmapRegion(file, addr, len, vmFlags, pgoff);
    }

    /** mmap_region. */
    long mmapRegion(HeapFile file, long addr, long len, long vmFlags, long pgoff) {
        // munmap_vma_range: clear any old mapping in the way
        if (findVmaLinks(addr, addr + len) != 0) {
            if (doMunmap(addr, len) != 0) {
                return -Errno.ENOMEM;
            }
            findVmaLinks(addr, addr + len);
        }
        long charged = 0;
        if (VmRules.accountableMapping(vmFlags)) {
            charged = len >>> PAGE_SHIFT;
            if (sys.overcommit().vmEnoughMemory(charged, mm.totalVm) != 0) {
                return -Errno.ENOMEM;
            }
            vmFlags |= VM_ACCOUNT;
        }
        HeapVma prev = linkPrev;
        HeapVma vma = vmaMerge(prev, addr, addr + len, vmFlags, null, file, pgoff);
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
                if ((vmFlags & VM_DENYWRITE) != 0 && file.iWritecount > 0) {
                    HeapForkMm.vmAreaFree(sys, vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.ETXTBSY; // deny_write_access
                }
                if ((vmFlags & VM_SHARED) != 0 && file.iMmapWritable < 0) {
                    HeapForkMm.vmAreaFree(sys, vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.EPERM; // mapping_map_writable
                }
                file.getLocked();
                vma.vmFile = file;
                vma.vmOps = file.vmOps; // call_mmap
                if (file.vmOps.hasOpen) {
                    file.vmOpens++;
                }
            } else if ((vmFlags & VM_SHARED) != 0) {
                // shmem_zero_setup: shared anonymous memory is a deleted /dev/zero shmem file
                HeapFile shm = sys.shmemFile();
                if (shm == null) {
                    HeapForkMm.vmAreaFree(sys, vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.ENOMEM;
                }
                vma.vmFile = shm;
                vma.vmOps = shm.vmOps;
            }
            findVmaLinks(addr, addr + len);
            vmaLink(vma);
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

    @Override
    protected int munmapLocked(long start, long len) {
        return doMunmap(start, len);
    }

    /** __do_munmap. */
    int doMunmap(long start, long len) {
        long end = MmArgs.munmapEnd(start, len);
        if (Errno.isError(end)) {
            return (int) end;
        }
        HeapVma vma = findVmaRaw(start);
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
            int err = splitVma(vma, start, false);
            if (err != 0) {
                return err;
            }
            prev = vma;
        }
        HeapVma last = findVmaRaw(end);
        if (last != null && end > last.vmStart) {
            int err = splitVma(last, end, true);
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
        // detach_vmas_to_be_unmapped, unmap_region, remove_vma_list
        long nrAccounted = 0;
        while (vma != null && vma.vmStart < end) {
            HeapVma next = vma.vmNext;
            vmaUnlink(vma);
            mm.mapCount--;
            if ((vma.vmFlags & VM_ACCOUNT) != 0) {
                nrAccounted += vma.pages();
            }
            vmStatAccount(mm, vma.vmFlags, -vma.pages());
            freePgtablesHook(sys, vma);
            removeVma(sys, vma);
            vma = next;
        }
        sys.overcommit().vmUnacctMemory(nrAccounted);
        return 0;
    }

    /** free_pgtables' part that the model keeps: unlink_anon_vmas and unlink_file_vma. */
    static void freePgtablesHook(HeapMmSystem sys, HeapVma vma) {
        HeapRmap.unlinkAnonVmas(sys, vma);
        unlinkFileVma(vma);
    }

    /** remove_vma: vm_ops->close, fput, mpol_put, vm_area_free. */
    static HeapVma removeVma(HeapMmSystem sys, HeapVma vma) {
        HeapVma next = vma.vmNext;
        if (vma.vmOps != null && vma.vmOps.hasOpen) {
            vma.vmFile.vmOpens--;
        }
        if (vma.vmFile != null) {
            vma.vmFile.fputLocked();
        }
        HeapForkMm.vmAreaFree(sys, vma);
        return next;
    }

    /**
     * What mprotect_fixup, madvise_behavior and mlock_fixup share: [start, end) of {@code vma}
     * takes {@code newFlags} by merging with a neighbour (vma_merge) or by splitting {@code vma} at
     * the range's ends (split_vma when {@code checked}, else __split_vma). Then {@link #pprev} is
     * the VMA covering exactly the range; on failure it is {@code vma}. Returns 0 or the split's errno.
     */
    int vmaMergeOrSplit(HeapVma vma, long start, long end, long newFlags, boolean checked) {
        long pgoff = vma.vmPgoff + ((start - vma.vmStart) >>> PAGE_SHIFT);
        HeapVma merged = vmaMerge(pprev, start, end, newFlags, vma.anonVma, vma.vmFile, pgoff);
        if (merged != null) {
            pprev = merged;
            return 0;
        }
        pprev = vma;
        int err = 0;
        if (start != vma.vmStart) {
            err = checked ? splitVmaChecked(vma, start, true) : splitVma(vma, start, true);
        }
        if (err == 0 && end != vma.vmEnd) {
            err = checked ? splitVmaChecked(vma, end, false) : splitVma(vma, end, false);
        }
        return err;
    }

    @Override
    protected int mprotectLocked(long start, long len, int prot) {
        return HeapMprotect.doMprotect(this, start, len, prot);
    }

    @Override
    protected int madviseLocked(long start, long len, int behavior) {
        return HeapMadvise.doMadvise(this, start, len, behavior);
    }

    @Override
    protected int mlockLocked(long start, long len) {
        return HeapMlock.doMlock(this, start, len, VM_LOCKED);
    }

    @Override
    protected int munlockLocked(long start, long len) {
        return HeapMlock.doMlock(this, start, len, 0);
    }

    @Override
    protected int touchLocked(long addr) {
        HeapVma vma = findVmaRaw(addr);
        if (vma == null || vma.vmStart > addr) {
            return -Errno.EFAULT;
        }
        if (vma.anonVma != null || (vma.vmFlags & VM_SHARED) != 0) {
            return 0;
        }
        return HeapRmap.anonVmaPrepare(sys, vma);
    }

    // =========================================================================================
    // Lifetime (kernel/fork.c, mm/mmap.c exit_mmap)
    // =========================================================================================

    /** exit_mmap: tear down every VMA, its anon_vma chains and file references. */
    public static void exitMmap(HeapMmSystem sys, HeapMmStruct mm) {
        HeapVma vma = mm.mmap;
        if (vma == null) {
            return;
        }
        long nrAccounted = 0;
        for (HeapVma v = vma; v != null; v = v.vmNext) {
            freePgtablesHook(sys, v);
        }
        while (vma != null) {
            if ((vma.vmFlags & VM_ACCOUNT) != 0) {
                nrAccounted += vma.pages();
            }
            vma = removeVma(sys, vma);
        }
        sys.overcommit().vmUnacctMemory(nrAccounted);
    }

    @Override
    public void mmget() {
        sys.bkl.lock();
        try {
            HeapForkMm.mmget(mm);
        } finally {
            sys.bkl.unlock();
        }
    }

    /** mmput: HeapForkMm.mmput takes the system lock itself. */
    @Override
    public void mmput() {
        HeapForkMm.mmput(sys, mm);
    }

    @Override
    protected void mmputAsyncLocked() {
        HeapForkMm.mmputAsync(sys, mm);
    }

    @Override
    public void mmgrab() {
        sys.bkl.lock();
        try {
            HeapForkMm.mmgrab(mm);
        } finally {
            sys.bkl.unlock();
        }
    }

    @Override
    protected void mmdropLocked() {
        HeapForkMm.mmdrop(sys, mm);
    }

    @Override
    protected void mmdropAsyncLocked() {
        HeapForkMm.mmdropAsync(sys, mm);
    }

    /** Test hook: set an rss counter (MM_FILEPAGES=0 ...), as a page-table bug would leave it. */
    public void setRssCounter(int type, long value) {
        mm.rssStat[type] = value;
    }

    /** Test hook: set pgtables_bytes. */
    public void setPgtablesBytes(long value) {
        mm.pgtablesBytes = value;
    }

    @Override
    protected void setExeFileLocked(MappedFile newExe) {
        HeapForkMm.setMmExeFile(sys, mm, (HeapFile) newExe);
    }

    @Override
    protected MappedFile getExeFileLocked() {
        return HeapForkMm.getMmExeFile(sys, mm);
    }

    @Override
    protected AddressSpace dupLocked(DupMode mode) {
        HeapMmStruct child = HeapForkMm.dupMm(sys, mm, null, mode);
        if (ErrPtr.isErr(child)) {
            throw new KernelException("dup_mm", -ErrPtr.ptrErr(child));
        }
        return new HeapMm(sys, child);
    }

    // =========================================================================================
    // Views and validation
    // =========================================================================================

    @Override
    protected VmaInfo findVmaLocked(long addr) {
        HeapVma v = findVmaRaw(addr);
        return v == null ? null : info(v);
    }

    static VmaInfo info(HeapVma v) {
        return new VmaInfo(v.vmStart, v.vmEnd, v.vmFlags, v.vmPgoff, v.vmFile == null ? null : v.vmFile.path,
            v.anonVma != null);
    }

    @Override
    protected List<VmaInfo> vmasLocked() {
        List<VmaInfo> l = new ArrayList<>();
        for (HeapVma v = mm.mmap; v != null; v = v.vmNext) {
            l.add(info(v));
        }
        return l;
    }

    @Override
    protected String mapsLocked() {
        StringBuilder sb = new StringBuilder();
        for (HeapVma v = mm.mmap; v != null; v = v.vmNext) {
            sb.append(VmRules.mapsLine(v.vmStart, v.vmEnd, v.vmFlags, v.vmPgoff, v.vmFile == null ? 0 : v.vmFile.ino,
                v.vmFile == null ? VmRules.anonName(v.vmFlags) : v.vmFile.path));
        }
        return sb.toString();
    }

    @Override
    protected void validateLocked() {
        int n = HeapRbTree.validate(mm.mmRb);
        GAP.validate(mm.mmRb);
        HeapVma prev = null;
        MmDebug.VmCounts counts = new MmDebug.VmCounts();
        int count = 0;
        for (HeapRbNode rb = HeapRbTree.first(mm.mmRb); rb != null; rb = HeapRbTree.next(rb)) {
            HeapVma v = (HeapVma) rb;
            MmDebug.check(v.vmPrev == prev, "vm_prev of " + v + " is not " + prev);
            MmDebug.check(prev == null ? mm.mmap == v : prev.vmNext == v, "list and tree disagree at " + v);
            MmDebug.check(v.vmStart < v.vmEnd && offsetInPage(v.vmStart) == 0 && offsetInPage(v.vmEnd) == 0, "bad range " + v);
            MmDebug.check(prev == null || prev.vmEnd <= v.vmStart, "overlap at " + v);
            counts.add(v.vmFlags, v.pages());
            HeapRmap.validateChain(v, v.toString());
            if (v.vmFile != null) {
                MmDebug.check(v.vmFile.fCount > 0, "file of " + v + " is freed");
                MmDebug.check(v.shared != null, "file VMA " + v + " not in i_mmap");
            }
            prev = v;
            count++;
        }
        MmDebug.check(n == count && count == mm.mapCount, "map_count " + mm.mapCount + " but " + count + " VMAs");
        MmDebug.check(mm.highestVmEnd == (prev == null ? mm.highestVmEnd : VmRules.vmEndGap(prev.vmEnd, prev.vmFlags)),
            "highest_vm_end " + Long.toHexString(mm.highestVmEnd));
        counts.check(mm.totalVm, mm.dataVm, mm.execVm, mm.stackVm, mm.lockedVm);
    }

    @Override
    public int mmUsers() {
        return mm.mmUsers;
    }

    @Override
    public int mmCount() {
        return mm.mmCount;
    }

    @Override
    public int mapCount() {
        return mm.mapCount;
    }

    @Override
    public long totalVm() {
        return mm.totalVm;
    }

    @Override
    public long dataVm() {
        return mm.dataVm;
    }

    @Override
    public long execVm() {
        return mm.execVm;
    }

    @Override
    public long stackVm() {
        return mm.stackVm;
    }

    @Override
    public long lockedVm() {
        return mm.lockedVm;
    }

    @Override
    public long hiwaterVm() {
        return mm.hiwaterVm;
    }

    @Override
    public long highestVmEnd() {
        return mm.highestVmEnd;
    }

    @Override
    public long vmacacheSeqnum() {
        return mm.vmacacheSeqnum;
    }

    @Override
    public long flags() {
        return mm.flags;
    }

    @Override
    public void setFlags(long f) {
        mm.flags = f;
    }
}
