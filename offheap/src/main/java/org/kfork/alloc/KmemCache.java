package org.kfork.alloc;

import java.util.function.LongConsumer;
import org.kfork.machine.Abi;
import org.kfork.machine.Kasan;
import org.kfork.machine.Mem;
import org.kfork.machine.Ram;

/**
 * A slab cache (struct kmem_cache): fixed-size objects packed in slabs of one or more pages from
 * the page allocator, with a lock-free per-CPU freelist in front of a shared pool, in the manner of
 * SLUB (mm/slub.c of 5.12).
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
 *   |<-- stride (s->size: a multiple of align) -->|
 * </pre>
 * A cache with a constructor or SLAB_TYPESAFE_BY_RCU keeps an object's contents while it is free,
 * so its free pointer goes after the object, in a word of its own ({@code stride = ALIGN(ALIGN(
 * object_size, 8) + 8, align)}). So a vm_area_struct (200 bytes, align 8) has a stride of 200, 20
 * to a page, as in /proc/slabinfo of a 5.12 kernel. The free pointer is allocator metadata: only
 * this class touches it, through the facade's nofault accessors, so checked mode can poison a free
 * object whole. A machine built with {@link org.kfork.machine.Machine.Builder#kasanRedzones KASAN
 * redzones} adds generic KASAN's metadata and redzone after the object ({@link SlabGeometry}),
 * and the cache's flags show {@link SlabFlags#SLAB_KASAN}.
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
 * with one; both touch only the CPU's own cache line and the object itself. On a CPU the calling
 * thread owns ({@link Cpus#own}) the same updates are plain loads and stores, as SLUB's are with
 * preemption off: one load of the CPU's owner slot tells the paths apart. A thread whose CPU is
 * owned by another thread never touches that CPU's list: its allocations and frees go to the
 * shared pool under its lock, one object at a time. The atomic paths read the owner slot again
 * after each read of the head, and a claim changes the head's tag, so an update that began before
 * the claim fails and its retry sees the owner. The tag changes on
 * every update, so a thread that read the head, was preempted while another thread on the same CPU
 * popped and pushed the same object back, fails its CAS instead of installing a stale next pointer
 * (ABA; SLUB's transaction id plays this role with a double-word cmpxchg). The count is exact: a
 * list of count {@code n} holds {@code n} objects and ends in 0, which is what lets every walk of a
 * list stop at its count and report a corrupt list instead of looping.
 *
 * <h2>The shared pool (the slow path)</h2>
 * {@link KmemCacheNode}, under its lock: slabs with free objects (the partial list) and each
 * slab's own freelist. An empty per-CPU list is refilled with a batch of objects; a per-CPU list that reached its limit
 * gives back all but a batch of its most recently freed objects. A batch is spliced back onto a
 * list only if the list stays within its limit. A slab whose objects are all back is released to
 * the page allocator once more than {@link #minPartial()} empty slabs are kept (SLUB's min_partial:
 * half the log2 of the stride, clamped to 5..10). A new slab hands out its never-used objects in
 * address order from a bump index ({@code fresh}) once its freelist is empty, so a slab creation
 * touches no object memory unless the cache has a constructor; the slab descriptors are recycled,
 * so the slow path allocates nothing on the Java heap either.
 *
 * <h2>Frees that are wrong, in both modes</h2>
 * A free looks up the slab of the object first, as 5.12's cache_from_obj does on every
 * kmem_cache_free with CONFIG_MEMCG_KMEM: a pointer outside this cache's slabs (a page that is
 * no slab, another cache's object) throws {@link BadFreeException} before anything is written
 * through it. A free of the object that already heads the CPU's freelist throws too: SLUB's naive
 * double-free check of CONFIG_SLAB_FREELIST_HARDENED, <em>a deliberate deviation</em> (the
 * reference config leaves that option off), which keeps the commonest double free from making a
 * cycle of the list. A subtler double free still corrupts a list in unchecked mode, as in SLUB;
 * the walks that meet such a list (flush, drain, destroy) stop at its count and throw
 * IllegalStateException ("slab corruption") rather than loop. After {@link #destroy()}, or once
 * the machine has closed, every entry point throws IllegalStateException; alloc pays one read of
 * a field for it, free none (the slab lookup fails).
 *
 * <h2>Checked mode</h2>
 * Objects are unpoisoned when handed out and poisoned when freed (except SLAB_TYPESAFE_BY_RCU
 * caches, as with KASAN); a free pointer outside the object, padding, redzones and the slab tail
 * are always poisoned. A free is validated: the pointer must be the start of an object of this
 * cache that is allocated now; a free of an object never handed out is an "invalid-free", of one
 * already freed a "double-free". A freed object then waits in the machine's {@link Quarantine}
 * before its slot can be reused, so a stale pointer keeps faulting as use-after-free until the
 * quarantine has cycled. Without redzones the layout is the unchecked one, so an overflow that
 * runs straight into an allocated neighbour is not caught, as on a kernel without KASAN; with
 * them it is. None of this runs when checked mode is off.
 *
 * <h2>Exhaustion</h2>
 * When the page allocator has no pages, alloc returns 0 (NULL) and nothing changes; in checked
 * mode the quarantine is emptied and the allocation tried once more first.
 */
