package org.kfork.heap.mm;

import static org.kfork.mm.Pgtable.*;
import static org.kfork.mm.VmFlags.VM_HUGETLB;

import org.kfork.mm.MmuGather;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.mm.PageTables}: the page-table half of 5.12
 * mm/memory.c over {@code long[512]} tables of {@link HeapPages} (the pgd is the mm's
 * {@code long[1024]}: the kernel and the user half of PTI). Where the off-heap port passes the
 * address of an entry, the twin passes its table and the entry's index (pud_offset and friends
 * compute the index from the address). The caller holds the big lock.
 */
public final class HeapPageTables {
    private HeapPageTables() {
    }

    // =========================================================================================
    // Walking and populating the tables
    // =========================================================================================

    /** The table an entry of a table level points at. */
    static long[] tableOf(HeapMmSystem sys, long entry) {
        return sys.pages.table(tablePhys(entry));
    }

    /** set_p4d with PAGE_TABLE_ISOLATION: the user half too, and NX in the kernel half. */
    private static void setP4d(long[] pgd, int i, long val) {
        if (i < KERNEL_PGD_BOUNDARY) {
            pgd[i + USER_PGD_OFFSET] = val;
            val = ptiKernelPgd(val);
        }
        pgd[i] = val;
    }

    /** mm_inc_nr_ptes, mm_inc_nr_pmds, mm_inc_nr_puds and their decrements. */
    private static void pgtablesBytesAdd(HeapMmStruct mm, int tables) {
        mm.pgtablesBytes += tables * TABLE_BYTES;
    }

    /** __pud_alloc. */
    static int pudAllocSlow(HeapMmSystem sys, HeapMmStruct mm, long[] pgd, int i) {
        long pud = sys.allocPgtablePage();
        if (pud == 0) {
            return -Errno.ENOMEM;
        }
        if ((pgd[i] & _PAGE_PRESENT) == 0) {
            pgtablesBytesAdd(mm, 1);
            setP4d(pgd, i, mkTable(pud));
        } else {
            sys.freePgtablePage(pud);
        }
        return 0;
    }

    /** pud_alloc: the pud table of the p4d entry {@code pgd[i]}, made if need be; or null. */
    static long[] pudAlloc(HeapMmSystem sys, HeapMmStruct mm, long[] pgd, int i) {
        if (tableNone(pgd[i]) && pudAllocSlow(sys, mm, pgd, i) != 0) {
            return null;
        }
        return tableOf(sys, pgd[i]);
    }

    /** __pmd_alloc. */
    static int pmdAllocSlow(HeapMmSystem sys, HeapMmStruct mm, long[] pud, int i) {
        long pmd = sys.allocPgtablePage();
        if (pmd == 0) {
            return -Errno.ENOMEM;
        }
        sys.nrPagetableAdd(1);
        if ((pud[i] & _PAGE_PRESENT) == 0) {
            pgtablesBytesAdd(mm, 1);
            pud[i] = mkTable(pmd);
        } else {
            pgtableFree(sys, pmd);
        }
        return 0;
    }

    /** pmd_alloc. */
    static long[] pmdAlloc(HeapMmSystem sys, HeapMmStruct mm, long[] pud, int i) {
        if (tableNone(pud[i]) && pmdAllocSlow(sys, mm, pud, i) != 0) {
            return null;
        }
        return tableOf(sys, pud[i]);
    }

    /** __pte_alloc. */
    static int pteAllocSlow(HeapMmSystem sys, HeapMmStruct mm, long[] pmd, int i) {
        long pte = sys.allocPgtablePage();
        if (pte == 0) {
            return -Errno.ENOMEM;
        }
        sys.nrPagetableAdd(1);
        if (tableNone(pmd[i])) {
            pgtablesBytesAdd(mm, 1);
            pmd[i] = mkTable(pte);
        } else {
            pgtableFree(sys, pte);
        }
        return 0;
    }

    /** pte_alloc. */
    static int pteAlloc(HeapMmSystem sys, HeapMmStruct mm, long[] pmd, int i) {
        return tableNone(pmd[i]) ? pteAllocSlow(sys, mm, pmd, i) : 0;
    }

    /** pte_free and pmd_free. */
    private static void pgtableFree(HeapMmSystem sys, long table) {
        sys.nrPagetableAdd(-1);
        sys.freePgtablePage(table);
    }

