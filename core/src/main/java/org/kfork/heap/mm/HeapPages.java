package org.kfork.heap.mm;

import org.kfork.mm.Mman;
import org.kfork.mm.Pgtable;

/**
 * The heap twin's page frames: what the off-heap kernel gets from its page allocator and reaches
 * through the direct map, as Java arrays named by a page frame number (the kernel's mem_map is
 * indexed the same way): a {@code byte[4096]} per page of user memory, a {@code long[512]} per
 * page table. An entry of the twin's tables holds {@code pfn << PAGE_SHIFT} where an off-heap
 * entry holds the page's physical address, with the same flag bits, so both kernels walk the
 * same structure.
 *
 * <p>pfn 0 is never handed out (an entry of 0 is none); a freed pfn is reused first (last freed,
 * first reused), so the same run numbers its pages the same way. A page or table is live from its
 * allocation to its free; using a freed pfn throws. Not thread-safe: the mm system's big lock
 * guards it. The counts a leak check reads are the mm system's ({@code page}, {@code pgtable}).
 */
public final class HeapPages {
    private Object[] frames = new Object[64];
    private int[] freePfns = new int[16];
    private int nrFree;
    private int nextPfn = 1;

    private int take(Object frame) {
        int pfn;
        if (nrFree > 0) {
            pfn = freePfns[--nrFree];
        } else {
            pfn = nextPfn++;
            if (pfn == frames.length) {
                frames = java.util.Arrays.copyOf(frames, frames.length * 2);
            }
        }
        frames[pfn] = frame;
        return pfn;
    }

    /** A zeroed page of user memory: its physical address (pfn &lt;&lt; PAGE_SHIFT). */
    public long allocPage() {
        return (long) take(new byte[(int) Mman.PAGE_SIZE]) << Mman.PAGE_SHIFT;
    }

    /** A zeroed page table of 512 entries: its physical address. */
    public long allocTable() {
        return (long) take(new long[Pgtable.PTRS_PER_TABLE]) << Mman.PAGE_SHIFT;
    }

    /** Frees the page or table at physical address {@code phys}. */
    public void free(long phys) {
        int pfn = pfnOf(phys);
        frames[pfn] = null;
        if (nrFree == freePfns.length) {
            freePfns = java.util.Arrays.copyOf(freePfns, nrFree * 2);
        }
        freePfns[nrFree++] = pfn;
    }

    private int pfnOf(long phys) {
        long pfn = phys >>> Mman.PAGE_SHIFT;
        if ((phys & (Mman.PAGE_SIZE - 1)) != 0 || pfn <= 0 || pfn >= nextPfn || frames[(int) pfn] == null) {
            throw new IllegalStateException("bad page frame 0x" + Long.toHexString(phys) + " (free or never allocated)");
        }
        return (int) pfn;
    }

    /** The user page at physical address {@code phys}. */
    public byte[] page(long phys) {
        Object f = frames[pfnOf(phys)];
        if (!(f instanceof byte[])) {
            throw new IllegalStateException("0x" + Long.toHexString(phys) + " is a page table, not a page");
        }
        return (byte[]) f;
    }

    /** The page table at physical address {@code phys}. */
    public long[] table(long phys) {
        Object f = frames[pfnOf(phys)];
        if (!(f instanceof long[])) {
            throw new IllegalStateException("0x" + Long.toHexString(phys) + " is a page, not a page table");
        }
        return (long[]) f;
    }
}
