package org.kfork.kernel.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real threads on distinct and on shared CPUs enter and leave system calls (nested sometimes),
 * block inside them, hold readers inside and outside calls, call synchronize_rcu inside calls, and
 * queue callbacks, while another thread runs rcu_barrier and synchronize_rcu from outside. Checked:
 * <ul>
 *   <li>never before the grace period: each thread has a sequence number that is odd while it is
 *       inside (a call segment or a reader), bumped inside the RCU-counted window; each callback
 *       records, before call_rcu, the odd numbers it must see gone, and checks them when it
 *       runs;</li>
 *   <li>exactly once: a count per callback (off-heap, a second run would also free the object twice,
 *       which checked mode reports);</li>
 *   <li>a thread's callbacks, all queued on its CPU, run in the order it queued them;</li>
 *   <li>at the end, after draining, queued = invoked = every id, nothing pending, lists valid, and
 *       (off-heap) the leak check passes.</li>
 * </ul>
 */
class RcuStressTest {
    /** CPU of each worker: 0 and 2 shared by two workers, 1 and 3 alone. */
    private static final int[] CPU_OF = {0, 0, 1, 2, 2, 3};
    private static final int ITERATIONS = 1500;
    private static final int MAX_IDS = CPU_OF.length * ITERATIONS * 4;

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void threadsOnDistinctAndSharedCpusNeverSeeACallbackBeforeItsGracePeriod(RcuVariant v) throws Exception {
        final int workers = CPU_OF.length;
        try (RcuVariant.Instance r = v.create(4)) {
            // seq[2w]: worker w's call segments; seq[2w + 1]: its readers outside calls
            AtomicLongArray seq = new AtomicLongArray(2 * workers);
            AtomicReferenceArray<long[]> mustSeeGone = new AtomicReferenceArray<>(MAX_IDS);
            AtomicIntegerArray runs = new AtomicIntegerArray(MAX_IDS);
            AtomicIntegerArray lastRunOfWorker = new AtomicIntegerArray(workers);
            AtomicInteger ids = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int w = 0; w < workers; w++) {
                lastRunOfWorker.set(w, -1);
            }
            r.onInvoke = id -> {
                if (runs.incrementAndGet(id) != 1) {
                    failure.compareAndSet(null, new AssertionError("callback " + id + " ran twice"));
                }
                long[] snap = mustSeeGone.get(id);
                for (int k = 0; k < snap.length; k++) {
                    if ((snap[k] & 1) != 0 && seq.get(k) == snap[k]) {
                        failure.compareAndSet(null, new AssertionError("callback " + id + " ran while "
                            + (k % 2 == 0 ? "the call" : "the reader") + " of worker " + k / 2
                            + " that was inside when it was queued is still inside"));
                    }
                }
                // ids encode (worker, its own count): worker = id % workers
                int w = id % workers;
                int nth = id / workers;
                int prev = lastRunOfWorker.getAndSet(w, nth);
                if (prev >= nth) {
                    failure.compareAndSet(null, new AssertionError("worker " + w + "'s callback " + nth
                        + " ran after its callback " + prev));
                }
            };
            CyclicBarrier start = new CyclicBarrier(workers + 1);
            List<Thread> threads = new ArrayList<>();
            AtomicInteger finished = new AtomicInteger();
            for (int w = 0; w < workers; w++) {
                final int me = w;
                final int cpu = CPU_OF[w];
                threads.add(new Thread(() -> {
                    SplittableRandom rnd = new SplittableRandom(1000 + me);
                    int nth = 0;
                    try {
                        start.await();
                        for (int it = 0; it < ITERATIONS && failure.get() == null; it++) {
                            int t = r.enter(cpu);
                            seq.incrementAndGet(2 * me); // odd: inside a call segment
                            int nested = rnd.nextInt(4) == 0 ? r.enter(cpu) : -1;
                            for (int q = rnd.nextInt(3); q > 0; q--) {
                                queue(r, seq, mustSeeGone, workers * nth++ + me, cpu);
                            }
                            if (nested >= 0) {
                                r.exit(nested);
                            }
                            int k = rnd.nextInt(16);
                            if (k == 0) {
                                seq.incrementAndGet(2 * me); // even: blocked
                                r.contextSwitch(t);
                                Thread.yield();
                                t = r.resume(cpu);
                                seq.incrementAndGet(2 * me);
                            } else if (k == 1) {
                                seq.incrementAndGet(2 * me);
                                t = r.synchronize(t);
                                seq.incrementAndGet(2 * me);
                            } else if (k == 2) {
                                int rd = r.readLock(cpu);
                                queue(r, seq, mustSeeGone, workers * nth++ + me, cpu);
                                r.readUnlock(rd);
                            }
                            seq.incrementAndGet(2 * me); // even: leaving
                            r.exit(t);
                            if (rnd.nextInt(4) == 0) {
                                int rd = r.readLock(cpu);
                                seq.incrementAndGet(2 * me + 1);
                                if (rnd.nextBoolean()) {
                                    queue(r, seq, mustSeeGone, workers * nth++ + me, cpu);
                                }
                                seq.incrementAndGet(2 * me + 1);
                                r.readUnlock(rd);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        ids.addAndGet(nth);
                        finished.incrementAndGet();
                    }
                }, "rcu-stress-" + w));
            }
            Thread outsider = new Thread(() -> {
                try {
                    start.await();
                    while (finished.get() < workers && failure.get() == null) {
                        r.barrier();
                        r.synchronize();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "rcu-stress-barrier");
            threads.forEach(Thread::start);
            outsider.start();
            for (Thread t : threads) {
                t.join(120_000);
            }
            outsider.join(120_000);
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            r.barrier();
            r.api.quiesce();
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            int total = 0;
            for (int id = 0; id < MAX_IDS; id++) {
                if (mustSeeGone.get(id) != null) {
                    total++;
                    assertEquals(1, runs.get(id), "callback " + id);
                } else {
                    assertEquals(0, runs.get(id), "callback " + id + " was never queued");
                }
            }
            assertEquals(ids.get(), total);
            assertTrue(total > CPU_OF.length * ITERATIONS / 2, "queued " + total);
            assertEquals(total, r.queued());
            assertEquals(total, r.invokedCount());
            assertEquals(0, r.pending());
            assertTrue(r.gps() > 10, "grace periods " + r.gps());
            r.validate();
            for (int cpu = 0; cpu < 4; cpu++) {
                assertEquals(0, r.state().readers(cpu));
            }
        }
    }

    /** Snapshots who is inside, then queues callback {@code id} on {@code cpu}. */
    private static void queue(RcuVariant.Instance r, AtomicLongArray seq, AtomicReferenceArray<long[]> mustSeeGone,
            int id, int cpu) {
        long[] snap = new long[seq.length()];
        for (int k = 0; k < snap.length; k++) {
            snap[k] = seq.get(k);
        }
        mustSeeGone.set(id, snap);
        r.queue(id, cpu);
    }
}
