package org.kfork.heap.mm;

import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.VmFlags.*;

import org.kfork.heap.ds.HeapIntervalTree;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fs.HeapFile;
import org.kfork.mm.VmRules;

/**
 * The heap twin of {@code org.kfork.kernel.mm.VmaMerge}: 5.12 mm/mmap.c's vma_merge (cases 1-8)
 * with the parts of __vma_adjust it needs (the anon_vma import, the range change under the
 * interval trees, the removal of an absorbed VMA), the can_vma_merge_before/after tests, and
 * find_mergeable_anon_vma for {@link HeapRmap}'s __anon_vma_prepare, over {@link HeapMmStruct}
 * and {@link HeapVma}, with the same steps in the same order. The list and tree it changes are
 * {@link HeapMmap}'s.
 *
 * <p>Invariants kept:
 * <ul>
 *   <li>Areas merge only when what they map agrees: vm_flags equal but for VM_SOFTDIRTY, the same
 *       file, pgoff contiguous with the address, anon_vmas equal or one absent (with a singular
 *       chain), and no vm_ops->close. A VM_SPECIAL area never merges.</li>
 *   <li>The anon_vma import comes before any change: if it fails, nothing has moved and
 *       vma_merge returns null, so the caller makes an area of its own.</li>
 *   <li>While an area's range or pgoff changes it is out of its file's i_mmap tree and of the
 *       interval tree of every anon_vma it chains to, and goes back in after; then rb_subtree_gap
 *       is recomputed for it and its successor, or highest_vm_end if it is the last area.</li>
 *   <li>An area absorbed by a neighbour leaves the list and tree (vmacache_seqnum moves), i_mmap
 *       and its anon_vma chains; map_count drops by one and its file reference goes with it.</li>
 * </ul>
 */
public final class HeapVmaMerge {
    private HeapVmaMerge() {
    }

    /** anon_vma_interval_tree_pre_update_vma and the i_mmap removal before a VMA's range changes. */
    static void preUpdateVma(HeapVma vma) {
        for (HeapAnonVmaChain avc = vma.chainFirst; avc != null; avc = avc.sameNext) {
            HeapIntervalTree.remove(avc, avc.anonVma.rbRoot);
        }
        if (vma.vmFile != null) {
            HeapIntervalTree.remove(vma.shared, vma.vmFile.fMapping.iMmap);
        }
    }

    /** anon_vma_interval_tree_post_update_vma and the i_mmap insertion after it. */
    static void postUpdateVma(HeapVma vma) {
        for (HeapAnonVmaChain avc = vma.chainFirst; avc != null; avc = avc.sameNext) {
            HeapIntervalTree.insert(avc, avc.anonVma.rbRoot);
        }
        if (vma.vmFile != null) {
            HeapIntervalTree.insert(vma.shared, vma.vmFile.fMapping.iMmap);
        }
    }

    /** Set a VMA's range and pgoff, keeping i_mmap, the avc trees, the gaps and highest_vm_end right. */
    static void adjustRange(HeapMmStruct mm, HeapVma vma, long start, long end, long pgoff) {
        preUpdateVma(vma);
        vma.vmStart = start;
        vma.vmEnd = end;
        vma.vmPgoff = pgoff;
        postUpdateVma(vma);
        HeapMmap.vmaGapUpdate(vma);
        if (vma.vmNext != null) {
            HeapMmap.vmaGapUpdate(vma.vmNext);
        } else {
            mm.highestVmEnd = VmRules.vmEndGap(vma.vmEnd, vma.vmFlags);
        }
    }

    /** The removal half of __vma_adjust: {@code gone} is absorbed by a neighbour and freed. */
    static void removeAbsorbed(HeapMmSystem sys, HeapMmStruct mm, HeapVma gone) {
        HeapMmap.vmaUnlink(mm, gone);
        HeapMmap.unlinkFileVma(gone);
        if (gone.anonVma != null || gone.chainFirst != null) {
            HeapRmap.unlinkAnonVmas(sys, gone); // anon_vma_merge
        }
        mm.mapCount--;
        if (gone.vmFile != null) {
            sys.fput(gone.vmFile);
        }
        HeapForkMm.vmAreaFree(sys, gone);
    }

    /** The anon_vma import of __vma_adjust: importer takes exporter's anon_vma if it has none. */
    static int importAnonVma(HeapMmSystem sys, HeapVma importer, HeapVma exporter) {
        if (exporter != null && exporter.anonVma != null && importer.anonVma == null) {
            importer.anonVma = exporter.anonVma;
            return HeapRmap.anonVmaClone(sys, importer, exporter);
        }
        return 0;
    }

    /** is_mergeable_vma: same flags and file, and no vm_ops->close. */
    static boolean isMergeableVma(HeapMmSystem sys, HeapVma vma, HeapFile file, long flags) {
        if (!VmRules.flagsMergeable(vma.vmFlags, flags)) {
            return false;
        }
        if (vma.vmFile != file) {
            return false;
        }
        return !HeapVmOperations.hasClose(vma.vmOps);
    }

