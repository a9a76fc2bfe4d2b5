package org.kfork.heap.mm;

import static org.kfork.mm.Mman.*;

import org.kfork.heap.ds.HeapRbNode;
import org.kfork.mm.MmArgs;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.mm.UnmappedArea}, over {@link HeapMmStruct} and
 * {@link HeapVma} with the same steps in the same order: 5.12 get_unmapped_area (mm/mmap.c) with x86's
 * arch_get_unmapped_area_topdown policy (arch/x86/kernel/sys_x86_64.c): MAP_FIXED takes the
 * address; a hint is taken if the area is free; else unmapped_area_topdown below mmap_base, else
 * unmapped_area above mmap_legacy_base (the bottom-up fallback). The searches walk the VMA tree by
 * the rb_subtree_gap that {@link HeapMmap} keeps; the arithmetic (alignment, limits, the final checks)
 * lives once, in core's {@link MmArgs}.
 *
 * <p>Invariants kept (it changes no state; these hold of every address it returns):
 * <ul>
 *   <li>A searched address is page-aligned and at or above the low limit; [addr, addr + len) ends
 *       at or below the high limit and overlaps no VMA, guard gaps included (vm_start_gap and
 *       vm_end_gap). With MAP_HUGETLB it sits at the file offset's place in a 2 MiB page.</li>
 *   <li>A search skips every subtree whose rb_subtree_gap cannot hold the length plus the
 *       alignment slack, and returns the lowest (bottom-up) or highest (top-down) gap that fits,
 *       or -ENOMEM.</li>
 *   <li>Every result, a MAP_FIXED one included, passes get_unmapped_area's last checks: -ENOMEM
 *       when it would end above TASK_SIZE, -EINVAL when it is not page-aligned.</li>
 * </ul>
 */
public final class HeapUnmappedArea {
    private HeapUnmappedArea() {
    }

    /** vm_end_gap of a VMA's predecessor, or 0 for the first VMA. */
    static long endGapOfPrev(HeapVma vma) {
        HeapVma p = vma.vmPrev;
        return p != null ? VmRules.vmEndGap(p.vmEnd, p.vmFlags) : 0;
    }

    /** unmapped_area: the lowest gap of {@code len} (plus alignment) above lowLimit, or -ENOMEM. */
    static long unmappedArea(HeapMmStruct mm, long len, long lowLimitIn, long highLimitIn, long alignMask,
        long alignOffset) {
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
                    gapStart = endGapOfPrev(vma);
                } else {
                    gapStart = endGapOfPrev(vma);
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

    /** unmapped_area_topdown: the highest gap of {@code len} (plus alignment) below highLimit, or -ENOMEM. */
    static long unmappedAreaTopdown(HeapMmStruct mm, long len, long lowLimitIn, long highLimitIn, long alignMask,
        long alignOffset) {
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
                gapStart = endGapOfPrev(vma);
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
                    gapStart = endGapOfPrev(vma);
                    descend = false;
                    break;
                }
            }
        }
    }

    /**
     * get_unmapped_area with x86's arch_get_unmapped_area_topdown: MAP_FIXED takes the address;
     * a hint is taken if the area is free; else the highest gap below mmap_base, else the lowest
     * above mmap_legacy_base. The address, or a negative errno.
     */
    static long getUnmappedArea(HeapMm cur, long addr, long len, long pgoff, int flags) {
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
                    HeapVma vma = HeapMmap.findVma(cur, addr);
                    if (vma == null || addr + len <= VmRules.vmStartGap(vma.vmStart, vma.vmFlags)) {
                        result = addr;
                    }
                }
            }
            if (Errno.isError(result)) {
                long alignOffset = MmArgs.alignOffset(pgoff, alignMask);
                result = unmappedAreaTopdown(cur.mm, len, PAGE_SIZE, cur.mm.mmapBase, alignMask, alignOffset);
                if (Errno.isError(result)) {
                    result = unmappedArea(cur.mm, len, cur.mm.mmapLegacyBase, TASK_SIZE, alignMask, alignOffset);
                }
            }
        }
        return MmArgs.checkUnmappedArea(result, len);
    }
}
