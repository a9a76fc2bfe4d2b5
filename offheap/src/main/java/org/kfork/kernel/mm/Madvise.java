package org.kfork.kernel.mm;

import static org.kfork.kernel.mm.MmTypes.vmEnd;
import static org.kfork.kernel.mm.MmTypes.vmFile;
import static org.kfork.kernel.mm.MmTypes.vmFlags;
import static org.kfork.kernel.mm.MmTypes.vmNext;
import static org.kfork.kernel.mm.MmTypes.vmPrev;
import static org.kfork.kernel.mm.MmTypes.vmStart;
import static org.kfork.machine.Mem.putLong;

import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.mm.MmArgs;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;

/**
 * 5.12 mm/madvise.c for the advice that shapes a fork: do_madvise and madvise_behavior with
 * MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK and MADV_KEEPONFORK (other advice is -EINVAL here).
 * The heap twin is {@link org.kfork.heap.mm.HeapMadvise}.
 *
 * <p>Invariants kept: each VMA the range covers ends up with the advice's VM_DONTCOPY or
 * VM_WIPEONFORK bit set or cleared, merged with a neighbour of the same flags or split off at
 * the range's ends (refused with -ENOMEM at vm.max_map_count), so the VMA list and tree stay
 * sorted and non-overlapping and no counter moves; holes in the range are skipped and reported as
 * -ENOMEM once the mapped parts are done; a __split_vma that fails with -ENOMEM reports -EAGAIN.
 */
public final class Madvise {
    private Madvise() {
    }

    /**
     * madvise_behavior: [start, end) of {@code vma} (one VMA) gets {@code newFlags}; on success
     * {@code cur.pprev} is the VMA that now covers exactly that range.
     */
    static int madviseBehavior(Mm cur, long vma, long start, long end, long newFlags) {
        if (newFlags == vmFlags(vma)) {
            cur.pprev = vma;
            return 0;
        }
        int err = Mmap.vmaMergeOrSplit(cur, vma, start, end, newFlags, true);
        if (err != 0) {
            return err;
        }
        vma = cur.pprev;
        putLong(vma + VmAreaStruct.VM_FLAGS, newFlags);
        putLong(vma + VmAreaStruct.VM_PAGE_PROT, VmRules.vmPageProt(newFlags));
        return 0;
    }

    /** do_madvise: 0 or a negative errno. */
    static int doMadvise(Mm cur, long start, long lenIn, int behavior) {
        long end = MmArgs.madviseEnd(start, lenIn, behavior);
        if (Errno.isError(end)) {
            return (int) end;
        }
        if (end == start) {
            return 0;
        }
        long vma = Mmap.findVma(cur, start);
        cur.pprev = vma != 0 ? vmPrev(vma) : 0;
        if (vma != 0 && start > vmStart(vma)) {
            cur.pprev = vma;
        }
        int unmappedError = 0;
        while (true) {
            if (vma == 0) {
                return -Errno.ENOMEM;
            }
            if (start < vmStart(vma)) {
                unmappedError = -Errno.ENOMEM;
                start = vmStart(vma);
                if (MmArgs.pastEnd(start, end)) {
                    return unmappedError;
                }
            }
            long tmp = MmArgs.fixupEnd(vmEnd(vma), end);
            long newFlags = VmRules.madviseFlags(behavior, vmFlags(vma), vmFile(vma) != 0);
            if (newFlags < 0) {
                return (int) newFlags;
            }
            int err = madviseBehavior(cur, vma, start, tmp, newFlags);
            if (err != 0) {
                return err;
            }
            start = tmp;
            if (cur.pprev != 0 && start < vmEnd(cur.pprev)) {
                start = vmEnd(cur.pprev);
            }
            if (MmArgs.pastEnd(start, end)) {
                return unmappedError;
            }
            vma = cur.pprev != 0 ? vmNext(cur.pprev) : Mmap.findVma(cur, start);
        }
    }
}
