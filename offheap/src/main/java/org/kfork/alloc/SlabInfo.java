package org.kfork.alloc;

/**
 * One cache's line of /proc/slabinfo, plus the details kfork shows beside it.
 *
 * @param name          the cache name
 * @param activeObjs    objects handed out and not freed
 * @param numObjs       objects in all slabs
 * @param objSize       object_size
 * @param stride        size: the object, the free pointer when it goes after the object, KASAN's
 *                      metadata and redzone on a machine with KASAN redzones, and alignment
 *                      padding
 * @param objPerSlab    objects per slab
 * @param pagesPerSlab  pages per slab
 * @param numSlabs      slabs allocated
 * @param align         object alignment
 * @param flags         creation flags
 * @param useroffset    usercopy whitelist offset
 * @param usersize      usercopy whitelist size
 * @param limit         per-CPU freelist limit
 * @param batch         refill/drain batch
 * @param allocFailures allocations that returned NULL for lack of RAM
 * @param quarantined   freed objects waiting in checked mode's quarantine (in neither
 *                      activeObjs nor the free objects)
 */
public record SlabInfo(String name, long activeObjs, long numObjs, int objSize, int stride, int objPerSlab,
                       int pagesPerSlab, long numSlabs, int align, int flags, int useroffset, int usersize,
                       int limit, int batch, long allocFailures, long quarantined) {

    /** The header of {@link #line()}, as /proc/slabinfo 2.1 prints it. */
    public static final String HEADER =
        "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
            + " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>";

    /**
     * The comment line {@link SlabCaches#slabinfo()} prints under the header on a machine with
     * KASAN redzones, whose strides and objects per slab differ from a kernel without KASAN.
     */
    public static final String KASAN_REDZONES_NOTE =
        "# KASAN redzones: each object is followed by KASAN metadata and a redzone (flag SLAB_KASAN), "
            + "so <objperslab> is smaller than without KASAN";

    /** The /proc/slabinfo line. */
    public String line() {
        return String.format("%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d : slabdata %6d %6d %6d",
            name, activeObjs, numObjs, objSize, objPerSlab, pagesPerSlab, limit, batch, 0, numSlabs, numSlabs, 0);
    }
}
