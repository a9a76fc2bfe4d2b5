package org.kfork.heap.mm;

import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.VmFlags.VM_ACCOUNT;

import org.kfork.heap.arch.HeapMmuContext;
import org.kfork.mm.MmArgs;
import org.kfork.mm.Mman;
import org.kfork.mm.Pgtable;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Mprotect}: 5.12 mm/mprotect.c, do_mprotect_pkey (no
 * protection keys, no PROT_GROWSDOWN/UP), mprotect_fixup and change_protection, with the same
 * steps in the same order.
 *
 * <p>Invariants kept: the range [start, end) must be mapped without a hole (else -ENOMEM, with the
 * VMAs before the hole already changed, as in 5.12); each VMA it covers ends up with exactly the
 * new read/write/exec bits, merged with a neighbour of the same flags or split off at the range's
 * ends (split_vma: -ENOMEM at vm.max_map_count), so the VMA list and tree stay sorted and
 * non-overlapping; total_vm is unchanged while
 * data_vm, exec_vm and stack_vm move with each VMA's classification; a private area that becomes
 * writable is charged to overcommit once (VM_ACCOUNT), and the charge is returned if the change
 * fails.
 */
public final class HeapMprotect {
    private HeapMprotect() {
    }

    /**
     * mprotect_fixup: [start, end) of {@code vma} (one VMA) gets {@code newFlags}; on success
     * {@code cur.pprev} is the VMA that now covers exactly that range.
     */
    static int mprotectFixup(HeapMm cur, HeapVma vma, long start, long end, long newFlags) {
        long oldFlags = vma.vmFlags;
        long nrPages = (end - start) >>> PAGE_SHIFT;
        if (newFlags == oldFlags) {
            cur.pprev = vma;
            return 0;
        }
        long charged = 0;
        if (VmRules.mprotectCharges(oldFlags, newFlags)) {
            charged = nrPages;
            if (cur.sys.overcommit().vmEnoughMemory(charged, cur.mm.totalVm) != 0) {
                return -Errno.ENOMEM;
            }
            newFlags |= VM_ACCOUNT;
        }
        int err = HeapMmap.vmaMergeOrSplit(cur, vma, start, end, newFlags, false); // split_vma
        if (err != 0) {
            cur.sys.overcommit().vmUnacctMemory(charged);
            return err;
        }
        vma = cur.pprev;
        vma.vmFlags = newFlags;
        vma.vmPageProt = VmRules.vmPageProt(newFlags);
        changeProtection(cur.sys, vma, start, end, vma.vmPageProt);
        HeapMmap.vmStatAccount(cur.mm, oldFlags, -nrPages);
        HeapMmap.vmStatAccount(cur.mm, newFlags, nrPages);
        return 0;
    }

    /** change_protection (see the off-heap twin): the number of ptes rewritten. */
    static long changeProtection(HeapMmSystem sys, HeapVma vma, long start, long end, long newprot) {
        HeapMmStruct mm = vma.vmMm;
        long pages = 0;
        long next;
        for (long addr = start; addr != end; addr = next) {
            next = Pgtable.pmdAddrEnd(addr, end);
            long[] pte = HeapPageTables.walkPte(sys, mm, addr);
            if (pte == null) {
                continue;
            }
            for (long a = addr; a != next; a += Mman.PAGE_SIZE) {
                int i = Pgtable.pteIndex(a);
                if (Pgtable.ptePresent(pte[i])) {
                    pte[i] = Pgtable.pteModify(pte[i], newprot);
                    pages++;
                }
            }
        }
        if (pages != 0) {
            HeapMmuContext.flushTlbMmRange(mm);
        }
        return pages;
    }

    /** do_mprotect_pkey: 0 or a negative errno. */
    static int doMprotect(HeapMm cur, long start, long len, int prot) {
        long end = MmArgs.mprotectEnd(start, len, prot);
        if (Errno.isError(end)) {
            return (int) end;
        }
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
            long newFlags = VmRules.mprotectFlags(prot, vma.vmFlags);
            if (newFlags < 0) {
                return (int) newFlags;
            }
            long tmp = MmArgs.fixupEnd(vma.vmEnd, end);
            int err = mprotectFixup(cur, vma, nstart, tmp, newFlags);
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
