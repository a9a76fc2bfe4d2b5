package org.kfork.alloc;

import org.agrona.collections.Long2LongHashMap;
import org.kfork.lib.KmallocSizes;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;

/**
 * kmalloc and kfree with SLUB (mm/slab_common.c, mm/slub.c, 5.12) on one machine:
 * create_kmalloc_caches makes the general caches kmalloc-8 to kmalloc-8k (class rules in
 * {@link KmallocSizes}, shared with the heap twin); a request up to 8 KiB comes from the cache of
 * its class, a larger one from the page allocator whole (kmalloc_large), and kfree finds which by
 * the page: a slab page names its cache, any other is a kmalloc_large block whose order the
 * compound page records (here a Java-side table of the blocks handed out, by address).
 *
 * <p>Invariants: every object handed out is in exactly one of the caches or the large table until
 * kfree; kfree of anything else is refused with an exception and changes nothing.
 *
 * <p>Not modelled: the DMA and reclaimable kmalloc caches, kmalloc's redzone debugging, and
 * __GFP_ZERO's flag (callers zero what they need). The failslab point is the caller's, as with
 * kmem_cache_alloc.
 */
public final class Kmalloc implements AutoCloseable {
    /** ARCH_KMALLOC_MINALIGN on x86_64: the alignment of an unsigned long long. */
    public static final int ARCH_KMALLOC_MINALIGN = 8;

    private final Machine machine;
    private final SlabCaches slabs;
    private final KmemCache[] caches = new KmemCache[KmallocSizes.KMALLOC_SHIFT_HIGH + 1];
    /** kmalloc_large blocks: address to order. Guarded by itself. */
    private final Long2LongHashMap large = new Long2LongHashMap(-1);

    private Kmalloc(Kmem kmem) {
        this.machine = kmem.machine();
        this.slabs = kmem.slabs();
        for (int i : KmallocSizes.creationOrder()) {
            caches[i] = slabs.createOrThrow(KmallocSizes.className(i), KmallocSizes.classSize(i), ARCH_KMALLOC_MINALIGN,
                SlabFlags.SLAB_PANIC, null);
        }
    }

    /** create_kmalloc_caches on {@code kmem}'s machine. */
    public static Kmalloc create(Kmem kmem) {
        return new Kmalloc(kmem);
    }

    /**
     * __kmalloc: a block of at least {@code size} bytes on {@code cpu}, or 0 when there is no
     * memory (or {@code size} is beyond what the page allocator hands out). Not zeroed.
     */
    public long kmalloc(int cpu, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("kmalloc of " + size + " bytes");
        }
        if (size > KmallocSizes.KMALLOC_MAX_CACHE_SIZE) {
            final int order = KmallocSizes.getOrder(size, Abi.PAGE_SIZE);
            final long p = machine.pages().allocPages(order);
            if (p != 0) {
                synchronized (large) {
                    large.put(p, order);
                }
            }
            return p;
        }
        return caches[KmallocSizes.kmallocIndex(size)].alloc(cpu);
    }

    /** kfree: gives back a block from {@link #kmalloc} on {@code cpu}; NULL is a no-op. */
    public void kfree(int cpu, long addr) {
        if (addr == 0) {
            return;
        }
        final KmemCache c = slabs.cacheOf(addr);
        if (c != null) {
            if (!isKmallocCache(c)) {
                throw new BadFreeException(c.name(), addr, false, "kfree of an object of cache " + c.name());
            }
            c.free(cpu, addr);
            return;
        }
        final long order;
        synchronized (large) {
            order = large.remove(addr);
        }
        if (order < 0) {
            throw new BadFreeException("kmalloc", addr, false, "kfree of a block kmalloc never handed out");
        }
        machine.pages().freePages(addr, (int) order);
    }

    /** ksize: the bytes the block at {@code addr} really has. */
    public long ksize(long addr) {
        final KmemCache c = slabs.cacheOf(addr);
        if (c != null) {
            return c.objectSize();
        }
        synchronized (large) {
            final long order = large.get(addr);
            if (order < 0) {
                throw new IllegalArgumentException("ksize of a block kmalloc never handed out: 0x" + Long.toHexString(addr));
            }
            return (long) Abi.PAGE_SIZE << order;
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

    /** The cache of class {@code index} (see {@link KmallocSizes#kmallocIndex}). */
    public KmemCache cache(int index) {
        return caches[index];
    }

    /** kmalloc_large blocks not yet freed. */
    public long largeBlocks() {
        synchronized (large) {
            return large.size();
        }
    }

    /** Destroys the caches (every block must be freed by then). */
    @Override
    public void close() {
        for (int i : KmallocSizes.creationOrder()) {
            caches[i].destroy();
        }
    }
}
