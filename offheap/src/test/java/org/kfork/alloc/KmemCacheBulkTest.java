package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/** kmem_cache_alloc_bulk and kmem_cache_free_bulk with 5.12's contract, on shared and owned CPUs. */
class KmemCacheBulkTest {
    static final Machine MACHINE = Machine.builder().ram(32 << 20).cpus(2).kasanQuarantine(0).build();
    static final Kmem KMEM = Kmem.of(MACHINE);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        MACHINE.close();
    }

    @Test
    void bulkAllocHandsOutDistinctLiveObjectsAndBulkFreeTakesThemBack() {
        KmemCache c = KMEM.slabs().create("bulk_obj", 200, 8, 0, null);
        for (boolean own : new boolean[] {false, true}) {
            Cpus.Owned o = own ? KMEM.cpus().own(1) : null;
            try {
                long[] p = new long[1000]; // over the limit (120): refills and drains inside
                assertEquals(1000, c.allocBulk(1, 1000, p));
                Set<Long> distinct = new HashSet<>();
                for (long obj : p) {
                    assertTrue(distinct.add(obj), "handed out twice: 0x" + Long.toHexString(obj));
                    Mem.putLong(obj + 192, obj); // writable, the whole object
                }
                assertEquals(1000, c.info().activeObjs());
                assertTrue(c.cpuCached(1) <= c.limit());
                long[] copy = p.clone();
                c.freeBulk(1, 1000, p);
                assertArrayEquals(copy, p, "the array is left as it was");
                assertEquals(0, c.info().activeObjs());
                assertTrue(c.cpuCached(1) <= c.limit());
                assertEquals(0, c.allocBulk(1, 0, p), "nothing asked, nothing given");
            } finally {
                if (o != null) {
                    o.close();
                }
            }
        }
        c.destroy();
    }

    /** A bulk free leaves the CPU's list as the same frees one by one would: last freed first. */
    @Test
    void bulkFreeKeepsTheOrderOfSingleFrees() {
        KmemCache c = KMEM.slabs().create("bulk_order", 64, 0, 0, null);
        long[] p = new long[10];
        assertEquals(10, c.allocBulk(0, 10, p));
        c.freeBulk(0, 10, p);
        for (int i = 9; i >= 0; i--) {
            assertEquals(p[i], c.alloc(0), "LIFO, as ten kmem_cache_free calls leave it");
        }
        for (long obj : p) {
            c.free(0, obj);
        }
        c.destroy();
    }

    @Test
    void bulkFreeSkipsNullAndRefusesBadPointersBeforeFreeingAnything() {
        KmemCache c = KMEM.slabs().create("bulk_bad", 64, 0, 0, null);
        KmemCache other = KMEM.slabs().create("bulk_other", 64, 0, 0, null);
        long[] p = new long[6];
        assertEquals(4, c.allocBulk(0, 4, p));
        long foreign = other.alloc(0);
        long[] bad = {p[0], p[1], foreign, p[2]};
        assertThrows(BadFreeException.class, () -> c.freeBulk(0, 4, bad));
        assertEquals(4, c.info().activeObjs(), "a bad pointer anywhere frees nothing");
        long[] twice = {p[0], p[1], p[1]};
        assertThrows(BadFreeException.class, () -> c.freeBulk(0, 3, twice));
        assertEquals(4, c.info().activeObjs());
        long[] notSlab = {p[0], Abi.PAGE_OFFSET + 8};
        assertThrows(BadFreeException.class, () -> c.freeBulk(0, 2, notSlab));
        assertEquals(4, c.info().activeObjs());
        assertThrows(IllegalArgumentException.class, () -> c.freeBulk(0, 7, p));
        assertThrows(IllegalArgumentException.class, () -> c.allocBulk(0, -1, p));
        c.freeBulk(0, 0, p); // 5.12 WARNs and returns
        assertEquals(4, c.info().activeObjs());
        long[] withNulls = {0, p[3], 0, p[2], p[1], 0, p[0]};
        c.freeBulk(0, withNulls.length, withNulls);
        assertEquals(0, c.info().activeObjs());
        other.free(0, foreign);
        c.destroy();
        other.destroy();
    }

    /** All or nothing: a bulk that RAM cannot satisfy returns 0 and keeps nothing. */
    @Test
    void bulkAllocIsAllOrNothing() throws Exception {
        try (Machine small = Machine.builder().ram(4 << 20).cpus(2).kasanQuarantine(0).build()) {
            Kmem k = Kmem.of(small);
            KmemCache c = k.slabs().create("bulk_oom", 4000, 0, 0, null);
            long[] p = new long[2000]; // 8 MB of objects on a 4 MB machine
            for (boolean own : new boolean[] {false, true}) {
                Cpus.Owned o = own ? k.cpus().own(0) : null;
                try {
                    assertEquals(0, c.allocBulk(0, p.length, p));
                    assertEquals(0, c.info().activeObjs(), "what was taken went back");
                    assertEquals(10, c.allocBulk(0, 10, p), "and the cache still works");
                    c.freeBulk(0, 10, p);
                } finally {
                    if (o != null) {
                        o.close();
                    }
                }
            }
            c.destroy();
            Arrays.fill(p, 0);
        }
    }
}
