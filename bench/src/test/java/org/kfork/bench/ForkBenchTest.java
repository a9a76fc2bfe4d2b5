package org.kfork.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.testing.HeapLeakCheck;
import org.kfork.testing.LeakCheck;
import org.kfork.uapi.Errno;

/**
 * ForkBench's methods called directly, on both kernels (checked mode is on in tests): each makes
 * a batch of live children or threads, and the untimed half brings every counter of the machine
 * (the off-heap machine's pages and caches, the heap twin's live objects) back to where it was.
 */
@Timeout(300)
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
    void forkAndForkExitMakeAndReapABatchOfChildrenAndGiveEverythingBack(ForkBench.Variant v) {
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
                ForkBench.Forked f = new ForkBench.Forked();
                b.fork(p, f);
                assertEquals(threads + ForkBench.BATCH, b.k.nrThreads(), "a live child per fork");
                for (int i = 1; i < ForkBench.BATCH; i++) {
                    assertTrue(b.pids[i] > 1 && b.pids[i] != b.pids[i - 1], "each fork returns a new pid");
                }
                f.reap(b);
                assertEquals(threads, b.k.nrThreads());
                assertEquals(-Errno.ECHILD, b.k.wait4(-1), "every child was reaped");
                assertSame(before, counts.get(), b);

                ForkBench.Children c = new ForkBench.Children();
                c.fork(b);
                assertEquals(threads + ForkBench.BATCH, b.k.nrThreads());
                b.forkExit(p, c);
                c.quiesce(b);
                assertEquals(threads, b.k.nrThreads());
                assertEquals(-Errno.ECHILD, b.k.wait4(-1));
                assertSame(before, counts.get(), b);
            }
        } finally {
            b.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(ForkBench.Variant.class)
    void threadAndThreadExitWriteAndClearEachThreadsIdAndGiveEverythingBack(ForkBench.Variant v) {
        ForkBench b = boot(v);
        try {
            ForkBench.ThreadArea a = new ForkBench.ThreadArea();
            a.map(b);
            Supplier<Map<String, Long>> counts = counts(b);
            int threads = b.k.nrThreads();
            ForkBench.Made m = new ForkBench.Made();
            b.thread(a, m); // the first round faults the page in
            m.exit(b);
            Map<String, Long> before = counts.get();
            for (int round = 0; round < 3; round++) {
                b.thread(a, m);
                assertEquals(threads + ForkBench.BATCH, b.k.nrThreads());
                for (int i = 0; i < ForkBench.BATCH; i++) {
                    assertEquals(b.pids[i], b.k.readUserInt(a.tid(i)), "CLONE_PARENT_SETTID wrote thread " + i + "'s id");
                }
                m.exit(b);
                assertEquals(threads, b.k.nrThreads(), "a thread is reaped as it exits");
                assertSame(before, counts.get(), b);

                ForkBench.Threads t = new ForkBench.Threads();
                t.make(b, a);
                assertEquals(threads + ForkBench.BATCH, b.k.nrThreads());
                b.threadExit(a, t);
                t.quiesce(b);
                assertEquals(threads, b.k.nrThreads());
                for (int i = 0; i < ForkBench.BATCH; i++) {
                    assertEquals(0, b.k.readUserInt(a.tid(i)), "CLONE_CHILD_CLEARTID cleared thread " + i + "'s id");
                }
                assertEquals(-Errno.ECHILD, b.k.wait4(-1), "no zombie: threads autoreap");
                assertSame(before, counts.get(), b);
            }
        } finally {
            b.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(ForkBench.Variant.class)
    void vforkWaitsForTheChildsExitOnItsOwnThreadAndReapsIt(ForkBench.Variant v) throws InterruptedException {
        ForkBench b = boot(v);
        ForkBench.VforkChild c = new ForkBench.VforkChild();
        c.start(b);
        try {
            Supplier<Map<String, Long>> counts = counts(b);
            int threads = b.k.nrThreads();
            ForkBench.Vforked f = new ForkBench.Vforked();
            b.vfork(c, f); // warm: the caches and the stack cache in place
            f.quiesce(b, c);
            Map<String, Long> before = counts.get();
            for (int round = 1; round <= 3; round++) {
                b.vfork(c, f);
                f.quiesce(b, c);
                assertEquals(ForkBench.BATCH * (round + 1), c.exited, "each vfork's child exited on its own thread");
                assertEquals(threads, b.k.nrThreads());
                assertEquals(-Errno.ECHILD, b.k.wait4(-1));
                assertSame(before, counts.get(), b);
            }
        } finally {
            c.stop();
            b.shutdown();
        }
    }

    /**
     * The measured halves of the off-heap methods allocate nothing on the Java heap once warm
     * (the untimed halves may: they are not the kernel's calls). vfork's parent and child hand
     * over through the kernel's own sleep and a park, so only fork, clone, exit and wait4 are
     * counted here.
     */
    @org.junit.jupiter.api.Test
    void theOffHeapForkExitAndThreadPathsAllocateNothingOnTheJavaHeap() {
        ForkBench b = boot(ForkBench.Variant.OFFHEAP);
        try {
            ForkBench.Process p = new ForkBench.Process();
            p.n = 10;
            p.map(b);
            ForkBench.ThreadArea a = new ForkBench.ThreadArea();
            a.map(b);
            com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            // Warm-up rounds, then blocks of rounds: a block's bytes are the sum over its rounds;
            // the least block counts, so that a one-off (a new slab's bookkeeping, a deoptimisation,
            // seen now and then in checked mode) does not hide in it, while an allocation per call
            // shows in every block.
            // Counted in calls, not rounds: checked mode's quarantine (1/32 of RAM) must fill and
            // start handing slabs back before the blocks begin, or every new slab's descriptor
            // counts; 9600 calls fill it whatever the batch.
            int warmup = 9600 / ForkBench.BATCH;
            int blocks = 4;
            int rounds = 3200 / ForkBench.BATCH;
            long[] least = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
            long[] bytes = new long[4];
            for (int round = 0; round < warmup + blocks * rounds; round++) {
                long t0 = mx.getThreadAllocatedBytes(tid);
                b.forkBatch();
                long t1 = mx.getThreadAllocatedBytes(tid);
                b.trackBatch();
                long t2 = mx.getThreadAllocatedBytes(tid);
                b.reapBatch();
                long t3 = mx.getThreadAllocatedBytes(tid);
                b.k.quiesce();
                long t4 = mx.getThreadAllocatedBytes(tid);
                b.threadBatch(a);
                long t5 = mx.getThreadAllocatedBytes(tid);
                b.trackBatch();
                long t6 = mx.getThreadAllocatedBytes(tid);
                b.exitThreads();
                long t7 = mx.getThreadAllocatedBytes(tid);
                b.k.quiesce();
                if (round >= warmup) {
                    bytes[0] += t1 - t0;
                    bytes[1] += t3 - t2;
                    bytes[2] += t5 - t4;
                    bytes[3] += t7 - t6;
                    if ((round - warmup) % rounds == rounds - 1) {
                        for (int i = 0; i < bytes.length; i++) {
                            least[i] = Math.min(least[i], bytes[i]);
                            bytes[i] = 0;
                        }
                    }
                }
            }
            long calls = (long) rounds * ForkBench.BATCH;
            System.out.printf("ForkBench OFFHEAP, bytes on the Java heap in %d calls (the least of %d blocks): fork %d,"
                + " exit+wait4 %d, thread %d, thread exit %d%n", calls, blocks, least[0], least[1], least[2], least[3]);
            // Any allocation per call would be >= 16 bytes x calls: the bound is half an object per
            // call.
            String[] what = {"fork", "exit + wait4", "clone(THREAD_FLAGS)", "a thread's exit"};
            for (int i = 0; i < least.length; i++) {
                assertTrue(least[i] < 8 * calls, what[i] + " allocated " + least[i] + " bytes in " + calls + " calls");
            }
        } finally {
            b.shutdown();
        }
    }
}