    /** is_mergeable_anon_vma. */
    static boolean isMergeableAnonVma(HeapAnonVma a1, HeapAnonVma a2, HeapVma vma) {
        if ((a1 == null || a2 == null) && (vma == null || HeapRmap.chainSingular(vma))) {
            return true;
        }
        return a1 == a2;
    }

    /** can_vma_merge_before. */
    static boolean canMergeBefore(HeapMmSystem sys, HeapVma vma, long flags, HeapAnonVma av, HeapFile file, long pgoff) {
        return isMergeableVma(sys, vma, file, flags) && isMergeableAnonVma(av, vma.anonVma, vma) && vma.vmPgoff == pgoff;
    }

    /** can_vma_merge_after. */
    static boolean canMergeAfter(HeapMmSystem sys, HeapVma vma, long flags, HeapAnonVma av, HeapFile file, long pgoff) {
        return isMergeableVma(sys, vma, file, flags) && isMergeableAnonVma(av, vma.anonVma, vma)
            && vma.vmPgoff + vma.pages() == pgoff;
    }

    /**
     * vma_merge (cases 1-8 of mm/mmap.c): merge [addr, end) with {@code flags} into prev and/or
     * next when flags, file, anon_vma and pgoff agree. Returns the VMA now covering the range, or null.
     */
    static HeapVma vmaMerge(HeapMmSystem sys, HeapMmStruct mm, HeapVma prev, long addr, long end, long flags,
        HeapAnonVma av, HeapFile file, long pgoff) {
        long pglen = (end - addr) >>> PAGE_SHIFT;
        if ((flags & VM_SPECIAL) != 0) {
            return null;
        }
        HeapVma next = prev != null ? prev.vmNext : mm.mmap;
        HeapVma area = next;
        if (area != null && area.vmEnd == end) {
            next = next.vmNext; // cases 6, 7, 8
        }
        if (prev != null && prev.vmEnd == addr && canMergeAfter(sys, prev, flags, av, file, pgoff)) {
            HeapVma covered = area != null && area.vmStart == addr && area.vmEnd <= end ? area : null;
            HeapVma shrunk = area != null && area.vmStart == addr && area.vmEnd > end ? area : null;
            if (next != null && end == next.vmStart && canMergeBefore(sys, next, flags, av, file, pgoff + pglen)
                && isMergeableAnonVma(prev.anonVma, next.anonVma, null)) {
                // cases 1, 6: prev absorbs the range and next
                if (importAnonVma(sys, prev, covered != null && covered.anonVma != null ? covered : next) != 0) {
                    return null;
                }
                long newEnd = next.vmEnd;
                if (covered != null) {
                    removeAbsorbed(sys, mm, covered);
                }
                removeAbsorbed(sys, mm, next);
                adjustRange(mm, prev, prev.vmStart, newEnd, prev.vmPgoff);
            } else {
                // cases 2, 5, 7: prev grows to end; area shrinks (5) or goes (7)
                if (importAnonVma(sys, prev, covered != null ? covered : shrunk) != 0) {
                    return null;
                }
                if (covered != null) {
                    removeAbsorbed(sys, mm, covered);
                } else if (shrunk != null) {
                    adjustRange(mm, shrunk, end, shrunk.vmEnd, shrunk.vmPgoff + pglen);
                }
                adjustRange(mm, prev, prev.vmStart, end, prev.vmPgoff);
            }
            return prev;
        }
        if (next != null && end == next.vmStart && canMergeBefore(sys, next, flags, av, file, pgoff + pglen)) {
            if (prev != null && addr < prev.vmEnd) {
                // case 4: prev shrinks to addr, next grows down to addr
                if (importAnonVma(sys, next, prev) != 0) {
                    return null;
                }
                long delta = (prev.vmEnd - addr) >>> PAGE_SHIFT;
                adjustRange(mm, prev, prev.vmStart, addr, prev.vmPgoff);
                adjustRange(mm, next, addr, next.vmEnd, next.vmPgoff - delta);
            } else {
                // cases 3, 8: next grows down to addr, over area in case 8
                HeapVma covered = area != next && area != null && area.vmStart == addr ? area : null;
                if (importAnonVma(sys, next, covered) != 0) {
                    return null;
                }
                if (covered != null) {
                    removeAbsorbed(sys, mm, covered);
                }
                adjustRange(mm, next, addr, next.vmEnd, next.vmPgoff - pglen);
            }
            return next;
        }
        return null;
    }

    /** anon_vma_compatible (for find_mergeable_anon_vma): the access flags may differ. */
    static boolean anonVmaCompatible(HeapVma a, HeapVma b) {
        return a.vmEnd == b.vmStart && a.vmFile == b.vmFile
            && ((a.vmFlags ^ b.vmFlags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) == 0
            && b.vmPgoff == a.vmPgoff + ((b.vmStart - a.vmStart) >>> PAGE_SHIFT);
    }

    /** reusable_anon_vma: old's anon_vma, if a and b could share one and old links to nothing else. */
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
}
