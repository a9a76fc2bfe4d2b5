package org.kfork.kernel.mm;

import static org.kfork.kernel.mm.MmTypes.*;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.mm.Mman.*;

import org.kfork.ds.RbTree;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.mm.MmArgs;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;

/**
 * 5.12 get_unmapped_area (mm/mmap.c) with x86's
 * arch_get_unmapped_area_topdown policy (arch/x86/kernel/sys_x86_64.c): MAP_FIXED takes the
 * address; a hint is taken if the area is free; else unmapped_area_topdown below mmap_base, else
 * unmapped_area above mmap_legacy_base (the bottom-up fallback). The searches walk the VMA tree by
 * the rb_subtree_gap that {@link Mmap} keeps; the arithmetic (alignment, limits, the final checks)
 * lives once, in core's {@link MmArgs}. The heap twin is
 * {@link org.kfork.heap.mm.HeapUnmappedArea}.
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
public final class UnmappedArea {
    private UnmappedArea() {
    }

    /** vm_end_gap of a VMA's predecessor, or 0 for the first VMA. */
    static long endGapOfPrev(long vma) {
        long p = vmPrev(vma);
        return p != 0 ? VmRules.vmEndGap(vmEnd(p), vmFlags(p)) : 0;
    }

    /** unmapped_area: the lowest gap of {@code len} (plus alignment) above lowLimit, or -ENOMEM. */
    static long unmappedArea(long mm, long len, long lowLimitIn, long highLimitIn, long alignMask, long alignOffset) {
        if (MmArgs.noRoom(len, lowLimitIn, highLimitIn, alignMask)) {
            return -Errno.ENOMEM;
        }
        long length = len + alignMask;
        long highLimit = highLimitIn - length;
        long lowLimit = lowLimitIn + length;
        long gapStart;
        long gapEnd;
        long vma = vmaOf(getLong(mm + MmStruct.MM_RB));
        if (vma != 0 && gapOf(vma) >= length) {
            boolean descend = true;
            search:
            while (true) {
                if (descend) {
                    gapEnd = VmRules.vmStartGap(vmStart(vma), vmFlags(vma));
                    long left = vmaOf(RbTree.left(vma + VmAreaStruct.VM_RB));
                    if (gapEnd >= lowLimit && left != 0 && gapOf(left) >= length) {
                        vma = left;
                        continue;
                    }
                    gapStart = endGapOfPrev(vma);
                } else {
                    gapStart = endGapOfPrev(vma);
                    gapEnd = VmRules.vmStartGap(vmStart(vma), vmFlags(vma));
                }
                descend = true;
                // check_current
                if (gapStart > highLimit) {
                    return -Errno.ENOMEM;
                }
                if (gapEnd >= lowLimit && gapEnd > gapStart && gapEnd - gapStart >= length) {
                    return MmArgs.bottomUpPlace(gapStart, lowLimitIn, alignMask, alignOffset);
                }
                long right = vmaOf(RbTree.right(vma + VmAreaStruct.VM_RB));
                if (right != 0 && gapOf(right) >= length) {
                    vma = right;
                    continue;
                }
                while (true) {
                    long prev = vma + VmAreaStruct.VM_RB;
                    long parent = RbTree.parent(prev);
                    if (parent == 0) {
                        break search;
                    }
                    vma = parent - VmAreaStruct.VM_RB;
                    if (prev == RbTree.left(parent)) {
                        descend = false;
                        break;
                    }
                }
            }
        }
        // check_highest
        gapStart = mmGet(mm, MmStruct.HIGHEST_VM_END);
        if (gapStart > highLimit) {
            return -Errno.ENOMEM;
        }
        return MmArgs.bottomUpPlace(gapStart, lowLimitIn, alignMask, alignOffset);
    }

    /** unmapped_area_topdown: the highest gap of {@code len} (plus alignment) below highLimit, or -ENOMEM. */
    static long unmappedAreaTopdown(long mm, long len, long lowLimitIn, long highLimitIn, long alignMask,
        long alignOffset) {
        if (MmArgs.noRoom(len, lowLimitIn, highLimitIn, alignMask)) {
            return -Errno.ENOMEM;
        }
        long length = len + alignMask;
        long highLimit = highLimitIn - length;
        long lowLimit = lowLimitIn + length;
        long gapStart = mmGet(mm, MmStruct.HIGHEST_VM_END);
        long gapEnd;
        if (gapStart <= highLimit) {
            return MmArgs.topdownPlace(highLimitIn, len, alignMask, alignOffset);
        }
        long vma = vmaOf(getLong(mm + MmStruct.MM_RB));
        if (vma == 0 || gapOf(vma) < length) {
            return -Errno.ENOMEM;
        }
        boolean descend = true;
        while (true) {
            if (descend) {
                gapStart = endGapOfPrev(vma);
                long right = vmaOf(RbTree.right(vma + VmAreaStruct.VM_RB));
                if (gapStart <= highLimit && right != 0 && gapOf(right) >= length) {
                    vma = right;
                    continue;
                }
            }
            descend = true;
            // check_current
            gapEnd = VmRules.vmStartGap(vmStart(vma), vmFlags(vma));
            if (gapEnd < lowLimit) {
                return -Errno.ENOMEM;
            }
            if (gapStart <= highLimit && gapEnd > gapStart && gapEnd - gapStart >= length) {
                if (gapEnd > highLimitIn) {
                    gapEnd = highLimitIn;
                }
                return MmArgs.topdownPlace(gapEnd, len, alignMask, alignOffset);
            }
            long left = vmaOf(RbTree.left(vma + VmAreaStruct.VM_RB));
            if (left != 0 && gapOf(left) >= length) {
                vma = left;
                continue;
            }
            while (true) {
                long prev = vma + VmAreaStruct.VM_RB;
                long parent = RbTree.parent(prev);
                if (parent == 0) {
                    return -Errno.ENOMEM;
                }
                vma = parent - VmAreaStruct.VM_RB;
                if (prev == RbTree.right(parent)) {
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
    static long getUnmappedArea(Mm cur, long addr, long len, long pgoff, int flags) {
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
                    long vma = Mmap.findVma(cur, addr);
                    if (vma == 0 || addr + len <= VmRules.vmStartGap(vmStart(vma), vmFlags(vma))) {
                        result = addr;
                    }
                }
            }
            if (Errno.isError(result)) {
                long alignOffset = MmArgs.alignOffset(pgoff, alignMask);
                result = unmappedAreaTopdown(cur.mm, len, PAGE_SIZE, mmGet(cur.mm, MmStruct.MMAP_BASE), alignMask,
                    alignOffset);
                if (Errno.isError(result)) {
                    result = unmappedArea(cur.mm, len, mmGet(cur.mm, MmStruct.MMAP_LEGACY_BASE), TASK_SIZE, alignMask,
                        alignOffset);
                }
            }
        }
        return MmArgs.checkUnmappedArea(result, len);
    }
}
