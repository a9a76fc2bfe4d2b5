package org.kfork.lib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** kmalloc_index and the class names, as 5.12's SLUB on x86_64 has them. */
class KmallocSizesTest {

    @Test
    void requestsGoToTheirClass() {
        assertEquals("kmalloc-8", name(1));
        assertEquals("kmalloc-8", name(8));
        assertEquals("kmalloc-16", name(9));
        assertEquals("kmalloc-64", name(56), "struct fdtable");
        assertEquals("kmalloc-96", name(65));
        assertEquals("kmalloc-96", name(96));
        assertEquals("kmalloc-128", name(97));
        assertEquals("kmalloc-192", name(129));
        assertEquals("kmalloc-256", name(193));
        assertEquals("kmalloc-512", name(264), "the bitmaps of 1024 descriptors");
        assertEquals("kmalloc-1k", name(1024));
        assertEquals("kmalloc-8k", name(8192));
        assertThrows(IllegalArgumentException.class, () -> KmallocSizes.kmallocIndex(8193));
        assertThrows(IllegalArgumentException.class, () -> KmallocSizes.kmallocIndex(0));
    }

    @Test
    void creationOrderHasEveryClassOnce() {
        int[] order = KmallocSizes.creationOrder();
        assertEquals(13, order.length);
        assertEquals("kmalloc-96", KmallocSizes.className(order[4]), "96 after 64");
        assertEquals("kmalloc-192", KmallocSizes.className(order[6]), "192 after 128");
    }

    @Test
    void largeRequestsTakeTheOrderThatHoldsThem() {
        assertEquals(2, KmallocSizes.getOrder(16384, 4096));
        assertEquals(3, KmallocSizes.getOrder(16385, 4096));
        assertEquals(0, KmallocSizes.getOrder(1, 4096));
    }

    private static String name(long size) {
        return KmallocSizes.className(KmallocSizes.kmallocIndex(size));
    }
}
