package org.kfork.lib;

/**
 * The size classes of kmalloc with SLUB on x86_64 (include/linux/slab.h, mm/slab_common.c, 5.12),
 * shared by both kernels so that they put a request in the same class and count it under the
 * same cache name: kmalloc-8 to kmalloc-8k (KMALLOC_SHIFT_HIGH is PAGE_SHIFT + 1), with the
 * kmalloc-96 and kmalloc-192 classes between the powers of two; a larger request goes to the page
 * allocator whole (kmalloc_large, of the order that holds it).
 */
public final class KmallocSizes {
    /** KMALLOC_SHIFT_LOW: the smallest class is 8 bytes. */
    public static final int KMALLOC_SHIFT_LOW = 3;
    /** KMALLOC_SHIFT_HIGH: PAGE_SHIFT + 1. */
    public static final int KMALLOC_SHIFT_HIGH = 13;
    /** KMALLOC_MAX_CACHE_SIZE: the largest request a kmalloc cache serves (8 KiB). */
    public static final long KMALLOC_MAX_CACHE_SIZE = 1L << KMALLOC_SHIFT_HIGH;
    /** The name of kmalloc_large's allocations, for the heap twin's counts. */
    public static final String LARGE = "kmalloc-large";

    private KmallocSizes() {
    }

    /**
     * kmalloc_index: the class of a request of {@code size} bytes (1 to KMALLOC_MAX_CACHE_SIZE):
     * 1 is kmalloc-96, 2 is kmalloc-192, and n from 3 to 13 is kmalloc-2^n.
     */
    public static int kmallocIndex(long size) {
        if (size <= 0 || size > KMALLOC_MAX_CACHE_SIZE) {
            throw new IllegalArgumentException("no kmalloc class for " + size + " bytes");
        }
        if (size <= 8) {
            return KMALLOC_SHIFT_LOW;
        }
        if (size > 64 && size <= 96) {
            return 1;
        }
        if (size > 128 && size <= 192) {
            return 2;
        }
        return 64 - Long.numberOfLeadingZeros(size - 1);
    }

    /** The object size of class {@code index}. */
    public static int classSize(int index) {
        return index == 1 ? 96 : index == 2 ? 192 : 1 << index;
    }

    /** The cache's name as /proc/slabinfo shows it: kmalloc-96, kmalloc-1k, kmalloc-8k. */
    public static String className(int index) {
        final int size = classSize(index);
        return "kmalloc-" + (size >= 1024 ? (size >> 10) + "k" : Integer.toString(size));
    }

    /** The classes in the order create_kmalloc_caches makes them: 8 to 8k, with 96 after 64 and 192 after 128. */
    public static int[] creationOrder() {
        return new int[] {3, 4, 5, 6, 1, 7, 2, 8, 9, 10, 11, 12, 13};
    }

    /** get_order: the page order that holds {@code size} bytes of pages of {@code pageSize}. */
    public static int getOrder(long size, long pageSize) {
        long pages = (size + pageSize - 1) / pageSize;
        return pages <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(pages - 1);
    }
}
