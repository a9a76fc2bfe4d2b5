package org.kfork.kernel.mm;

import static org.kfork.kernel.mm.MmTypes.anonVma;
import static org.kfork.kernel.mm.MmTypes.mmAdd;
import static org.kfork.kernel.mm.MmTypes.mmGet;
import static org.kfork.kernel.mm.MmTypes.vmEnd;
import static org.kfork.kernel.mm.MmTypes.vmFile;
import static org.kfork.kernel.mm.MmTypes.vmFlags;
import static org.kfork.kernel.mm.MmTypes.vmNext;
import static org.kfork.kernel.mm.MmTypes.vmPgoff;
import static org.kfork.kernel.mm.MmTypes.vmStart;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Fault.*;
import static org.kfork.mm.Mman.PAGE_MASK;
import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.Mman.PAGE_SIZE;
import static org.kfork.mm.Pgtable.*;
import static org.kfork.mm.VmFlags.*;

import org.kfork.kernel.arch.MmuContext;
import org.kfork.kernel.fs.FileTable;
import org.kfork.kernel.struct.MmRssStat;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Mem;
import org.kfork.machine.Ram;
import org.kfork.mm.MmuGather;
import org.kfork.mm.VmRules;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/**
 * 5.12 mm/memory.c, the pages of an mm: the fault path (handle_mm_fault, handle_pte_fault,
 * do_anonymous_page, do_fault with do_read_fault, do_cow_fault and do_shared_fault over the
 * files' page caches of {@link Filemap}, do_wp_page with wp_page_reuse and wp_page_copy), fork's
 * copy_page_range,
 * and the unmap path (unmap_vmas down to zap_pte_range), over the tables that
 * {@link PageTables} walks, populates and frees. Static over modeled addresses and free of Java
 * allocation; the caller holds the big lock. The heap twin is
 * {@link org.kfork.heap.mm.HeapMemory}.
 *
 * <p>Invariants kept:
 * <ul>
 *   <li>A pte is none or maps a page present to the kernel (no swap: never a swap entry).</li>
 *   <li>Every normal page a pte maps is either an anonymous page of that mm alone (in a VMA
 *       without a file, or a private file mapping's copy; fork copies them: see
 *       {@link #copyPageRange}), counted in MM_ANONPAGES and freed when its pte is zapped; or
 *       the page cache's page of the VMA's file at the pte's offset, counted in MM_FILEPAGES or
 *       MM_SHMEMPAGES, which the cache owns: a zap only unmaps it. The zero page (a read of
 *       untouched anonymous memory) is special: never counted, never freed.</li>
 *   <li>rss_stat counts the normal pages the mm's ptes map, by kind (MM_ANONPAGES,
 *       MM_FILEPAGES, MM_SHMEMPAGES).</li>
 *   <li>A pte allows no more than its VMA: a write needs VM_WRITE, which the fault path checks
 *       before it makes a pte writable, and mprotect's change_protection rewrites the ptes of the
 *       range it changes.</li>
 * </ul>
 */
public final class Memory {
    private Memory() {
    }

    // =========================================================================================
    // Pages
    // =========================================================================================

    /** inc_mm_counter / add_mm_counter (the model keeps no per-task rss cache: see docs/mm.md). */
    static void addMmCounter(long mm, int member, long value) {
        mmAdd(mm, MmStruct.RSS_STAT + MmRssStat.COUNT + (long) Long.BYTES * member, value);
    }

    /** get_mm_counter. */
    public static long getMmCounter(long mm, int member) {
        return getLong(mm + MmStruct.RSS_STAT + MmRssStat.COUNT + (long) Long.BYTES * member);
    }

    /** get_mm_rss: the pages the mm maps (file, anonymous and shmem). */
    public static long getMmRss(long mm) {
        return getMmCounter(mm, Limits.MM_FILEPAGES) + getMmCounter(mm, Limits.MM_ANONPAGES)
            + getMmCounter(mm, Limits.MM_SHMEMPAGES);
    }

