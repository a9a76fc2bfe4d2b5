package org.kfork.machine;

/**
 * The page allocator: a binary buddy allocator over a machine's RAM window, with orders 0 to
 * {@link Abi#MAX_ORDER} - 1 as in mm/page_alloc.c.
 *
 * <p>Invariants, under the zone lock (this object's monitor):
 * <ol>
 *   <li>Every page of the window is in exactly one block: a free block on {@code free_area[o]}
 *       or an allocated block of the order it was allocated at.</li>
 *   <li>A block of order {@code o} starts at a page frame number that is a multiple of
 *       {@code 2^o} (the window is aligned to a MAX_ORDER block).</li>
 *   <li>Two free buddies of the same order never coexist: freeing merges them.</li>
 *   <li>{@code nrFree[o]} is the length of {@code free_area[o]}, and {@link #nrFreePages()} is
 *       the sum of {@code nrFree[o] << o}.</li>
 * </ol>
 *
 * <p>The per-page metadata (the part of struct page the buddy uses: PageBuddy with its order, and
 * the free-list links) lives in Java arrays indexed by page frame number within the window. No
 * modeled code ever reads struct page, so keeping it off the modeled RAM costs no fidelity and
 * keeps the RAM untouched until pages are really used.
 *
 * <p>Allocation and freeing are deterministic: the same sequence of calls returns the same
 * addresses. Pages handed out are unpoisoned in checked mode; freed pages are poisoned.
 */
public final class PageAllocator {
    private static final int NONE = -1;

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

    PageAllocator(long physStart, long bytes) {
        if ((physStart & (Ram.WINDOW_ALIGN - 1)) != 0) {
            throw new IllegalArgumentException("window must be aligned to a MAX_ORDER block");
        }
        final long pages = bytes >>> Abi.PAGE_SHIFT;
        if (pages <= 0 || pages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad RAM size: " + bytes + " bytes");
        }
        this.physStart = physStart;
        this.nrPages = (int) pages;
        this.buddyOrder = new byte[nrPages];
        this.allocOrder = new byte[nrPages];
        this.next = new int[nrPages];
        this.prev = new int[nrPages];
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
        if (order >= Abi.MAX_ORDER) {
            return Abi.NULL;
        }
        final int pfn;
        synchronized (this) {
            int o = order;
            while (o < Abi.MAX_ORDER && freeHead[o] == NONE) {
                o++;
            }
            if (o == Abi.MAX_ORDER) {
                return Abi.NULL;
            }
            pfn = freeHead[o];
            remove(pfn, o);
            // expand(): give back the upper half at each step down, keeping the lower half.
            while (o > order) {
                o--;
                addHead(pfn + (1 << o), o);
            }
            allocOrder[pfn] = (byte) (order + 1);
            freePages -= 1L << order;
        }
        final long addr = pfnToVirt(pfn);
        Kasan.unpoison(addr, (long) Abi.PAGE_SIZE << order);
        return addr;
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
        final long phys = Ram.virtToPhys(addr);
        final long rel = phys - physStart;
        if ((addr & ~Abi.PAGE_MASK) != 0 || rel < 0 || (rel >>> Abi.PAGE_SHIFT) >= nrPages
            || order < 0 || order >= Abi.MAX_ORDER) {
            throw new IllegalStateException("bad page free: 0x" + Long.toHexString(addr) + " order " + order
                + " is not a page of this machine's RAM");
        }
        int pfn = (int) (rel >>> Abi.PAGE_SHIFT);
        synchronized (this) {
            if (allocOrder[pfn] != order + 1) {
                throw new IllegalStateException("bad page free: 0x" + Long.toHexString(addr) + " order " + order
                    + (allocOrder[pfn] == 0 ? " was not allocated (double free?)"
                    : " was allocated at order " + (allocOrder[pfn] - 1)));
            }
            allocOrder[pfn] = 0;
            Kasan.poison(addr, (long) Abi.PAGE_SIZE << order, Kasan.PAGE_FREE);
            freePages += 1L << order;
            int o = order;
            while (o < Abi.MAX_ORDER - 1) {
                final int buddy = pfn ^ (1 << o);
                if (buddy >= nrPages || buddyOrder[buddy] != o) {
                    break;
                }
                remove(buddy, o);
                pfn = Math.min(pfn, buddy);
                o++;
            }
            addHead(pfn, o);
        }
    }

    /** free_page: returns one page. */
    public void freePage(long addr) {
        freePages(addr, 0);
    }

    /** totalram_pages: the pages of this machine's RAM. */
    public long totalramPages() {
        return nrPages;
    }

    /** nr_free_pages: the pages on the free lists now. */
    public synchronized long nrFreePages() {
        return freePages;
    }

    /** The number of free blocks of {@code order} (free_area[order].nr_free). */
    public synchronized long nrFree(int order) {
        return nrFree[order];
    }

    /** True when {@code addr} is a page of this allocator's window. */
    public boolean owns(long addr) {
        final long rel = Ram.virtToPhys(addr) - physStart;
        return rel >= 0 && (rel >>> Abi.PAGE_SHIFT) < nrPages;
    }

    /** The direct-map address of the window's first page. */
    public long startAddress() {
        return Ram.physToVirt(physStart);
    }

    /** A /proc/buddyinfo-style line: free blocks per order. */
    public synchronized String buddyinfo() {
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
