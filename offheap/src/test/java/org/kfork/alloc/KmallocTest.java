package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.lib.KmallocSizes;
import org.kfork.machine.Abi;
import org.kfork.machine.BadAccessException;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/** kmalloc and kfree: the classes, kmalloc_large, ksize, the refused frees, and a clean close. */
class KmallocTest {
    private final Machine machine = Machine.create(32 << 20);
    private final Kmem kmem = Kmem.of(machine); // before the leak check's baseline

    @RegisterExtension
    final LeakCheck leaks = LeakCheck.thenClose(() -> machine);

    @Test
    void eachRequestComesFromItsClassAndGoesBack() {
        Kmalloc km = Kmalloc.create(kmem);
        long[] sizes = {1, 8, 9, 56, 64, 65, 96, 100, 192, 200, 264, 1000, 1024, 2048, 4096, 8192};
        List<Long> blocks = new ArrayList<>();
        for (long size : sizes) {
            int idx = KmallocSizes.kmallocIndex(size);
            long before = km.cache(idx).activeObjects();
            long p = km.kmalloc(0, size);
            assertNotEquals(0, p);
            assertEquals(before + 1, km.cache(idx).activeObjects(), size + " bytes in " + KmallocSizes.className(idx));
            assertEquals(KmallocSizes.classSize(idx), km.ksize(p));
            assertTrue(p % Kmalloc.ARCH_KMALLOC_MINALIGN == 0);
            Mem.putByte(p + size - 1, (byte) 1); // the whole request is usable
            blocks.add(p);
        }
        assertEquals("kmalloc-96", km.cache(KmallocSizes.kmallocIndex(96)).name());
        for (long p : blocks) {
            km.kfree(0, p);
        }
        km.kfree(0, 0); // kfree(NULL)
        km.close();
    }

    @Test
    void largeRequestsArePagesOfTheirOrder() {
        Kmalloc km = Kmalloc.create(kmem);
        long free = machine.pages().nrFreePages();
        long p = km.kmalloc(0, 8193);
        assertEquals(Abi.PAGE_SIZE << 2, km.ksize(p), "8193 bytes: an order-2 block");
        assertEquals(0, p % (Abi.PAGE_SIZE << 2), "aligned to its order");
        assertEquals(1, km.largeBlocks());
        assertTrue(machine.pages().nrFreePages() <= free - 4);
        km.kfree(0, p);
        assertEquals(0, km.largeBlocks());
        assertThrows(BadFreeException.class, () -> km.kfree(0, p), "a block already given back");
        assertEquals(0, km.kmalloc(0, 64L << 20), "beyond what the page allocator hands out: NULL");
        km.close();
    }

    @Test
    void aFreeOfSomethingKmallocNeverGaveIsRefused() {
        Kmalloc km = Kmalloc.create(kmem);
        KmemCache other = kmem.slabs().create("not_kmalloc", 40, 0, 0, null);
        long obj = other.alloc(0);
        assertThrows(BadFreeException.class, () -> km.kfree(0, obj), "an object of another cache");
        long page = machine.pages().allocPage();
        assertThrows(BadFreeException.class, () -> km.kfree(0, page), "a page kmalloc never handed out");
        machine.pages().freePage(page);
        other.free(0, obj);
        other.destroy();
        long p = km.kmalloc(0, 32);
        km.kfree(0, p);
        assertThrows(RuntimeException.class, () -> km.kfree(0, p), "a double free (checked mode)");
        km.close();
    }
}