    /** update_hiwater_rss: the peak rss before an unmap lowers it. */
    static void updateHiwaterRss(long mm) {
        long rss = getMmRss(mm);
        if (Long.compareUnsigned(getLong(mm + MmStruct.HIWATER_RSS), rss) < 0) {
            putLong(mm + MmStruct.HIWATER_RSS, rss);
        }
    }

    /**
     * vm_normal_page: the page a present pte maps, as a direct-map address, or 0 for a special
     * pte (the zero page; the model has no VM_PFNMAP or VM_MIXEDMAP areas).
     */
    static long vmNormalPage(OffHeapMmSystem sys, long pte) {
        if (pteSpecial(pte)) {
            if (ptePhys(pte) != sys.zeroPagePhys()) {
                sys.log().alert("BUG: Bad page map: special pte 0x" + Long.toHexString(pte));
            }
            return 0;
        }
        return Ram.physToVirt(ptePhys(pte));
    }

    /** linear_page_index: the file page (or anonymous pgoff) that {@code addr} of the VMA maps. */
    static long linearPageIndex(long vma, long addr) {
        return ((addr - vmStart(vma)) >>> PAGE_SHIFT) + vmPgoff(vma);
    }

    /**
     * PageAnon for a normal page that a pte of {@code vma} maps at {@code addr}. The model keeps
     * no struct page: a page of a VMA without a file is anonymous, a page of a shared mapping is
     * its file's, and in a private file mapping a page is anonymous unless it is the page cache's
     * page for that offset (page_mapping and page-&gt;index would say the same).
     */
    static boolean pageAnon(OffHeapMmSystem sys, long vma, long addr, long page) {
        long file = vmFile(vma);
        if (file == 0) {
            return true;
        }
        if ((vmFlags(vma) & VM_SHARED) != 0) {
            return false;
        }
        return Filemap.findGetPage(FileTable.fileMapping(file), linearPageIndex(vma, addr)) != page;
    }

    /** mm_counter_file: shmem's pages are MM_SHMEMPAGES (PageSwapBacked), other files' MM_FILEPAGES. */
    static int mmCounterFile(OffHeapMmSystem sys, long vma) {
        return sys.shmem.isShmemFile(vmFile(vma)) ? Limits.MM_SHMEMPAGES : Limits.MM_FILEPAGES;
    }

    /** mm_counter. */
    static int mmCounter(OffHeapMmSystem sys, long vma, long addr, long page) {
        return pageAnon(sys, vma, addr, page) ? Limits.MM_ANONPAGES : mmCounterFile(sys, vma);
    }

    /** The page of an anonymous fault or copy: alloc_page_vma (failslab first), or 0. */
    private static long allocUserPage(OffHeapMmSystem sys, boolean zero) {
        long page = sys.allocUserPage();
        if (page != 0 && zero) {
            Mem.zero(page, PAGE_SIZE); // alloc_zeroed_user_highpage_movable
        }
        return page;
    }

    // =========================================================================================
    // The fault path
    // =========================================================================================

    /**
     * handle_mm_fault for an access to {@code address} inside {@code vma} that the VMA allows
     * (access_error passed): returns vm_fault_t bits, 0 when the pte now allows the access. No
     * huge pages: a hugetlb area has no huge page pool (VM_FAULT_SIGBUS), and THP is not
     * modelled (create_huge_pmd falls back).
     */
    public static int handleMmFault(OffHeapMmSystem sys, long vma, long address, int flags) {
        if ((vmFlags(vma) & VM_HUGETLB) != 0) {
            return VM_FAULT_SIGBUS; // hugetlb_no_page: alloc_huge_page finds no huge page
        }
        long mm = getLong(vma + VmAreaStruct.VM_MM);
        long addr = address & PAGE_MASK;
        long p4d = PageTables.pgdOffset(mm, address); // p4d_alloc: nothing to allocate when folded
        long pud = PageTables.pudAlloc(sys, mm, p4d, address);
        if (pud == 0) {
            return VM_FAULT_OOM;
        }
        long pmd = PageTables.pmdAlloc(sys, mm, pud, address);
        if (pmd == 0) {
            return VM_FAULT_OOM;
        }
        return handlePteFault(sys, vma, addr, flags, pmd);
    }

