package org.kfork.heap.mm;

import static org.kfork.mm.Fault.*;
import static org.kfork.mm.Mman.PAGE_MASK;
import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.Mman.PAGE_SIZE;
import static org.kfork.mm.Pgtable.*;
import static org.kfork.mm.VmFlags.*;

import org.kfork.heap.arch.HeapMmuContext;
import org.kfork.mm.MmuGather;
import org.kfork.mm.VmRules;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Memory} (5.12 mm/memory.c, the pages of an mm):
 * the same fault, copy and unmap steps in the same order over the tables of
 * {@link HeapPageTables}, entries holding {@code pfn << PAGE_SHIFT} with the same flag bits, so
 * both kernels allocate and free the same tables and pages at the same points; file-backed faults
 * take their pages from {@link HeapFilemap}. The caller holds the big lock.
 */
public final class HeapMemory {
    private HeapMemory() {
    }

    // =========================================================================================
    // Pages
    // =========================================================================================

    /** add_mm_counter. */
    static void addMmCounter(HeapMmStruct mm, int member, long value) {
        mm.rssStat[member] += value;
    }

    /** get_mm_rss. */
    public static long getMmRss(HeapMmStruct mm) {
        return mm.rssStat[Limits.MM_FILEPAGES] + mm.rssStat[Limits.MM_ANONPAGES] + mm.rssStat[Limits.MM_SHMEMPAGES];
    }

    /** update_hiwater_rss. */
    static void updateHiwaterRss(HeapMmStruct mm) {
        long rss = getMmRss(mm);
        if (Long.compareUnsigned(mm.hiwaterRss, rss) < 0) {
            mm.hiwaterRss = rss;
        }
    }

    /** vm_normal_page: the physical address of the page a present pte maps, or 0 for a special pte. */
    static long vmNormalPage(HeapMmSystem sys, long pte) {
        if (pteSpecial(pte)) {
            if (ptePhys(pte) != sys.zeroPagePhys()) {
                sys.log().alert("BUG: Bad page map: special pte 0x" + Long.toHexString(pte));
            }
            return 0;
        }
        return ptePhys(pte);
    }

    /** linear_page_index. */
    static long linearPageIndex(HeapVma vma, long addr) {
        return ((addr - vma.vmStart) >>> PAGE_SHIFT) + vma.vmPgoff;
    }

    /** PageAnon (see the off-heap twin). */
    static boolean pageAnon(HeapMmSystem sys, HeapVma vma, long addr, long page) {
        if (vma.vmFile == null) {
            return true;
        }
        if ((vma.vmFlags & VM_SHARED) != 0) {
            return false;
        }
        return HeapFilemap.findGetPage(vma.vmFile.fMapping, linearPageIndex(vma, addr)) != page;
    }

    /** mm_counter_file. */
    static int mmCounterFile(HeapMmSystem sys, HeapVma vma) {
        return sys.shmem.isShmemFile(vma.vmFile) ? Limits.MM_SHMEMPAGES : Limits.MM_FILEPAGES;
    }

    // =========================================================================================
    // The fault path
    // =========================================================================================

    /** handle_mm_fault (see the off-heap twin). */
    public static int handleMmFault(HeapMmSystem sys, HeapVma vma, long address, int flags) {
        if ((vma.vmFlags & VM_HUGETLB) != 0) {
            return VM_FAULT_SIGBUS;
        }
        HeapMmStruct mm = vma.vmMm;
        long addr = address & PAGE_MASK;
        long[] pud = HeapPageTables.pudAlloc(sys, mm, mm.pgd, pgdIndex(address));
        if (pud == null) {
            return VM_FAULT_OOM;
        }
        long[] pmd = HeapPageTables.pmdAlloc(sys, mm, pud, pudIndex(address));
        if (pmd == null) {
            return VM_FAULT_OOM;
        }
        return handlePteFault(sys, vma, addr, flags, pmd, pmdIndex(address));
    }

