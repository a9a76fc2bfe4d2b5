package org.kfork.kernel.mm;

import static org.kfork.kernel.mm.MmTypes.mmGet;
import static org.kfork.kernel.mm.MmTypes.vmEnd;
import static org.kfork.kernel.mm.MmTypes.vmFlags;
import static org.kfork.kernel.mm.MmTypes.vmNext;
import static org.kfork.kernel.mm.MmTypes.vmPrev;
import static org.kfork.kernel.mm.MmTypes.vmStart;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.VmFlags.VM_ACCOUNT;

import org.kfork.kernel.arch.MmuContext;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Mem;
import org.kfork.mm.MmArgs;
import org.kfork.mm.Mman;
import org.kfork.mm.Pgtable;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;

/**
 * 5.12 mm/mprotect.c: do_mprotect_pkey (no protection keys, no PROT_GROWSDOWN/UP), mprotect_fixup
 * and change_protection (the ptes of the range take the new protection). The heap twin is {@link org.kfork.heap.mm.HeapMprotect}.
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
public final class Mprotect {
    private Mprotect() {
    }

    /**
     * mprotect_fixup: [start, end) of {@code vma} (one VMA) gets {@code newFlags}; on success
     * {@code cur.pprev} is the VMA that now covers exactly that range.
     */
    static int mprotectFixup(Mm cur, long vma, long start, long end, long newFlags) {
        long oldFlags = vmFlags(vma);
        long nrPages = (end - start) >>> PAGE_SHIFT;
        if (newFlags == oldFlags) {
            cur.pprev = vma;
            return 0;
        }
        long charged = 0;
        if (VmRules.mprotectCharges(oldFlags, newFlags)) {
            charged = nrPages;
            if (cur.sys.overcommit().vmEnoughMemory(charged, mmGet(cur.mm, MmStruct.TOTAL_VM)) != 0) {
                return -Errno.ENOMEM;
            }
            newFlags |= VM_ACCOUNT;
        }
        int err = Mmap.vmaMergeOrSplit(cur, vma, start, end, newFlags, false); // split_vma
        if (err != 0) {
            cur.sys.overcommit().vmUnacctMemory(charged);
            return err;
        }
        vma = cur.pprev;
        putLong(vma + VmAreaStruct.VM_FLAGS, newFlags);
        putLong(vma + VmAreaStruct.VM_PAGE_PROT, VmRules.vmPageProt(newFlags));
        changeProtection(cur.sys, vma, start, end, getLong(vma + VmAreaStruct.VM_PAGE_PROT));
        Mmap.vmStatAccount(cur.mm, oldFlags, -nrPages);
        Mmap.vmStatAccount(cur.mm, newFlags, nrPages);
        return 0;
    }

    /**
     * change_protection: every pte of [start, end) present to the kernel takes {@code newprot}
     * (pte_modify keeps its page, dirty and accessed bits); no VMA wants write notification, so
     * no pte is made writable here (dirty_accountable is false). The TLB is flushed when a pte
     * changed. Returns the number of ptes rewritten.
     */
    static long changeProtection(OffHeapMmSystem sys, long vma, long start, long end, long newprot) {
        long mm = getLong(vma + VmAreaStruct.VM_MM);
        Mem.getAndAddInt(mm + MmStruct.TLB_FLUSH_PENDING, 1); // inc_tlb_flush_pending
        long pages = 0;
        long next;
        for (long addr = start; addr != end; addr = next) {
            next = Pgtable.pmdAddrEnd(addr, end);
            long p4d = PageTables.pgdOffset(mm, addr);
            if (Pgtable.tableNone(getLong(p4d))) {
                continue;
            }
            long pud = PageTables.pudOffset(p4d, addr);
            if (Pgtable.tableNone(getLong(pud))) {
                continue;
            }
            long pmd = PageTables.pmdOffset(pud, addr);
            if (Pgtable.tableNone(getLong(pmd))) {
                continue;
            }
            long pte = PageTables.pteOffset(pmd, addr);
            for (long a = addr; a != next; a += Mman.PAGE_SIZE, pte += 8) {
                long old = getLong(pte);
                if (Pgtable.ptePresent(old)) {
                    putLong(pte, Pgtable.pteModify(old, newprot));
                    pages++;
                }
            }
        }
        if (pages != 0) {
            MmuContext.flushTlbMmRange(mm); // flush_tlb_range
        }
        Mem.getAndAddInt(mm + MmStruct.TLB_FLUSH_PENDING, -1);
        return pages;
    }

    /** do_mprotect_pkey: 0 or a negative errno. */
    static int doMprotect(Mm cur, long start, long len, int prot) {
        long end = MmArgs.mprotectEnd(start, len, prot);
        if (Errno.isError(end)) {
            return (int) end;
        }
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
            long newFlags = VmRules.mprotectFlags(prot, vmFlags(vma));
            if (newFlags < 0) {
                return (int) newFlags;
            }
            long tmp = MmArgs.fixupEnd(vmEnd(vma), end);
            int err = mprotectFixup(cur, vma, nstart, tmp, newFlags);
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
