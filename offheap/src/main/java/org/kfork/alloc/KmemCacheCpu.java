package org.kfork.alloc;

import org.kfork.machine.Abi;
import org.kfork.machine.Kasan;
import org.kfork.machine.Mem;
import org.kfork.machine.Ram;

/**
 * The per-CPU freelists of one slab cache (struct kmem_cache_cpu of mm/slub.c, 5.12, and the fast
 * paths that use it: slab_alloc_node, do_slab_free, flush_slab). One object covers every CPU's
 * list, as {@link KmemCacheNode} covers the node; {@link KmemCache} checks its arguments, runs
 * checked mode and comes here for the lists.
 *
 * <h2>The head word</h2>
 * Each CPU has one 8-byte word in its per-CPU area (CPU n's is {@code n * PerCpu.UNIT_SIZE} above
 * CPU 0's), the head of a LIFO list of free objects linked through their free pointers:
 * <pre>
 *   63          44 43      34 33                          0
 *   +-------------+----------+-----------------------------+
 *   | tag (20)    | count(10)| object token (34): 0 = empty|
 *   +-------------+----------+-----------------------------+
 * </pre>
 * The token is {@code (phys >> 3) + 1}. Invariants:
 * <ol>
 *   <li><b>The count is exact:</b> a list of count {@code n} holds {@code n} objects and ends in
 *       0, and {@code n} is at most {@link KmemCache#limit()}. So every walk of a list stops at its
 *       count and reports a corrupt list instead of looping.</li>
 *   <li><b>The tag changes on every update.</b> A thread that read the head, was preempted while
 *       another thread on the same CPU popped and pushed the same object back, fails its
 *       compare-and-set instead of installing a stale next pointer (ABA; SLUB's transaction id
 *       plays this role with a double-word cmpxchg).</li>
 *   <li><b>Who writes a head.</b> The thread that owns the CPU ({@link Cpus#own}) writes it with
 *       plain loads and stores, as SLUB's this_cpu operations run with preemption off; one load
 *       of the CPU's owner slot tells it from the others. While a CPU has no live owner, any
 *       thread writes its head, by compare-and-set only. A thread whose CPU is owned by another
 *       never writes that head: its allocations and frees go to the shared pool one object at a
 *       time. A claim changes the tag of each head on the CPU ({@link #fence}), and the atomic
 *       paths read the owner slot again after each read of the head, so an update that began
 *       before the claim fails and its retry sees the owner.</li>
 *   <li>An alloc or free touches only the CPU's own head (its own cache line) and the object.</li>
 * </ol>
 * An empty list is refilled with a batch from the shared pool; a list that reached its limit
 * gives back all but a batch of its most recently freed objects ({@link #drain}).
 */
final class KmemCacheCpu {
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

    private final KmemCache cache;
    private final KmemCacheNode node;
    /** CPU 0's freelist head; CPU n's is {@code n * PerCpu.UNIT_SIZE} above (per_cpu_ptr). */
    private final long headBase;
    private final int freeOffset;
    private final int limit;
    private final int batch;
    private final Cpus cpus;
    /** The CPUs' owner slots ({@link Cpus#own}): the fast paths' test is one load of one. */
    private final Thread[] owners;
    /** Checked mode's quarantine, or null when there is none. */
    private final Quarantine quarantine;

    KmemCacheCpu(KmemCache cache, KmemCacheNode node, long headBase, Cpus cpus, Quarantine quarantine) {
        this.cache = cache;
        this.node = node;
        this.headBase = headBase;
        this.freeOffset = cache.freeOffset();
        this.limit = cache.limit();
        this.batch = cache.batch();
        this.cpus = cpus;
        this.owners = cpus.ownerSlots();
        this.quarantine = quarantine;
    }

    /** Whether the calling thread owns {@code cpu}, so that it may use the plain paths. */
    boolean ownedByCaller(int cpu) {
        return owners[cpu] == Thread.currentThread();
    }

