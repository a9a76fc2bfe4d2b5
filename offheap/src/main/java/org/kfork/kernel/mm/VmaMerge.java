package org.kfork.kernel.mm;

import static org.kfork.kernel.fs.FileTable.fileMapping;
import static org.kfork.kernel.mm.MmTypes.*;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.VmFlags.*;

import org.kfork.ds.VmaIntervalTree;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.kernel.struct.AddressSpace;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.mm.VmRules;

/**
 * 5.12 mm/mmap.c, the merging half: vma_merge (its cases 1-8) with the parts of __vma_adjust it
 * needs (the anon_vma import, the range change under the interval trees, the removal of an
 * absorbed VMA), the can_vma_merge_before/after tests, and find_mergeable_anon_vma for
 * {@link Rmap}'s __anon_vma_prepare. Static over modeled addresses; the list and tree it changes
 * are {@link Mmap}'s. The heap twin is {@link org.kfork.heap.mm.HeapVmaMerge}.
 *
 * <p>Invariants kept:
 * <ul>
 *   <li>Areas merge only when what they map agrees: vm_flags equal but for VM_SOFTDIRTY, the same
 *       file, pgoff contiguous with the address, anon_vmas equal or one absent (with a singular
 *       chain), and no vm_ops->close. A VM_SPECIAL area never merges.</li>
 *   <li>The anon_vma import comes before any change: if it fails, nothing has moved and
 *       vma_merge returns 0, so the caller makes an area of its own.</li>
 *   <li>While an area's range or pgoff changes it is out of its file's i_mmap tree and of the
 *       interval tree of every anon_vma it chains to, and goes back in after; then rb_subtree_gap
 *       is recomputed for it and its successor, or highest_vm_end if it is the last area.</li>
 *   <li>An area absorbed by a neighbour leaves the list and tree (vmacache_seqnum moves), i_mmap
 *       and its anon_vma chains; map_count drops by one and its file reference goes with it.</li>
 * </ul>
 */
public final class VmaMerge {
    private VmaMerge() {
    }

    /** anon_vma_interval_tree_pre_update_vma and the i_mmap removal before a VMA's range changes. */
    static void preUpdateVma(long vma) {
        long head = vma + VmAreaStruct.ANON_VMA_CHAIN;
        for (long e = getLong(head); e != head; e = getLong(e)) {
            long avc = Rmap.avcOfEntry(e);
            AnonVmaIntervalTree.remove(avc, getLong(avc + AnonVmaChainStruct.ANON_VMA) + AnonVmaStruct.RB_ROOT);
        }
        if (vmFile(vma) != 0) {
            VmaIntervalTree.remove(vma, fileMapping(vmFile(vma)) + AddressSpace.I_MMAP);
        }
    }

    /** anon_vma_interval_tree_post_update_vma and the i_mmap insertion after it. */
    static void postUpdateVma(long vma) {
        long head = vma + VmAreaStruct.ANON_VMA_CHAIN;
        for (long e = getLong(head); e != head; e = getLong(e)) {
            long avc = Rmap.avcOfEntry(e);
            AnonVmaIntervalTree.insert(avc, getLong(avc + AnonVmaChainStruct.ANON_VMA) + AnonVmaStruct.RB_ROOT);
        }
        if (vmFile(vma) != 0) {
            VmaIntervalTree.insert(vma, fileMapping(vmFile(vma)) + AddressSpace.I_MMAP);
        }
    }

    /** Set a VMA's range and pgoff, keeping i_mmap, the avc trees, the gaps and highest_vm_end right. */
    static void adjustRange(long mm, long vma, long start, long end, long pgoff) {
        preUpdateVma(vma);
        putLong(vma + VmAreaStruct.VM_START, start);
        putLong(vma + VmAreaStruct.VM_END, end);
        putLong(vma + VmAreaStruct.VM_PGOFF, pgoff);
        postUpdateVma(vma);
        Mmap.vmaGapUpdate(vma);
        long next = vmNext(vma);
        if (next != 0) {
            Mmap.vmaGapUpdate(next);
        } else {
            putLong(mm + MmStruct.HIGHEST_VM_END, VmRules.vmEndGap(end, vmFlags(vma)));
        }
    }

    /** The removal half of __vma_adjust: {@code gone} is absorbed by a neighbour and freed. */
    static void removeAbsorbed(OffHeapMmSystem sys, long mm, long gone) {
        Mmap.vmaUnlink(mm, gone);
        Mmap.unlinkFileVma(gone);
        long head = gone + VmAreaStruct.ANON_VMA_CHAIN;
        if (anonVma(gone) != 0 || getLong(head) != head) {
            Rmap.unlinkAnonVmas(sys, gone); // anon_vma_merge
        }
        mapCountAdd(mm, -1);
        if (vmFile(gone) != 0) {
            sys.fput(vmFile(gone));
        }
        ForkMm.vmAreaFree(sys, gone);
    }

    /** The anon_vma import of __vma_adjust: importer takes exporter's anon_vma if it has none. */
    static int importAnonVma(OffHeapMmSystem sys, long importer, long exporter) {
        if (exporter != 0 && anonVma(exporter) != 0 && anonVma(importer) == 0) {
            putLong(importer + VmAreaStruct.ANON_VMA, anonVma(exporter));
            return Rmap.anonVmaClone(sys, importer, exporter);
        }
        return 0;
    }

    /** is_mergeable_vma: same flags and file, and no vm_ops->close. */
    static boolean isMergeableVma(OffHeapMmSystem sys, long vma, long file, long flags) {
        if (!VmRules.flagsMergeable(vmFlags(vma), flags)) {
            return false;
        }
        if (vmFile(vma) != file) {
            return false;
        }
        return !sys.vmOpsHasClose(getLong(vma + VmAreaStruct.VM_OPS));
    }

