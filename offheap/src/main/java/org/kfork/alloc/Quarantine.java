package org.kfork.alloc;

import org.kfork.machine.Mem;

/**
 * KASAN's quarantine (mm/kasan/quarantine.c of 5.12), for checked mode: a freed slab object does
 * not go back to its cache at once. It joins the tail of a FIFO, poisoned, and only when the FIFO
 * holds more than its bound in bytes do the oldest objects leave it and really go back to their
 * slabs. Until then no allocation can hand the object out again, so a stale pointer to it keeps
 * faulting as use-after-free instead of reaching whatever object would have taken its slot.
 *
 * <pre>
 *   head (oldest)                                           tail (newest)
 *   obj A of vm_area_struct --link--> obj B of mm_struct --> ... --> obj Z --> 0
 *          the link of a waiting object is its free pointer word (it is on no freelist)
 * </pre>
 * As KASAN's qlist links objects through their free metadata, the queue is linked through the
 * objects themselves, so it costs no memory of its own: each link is read and written with the
 * facade's nofault accessors, and the cache of an object is found from its slab. Bytes are
 * counted at each cache's stride, as KASAN counts cache->size.
 *
 * <p>Invariants, under this object's lock: the queue from {@code head} holds {@code objects}
 * objects and ends at {@code tail}, whose link is 0; {@code bytes} is the sum of their strides and
 * is at most the bound after every put; a cache's {@link KmemCache#quarantined} is the number of
 * its objects in the queue; every queued object is out of its slab, not handed out (its allocation
 * bit clear) and poisoned as freed.
 *
 * <p>Locking: this lock is never held while a cache's pool lock ({@link KmemCacheNode}) is taken,
 * nor the other way round.
 * Objects that leave the queue are cut off as a private chain under this lock, and go back to
 * their caches after it is dropped.
 *
 * <p>Deviations from KASAN, none of which changes what is caught: one queue per machine under a
 * lock, where KASAN puts a per-CPU queue of 1 MiB in front of a global ring of batches (checked
 * mode does not need its speed); the bound, 1/32 of RAM by default as KASAN's
 * QUARANTINE_FRACTION, is enforced on every put rather than at the next allocation
 * (quarantine_reduce); and a slab allocation that finds no RAM empties the quarantine and tries
 * once more, so that checked mode runs out of memory where unchecked mode does.
 */
final class Quarantine {
    private final SlabCaches owner;
    private final long maxBytes;
    private long head;
    private long tail;
    private long bytes;
    private long objects;

    Quarantine(SlabCaches owner, long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("a quarantine needs a positive bound: " + maxBytes);
        }
        this.owner = owner;
        this.maxBytes = maxBytes;
    }

    /**
     * quarantine_put, then the reduction: {@code obj} of {@code cache} (poisoned, its allocation
     * bit clear) joins the tail, and the oldest objects leave until the queue is within its bound.
     */
    void put(KmemCache cache, long obj) {
        long evicted;
        synchronized (this) {
            setLink(cache, obj, 0);
            if (tail == 0) {
                head = obj;
            } else {
                setLink(cacheOf(tail), tail, obj);
            }
            tail = obj;
            bytes += cache.stride();
            objects++;
            cache.quarantined++;
            if (bytes <= maxBytes) {
                return;
            }
            evicted = head;
            long last = 0;
            while (bytes > maxBytes) {
                final KmemCache c = cacheOf(head);
                bytes -= c.stride();
                objects--;
                c.quarantined--;
                last = head;
                head = link(c, head);
            }
            setLink(cacheOf(last), last, 0);
            if (head == 0) {
                tail = 0;
            }
        }
        freeChain(evicted);
    }

    /**
     * quarantine_remove_cache: every object of {@code cache} leaves the queue and goes back to its
     * slab (kmem_cache_shrink and kmem_cache_destroy call it first).
     */
    void removeCache(KmemCache cache) {
        long first = 0;
        synchronized (this) {
            if (cache.quarantined == 0) {
                return;
            }
            long last = 0;
            long prev = 0;
            long cur = head;
            while (cur != 0) {
                final KmemCache c = cacheOf(cur);
                final long next = link(c, cur);
                if (c == cache) {
                    // unlink cur from the queue, append it to the private chain
                    if (prev == 0) {
                        head = next;
                    } else {
                        setLink(cacheOf(prev), prev, next);
                    }
                    if (cur == tail) {
                        tail = prev;
                    }
                    if (last == 0) {
                        first = cur;
                    } else {
                        setLink(c, last, cur);
                    }
                    last = cur;
                    bytes -= c.stride();
                    objects--;
                    c.quarantined--;
                } else {
                    prev = cur;
                }
                cur = next;
            }
            if (last != 0) {
                setLink(cache, last, 0);
            }
        }
        freeChain(first);
    }

    /**
     * Empties the queue: every object goes back to its slab. The leak check runs it (through
     * {@link Kmem#quiesce}) so that it counts only what is really in use.
     *
     * @return the number of objects freed
     */
    long drainAll() {
        final long first;
        final long n;
        synchronized (this) {
            first = head;
            n = objects;
            for (long cur = head; cur != 0; ) {
                final KmemCache c = cacheOf(cur);
                c.quarantined--;
                cur = link(c, cur);
            }
            head = 0;
            tail = 0;
            bytes = 0;
            objects = 0;
        }
        freeChain(first);
        return n;
    }

    /** The bytes the queue holds now (an accounting counter: 0 once quiesced). */
    synchronized long bytes() {
        return bytes;
    }

    /** The objects the queue holds now. */
    synchronized long objects() {
        return objects;
    }

    /** The bound in bytes. */
    long maxBytes() {
        return maxBytes;
    }

    /** Gives a private chain of objects back to their caches (qlist_free_all). */
    private void freeChain(long first) {
        for (long cur = first; cur != 0; ) {
            final KmemCache c = cacheOf(cur);
            final long next = link(c, cur);
            c.freeToSlab(cur);
            cur = next;
        }
    }

    /** qlink_to_cache: the cache of a queued object, from its slab (which it keeps alive). */
    private KmemCache cacheOf(long obj) {
        final Slab s = owner.slabOf(obj);
        if (s == null) {
            throw new IllegalStateException("KASAN quarantine corrupt: 0x" + Long.toHexString(obj) + " is in no slab");
        }
        return s.cache;
    }

    private static long link(KmemCache c, long obj) {
        return Mem.getLongNofault(obj + c.freeOffset());
    }

    private static void setLink(KmemCache c, long obj, long next) {
        Mem.putLongNofault(obj + c.freeOffset(), next);
    }
}
