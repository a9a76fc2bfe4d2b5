package org.kfork.kernel.mm;

import static org.kfork.kernel.mm.MmTypes.mmAdd;
import static org.kfork.kernel.mm.MmTypes.vmEnd;
import static org.kfork.kernel.mm.MmTypes.vmFlags;
import static org.kfork.kernel.mm.MmTypes.vmNext;
import static org.kfork.kernel.mm.MmTypes.vmStart;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Mman.PAGE_SIZE;
import static org.kfork.mm.Pgtable.*;
import static org.kfork.mm.VmFlags.VM_HUGETLB;

import org.kfork.kernel.struct.MmStruct;
import org.kfork.machine.Ram;
import org.kfork.mm.MmuGather;
import org.kfork.uapi.Errno;

/**
 * The page-table half of 5.12 mm/memory.c (with the entry writers of
 * arch/x86/include/asm/pgtable_64.h and pgalloc.h): the x86_64 4-level tables under mm-&gt;pgd
 * (pgd with the p4d folded into it, pud, pmd, pte; {@link org.kfork.mm.Pgtable} encodes the
 * entries), walked by address, populated on demand (__pud_alloc, __pmd_alloc, __pte_alloc: pages
 * from the page allocator, counted in pgtables_bytes and, for pmd and pte tables, NR_PAGETABLE),
 * and freed by free_pgtables and free_pgd_range. {@link Memory} fills and empties the ptes.
 * Static over modeled addresses and free of Java allocation; the caller holds the big lock. The
 * heap twin is {@link org.kfork.heap.mm.HeapPageTables}.
 *
 * <p>Invariants kept: a table entry is none or points at a live table page of this mm; the user
 * entries of the pgd are mirrored in its user half (PAGE_TABLE_ISOLATION), the kernel copy with
 * NX; pgtables_bytes is 4096 for every pud, pmd and pte table the mm holds; after free_pgtables
 * over the whole address space (exit_mmap) the mm holds no table but its pgd.
 */
public final class PageTables {
    private PageTables() {
    }

    // =========================================================================================
    // Walking and populating the tables
    // =========================================================================================

    /** pgd_offset, which is also p4d_offset: the p4d is folded into the pgd. */
    static long pgdOffset(long mm, long addr) {
        return getLong(mm + MmStruct.PGD) + ((long) pgdIndex(addr) << 3);
    }

    /** The table an entry of a table level points at, as a direct-map address. */
    private static long tableOf(long entry) {
        return Ram.physToVirt(tablePhys(entry));
    }

    /** pud_offset. */
    static long pudOffset(long p4d, long addr) {
        return tableOf(getLong(p4d)) + ((long) pudIndex(addr) << 3);
    }

    /** pmd_offset. */
    static long pmdOffset(long pud, long addr) {
        return tableOf(getLong(pud)) + ((long) pmdIndex(addr) << 3);
    }

    /** pte_offset_map. */
    static long pteOffset(long pmd, long addr) {
        return tableOf(getLong(pmd)) + ((long) pteIndex(addr) << 3);
    }

    /**
     * set_p4d with PAGE_TABLE_ISOLATION: an entry of the user part of the pgd is written to the
     * user copy too (pti_set_user_pgtbl), and the kernel copy gets NX.
     */
    private static void setP4d(long p4d, long val) {
        if ((int) ((p4d & (PAGE_SIZE - 1)) >>> 3) < KERNEL_PGD_BOUNDARY) {
            putLong(p4d + PAGE_SIZE, val); // kernel_to_user_pgdp
            val = ptiKernelPgd(val);
        }
        putLong(p4d, val);
    }

    /** mm_inc_nr_ptes, mm_inc_nr_pmds, mm_inc_nr_puds and their decrements. */
    private static void pgtablesBytesAdd(long mm, int tables) {
        mmAdd(mm, MmStruct.PGTABLES_BYTES, tables * TABLE_BYTES);
    }

    /** __pud_alloc: a pud table under {@code p4d}; 0 or -ENOMEM. */
    static int pudAllocSlow(OffHeapMmSystem sys, long mm, long p4d) {
        long pud = sys.allocPgtablePage(); // pud_alloc_one
        if (pud == 0) {
            return -Errno.ENOMEM;
        }
        if ((getLong(p4d) & _PAGE_PRESENT) == 0) {
            pgtablesBytesAdd(mm, 1);
            setP4d(p4d, mkTable(Ram.virtToPhys(pud))); // p4d_populate
        } else {
            sys.freePgtablePage(pud);
        }
        return 0;
    }

