package org.kfork.alloc;

import static org.kfork.alloc.KmemCacheCpu.objectOf;
import static org.kfork.alloc.KmemCacheCpu.tokenOf;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.kfork.machine.Abi;
import org.kfork.machine.Kasan;
import org.kfork.machine.Mem;

/**
 * The shared pool of one slab cache (struct kmem_cache_node of mm/slub.c, 5.12; the machine has one
 * node): its slabs, the partial list of slabs with free objects, and each slab's own freelist of
 * returned objects, all under this object's lock. {@link KmemCacheCpu} keeps the per-CPU lists in
 * front of it and comes here to refill an empty list and to give a full one back.
 *
 * <p>Invariants, under the lock:
 * <ol>
 *   <li>Every slab of the cache is on the all-slabs list; a slab is on the partial list exactly
 *       when it has an object to hand out ({@code inuse < objsPerSlab}).</li>
 *   <li>A slab's freelist holds {@code fresh - inuse} objects, each below {@code fresh}, and ends
 *       in 0; the objects from {@code fresh} on were never handed out.</li>
 *   <li>{@code freeInSlabs} is the sum of {@code objsPerSlab - inuse}; {@code emptySlabs} counts
 *       the slabs with {@code inuse == 0}, and is at most {@code minPartial} after a return.</li>
 * </ol>
 * Every walk of a freelist stops at the count these invariants give, so a list corrupted by an
 * unchecked double free is reported as slab corruption (IllegalStateException) and never looped
 * on.
 */
final class KmemCacheNode {
    private final KmemCache cache;
    private final SlabCaches owner;
    private final int objectSize;
    private final int stride;
    private final int freeOffset;
    private final int objsPerSlab;
    private final int order;
    private final int minPartial;
    private final LongConsumer ctor;

    private Slab partialHead;
    /** Every slab of the cache, linked through {@code allNext}/{@code allPrev}. */
    private Slab allHead;
    private int nrSlabs;
    /** Released slab descriptors, kept for the next slab (linked through {@code next}). */
    private Slab spare;
    private long freeInSlabs;
    private int emptySlabs;
    private long allocFailures;

    KmemCacheNode(KmemCache cache, SlabCaches owner) {
        this.cache = cache;
        this.owner = owner;
        this.objectSize = cache.objectSize();
        this.stride = cache.stride();
        this.freeOffset = cache.freeOffset();
        this.objsPerSlab = cache.objsPerSlab();
        this.order = cache.order();
        this.minPartial = cache.minPartial();
        this.ctor = cache.ctor();
    }

    /**
     * Takes a batch from the pool, keeps one object and splices the rest onto {@code cpu}'s list
     * in {@code cpuSlab} (get_partial takes the kmem_cache_cpu too; {@code owned}: the caller owns
     * the CPU); returns the object, or NULL when no slab has room and no page is left. The batch
     * is taken slab by slab (SLUB's get_freelist takes a slab's whole freelist at once): the
     * slab's bookkeeping is updated once per slab, and each object costs one link write, plus the
     * read of its free pointer when it comes from the slab's freelist.
     */
    long refill(KmemCacheCpu cpuSlab, int cpu, int batch, boolean owned) {
        long chain = 0;
        long chainTail = 0;
        int got = 0;
        synchronized (this) {
            cache.checkLive("kmem_cache_alloc");
            while (got < batch) {
                Slab s = partialHead;
                if (s == null) {
                    s = newSlab();
                    if (s == null) {
                        break;
                    }
                }
                final int take = Math.min(batch - got, objsPerSlab - s.inuse);
                // Returned objects first (cache-warm), then never-used ones in address order, so a
                // fresh slab hands out object 0 first. The chain is appended to, keeping that order.
                long token = s.freeToken;
                int fresh = s.fresh;
                for (int i = 0; i < take; i++) {
                    final long obj;
                    if (token != 0) {
                        obj = objectOf(token);
                        token = Mem.getLongNofault(obj + freeOffset);
                    } else if (fresh < objsPerSlab) {
                        obj = s.base + (long) fresh++ * stride;
                    } else {
                        throw cache.corrupt("the freelist of the slab at 0x" + Long.toHexString(s.base)
                            + " holds fewer objects than its count says");
                    }
                    if (chainTail == 0) {
                        chain = tokenOf(obj);
                    } else {
                        Mem.putLongNofault(chainTail + freeOffset, tokenOf(obj));
                    }
                    chainTail = obj;
                }
                s.freeToken = token;
                s.fresh = fresh;
                if (s.inuse == 0) {
                    emptySlabs--;
                }
                s.inuse += take;
                freeInSlabs -= take;
                if (s.inuse == objsPerSlab) {
                    removePartial(s);
                }
                got += take;
            }
            if (got == 0) {
                return Abi.NULL;
            }
            Mem.putLongNofault(chainTail + freeOffset, 0);
        }
        final long obj = objectOf(chain);
        final long rest = Mem.getLongNofault(obj + freeOffset);
        if (got > 1 && !cpuSlab.spliceOnto(cpu, rest, chainTail, got - 1, owned)) {
            returnToSlabs(rest, got - 1); // frees on this CPU filled the list meanwhile
        }
        return obj;
    }