    /** handle_pte_fault. */
    static int handlePteFault(HeapMmSystem sys, HeapVma vma, long addr, int flags, long[] pmd, int pmdI) {
        long[] pte = null;
        long orig = 0;
        if (!tableNone(pmd[pmdI])) {
            pte = HeapPageTables.tableOf(sys, pmd[pmdI]);
            orig = pte[pteIndex(addr)];
            if (pteNone(orig)) {
                pte = null;
            }
        }
        if (pte == null) {
            return vma.vmOps == null ? doAnonymousPage(sys, vma, addr, flags, pmd, pmdI)
                : doFault(sys, vma, addr, flags, pmd, pmdI);
        }
        if (!ptePresent(orig)) {
            throw new IllegalStateException("a swap pte 0x" + Long.toHexString(orig) + " (the model has no swap)");
        }
        long entry = orig;
        if ((flags & FAULT_FLAG_WRITE) != 0) {
            if (!pteWrite(entry)) {
                return doWpPage(sys, vma, addr, pte, orig);
            }
            entry = pteMkdirty(entry);
        }
        entry = pteMkyoung(entry);
        if (entry != orig && (flags & FAULT_FLAG_WRITE) != 0) {
            pte[pteIndex(addr)] = entry;
        }
        return 0;
    }

    /** do_anonymous_page. */
    static int doAnonymousPage(HeapMmSystem sys, HeapVma vma, long addr, int flags, long[] pmd, int pmdI) {
        if ((vma.vmFlags & VM_SHARED) != 0) {
            return VM_FAULT_SIGBUS;
        }
        HeapMmStruct mm = vma.vmMm;
        if (HeapPageTables.pteAlloc(sys, mm, pmd, pmdI) != 0) {
            return VM_FAULT_OOM;
        }
        long[] pte = HeapPageTables.tableOf(sys, pmd[pmdI]);
        int i = pteIndex(addr);
        if ((flags & FAULT_FLAG_WRITE) == 0) {
            if (pteNone(pte[i])) {
                pte[i] = pteMkspecial(pfnPte(sys.zeroPagePhys(), vma.vmPageProt));
            }
            return 0;
        }
        if (vma.anonVma == null && HeapRmap.anonVmaPrepare(sys, vma) != 0) {
            return VM_FAULT_OOM;
        }
        long page = sys.allocUserPage(); // zeroed
        if (page == 0) {
            return VM_FAULT_OOM;
        }
        long entry = pfnPte(page, vma.vmPageProt);
        if ((vma.vmFlags & VM_WRITE) != 0) {
            entry = pteMkwrite(pteMkdirty(entry));
        }
        if (!pteNone(pte[i])) {
            sys.freeUserPage(page);
            return 0;
        }
        addMmCounter(mm, Limits.MM_ANONPAGES, 1);
        pte[i] = entry;
        return 0;
    }

    /** __do_fault: the page's physical address, or the VM_FAULT_* code negated. */
    static long doFaultPage(HeapMmSystem sys, HeapVma vma, long addr) {
        return HeapFilemap.vmFault(sys, vma.vmFile, linearPageIndex(vma, addr), vma.vmMm.totalVm);
    }

    /** finish_fault with do_set_pte. */
    static int finishFault(HeapMmSystem sys, HeapVma vma, long addr, int flags, long[] pmd, int pmdI, long page) {
        HeapMmStruct mm = vma.vmMm;
        if (HeapPageTables.pteAlloc(sys, mm, pmd, pmdI) != 0) {
            return VM_FAULT_OOM;
        }
        long[] pte = HeapPageTables.tableOf(sys, pmd[pmdI]);
        int i = pteIndex(addr);
        if (!pteNone(pte[i])) {
            return VM_FAULT_NOPAGE;
        }
        boolean write = (flags & FAULT_FLAG_WRITE) != 0;
        long entry = pfnPte(page, vma.vmPageProt);
        if (write) {
            entry = maybeMkwrite(pteMkdirty(entry), vma.vmFlags);
        }
        if (write && (vma.vmFlags & VM_SHARED) == 0) {
            addMmCounter(mm, Limits.MM_ANONPAGES, 1);
        } else {
            addMmCounter(mm, mmCounterFile(sys, vma), 1);
        }
        pte[i] = entry;
        return 0;
    }