    /** pud_alloc: the pud slot of {@code addr}, its table made if need be; or 0. */
    static long pudAlloc(OffHeapMmSystem sys, long mm, long p4d, long addr) {
        if (tableNone(getLong(p4d)) && pudAllocSlow(sys, mm, p4d) != 0) {
            return 0;
        }
        return pudOffset(p4d, addr);
    }

    /** __pmd_alloc: pmd_alloc_one runs pgtable_pmd_page_ctor (NR_PAGETABLE). */
    static int pmdAllocSlow(OffHeapMmSystem sys, long mm, long pud) {
        long pmd = sys.allocPgtablePage();
        if (pmd == 0) {
            return -Errno.ENOMEM;
        }
        sys.nrPagetableAdd(1);
        if ((getLong(pud) & _PAGE_PRESENT) == 0) {
            pgtablesBytesAdd(mm, 1);
            putLong(pud, mkTable(Ram.virtToPhys(pmd))); // pud_populate
        } else {
            pgtableFree(sys, pmd);
        }
        return 0;
    }

    /** pmd_alloc. */
    static long pmdAlloc(OffHeapMmSystem sys, long mm, long pud, long addr) {
        if (tableNone(getLong(pud)) && pmdAllocSlow(sys, mm, pud) != 0) {
            return 0;
        }
        return pmdOffset(pud, addr);
    }

    /** __pte_alloc: pte_alloc_one runs pgtable_pte_page_ctor (NR_PAGETABLE). */
    static int pteAllocSlow(OffHeapMmSystem sys, long mm, long pmd) {
        long pte = sys.allocPgtablePage();
        if (pte == 0) {
            return -Errno.ENOMEM;
        }
        sys.nrPagetableAdd(1);
        if (tableNone(getLong(pmd))) {
            pgtablesBytesAdd(mm, 1);
            putLong(pmd, mkTable(Ram.virtToPhys(pte))); // pmd_populate
        } else {
            pgtableFree(sys, pte);
        }
        return 0;
    }

    /** pte_alloc: 0, or -ENOMEM when the table was missing and could not be made. */
    static int pteAlloc(OffHeapMmSystem sys, long mm, long pmd) {
        return tableNone(getLong(pmd)) ? pteAllocSlow(sys, mm, pmd) : 0;
    }

    /** pte_free and pmd_free: the destructor's NR_PAGETABLE, then the page. */
    private static void pgtableFree(OffHeapMmSystem sys, long table) {
        sys.nrPagetableAdd(-1);
        sys.freePgtablePage(table);
    }

    /**
     * The pte slot mapping {@code addr}, or 0 when a table on the way is missing: the walk the CPU
     * makes (follow_pte without the locks).
     */
    static long walkPte(long mm, long addr) {
        long p4d = pgdOffset(mm, addr);
        if (tableNone(getLong(p4d))) {
            return 0;
        }
        long pud = pudOffset(p4d, addr);
        if (tableNone(getLong(pud))) {
            return 0;
        }
        long pmd = pmdOffset(pud, addr);
        if (tableNone(getLong(pmd))) {
            return 0;
        }
        return pteOffset(pmd, addr);
    }

    // =========================================================================================
    // free_pgtables
    // =========================================================================================

    /**
     * free_pgtables: each VMA of the detached list leaves the rmap (unlink_anon_vmas,
     * unlink_file_vma) and the tables under it that no other VMA uses go (free_pgd_range between
     * {@code floor} and {@code ceiling}, 0 meaning the top); nearby VMAs are gathered into one call.
     */
    static void freePgtables(OffHeapMmSystem sys, MmuGather tlb, long mm, long vma, long floor, long ceiling) {
        while (vma != 0) {
            long next = vmNext(vma);
            long addr = vmStart(vma);
            Rmap.unlinkAnonVmas(sys, vma);
            Mmap.unlinkFileVma(vma);
            if ((vmFlags(vma) & VM_HUGETLB) == 0) {
                while (next != 0 && Long.compareUnsigned(vmStart(next), vmEnd(vma) + PMD_SIZE) <= 0
                    && (vmFlags(next) & VM_HUGETLB) == 0) {
                    vma = next;
                    next = vmNext(vma);
                    Rmap.unlinkAnonVmas(sys, vma);
                    Mmap.unlinkFileVma(vma);
                }
            }
            // hugetlb_free_pgd_range is free_pgd_range on x86
            freePgdRange(sys, tlb, mm, addr, vmEnd(vma), floor, next != 0 ? vmStart(next) : ceiling);
            vma = next;
        }
    }

