package org.kfork.mm;

/**
 * The size classes of kmalloc (mm/slab_common.c's kmalloc_info and kmalloc_index, 5.12 with
 * SLUB): the caches kmalloc-8 to kmalloc-8k, and which of them serves a request of n bytes. With
 * SLUB, KMALLOC_MIN_SIZE is 8 and KMALLOC_SHIFT_HIGH is PAGE_SHIFT + 1, so kmalloc-8k is the
 * largest cache; a larger request goes to the page allocator whole (kmalloc_large, of the order
 * that holds it), which the heap twin counts under {@link #LARGE}.
 */
public final class KmallocSizes {
    /** The object size of each kmalloc cache, in kmalloc_info's order. */
    private static final int[] SIZES = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192};
    private static final String[] NAMES = {"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
        "kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k",
        "kmalloc-8k"};

    /** KMALLOC_MAX_CACHE_SIZE: the largest request a kmalloc cache serves. */
    public static final int KMALLOC_MAX_CACHE_SIZE = 8192;
    /** The name the heap twin counts kmalloc_large's blocks under (no cache has it). */
    public static final String LARGE = "kmalloc-large";

    private KmallocSizes() {
    }

    /** How many kmalloc caches there are. */
    public static int count() {
        return SIZES.length;
    }

    /** The object size of cache {@code i}. */
    public static int size(int i) {
        return SIZES[i];
    }

    /** The name of cache {@code i} ({@code "kmalloc-96"}). */
    public static String name(int i) {
        return NAMES[i];
    }

    /**
     * kmalloc_index, as an index into this table: the smallest cache whose objects hold
     * {@code size} bytes (96 and 192 serve the sizes just above 64 and 128).
     *
     * @throws IllegalArgumentException for 0, a negative size or one above KMALLOC_MAX_CACHE_SIZE
     */
    public static int index(long size) {
        if (size <= 0 || size > KMALLOC_MAX_CACHE_SIZE) {
            throw new IllegalArgumentException("no kmalloc cache for " + size + " bytes");
        }
        for (int i = 0; i < SIZES.length; i++) {
            if (size <= SIZES[i]) {
                return i;
            }
        }
        throw new AssertionError(size);
    }

    /** The name of the cache kmalloc(size) uses. */
    public static String cacheFor(long size) {
        return NAMES[index(size)];
    }

    /**
     * What kmalloc(size) is counted as: its cache's name, or {@link #LARGE} above
     * KMALLOC_MAX_CACHE_SIZE (kmalloc_large).
     *
     * @throws IllegalArgumentException for 0 or a negative size
     */
    public static String countedAs(long size) {
        return size > KMALLOC_MAX_CACHE_SIZE ? LARGE : cacheFor(size);
    }

    /** get_order: the smallest page order whose block holds {@code size} bytes of pages of {@code pageSize}. */
    public static int getOrder(long size, long pageSize) {
        final long pages = (size + pageSize - 1) / pageSize;
        return pages <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(pages - 1);
    }
}
