package org.kfork.mm;

/**
 * A failslab-like fault injector for the allocations of the mm model (both variants): every
 * allocation site of mm_struct, vm_area_struct, anon_vma, anon_vma_chain, files and page-table
 * roots asks {@link #shouldFail()} first. Armed with {@link #failNth(long)}, the k-th allocation
 * after arming fails (returns NULL, as kmem_cache_alloc does under failslab), once. The tests make
 * the k-th allocation inside dup_mm fail for every k.
 *
 * <p>Single-threaded use by a test; the counters are plain fields.
 */
public final class FailSlab {
    private long countdown;
    private long allocations;
    private long injected;

    /** Make the {@code k}-th allocation from now fail (k >= 1); 0 disarms. */
    public void failNth(long k) {
        this.countdown = k;
        this.allocations = 0;
    }

    /** Disarm. */
    public void disarm() {
        this.countdown = 0;
    }

    /** Called by each allocation site: true if this allocation must fail. */
    public boolean shouldFail() {
        allocations++;
        if (countdown > 0 && --countdown == 0) {
            injected++;
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
        return injected;
    }

    /** True if armed and the failure has not happened yet. */
    public boolean armed() {
        return countdown > 0;
    }
}
