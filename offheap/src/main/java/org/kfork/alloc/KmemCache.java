package org.kfork.alloc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;
import org.kfork.machine.Abi;
import org.kfork.machine.Kasan;
import org.kfork.machine.Mem;
import org.kfork.machine.Ram;

/**
 * A slab cache (struct kmem_cache): fixed-size objects packed in slabs of one or more pages from
 * the page allocator, with a lock-free per-CPU freelist in front of a shared pool, in the manner of
 * SLUB.
 *
 * <h2>Object slot layout</h2>
 * SLUB's calculate_sizes of 5.12: the free pointer of a free object lives <em>inside</em> it, at
 * {@code ALIGN_DOWN(object_size / 2, 8)}, away from both edges so that a small overflow from a
 * neighbour does not hit it, and the stride is the object size rounded up to 8, then to the
 * alignment:
 * <pre>
 *   slab (2^order pages, from the buddy allocator)
 *   +---------------------------+---------+---------------------------+-----+------+
 *   | object 0     [free ptr]   | pad..a  | object 1     [free ptr]   | ... | tail |
 *   +---------------------------+---------+---------------------------+-----+------+
 *   |<-- size (the stride, a multiple of align) -->|
 * </pre>
 * A cache with a constructor or SLAB_TYPESAFE_BY_RCU keeps an object's contents while it is free,
 * so its free pointer goes after the object, in a word of its own ({@code size = ALIGN(ALIGN(
 * object_size, 8) + 8, align)}). So a vm_area_struct (200 bytes, align 8) has a stride of 200, 20
 * to a page, as in /proc/slabinfo of a 5.12 kernel. The free pointer is allocator metadata: only
 * this class touches it, through the facade's nofault accessors, so checked mode can poison a free
 * object whole.
 *
 * <h2>The per-CPU freelist (the fast path)</h2>
 * Each CPU has one 8-byte word in its per-CPU area, the head of a LIFO list of free objects linked
 * through their free pointers:
 * <pre>
 *   63          44 43      34 33                          0
 *   +-------------+----------+-----------------------------+
 *   | tag (20)    | count(10)| object token (34): 0 = empty|
 *   +-------------+----------+-----------------------------+
 * </pre>
 * The token is {@code (phys >> 3) + 1}. alloc pops with one compare-and-set of the head, free pushes
 * with one; both touch only the CPU's own cache line and the object itself. The tag changes on
 * every update, so a thread that read the head, was preempted while another thread on the same CPU
 * popped and pushed the same object back, fails its CAS instead of installing a stale next pointer
 * (ABA; SLUB's transaction id plays this role with a double-word cmpxchg).
 *
 * <h2>The shared pool (the slow path)</h2>
 * Under the cache lock: slabs with free objects (the partial list) and each slab's own freelist.
 * An empty per-CPU list is refilled with a batch of objects; a per-CPU list that reached its limit
 * gives back all but a batch of its most recently freed objects. A batch is spliced back onto a
 * list only if the list stays within its limit, so a list never holds more than the limit. A slab
 * whose objects are all back is released to the page allocator once more than {@link #minPartial()}
 * empty slabs are kept (SLUB's min_partial: half the log2 of the object size, clamped to 5..10).
 *
 * <p>A new slab's freelist is not threaded through all its objects up front: the slab hands out
 * its never-used objects in address order from a bump index ({@code fresh}) once its freelist is
 * empty. The order of handed-out objects is the same as SLUB's for a fresh slab (object 0 first),
 * and a slab creation touches no object memory unless the cache has a constructor. The slab
 * descriptors (the slab fields of struct page) are recycled, so the slow path allocates nothing
 * on the Java heap either.
 *
 * <h2>Checked mode</h2>
 * Objects are unpoisoned when handed out and poisoned when freed (except SLAB_TYPESAFE_BY_RCU
 * caches, as with KASAN); a free pointer outside the object, padding and the slab tail are always
 * poisoned. The layout is the same as with checked mode off (no KASAN redzones are added), so an
 * overflow into the padding, a free object or the tail is caught, and one that runs straight into
 * an allocated neighbour is not, as on a kernel without KASAN. A free is validated: the pointer
 * must be the start of an object of this cache, currently allocated. A violation raises
 * {@link BadFreeException} naming cache and address. None of this runs when checked mode is off.
 *
 * <h2>Exhaustion</h2>
 * When the page allocator has no pages, alloc returns 0 (NULL) and nothing changes.
 */