    /** handle_pte_fault: a missing pte is a new page; a present one may need a write fault. */
    static int handlePteFault(OffHeapMmSystem sys, long vma, long addr, int flags, long pmd) {
        long pte = 0;
        long orig = 0;
        if (!tableNone(getLong(pmd))) {
            pte = PageTables.pteOffset(pmd, addr);
            orig = getLong(pte);
            if (pteNone(orig)) {
                pte = 0;
            }
        }
        if (pte == 0) {
            return getLong(vma + VmAreaStruct.VM_OPS) == 0 ? doAnonymousPage(sys, vma, addr, flags, pmd)
                : doFault(sys, vma, addr, flags, pmd);
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
            putLong(pte, entry); // ptep_set_access_flags changes a pte only for a write
        }
        return 0;
    }

    /**
     * do_anonymous_page: a read maps the zero page; a write gets a zeroed page of its own, after
     * anon_vma_prepare, counted in MM_ANONPAGES.
     */
    static int doAnonymousPage(OffHeapMmSystem sys, long vma, long addr, int flags, long pmd) {
        long flagsOfVma = vmFlags(vma);
        if ((flagsOfVma & VM_SHARED) != 0) {
            return VM_FAULT_SIGBUS; // a shared mapping without vm_ops
        }
        long mm = getLong(vma + VmAreaStruct.VM_MM);
        if (PageTables.pteAlloc(sys, mm, pmd) != 0) {
            return VM_FAULT_OOM;
        }
        long prot = getLong(vma + VmAreaStruct.VM_PAGE_PROT);
        long pte = PageTables.pteOffset(pmd, addr);
        if ((flags & FAULT_FLAG_WRITE) == 0) {
            if (pteNone(getLong(pte))) {
                putLong(pte, pteMkspecial(pfnPte(sys.zeroPagePhys(), prot)));
            }
            return 0;
        }
        if (anonVma(vma) == 0 && Rmap.anonVmaPrepare(sys, vma) != 0) {
            return VM_FAULT_OOM;
        }
        long page = allocUserPage(sys, true);
        if (page == 0) {
            return VM_FAULT_OOM;
        }
        long entry = pfnPte(Ram.virtToPhys(page), prot);
        if ((flagsOfVma & VM_WRITE) != 0) {
            entry = pteMkwrite(pteMkdirty(entry));
        }
        if (!pteNone(getLong(pte))) {
            sys.freeUserPage(page);
            return 0;
        }
        addMmCounter(mm, Limits.MM_ANONPAGES, 1);
        putLong(pte, entry);
        return 0;
    }

    /**
     * __do_fault: the file's vm_ops-&gt;fault ({@link Filemap#vmFault}) for the page {@code addr}
     * maps: its physical address, or the VM_FAULT_* code negated.
     */
    static long doFaultPage(OffHeapMmSystem sys, long vma, long addr) {
        long mm = getLong(vma + VmAreaStruct.VM_MM);
        return Filemap.vmFault(sys, vmFile(vma), linearPageIndex(vma, addr), mmGet(mm, MmStruct.TOTAL_VM));
    }

