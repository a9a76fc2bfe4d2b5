package org.kfork.machine;

import org.kfork.smp.CurrentCpu;

/**
 * The page allocator: a binary buddy allocator over a machine's RAM window, with orders 0 to
 * {@link Abi#MAX_ORDER} - 1 as in mm/page_alloc.c.
 *
 * <p>Invariants, under the zone lock (this object's monitor):
 * <ol>
 *   <li>Every page of the window is in exactly one place: a free block on {@code free_area[o]},
 *       a CPU's page list (order 0, free, not PageBuddy), or an allocated block of the order it
 *       was allocated at.</li>
 *   <li>A block of order {@code o} starts at a page frame number that is a multiple of
 *       {@code 2^o} (the window is aligned to a MAX_ORDER block).</li>
 *   <li>Two free buddies of the same order never coexist: freeing merges them.</li>
 *   <li>{@code nrFree[o]} is the length of {@code free_area[o]}, and {@link #nrFreePages()} is
 *       the sum of {@code nrFree[o] << o}; {@link #nrPcpPages()} is the sum of the CPU lists'
 *       lengths. A free leaves its CPU's list below {@code high} (empty when high is 0).</li>
 * </ol>
 *
 * <p>The per-page metadata (the part of struct page the buddy uses: PageBuddy with its order, and
 * the free-list links) lives in Java arrays indexed by page frame number within the window. No
 * modeled code ever reads struct page, so keeping it off the modeled RAM costs no fidelity and
 * keeps the RAM untouched until pages are really used.
 *
 * <h2>Per-CPU page lists</h2>
 * As in 5.12, single pages do not go back to the buddy lists one by one: each CPU keeps a list of
 * free order-0 pages (struct per_cpu_pages), hot ones first. A freed page goes on the head of the
 * freeing CPU's list; when the list reaches {@code high}, the {@code batch} coldest pages (the tail)
 * go back to the buddy lists and merge (free_pcppages_bulk). An order-0 allocation takes the head
 * of its CPU's list, refilling an empty list with {@code batch} pages from the buddy lists first
 * (rmqueue_bulk). So the slab pages that churn as slabs come and go skip the split and the merge,
 * and come back cache-hot. Pages on these lists are free but not on the buddy lists: they are not
 * in {@link #nrFreePages()} (the kernel's NR_FREE_PAGES leaves them out too) and never merge until
 * drained. An allocation that finds nothing drains every CPU's list and tries once more
 * (drain_all_pages in the kernel's slow path), so RAM runs out only when every page is in use.
 * {@link #drainAllPages()} returns them all, as the leak check does before it counts. The lists
 * are guarded by the zone lock: they model the kernel's batching and its reuse of hot pages, not
 * its lock-free access.
 *
 * <p>Allocation and freeing are deterministic for a given assignment of threads to CPUs: the same
 * sequence of calls returns the same addresses. Pages handed out are unpoisoned in checked mode;
 * freed pages are poisoned.
 *
 * <p>Once its machine has closed, every call that reads or changes the allocator's state throws
 * {@link IllegalStateException} ({@link RamWindow}); what describes its geometry stays readable.
 */
public final class PageAllocator {
    private static final int NONE = -1;

    private final RamWindow window;
    private final long physStart;
    private final int nrPages;
    /** PageBuddy: the order of the free block that starts here, or -1. */
    private final byte[] buddyOrder;
    /** The order + 1 of the allocated block that starts here, or 0. */
    private final byte[] allocOrder;
    /** free_area[o] lists, doubly linked through page frame numbers. */
    private final int[] next;
    private final int[] prev;
    private final int[] freeHead = new int[Abi.MAX_ORDER];
    private final long[] nrFree = new long[Abi.MAX_ORDER];
    private long freePages;

    // ---- per_cpu_pages: order-0 lists linked through next/prev (a page on them is on no free_area) ----
    private final int nrCpus;
    private final int[] pcpHead;
    private final int[] pcpTail;
    private final int[] pcpCount;
    private final int pcpBatch;
    private final int pcpHigh;
    private long pcpPages;