    /** do_read_fault. */
    static int doReadFault(HeapMmSystem sys, HeapVma vma, long addr, int flags, long[] pmd, int pmdI) {
        long page = doFaultPage(sys, vma, addr);
        if (page < 0) {
            return (int) -page;
        }
        return finishFault(sys, vma, addr, flags, pmd, pmdI, page);
    }

    /** do_cow_fault. */
    static int doCowFault(HeapMmSystem sys, HeapVma vma, long addr, int flags, long[] pmd, int pmdI) {
        if (vma.anonVma == null && HeapRmap.anonVmaPrepare(sys, vma) != 0) {
            return VM_FAULT_OOM;
        }
        long cow = sys.allocUserPage();
        if (cow == 0) {
            return VM_FAULT_OOM;
        }
        long page = doFaultPage(sys, vma, addr);
        if (page < 0) {
            sys.freeUserPage(cow);
            return (int) -page;
        }
        System.arraycopy(sys.pages.page(page), 0, sys.pages.page(cow), 0, (int) PAGE_SIZE);
        int ret = finishFault(sys, vma, addr, flags, pmd, pmdI, cow);
        if (ret != 0) {
            sys.freeUserPage(cow);
        }
        return ret;
    }

    /** do_shared_fault: do_read_fault's steps (no page_mkwrite, no writeback; see the off-heap twin). */
    static int doSharedFault(HeapMmSystem sys, HeapVma vma, long addr, int flags, long[] pmd, int pmdI) {
        return doReadFault(sys, vma, addr, flags, pmd, pmdI);
    }

    /** do_fault. */
    static int doFault(HeapMmSystem sys, HeapVma vma, long addr, int flags, long[] pmd, int pmdI) {
        if ((flags & FAULT_FLAG_WRITE) == 0) {
            return doReadFault(sys, vma, addr, flags, pmd, pmdI);
        }
        if ((vma.vmFlags & VM_SHARED) == 0) {
            return doCowFault(sys, vma, addr, flags, pmd, pmdI);
        }
        return doSharedFault(sys, vma, addr, flags, pmd, pmdI);
    }

    /** do_wp_page. */
    static int doWpPage(HeapMmSystem sys, HeapVma vma, long addr, long[] pte, long orig) {
        long page = vmNormalPage(sys, orig);
        boolean sharedWritable = (vma.vmFlags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED);
        if (page == 0) {
            if (sharedWritable) {
                wpPageReuse(vma, pte, addr, orig);
                return VM_FAULT_WRITE;
            }
            return wpPageCopy(sys, vma, addr, pte, orig, 0);
        }
        if (pageAnon(sys, vma, addr, page) || sharedWritable) {
            wpPageReuse(vma, pte, addr, orig);
            return VM_FAULT_WRITE;
        }
        return wpPageCopy(sys, vma, addr, pte, orig, page);
    }

    /** wp_page_reuse. */
    static void wpPageReuse(HeapVma vma, long[] pte, long addr, long orig) {
        long entry = maybeMkwrite(pteMkdirty(pteMkyoung(orig)), vma.vmFlags);
        if (entry != orig) {
            pte[pteIndex(addr)] = entry;
        }
    }

