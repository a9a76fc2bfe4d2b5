package org.kfork.alloc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.kfork.machine.Abi;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.PageAllocator;
import org.kfork.machine.Ram;
import org.kfork.uapi.Errno;

/**
 * The slab allocator of one machine (mm/slab_common.c): kmem_cache_create, the list of live
 * caches (slab_caches), /proc/slabinfo, and the page-to-slab map that lets a free find the slab of
 * an object, as virt_to_head_page(obj)->slab_cache does.
 *
 * <p>Each cache registers an accounting counter {@code slab.NAME.active_objs} on the machine, so
 * the leak check sees every cache; {@code slab.nr_caches} counts the caches, and
 * {@code kasan.quarantine_bytes} what checked mode's {@link Quarantine} holds.
 *
 * <h2>When kmem_cache_create fails</h2>
 * {@link #create} keeps the kernel's contract: it returns null (or panics with SLAB_PANIC), and
 * the kernel's only word on why is a warning in the log. {@link #createOrThrow} and
 * {@link #createUsercopyOrThrow} give the reason instead: a {@link SlabCreateException} with the
 * errno the kernel would have returned inside kmem_cache_create_usercopy (-EINVAL for a bad name,
 * size, alignment, flags or usercopy region, or an object no slab order holds; -ENOMEM when the
 * per-CPU areas are full). One deviation: 5.12 WARNs about a usercopy region outside the object
 * and creates the cache without one; kfork refuses it with -EINVAL.
 *
 * <h2>The machine's options</h2>
 * A machine built with KASAN redzones gives every cache KASAN's larger stride and the
 * SLAB_KASAN flag, and {@link #slabinfo()} says so in a comment line under its header. After the
 * machine has closed, every method here and every method of its caches that touches memory or
 * state throws IllegalStateException.
 */
public final class SlabCaches {
    private final Kmem kmem;
    private final Machine machine;
    private final long ramStart;
    /** struct page's slab fields: the slab each page of RAM belongs to, or null. */
    private final Slab[] pageSlab;
    private final List<KmemCache> caches = new ArrayList<>();
    /** Told of each new cache ({@link #onCreate}); null for none. */
    private volatile Consumer<KmemCache> createListener;
    private final java.util.Map<KmemCache, String> accountingNames = new java.util.IdentityHashMap<>();
    private final Kasan.Describer describer = this::describe;
    /** Checked mode's quarantine, or null when the machine has none. */
    private final Quarantine quarantine;
    private int serial;

