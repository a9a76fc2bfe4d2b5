package org.kfork.kernel.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.rcu.RcuSeq;
import org.kfork.rcu.RcuStallException;

/**
 * The RCU protocol on both variants, in scenarios a single thread drives (each token names its
 * CPU, so one test thread can play several CPUs and the outcome is exact), plus the blocking calls
 * with real threads. The random histories checked against the rules are in {@link RcuHistoryTest},
 * the multi-threaded stress in {@link RcuStressTest}.
 */
class RcuTest {
    private static final List<Integer> NONE = List.of();

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void callbacksQueuedInACallRunInQueueOrderAtItsExit(RcuVariant v) {
        try (RcuVariant.Instance r = v.create(4)) {
            int t = r.enter(0);
            for (int id = 1; id <= 10; id++) {
                r.queue(id, 0);
            }
            r.queue(11, 1);
            assertEquals(NONE, r.invokedIds(), "nothing runs inside the call");
            assertEquals(11, r.pending());
            r.exit(t);
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), r.invokedIds(),
                "with every CPU quiescent the grace period starts and ends at the exit, and CPU 0's callbacks run there");
            assertEquals(1, r.gps());
            assertEquals(1, r.pending(), "CPU 1's callback waits for a boundary of CPU 1");
            r.exit(r.enter(1));
            assertEquals(11, r.invokedIds().get(10));
            assertEquals(11, r.queued());
            assertEquals(11, r.invokedCount());
            assertEquals(0, r.pending());
            r.validate();
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void aCallbackNeverRunsWhileACpuThatWasInsideHasNotLeft(RcuVariant v) {
        try (RcuVariant.Instance r = v.create(4)) {
            int t1 = r.enter(1);
            int t0 = r.enter(0);
            r.queue(1, 0);
            r.exit(t0);
            assertEquals(1, RcuSeq.state(r.state().gpSeq()), "the exit started a grace period");
            assertEquals(1L << 1, r.state().qsmask(), "which waits for CPU 1 only");
            for (int i = 0; i < 5; i++) {
                r.exit(r.enter(0));
                r.exit(r.enter(2));
            }
            assertEquals(NONE, r.invokedIds(), "CPU 1 is still inside the call it was in");
            // A task that enters after the grace period began does not hold it up.
            int t3 = r.enter(3);
            r.exit(t1);
            assertEquals(1, r.gps());
            assertEquals(NONE, r.invokedIds(), "the grace period is over, but CPU 0 has not crossed a boundary");
            r.exit(r.enter(0));
            assertEquals(List.of(1), r.invokedIds());
            r.exit(t3);
            r.validate();
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void nestedCallsKeepTheirCpuBusyUntilTheLastLeaves(RcuVariant v) {
        try (RcuVariant.Instance r = v.create(2)) {
            int outer = r.enter(1);
            int inner = r.enter(1);
            int t0 = r.enter(0);
            r.queue(1, 0);
            r.exit(t0);
            r.exit(inner);
            r.exit(r.enter(0));
            assertEquals(NONE, r.invokedIds());
            r.exit(outer);
            r.exit(r.enter(0));
            assertEquals(List.of(1), r.invokedIds());
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void aTaskBlockedInsideACallIsQuiescentUntilItRunsAgain(RcuVariant v) {
        try (RcuVariant.Instance r = v.create(2)) {
            int t1 = r.enter(1);
            r.contextSwitch(t1); // wait4 sleeps
            int t0 = r.enter(0);
            r.queue(1, 0);
            r.exit(t0);
            assertEquals(List.of(1), r.invokedIds(), "a blocked task is quiescent");
            t1 = r.resume(1);
            t0 = r.enter(0);
            r.queue(2, 0);
            r.exit(t0);
            r.exit(r.enter(0));
            assertEquals(List.of(1), r.invokedIds(), "once it runs again its CPU is busy");
            r.exit(t1);
            r.exit(r.enter(0));
            assertEquals(List.of(1, 2), r.invokedIds());
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void aSharedCpuIsQuiescentWhenEveryTaskOnItHasLeftOrBlocked(RcuVariant v) {
        try (RcuVariant.Instance r = v.create(2)) {
            int a = r.enter(1);
            int b = r.enter(1);
            r.contextSwitch(a);
            r.exit(r.enter(0));
            int t0 = r.enter(0);
            r.queue(1, 0);
            r.exit(t0);
            r.exit(r.enter(0));
            assertEquals(NONE, r.invokedIds(), "b still runs on CPU 1");
            r.contextSwitch(b);
            r.exit(r.enter(0));
            assertEquals(List.of(1), r.invokedIds());
            r.exit(r.resume(1));
            r.exit(r.resume(1));
            assertEquals(0, r.state().readers(1));
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void readersHoldGracePeriodsInsideAndOutsideCalls(RcuVariant v) {
        try (RcuVariant.Instance r = v.create(3)) {
            int r1 = r.readLock(2); // outside any call
            int r2 = r.readLock(2); // nested
            int t0 = r.enter(0);
            r.queue(1, 0);
            r.exit(t0);
            r.readUnlock(r2);
            r.exit(r.enter(0));
            assertEquals(NONE, r.invokedIds(), "a CPU with a reader inside is not quiescent");
            r.readUnlock(r1);
            assertEquals(1, r.gps(), "rcu_read_unlock reports the quiescent state");
            assertEquals(NONE, r.invokedIds(), "but runs no callbacks");
            r.exit(r.enter(0));
            assertEquals(List.of(1), r.invokedIds());
            int t = r.enter(1);
            int rd = r.readLock(1); // a reader inside a call
            r.exit(t);
            r.queue(2, 0);
            r.exit(r.enter(0));
            assertEquals(List.of(1), r.invokedIds());
            r.readUnlock(rd);
            r.exit(r.enter(0));
            assertEquals(List.of(1, 2), r.invokedIds());
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void callbacksWaitInSegmentsForTheirGracePeriods(RcuVariant v) {
        try (RcuVariant.Instance r = v.create(2)) {
            int t1 = r.enter(1);
            int t0 = r.enter(0);
            r.queue(1, 0);
            r.exit(t0);                 // grace period 1 starts, waits for CPU 1
            t0 = r.enter(0);
            r.queue(2, 0);
            r.exit(t0);                 // 2 needs grace period 2 (1 began before it was queued)
            r.queue(3, 0);              // outside a call: no grace period assigned yet
            assertEquals(List.of(NONE, List.of(1), List.of(2), List.of(3)), r.segments(0));
            r.validate();
            r.exit(t1);                 // ends 1; 2 starts, finds every CPU quiescent and ends
            assertEquals(2, r.gps());
            assertEquals(List.of(NONE, List.of(1), List.of(2), List.of(3)), r.segments(0),
                "segments move at CPU 0's boundaries only");
            r.exit(r.enter(0));
            assertEquals(List.of(1, 2, 3), r.invokedIds());
            assertEquals(3, r.gps(), "3 got grace period 3, which ended at once");
            assertEquals(List.of(NONE, NONE, NONE, NONE), r.segments(0));
            r.validate();
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void rcuBarrierDrainsEveryCpuWhileATaskIsBlockedInACall(RcuVariant v) throws Exception {
        try (RcuVariant.Instance r = v.create(3)) {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch wake = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    int t = r.enter(1);
                    r.contextSwitch(t); // e.g. a vfork parent waiting for its child
                    blocked.countDown();
                    wake.await();
                    r.exit(r.resume(1));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            waiter.start();
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
            for (int id = 0; id < 30; id++) {
                r.queue(id, id % 3);
            }
            r.barrier();
            assertEquals(30, r.invokedIds().size());
            assertEquals(0, r.pending());
            wake.countDown();
            waiter.join(10_000);
            assertEquals(null, failure.get());
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void rcuBarrierWaitsForATaskInsideACall(RcuVariant v) throws Exception {
        try (RcuVariant.Instance r = v.create(2)) {
            int t1 = r.enter(1);
            r.queue(1, 0);
            r.queue(2, 1);
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread b = new Thread(() -> {
                try {
                    r.barrier();
                    done.set(true);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            b.start();
            b.join(200);
            assertFalse(done.get(), "CPU 1 is inside a call");
            assertEquals(NONE, r.invokedIds());
            r.exit(t1);
            b.join(10_000);
            assertEquals(null, failure.get());
            assertTrue(done.get());
            assertEquals(List.of(1, 2), r.invokedIds().stream().sorted().toList());
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void synchronizeRcuInsideACallWaitsForOthersButNotForItself(RcuVariant v) throws Exception {
        try (RcuVariant.Instance r = v.create(2)) {
            long before = r.gps();
            r.synchronize(); // nobody inside: returns at once, one grace period later
            assertEquals(before + 1, r.gps());
            int other = r.enter(1);
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread s = new Thread(() -> {
                try {
                    int t = r.enter(0);
                    t = r.synchronize(t);
                    done.set(true);
                    r.exit(t);
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            s.start();
            s.join(200);
            assertFalse(done.get(), "CPU 1 has not left");
            r.exit(other);
            s.join(10_000);
            assertEquals(null, failure.get());
            assertTrue(done.get());
            assertEquals(0, r.state().readers(0));
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void aStallNamesTheCpuThatNeverLeaves(RcuVariant v) {
        try (RcuVariant.Instance r = v.create(4)) {
            r.setStallTimeoutMillis(150);
            int t = r.enter(3);
            RcuStallException e = assertThrows(RcuStallException.class, r::synchronize);
            assertTrue(e.getMessage().contains("stalls on CPUs/tasks: { 3 }"), e.getMessage());
            assertTrue(e.getMessage().contains("CPU 3: 1 inside"), e.getMessage());
            r.queue(1, 0);
            e = assertThrows(RcuStallException.class, r::barrier);
            assertTrue(e.getMessage().contains("rcu_barrier"), e.getMessage());
            r.exit(t);
            r.barrier();
            assertEquals(List.of(1), r.invokedIds());
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void anUnbalancedExitThrowsAndLeavesTheCountsAsTheyWere(RcuVariant v) {
        try (RcuVariant.Instance r = v.create(2)) {
            int t = r.enter(0);
            r.exit(t);
            assertThrows(IllegalStateException.class, () -> r.exit(t));
            assertEquals(0, r.state().readers(0));
            assertThrows(IllegalArgumentException.class, () -> r.exit(63 << 1));
            assertThrows(IllegalArgumentException.class, () -> r.enter(2));
            // still works
            int t1 = r.enter(1);
            r.queue(2, 0);
            r.exit(r.enter(0));
            assertEquals(NONE, r.invokedIds());
            r.exit(t1);
            r.exit(r.enter(0));
            assertEquals(List.of(2), r.invokedIds());
        }
    }
}