    /** is_mergeable_anon_vma. */
    static boolean isMergeableAnonVma(long a1, long a2, long vma) {
        if ((a1 == 0 || a2 == 0) && (vma == 0 || Rmap.chainSingular(vma))) {
            return true;
        }
        return a1 == a2;
    }

    /** can_vma_merge_before. */
    static boolean canMergeBefore(OffHeapMmSystem sys, long vma, long flags, long av, long file, long pgoff) {
        return isMergeableVma(sys, vma, file, flags) && isMergeableAnonVma(av, anonVma(vma), vma) && vmPgoff(vma) == pgoff;
    }

    /** can_vma_merge_after. */
    static boolean canMergeAfter(OffHeapMmSystem sys, long vma, long flags, long av, long file, long pgoff) {
        return isMergeableVma(sys, vma, file, flags) && isMergeableAnonVma(av, anonVma(vma), vma)
            && vmPgoff(vma) + pages(vma) == pgoff;
    }

    /**
     * vma_merge (cases 1-8 of mm/mmap.c): merge [addr, end) with {@code flags} into prev and/or
     * next when flags, file, anon_vma and pgoff agree. Returns the VMA now covering the range, or 0.
     */
    static long vmaMerge(OffHeapMmSystem sys, long mm, long prev, long addr, long end, long flags, long av, long file,
        long pgoff) {
        long pglen = (end - addr) >>> PAGE_SHIFT;
        if ((flags & VM_SPECIAL) != 0) {
            return 0;
        }
        long next = prev != 0 ? vmNext(prev) : getLong(mm + MmStruct.MMAP);
        long area = next;
        if (area != 0 && vmEnd(area) == end) {
            next = vmNext(next); // cases 6, 7, 8
        }
        if (prev != 0 && vmEnd(prev) == addr && canMergeAfter(sys, prev, flags, av, file, pgoff)) {
            long covered = area != 0 && vmStart(area) == addr && vmEnd(area) <= end ? area : 0;
            long shrunk = area != 0 && vmStart(area) == addr && vmEnd(area) > end ? area : 0;
            if (next != 0 && end == vmStart(next) && canMergeBefore(sys, next, flags, av, file, pgoff + pglen)
                && isMergeableAnonVma(anonVma(prev), anonVma(next), 0)) {
                // cases 1, 6: prev absorbs the range and next
                if (importAnonVma(sys, prev, covered != 0 && anonVma(covered) != 0 ? covered : next) != 0) {
                    return 0;
                }
                long newEnd = vmEnd(next);
                if (covered != 0) {
                    removeAbsorbed(sys, mm, covered);
                }
                removeAbsorbed(sys, mm, next);
                adjustRange(mm, prev, vmStart(prev), newEnd, vmPgoff(prev));
            } else {
                // cases 2, 5, 7: prev grows to end; area shrinks (5) or goes (7)
                if (importAnonVma(sys, prev, covered != 0 ? covered : shrunk) != 0) {
                    return 0;
                }
                if (covered != 0) {
                    removeAbsorbed(sys, mm, covered);
                } else if (shrunk != 0) {
                    adjustRange(mm, shrunk, end, vmEnd(shrunk), vmPgoff(shrunk) + pglen);
                }
                adjustRange(mm, prev, vmStart(prev), end, vmPgoff(prev));
            }
            return prev;
        }
        if (next != 0 && end == vmStart(next) && canMergeBefore(sys, next, flags, av, file, pgoff + pglen)) {
            if (prev != 0 && addr < vmEnd(prev)) {
                // case 4: prev shrinks to addr, next grows down to addr
                if (importAnonVma(sys, next, prev) != 0) {
                    return 0;
                }
                long delta = (vmEnd(prev) - addr) >>> PAGE_SHIFT;
                adjustRange(mm, prev, vmStart(prev), addr, vmPgoff(prev));
                adjustRange(mm, next, addr, vmEnd(next), vmPgoff(next) - delta);
            } else {
                // cases 3, 8: next grows down to addr, over area in case 8
                long covered = area != next && area != 0 && vmStart(area) == addr ? area : 0;
                if (importAnonVma(sys, next, covered) != 0) {
                    return 0;
                }
                if (covered != 0) {
                    removeAbsorbed(sys, mm, covered);
                }
                adjustRange(mm, next, addr, vmEnd(next), vmPgoff(next) - pglen);
            }
            return next;
        }
        return 0;
    }

    /** anon_vma_compatible (for find_mergeable_anon_vma): the access flags may differ. */
    static boolean anonVmaCompatible(long a, long b) {
        return vmEnd(a) == vmStart(b) && vmFile(a) == vmFile(b)
            && ((vmFlags(a) ^ vmFlags(b)) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) == 0
            && vmPgoff(b) == vmPgoff(a) + ((vmStart(b) - vmStart(a)) >>> PAGE_SHIFT);
    }

    /** reusable_anon_vma: old's anon_vma, if a and b could share one and old links to nothing else. */
    static long reusableAnonVma(long old, long a, long b) {
        if (anonVmaCompatible(a, b)) {
            long av = anonVma(old);
            if (av != 0 && Rmap.chainSingular(old)) {
                return av;
            }
        }
        return 0;
    }

    /** find_mergeable_anon_vma: the anon_vma of a neighbour (the next, then the previous) this VMA could share, or 0. */
    static long findMergeableAnonVma(long vma) {
        long a = 0;
        if (vmNext(vma) != 0) {
            a = reusableAnonVma(vmNext(vma), vma, vmNext(vma));
        }
        if (a == 0 && vmPrev(vma) != 0) {
            a = reusableAnonVma(vmPrev(vma), vmPrev(vma), vma);
        }
        return a;
    }
}
