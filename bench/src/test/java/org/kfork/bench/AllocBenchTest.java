package org.kfork.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.kfork.smp.CurrentCpu;
import org.openjdk.jmh.infra.Blackhole;

/** Every variant of StackCacheBench and SlabBench does its pair correctly (checked mode is on in tests). */
class AllocBenchTest {
    private static final String BLACKHOLE =
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.";

    @Test
    void everyStackCacheVariantReturnsTheStackItTook() {
        for (StackCacheBench.Variant v : StackCacheBench.Variant.values()) {
            for (boolean memset : new boolean[] {false, true}) {
                StackCacheBench b = new StackCacheBench();
                b.variant = v;
                b.memset = memset;
                b.setup();
                StackCacheBench.CpuState t = new StackCacheBench.CpuState();
                t.bind(b);
                try {
                    for (int i = 0; i < 100; i++) {
                        b.pair(t);
                    }
                    if (b.stacks != null) {
                        assertEquals(1, b.stacks.cachedCount(t.cpu), v + ": the pair leaves the cache as it found it");
                    }
                    if (b.heap != null) {
                        assertEquals(1, b.heap.cachedCount(t.cpu), v + ": the pair leaves the cache as it found it");
                    }
                } finally {
                    t.unbind();
                    b.tearDown();
                }
            }
        }
        assertEquals(-1, CurrentCpu.boundCpu());
    }

    @Test
    void everySlabVariantAllocatesAndFrees() {
        Blackhole bh = new Blackhole(BLACKHOLE);
        for (SlabBench.Variant v : SlabBench.Variant.values()) {
            SlabBench b = new SlabBench();
            b.variant = v;
            b.setup();
            SlabBench.Bound bound = new SlabBench.Bound();
            bound.bind(b);
            try {
                for (int i = 0; i < 1000; i++) {
                    b.allocFree(bound, bh);
                }
                if (v == SlabBench.Variant.OFFHEAP_OWNED) {
                    assertTrue(b.cpus.ownedByCurrentThread(0), "the benchmark thread owns CPU 0");
                }
                if (b.cache != null) {
                    assertEquals(0, b.cache.activeObjects(), v + ": every object came back");
                    assertNotEquals(0, b.cache.info().numSlabs());
                }
            } finally {
                bound.unbind();
                b.tearDown();
            }
        }
    }
}
