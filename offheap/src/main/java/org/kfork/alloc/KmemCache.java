package org.kfork.alloc;

import java.util.function.LongConsumer;
import org.kfork.machine.Abi;
import org.kfork.machine.Kasan;
import org.kfork.machine.Mem;

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
 * the cache and its per-CPU and node parts touch it, through the facade's nofault accessors, so
 * checked mode can poison a free object whole. A machine built with
 * {@link org.kfork.machine.Machine.Builder#kasanRedzones KASAN redzones} adds generic KASAN's
 * metadata and redzone after the object ({@link SlabGeometry}), and the cache's flags show
 * {@link SlabFlags#SLAB_KASAN}.
 *
 * <h2>The per-CPU freelists (the fast path)</h2>
 * {@link KmemCacheCpu} (struct kmem_cache_cpu): each CPU has one tagged 8-byte head word in its
 * per-CPU area, the head of a LIFO list of free objects linked through their free pointers. alloc
 * pops with one compare-and-set of the head, free pushes with one; both touch only the CPU's own
 * cache line and the object itself. On a CPU the calling thread owns ({@link Cpus#own}) the same
 * updates are plain loads and stores, as SLUB's are with preemption off. A thread whose CPU is
 * owned by another thread never touches that CPU's list: its allocations and frees go to the
 * shared pool under its lock, one object at a time. The list's count is exact, which is what
 * lets every walk of a list stop at its count and report a corrupt list instead of looping.
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

    private static final int LIVE = 0;
    private static final int DESTROYED = 1;
    private static final int MACHINE_CLOSED = 2;

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
    private final int nrCpus;
    private final Cpus cpus;
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
    /** The per-CPU freelists (s->cpu_slab). */
    private final KmemCacheCpu cpuSlab;

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
        this.cpus = owner.cpus();
        this.nrCpus = cpus.nrCpus();
        this.poisonOnFree = (flags & SlabFlags.SLAB_TYPESAFE_BY_RCU) == 0;
        this.minPartial = SlabGeometry.minPartial(stride);
        this.pageSlab = owner.pageSlab();
        this.ramStart = owner.ramStart();
        this.quarantine = owner.quarantine();
        this.node = new KmemCacheNode(this, owner);
        this.cpuSlab = new KmemCacheCpu(this, node, owner.percpu().ptr(0, headOff), cpus, quarantine);
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
        final long obj = cpuSlab.alloc(cpu);
        if (Kasan.ENABLED && obj != Abi.NULL) {
            checkedAlloc(obj);
        }
        return obj;
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
        cpuSlab.free(cpu, obj);
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
        final boolean owned = cpuSlab.ownedByCaller(cpu);
        int i = 0;
        while (i < size) {
            if (owned) {
                final int taken = cpuSlab.popOwned(cpu, size - i, p, i);
                for (int k = 0; Kasan.ENABLED && k < taken; k++) {
                    checkedAlloc(p[i + k]);
                }
                if (taken > 0) {
                    i += taken;
                    continue;
                }
            }
            final long obj = owned ? cpuSlab.allocSlow(cpu, batch, true) : cpuSlab.alloc(cpu);
            if (obj == Abi.NULL) {
                freeBulk(cpu, i, p); // __kmem_cache_free_bulk of what was taken
                return 0;
            }
            if (Kasan.ENABLED) {
                checkedAlloc(obj);
            }
            p[i++] = obj;
        }
        return size;
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
        cpuSlab.freeBulk(cpu, size, p);
    }

    private int cpu() {
        return cpus.current();
    }

    /** The address of {@code cpu}'s freelist head (this_cpu_ptr(s->cpu_slab)), for tests. */
    long headAddr(int cpu) {
        return cpuSlab.headAddr(cpu);
    }

    /**
     * {@code obj} goes straight back to its slab: the quarantine lets it go (poisoned as freed), or
     * its thread's CPU is owned by another thread.
     */
    void freeToSlab(long obj) {
        node.freeToSlab(obj);
    }

    // ------------------------------------------------------------------------------------------
    // Draining, shrinking, destroying
    // ------------------------------------------------------------------------------------------

    /** Detaches {@code cpu}'s whole list and gives it back to the slabs (flush_cpu_slab). */
    public void flushCpu(int cpu) {
        checkLive("flush_cpu_slab");
        cpuSlab.flush(cpu);
    }

    /** A thread has just claimed {@code cpu} ({@link Cpus#own}): see {@link KmemCacheCpu#fence}. */
    void fenceCpu(int cpu) {
        cpuSlab.fence(cpu);
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
        return cpuSlab.cached(cpu);
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
}