    /** Gives one object, out of any CPU's list, straight back to its slab. */
    void freeToSlab(long obj) {
        Mem.putLongNofault(obj + freeOffset, 0);
        returnToSlabs(tokenOf(obj), 1);
    }

    /** Counts an allocation that found no RAM. */
    synchronized void allocFailed() {
        allocFailures++;
    }

    /**
     * Gives a private chain of {@code n} objects back to their slabs (free_block). The chain must
     * hold exactly {@code n} objects of this cache's slabs, each out of its slab, and end in 0;
     * anything else is a corrupt list (an unchecked double free, a use-after-free write), reported
     * instead of followed.
     */
    synchronized void returnToSlabs(long token, int n) {
        for (int i = 0; i < n; i++) {
            if (token == 0) {
                throw cache.corrupt("a freelist that counts " + n + " objects ends after " + i);
            }
            final long obj = objectOf(token);
            final Slab s = owner.slabOf(obj);
            if (s == null || s.cache != cache) {
                throw cache.corrupt("a freelist holds 0x" + Long.toHexString(obj)
                    + ", which is not in one of its slabs");
            }
            if (s.inuse == 0 || s.freeToken == token) {
                throw cache.corrupt("object 0x" + Long.toHexString(obj)
                    + " comes back to its slab twice (a double free?)");
            }
            final long next = Mem.getLongNofault(obj + freeOffset);
            Mem.putLongNofault(obj + freeOffset, s.freeToken);
            s.freeToken = token;
            if (s.inuse == objsPerSlab) {
                addPartial(s);
            }
            s.inuse--;
            freeInSlabs++;
            if (s.inuse == 0) {
                emptySlabs++;
                if (emptySlabs > minPartial) {
                    releaseSlab(s);
                }
            }
            token = next;
        }
        if (token != 0) {
            throw cache.corrupt("a freelist that counts " + n
                + " objects goes on past them (a cycle from a double free?)");
        }
    }

    /** allocate_slab: a new slab on the partial list, objects constructed; null when out of RAM. */
    private Slab newSlab() {
        final long base = owner.pages().allocPages(order);
        if (base == Abi.NULL) {
            return null;
        }
        Slab s = spare;
        if (s != null) {
            spare = s.next;
        } else {
            s = new Slab(cache);
        }
        s.base = base;
        s.freeToken = 0;
        s.fresh = 0;
        s.inuse = 0;
        if (Kasan.ENABLED) {
            Kasan.poison(base, (long) Abi.PAGE_SIZE << order, Kasan.SLAB_REDZONE);
        }
        // No freelist to thread: objects are handed out from the fresh index (object 0 first).
        // A constructor still runs once per object, now, as the kernel runs it at slab creation.
        for (int i = 0; i < objsPerSlab && (ctor != null || Kasan.ENABLED); i++) {
            final long obj = base + (long) i * stride;
            if (ctor != null) {
                Kasan.unpoison(obj, objectSize);
                ctor.accept(obj);
            }
            if (Kasan.ENABLED) {
                Kasan.poison(obj, objectSize, Kasan.SLAB_UNUSED);
            }
        }
        owner.mapSlab(s, base, 1 << order);
        s.allPrev = null;
        s.allNext = allHead;
        if (allHead != null) {
            allHead.allPrev = s;
        }
        allHead = s;
        nrSlabs++;
        addPartial(s);
        freeInSlabs += objsPerSlab;
        emptySlabs++;
        return s;
    }