    /**
     * Pops an object off {@code cpu}'s list, refilling it from the shared pool when it is empty;
     * returns NULL when RAM is exhausted. The caller runs checked mode's kasan_slab_alloc.
     */
    long alloc(int cpu) {
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
                return obj;
            }
        }
    }

    /**
     * The per-CPU list is empty (or not ours): take {@code take} objects from the shared pool, one
     * for the caller and the rest for the list. In checked mode an allocation that finds no RAM
     * empties the quarantine and tries again, as the page allocator drains its CPU lists before
     * it gives up. The caller runs kasan_slab_alloc on the object.
     */
    long allocSlow(int cpu, int take, boolean owned) {
        long obj = node.refill(this, cpu, take, owned);
        if (obj == Abi.NULL && Kasan.ENABLED && quarantine != null && quarantine.drainAll() > 0) {
            obj = node.refill(this, cpu, take, owned);
        }
        if (obj == Abi.NULL) {
            node.allocFailed();
        }
        return obj;
    }

    /**
     * Pushes {@code obj}, already found in one of the cache's slabs, onto {@code cpu}'s list
     * (draining the list first when it is full), or straight back to its slab when another thread
     * owns the CPU.
     *
     * @throws BadFreeException when {@code obj} already heads the list
     */
    void free(int cpu, long obj) {
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
                node.freeToSlab(obj); // the owner's list is not ours: straight back to the slab
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

    /**
     * The owner takes up to {@code n} objects off its CPU's list into {@code p[at..]} with one store
     * of the head; returns how many (0 when the list is empty). The caller runs kasan_slab_alloc.
     */
    int popOwned(int cpu, int n, long[] p, int at) {
        final long headAddr = headAddr(cpu);
        final long h = Mem.getLong(headAddr);
        final int count = (int) ((h >>> COUNT_SHIFT) & COUNT_MASK);
        final int take = Math.min(n, count);
        long t = h & TOKEN_MASK;
        for (int k = 0; k < take; k++) {
            if (t == 0) {
                throw cache.corrupt("CPU " + cpu + "'s freelist counts " + count + " objects and ends after " + k);
            }
            final long obj = objectOf(t);
            t = Mem.getLongNofault(obj + freeOffset);
            p[at + k] = obj;
        }
        Mem.putLong(headAddr, ((h & ~(TOKEN_MASK | (COUNT_MASK << COUNT_SHIFT))) + ONE_TAG)
            | (long) (count - take) << COUNT_SHIFT | t);
        return take;
    }

    /**
     * kmem_cache_free_bulk's list half: pushes the objects of {@code p[0..size)}, skipping NULL
     * entries and already checked against the cache's slabs, as that many frees in array order
     * would leave the list, with one update of the list per run of up to {@code limit - batch}.
     *
     * @throws BadFreeException when a run's first object already heads the list (nothing of that
     *                          run is written)
     */
    void freeBulk(int cpu, int size, long[] p) {
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

    /**
     * Pushes a private chain (first token, last object, length) onto {@code cpu}'s list, unless
     * that would take the list over its limit (other threads on the CPU freed meanwhile) or another
     * thread owns the CPU: then the chain stays private and false is returned. So a list never
     * holds more than the limit. {@code owned}: the caller owns the CPU (plain accesses).
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
            throw cache.corrupt("a CPU freelist counts " + count + " objects and holds none");
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
     * flush_cpu_slab: detaches {@code cpu}'s whole list and gives it back to the slabs.
     *
     * @throws IllegalStateException when another live thread owns the CPU
     */
    void flush(int cpu) {
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
                    throw new IllegalStateException("flush_cpu_slab(" + cache.name() + "): CPU " + cpu + " is owned by "
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
    void fence(int cpu) {
        final long headAddr = headAddr(cpu);
        long h;
        do {
            h = Mem.getLongVolatile(headAddr);
        } while (!Mem.compareAndSetLong(headAddr, h, h + ONE_TAG));
    }

    /** Objects sitting on {@code cpu}'s list now. */
    int cached(int cpu) {
        return (int) ((Mem.getLongVolatile(headAddr(cpu)) >>> COUNT_SHIFT) & COUNT_MASK);
    }

    /** The address of {@code cpu}'s freelist head (this_cpu_ptr(s->cpu_slab)). */
    long headAddr(int cpu) {
        return headBase + (long) cpu * PerCpu.UNIT_SIZE;
    }

    /** SLAB_FREELIST_HARDENED's naive check (set_freepointer's BUG_ON(object == fp)). */
    private BadFreeException headsFreelist(int cpu, long obj) {
        return new BadFreeException(cache.name(), obj, false, "double-free (the object already heads CPU " + cpu
            + "'s freelist)");
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
