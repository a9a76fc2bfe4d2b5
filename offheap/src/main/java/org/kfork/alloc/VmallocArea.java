package org.kfork.alloc;

import java.util.Arrays;
import java.util.BitSet;
import org.kfork.machine.Abi;
import org.kfork.machine.Kasan;
import org.kfork.machine.Mem;
import org.kfork.machine.PageAllocator;
import org.kfork.machine.RamWindow;

/**
 * The vmalloc area of one machine, for thread stacks (CONFIG_VMAP_STACK).
 *
 * <p>The memory facade reaches direct-map addresses with one add; a vmalloc address is different:
 * its pages are scattered in RAM. So the area is a real mapping. Each area is backed by order-0
 * pages from the buddy allocator, and a page table maps each vmalloc page to its page:
 * <pre>
 *   VMALLOC_START                                  (slot = 32 KiB: THREAD_SIZE, guard page, THREAD_ALIGN)
 *   | slot 0                           | slot 1                           | ...
 *   | p0  | p1  | p2  | p3  | guard    | p0  | p1  | ...
 *      |     |     |     |
 *      v     v     v     v    pte[vmalloc page index] = direct-map address of the backing page
 *    RAM pages (anywhere)
 * </pre>
 * {@link #translate} turns a vmalloc address into the direct-map address the facade can use: one
 * array load and an add. A guard page or an unmapped page raises {@link VmallocFault}. Checked mode
 * still applies to the backing pages, whose shadow is poisoned while a stack is free.
 *
 * <p>Every area has a {@link VmStruct} record, allocated from the "vm_struct" slab cache with its
 * pages array behind it. Virtual slots are handed out lowest first, so addresses are deterministic.
 *
 * <p>Once the machine has closed, every method throws {@link IllegalStateException}: the page
 * table still names pages of the RAM window, which another machine may hold by then.
 */
public final class VmallocArea implements AutoCloseable {
    /** Bytes of virtual space per area: a 16 KiB stack, its guard page, rounded to THREAD_ALIGN. */
    public static final int SLOT_SIZE = 2 * Abi.THREAD_SIZE;
    /** Most pages an area can have (its pages array is allocated inline). */
    public static final int MAX_PAGES = Abi.THREAD_SIZE / Abi.PAGE_SIZE;
    private static final int SLOT_PAGES = SLOT_SIZE / Abi.PAGE_SIZE;

    private final PageAllocator pages;
    private final RamWindow window;
    private final KmemCache vmCache;
    /** The page table: vmalloc page index -> direct-map address of its page, 0 when unmapped. */
    private volatile long[] pte = new long[SLOT_PAGES * 64];
    /** slot -> its vm_struct (find_vm_area). Guarded by this. */
    private long[] slotVm = new long[64];
    private final BitSet usedSlots = new BitSet();
    private long nrAreas;

    /** The vmalloc area of {@code kmem}'s machine, with its "vm_struct" cache. */
    public VmallocArea(Kmem kmem) {
        this.pages = kmem.machine().pages();
        this.window = kmem.machine().window();
        this.vmCache = kmem.slabs().create("vm_struct", VmStruct.SIZEOF + 8 * MAX_PAGES, 0, 0, null);
        if (vmCache == null) {
            throw new IllegalStateException("cannot create the vm_struct cache");
        }
    }

    /**
     * __vmalloc_node_range for {@code nrPages} pages (at most {@link #MAX_PAGES}), zeroed.
     *
     * @return the area's vm_struct, or 0 (NULL) when RAM is exhausted
     */
    public long vmalloc(int nrPages, int cpu) {
        window.checkLive("__vmalloc_node_range");
        if (nrPages < 1 || nrPages > MAX_PAGES) {
            throw new IllegalArgumentException("nr_pages " + nrPages);
        }
        final long vm = vmCache.zalloc(cpu);
        if (vm == Abi.NULL) {
            return Abi.NULL;
        }
        final long pagesArray = vm + VmStruct.SIZEOF;
        for (int i = 0; i < nrPages; i++) {
            final long p = pages.allocPage();
            if (p == Abi.NULL) {
                for (int j = 0; j < i; j++) {
                    pages.freePage(Mem.getLong(pagesArray + 8L * j));
                }
                vmCache.free(cpu, vm);
                return Abi.NULL;
            }
            Mem.zero(p, Abi.PAGE_SIZE);
            Mem.putLong(pagesArray + 8L * i, p);
        }
        final long addr;
        synchronized (this) {
            final int slot = usedSlots.nextClearBit(0);
            usedSlots.set(slot);
            if (slot >= slotVm.length) {
                slotVm = Arrays.copyOf(slotVm, slotVm.length * 2);
            }
            slotVm[slot] = vm;
            long[] t = pte;
            final int firstIdx = slot * SLOT_PAGES;
            if (firstIdx + SLOT_PAGES > t.length) {
                t = Arrays.copyOf(t, Math.max(t.length * 2, firstIdx + SLOT_PAGES));
            }
            for (int i = 0; i < nrPages; i++) {
                t[firstIdx + i] = Mem.getLong(pagesArray + 8L * i);
            }
            // Publish the mapping before the vm_struct escapes (the caller hands it out through
            // atomics, which order this store before any translate of the area).
            pte = t;
            nrAreas++;
            addr = Abi.VMALLOC_START + (long) slot * SLOT_SIZE;
        }
        Mem.putLong(vm + VmStruct.ADDR, addr);
        Mem.putLong(vm + VmStruct.SIZE_FIELD, (long) (nrPages + 1) * Abi.PAGE_SIZE);
        Mem.putLong(vm + VmStruct.FLAGS, VmStruct.VM_ALLOC);
        Mem.putLong(vm + VmStruct.PAGES, pagesArray);
        Mem.putInt(vm + VmStruct.NR_PAGES, nrPages);
        return vm;
    }

