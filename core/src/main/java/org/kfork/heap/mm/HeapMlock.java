package org.kfork.heap.mm;

import static org.kfork.mm.Mman.PAGE_MASK;
import static org.kfork.mm.Mman.PAGE_SHIFT;

import org.kfork.mm.MmArgs;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Mlock}: 5.12 mm/mlock.c without pages, do_mlock with
 * apply_vma_lock_flags (mlock and munlock; RLIMIT_MEMLOCK is unlimited in the model) and
 * mlock_fixup, with the same steps in the same order.
 *
 * <p>Invariants kept: the range [start, end) must be mapped without a hole (else -ENOMEM, with the
 * VMAs before the hole already changed); each VMA it covers ends up locked or unlocked, merged
 * with a neighbour of the same flags or split off at the range's ends (split_vma: -ENOMEM at
 * vm.max_map_count), except VM_SPECIAL and hugetlb areas, which are left alone; locked_vm counts the pages of VM_LOCKED areas.
 */
public final class HeapMlock {
    private HeapMlock() {
    }

    /**
     * mlock_fixup: [start, end) of {@code vma} (one VMA) gets {@code newFlags}; on success
     * {@code cur.pprev} is the VMA that now covers exactly that range (or {@code vma}, left alone).
     */
    static int mlockFixup(HeapMm cur, HeapVma vma, long start, long end, long newFlags) {
        long oldFlags = vma.vmFlags;
        if (newFlags == oldFlags || VmRules.neverLocked(oldFlags)) {
            cur.pprev = vma; // mlock leaves special and hugetlb areas alone
            return 0;
        }
        int err = HeapMmap.vmaMergeOrSplit(cur, vma, start, end, newFlags, false); // split_vma
        if (err != 0) {
            return err;
        }
        vma = cur.pprev;
        long nrPages = (end - start) >>> PAGE_SHIFT;
        cur.mm.lockedVm += VmRules.mlockLockedDelta(oldFlags, newFlags, nrPages);
        vma.vmFlags = newFlags;
        vma.vmPageProt = VmRules.vmPageProt(newFlags);
        return 0;
    }

    /** do_mlock and apply_vma_lock_flags ({@code lockFlags} VM_LOCKED to lock, 0 to unlock): 0 or a negative errno. */
    static int doMlock(HeapMm cur, long start, long len, long lockFlags) {
        long end = MmArgs.mlockEnd(start, len);
        if (Errno.isError(end)) {
            return (int) end;
        }
        start &= PAGE_MASK;
        if (end == start) {
            return 0;
        }
        HeapVma vma = HeapMmap.findVma(cur, start);
        if (vma == null || vma.vmStart > start) {
            return -Errno.ENOMEM;
        }
        cur.pprev = vma.vmPrev;
        if (start > vma.vmStart) {
            cur.pprev = vma;
        }
        long nstart = start;
        while (true) {
            long newFlags = VmRules.mlockFlags(vma.vmFlags, lockFlags);
            long tmp = MmArgs.fixupEnd(vma.vmEnd, end);
            int err = mlockFixup(cur, vma, nstart, tmp, newFlags);
            if (err != 0) {
                return err;
            }
            nstart = tmp;
            if (nstart < cur.pprev.vmEnd) {
                nstart = cur.pprev.vmEnd;
            }
            if (MmArgs.pastEnd(nstart, end)) {
                return 0;
            }
            vma = cur.pprev.vmNext;
            if (vma == null || vma.vmStart != nstart) {
                return -Errno.ENOMEM;
            }
        }
    }
}