    /**
     * finish_fault with do_set_pte: the pte table if missing, then {@code page} mapped with the
     * VMA's protection (dirty, and writable if the VMA is, for a write), counted as an anonymous
     * page (a private copy) or as the file's.
     */
    static int finishFault(OffHeapMmSystem sys, long vma, long addr, int flags, long pmd, long page) {
        long mm = getLong(vma + VmAreaStruct.VM_MM);
        if (PageTables.pteAlloc(sys, mm, pmd) != 0) {
            return VM_FAULT_OOM;
        }
        long pte = PageTables.pteOffset(pmd, addr);
        if (!pteNone(getLong(pte))) {
            return VM_FAULT_NOPAGE;
        }
        boolean write = (flags & FAULT_FLAG_WRITE) != 0;
        long entry = pfnPte(Ram.virtToPhys(page), getLong(vma + VmAreaStruct.VM_PAGE_PROT));
        if (write) {
            entry = maybeMkwrite(pteMkdirty(entry), vmFlags(vma));
        }
        if (write && (vmFlags(vma) & VM_SHARED) == 0) {
            addMmCounter(mm, Limits.MM_ANONPAGES, 1); // page_add_new_anon_rmap
        } else {
            addMmCounter(mm, mmCounterFile(sys, vma), 1); // page_add_file_rmap
        }
        putLong(pte, entry);
        return 0;
    }

    /** do_read_fault: the page cache's page, mapped read-only (no fault-around). */
    static int doReadFault(OffHeapMmSystem sys, long vma, long addr, int flags, long pmd) {
        long phys = doFaultPage(sys, vma, addr);
        if (phys < 0) {
            return (int) -phys;
        }
        return finishFault(sys, vma, addr, flags, pmd, Ram.physToVirt(phys));
    }

    /**
     * do_cow_fault: a write to a private file mapping gets a private copy of the page cache's page
     * (anon_vma_prepare, the copy, the file's page), counted as anonymous.
     */
    static int doCowFault(OffHeapMmSystem sys, long vma, long addr, int flags, long pmd) {
        if (anonVma(vma) == 0 && Rmap.anonVmaPrepare(sys, vma) != 0) {
            return VM_FAULT_OOM;
        }
        long cow = allocUserPage(sys, false);
        if (cow == 0) {
            return VM_FAULT_OOM;
        }
        long phys = doFaultPage(sys, vma, addr);
        if (phys < 0) {
            sys.freeUserPage(cow);
            return (int) -phys;
        }
        Mem.copy(Ram.physToVirt(phys), cow, PAGE_SIZE); // copy_user_highpage
        int ret = finishFault(sys, vma, addr, flags, pmd, cow);
        if (ret != 0) {
            sys.freeUserPage(cow);
        }
        return ret;
    }

    /**
     * do_shared_fault: a write to a shared mapping maps the page cache's page writable and dirty.
     * No VMA of the model has page_mkwrite and no page is written back, so the steps are
     * do_read_fault's (finish_fault sees the write flag).
     */
    static int doSharedFault(OffHeapMmSystem sys, long vma, long addr, int flags, long pmd) {
        return doReadFault(sys, vma, addr, flags, pmd);
    }

    /** do_fault: every file of the model has a ->fault; a read, a private write, a shared write. */
    static int doFault(OffHeapMmSystem sys, long vma, long addr, int flags, long pmd) {
        if ((flags & FAULT_FLAG_WRITE) == 0) {
            return doReadFault(sys, vma, addr, flags, pmd);
        }
        if ((vmFlags(vma) & VM_SHARED) == 0) {
            return doCowFault(sys, vma, addr, flags, pmd);
        }
        return doSharedFault(sys, vma, addr, flags, pmd);
    }

    /**
     * do_wp_page: a write to a present pte that is not writable. An anonymous page is the mm's
     * alone (fork copies them), so it is reused (made writable); a shared file page is made
     * writable after page_mkwrite (wp_page_shared); the zero page and a private mapping's page
     * cache page are copied (wp_page_copy).
     */
    static int doWpPage(OffHeapMmSystem sys, long vma, long addr, long pte, long orig) {
        long page = vmNormalPage(sys, orig);
        long flags = vmFlags(vma);
        boolean sharedWritable = (flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED);
        if (page == 0) {
            if (sharedWritable) {
                wpPageReuse(vma, pte, orig); // wp_pfn_shared without pfn_mkwrite
                return VM_FAULT_WRITE;
            }
            return wpPageCopy(sys, vma, addr, pte, orig, 0);
        }
        if (pageAnon(sys, vma, addr, page) || sharedWritable) {
            wpPageReuse(vma, pte, orig); // the only mapping of the page; or wp_page_shared
            return VM_FAULT_WRITE;
        }
        return wpPageCopy(sys, vma, addr, pte, orig, page);
    }

