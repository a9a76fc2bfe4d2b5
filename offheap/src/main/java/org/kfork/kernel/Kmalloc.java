package org.kfork.kernel;

import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.mm.KmallocSizes;

/**
 * The kmalloc caches of one kernel (mm/slab_common.c, 5.12 with SLUB): create_kmalloc_caches
 * makes kmalloc-8 to kmalloc-8k at boot, and kmalloc(size) takes an object from the smallest that
 * holds size bytes. The task half uses them where 5.12 calls kmalloc or kzalloc for a struct
 * without a cache of its own (ucounts, the ipc, mnt, cgroup and time namespaces...), so that
 * slabinfo shows those objects where the kernel shows them. {@link Globals#kmalloc} and
 * {@link Globals#kzalloc} allocate through the failslab injector; {@link Globals#kfree} frees.
 *
 * <p>Deviations: no KMALLOC_DMA or KMALLOC_RECLAIM variants, and requests above 8 KiB (which 5.12
 * serves from the page allocator) are refused with an exception, since no caller needs them.
 * Invariant: the caches live from boot until {@link #close}, which fails if an object is left.
 */
public final class Kmalloc implements AutoCloseable {
    private final KmemCache[] caches = new KmemCache[KmallocSizes.count()];

    /** create_kmalloc_caches on {@code kmem}'s machine. */
    Kmalloc(Kmem kmem) {
        for (int i = 0; i < caches.length; i++) {
            // kmalloc caches take ARCH_KMALLOC_MINALIGN and whitelist the whole object for usercopy
            final int size = KmallocSizes.size(i);
            caches[i] = kmem.slabs().createUsercopy(KmallocSizes.name(i), size, 0, SlabFlags.SLAB_PANIC, 0, size, null);
        }
    }

    /** kmalloc_slab: the cache that serves {@code size} bytes. */
    public KmemCache cacheFor(long size) {
        return caches[KmallocSizes.index(size)];
    }

    /** Destroys the caches, last made first. */
    @Override
    public void close() {
        for (int i = caches.length - 1; i >= 0; i--) {
            caches[i].destroy();
        }
    }
}
