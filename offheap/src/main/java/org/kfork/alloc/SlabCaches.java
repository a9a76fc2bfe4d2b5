package org.kfork.alloc;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.kfork.machine.Abi;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.PageAllocator;
import org.kfork.machine.Ram;

/**
 * The slab allocator of one machine (mm/slab_common.c): kmem_cache_create, the list of live
 * caches (slab_caches), /proc/slabinfo, and the page-to-slab map that lets a free find the slab of
 * an object, as virt_to_head_page(obj)->slab_cache does.
 *
 * <p>Each cache registers an accounting counter {@code slab.NAME.active_objs} on the machine, so
 * the leak check sees every cache; {@code slab.nr_caches} counts the caches.
 */
public final class SlabCaches {
    private final Kmem kmem;
    private final Machine machine;
    private final long ramStart;
    /** struct page's slab fields: the slab each page of RAM belongs to, or null. */
    private final KmemCache.Slab[] pageSlab;
    private final List<KmemCache> caches = new ArrayList<>();
    private final java.util.Map<KmemCache, String> accountingNames = new java.util.IdentityHashMap<>();
    private final Kasan.Describer describer = this::describe;
    private int serial;

    SlabCaches(Kmem kmem) {
        this.kmem = kmem;
        this.machine = kmem.machine();
        this.ramStart = machine.ramStart();
        this.pageSlab = new KmemCache.Slab[(int) (machine.ramBytes() >>> Abi.PAGE_SHIFT)];
        machine.registerAccounting("slab.nr_caches", this::nrCaches);
        Kasan.addDescriber(describer);
        // SLUB flushes a dead CPU's freelists into the slabs (slub_cpu_dead).
        kmem.cpus().setupState("slub:dead", null, cpu -> {
            for (KmemCache c : list()) {
                c.flushCpu(cpu);
            }
            return 0;
        });
    }

    /**
     * kmem_cache_create.
     *
     * @return the cache, or null when it cannot be created and {@code flags} lacks SLAB_PANIC
     * @throws KernelPanic when creation fails and {@code flags} has SLAB_PANIC
     */
    public KmemCache create(String name, int size, int align, int flags, LongConsumer ctor) {
        return createUsercopy(name, size, align, flags, 0, 0, ctor);
    }

    /**
     * kmem_cache_create_usercopy: a cache whose objects may be copied to or from user space only
     * inside {@code [useroffset, useroffset + usersize)}.
     *
     * @return the cache, or null when it cannot be created and {@code flags} lacks SLAB_PANIC
     * @throws KernelPanic when creation fails and {@code flags} has SLAB_PANIC
     */
    public KmemCache createUsercopy(String name, int size, int align, int flags, int useroffset, int usersize,
                                    LongConsumer ctor) {
        final String error = validate(name, size, align, flags, useroffset, usersize);
        KmemCache cache = null;
        if (error == null) {
            cache = build(name, size, align, flags, useroffset, usersize, ctor);
        }
        if (cache == null) {
            if ((flags & SlabFlags.SLAB_PANIC) != 0) {
                throw new KernelPanic("kmem_cache_create: Failed to create slab '" + name + "'. Error "
                    + (error != null ? "-22 (" + error + ")" : "-12 (no room)"));
            }
            return null;
        }
        return cache;
    }

    private static String validate(String name, int size, int align, int flags, int useroffset, int usersize) {
        if (name == null || name.isEmpty()) {
            return "no name";
        }
        if (size < 1 || size > (Abi.PAGE_SIZE << (Abi.MAX_ORDER - 1)) - 8) {
            return "size " + size;
        }
        if (align < 0 || (align != 0 && !Abi.isPowerOfTwo(align)) || align > Abi.PAGE_SIZE << 2) {
            return "align " + align;
        }
        if (!SlabFlags.valid(flags)) {
            return "flags 0x" + Integer.toHexString(flags);
        }
        if (useroffset < 0 || usersize < 0 || (long) useroffset + usersize > size) {
            return "usercopy region " + useroffset + "+" + usersize + " outside object of " + size;
        }
        return null;
    }