    /** wp_page_reuse: the same page, young, dirty and writable (the VMA allows writes). */
    static void wpPageReuse(long vma, long pte, long orig) {
        long entry = maybeMkwrite(pteMkdirty(pteMkyoung(orig)), vmFlags(vma));
        if (entry != orig) {
            putLong(pte, entry);
        }
    }

    /**
     * wp_page_copy: a new anonymous page, zeroed for the zero page or a copy of {@code oldPage},
     * replaces the pte (ptep_clear_flush: the old pte was present, so the TLB is flushed); a page
     * cache page leaves the file counter for MM_ANONPAGES.
     */
    static int wpPageCopy(OffHeapMmSystem sys, long vma, long addr, long pte, long orig, long oldPage) {
        if (anonVma(vma) == 0 && Rmap.anonVmaPrepare(sys, vma) != 0) {
            return VM_FAULT_OOM;
        }
        long newPage;
        if (ptePhys(orig) == sys.zeroPagePhys()) {
            newPage = allocUserPage(sys, true);
        } else {
            newPage = allocUserPage(sys, false);
            if (newPage != 0) {
                Mem.copy(oldPage, newPage, PAGE_SIZE); // cow_user_page
            }
        }
        if (newPage == 0) {
            return VM_FAULT_OOM;
        }
        long mm = getLong(vma + VmAreaStruct.VM_MM);
        if (oldPage != 0) {
            addMmCounter(mm, mmCounterFile(sys, vma), -1); // not anonymous: do_wp_page reuses those
        }
        addMmCounter(mm, Limits.MM_ANONPAGES, 1);
        long entry = pfnPte(Ram.virtToPhys(newPage), getLong(vma + VmAreaStruct.VM_PAGE_PROT));
        entry = maybeMkwrite(pteMkdirty(entry), vmFlags(vma));
        putLong(pte, 0);
        MmuContext.flushTlbMmRange(mm); // ptep_clear_flush: flush_tlb_page
        putLong(pte, entry);
        return VM_FAULT_WRITE;
    }

    // =========================================================================================
    // fork: copy_page_range
    // =========================================================================================

    /**
     * copy_page_range: the child's ptes for {@code src}'s populated pages. As 5.12, a VMA without
     * an anon_vma is not copied (faults fill it from its file). Every anonymous page is copied at
     * once, as 5.12's copy_present_page copies a page that may be DMA-pinned (the model has no
     * page refcounts, hence no copy-on-write: docs/mm.md); page cache pages and the zero page are
     * shared. Returns 0 or -ENOMEM; what was copied before a failure stays in the child, whose
     * teardown frees it.
     */
    public static int copyPageRange(OffHeapMmSystem sys, long dst, long src) {
        sys.copyPageRange();
        long flags = vmFlags(src);
        if ((flags & (VM_HUGETLB | VM_PFNMAP | VM_MIXEDMAP)) == 0 && anonVma(src) == 0) {
            return 0;
        }
        if ((flags & VM_HUGETLB) != 0) {
            return 0; // copy_hugetlb_page_range: no huge page is ever mapped
        }
        long srcMm = getLong(src + VmAreaStruct.VM_MM);
        long dstMm = getLong(dst + VmAreaStruct.VM_MM);
        boolean isCow = VmRules.isCowMapping(flags);
        if (isCow) {
            Mem.putInt(srcMm + MmStruct.WRITE_PROTECT_SEQ, Mem.getInt(srcMm + MmStruct.WRITE_PROTECT_SEQ) + 1); // raw_write_seqcount_begin
        }
        int ret = 0;
        long end = vmEnd(src);
        long next;
        for (long addr = vmStart(src); addr != end; addr = next) {
            next = pgdAddrEnd(addr, end);
            long srcP4d = PageTables.pgdOffset(srcMm, addr);
            if (PageTables.noneOrClearBad(sys, srcP4d, 4)) {
                continue;
            }
            if (copyPudRange(sys, dst, src, PageTables.pgdOffset(dstMm, addr), srcP4d, addr, next) != 0) {
                ret = -Errno.ENOMEM;
                break;
            }
        }
        if (isCow) {
            Mem.putInt(srcMm + MmStruct.WRITE_PROTECT_SEQ, Mem.getInt(srcMm + MmStruct.WRITE_PROTECT_SEQ) + 1); // raw_write_seqcount_end
        }
        return ret;
    }

