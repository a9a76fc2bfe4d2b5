package org.kfork.mm;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A failslab-like fault injector for the allocations of both kernels: every allocation site
 * (the slab caches of the task half and the mm, kmalloc, thread stacks, page-table roots...) asks
 * {@link #shouldFail()} first and returns NULL when told to, as kmem_cache_alloc does under
 * failslab. Two modes, as the kernel's fault attributes have:
 * <ul>
 *   <li>{@link #failNth(long)}: the k-th allocation after arming fails, once (the kernel's
 *       {@code times}/{@code space} used to hit one site). The tests make the k-th allocation
 *       inside a path fail for every k. Single-threaded: one test drives the kernel.</li>
 *   <li>{@link #failRandomly(int)}: each allocation fails with a probability, on any thread (the
 *       kernel's {@code probability}); the stress storms use it on a kernel shared by several
 *       threads. Safe for concurrent callers: the draw is per thread, the count atomic.</li>
 * </ul>
 *
 * <p>{@link #allocations()} is a plain counter, exact only when one thread allocates.
 */
public final class FailSlab {
    /** One in a million: the unit of {@link #failRandomly}. */
    public static final int PER_MILLION = 1_000_000;

    private long countdown;
    private long allocations;
    private final AtomicLong injected = new AtomicLong();
    /** The random mode's probability, per million; 0 when off. Volatile: set by one thread, read by all. */
    private volatile int perMillion;

    /** Make the {@code k}-th allocation from now fail (k >= 1); 0 disarms. */
    public void failNth(long k) {
        this.countdown = k;
        this.allocations = 0;
    }

    /**
     * Make each allocation from now fail with probability {@code perMillion} / 1,000,000, on
     * every thread, until {@link #disarm}. 0 turns the random mode off.
     */
    public void failRandomly(int perMillion) {
        if (perMillion < 0 || perMillion > PER_MILLION) {
            throw new IllegalArgumentException("a probability per million, 0 to 1000000: " + perMillion);
        }
        this.perMillion = perMillion;
    }

    /** Disarm both modes. */
    public void disarm() {
        this.countdown = 0;
        this.perMillion = 0;
    }

    /** Called by each allocation site: true if this allocation must fail. */
    public boolean shouldFail() {
        allocations++;
        if (countdown > 0 && --countdown == 0) {
            injected.incrementAndGet();
            return true;
        }
        final int p = perMillion;
        if (p != 0 && ThreadLocalRandom.current().nextInt(PER_MILLION) < p) {
            injected.incrementAndGet();
            return true;
        }
        return false;
    }

    /** Allocations seen since the last {@link #failNth}. */
    public long allocations() {
        return allocations;
    }

    /** How many failures have been injected in total. */
    public long injected() {
        return injected.get();
    }

    /** True if armed and the failure has not happened yet. */
    public boolean armed() {
        return countdown > 0;
    }
}
