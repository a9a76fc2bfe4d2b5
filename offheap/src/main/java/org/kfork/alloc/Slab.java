package org.kfork.alloc;

import java.util.concurrent.atomic.AtomicLongArray;
import org.kfork.machine.Kasan;

/**
 * One slab's bookkeeping: the slab fields of struct page (slab_cache, freelist, inuse, the
 * partial-list links). Guarded by the lock of its cache's {@link KmemCacheNode}, except
 * {@code cache} and {@code base}, which do not change while the slab is mapped. A descriptor
 * outlives its slab: the node keeps released ones for its next slab, as struct page outlives the
 * slab it held.
 */
final class Slab {
    /** page->slab_cache. */
    final KmemCache cache;
    /** The direct-map address of the slab's first object. */
    long base;
    /** Head token of the slab's own freelist of returned objects (page->freelist). */
    long freeToken;
    /** Objects from index {@code fresh} on were never handed out. */
    int fresh;
    /** Objects out of the slab (page->inuse): on CPU lists, in the quarantine or in use. */
    int inuse;
    Slab prev;
    Slab next;
    Slab allPrev;
    Slab allNext;
    boolean onPartial;
    /** Checked mode: one bit per object, set while the object is handed out. */
    final AtomicLongArray allocated;

    Slab(KmemCache cache) {
        this.cache = cache;
        this.allocated = Kasan.ENABLED ? new AtomicLongArray((cache.objsPerSlab() + 63) >>> 6) : null;
    }
}