    /** copy_p4d_range's body and copy_pud_range. */
    private static int copyPudRange(OffHeapMmSystem sys, long dst, long src, long dstP4d, long srcP4d, long addr,
                                    long end) {
        long dstMm = getLong(dst + VmAreaStruct.VM_MM);
        long dstPud = PageTables.pudAlloc(sys, dstMm, dstP4d, addr);
        if (dstPud == 0) {
            return -Errno.ENOMEM;
        }
        long srcPud = PageTables.pudOffset(srcP4d, addr);
        long next;
        for (; addr != end; addr = next, dstPud += 8, srcPud += 8) {
            next = pudAddrEnd(addr, end);
            if (PageTables.noneOrClearBad(sys, srcPud, 3)) {
                continue;
            }
            if (copyPmdRange(sys, dst, src, dstPud, srcPud, addr, next) != 0) {
                return -Errno.ENOMEM;
            }
        }
        return 0;
    }

    /** copy_pmd_range. */
    private static int copyPmdRange(OffHeapMmSystem sys, long dst, long src, long dstPud, long srcPud, long addr,
                                    long end) {
        long dstMm = getLong(dst + VmAreaStruct.VM_MM);
        long dstPmd = PageTables.pmdAlloc(sys, dstMm, dstPud, addr);
        if (dstPmd == 0) {
            return -Errno.ENOMEM;
        }
        long srcPmd = PageTables.pmdOffset(srcPud, addr);
        long next;
        for (; addr != end; addr = next, dstPmd += 8, srcPmd += 8) {
            next = pmdAddrEnd(addr, end);
            if (PageTables.noneOrClearBad(sys, srcPmd, 2)) {
                continue;
            }
            if (copyPteRange(sys, dst, src, dstPmd, srcPmd, addr, next) != 0) {
                return -Errno.ENOMEM;
            }
        }
        return 0;
    }

