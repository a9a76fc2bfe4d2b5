package org.kfork.alloc;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.kfork.machine.Abi;
import org.kfork.uapi.Errno;

/**
 * A memory cgroup's kernel-memory charge, reduced to what fork.c needs: a page counter with a
 * limit, and a per-page record of whether a page is charged (page->memcg_data). Charging a page
 * beyond the limit fails with -ENOMEM and leaves that page uncharged; uncharging ignores pages that
 * were never charged, which is what makes memcg_charge_kernel_stack's failure path safe.
 */
public final class MemcgCharge {
    private final long ramStart;
    private final AtomicLongArray charged;
    private final AtomicLong usage = new AtomicLong();
    private volatile long limitPages;

    /** A counter over a machine's RAM, unlimited. */
    public MemcgCharge(long ramStart, long ramBytes) {
        this.ramStart = ramStart;
        this.charged = new AtomicLongArray((int) (((ramBytes >>> Abi.PAGE_SHIFT) + 63) >>> 6));
        this.limitPages = Long.MAX_VALUE;
    }

    /** memory.max in pages. */
    public void setLimitPages(long pages) {
        this.limitPages = pages;
    }

    /** Pages charged now. */
    public long usagePages() {
        return usage.get();
    }

    /**
     * memcg_kmem_charge_page.
     *
     * @return 0, or -ENOMEM when the limit would be exceeded (the page stays uncharged)
     */
    public int chargePage(long page) {
        for (;;) {
            final long u = usage.get();
            if (u + 1 > limitPages) {
                return -Errno.ENOMEM;
            }
            if (usage.compareAndSet(u, u + 1)) {
                break;
            }
        }
        final int pfn = pfn(page);
        final long bit = 1L << (pfn & 63);
        final long old = charged.getAndAccumulate(pfn >>> 6, bit, (a, b) -> a | b);
        if ((old & bit) != 0) {
            usage.decrementAndGet();
            throw new IllegalStateException("page 0x" + Long.toHexString(page) + " charged twice");
        }
        return 0;
    }

    /** memcg_kmem_uncharge_page: a no-op for a page that is not charged. */
    public void unchargePage(long page) {
        final int pfn = pfn(page);
        final long bit = 1L << (pfn & 63);
        final long old = charged.getAndAccumulate(pfn >>> 6, ~bit, (a, b) -> a & b);
        if ((old & bit) != 0) {
            usage.decrementAndGet();
        }
    }

    /** True when the page is charged. */
    public boolean isCharged(long page) {
        final int pfn = pfn(page);
        return (charged.get(pfn >>> 6) & (1L << (pfn & 63))) != 0;
    }

    private int pfn(long page) {
        return (int) ((page - ramStart) >>> Abi.PAGE_SHIFT);
    }
}