    /**
     * free_pgd_range: the page tables covering [addr, end) that nothing outside [floor, ceiling)
     * shares. As in 5.12, 0 is both the bottom (addr, floor) and the top (end, ceiling), hence the
     * unsigned "- 1" comparisons.
     */
    static void freePgdRange(OffHeapMmSystem sys, MmuGather tlb, long mm, long addr, long end, long floor,
                             long ceiling) {
        addr &= PMD_MASK;
        if (Long.compareUnsigned(addr, floor) < 0) {
            addr += PMD_SIZE;
            if (addr == 0) {
                return;
            }
        }
        if (ceiling != 0) {
            ceiling &= PMD_MASK;
            if (ceiling == 0) {
                return;
            }
        }
        if (Long.compareUnsigned(end - 1, ceiling - 1) > 0) {
            end -= PMD_SIZE;
        }
        if (Long.compareUnsigned(addr, end - 1) > 0) {
            return;
        }
        long next;
        do {
            next = pgdAddrEnd(addr, end);
            long p4d = pgdOffset(mm, addr);
            if (!noneOrClearBad(sys, p4d, 4)) {
                freePudRange(sys, tlb, mm, p4d, addr, next, floor, ceiling); // free_p4d_range, folded
            }
            addr = next;
        } while (addr != end);
    }

    /** Whether the table covering [start &amp; mask, ...) lies wholly inside [floor, ceiling): free_*_range's tail test. */
    private static boolean tableUnshared(long start, long mask, long end, long floor, long ceiling) {
        start &= mask;
        if (Long.compareUnsigned(start, floor) < 0) {
            return false;
        }
        if (ceiling != 0) {
            ceiling &= mask;
            if (ceiling == 0) {
                return false;
            }
        }
        return Long.compareUnsigned(end - 1, ceiling - 1) <= 0;
    }

    /** free_pud_range: the pmd tables below, then the pud table itself if unshared (p4d_clear, pud_free_tlb). */
    private static void freePudRange(OffHeapMmSystem sys, MmuGather tlb, long mm, long p4d, long addr, long end,
                                     long floor, long ceiling) {
        long start = addr;
        long pud = pudOffset(p4d, addr);
        long next;
        do {
            next = pudAddrEnd(addr, end);
            if (!noneOrClearBad(sys, pud, 3)) {
                freePmdRange(sys, tlb, mm, pud, addr, next, floor, ceiling);
            }
            pud += 8;
            addr = next;
        } while (addr != end);
        if (!tableUnshared(start, P4D_MASK, end, floor, ceiling)) {
            return;
        }
        long table = tableOf(getLong(p4d));
        setP4d(p4d, 0);
        tlb.freeTable(start);
        sys.freePgtablePage(table); // pud_free: no destructor
        pgtablesBytesAdd(mm, -1);
    }

    /** free_pmd_range: the pte tables below, then the pmd table if unshared (pud_clear, pmd_free_tlb). */
    private static void freePmdRange(OffHeapMmSystem sys, MmuGather tlb, long mm, long pud, long addr, long end,
                                     long floor, long ceiling) {
        long start = addr;
        long pmd = pmdOffset(pud, addr);
        long next;
        do {
            next = pmdAddrEnd(addr, end);
            if (!noneOrClearBad(sys, pmd, 2)) {
                freePteRange(sys, tlb, mm, pmd, addr);
            }
            pmd += 8;
            addr = next;
        } while (addr != end);
        if (!tableUnshared(start, PUD_MASK, end, floor, ceiling)) {
            return;
        }
        long table = tableOf(getLong(pud));
        putLong(pud, 0);
        tlb.freeTable(start);
        pgtableFree(sys, table);
        pgtablesBytesAdd(mm, -1);
    }

    /** free_pte_range: pmd_clear, pte_free_tlb, mm_dec_nr_ptes. */
    private static void freePteRange(OffHeapMmSystem sys, MmuGather tlb, long mm, long pmd, long addr) {
        long table = tableOf(getLong(pmd));
        putLong(pmd, 0);
        tlb.freeTable(addr);
        pgtableFree(sys, table);
        pgtablesBytesAdd(mm, -1);
    }

    /**
     * *_none_or_clear_bad for a table level ({@code level} 4: the p4d folded in the pgd, 3: pud,
     * 2: pmd): true when there is nothing below; a bad entry is reported and cleared.
     */
    static boolean noneOrClearBad(OffHeapMmSystem sys, long slot, int level) {
        long e = getLong(slot);
        if (tableNone(e)) {
            return true;
        }
        boolean bad = level == 4 ? p4dBad(e) : level == 3 ? pudBad(e) : pmdBad(e);
        if (bad) {
            sys.log().alert("bad " + (level == 4 ? "p4d" : level == 3 ? "pud" : "pmd") + " 0x" + Long.toHexString(e));
            if (level == 4) {
                setP4d(slot, 0);
            } else {
                putLong(slot, 0);
            }
            return true;
        }
        return false;
    }
}