    /** wp_page_copy. */
    static int wpPageCopy(HeapMmSystem sys, HeapVma vma, long addr, long[] pte, long orig, long oldPage) {
        if (vma.anonVma == null && HeapRmap.anonVmaPrepare(sys, vma) != 0) {
            return VM_FAULT_OOM;
        }
        long newPage = sys.allocUserPage();
        if (newPage != 0 && ptePhys(orig) != sys.zeroPagePhys()) {
            System.arraycopy(sys.pages.page(oldPage), 0, sys.pages.page(newPage), 0, (int) PAGE_SIZE);
        }
        if (newPage == 0) {
            return VM_FAULT_OOM;
        }
        HeapMmStruct mm = vma.vmMm;
        if (oldPage != 0) {
            addMmCounter(mm, mmCounterFile(sys, vma), -1);
        }
        addMmCounter(mm, Limits.MM_ANONPAGES, 1);
        long entry = maybeMkwrite(pteMkdirty(pfnPte(newPage, vma.vmPageProt)), vma.vmFlags);
        int i = pteIndex(addr);
        pte[i] = 0;
        HeapMmuContext.flushTlbMmRange(mm);
        pte[i] = entry;
        return VM_FAULT_WRITE;
    }

    // =========================================================================================
    // fork: copy_page_range
    // =========================================================================================

    /** copy_page_range (see the off-heap twin). */
    public static int copyPageRange(HeapMmSystem sys, HeapVma dst, HeapVma src) {
        sys.copyPageRange();
        long flags = src.vmFlags;
        if ((flags & (VM_HUGETLB | VM_PFNMAP | VM_MIXEDMAP)) == 0 && src.anonVma == null) {
            return 0;
        }
        if ((flags & VM_HUGETLB) != 0) {
            return 0;
        }
        HeapMmStruct srcMm = src.vmMm;
        HeapMmStruct dstMm = dst.vmMm;
        boolean isCow = VmRules.isCowMapping(flags);
        if (isCow) {
            srcMm.writeProtectSeq++;
        }
        int ret = 0;
        long end = src.vmEnd;
        long next;
        for (long addr = src.vmStart; addr != end; addr = next) {
            next = pgdAddrEnd(addr, end);
            int i = pgdIndex(addr);
            if (HeapPageTables.noneOrClearBad(sys, srcMm.pgd, i, 4)) {
                continue;
            }
            if (copyPudRange(sys, dst, src, dstMm.pgd, i, HeapPageTables.tableOf(sys, srcMm.pgd[i]), addr, next) != 0) {
                ret = -Errno.ENOMEM;
                break;
            }
        }
        if (isCow) {
            srcMm.writeProtectSeq++;
        }
        return ret;
    }

    /** copy_p4d_range's body and copy_pud_range. */
    private static int copyPudRange(HeapMmSystem sys, HeapVma dst, HeapVma src, long[] dstPgd, int dstI, long[] srcPud,
                                    long addr, long end) {
        long[] dstPud = HeapPageTables.pudAlloc(sys, dst.vmMm, dstPgd, dstI);
        if (dstPud == null) {
            return -Errno.ENOMEM;
        }
        long next;
        for (; addr != end; addr = next) {
            next = pudAddrEnd(addr, end);
            int i = pudIndex(addr);
            if (HeapPageTables.noneOrClearBad(sys, srcPud, i, 3)) {
                continue;
            }
            if (copyPmdRange(sys, dst, src, dstPud, i, HeapPageTables.tableOf(sys, srcPud[i]), addr, next) != 0) {
                return -Errno.ENOMEM;
            }
        }
        return 0;
    }

    /** copy_pmd_range. */
    private static int copyPmdRange(HeapMmSystem sys, HeapVma dst, HeapVma src, long[] dstPud, int dstI, long[] srcPmd,
                                    long addr, long end) {
        long[] dstPmd = HeapPageTables.pmdAlloc(sys, dst.vmMm, dstPud, dstI);
        if (dstPmd == null) {
            return -Errno.ENOMEM;
        }
        long next;
        for (; addr != end; addr = next) {
            next = pmdAddrEnd(addr, end);
            int i = pmdIndex(addr);
            if (HeapPageTables.noneOrClearBad(sys, srcPmd, i, 2)) {
                continue;
            }
            if (copyPteRange(sys, dst, src, dstPmd, i, HeapPageTables.tableOf(sys, srcPmd[i]), addr, next) != 0) {
                return -Errno.ENOMEM;
            }
        }
        return 0;
    }