public final class KmemCache {
    /** The fewest empty slabs SLUB keeps per node (MIN_PARTIAL in mm/slub.c). */
    public static final int MIN_PARTIAL = 5;
    /** The most (MAX_PARTIAL in mm/slub.c). */
    public static final int MAX_PARTIAL = 10;
    /** NUMA_NO_NODE. */
    public static final int NUMA_NO_NODE = -1;

    private static final int COUNT_SHIFT = 34;
    private static final long TOKEN_MASK = (1L << COUNT_SHIFT) - 1;
    private static final int COUNT_BITS = 10;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    private static final int TAG_SHIFT = COUNT_SHIFT + COUNT_BITS;
    private static final long ONE_TAG = 1L << TAG_SHIFT;
    private static final long ONE_COUNT = 1L << COUNT_SHIFT;

    private static final int LIVE = 0;
    private static final int DESTROYED = 1;
    private static final int MACHINE_CLOSED = 2;

    static {
        if ((Ram.CAPACITY >>> 3) >= TOKEN_MASK) {
            throw new ExceptionInInitializerError("the per-CPU freelist token holds physical offsets up to "
                + ((TOKEN_MASK - 1) << 3) + " bytes; kfork.ram.capacity is " + Ram.CAPACITY);
        }
    }

    private final SlabCaches owner;
    private final String name;
    private final int objectSize;
    private final int stride;
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
    /** CPU 0's freelist head; CPU n's is {@code n * PerCpu.UNIT_SIZE} above (per_cpu_ptr). */
    private final long headBase;
    private final int nrCpus;
    private final Cpus cpus;
    /** The CPUs' owner slots ({@link Cpus#own}): the fast paths' test is one load of one. */
    private final Thread[] owners;
    private final boolean poisonOnFree;
    private final int minPartial;
    /** The machine's page-to-slab map and the RAM it covers, for cache_from_obj. */
    private final Slab[] pageSlab;
    private final long ramStart;
    /** Checked mode's quarantine, or null when there is none. */
    private final Quarantine quarantine;
    /** LIVE, DESTROYED or MACHINE_CLOSED: the one field alloc reads to refuse a dead cache. */
    private volatile int state;
    /** Objects of this cache waiting in the quarantine; written under the quarantine's lock. */
    volatile long quarantined;
    /** The shared pool: slabs, the partial list, the slabs' own freelists. */
    private final KmemCacheNode node;