    /** vfree: unmaps the area, returns its pages and its vm_struct. */
    public void vfree(long vm, int cpu) {
        window.checkLive("vfree");
        final long addr = VmStruct.addr(vm);
        final int nr = VmStruct.nrPages(vm);
        final int slot = slotOf(addr);
        synchronized (this) {
            if (slot < 0 || slot >= slotVm.length || slotVm[slot] != vm) {
                throw new IllegalStateException("vfree of 0x" + Long.toHexString(addr) + ": not a live vmalloc area");
            }
            slotVm[slot] = 0;
            usedSlots.clear(slot);
            final long[] t = pte;
            for (int i = 0; i < nr; i++) {
                t[slot * SLOT_PAGES + i] = 0;
            }
            nrAreas--;
        }
        for (int i = 0; i < nr; i++) {
            pages.freePage(VmStruct.page(vm, i));
        }
        vmCache.free(cpu, vm);
    }

    /** find_vm_area: the vm_struct of the area holding {@code addr}, or 0. */
    public synchronized long findVmArea(long addr) {
        window.checkLive("find_vm_area");
        final int slot = slotOf(addr);
        return slot >= 0 && slot < slotVm.length ? slotVm[slot] : Abi.NULL;
    }

    /**
     * The direct-map address behind a vmalloc address: the page table walk.
     *
     * @throws VmallocFault for a guard page, an unmapped page or an address outside the area
     */
    public long translate(long vaddr) {
        window.checkLive("vmalloc page table walk");
        final long off = vaddr - Abi.VMALLOC_START;
        final long idx = off >>> Abi.PAGE_SHIFT;
        final long[] t = pte;
        if (off < 0 || idx >= t.length || t[(int) idx] == 0) {
            throw new VmallocFault(vaddr, off < 0 || off >= Abi.VMALLOC_SIZE_BYTES ? "not a vmalloc address"
                : (idx % SLOT_PAGES) >= MAX_PAGES ? "guard page: stack overflow?" : "no page mapped");
        }
        return t[(int) idx] + (vaddr & (Abi.PAGE_SIZE - 1));
    }

    /** Reads a long at a vmalloc address (8-byte aligned, so it never straddles a page). */
    public long getLong(long vaddr) {
        return Mem.getLong(translate(vaddr));
    }

    /** Writes a long at a vmalloc address. */
    public void putLong(long vaddr, long value) {
        Mem.putLong(translate(vaddr), value);
    }

    /** memset(area, 0, nr_pages * PAGE_SIZE), page by page through the page table. */
    public void zero(long vm) {
        window.checkLive("vmalloc memset");
        final int nr = VmStruct.nrPages(vm);
        for (int i = 0; i < nr; i++) {
            Mem.zero(VmStruct.page(vm, i), Abi.PAGE_SIZE);
        }
    }

    /** Marks the area's pages accessible (kasan_unpoison_range on the stack). */
    public void unpoison(long vm) {
        window.checkLive("kasan_unpoison_range");
        if (Kasan.ENABLED) {
            final int nr = VmStruct.nrPages(vm);
            for (int i = 0; i < nr; i++) {
                Kasan.unpoison(VmStruct.page(vm, i), Abi.PAGE_SIZE);
            }
        }
    }

    /** Poisons the area's pages while it sits unused in a cache. */
    public void poison(long vm) {
        window.checkLive("kasan_poison_range");
        if (Kasan.ENABLED) {
            final int nr = VmStruct.nrPages(vm);
            for (int i = 0; i < nr; i++) {
                Kasan.poison(VmStruct.page(vm, i), Abi.PAGE_SIZE, Kasan.VMALLOC_FREE);
            }
        }
    }

    /** Live areas (an accounting counter). */
    public synchronized long nrAreas() {
        window.checkLive("vmalloc areas count");
        return nrAreas;
    }

    /** The vm_struct cache. */
    KmemCache vmCache() {
        return vmCache;
    }

    /** Destroys the vm_struct cache; every area must have been freed. */
    @Override
    public void close() {
        vmCache.destroy();
    }

    private static int slotOf(long addr) {
        final long off = addr - Abi.VMALLOC_START;
        return off < 0 || off >= Abi.VMALLOC_SIZE_BYTES ? -1 : (int) (off / SLOT_SIZE);
    }
}