    PageAllocator(RamWindow window, long bytes, int nrCpus) {
        final long physStart = window.physStart();
        if ((physStart & (Ram.WINDOW_ALIGN - 1)) != 0) {
            throw new IllegalArgumentException("window must be aligned to a MAX_ORDER block");
        }
        final long pages = bytes >>> Abi.PAGE_SHIFT;
        if (pages <= 0 || pages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad RAM size: " + bytes + " bytes");
        }
        this.window = window;
        this.physStart = physStart;
        this.nrPages = (int) pages;
        this.buddyOrder = new byte[nrPages];
        this.allocOrder = new byte[nrPages];
        this.next = new int[nrPages];
        this.prev = new int[nrPages];
        this.nrCpus = nrCpus;
        this.pcpHead = new int[nrCpus];
        this.pcpTail = new int[nrCpus];
        this.pcpCount = new int[nrCpus];
        java.util.Arrays.fill(pcpHead, NONE);
        java.util.Arrays.fill(pcpTail, NONE);
        // pageset_set_batch: high = 6 * batch, batch at least 1 (a zone under 16 MiB gets high 0:
        // every freed page goes straight back to the buddy lists)
        final int batch = zoneBatchsize(nrPages);
        this.pcpBatch = Math.max(1, batch);
        this.pcpHigh = 6 * batch;
        java.util.Arrays.fill(buddyOrder, (byte) NONE);
        java.util.Arrays.fill(freeHead, NONE);
        // Hand every page to the free lists in the largest aligned blocks that fit, lowest first,
        // as memblock_free_all does at boot.
        int pfn = 0;
        while (pfn < nrPages) {
            int order = Abi.MAX_ORDER - 1;
            while (order > 0 && ((pfn & ((1 << order) - 1)) != 0 || pfn + (1 << order) > nrPages)) {
                order--;
            }
            addTail(pfn, order);
            freePages += 1L << order;
            Kasan.poison(pfnToVirt(pfn), (long) Abi.PAGE_SIZE << order, Kasan.PAGE_FREE);
            pfn += 1 << order;
        }
    }

    /**
     * alloc_pages: a block of {@code 2^order} contiguous pages.
     *
     * @return the direct-map address of the first page, or 0 (NULL) when no block of that order
     *         is free (callers turn it into -ENOMEM) or when {@code order >= MAX_ORDER}, which the
     *         kernel refuses the same way
     */
    public long allocPages(int order) {
        if (order < 0) {
            throw new IllegalArgumentException("negative order " + order);
        }
        window.checkLive("alloc_pages");
        if (order >= Abi.MAX_ORDER) {
            return Abi.NULL;
        }
        final int cpu = order == 0 ? CurrentCpu.current(nrCpus) : 0;
        int pfn;
        synchronized (this) {
            pfn = order == 0 ? rmqueuePcplist(cpu) : rmqueue(order);
            if (pfn == NONE && pcpPages > 0) {
                // the slow path's drain_all_pages: pages parked on CPU lists may make up the block
                drainAllLocked();
                pfn = order == 0 ? rmqueuePcplist(cpu) : rmqueue(order);
            }
            if (pfn == NONE) {
                return Abi.NULL;
            }
            allocOrder[pfn] = (byte) (order + 1);
        }
        final long addr = pfnToVirt(pfn);
        Kasan.unpoison(addr, (long) Abi.PAGE_SIZE << order);
        return addr;
    }

    /** __rmqueue: a block of {@code order} off the buddy lists, split down as needed, or NONE. */
    private int rmqueue(int order) {
        int o = order;
        while (o < Abi.MAX_ORDER && freeHead[o] == NONE) {
            o++;
        }
        if (o == Abi.MAX_ORDER) {
            return NONE;
        }
        final int pfn = freeHead[o];
        remove(pfn, o);
        // expand(): give back the upper half at each step down, keeping the lower half.
        while (o > order) {
            o--;
            addHead(pfn + (1 << o), o);
        }
        freePages -= 1L << order;
        return pfn;
    }

    /** rmqueue_pcplist: the head of {@code cpu}'s list, refilled with a batch when empty. */
    private int rmqueuePcplist(int cpu) {
        if (pcpCount[cpu] == 0) {
            // rmqueue_bulk: each page goes to the tail, so the list keeps the buddy's order
            for (int i = 0; i < pcpBatch; i++) {
                final int pfn = rmqueue(0);
                if (pfn == NONE) {
                    break;
                }
                pcpAddTail(cpu, pfn);
            }
            if (pcpCount[cpu] == 0) {
                return NONE;
            }
        }
        final int pfn = pcpHead[cpu];
        pcpUnlink(cpu, pfn);
        return pfn;
    }

