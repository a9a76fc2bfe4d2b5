package org.kfork.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * kmalloc_index's classes as the fd tables use them, kmalloc_large's counting and get_order (the
 * namespaces' sizes are in nsproxy.NsRulesTest).
 */
class KmallocSizesTest {

    @Test
    void requestsGoToTheirClass() {
        assertEquals("kmalloc-8", KmallocSizes.cacheFor(8));
        assertEquals("kmalloc-16", KmallocSizes.cacheFor(9));
        assertEquals("kmalloc-64", KmallocSizes.cacheFor(56), "struct fdtable");
        assertEquals("kmalloc-96", KmallocSizes.cacheFor(65));
        assertEquals("kmalloc-96", KmallocSizes.cacheFor(96));
        assertEquals("kmalloc-128", KmallocSizes.cacheFor(97));
        assertEquals("kmalloc-256", KmallocSizes.cacheFor(193));
        assertEquals("kmalloc-512", KmallocSizes.cacheFor(264), "the bitmaps of 1024 descriptors");
        assertEquals("kmalloc-1k", KmallocSizes.cacheFor(1024));
        assertEquals("kmalloc-96", KmallocSizes.name(4), "96 after 64, as create_kmalloc_caches makes them");
        assertEquals("kmalloc-192", KmallocSizes.name(6), "192 after 128");
    }

    @Test
    void largeRequestsAreCountedApartAndTakeTheOrderThatHoldsThem() {
        assertEquals("kmalloc-8k", KmallocSizes.countedAs(8192));
        assertEquals(KmallocSizes.LARGE, KmallocSizes.countedAs(8193));
        assertThrows(IllegalArgumentException.class, () -> KmallocSizes.countedAs(0));
        assertEquals(0, KmallocSizes.getOrder(1, 4096));
        assertEquals(1, KmallocSizes.getOrder(8193 - 4096, 4096));
        assertEquals(2, KmallocSizes.getOrder(8193, 4096));
        assertEquals(2, KmallocSizes.getOrder(16384, 4096));
        assertEquals(3, KmallocSizes.getOrder(16385, 4096));
    }
}