    SlabCaches(Kmem kmem) {
        this.kmem = kmem;
        this.machine = kmem.machine();
        this.ramStart = machine.ramStart();
        this.pageSlab = new Slab[(int) (machine.ramBytes() >>> Abi.PAGE_SHIFT)];
        this.quarantine = Kasan.ENABLED && machine.kasanQuarantine() > 0
            ? new Quarantine(this, machine.kasanQuarantine()) : null;
        machine.registerAccounting("slab.nr_caches", this::nrCaches);
        machine.registerAccounting("kasan.quarantine_bytes", this::quarantineBytes);
        Kasan.addDescriber(describer);
        // A claimed CPU: fail every update of its freelists that began before the claim.
        kmem.cpus().addOwnershipHook(this::fenceCpu);
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
     *         ({@link #createOrThrow} says why)
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
     *         ({@link #createUsercopyOrThrow} says why)
     * @throws KernelPanic when creation fails and {@code flags} has SLAB_PANIC
     */
    public KmemCache createUsercopy(String name, int size, int align, int flags, int useroffset, int usersize,
                                    LongConsumer ctor) {
        try {
            return createUsercopyOrThrow(name, size, align, flags, useroffset, usersize, ctor);
        } catch (SlabCreateException e) {
            return null;
        }
    }

    /**
     * kmem_cache_create, for Java callers who want the reason of a failure.
     *
     * @return the cache, never null
     * @throws SlabCreateException when it cannot be created and {@code flags} lacks SLAB_PANIC:
     *                             the errno and the reason
     * @throws KernelPanic         when creation fails and {@code flags} has SLAB_PANIC
     */
    public KmemCache createOrThrow(String name, int size, int align, int flags, LongConsumer ctor) {
        return createUsercopyOrThrow(name, size, align, flags, 0, 0, ctor);
    }

    /**
     * kmem_cache_create_usercopy, for Java callers who want the reason of a failure.
     *
     * @return the cache, never null
     * @throws SlabCreateException when it cannot be created and {@code flags} lacks SLAB_PANIC
     * @throws KernelPanic         when creation fails and {@code flags} has SLAB_PANIC
     */
    public KmemCache createUsercopyOrThrow(String name, int size, int align, int flags, int useroffset, int usersize,
                                           LongConsumer ctor) {
        machine.checkOpen("kmem_cache_create");
        final String invalid = validate(name, size, align, flags, useroffset, usersize);
        try {
            if (invalid != null) {
                throw new SlabCreateException(name, Errno.EINVAL, invalid);
            }
            return build(name, size, align, flags, useroffset, usersize, ctor);
        } catch (SlabCreateException e) {
            if ((flags & SlabFlags.SLAB_PANIC) != 0) {
                throw new KernelPanic("kmem_cache_create: Failed to create slab '" + name + "'. Error "
                    + (-e.errno()) + " (" + e.reason() + ")");
            }
            throw e;
        }
    }

    private static String validate(String name, int size, int align, int flags, int useroffset, int usersize) {
        if (name == null || name.isEmpty()) {
            return "no name";
        }
        if (size < 1 || size > SlabGeometry.KMALLOC_MAX_SIZE - 8) {
            return "size " + size + " outside 1.." + (SlabGeometry.KMALLOC_MAX_SIZE - 8);
        }
        if (align < 0 || (align != 0 && !Abi.isPowerOfTwo(align)) || align > Abi.PAGE_SIZE << 2) {
            return "align " + align + " is not 0 or a power of two up to " + (Abi.PAGE_SIZE << 2);
        }
        if (!SlabFlags.valid(flags)) {
            return "flags 0x" + Integer.toHexString(flags) + " hold bits a caller may not pass ("
                + SlabFlags.describe(flags & ~SlabFlags.PERMITTED) + ")";
        }
        if (useroffset < 0 || usersize < 0 || (long) useroffset + usersize > size) {
            return "usercopy region " + useroffset + "+" + usersize + " outside the object of " + size + " bytes";
        }
        return null;
    }

    /** create_cache: the geometry, the per-CPU freelist heads, the cache, its counter. */
    private KmemCache build(String name, int size, int align, int flags, int useroffset, int usersize,
                            LongConsumer ctor) {
        final int a = SlabGeometry.calculateAlignment(flags, align, size);
        final boolean outside = SlabGeometry.freePointerOutside(flags, ctor);
        final int plain = SlabGeometry.stride(size, a, outside, false);
        final int stride = SlabGeometry.stride(size, a, outside, machine.kasanRedzones());
        final int cacheFlags = stride != plain ? flags | SlabFlags.SLAB_KASAN : flags;
        final int order = SlabGeometry.calculateOrder(stride, kmem.cpus().nrCpus());
        if (order < 0) {
            // calculate_sizes fails and kmem_cache_open returns -EINVAL
            throw new SlabCreateException(name, Errno.EINVAL, "no slab order holds an object of stride " + stride);
        }
        final int headOff = kmem.percpu().alloc(Long.BYTES, Long.BYTES);
        if (headOff < 0) {
            throw new SlabCreateException(name, Errno.ENOMEM, "the per-CPU areas are full (alloc_kmem_cache_cpus)");
        }
        final KmemCache c = new KmemCache(this, name, size, a, cacheFlags, ctor, useroffset, usersize, stride, order,
            headOff);
        synchronized (this) {
            caches.add(c);
            final String counter = "slab." + name + (find(name) == c ? "" : "#" + (++serial)) + ".active_objs";
            accountingNames.put(c, counter);
            machine.registerAccounting(counter, c::activeObjects);
        }
        final Consumer<KmemCache> l = createListener;
        if (l != null) {
            l.accept(c);
        }
        return c;
    }

    /**
     * Calls {@code listener} after each cache is made, from the creating thread, outside the list's
     * lock (the kernel's VMCOREINFO records each cache's geometry; see kernel/crash). One listener.
     */
    public void onCreate(Consumer<KmemCache> listener) {
        createListener = listener;
    }

    synchronized void unregister(KmemCache c, int headOff) {
        caches.remove(c);
        machine.unregisterAccounting(accountingNames.remove(c));
        kmem.percpu().free(headOff, Long.BYTES);
    }

    /**
     * A thread has claimed {@code cpu}: each cache fences its freelist head on that CPU. Under the
     * list's lock, so that a cache made meanwhile is either fenced here or made after the claim
     * (and then no thread can have begun an update of it before the claim).
     */
    private synchronized void fenceCpu(int cpu) {
        for (KmemCache c : caches) {
            c.fenceCpu(cpu);
        }
    }

    /** The live caches, in creation order (slab_caches). */
    public synchronized List<KmemCache> list() {
        machine.checkOpen("slab_caches");
        return new ArrayList<>(caches);
    }

    /** The live cache named {@code name}, or null. */
    public synchronized KmemCache find(String name) {
        machine.checkOpen("kmem_cache lookup");
        for (KmemCache c : caches) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Number of live caches. */
    public synchronized long nrCaches() {
        machine.checkOpen("slab_caches count");
        return caches.size();
    }

    /** The statistics of every cache. */
    public List<SlabInfo> infos() {
        machine.checkOpen("slabinfo");
        final List<SlabInfo> out = new ArrayList<>();
        for (KmemCache c : list()) {
            out.add(c.info());
        }
        return out;
    }

    /** The text of /proc/slabinfo (version 2.1). */
    public String slabinfo() {
        final StringBuilder sb = new StringBuilder("slabinfo - version: 2.1\n").append(SlabInfo.HEADER).append('\n');
        if (machine.kasanRedzones()) {
            sb.append(SlabInfo.KASAN_REDZONES_NOTE).append('\n');
        }
        for (SlabInfo i : infos()) {
            sb.append(i.line()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Empties checked mode's quarantine: every waiting object goes back to its slab. The leak
     * check runs it (through {@link Kmem#quiesce}); without a quarantine it does nothing.
     *
     * @return the number of objects freed
     */
    public long drainQuarantine() {
        machine.checkOpen("kasan_quarantine_drain");
        return quarantine == null ? 0 : quarantine.drainAll();
    }

    /** The bytes of freed objects waiting in the quarantine now (0 without one). */
    public long quarantineBytes() {
        machine.checkOpen("kasan quarantine bytes");
        return quarantine == null ? 0 : quarantine.bytes();
    }

    /** The quarantine's bound in bytes, 0 when there is none (checked mode off, or turned off). */
    public long quarantineMaxBytes() {
        return quarantine == null ? 0 : quarantine.maxBytes();
    }

    /** kmem_cache_shrink on every cache: flush per-CPU lists, release empty slabs. */
    public void shrinkAll() {
        machine.checkOpen("kmem_cache_shrink");
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

    Quarantine quarantine() {
        return quarantine;
    }

    /** The page-to-slab map, which caches read on every free (cache_from_obj). */
    Slab[] pageSlab() {
        return pageSlab;
    }

    long ramStart() {
        return ramStart;
    }

    /** The exception for {@code op} on an object of this machine once it has closed. */
    IllegalStateException machineClosed(String op) {
        return machine.window().closed(op);
    }

    /** virt_to_head_page(obj)->slab: the slab holding {@code addr}, or null. */
    Slab slabOf(long addr) {
        final long rel = addr - ramStart;
        if (rel < 0 || (rel >>> Abi.PAGE_SHIFT) >= pageSlab.length) {
            return null;
        }
        return pageSlab[(int) (rel >>> Abi.PAGE_SHIFT)];
    }

    /** The cache an object belongs to, or null (kmem_cache of virt_to_head_page). */
    public KmemCache cacheOf(long addr) {
        machine.checkOpen("virt_to_cache");
        final Slab s = slabOf(addr);
        return s == null ? null : s.cache;
    }

    void mapSlab(Slab s, long base, int nrPages) {
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
        final Slab s = slabOf(addr);
        return s == null ? null : s.cache.describe(s, addr);
    }

    /**
     * The machine is closing: every cache refuses from now on, and the page-to-slab map forgets
     * every slab, so that a free through a stale cache finds none.
     */
    void close() {
        for (KmemCache c : list()) {
            c.markMachineClosed();
        }
        synchronized (this) {
            Arrays.fill(pageSlab, null);
        }
        Kasan.removeDescriber(describer);
    }

    @Override
    public String toString() {
        return "slab caches of " + machine + ": " + nrCaches();
    }
}