    /** alloc_page: one page, or 0 (NULL). */
    public long allocPage() {
        return allocPages(0);
    }

    /**
     * __free_pages: returns a block that {@link #allocPages} handed out, at the same order, and
     * merges it with its free buddies.
     *
     * @throws IllegalStateException on a free of an address this allocator did not hand out, at
     *                               another order, or twice ("Bad page state" in the kernel)
     */
    public void freePages(long addr, int order) {
        window.checkLive("__free_pages");
        final long phys = Ram.virtToPhys(addr);
        final long rel = phys - physStart;
        if ((addr & ~Abi.PAGE_MASK) != 0 || rel < 0 || (rel >>> Abi.PAGE_SHIFT) >= nrPages
            || order < 0 || order >= Abi.MAX_ORDER) {
            throw new IllegalStateException("bad page free: 0x" + Long.toHexString(addr) + " order " + order
                + " is not a page of this machine's RAM");
        }
        final int pfn = (int) (rel >>> Abi.PAGE_SHIFT);
        final int cpu = order == 0 ? CurrentCpu.current(nrCpus) : 0;
        synchronized (this) {
            if (allocOrder[pfn] != order + 1) {
                throw new IllegalStateException("bad page free: 0x" + Long.toHexString(addr) + " order " + order
                    + (allocOrder[pfn] == 0 ? " was not allocated (double free?)"
                    : " was allocated at order " + (allocOrder[pfn] - 1)));
            }
            allocOrder[pfn] = 0;
            Kasan.poison(addr, (long) Abi.PAGE_SIZE << order, Kasan.PAGE_FREE);
            if (order > 0) {
                freeOneBlock(pfn, order);
                return;
            }
            // free_unref_page: hot, onto the head of this CPU's list
            pcpAddHead(cpu, pfn);
            if (pcpCount[cpu] >= pcpHigh) {
                freePcppagesBulk(cpu, pcpBatch);
            }
        }
    }

    /** __free_one_page: back on the buddy lists, merged with its free buddies. */
    private void freeOneBlock(int pfn, int order) {
        freePages += 1L << order;
        int o = order;
        int p = pfn;
        while (o < Abi.MAX_ORDER - 1) {
            final int buddy = p ^ (1 << o);
            if (buddy >= nrPages || buddyOrder[buddy] != o) {
                break;
            }
            remove(buddy, o);
            p = Math.min(p, buddy);
            o++;
        }
        addHead(p, o);
    }

    /** free_pcppages_bulk: the {@code count} coldest pages of {@code cpu}'s list go to the buddy. */
    private void freePcppagesBulk(int cpu, int count) {
        for (int i = 0; i < count && pcpCount[cpu] > 0; i++) {
            final int pfn = pcpTail[cpu];
            pcpUnlink(cpu, pfn);
            freeOneBlock(pfn, 0);
        }
    }

    /**
     * drain_all_pages: every CPU's list goes back to the buddy lists (merging). The leak check
     * runs it before it counts free pages, as a cached page is not a leaked one.
     */
    public synchronized void drainAllPages() {
        window.checkLive("drain_all_pages");
        drainAllLocked();
    }