public final class KmemCache {
    /** The fewest empty slabs SLUB keeps per node (MIN_PARTIAL in mm/slub.c). */
    public static final int MIN_PARTIAL = 5;
    /** The most (MAX_PARTIAL in mm/slub.c). */
    public static final int MAX_PARTIAL = 10;
    /** NUMA_NO_NODE. */
    public static final int NUMA_NO_NODE = -1;
    /** SLUB's default largest slab order (PAGE_ALLOC_COSTLY_ORDER) for objects that fit. */
    static final int MAX_PREFERRED_ORDER = 3;

    private static final int COUNT_SHIFT = 34;
    private static final long TOKEN_MASK = (1L << COUNT_SHIFT) - 1;
    private static final int COUNT_BITS = 10;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    private static final int TAG_SHIFT = COUNT_SHIFT + COUNT_BITS;
    private static final long ONE_TAG = 1L << TAG_SHIFT;
    private static final long ONE_COUNT = 1L << COUNT_SHIFT;

    static {
        if ((Ram.CAPACITY >>> 3) >= TOKEN_MASK) {
            throw new ExceptionInInitializerError("the per-CPU freelist token holds physical offsets up to "
                + ((TOKEN_MASK - 1) << 3) + " bytes; kfork.ram.capacity is " + Ram.CAPACITY);
        }
    }

    private final SlabCaches owner;
    private final String name;
    private final int objectSize;
    private final int size;
    private final int freeOffset;
    private final int align;
    private final int flags;
    private final LongConsumer ctor;
    private final int useroffset;
    private final int usersize;
    private final int order;
    private final int objsPerSlab;
    private final int limit;
    private final int batch;
    private final int headOff;
    private final PerCpu percpu;
    private final int nrCpus;
    private final Cpus cpus;
    private final boolean poisonOnFree;
    private final int minPartial;

    // ---- the shared pool: guarded by this ----
    private Slab partialHead;
    /** Every slab of the cache, linked through {@code allNext}/{@code allPrev}. */
    private Slab allHead;
    private int nrSlabs;
    /** Released slab descriptors, kept for the next slab (linked through {@code next}). */
    private Slab spare;
    private long freeInSlabs;
    private int emptySlabs;
    private boolean destroyed;
    private long allocFailures;

