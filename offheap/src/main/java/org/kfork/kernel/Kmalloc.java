package org.kfork.kernel;

import org.agrona.collections.Long2LongHashMap;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.mm.KmallocSizes;

/**
 * The kmalloc caches of one kernel (mm/slab_common.c, 5.12 with SLUB): create_kmalloc_caches
 * makes kmalloc-8 to kmalloc-8k at boot, and kmalloc(size) takes an object from the smallest that
 * holds size bytes. The task half uses them where 5.12 calls kmalloc or kzalloc for a struct
 * without a cache of its own (ucounts, the ipc, mnt, cgroup and time namespaces, struct fdtable
 * and its arrays...), so that slabinfo shows those objects where the kernel shows them. A request
 * above 8 KiB (an fd table of more than 1024 descriptors) goes to the page allocator whole
 * (kmalloc_large, of the order that holds it). {@link Globals#kmalloc} and {@link Globals#kzalloc}
 * allocate through the failslab injector; {@link Globals#kfree} frees.
 *
 * <p>kfree tells the two apart by the page, as 5.12 does: a slab page names its cache; any other
 * must be a kmalloc_large block, whose order the compound page records in the kernel and a
 * Java-side table (address to order) records here.
 *
 * <p>Deviations: no KMALLOC_DMA or KMALLOC_RECLAIM variants, no kmalloc redzones. Invariants: every
 * block handed out is in exactly one kmalloc cache or the large table until kfree; a kfree of
 * anything else is refused with an exception and changes nothing; the caches live from boot until
 * {@link #close}, which fails if an object is left.
 */
public final class Kmalloc implements AutoCloseable {
    private final Machine machine;
    private final Kmem kmem;
    private final KmemCache[] caches = new KmemCache[KmallocSizes.count()];
    /** kmalloc_large's blocks: address to order. Guarded by itself. */
    private final Long2LongHashMap large = new Long2LongHashMap(-1);

    /** create_kmalloc_caches on {@code kmem}'s machine. */
    Kmalloc(Kmem kmem) {
        this.machine = kmem.machine();
        this.kmem = kmem;
        for (int i = 0; i < caches.length; i++) {
            // kmalloc caches take ARCH_KMALLOC_MINALIGN and whitelist the whole object for usercopy
            final int size = KmallocSizes.size(i);
            caches[i] = kmem.slabs().createUsercopy(KmallocSizes.name(i), size, 0, SlabFlags.SLAB_PANIC, 0, size, null);
        }
    }

    /** kmalloc_slab: the cache that serves {@code size} bytes (1 to KMALLOC_MAX_CACHE_SIZE). */
    public KmemCache cacheFor(long size) {
        return caches[KmallocSizes.index(size)];
    }

    /**
     * kmalloc_large: a block of whole pages that holds {@code size} bytes (above
     * KMALLOC_MAX_CACHE_SIZE), from the page allocator; 0 when it has none that large. Not zeroed.
     */
    long kmallocLarge(long size) {
        if (size <= KmallocSizes.KMALLOC_MAX_CACHE_SIZE) {
            throw new IllegalArgumentException("kmalloc_large of " + size + " bytes: a kmalloc cache serves it");
        }
        final int order = KmallocSizes.getOrder(size, Abi.PAGE_SIZE);
        final long p = machine.pages().allocPages(order);
        if (p != 0) {
            synchronized (large) {
                large.put(p, order);
            }
        }
        return p;
    }

    /**
     * kfree on {@code cpu}: an object of a kmalloc cache goes back to it, a kmalloc_large block to
     * the page allocator; NULL is a no-op.
     *
     * @throws IllegalArgumentException for anything kmalloc did not hand out (an object of another
     *         cache, a page or block it never gave); nothing is freed then
     */
    void kfree(int cpu, long addr) {
        if (addr == 0) {
            return;
        }
        final KmemCache c = kmem.slabs().cacheOf(addr);
        if (c != null) {
            if (!isKmallocCache(c)) {
                throw new IllegalArgumentException("kfree: 0x" + Long.toHexString(addr) + " is an object of " + c.name());
            }
            c.free(cpu, addr);
            return;
        }
        final long order;
        synchronized (large) {
            order = large.remove(addr);
        }
        if (order < 0) {
            throw new IllegalArgumentException("kfree: 0x" + Long.toHexString(addr) + " is no block kmalloc handed out");
        }
        machine.pages().freePages(addr, (int) order);
    }

    /** ksize: the bytes the block at {@code addr} really has (its cache's object size, or its pages). */
    public long ksize(long addr) {
        final KmemCache c = kmem.slabs().cacheOf(addr);
        if (c != null) {
            return c.objectSize();
        }
        final long order;
        synchronized (large) {
            order = large.get(addr);
        }
        if (order < 0) {
            throw new IllegalArgumentException("ksize: 0x" + Long.toHexString(addr) + " is no block kmalloc handed out");
        }
        return (long) Abi.PAGE_SIZE << order;
    }

    /** kmalloc_large's blocks not yet freed. */
    public long largeBlocks() {
        synchronized (large) {
            return large.size();
        }
    }

    private boolean isKmallocCache(KmemCache c) {
        for (KmemCache k : caches) {
            if (k == c) {
                return true;
            }
        }
        return false;
    }

    /** Destroys the caches, last made first; every block must be freed by then. */
    @Override
    public void close() {
        synchronized (large) {
            if (!large.isEmpty()) {
                throw new IllegalStateException("kmalloc: " + large.size() + " kmalloc_large blocks not freed");
            }
        }
        for (int i = caches.length - 1; i >= 0; i--) {
            caches[i].destroy();
        }
    }
}