    private void drainAllLocked() {
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            freePcppagesBulk(cpu, pcpCount[cpu]);
        }
    }

    private void pcpAddHead(int cpu, int pfn) {
        final int head = pcpHead[cpu];
        next[pfn] = head;
        prev[pfn] = NONE;
        if (head != NONE) {
            prev[head] = pfn;
        } else {
            pcpTail[cpu] = pfn;
        }
        pcpHead[cpu] = pfn;
        pcpCount[cpu]++;
        pcpPages++;
    }

    private void pcpAddTail(int cpu, int pfn) {
        final int tail = pcpTail[cpu];
        prev[pfn] = tail;
        next[pfn] = NONE;
        if (tail != NONE) {
            next[tail] = pfn;
        } else {
            pcpHead[cpu] = pfn;
        }
        pcpTail[cpu] = pfn;
        pcpCount[cpu]++;
        pcpPages++;
    }

    private void pcpUnlink(int cpu, int pfn) {
        final int n = next[pfn];
        final int p = prev[pfn];
        if (p == NONE) {
            pcpHead[cpu] = n;
        } else {
            next[p] = n;
        }
        if (n == NONE) {
            pcpTail[cpu] = p;
        } else {
            prev[n] = p;
        }
        pcpCount[cpu]--;
        pcpPages--;
    }

    /**
     * zone_batchsize of 5.12: a thousandth of the zone, at most a megabyte's worth, quartered and
     * rounded down to a power of two minus one (0 for a zone under 16 MiB).
     */
    static int zoneBatchsize(long managedPages) {
        long batch = managedPages / 1024;
        if (batch * Abi.PAGE_SIZE > 1024 * 1024) {
            batch = (1024 * 1024) / Abi.PAGE_SIZE;
        }
        batch /= 4;
        if (batch < 1) {
            batch = 1;
        }
        return (int) (Long.highestOneBit(batch + batch / 2) - 1);
    }

    /** The order-0 pages each CPU's list is refilled and drained by (pcp->batch). */
    public int pcpBatch() {
        return pcpBatch;
    }

    /** The length at which a CPU's list gives a batch back (pcp->high). */
    public int pcpHigh() {
        return pcpHigh;
    }

    /** Free order-0 pages parked on the CPUs' lists now (not counted in {@link #nrFreePages()}). */
    public synchronized long nrPcpPages() {
        window.checkLive("nr_pcp_pages");
        return pcpPages;
    }

    /** free_page: returns one page. */
    public void freePage(long addr) {
        freePages(addr, 0);
    }

    /** totalram_pages: the pages of this machine's RAM. */
    public long totalramPages() {
        return nrPages;
    }

    /** nr_free_pages: the pages on the buddy lists now (pages on the CPUs' lists are not counted). */
    public synchronized long nrFreePages() {
        window.checkLive("nr_free_pages");
        return freePages;
    }

    /** The number of free blocks of {@code order} (free_area[order].nr_free). */
    public synchronized long nrFree(int order) {
        window.checkLive("nr_free");
        return nrFree[order];
    }

    /** True when {@code addr} is a page of this allocator's window. */
    public boolean owns(long addr) {
        final long rel = Ram.virtToPhys(addr) - physStart;
        return rel >= 0 && (rel >>> Abi.PAGE_SHIFT) < nrPages;
    }

    /** The RAM window this allocator manages, which its users check to fail once it is closed. */
    public RamWindow window() {
        return window;
    }

    /** The direct-map address of the window's first page. */
    public long startAddress() {
        return Ram.physToVirt(physStart);
    }

    /** A /proc/buddyinfo-style line: free blocks per order. */
    public synchronized String buddyinfo() {
        window.checkLive("buddyinfo");
        final StringBuilder sb = new StringBuilder("Node 0, zone   Normal");
        for (int o = 0; o < Abi.MAX_ORDER; o++) {
            sb.append(String.format(" %6d", nrFree[o]));
        }
        return sb.toString();
    }

    private long pfnToVirt(int pfn) {
        return Ram.physToVirt(physStart + ((long) pfn << Abi.PAGE_SHIFT));
    }

    private void addHead(int pfn, int order) {
        final int head = freeHead[order];
        next[pfn] = head;
        prev[pfn] = NONE;
        if (head != NONE) {
            prev[head] = pfn;
        }
        freeHead[order] = pfn;
        buddyOrder[pfn] = (byte) order;
        nrFree[order]++;
    }

    private void addTail(int pfn, int order) {
        // Used at boot only, so walking to the tail is fine and keeps the lowest block first.
        int tail = freeHead[order];
        if (tail == NONE) {
            addHead(pfn, order);
            return;
        }
        while (next[tail] != NONE) {
            tail = next[tail];
        }
        next[tail] = pfn;
        prev[pfn] = tail;
        next[pfn] = NONE;
        buddyOrder[pfn] = (byte) order;
        nrFree[order]++;
    }

    private void remove(int pfn, int order) {
        final int n = next[pfn];
        final int p = prev[pfn];
        if (p == NONE) {
            freeHead[order] = n;
        } else {
            next[p] = n;
        }
        if (n != NONE) {
            prev[n] = p;
        }
        buddyOrder[pfn] = (byte) NONE;
        nrFree[order]--;
    }
}
