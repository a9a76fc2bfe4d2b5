package org.kfork.kernel.mm;

import static org.kfork.kernel.mm.MmTypes.mmAdd;
import static org.kfork.kernel.mm.MmTypes.vmEnd;
import static org.kfork.kernel.mm.MmTypes.vmFlags;
import static org.kfork.kernel.mm.MmTypes.vmNext;
import static org.kfork.kernel.mm.MmTypes.vmPrev;
import static org.kfork.kernel.mm.MmTypes.vmStart;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Mman.PAGE_MASK;
import static org.kfork.mm.Mman.PAGE_SHIFT;

import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.mm.MmArgs;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;

/**
 * 5.12 mm/mlock.c without pages: do_mlock with apply_vma_lock_flags (mlock and munlock;
 * RLIMIT_MEMLOCK is unlimited in the model) and mlock_fixup. The heap twin is
 * {@link org.kfork.heap.mm.HeapMlock}.
 *
 * <p>Invariants kept: the range [start, end) must be mapped without a hole (else -ENOMEM, with the
 * VMAs before the hole already changed); each VMA it covers ends up locked or unlocked, merged
 * with a neighbour of the same flags or split off at the range's ends (split_vma: -ENOMEM at
 * vm.max_map_count), except VM_SPECIAL and hugetlb areas, which are left alone; locked_vm counts the pages of VM_LOCKED areas.
 */
public final class Mlock {
    private Mlock() {
    }

    /**
     * mlock_fixup: [start, end) of {@code vma} (one VMA) gets {@code newFlags}; on success
     * {@code cur.pprev} is the VMA that now covers exactly that range (or {@code vma}, left alone).
     */
    static int mlockFixup(Mm cur, long vma, long start, long end, long newFlags) {
        long oldFlags = vmFlags(vma);
        if (newFlags == oldFlags || VmRules.neverLocked(oldFlags)) {
            cur.pprev = vma; // mlock leaves special and hugetlb areas alone
            return 0;
        }
        int err = Mmap.vmaMergeOrSplit(cur, vma, start, end, newFlags, false); // split_vma
        if (err != 0) {
            return err;
        }
        vma = cur.pprev;
        long nrPages = (end - start) >>> PAGE_SHIFT;
        mmAdd(cur.mm, MmStruct.LOCKED_VM, VmRules.mlockLockedDelta(oldFlags, newFlags, nrPages));
        putLong(vma + VmAreaStruct.VM_FLAGS, newFlags);
        putLong(vma + VmAreaStruct.VM_PAGE_PROT, VmRules.vmPageProt(newFlags));
        return 0;
    }

    /** do_mlock and apply_vma_lock_flags ({@code lockFlags} VM_LOCKED to lock, 0 to unlock): 0 or a negative errno. */
    static int doMlock(Mm cur, long start, long len, long lockFlags) {
        long end = MmArgs.mlockEnd(start, len);
        if (Errno.isError(end)) {
            return (int) end;
        }
        start &= PAGE_MASK;
        if (end == start) {
            return 0;
        }
        long vma = Mmap.findVma(cur, start);
        if (vma == 0 || vmStart(vma) > start) {
            return -Errno.ENOMEM;
        }
        cur.pprev = vmPrev(vma);
        if (start > vmStart(vma)) {
            cur.pprev = vma;
        }
        long nstart = start;
        while (true) {
            long newFlags = VmRules.mlockFlags(vmFlags(vma), lockFlags);
            long tmp = MmArgs.fixupEnd(vmEnd(vma), end);
            int err = mlockFixup(cur, vma, nstart, tmp, newFlags);
            if (err != 0) {
                return err;
            }
            nstart = tmp;
            if (nstart < vmEnd(cur.pprev)) {
                nstart = vmEnd(cur.pprev);
            }
            if (MmArgs.pastEnd(nstart, end)) {
                return 0;
            }
            vma = vmNext(cur.pprev);
            if (vma == 0 || vmStart(vma) != nstart) {
                return -Errno.ENOMEM;
            }
        }
    }
}