    private void releaseSlab(Slab s) {
        removePartial(s);
        if (s.allPrev != null) {
            s.allPrev.allNext = s.allNext;
        } else {
            allHead = s.allNext;
        }
        if (s.allNext != null) {
            s.allNext.allPrev = s.allPrev;
        }
        s.allPrev = null;
        s.allNext = null;
        nrSlabs--;
        emptySlabs--;
        freeInSlabs -= objsPerSlab;
        owner.unmapSlab(s.base, 1 << order);
        owner.pages().freePages(s.base, order);
        s.next = spare; // keep the descriptor, as struct page outlives its slab
        spare = s;
    }

    /** Every slab, for the slow paths that walk them all (the lock is held). */
    private List<Slab> allSlabs() {
        final List<Slab> all = new ArrayList<>(nrSlabs);
        for (Slab s = allHead; s != null; s = s.allNext) {
            all.add(s);
        }
        return all;
    }

    private void addPartial(Slab s) {
        s.prev = null;
        s.next = partialHead;
        if (partialHead != null) {
            partialHead.prev = s;
        }
        partialHead = s;
        s.onPartial = true;
    }

    private void removePartial(Slab s) {
        if (!s.onPartial) {
            return;
        }
        if (s.prev != null) {
            s.prev.next = s.next;
        } else {
            partialHead = s.next;
        }
        if (s.next != null) {
            s.next.prev = s.prev;
        }
        s.prev = null;
        s.next = null;
        s.onPartial = false;
    }

    /** __kmem_cache_shrink's second half: releases every empty slab; returns how many. */
    synchronized int releaseEmptySlabs() {
        int released = 0;
        for (Slab s : allSlabs()) {
            if (s.inuse == 0) {
                releaseSlab(s);
                released++;
            }
        }
        return released;
    }

    /**
     * __kmem_cache_shutdown: with the CPU lists flushed, releases every slab, or, when objects
     * are still out, keeps them all and throws {@link SlabLeakException} naming each.
     *
     * @param markDestroyed run under the lock once every slab is gone
     */
    synchronized void shutdown(Runnable markDestroyed) {
        final List<Long> leaked = new ArrayList<>();
        for (Slab s : allSlabs()) {
            if (s.inuse > 0) {
                leaked.addAll(liveObjects(s));
            }
        }
        if (!leaked.isEmpty()) {
            throw new SlabLeakException(cache.name(), leaked);
        }
        for (Slab s : allSlabs()) {
            releaseSlab(s);
        }
        markDestroyed.run();
    }

    /**
     * The objects of a slab that are not on its freelist (the lock is held, lists flushed). The
     * walk stops at the count the slab keeps, so a cycle is reported instead of followed.
     */
    private List<Long> liveObjects(Slab s) {
        final boolean[] free = new boolean[objsPerSlab];
        for (int i = s.fresh; i < objsPerSlab; i++) {
            free[i] = true;
        }
        final int onFreelist = s.fresh - s.inuse;
        int seen = 0;
        for (long t = s.freeToken; t != 0; t = Mem.getLongNofault(objectOf(t) + freeOffset)) {
            final long off = objectOf(t) - s.base;
            if (seen++ == onFreelist || off < 0 || off % stride != 0 || off / stride >= s.fresh
                || free[(int) (off / stride)]) {
                throw cache.corrupt("the freelist of the slab at 0x" + Long.toHexString(s.base)
                    + " is corrupt at object 0x" + Long.toHexString(objectOf(t)) + " (a double free?)");
            }
            free[(int) (off / stride)] = true;
        }
        if (seen != onFreelist) {
            throw cache.corrupt("the freelist of the slab at 0x" + Long.toHexString(s.base) + " holds " + seen
                + " objects where its count says " + onFreelist);
        }
        final List<Long> live = new ArrayList<>();
        for (int i = 0; i < objsPerSlab; i++) {
            if (!free[i]) {
                live.add(s.base + (long) i * stride);
            }
        }
        return live;
    }

    /** Slabs now (the lock is held by the caller or the figure is a snapshot). */
    synchronized int nrSlabs() {
        return nrSlabs;
    }

    /** Objects in the slabs that are not out of them. */
    synchronized long freeInSlabs() {
        return freeInSlabs;
    }

    /** Allocations that returned NULL for lack of RAM. */
    synchronized long allocFailures() {
        return allocFailures;
    }
}