    KmemCache(SlabCaches owner, String name, int objectSize, int align, int flags, LongConsumer ctor,
              int useroffset, int usersize, int stride, int order, int headOff) {
        this.owner = owner;
        this.name = name;
        this.objectSize = objectSize;
        this.align = align;
        this.flags = flags;
        this.ctor = ctor;
        this.useroffset = useroffset;
        this.usersize = usersize;
        this.freeOffset = SlabGeometry.freeOffset(objectSize, SlabGeometry.freePointerOutside(flags, ctor));
        this.stride = stride;
        this.order = order;
        this.objsPerSlab = (Abi.PAGE_SIZE << order) / stride;
        this.limit = SlabGeometry.limit(stride);
        this.batch = (limit + 1) / 2;
        this.headOff = headOff;
        this.headBase = owner.percpu().ptr(0, headOff);
        this.cpus = owner.cpus();
        this.nrCpus = cpus.nrCpus();
        this.owners = cpus.ownerSlots();
        this.poisonOnFree = (flags & SlabFlags.SLAB_TYPESAFE_BY_RCU) == 0;
        this.minPartial = SlabGeometry.minPartial(stride);
        this.pageSlab = owner.pageSlab();
        this.ramStart = owner.ramStart();
        this.quarantine = owner.quarantine();
        this.node = new KmemCacheNode(this, owner);
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
     * @throws IllegalStateException when the cache was destroyed or its machine has closed
     */
    public long alloc(int cpu) {
        if (state != LIVE) {
            throw dead("kmem_cache_alloc");
        }
        final long headAddr = headAddr(cpu);
        if (owners[cpu] == Thread.currentThread()) {
            // The owner's pop: no other thread updates this head while the CPU is owned.
            final long h = Mem.getLong(headAddr);
            final long token = h & TOKEN_MASK;
            if (token == 0) {
                return allocSlow(cpu, batch, true);
            }
            final long obj = objectOf(token);
            Mem.putLong(headAddr, ((h & ~TOKEN_MASK) + ONE_TAG - ONE_COUNT) | Mem.getLongNofault(obj + freeOffset));
            if (Kasan.ENABLED) {
                checkedAlloc(obj);
            }
            return obj;
        }
        for (;;) {
            final long h = Mem.getLongVolatile(headAddr);
            if (owners[cpu] != null && cpus.ownedByAnother(cpu)) {
                return allocSlow(cpu, 1, false); // the owner's list is not ours: the shared pool
            }
            final long token = h & TOKEN_MASK;
            if (token == 0) {
                return allocSlow(cpu, batch, false);
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
     * @throws BadFreeException        for a pointer that is not in one of this cache's slabs, or an
     *                                 object that already heads the CPU's freelist (in both modes);
     *                                 in checked mode also for any double free, a free of an object
     *                                 never allocated, or a pointer into the middle of an object
     * @throws IllegalStateException   when the cache was destroyed or its machine has closed
     */
    public void free(int cpu, long obj) {
        if (obj == Abi.NULL) {
            return;
        }
        // cache_from_obj: the slab of the object, found before anything is written through it.
        // An address below the RAM wraps to a huge frame number and fails the same compare.
        final long pfn = (obj - ramStart) >>> Abi.PAGE_SHIFT;
        final Slab s = pfn < pageSlab.length ? pageSlab[(int) pfn] : null;
        if (s == null || s.cache != this) {
            throw badFree(obj, s);
        }
        if (Kasan.ENABLED && checkedFree(s, obj)) {
            return; // quarantined
        }
        final long headAddr = headAddr(cpu);
        final long token = tokenOf(obj);
        if (owners[cpu] == Thread.currentThread()) {
            long h = Mem.getLong(headAddr);
            if ((h & TOKEN_MASK) == token) {
                throw headsFreelist(cpu, obj);
            }
            if (((h >>> COUNT_SHIFT) & COUNT_MASK) >= limit) {
                drain(cpu, true, 1);
                h = Mem.getLong(headAddr);
            }
            Mem.putLongNofault(obj + freeOffset, h & TOKEN_MASK);
            Mem.putLong(headAddr, ((h & ~TOKEN_MASK) + ONE_TAG + ONE_COUNT) | token);
            return;
        }
        for (;;) {
            final long h = Mem.getLongVolatile(headAddr);
            if (owners[cpu] != null && cpus.ownedByAnother(cpu)) {
                freeToSlab(obj); // the owner's list is not ours: straight back to the slab
                return;
            }
            if ((h & TOKEN_MASK) == token) {
                throw headsFreelist(cpu, obj);
            }
            if (((h >>> COUNT_SHIFT) & COUNT_MASK) >= limit) {
                drain(cpu, false, 1);
                continue;
            }
            // obj is ours until the CAS publishes it; its free pointer links to the current head.
            Mem.putLongNofault(obj + freeOffset, h & TOKEN_MASK);
            if (Mem.compareAndSetLong(headAddr, h, ((h & ~TOKEN_MASK) + ONE_TAG + ONE_COUNT) | token)) {
                return;
            }
        }
    }

    /** kmem_cache_alloc_bulk on the calling thread's CPU. */
    public int allocBulk(int size, long[] p) {
        return allocBulk(cpu(), size, p);
    }

    /**
     * kmem_cache_alloc_bulk (mm/slub.c of 5.12): {@code size} objects into {@code p[0..size)},
     * all or nothing. On a CPU the caller owns, the objects come off the CPU's list in one update
     * of its head; otherwise one kmem_cache_alloc each.
     *
     * @return {@code size}; or 0 when RAM ran out, after giving back what it had taken (then
     *         {@code p}'s first entries are unspecified, as in the kernel)
     * @throws IllegalArgumentException when {@code size} is negative or longer than {@code p}
     * @throws IllegalStateException    when the cache was destroyed or its machine has closed
     */
    public int allocBulk(int cpu, int size, long[] p) {
        if (size < 0 || size > p.length) {
            throw new IllegalArgumentException("kmem_cache_alloc_bulk(" + name + "): " + size + " objects into an array of "
                + p.length);
        }
        if (state != LIVE) {
            throw dead("kmem_cache_alloc_bulk");
        }
        final boolean owned = owners[cpu] == Thread.currentThread();
        int i = 0;
        while (i < size) {
            if (owned) {
                final int taken = popOwned(cpu, size - i, p, i);
                if (taken > 0) {
                    i += taken;
                    continue;
                }
            }
            final long obj = owned ? allocSlow(cpu, batch, true) : alloc(cpu);
            if (obj == Abi.NULL) {
                freeBulk(cpu, i, p); // __kmem_cache_free_bulk of what was taken
                return 0;
            }
            p[i++] = obj;
        }
        return size;
    }

    /**
     * The owner takes up to {@code n} objects off its CPU's list into {@code p[at..]} with one store
     * of the head; returns how many (0 when the list is empty).
     */
    private int popOwned(int cpu, int n, long[] p, int at) {
        final long headAddr = headAddr(cpu);
        final long h = Mem.getLong(headAddr);
        final int count = (int) ((h >>> COUNT_SHIFT) & COUNT_MASK);
        final int take = Math.min(n, count);
        long t = h & TOKEN_MASK;
        for (int k = 0; k < take; k++) {
            if (t == 0) {
                throw corrupt("CPU " + cpu + "'s freelist counts " + count + " objects and ends after " + k);
            }
            final long obj = objectOf(t);
            t = Mem.getLongNofault(obj + freeOffset);
            p[at + k] = obj;
        }
        Mem.putLong(headAddr, ((h & ~(TOKEN_MASK | (COUNT_MASK << COUNT_SHIFT))) + ONE_TAG)
            | (long) (count - take) << COUNT_SHIFT | t);
        for (int k = 0; Kasan.ENABLED && k < take; k++) {
            checkedAlloc(p[at + k]);
        }
        return take;
    }

    /** kmem_cache_free_bulk on the calling thread's CPU. */
    public void freeBulk(int size, long[] p) {
        freeBulk(cpu(), size, p);
    }

    /**
     * kmem_cache_free_bulk (mm/slub.c of 5.12): frees the objects of {@code p[0..size)}, skipping
     * NULL entries, as that many kmem_cache_free calls in array order would, but with one update
     * of the CPU's list for each run of objects that fits it (as SLUB frees a detached freelist
     * with one cmpxchg). Every pointer is checked against this cache's slabs before anything is
     * written, so a bad one frees nothing; so is a pointer repeated in adjacent entries (SLUB's
     * naive double-free check, which the single free applies to the list's head). In checked
     * mode each object goes through kmem_cache_free's checks and quarantine one by one.
     * {@code size} 0 does nothing (5.12 WARNs). {@code p} is left as it was.
     *
     * @throws IllegalArgumentException when {@code size} is negative or longer than {@code p}
     * @throws BadFreeException         as {@link #free(int, long)} for any entry
     * @throws IllegalStateException    when the cache was destroyed or its machine has closed
     */
    public void freeBulk(int cpu, int size, long[] p) {
        if (size < 0 || size > p.length) {
            throw new IllegalArgumentException("kmem_cache_free_bulk(" + name + "): " + size + " objects of an array of "
                + p.length);
        }
        long prev = Abi.NULL;
        for (int i = 0; i < size; i++) {
            final long obj = p[i];
            if (obj == Abi.NULL) {
                continue;
            }
            final long pfn = (obj - ramStart) >>> Abi.PAGE_SHIFT;
            final Slab s = pfn < pageSlab.length ? pageSlab[(int) pfn] : null;
            if (s == null || s.cache != this) {
                throw badFree(obj, s);
            }
            if (obj == prev) {
                throw new BadFreeException(name, obj, Kasan.ENABLED, "double-free (adjacent entries of a bulk free)");
            }
            prev = obj;
        }
        if (Kasan.ENABLED) {
            for (int i = 0; i < size; i++) {
                free(cpu, p[i]);
            }
            return;
        }
        if (state != LIVE) {
            throw dead("kmem_cache_free_bulk");
        }
        final boolean owned = owners[cpu] == Thread.currentThread();
        // Runs of at most limit - batch objects: a drain leaves batch on the list, so a run fits.
        final int run = limit - batch;
        int i = 0;
        while (i < size) {
            long first = 0;
            long last = Abi.NULL;
            int n = 0;
            for (; i < size && n < run; i++) {
                final long obj = p[i];
                if (obj == Abi.NULL) {
                    continue;
                }
                if (last == Abi.NULL) {
                    // The single free's naive check, made before this run's first write.
                    if ((Mem.getLongVolatile(headAddr(cpu)) & TOKEN_MASK) == tokenOf(obj)) {
                        throw headsFreelist(cpu, obj);
                    }
                    last = obj;
                }
                // Prepended, so the list ends as array-order frees would leave it (last freed first).
                Mem.putLongNofault(obj + freeOffset, first);
                first = tokenOf(obj);
                n++;
            }
            if (n > 0) {
                pushChain(cpu, first, last, n, owned);
            }
        }
    }

    /** Pushes a private chain of at most {@code limit - batch} objects onto {@code cpu}'s list. */
    private void pushChain(int cpu, long firstToken, long lastObj, int n, boolean owned) {
        while (!spliceOnto(cpu, firstToken, lastObj, n, owned)) {
            if (!owned && cpus.ownedByAnother(cpu)) {
                node.returnToSlabs(firstToken, n); // the owner's list is not ours
                return;
            }
            drain(cpu, owned, n);
        }
    }

    private int cpu() {
        return cpus.current();
    }

    /** The address of {@code cpu}'s freelist head (this_cpu_ptr(s->cpu_slab)). */
    long headAddr(int cpu) {
        return headBase + (long) cpu * PerCpu.UNIT_SIZE;
    }

    /** SLAB_FREELIST_HARDENED's naive check (set_freepointer's BUG_ON(object == fp)). */
    private BadFreeException headsFreelist(int cpu, long obj) {
        return new BadFreeException(name, obj, false, "double-free (the object already heads CPU " + cpu + "'s freelist)");
    }

    // ------------------------------------------------------------------------------------------
    // Slow paths
    // ------------------------------------------------------------------------------------------

    /**
     * The per-CPU list is empty: refill it from the shared pool. In checked mode an allocation
     * that finds no RAM empties the quarantine and tries again, as the page allocator drains its
     * CPU lists before it gives up.
     */
    private long allocSlow(int cpu, int take, boolean owned) {
        long obj = node.refill(cpu, take, owned);
        if (obj == Abi.NULL && Kasan.ENABLED && quarantine != null && quarantine.drainAll() > 0) {
            obj = node.refill(cpu, take, owned);
        }
        if (obj == Abi.NULL) {
            node.allocFailed();
            return Abi.NULL;
        }
        if (Kasan.ENABLED) {
            checkedAlloc(obj);
        }
        return obj;
    }

    /**
     * Pushes a private chain (first token, last object, length) onto {@code cpu}'s list, unless
     * that would take the list over its limit (other threads on the CPU freed meanwhile) or another
     * thread owns the CPU: then the chain stays private and false is returned. So a list never
     * holds more than {@link #limit()}. {@code owned}: the caller owns the CPU (plain accesses).
     */
    boolean spliceOnto(int cpu, long firstToken, long lastObj, int n, boolean owned) {
        final long headAddr = headAddr(cpu);
        if (owned) {
            final long h = Mem.getLong(headAddr);
            if (((h >>> COUNT_SHIFT) & COUNT_MASK) + n > limit) {
                Mem.putLongNofault(lastObj + freeOffset, 0);
                return false;
            }
            Mem.putLongNofault(lastObj + freeOffset, h & TOKEN_MASK);
            Mem.putLong(headAddr, ((h & ~TOKEN_MASK) + ONE_TAG + (long) n * ONE_COUNT) | firstToken);
            return true;
        }
        for (;;) {
            final long h = Mem.getLongVolatile(headAddr);
            if (((h >>> COUNT_SHIFT) & COUNT_MASK) + n > limit || owners[cpu] != null && cpus.ownedByAnother(cpu)) {
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
     * The per-CPU list has no room for {@code room} more objects: detach it, keep the
     * {@code batch} most recently freed objects (cache-hot) on the CPU, give the rest back to their
     * slabs. Not when another thread owns the CPU (the caller's retry sees that).
     */
    private void drain(int cpu, boolean owned, int room) {
        final long headAddr = headAddr(cpu);
        long h;
        if (owned) {
            h = Mem.getLong(headAddr);
            Mem.putLong(headAddr, (h & ~(TOKEN_MASK | (COUNT_MASK << COUNT_SHIFT))) + ONE_TAG);
        } else {
            for (;;) {
                h = Mem.getLongVolatile(headAddr);
                if (((h >>> COUNT_SHIFT) & COUNT_MASK) + room <= limit || owners[cpu] != null && cpus.ownedByAnother(cpu)) {
                    return; // someone else drained or allocated meanwhile, or the CPU is owned now
                }
                if (Mem.compareAndSetLong(headAddr, h, (h & ~(TOKEN_MASK | (COUNT_MASK << COUNT_SHIFT))) + ONE_TAG)) {
                    break;
                }
            }
        }
        // The detached list is private now.
        final long first = h & TOKEN_MASK;
        final int count = (int) ((h >>> COUNT_SHIFT) & COUNT_MASK);
        if (first == 0) {
            throw corrupt("a CPU freelist counts " + count + " objects and holds none");
        }
        long t = first;
        long keptTail = 0;
        int kept = 0;
        for (; kept < batch && t != 0; kept++) {
            keptTail = objectOf(t);
            t = Mem.getLongNofault(keptTail + freeOffset);
        }
        // Cut the kept chain off the rest before the rest goes back to the slabs.
        Mem.putLongNofault(keptTail + freeOffset, 0);
        node.returnToSlabs(t, count - kept);
        if (!spliceOnto(cpu, first, keptTail, kept, owned)) {
            node.returnToSlabs(first, kept);
        }
    }

    /**
     * {@code obj} goes straight back to its slab: the quarantine lets it go (poisoned as freed), or
     * its thread's CPU is owned by another thread.
     */
    void freeToSlab(long obj) {
        Mem.putLongNofault(obj + freeOffset, 0);
        node.returnToSlabs(tokenOf(obj), 1);
    }


    // ------------------------------------------------------------------------------------------
    // Draining, shrinking, destroying
    // ------------------------------------------------------------------------------------------

    /** Detaches {@code cpu}'s whole list and gives it back to the slabs (flush_cpu_slab). */
    public void flushCpu(int cpu) {
        checkLive("flush_cpu_slab");
        final long headAddr = headAddr(cpu);
        long h;
        if (owners[cpu] == Thread.currentThread()) {
            h = Mem.getLong(headAddr);
            if ((h & TOKEN_MASK) == 0) {
                return;
            }
            Mem.putLong(headAddr, (h & ~(TOKEN_MASK | (COUNT_MASK << COUNT_SHIFT))) + ONE_TAG);
        } else {
            do {
                h = Mem.getLongVolatile(headAddr);
                if (owners[cpu] != null && cpus.ownedByAnother(cpu)) {
                    // The kernel flushes a CPU's list on that CPU (an IPI); an owned CPU's only
                    // runner is its owner, which must flush it itself or give the CPU up first.
                    throw new IllegalStateException("flush_cpu_slab(" + name + "): CPU " + cpu + " is owned by "
                        + cpus.owner(cpu) + "; only the owner can flush its freelists");
                }
                if ((h & TOKEN_MASK) == 0) {
                    return;
                }
            } while (!Mem.compareAndSetLong(headAddr, h, (h & ~(TOKEN_MASK | (COUNT_MASK << COUNT_SHIFT))) + ONE_TAG));
        }
        node.returnToSlabs(h & TOKEN_MASK, (int) ((h >>> COUNT_SHIFT) & COUNT_MASK));
    }

    /**
     * A thread has just claimed {@code cpu} ({@link Cpus#own}): changes the tag of the CPU's head,
     * so that any update another thread read the head for before the claim fails its
     * compare-and-set, and its retry sees the owner. The list itself is kept.
     */
    void fenceCpu(int cpu) {
        final long headAddr = headAddr(cpu);
        long h;
        do {
            h = Mem.getLongVolatile(headAddr);
        } while (!Mem.compareAndSetLong(headAddr, h, h + ONE_TAG));
    }

    /**
     * kmem_cache_shrink: frees this cache's objects from the quarantine (kasan_cache_shrink),
     * flushes every CPU's list and releases every empty slab.
     *
     * @return the number of slabs released
     */
    public int shrink() {
        checkLive("kmem_cache_shrink");
        if (quarantine != null) {
            quarantine.removeCache(this);
        }
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            flushCpu(cpu);
        }
        return node.releaseEmptySlabs();
    }

    /**
     * kmem_cache_destroy. Every object must have been freed; otherwise the cache is kept and a
     * {@link SlabLeakException} lists every leaked object. Must not race with alloc or free.
     *
     * @throws IllegalStateException when the cache was destroyed already, its machine has closed,
     *                               or a freelist is corrupt (then the cache is kept, unusable)
     */
    public void destroy() {
        checkLive("kmem_cache_destroy");
        if (quarantine != null) {
            quarantine.removeCache(this); // kasan_cache_shutdown
        }
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            flushCpu(cpu);
        }
        node.shutdown(() -> {
            checkLive("kmem_cache_destroy");
            state = DESTROYED;
        });
        owner.unregister(this, headOff);
    }

    /**
     * The machine is closing: every entry point refuses from now on (a destroyed cache stays so).
     * Takes no lock, so that closing a machine never waits on a cache that a bug left busy.
     */
    void markMachineClosed() {
        if (state == LIVE) {
            state = MACHINE_CLOSED;
        }
    }

    void checkLive(String op) {
        if (state != LIVE) {
            throw dead(op);
        }
    }

    private IllegalStateException dead(String op) {
        return state == DESTROYED ? new IllegalStateException(op + "(" + name + "): the cache has been destroyed")
            : owner.machineClosed(op + "(" + name + ")");
    }

    IllegalStateException corrupt(String what) {
        return new IllegalStateException("slab corruption in cache " + name + ": " + what);
    }

    private RuntimeException badFree(long obj, Slab s) {
        if (state != LIVE) {
            return dead("kmem_cache_free");
        }
        return new BadFreeException(name, obj, Kasan.ENABLED, s == null ? "invalid-free (not a slab object)"
            : "invalid-free (object of cache " + s.cache.name + ")");
    }

    // ------------------------------------------------------------------------------------------
    // Checked mode
    // ------------------------------------------------------------------------------------------

    private void checkedAlloc(long obj) {
        final Slab s = owner.slabOf(obj);
        final int idx = (int) ((obj - s.base) / stride);
        final long bit = 1L << (idx & 63);
        final long old = s.allocated.getAndAccumulate(idx >>> 6, bit, (a, b) -> a | b);
        if ((old & bit) != 0) {
            throw corrupt("object 0x" + Long.toHexString(obj) + " handed out twice");
        }
        Kasan.unpoison(obj, objectSize);
    }

    /**
     * kasan_slab_free: validates the free, poisons the object and puts it in the quarantine.
     *
     * @return true when the object went to the quarantine (the caller must not free it further)
     */
    private boolean checkedFree(Slab s, long obj) {
        final long off = obj - s.base;
        if (off % stride != 0 || off / stride >= objsPerSlab) {
            throw new BadFreeException(name, obj, true, "invalid-free (not the start of an object; offset "
                + (off % stride) + " into object 0x" + Long.toHexString(s.base + off / stride * stride) + ")");
        }
        final int idx = (int) (off / stride);
        final long bit = 1L << (idx & 63);
        final long old = s.allocated.getAndAccumulate(idx >>> 6, ~bit, (a, b) -> a & b);
        if ((old & bit) == 0) {
            // A freed object is poisoned as freed (or, with RCU, left accessible); one never
            // handed out still carries the poison its slab was born with.
            throw new BadFreeException(name, obj, true, Kasan.shadow(obj) == Kasan.SLAB_UNUSED
                ? "invalid-free (the object was never allocated)" : "double-free");
        }
        if (!poisonOnFree) {
            return false; // SLAB_TYPESAFE_BY_RCU: readers may look at it, so no poison and no quarantine
        }
        Kasan.poison(obj, objectSize, Kasan.SLAB_FREE);
        if (quarantine == null) {
            return false;
        }
        quarantine.put(this, obj);
        return true;
    }

    /** What lies at {@code addr} inside one of this cache's slabs, for KASAN reports. */
    String describe(Slab s, long addr) {
        final long off = addr - s.base;
        final long idx = off / stride;
        if (idx >= objsPerSlab) {
            return "in the unused tail of a slab of cache " + name;
        }
        final long obj = s.base + idx * stride;
        final long in = addr - obj;
        final String where = in < objectSize ? "offset " + in + " of"
            : in >= freeOffset && in < freeOffset + 8 ? "the free pointer after"
            : (flags & SlabFlags.SLAB_KASAN) != 0 ? "the KASAN redzone after" : "the padding after";
        return where + " object 0x" + Long.toHexString(obj) + " of cache " + name + " (object size " + objectSize + ")";
    }

    // ------------------------------------------------------------------------------------------
    // Statistics
    // ------------------------------------------------------------------------------------------

    /** Objects sitting on {@code cpu}'s freelist now. */
    public int cpuCached(int cpu) {
        checkLive("kmem_cache cpu count");
        return (int) ((Mem.getLongVolatile(headAddr(cpu)) >>> COUNT_SHIFT) & COUNT_MASK);
    }

    /**
     * A /proc/slabinfo line's numbers, consistent when no alloc or free runs concurrently. Objects
     * waiting in the quarantine are neither active nor free to reuse: they are left out of
     * active_objs and shown on their own.
     */
    public SlabInfo info() {
        checkLive("slabinfo");
        synchronized (node) {
            long cached = 0;
            for (int cpu = 0; cpu < nrCpus; cpu++) {
                cached += cpuCached(cpu);
            }
            final int nrSlabs = node.nrSlabs();
            final long total = (long) nrSlabs * objsPerSlab;
            final long inQuarantine = quarantined;
            return new SlabInfo(name, total - node.freeInSlabs() - cached - inQuarantine, total, objectSize, stride,
                objsPerSlab, 1 << order, nrSlabs, align, flags, useroffset, usersize, limit, batch,
                node.allocFailures(), inQuarantine);
        }
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

    /**
     * The stride (the kernel's s->size): the distance between two objects in a slab, that is the
     * object, its free pointer when it goes after it, KASAN's metadata and redzone when the
     * machine has them, and alignment padding.
     */
    public int stride() {
        return stride;
    }

    /** The offset of the free pointer in a free object (s->offset). */
    int freeOffset() {
        return freeOffset;
    }

    /** The object alignment. */
    public int align() {
        return align;
    }

    /** The flags: those given at creation, plus SLAB_KASAN when the cache has KASAN redzones. */
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
        return "kmem_cache " + name + " (object " + objectSize + ", stride " + stride + ", align " + align + ", "
            + SlabFlags.describe(flags) + ")";
    }

    /** The freelist token of an object: its physical offset in 8-byte units, plus 1 (0 is the end). */
    static long tokenOf(long obj) {
        return ((obj - Abi.PAGE_OFFSET) >>> 3) + 1;
    }

    /** The object a freelist token names. */
    static long objectOf(long token) {
        return Abi.PAGE_OFFSET + ((token - 1) << 3);
    }
}