    private KmemCache build(String name, int size, int align, int flags, int useroffset, int usersize,
                            LongConsumer ctor) {
        final int a = calculateAlignment(flags, align, size);
        final int stride = KmemCache.strideFor(size, a, KmemCache.freePointerOutside(flags, ctor));
        final int order = calculateOrder(stride, kmem.cpus().nrCpus());
        if (order < 0) {
            return null;
        }
        final int headOff = kmem.percpu().alloc(Long.BYTES, Long.BYTES);
        if (headOff < 0) {
            return null;
        }
        final KmemCache c = new KmemCache(this, name, size, a, flags, ctor, useroffset, usersize, order, headOff);
        synchronized (this) {
            caches.add(c);
            final String counter = "slab." + name + (find(name) == c ? "" : "#" + (++serial)) + ".active_objs";
            accountingNames.put(c, counter);
            machine.registerAccounting(counter, c::activeObjects);
        }
        return c;
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
     * calculate_order as SLUB does it (slub_min_order 0, slub_max_order 3): aim for
     * {@code 4 * (fls(nr_cpu_ids) + 1)} objects per slab (fewer if even an order-3 slab cannot
     * hold that many), accept a slab that wastes at most 1/16, then 1/8, then 1/4 of itself, and
     * lower the object target until an order fits; objects bigger than an order-3 slab get the
     * smallest order that holds one.
     *
     * @return the order, or -1 when no order below MAX_ORDER holds one object
     */
    static int calculateOrder(int stride, int nrCpus) {
        final int maxOrder = KmemCache.MAX_PREFERRED_ORDER;
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

    synchronized void unregister(KmemCache c, int headOff) {
        caches.remove(c);
        machine.unregisterAccounting(accountingNames.remove(c));
        kmem.percpu().free(headOff, Long.BYTES);
    }

    /** The live caches, in creation order (slab_caches). */
    public synchronized List<KmemCache> list() {
        return new ArrayList<>(caches);
    }

    /** The live cache named {@code name}, or null. */
    public synchronized KmemCache find(String name) {
        for (KmemCache c : caches) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Number of live caches. */
    public synchronized long nrCaches() {
        return caches.size();
    }

    /** The statistics of every cache. */
    public List<SlabInfo> infos() {
        final List<SlabInfo> out = new ArrayList<>();
        for (KmemCache c : list()) {
            out.add(c.info());
        }
        return out;
    }

    /** The text of /proc/slabinfo (version 2.1). */
    public String slabinfo() {
        final StringBuilder sb = new StringBuilder("slabinfo - version: 2.1\n").append(SlabInfo.HEADER).append('\n');
        for (SlabInfo i : infos()) {
            sb.append(i.line()).append('\n');
        }
        return sb.toString();
    }

    /** kmem_cache_shrink on every cache: flush per-CPU lists, release empty slabs. */
    public void shrinkAll() {
        for (KmemCache c : list()) {
            c.shrink();
        }
    }

    PerCpu percpu() {
        return kmem.percpu();
    }

    Cpus cpus() {
        return kmem.cpus();
    }

    PageAllocator pages() {
        return machine.pages();
    }

    /** virt_to_head_page(obj)->slab: the slab holding {@code addr}, or null. */
    KmemCache.Slab slabOf(long addr) {
        final long rel = addr - ramStart;
        if (rel < 0 || (rel >>> Abi.PAGE_SHIFT) >= pageSlab.length) {
            return null;
        }
        return pageSlab[(int) (rel >>> Abi.PAGE_SHIFT)];
    }

    /** The cache an object belongs to, or null (kmem_cache of virt_to_head_page). */
    public KmemCache cacheOf(long addr) {
        final KmemCache.Slab s = slabOf(addr);
        return s == null ? null : s.cache;
    }

    void mapSlab(KmemCache.Slab s, long base, int nrPages) {
        final int first = (int) ((base - ramStart) >>> Abi.PAGE_SHIFT);
        for (int i = 0; i < nrPages; i++) {
            pageSlab[first + i] = s;
        }
    }

    void unmapSlab(long base, int nrPages) {
        final int first = (int) ((base - ramStart) >>> Abi.PAGE_SHIFT);
        for (int i = 0; i < nrPages; i++) {
            pageSlab[first + i] = null;
        }
    }

    private String describe(long addr) {
        if (!Ram.inDirectMap(addr)) {
            return null;
        }
        final KmemCache.Slab s = slabOf(addr);
        return s == null ? null : s.cache.describe(s, addr);
    }

    void close() {
        Kasan.removeDescriber(describer);
    }

    @Override
    public String toString() {
        return "slab caches of " + machine + ": " + nrCaches();
    }
}