    /** copy_pte_range. */
    private static int copyPteRange(HeapMmSystem sys, HeapVma dst, HeapVma src, long[] dstPmd, int dstI, long[] srcPte,
                                    long addr, long end) {
        HeapMmStruct dstMm = dst.vmMm;
        long prealloc = 0;
        int ret = 0;
        do {
            if (HeapPageTables.pteAlloc(sys, dstMm, dstPmd, dstI) != 0) {
                ret = -Errno.ENOMEM;
                break;
            }
            long[] dstPte = HeapPageTables.tableOf(sys, dstPmd[dstI]);
            long anon = 0;
            long file = 0;
            int need = 0;
            for (; addr != end; addr += PAGE_SIZE) {
                long pte = srcPte[pteIndex(addr)];
                if (pteNone(pte)) {
                    continue;
                }
                if (!ptePresent(pte)) {
                    throw new IllegalStateException("a swap pte 0x" + Long.toHexString(pte) + " (the model has no swap)");
                }
                need = copyPresentPte(sys, dst, src, dstPte, srcPte, addr, prealloc);
                if (need < 0) {
                    break;
                }
                if (need == COPIED_ANON) {
                    prealloc = 0;
                    anon++;
                } else if (need == SHARED_FILE) {
                    file++;
                }
            }
            addMmCounter(dstMm, Limits.MM_ANONPAGES, anon);
            if (file != 0) {
                addMmCounter(dstMm, mmCounterFile(sys, src), file);
            }
            if (need < 0) {
                prealloc = sys.allocUserPage();
                if (prealloc == 0) {
                    return -Errno.ENOMEM;
                }
            }
        } while (addr != end);
        if (prealloc != 0) {
            sys.freeUserPage(prealloc);
        }
        return ret;
    }

    private static final int SHARED = 0;
    private static final int SHARED_FILE = 1;
    private static final int COPIED_ANON = 2;

    /** copy_present_pte with copy_present_page. */
    private static int copyPresentPte(HeapMmSystem sys, HeapVma dst, HeapVma src, long[] dstPte, long[] srcPte,
                                      long addr, long prealloc) {
        long flags = src.vmFlags;
        int i = pteIndex(addr);
        long pte = srcPte[i];
        long page = vmNormalPage(sys, pte);
        int outcome = SHARED;
        if (page != 0) {
            if (pageAnon(sys, src, addr, page)) {
                if (prealloc == 0) {
                    return -Errno.EAGAIN;
                }
                System.arraycopy(sys.pages.page(page), 0, sys.pages.page(prealloc), 0, (int) PAGE_SIZE);
                dstPte[i] = maybeMkwrite(pteMkdirty(pfnPte(prealloc, dst.vmPageProt)), dst.vmFlags);
                return COPIED_ANON;
            }
            outcome = SHARED_FILE;
        }
        if (VmRules.isCowMapping(flags) && pteWrite(pte)) {
            srcPte[i] = pteWrprotect(pte);
            pte = pteWrprotect(pte);
        }
        if ((flags & VM_SHARED) != 0) {
            pte = pteMkclean(pte);
        }
        pte = pteMkold(pte);
        if ((flags & VM_UFFD_WP) == 0) {
            pte = pteClearUffdWp(pte);
        }
        dstPte[i] = pte;
        return outcome;
    }

    // =========================================================================================
    // Unmapping
    // =========================================================================================

    /** unmap_vmas. */
    static void unmapVmas(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, HeapVma vma, long start, long end) {
        for (; vma != null && Long.compareUnsigned(vma.vmStart, end) < 0; vma = vma.vmNext) {
            unmapSingleVma(sys, tlb, mm, vma, start, end);
        }
    }

