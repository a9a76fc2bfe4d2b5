package org.kfork.heap.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class HeapStackCacheTest {
    @Test
    void reusesCachedStacksZeroedAndDropsTheThird() {
        HeapStackCache cache = new HeapStackCache(2, true);
        byte[] a = cache.allocStack(0);
        byte[] b = cache.allocStack(0);
        byte[] c = cache.allocStack(0);
        a[100] = 7;
        assertTrue(cache.freeStack(0, a));
        assertTrue(cache.freeStack(0, b));
        assertFalse(cache.freeStack(0, c), "both slots full: the third goes to the GC");
        assertEquals(2, cache.cachedCount(0));
        assertEquals(0, cache.cachedCount(1));
        byte[] again = cache.allocStack(0);
        assertSame(a, again, "slot 0 is taken first");
        assertEquals(0, again[100], "a reused stack is zeroed");
        assertNotSame(b, cache.allocStack(1), "CPU 1 does not see CPU 0's stacks");
        assertEquals(1, cache.freeCpuCache(0));
        assertEquals(0, cache.cachedCount(0));
    }

    @Test
    void withoutZeroingTheContentSurvives() {
        HeapStackCache cache = new HeapStackCache(1, false);
        byte[] a = cache.allocStack(0);
        a[5] = 9;
        cache.freeStack(0, a);
        assertEquals(9, cache.allocStack(0)[5]);
    }

    /** Threads sharing CPUs: no stack is ever held by two threads, and at most 2 stay cached. */
    @Test
    void stressNoStackHandedOutTwice() throws Exception {
        int nrCpus = 2;
        int threads = 4;
        int rounds = 20_000;
        HeapStackCache cache = new HeapStackCache(nrCpus, false);
        Map<byte[], Thread> owners = Collections.synchronizedMap(new IdentityHashMap<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int cpu = t % nrCpus;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        byte[] s = cache.allocStack(cpu);
                        if (owners.put(s, Thread.currentThread()) != null) {
                            throw new AssertionError("stack handed out twice");
                        }
                        owners.remove(s);
                        cache.freeStack(cpu, s);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        assertTrue(errors.isEmpty(), errors.toString());
        for (int c = 0; c < nrCpus; c++) {
            assertTrue(cache.cachedCount(c) <= HeapStackCache.NR_CACHED_STACKS);
            assertTrue(cache.cachedCount(c) >= 1, "the last free on each CPU leaves a stack cached");
        }
    }
}
