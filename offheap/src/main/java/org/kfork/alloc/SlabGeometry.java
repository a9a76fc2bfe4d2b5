package org.kfork.alloc;

import java.util.function.LongConsumer;
import org.kfork.machine.Abi;

/**
 * The geometry of a slab cache, computed once at kmem_cache_create: calculate_alignment
 * (mm/slab_common.c), SLUB's calculate_sizes and calculate_order (mm/slub.c), generic KASAN's
 * kasan_cache_create (mm/kasan/common.c), and the tunables that follow from the stride. All of
 * 5.12; each method names the function it ports.
 */
final class SlabGeometry {
    /** SLUB's default largest slab order (PAGE_ALLOC_COSTLY_ORDER) for objects that fit. */
    static final int MAX_PREFERRED_ORDER = 3;
    /** KMALLOC_MAX_SIZE with SLUB: the largest block the page allocator hands out. */
    static final int KMALLOC_MAX_SIZE = Abi.PAGE_SIZE << (Abi.MAX_ORDER - 1);
    /** sizeof(struct kasan_alloc_meta), generic KASAN: alloc_track and aux_stack[2]. */
    static final int KASAN_ALLOC_META = 16;
    /** sizeof(struct kasan_free_meta): quarantine_link and free_track. */
    static final int KASAN_FREE_META = 16;

    private SlabGeometry() {
    }

    /** calculate_alignment: HWCACHE_ALIGN gives the cache line, halved while the object fits twice. */
    static int calculateAlignment(int flags, int align, int size) {
        int a = align;
        if ((flags & SlabFlags.SLAB_HWCACHE_ALIGN) != 0) {
            int ralign = Abi.L1_CACHE_BYTES;
            while (size <= ralign / 2) {
                ralign /= 2;
            }
            a = Math.max(a, ralign);
        }
        return Math.max(a, 8);
    }

    /**
     * Whether a free object's contents must survive, so that its free pointer goes after it: a
     * constructor built them, or SLAB_TYPESAFE_BY_RCU readers may still look at them.
     */
    static boolean freePointerOutside(int flags, LongConsumer ctor) {
        return ctor != null || (flags & SlabFlags.SLAB_TYPESAFE_BY_RCU) != 0;
    }

    /** s->offset: where a free object keeps its free pointer. */
    static int freeOffset(int objectSize, boolean freePointerOutside) {
        return freePointerOutside ? (int) Abi.alignUp(objectSize, 8) : (objectSize / 2) & ~7;
    }

    /**
     * calculate_sizes: the stride (s->size) is the object rounded to 8, plus a word when the free
     * pointer goes after it, plus KASAN's metadata and redzone when asked, rounded to the
     * alignment.
     */
    static int stride(int objectSize, int align, boolean freePointerOutside, boolean kasanRedzone) {
        final int size = (int) Abi.alignUp(objectSize, 8) + (freePointerOutside ? 8 : 0);
        return (int) Abi.alignUp(kasanRedzone ? kasanCacheCreate(objectSize, size, freePointerOutside) : size, align);
    }

    /**
     * kasan_cache_create of generic KASAN: after the object and its free pointer come the alloc
     * metadata, the free metadata when the object cannot hold it (a constructor or RCU keeps the
     * contents, or the object is smaller than it), and then enough redzone to make
     * {@link #optimalRedzone} bytes after the object, all within KMALLOC_MAX_SIZE.
     *
     * @return the size with all that, or {@code size} unchanged when the metadata does not fit
     *         (KASAN then leaves the cache alone, and it gets no SLAB_KASAN)
     */
    static int kasanCacheCreate(int objectSize, int size, boolean contentsSurviveFree) {
        final int allocMetaOffset = size;
        int s = size + KASAN_ALLOC_META;
        int freeMetaOffset = 0;
        if (contentsSurviveFree || objectSize < KASAN_FREE_META) {
            freeMetaOffset = s;
            s += KASAN_FREE_META;
        }
        final int redzone = optimalRedzone(objectSize);
        final int adjust = redzone - (s - objectSize);
        if (adjust > 0) {
            s += adjust;
        }
        s = (int) Math.min(KMALLOC_MAX_SIZE, Math.max(s, (long) objectSize + redzone));
        return s <= allocMetaOffset || s <= freeMetaOffset ? size : s;
    }

