package org.kfork.heap;

import java.util.Map;

/**
 * /proc/slabinfo of the heap twin. Its objects come from the Java heap, not from slabs, so each
 * kind (the cache of the same name in the off-heap kernel) shows its live objects as both
 * active_objs and num_objs, and 0 for every slab figure (object size, objects and pages per slab,
 * tunables, slab counts).
 */
final class HeapSlabinfo {
    private static final String HEADER =
        "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
            + " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>";

    private HeapSlabinfo() {
    }

    /** The text, one line per kind in name order. */
    static String slabinfo(Map<String, Long> counts) {
        final StringBuilder sb = new StringBuilder("slabinfo - version: 2.1\n").append(HEADER).append('\n');
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            sb.append(String.format("%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d : slabdata %6d %6d %6d",
                e.getKey(), e.getValue(), e.getValue(), 0, 0, 0, 0, 0, 0, 0, 0, 0)).append('\n');
        }
        return sb.toString();
    }
}