    /**
     * copy_pte_range: when a pte needs a page of its own (copy_present_pte says -EAGAIN), the
     * walk stops, page_copy_prealloc allocates one, and the walk resumes at that pte.
     */
    private static int copyPteRange(OffHeapMmSystem sys, long dst, long src, long dstPmd, long srcPmd, long addr,
                                    long end) {
        long dstMm = getLong(dst + VmAreaStruct.VM_MM);
        long prealloc = 0;
        int ret = 0;
        do {
            if (PageTables.pteAlloc(sys, dstMm, dstPmd) != 0) { // pte_alloc_map_lock
                ret = -Errno.ENOMEM;
                break;
            }
            long dstPte = PageTables.pteOffset(dstPmd, addr);
            long srcPte = PageTables.pteOffset(srcPmd, addr);
            long anon = 0;
            long file = 0;
            int need = 0;
            for (; addr != end; addr += PAGE_SIZE, dstPte += 8, srcPte += 8) {
                long pte = getLong(srcPte);
                if (pteNone(pte)) {
                    continue;
                }
                if (!ptePresent(pte)) {
                    throw new IllegalStateException("a swap pte 0x" + Long.toHexString(pte) + " (the model has no swap)");
                }
                need = copyPresentPte(sys, dst, src, dstPte, srcPte, addr, prealloc);
                if (need < 0) {
                    break; // -EAGAIN: this pte needs a page first
                }
                if (need == COPIED_ANON) {
                    prealloc = 0; // consumed
                    anon++;
                } else if (need == SHARED_FILE) {
                    file++;
                }
            }
            addMmCounter(dstMm, Limits.MM_ANONPAGES, anon); // add_mm_rss_vec
            if (file != 0) {
                addMmCounter(dstMm, mmCounterFile(sys, src), file);
            }
            if (need < 0) {
                prealloc = allocUserPage(sys, false); // page_copy_prealloc
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

    /** copy_present_pte's outcomes: the pte was copied without a page, */
    private static final int SHARED = 0;
    /** ... a page cache page is shared, */
    private static final int SHARED_FILE = 1;
    /** ... an anonymous page was copied into the preallocated page. */
    private static final int COPIED_ANON = 2;

    /**
     * copy_present_pte, with copy_present_page for anonymous pages: the child gets the
     * preallocated page (or -EAGAIN asks for one) holding a copy, mapped dirty and writable if
     * the VMA is; any other pte is copied, write-protected in a COW mapping, clean in a shared
     * one, old in every case.
     */
    private static int copyPresentPte(OffHeapMmSystem sys, long dst, long src, long dstPte, long srcPte, long addr,
                                      long prealloc) {
        long flags = vmFlags(src);
        long pte = getLong(srcPte);
        long page = vmNormalPage(sys, pte);
        int outcome = SHARED;
        if (page != 0) {
            if (pageAnon(sys, src, addr, page)) {
                if (prealloc == 0) {
                    return -Errno.EAGAIN;
                }
                Mem.copy(page, prealloc, PAGE_SIZE); // copy_user_highpage
                long entry = pfnPte(Ram.virtToPhys(prealloc), getLong(dst + VmAreaStruct.VM_PAGE_PROT));
                putLong(dstPte, maybeMkwrite(pteMkdirty(entry), vmFlags(dst)));
                return COPIED_ANON;
            }
            outcome = SHARED_FILE; // get_page, page_dup_rmap
        }
        if (VmRules.isCowMapping(flags) && pteWrite(pte)) {
            putLong(srcPte, pteWrprotect(pte)); // ptep_set_wrprotect
            pte = pteWrprotect(pte);
        }
        if ((flags & VM_SHARED) != 0) {
            pte = pteMkclean(pte);
        }
        pte = pteMkold(pte);
        if ((flags & VM_UFFD_WP) == 0) {
            pte = pteClearUffdWp(pte);
        }
        putLong(dstPte, pte);
        return outcome;
    }

    // =========================================================================================
    // Unmapping: unmap_vmas and zap_*_range
    // =========================================================================================

    /**
     * unmap_vmas: zap the ptes of [start, end) in {@code vma} and the VMAs after it that start
     * below end ({@code end} -1: everything, as exit_mmap asks).
     */
    static void unmapVmas(OffHeapMmSystem sys, MmuGather tlb, long mm, long vma, long start, long end) {
        for (; vma != 0 && Long.compareUnsigned(vmStart(vma), end) < 0; vma = vmNext(vma)) {
            unmapSingleVma(sys, tlb, mm, vma, start, end);
        }
    }

    /** unmap_single_vma: the part of [start, end) inside {@code vma}; hugetlb areas hold no ptes. */
    private static void unmapSingleVma(OffHeapMmSystem sys, MmuGather tlb, long mm, long vma, long startAddr,
                                       long endAddr) {
        long start = Long.compareUnsigned(vmStart(vma), startAddr) > 0 ? vmStart(vma) : startAddr;
        if (Long.compareUnsigned(start, vmEnd(vma)) >= 0) {
            return;
        }
        long end = Long.compareUnsigned(vmEnd(vma), endAddr) < 0 ? vmEnd(vma) : endAddr;
        if (Long.compareUnsigned(end, vmStart(vma)) <= 0) {
            return;
        }
        if (start != end && (vmFlags(vma) & VM_HUGETLB) == 0) {
            unmapPageRange(sys, tlb, mm, vma, start, end);
        }
    }

    /** unmap_page_range, with zap_p4d_range folded into the pgd loop. */
    private static void unmapPageRange(OffHeapMmSystem sys, MmuGather tlb, long mm, long vma, long addr, long end) {
        long next;
        for (; addr != end; addr = next) {
            next = pgdAddrEnd(addr, end);
            long p4d = PageTables.pgdOffset(mm, addr);
            if (PageTables.noneOrClearBad(sys, p4d, 4)) {
                continue;
            }
            zapPudRange(sys, tlb, mm, vma, p4d, addr, next);
        }
        if (tlb.endVma()) { // tlb_end_vma
            MmuContext.flushTlbMmRange(mm);
        }
    }

    /** zap_pud_range. */
    private static void zapPudRange(OffHeapMmSystem sys, MmuGather tlb, long mm, long vma, long p4d, long addr,
                                    long end) {
        long pud = PageTables.pudOffset(p4d, addr);
        long next;
        for (; addr != end; addr = next, pud += 8) {
            next = pudAddrEnd(addr, end);
            if (PageTables.noneOrClearBad(sys, pud, 3)) {
                continue;
            }
            zapPmdRange(sys, tlb, mm, vma, pud, addr, next);
        }
    }

    /** zap_pmd_range. */
    private static void zapPmdRange(OffHeapMmSystem sys, MmuGather tlb, long mm, long vma, long pud, long addr,
                                    long end) {
        long pmd = PageTables.pmdOffset(pud, addr);
        long next;
        for (; addr != end; addr = next, pmd += 8) {
            next = pmdAddrEnd(addr, end);
            if (PageTables.noneOrClearBad(sys, pmd, 2)) {
                continue;
            }
            zapPteRange(sys, tlb, mm, vma, pmd, addr, next);
        }
    }

    /**
     * zap_pte_range: clear each pte; an anonymous page is freed (its last mapping went), a page
     * cache page stays with its file; the rss counters drop; a dirty file pte forces a flush.
     */
    private static void zapPteRange(OffHeapMmSystem sys, MmuGather tlb, long mm, long vma, long pmd, long addr,
                                    long end) {
        long pte = PageTables.pteOffset(pmd, addr);
        long anon = 0;
        long file = 0;
        boolean forceFlush = false;
        for (; addr != end; addr += PAGE_SIZE, pte += 8) {
            long ptent = getLong(pte);
            if (pteNone(ptent)) {
                continue;
            }
            if (!ptePresent(ptent)) {
                throw new IllegalStateException("a swap pte 0x" + Long.toHexString(ptent) + " (the model has no swap)");
            }
            long page = vmNormalPage(sys, ptent);
            putLong(pte, 0); // ptep_get_and_clear_full
            tlb.removeTlbEntry(addr);
            if (page == 0) {
                continue;
            }
            if (pageAnon(sys, vma, addr, page)) {
                anon++;
                sys.freeUserPage(page); // page_remove_rmap, then the last put_page
            } else {
                if (pteDirty(ptent)) {
                    forceFlush = true; // set_page_dirty
                }
                file++;
            }
        }
        addMmCounter(mm, Limits.MM_ANONPAGES, -anon); // add_mm_rss_vec
        if (file != 0) {
            addMmCounter(mm, mmCounterFile(sys, vma), -file);
        }
        if (forceFlush && tlb.flushTlbOnly()) {
            MmuContext.flushTlbMmRange(mm);
        }
    }

}
