package org.kfork.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.testing.HeapLeakCheck;
import org.kfork.testing.LeakCheck;

/**
 * ForkBench's methods called directly, on both kernels (checked mode is on in tests): each makes
 * a batch of live children or threads, and the untimed half brings every counter of the machine
 * (the off-heap machine's pages and caches, the heap twin's live objects) back to where it was.
 */
class ForkBenchTest {
    private static ForkBench boot(ForkBench.Variant v) {
        ForkBench b = new ForkBench();
        b.variant = v;
        b.boot();
        return b;
    }

    /** The kernel's counters once nothing waits for a grace period. */
    private static Supplier<Map<String, Long>> counts(ForkBench b) {
        if (b.k instanceof OffHeapForkKernel o) {
            return () -> LeakCheck.quiescedSnapshot(o.machine);
        }
        HeapForkKernel h = (HeapForkKernel) b.k;
        return () -> HeapLeakCheck.quiescedCounts(h.g);
    }

    private static void assertSame(Map<String, Long> before, Map<String, Long> after, ForkBench b) {
        if (b.k instanceof OffHeapForkKernel) {
            LeakCheck.assertNoLeak(before, after);
        } else {
            HeapLeakCheck.assertNoLeak(before, after);
        }
    }

    @ParameterizedTest
    @EnumSource(ForkBench.Variant.class)
    void forkMakesABatchOfChildrenAndTheTeardownGivesEverythingBack(ForkBench.Variant v) {
        ForkBench b = boot(v);
        try {
            ForkBench.Process p = new ForkBench.Process();
            p.n = 100;
            p.map(b);
            assertEquals(100, b.k.initMapCount());
            Supplier<Map<String, Long>> counts = counts(b);
            int threads = b.k.nrThreads();
            Map<String, Long> before = counts.get();
            for (int round = 0; round < 3; round++) {
                b.fork(p, new ForkBench.Made());
                assertEquals(threads + ForkBench.BATCH, b.k.nrThreads(), "a live child per fork");
                for (int i = 1; i < ForkBench.BATCH; i++) {
                    assertTrue(b.pids[i] > 1 && b.pids[i] != b.pids[i - 1], "each fork returns a new pid");
                }
                new ForkBench.Made().takeDown(b);
                assertEquals(threads, b.k.nrThreads());
                assertSame(before, counts.get(), b);
            }
        } finally {
            b.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(ForkBench.Variant.class)
    void threadWritesEachThreadsIdAndTheTeardownGivesEverythingBack(ForkBench.Variant v) {
        ForkBench b = boot(v);
        try {
            ForkBench.ThreadArea a = new ForkBench.ThreadArea();
            a.map(b);
            Supplier<Map<String, Long>> counts = counts(b);
            int threads = b.k.nrThreads();
            b.thread(a, new ForkBench.Made()); // the first round faults the page in
            new ForkBench.Made().takeDown(b);
            Map<String, Long> before = counts.get();
            for (int round = 0; round < 3; round++) {
                b.thread(a, new ForkBench.Made());
                assertEquals(threads + ForkBench.BATCH, b.k.nrThreads());
                for (int i = 0; i < ForkBench.BATCH; i++) {
                    assertEquals(b.pids[i], b.k.readUserInt(a.tid(i)), "CLONE_PARENT_SETTID wrote thread " + i + "'s id");
                }
                new ForkBench.Made().takeDown(b);
                assertEquals(threads, b.k.nrThreads());
                assertSame(before, counts.get(), b);
            }
        } finally {
            b.shutdown();
        }
    }
}