    /** The pte table covering {@code addr} (its slot is pteIndex(addr)), or null: the CPU's walk. */
    static long[] walkPte(HeapMmSystem sys, HeapMmStruct mm, long addr) {
        long p4d = mm.pgd[pgdIndex(addr)];
        if (tableNone(p4d)) {
            return null;
        }
        long pud = tableOf(sys, p4d)[pudIndex(addr)];
        if (tableNone(pud)) {
            return null;
        }
        long pmd = tableOf(sys, pud)[pmdIndex(addr)];
        if (tableNone(pmd)) {
            return null;
        }
        return tableOf(sys, pmd);
    }

    // =========================================================================================
    // free_pgtables
    // =========================================================================================

    /** free_pgtables. */
    static void freePgtables(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, HeapVma vma, long floor, long ceiling) {
        while (vma != null) {
            HeapVma next = vma.vmNext;
            long addr = vma.vmStart;
            HeapRmap.unlinkAnonVmas(sys, vma);
            HeapMmap.unlinkFileVma(vma);
            if ((vma.vmFlags & VM_HUGETLB) == 0) {
                while (next != null && Long.compareUnsigned(next.vmStart, vma.vmEnd + PMD_SIZE) <= 0
                    && (next.vmFlags & VM_HUGETLB) == 0) {
                    vma = next;
                    next = vma.vmNext;
                    HeapRmap.unlinkAnonVmas(sys, vma);
                    HeapMmap.unlinkFileVma(vma);
                }
            }
            freePgdRange(sys, tlb, mm, addr, vma.vmEnd, floor, next != null ? next.vmStart : ceiling);
            vma = next;
        }
    }

    /** free_pgd_range. */
    static void freePgdRange(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, long addr, long end, long floor,
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
            int i = pgdIndex(addr);
            if (!noneOrClearBad(sys, mm.pgd, i, 4)) {
                freePudRange(sys, tlb, mm, mm.pgd, i, addr, next, floor, ceiling);
            }
            addr = next;
        } while (addr != end);
    }

    /** free_*_range's tail test. */
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

    /** free_pud_range. */
    private static void freePudRange(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, long[] pgd, int pgdI, long addr,
                                     long end, long floor, long ceiling) {
        long start = addr;
        long[] pud = tableOf(sys, pgd[pgdI]);
        long next;
        do {
            next = pudAddrEnd(addr, end);
            int i = pudIndex(addr);
            if (!noneOrClearBad(sys, pud, i, 3)) {
                freePmdRange(sys, tlb, mm, pud, i, addr, next, floor, ceiling);
            }
            addr = next;
        } while (addr != end);
        if (!tableUnshared(start, P4D_MASK, end, floor, ceiling)) {
            return;
        }
        long table = tablePhys(pgd[pgdI]);
        setP4d(pgd, pgdI, 0);
        tlb.freeTable(start);
        sys.freePgtablePage(table);
        pgtablesBytesAdd(mm, -1);
    }

    /** free_pmd_range. */
    private static void freePmdRange(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, long[] pud, int pudI, long addr,
                                     long end, long floor, long ceiling) {
        long start = addr;
        long[] pmd = tableOf(sys, pud[pudI]);
        long next;
        do {
            next = pmdAddrEnd(addr, end);
            int i = pmdIndex(addr);
            if (!noneOrClearBad(sys, pmd, i, 2)) {
                freePteRange(sys, tlb, mm, pmd, i, addr);
            }
            addr = next;
        } while (addr != end);
        if (!tableUnshared(start, PUD_MASK, end, floor, ceiling)) {
            return;
        }
        long table = tablePhys(pud[pudI]);
        pud[pudI] = 0;
        tlb.freeTable(start);
        pgtableFree(sys, table);
        pgtablesBytesAdd(mm, -1);
    }

    /** free_pte_range. */
    private static void freePteRange(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, long[] pmd, int i, long addr) {
        long table = tablePhys(pmd[i]);
        pmd[i] = 0;
        tlb.freeTable(addr);
        pgtableFree(sys, table);
        pgtablesBytesAdd(mm, -1);
    }

    /** *_none_or_clear_bad of entry {@code t[i]} at {@code level} (4: p4d in the pgd, 3: pud, 2: pmd). */
    static boolean noneOrClearBad(HeapMmSystem sys, long[] t, int i, int level) {
        long e = t[i];
        if (tableNone(e)) {
            return true;
        }
        boolean bad = level == 4 ? p4dBad(e) : level == 3 ? pudBad(e) : pmdBad(e);
        if (bad) {
            sys.log().alert("bad " + (level == 4 ? "p4d" : level == 3 ? "pud" : "pmd") + " 0x" + Long.toHexString(e));
            if (level == 4) {
                setP4d(t, i, 0);
            } else {
                t[i] = 0;
            }
            return true;
        }
        return false;
    }
}
