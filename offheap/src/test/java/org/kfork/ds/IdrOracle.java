package org.kfork.ds;

import java.util.Map;
import java.util.TreeMap;

/**
 * The brute-force model the IDR tests compare against: a TreeMap from id to pointer (0 for an id
 * reserved with NULL) and the cursor, with 5.12's rules for ranges, base, wrap-around and the
 * unsigned arithmetic, written from lib/idr.c directly (not through IdrRules, so that a slip there
 * shows). It also says how many radix tree nodes the allocated ids need: the tree has no empty
 * node and is no taller than its largest index needs.
 */
final class IdrOracle {
    static final int ENOENT = 2;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;

    final TreeMap<Long, Long> ids = new TreeMap<>();  // index (id - base) -> pointer
    int base;
    int cursor;

    void init(int base) {
        ids.clear();
        this.base = base;
        this.cursor = 0;
    }

    private static boolean internal(long ptr) {
        return (ptr & 3) == 2;
    }

    int alloc(long ptr, int start, int end) {
        if (start < 0) {
            return -EINVAL;
        }
        return allocU32(ptr, start, end > 0 ? end - 1 : Integer.MAX_VALUE);
    }

    int allocCyclic(long ptr, int start, int end) {
        int id = cursor < start ? start : cursor;
        final int max = end > 0 ? end - 1 : Integer.MAX_VALUE;
        int ret = allocU32(ptr, id, max);
        if (ret == -ENOSPC && Integer.toUnsignedLong(id) > Integer.toUnsignedLong(start)) {
            ret = allocU32(ptr, start, max);
        }
        if (ret >= 0) {
            cursor = ret + 1;
        }
        return ret;
    }

    /** The lowest free index from the unsigned id's index up to max's, by brute force. */
    private int allocU32(long ptr, int id, long max) {
        if (internal(ptr)) {
            return -EINVAL;
        }
        final long b = Integer.toUnsignedLong(base);
        final long uid = Integer.toUnsignedLong(id);
        long index = uid < b ? 0 : uid - b;
        final long maxIndex = max - b;
        while (index <= maxIndex && ids.containsKey(index)) {
            index++;
        }
        if (index > maxIndex) {
            return -ENOSPC;
        }
        ids.put(index, ptr);
        return (int) (index + b);
    }

    private long index(long id) {
        return id - Integer.toUnsignedLong(base);
    }

    long remove(long id) {
        final Long p = ids.remove(index(id));
        return p == null ? 0 : p;
    }

    long find(long id) {
        final Long p = ids.get(index(id));
        return p == null ? 0 : p;
    }

    int getNext(int id) {
        final long b = Integer.toUnsignedLong(base);
        final long ul = id;  // sign-extended, as C converts int to unsigned long
        long index = Long.compareUnsigned(ul, b) < 0 ? 0 : ul - b;
        if (index < 0) {
            return -ENOENT;
        }
        for (Map.Entry<Long, Long> e : ids.tailMap(index, true).entrySet()) {
            if (e.getValue() != 0) {
                final long next = e.getKey() + b;
                return next > Integer.MAX_VALUE ? -ENOENT : (int) next;
            }
        }
        return -ENOENT;
    }

    long replace(long ptr, long id) {
        if (internal(ptr)) {
            return -EINVAL;
        }
        final long index = index(id);
        if (!ids.containsKey(index)) {
            return -ENOENT;
        }
        return ids.put(index, ptr);
    }

    void destroy() {
        ids.clear();
    }

    /** Nodes of the tree holding exactly these indices: one per 64-index run per level, up to the top. */
    int expectedNodes() {
        if (ids.isEmpty()) {
            return 0;
        }
        final long last = ids.lastKey();
        int nodes = 0;
        for (int shift = 0; ; shift += 6) {
            long prev = -1;
            for (long index : ids.keySet()) {
                final long run = index >>> (shift + 6);
                if (run != prev) {
                    nodes++;
                    prev = run;
                }
            }
            if (last >>> (shift + 6) == 0) {
                return nodes;
            }
        }
    }
}