    /** optimal_redzone: the redzone after an object, growing with it (from 16 to 2048 bytes). */
    static int optimalRedzone(int objectSize) {
        return objectSize <= 64 - 16 ? 16
            : objectSize <= 128 - 32 ? 32
            : objectSize <= 512 - 64 ? 64
            : objectSize <= 4096 - 128 ? 128
            : objectSize <= (1 << 14) - 256 ? 256
            : objectSize <= (1 << 15) - 512 ? 512
            : objectSize <= (1 << 16) - 1024 ? 1024 : 2048;
    }

    /**
     * calculate_order as SLUB does it (slub_min_order 0, slub_max_order 3): aim for
     * {@code 4 * (fls(nr_cpu_ids) + 1)} objects per slab (fewer if even an order-3 slab cannot
     * hold that many), accept a slab that wastes at most 1/16, then 1/8, then 1/4 of itself, and
     * lower the object target until an order fits; objects bigger than an order-3 slab get the
     * smallest order that holds one.
     *
     * @return the order, or -1 when no order below MAX_ORDER holds one object
     */
    static int calculateOrder(int stride, int nrCpus) {
        final int maxOrder = MAX_PREFERRED_ORDER;
        int minObjects = 4 * (32 - Integer.numberOfLeadingZeros(nrCpus) + 1);
        final int maxObjects = (Abi.PAGE_SIZE << maxOrder) / stride;
        minObjects = Math.min(minObjects, maxObjects);
        while (minObjects > 1) {
            for (int fraction = 16; fraction >= 4; fraction /= 2) {
                final int order = slabOrder(stride, minObjects, maxOrder, fraction);
                if (order <= maxOrder) {
                    return order;
                }
            }
            minObjects--;
        }
        int order = slabOrder(stride, 1, maxOrder, 1);
        if (order <= maxOrder) {
            return order;
        }
        order = slabOrder(stride, 1, Abi.MAX_ORDER - 1, 1);
        return order < Abi.MAX_ORDER ? order : -1;
    }

    /** slab_order: the first order from the one that fits minObjects whose leftover is small enough. */
    private static int slabOrder(int stride, int minObjects, int maxOrder, int fractLeftover) {
        int order = getOrder((long) minObjects * stride);
        for (; order <= maxOrder; order++) {
            final long slabSize = (long) Abi.PAGE_SIZE << order;
            if (slabSize < stride) {
                continue;
            }
            if (slabSize % stride <= slabSize / fractLeftover) {
                break;
            }
        }
        return order;
    }

    /** get_order: the smallest order whose block holds {@code bytes}. */
    private static int getOrder(long bytes) {
        return Math.max(0, 64 - Long.numberOfLeadingZeros((bytes - 1) >>> Abi.PAGE_SHIFT));
    }

    /** set_min_partial(s, ilog2(s->size) / 2), clamped to MIN_PARTIAL..MAX_PARTIAL. */
    static int minPartial(int stride) {
        final int half = (31 - Integer.numberOfLeadingZeros(stride)) / 2;
        return Math.max(KmemCache.MIN_PARTIAL, Math.min(KmemCache.MAX_PARTIAL, half));
    }

    /** The per-CPU limit, as SLAB sizes its array caches (enable_cpucache). */
    static int limit(int stride) {
        if (stride > Abi.PAGE_SIZE) {
            return 8;
        } else if (stride > 1024) {
            return 24;
        } else if (stride > 256) {
            return 54;
        }
        return 120;
    }
}
