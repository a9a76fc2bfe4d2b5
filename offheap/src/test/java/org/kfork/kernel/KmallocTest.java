package org.kfork.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.KmallocSizes;
import org.kfork.testing.LeakCheck;

/** kmalloc and kfree: the caches, kmalloc_large, ksize, the refused frees, and a clean close. */
class KmallocTest {
    private final Machine machine = Machine.create(32 << 20);
    private final Kmem kmem = Kmem.of(machine); // before the leak check's baseline

    @RegisterExtension
    final LeakCheck leaks = LeakCheck.thenClose(() -> machine);

    @Test
    void eachRequestComesFromItsCacheAndGoesBack() {
        Kmalloc km = new Kmalloc(kmem);
        long[] sizes = {1, 8, 9, 56, 64, 65, 96, 100, 192, 200, 264, 1000, 1024, 2048, 4096, 8192};
        List<Long> blocks = new ArrayList<>();
        for (long size : sizes) {
            KmemCache c = km.cacheFor(size);
            assertEquals(KmallocSizes.cacheFor(size), c.name());
            long before = c.activeObjects();
            long p = c.alloc(0);
            assertNotEquals(0, p);
            assertEquals(before + 1, c.activeObjects(), size + " bytes in " + c.name());
            assertEquals(KmallocSizes.size(KmallocSizes.index(size)), km.ksize(p));
            assertEquals(0, p % 8, "ARCH_KMALLOC_MINALIGN");
            Mem.putByte(p + size - 1, (byte) 1); // the whole request is usable
            blocks.add(p);
        }
        for (long p : blocks) {
            km.kfree(0, p);
        }
        km.kfree(0, 0); // kfree(NULL)
        km.close();
    }

    @Test
    void largeRequestsArePagesOfTheirOrder() {
        Kmalloc km = new Kmalloc(kmem);
        assertThrows(IllegalArgumentException.class, () -> km.kmallocLarge(8192), "kmalloc-8k serves it");
        long free = machine.pages().nrFreePages();
        long p = km.kmallocLarge(8193);
        assertEquals(Abi.PAGE_SIZE << 2, km.ksize(p), "8193 bytes: an order-2 block");
        assertEquals(0, p % (Abi.PAGE_SIZE << 2), "aligned to its order");
        assertEquals(1, km.largeBlocks());
        assertTrue(machine.pages().nrFreePages() <= free - 4);
        assertThrows(IllegalStateException.class, km::close, "a block still out");
        km.kfree(0, p);
        assertEquals(0, km.largeBlocks());
        assertThrows(IllegalArgumentException.class, () -> km.kfree(0, p), "a block already given back");
        assertEquals(0, km.kmallocLarge(64L << 20), "beyond what the page allocator hands out: NULL");
        km.close();
    }

    @Test
    void aFreeOfSomethingKmallocNeverGaveIsRefused() {
        Kmalloc km = new Kmalloc(kmem);
        KmemCache other = kmem.slabs().create("not_kmalloc", 40, 0, 0, null);
        long obj = other.alloc(0);
        assertThrows(IllegalArgumentException.class, () -> km.kfree(0, obj), "an object of another cache");
        long page = machine.pages().allocPage();
        assertThrows(IllegalArgumentException.class, () -> km.kfree(0, page), "a page kmalloc never handed out");
        machine.pages().freePage(page);
        other.free(0, obj);
        other.destroy();
        long p = km.cacheFor(32).alloc(0);
        km.kfree(0, p);
        assertThrows(RuntimeException.class, () -> km.kfree(0, p), "a double free (checked mode)");
        km.close();
    }

    /** On a machine of its own: a kernel's boot keeps per-CPU and RCU state the leak check would count. */
    @Test
    void theKernelsKmallocAsksFailslabForBothKinds() {
        try (Machine m = Machine.create(32 << 20); Globals g = Globals.boot(m)) {
            long small = g.kzalloc(100);
            long big = g.kzalloc(20_000);
            assertEquals(0, Mem.getLong(big + 20_000 - 8), "kzalloc zeroes a large block too");
            assertEquals(1, g.kmallocCaches.largeBlocks());
            g.failSlab.failNth(1);
            assertEquals(0, g.kmalloc(20_000), "failslab refuses a large kmalloc");
            g.failSlab.failNth(1);
            assertEquals(0, g.kmalloc(100));
            g.kfree(big);
            g.kfree(small);
            g.kfree(0);
            assertEquals(0, g.kmallocCaches.largeBlocks());
        }
    }
}
