package org.kfork.heap.mm;

import org.kfork.mm.MmArgs;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Madvise}: 5.12 mm/madvise.c for the advice that
 * shapes a fork, do_madvise and madvise_behavior with MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK
 * and MADV_KEEPONFORK, with the same steps in the same order.
 *
 * <p>Invariants kept: each VMA the range covers ends up with the advice's VM_DONTCOPY or
 * VM_WIPEONFORK bit set or cleared, merged with a neighbour of the same flags or split off at
 * the range's ends (refused with -ENOMEM at vm.max_map_count), so the VMA list and tree stay
 * sorted and non-overlapping and no counter moves; holes in the range are skipped and reported as
 * -ENOMEM once the mapped parts are done; a __split_vma that fails with -ENOMEM reports -EAGAIN.
 */
public final class HeapMadvise {
    private HeapMadvise() {
    }

    /**
     * madvise_behavior: [start, end) of {@code vma} (one VMA) gets {@code newFlags}; on success
     * {@code cur.pprev} is the VMA that now covers exactly that range.
     */
    static int madviseBehavior(HeapMm cur, HeapVma vma, long start, long end, long newFlags) {
        if (newFlags == vma.vmFlags) {
            cur.pprev = vma;
            return 0;
        }
        int err = HeapMmap.vmaMergeOrSplit(cur, vma, start, end, newFlags, true);
        if (err != 0) {
            return err;
        }
        vma = cur.pprev;
        vma.vmFlags = newFlags;
        vma.vmPageProt = VmRules.vmPageProt(newFlags);
        return 0;
    }

    /** do_madvise: 0 or a negative errno. */
    static int doMadvise(HeapMm cur, long start, long lenIn, int behavior) {
        long end = MmArgs.madviseEnd(start, lenIn, behavior);
        if (Errno.isError(end)) {
            return (int) end;
        }
        if (end == start) {
            return 0;
        }
        HeapVma vma = HeapMmap.findVma(cur, start);
        cur.pprev = vma != null ? vma.vmPrev : null;
        if (vma != null && start > vma.vmStart) {
            cur.pprev = vma;
        }
        int unmappedError = 0;
        while (true) {
            if (vma == null) {
                return -Errno.ENOMEM;
            }
            if (start < vma.vmStart) {
                unmappedError = -Errno.ENOMEM;
                start = vma.vmStart;
                if (MmArgs.pastEnd(start, end)) {
                    return unmappedError;
                }
            }
            long tmp = MmArgs.fixupEnd(vma.vmEnd, end);
            long newFlags = VmRules.madviseFlags(behavior, vma.vmFlags, vma.vmFile != null);
            if (newFlags < 0) {
                return (int) newFlags;
            }
            int err = madviseBehavior(cur, vma, start, tmp, newFlags);
            if (err != 0) {
                return err;
            }
            start = tmp;
            if (cur.pprev != null && start < cur.pprev.vmEnd) {
                start = cur.pprev.vmEnd;
            }
            if (MmArgs.pastEnd(start, end)) {
                return unmappedError;
            }
            vma = cur.pprev != null ? cur.pprev.vmNext : HeapMmap.findVma(cur, start);
        }
    }
}