    /** unmap_single_vma. */
    private static void unmapSingleVma(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, HeapVma vma, long startAddr,
                                       long endAddr) {
        long start = Long.compareUnsigned(vma.vmStart, startAddr) > 0 ? vma.vmStart : startAddr;
        if (Long.compareUnsigned(start, vma.vmEnd) >= 0) {
            return;
        }
        long end = Long.compareUnsigned(vma.vmEnd, endAddr) < 0 ? vma.vmEnd : endAddr;
        if (Long.compareUnsigned(end, vma.vmStart) <= 0) {
            return;
        }
        if (start != end && (vma.vmFlags & VM_HUGETLB) == 0) {
            unmapPageRange(sys, tlb, mm, vma, start, end);
        }
    }

    /** unmap_page_range. */
    private static void unmapPageRange(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, HeapVma vma, long addr,
                                       long end) {
        long next;
        for (; addr != end; addr = next) {
            next = pgdAddrEnd(addr, end);
            int i = pgdIndex(addr);
            if (HeapPageTables.noneOrClearBad(sys, mm.pgd, i, 4)) {
                continue;
            }
            zapPudRange(sys, tlb, mm, vma, HeapPageTables.tableOf(sys, mm.pgd[i]), addr, next);
        }
        if (tlb.endVma()) {
            HeapMmuContext.flushTlbMmRange(mm);
        }
    }

    /** zap_pud_range. */
    private static void zapPudRange(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, HeapVma vma, long[] pud,
                                    long addr, long end) {
        long next;
        for (; addr != end; addr = next) {
            next = pudAddrEnd(addr, end);
            int i = pudIndex(addr);
            if (HeapPageTables.noneOrClearBad(sys, pud, i, 3)) {
                continue;
            }
            zapPmdRange(sys, tlb, mm, vma, HeapPageTables.tableOf(sys, pud[i]), addr, next);
        }
    }

    /** zap_pmd_range. */
    private static void zapPmdRange(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, HeapVma vma, long[] pmd,
                                    long addr, long end) {
        long next;
        for (; addr != end; addr = next) {
            next = pmdAddrEnd(addr, end);
            int i = pmdIndex(addr);
            if (HeapPageTables.noneOrClearBad(sys, pmd, i, 2)) {
                continue;
            }
            zapPteRange(sys, tlb, mm, vma, HeapPageTables.tableOf(sys, pmd[i]), addr, next);
        }
    }

    /** zap_pte_range. */
    private static void zapPteRange(HeapMmSystem sys, MmuGather tlb, HeapMmStruct mm, HeapVma vma, long[] pte,
                                    long addr, long end) {
        long anon = 0;
        long file = 0;
        boolean forceFlush = false;
        for (; addr != end; addr += PAGE_SIZE) {
            int i = pteIndex(addr);
            long ptent = pte[i];
            if (pteNone(ptent)) {
                continue;
            }
            if (!ptePresent(ptent)) {
                throw new IllegalStateException("a swap pte 0x" + Long.toHexString(ptent) + " (the model has no swap)");
            }
            long page = vmNormalPage(sys, ptent);
            pte[i] = 0;
            tlb.removeTlbEntry(addr);
            if (page == 0) {
                continue;
            }
            if (pageAnon(sys, vma, addr, page)) {
                anon++;
                sys.freeUserPage(page);
            } else {
                if (pteDirty(ptent)) {
                    forceFlush = true;
                }
                file++;
            }
        }
        addMmCounter(mm, Limits.MM_ANONPAGES, -anon);
        if (file != 0) {
            addMmCounter(mm, mmCounterFile(sys, vma), -file);
        }
        if (forceFlush && tlb.flushTlbOnly()) {
            HeapMmuContext.flushTlbMmRange(mm);
        }
    }
}