    /**
     * One slab's bookkeeping (the slab fields of struct page). Guarded by the cache lock, except
     * {@code cache} and {@code base}, which do not change while the slab is mapped.
     */
    static final class Slab {
        final KmemCache cache;
        long base;
        /** Head token of the slab's own freelist of returned objects. */
        long freeToken;
        /** Objects from index {@code fresh} on were never handed out. */
        int fresh;
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
            this.allocated = Kasan.ENABLED ? new AtomicLongArray((cache.objsPerSlab + 63) >>> 6) : null;
        }
    }

    KmemCache(SlabCaches owner, String name, int objectSize, int align, int flags, LongConsumer ctor,
              int useroffset, int usersize, int order, int headOff) {
        this.owner = owner;
        this.name = name;
        this.objectSize = objectSize;
        this.align = align;
        this.flags = flags;
        this.ctor = ctor;
        this.useroffset = useroffset;
        this.usersize = usersize;
        final boolean outside = freePointerOutside(flags, ctor);
        this.freeOffset = outside ? (int) Abi.alignUp(objectSize, 8) : (objectSize / 2) & ~7;
        this.size = strideFor(objectSize, align, outside);
        this.order = order;
        this.objsPerSlab = (Abi.PAGE_SIZE << order) / size;
        this.limit = limitFor(size);
        this.batch = (limit + 1) / 2;
        this.headOff = headOff;
        this.percpu = owner.percpu();
        this.cpus = owner.cpus();
        this.nrCpus = cpus.nrCpus();
        this.poisonOnFree = (flags & SlabFlags.SLAB_TYPESAFE_BY_RCU) == 0;
        this.minPartial = minPartialFor(size);
    }

    /** set_min_partial(s, ilog2(s->size) / 2), clamped to MIN_PARTIAL..MAX_PARTIAL. */
    static int minPartialFor(int size) {
        final int half = (31 - Integer.numberOfLeadingZeros(size)) / 2;
        return Math.max(MIN_PARTIAL, Math.min(MAX_PARTIAL, half));
    }

    /**
     * Whether a free object's contents must survive, so that its free pointer goes after it: a
     * constructor built them, or SLAB_TYPESAFE_BY_RCU readers may still look at them.
     */
    static boolean freePointerOutside(int flags, LongConsumer ctor) {
        return ctor != null || (flags & SlabFlags.SLAB_TYPESAFE_BY_RCU) != 0;
    }

    /**
     * The stride of objects: the object rounded to 8, plus a word when the free pointer goes
     * after it, rounded to the alignment.
     */
    static int strideFor(int objectSize, int align, boolean freePointerOutside) {
        return (int) Abi.alignUp(Abi.alignUp(objectSize, 8) + (freePointerOutside ? 8 : 0), align);
    }

    /** The per-CPU limit, as SLAB sizes its array caches (enable_cpucache). */
    static int limitFor(int size) {
        if (size > Abi.PAGE_SIZE) {
            return 8;
        } else if (size > 1024) {
            return 24;
        } else if (size > 256) {
            return 54;
        }
        return 120;
    }

    // ------------------------------------------------------------------------------------------
    // The API
    // ------------------------------------------------------------------------------------------

    /** kmem_cache_alloc on the calling thread's CPU. */
    public long alloc() {
        return alloc(cpus.current());
    }

    /**
     * kmem_cache_alloc on {@code cpu}: a constructed object, or 0 (NULL) when RAM is exhausted.
     *
     * @param cpu the CPU whose freelist to use (the caller's current CPU)
     */
    public long alloc(int cpu) {
        final long headAddr = percpu.ptr(cpu, headOff);
        for (;;) {
            final long h = Mem.getLongVolatile(headAddr);
            final long token = h & TOKEN_MASK;
            if (token == 0) {
                return allocSlow(cpu);
            }
            final long obj = objectOf(token);
            // Racy read: another thread on this CPU may pop obj (and even free it elsewhere and let
            // its slab go) before our CAS. The read cannot trap (nofault) and the tag makes the
            // CAS fail in every such case, so a stale next is never installed.
            final long next = Mem.getLongNofault(obj + freeOffset);
            if (Mem.compareAndSetLong(headAddr, h, ((h & ~TOKEN_MASK) + ONE_TAG - ONE_COUNT) | next)) {
                if (Kasan.ENABLED) {
                    checkedAlloc(obj);
                }
                return obj;
            }
        }
    }

    /**
     * kmem_cache_alloc_node: single-node machine, so node 0 or NUMA_NO_NODE.
     *
     * @throws IllegalArgumentException for another node
     */
    public long allocNode(int cpu, int node) {
        if (node != 0 && node != NUMA_NO_NODE) {
            throw new IllegalArgumentException("node " + node + " is not online (the machine has node 0 only)");
        }
        return alloc(cpu);
    }

    /** kmem_cache_alloc_node on the calling thread's CPU. */
    public long allocNode(int node) {
        return allocNode(cpus.current(), node);
    }

    /** kmem_cache_zalloc: alloc with __GFP_ZERO; refused for caches with a constructor. */
    public long zalloc(int cpu) {
        if (ctor != null) {
            throw new IllegalStateException("kmem_cache_zalloc(" + name + "): zeroing would destroy what the ctor built");
        }
        final long obj = alloc(cpu);
        if (obj != Abi.NULL) {
            Mem.zero(obj, objectSize);
        }
        return obj;
    }

    /** kmem_cache_zalloc on the calling thread's CPU. */
    public long zalloc() {
        return zalloc(cpus.current());
    }

    /** kmem_cache_free on the calling thread's CPU. */
    public void free(long obj) {
        free(cpus.current(), obj);
    }

    /**
     * kmem_cache_free on {@code cpu}. Freeing NULL is a no-op.
     *
     * @throws BadFreeException in checked mode, for a double free or a pointer that is not an
     *                          allocated object of this cache
     */
    public void free(int cpu, long obj) {
        if (obj == Abi.NULL) {
            return;
        }
        if (Kasan.ENABLED) {
            checkedFree(obj);
        }
        final long headAddr = percpu.ptr(cpu, headOff);
        final long token = tokenOf(obj);
        for (;;) {
            final long h = Mem.getLongVolatile(headAddr);
            if (((h >>> COUNT_SHIFT) & COUNT_MASK) >= limit) {
                drain(cpu, headAddr);
                continue;
            }
            // obj is ours until the CAS publishes it; its free pointer links to the current head.
            Mem.putLongNofault(obj + freeOffset, h & TOKEN_MASK);
            if (Mem.compareAndSetLong(headAddr, h, ((h & ~TOKEN_MASK) + ONE_TAG + ONE_COUNT) | token)) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Slow paths
    // ------------------------------------------------------------------------------------------

    /**
     * Refills {@code cpu}'s list with a batch from the shared pool; returns one object or NULL.
     * The batch is taken slab by slab (SLUB's get_freelist takes a slab's whole freelist at once):
     * the slab's bookkeeping is updated once per slab, and each object costs one link write, plus
     * the read of its free pointer when it comes from the slab's freelist.
     */
    private long allocSlow(int cpu) {
        long chain = 0;
        long chainTail = 0;
        int got = 0;
        synchronized (this) {
            if (destroyed) {
                throw new IllegalStateException("kmem_cache_alloc on destroyed cache " + name);
            }
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
                    } else {
                        obj = s.base + (long) fresh++ * size;
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
                allocFailures++;
                return Abi.NULL;
            }
            Mem.putLongNofault(chainTail + freeOffset, 0);
        }
        final long obj = objectOf(chain);
        final long rest = Mem.getLongNofault(obj + freeOffset);
        if (got > 1 && !spliceOnto(percpu.ptr(cpu, headOff), rest, chainTail, got - 1)) {
            returnToSlabs(rest); // frees on this CPU filled the list meanwhile
        }
        if (Kasan.ENABLED) {
            checkedAlloc(obj);
        }
        return obj;
    }

    /**
     * Pushes a private chain (first token, last object, length) onto a per-CPU list, unless that
     * would take the list over its limit (other threads on the CPU freed meanwhile): then the chain
     * stays private and false is returned. So a list never holds more than {@link #limit()}.
     */
    private boolean spliceOnto(long headAddr, long firstToken, long lastObj, int n) {
        for (;;) {
            final long h = Mem.getLongVolatile(headAddr);
            if (((h >>> COUNT_SHIFT) & COUNT_MASK) + n > limit) {
                // A failed CAS below may have linked the chain's end to the list: cut it again,
                // or the caller would walk from its chain into the live list.
                Mem.putLongNofault(lastObj + freeOffset, 0);
                return false;
            }
            Mem.putLongNofault(lastObj + freeOffset, h & TOKEN_MASK);
            if (Mem.compareAndSetLong(headAddr, h, ((h & ~TOKEN_MASK) + ONE_TAG + (long) n * ONE_COUNT) | firstToken)) {
                return true;
            }
        }
    }

    /**
     * The per-CPU list is full: detach it, keep the {@code batch} most recently freed objects
     * (cache-hot) on the CPU, give the rest back to their slabs.
     */
    private void drain(int cpu, long headAddr) {
        long h;
        for (;;) {
            h = Mem.getLongVolatile(headAddr);
            if (((h >>> COUNT_SHIFT) & COUNT_MASK) < limit) {
                return; // someone else drained or allocated meanwhile
            }
            if (Mem.compareAndSetLong(headAddr, h, (h & ~(TOKEN_MASK | (COUNT_MASK << COUNT_SHIFT))) + ONE_TAG)) {
                break;
            }
        }
        // The detached list is private now.
        final long first = h & TOKEN_MASK;
        long t = first;
        long keptTail = 0;
        for (int i = 0; i < batch && t != 0; i++) {
            keptTail = objectOf(t);
            t = Mem.getLongNofault(keptTail + freeOffset);
        }
        // Cut the kept chain off the rest before the rest goes back to the slabs.
        Mem.putLongNofault(keptTail + freeOffset, 0);
        returnToSlabs(t);
        if (!spliceOnto(headAddr, first, keptTail, batch)) {
            returnToSlabs(first);
        }
    }

    /** Gives a private chain of objects back to their slabs (free_block). */
    private synchronized void returnToSlabs(long token) {
        while (token != 0) {
            final long obj = objectOf(token);
            final long next = Mem.getLongNofault(obj + freeOffset);
            final Slab s = owner.slabOf(obj);
            if (s == null || s.cache != this) {
                throw new IllegalStateException("slab corruption in " + name + ": free list holds 0x"
                    + Long.toHexString(obj) + " which is not in one of its slabs");
            }
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
            s = new Slab(this);
        }
        s.base = base;
        s.freeToken = 0;
        s.fresh = 0;
        s.inuse = 0;
        final long slabBytes = (long) Abi.PAGE_SIZE << order;
        if (Kasan.ENABLED) {
            Kasan.poison(base, slabBytes, Kasan.SLAB_REDZONE);
        }
        // No freelist to thread: objects are handed out from the fresh index (object 0 first).
        // A constructor still runs once per object, now, as the kernel runs it at slab creation.
        for (int i = 0; i < objsPerSlab && (ctor != null || Kasan.ENABLED); i++) {
            final long obj = base + (long) i * size;
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

    /** Every slab, for the slow paths that walk them all (the cache lock is held). */
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

    // ------------------------------------------------------------------------------------------
    // Draining, shrinking, destroying
    // ------------------------------------------------------------------------------------------

    /** Detaches {@code cpu}'s whole list and gives it back to the slabs (flush_cpu_slab). */
    public void flushCpu(int cpu) {
        final long headAddr = percpu.ptr(cpu, headOff);
        long h;
        do {
            h = Mem.getLongVolatile(headAddr);
            if ((h & TOKEN_MASK) == 0) {
                return;
            }
        } while (!Mem.compareAndSetLong(headAddr, h, (h & ~(TOKEN_MASK | (COUNT_MASK << COUNT_SHIFT))) + ONE_TAG));
        returnToSlabs(h & TOKEN_MASK);
    }

    /**
     * kmem_cache_shrink: flushes every CPU's list and releases every empty slab.
     *
     * @return the number of slabs released
     */
    public int shrink() {
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            flushCpu(cpu);
        }
        synchronized (this) {
            int released = 0;
            for (Slab s : allSlabs()) {
                if (s.inuse == 0) {
                    releaseSlab(s);
                    released++;
                }
            }
            return released;
        }
    }

    /**
     * kmem_cache_destroy. Every object must have been freed; otherwise the cache is kept and a
     * {@link SlabLeakException} lists every leaked object. Must not race with alloc or free.
     */
    public void destroy() {
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            flushCpu(cpu);
        }
        synchronized (this) {
            if (destroyed) {
                throw new IllegalStateException("kmem_cache_destroy of destroyed cache " + name);
            }
            final List<Long> leaked = new ArrayList<>();
            for (Slab s : allSlabs()) {
                if (s.inuse > 0) {
                    leaked.addAll(liveObjects(s));
                }
            }
            if (!leaked.isEmpty()) {
                throw new SlabLeakException(name, leaked);
            }
            for (Slab s : allSlabs()) {
                releaseSlab(s);
            }
            destroyed = true;
        }
        owner.unregister(this, headOff);
    }

    /** The objects of a slab that are not on its freelist (the cache lock is held, lists flushed). */
    private List<Long> liveObjects(Slab s) {
        final boolean[] free = new boolean[objsPerSlab];
        for (int i = s.fresh; i < objsPerSlab; i++) {
            free[i] = true;
        }
        for (long t = s.freeToken; t != 0; t = Mem.getLongNofault(objectOf(t) + freeOffset)) {
            free[(int) ((objectOf(t) - s.base) / size)] = true;
        }
        final List<Long> live = new ArrayList<>();
        for (int i = 0; i < objsPerSlab; i++) {
            if (!free[i]) {
                live.add(s.base + (long) i * size);
            }
        }
        return live;
    }

    // ------------------------------------------------------------------------------------------
    // Checked mode
    // ------------------------------------------------------------------------------------------

    private void checkedAlloc(long obj) {
        final Slab s = owner.slabOf(obj);
        final int idx = (int) ((obj - s.base) / size);
        final long bit = 1L << (idx & 63);
        final long old = s.allocated.getAndAccumulate(idx >>> 6, bit, (a, b) -> a | b);
        if ((old & bit) != 0) {
            throw new IllegalStateException("slab corruption in " + name + ": object 0x" + Long.toHexString(obj)
                + " handed out twice");
        }
        Kasan.unpoison(obj, objectSize);
    }

    private void checkedFree(long obj) {
        final Slab s = owner.slabOf(obj);
        if (s == null) {
            throw new BadFreeException(name, obj, "invalid-free (not a slab object)");
        }
        if (s.cache != this) {
            throw new BadFreeException(name, obj, "invalid-free (object of cache " + s.cache.name + ")");
        }
        final long off = obj - s.base;
        if (off % size != 0 || off / size >= objsPerSlab) {
            throw new BadFreeException(name, obj, "invalid-free (not the start of an object; offset "
                + (off % size) + " into object 0x" + Long.toHexString(s.base + off / size * size) + ")");
        }
        final int idx = (int) (off / size);
        final long bit = 1L << (idx & 63);
        final long old = s.allocated.getAndAccumulate(idx >>> 6, ~bit, (a, b) -> a & b);
        if ((old & bit) == 0) {
            throw new BadFreeException(name, obj, "double-free");
        }
        if (poisonOnFree) {
            Kasan.poison(obj, objectSize, Kasan.SLAB_FREE);
        }
    }

    /** What lies at {@code addr} inside one of this cache's slabs, for KASAN reports. */
    String describe(Slab s, long addr) {
        final long off = addr - s.base;
        final long idx = off / size;
        if (idx >= objsPerSlab) {
            return "in the unused tail of a slab of cache " + name;
        }
        final long obj = s.base + idx * size;
        final long in = addr - obj;
        final String where = in < objectSize ? "offset " + in + " of" : in >= freeOffset && in < freeOffset + 8
            ? "the free pointer after" : "the padding after";
        return where + " object 0x" + Long.toHexString(obj) + " of cache " + name + " (object size " + objectSize + ")";
    }

    // ------------------------------------------------------------------------------------------
    // Statistics
    // ------------------------------------------------------------------------------------------

    /** Objects sitting on {@code cpu}'s freelist now. */
    public int cpuCached(int cpu) {
        return (int) ((Mem.getLongVolatile(percpu.ptr(cpu, headOff)) >>> COUNT_SHIFT) & COUNT_MASK);
    }

    /** A /proc/slabinfo line's numbers, consistent when no alloc or free runs concurrently. */
    public synchronized SlabInfo info() {
        long cached = 0;
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            cached += cpuCached(cpu);
        }
        final long total = (long) nrSlabs * objsPerSlab;
        return new SlabInfo(name, total - freeInSlabs - cached, total, objectSize, size, objsPerSlab, 1 << order,
            nrSlabs, align, flags, useroffset, usersize, limit, batch, allocFailures);
    }

    /** The empty slabs this cache keeps before it gives further empty slabs back to the buddy. */
    public int minPartial() {
        return minPartial;
    }

    /** Live objects: handed out and not yet freed (the leak check's counter). */
    public long activeObjects() {
        return info().activeObjs();
    }

    /** The cache's name. */
    public String name() {
        return name;
    }

    /** object_size: the size the creator asked for. */
    public int objectSize() {
        return objectSize;
    }

    /** size: the stride of objects in a slab (object, free pointer, alignment). */
    public int size() {
        return size;
    }

    /** The object alignment. */
    public int align() {
        return align;
    }

    /** The creation flags. */
    public int flags() {
        return flags;
    }

    /** The usercopy whitelist offset (useroffset). */
    public int useroffset() {
        return useroffset;
    }

    /** The usercopy whitelist size (usersize). */
    public int usersize() {
        return usersize;
    }

    /** The slab order (pages per slab = 2^order). */
    public int order() {
        return order;
    }

    /** Objects per slab. */
    public int objsPerSlab() {
        return objsPerSlab;
    }

    /** The per-CPU freelist limit. */
    public int limit() {
        return limit;
    }

    /** The refill and drain batch. */
    public int batch() {
        return batch;
    }

    /** The constructor, or null. */
    public LongConsumer ctor() {
        return ctor;
    }

    @Override
    public String toString() {
        return "kmem_cache " + name + " (object " + objectSize + ", stride " + size + ", align " + align + ", "
            + SlabFlags.describe(flags) + ")";
    }

    private static long tokenOf(long obj) {
        return ((obj - Abi.PAGE_OFFSET) >>> 3) + 1;
    }

    private static long objectOf(long token) {
        return Abi.PAGE_OFFSET + ((token - 1) << 3);
    }
}
