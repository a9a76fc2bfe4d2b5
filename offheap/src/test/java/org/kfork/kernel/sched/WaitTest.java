package org.kfork.kernel.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.kernel.fork.TaskCoreVariant;
import org.kfork.uapi.Errno;

/**
 * sched.Wait on both kernels, with real threads: a sleeper is woken when its condition holds and
 * not before, a killable sleeper returns on a fatal signal, completions count, no wake-up is lost
 * under stress, and a sleeper does not hold up an RCU grace period.
 */
class WaitTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** A task to act as {@code current} (forked from init_task; given back by {@link #drop}). */
    private static Object task(TaskCoreVariant v) {
        Object t = v.dup(v.initTask());
        v.initTaskTidsAndPi(t, 0, 0);
        v.initTaskState(v.initTask(), t);
        return t;
    }

    private static void drop(TaskCoreVariant v, Object t) {
        v.delayacctTskFree(t);
        v.abandon(t);
    }

    private static Thread start(Runnable r) {
        Thread t = new Thread(r, "sleeper");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t) throws InterruptedException {
        t.join(LIMIT.toMillis());
        assertFalse(t.isAlive(), "the sleeper is still asleep");
    }

    /** Waits until {@code t} is parked (WAITING), so that a wake-up finds it asleep. */
    private static void awaitParked(Thread t) throws InterruptedException {
        for (int i = 0; i < 10_000 && t.getState() != Thread.State.WAITING; i++) {
            Thread.sleep(1);
        }
        assertEquals(Thread.State.WAITING, t.getState());
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void aSleeperWakesWhenItsConditionHoldsAndNotBefore(TaskCoreVariant.Kind kind) throws Exception {
        try (TaskCoreVariant v = kind.make()) {
            AtomicBoolean flag = new AtomicBoolean();
            AtomicBoolean woke = new AtomicBoolean();
            Thread s = start(() -> {
                v.waitEvent(flag::get);
                woke.set(true);
            });
            awaitParked(s);
            v.wakeUpAll(); // the condition is still false: it sleeps again
            Thread.sleep(20);
            awaitParked(s);
            assertFalse(woke.get());
            flag.set(true);
            v.wakeUpAll();
            join(s);
            assertTrue(woke.get());
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void aKillableSleeperReturnsOnAFatalSignal(TaskCoreVariant.Kind kind) throws Exception {
        try (TaskCoreVariant v = kind.make()) {
            Object cur = task(v);
            AtomicInteger ret = new AtomicInteger(1);
            Thread s = start(() -> ret.set(v.waitEventKillable(cur, () -> false)));
            awaitParked(s);
            v.sendFatalSignal(cur);
            join(s);
            assertEquals(-Errno.ERESTARTSYS, ret.get());
            // the condition wins over a pending fatal signal
            assertEquals(0, v.waitEventKillable(cur, () -> true));
            drop(v, cur);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void completionsCountAndAreConsumedOnce(TaskCoreVariant.Kind kind) throws Exception {
        try (TaskCoreVariant v = kind.make()) {
            Object cur = task(v);
            Object x = v.newCompletion();
            assertEquals(0, v.done(x));
            v.complete(x);
            v.complete(x);
            assertEquals(2, v.done(x));
            assertEquals(0, v.waitForCompletionKillable(cur, x), "done already: no sleep");
            assertEquals(0, v.waitForCompletionKillable(cur, x));
            assertEquals(0, v.done(x));
            AtomicInteger ret = new AtomicInteger(1);
            Thread s = start(() -> ret.set(v.waitForCompletionKillable(cur, x)));
            awaitParked(s);
            v.complete(x);
            join(s);
            assertEquals(0, ret.get());
            assertEquals(0, v.done(x), "consumed");
            drop(v, cur);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void aFatalSignalEndsAVforkWaitAndLeavesTheCompletionForLater(TaskCoreVariant.Kind kind) throws Exception {
        try (TaskCoreVariant v = kind.make()) {
            Object parent = task(v);
            Object vforkDone = v.newCompletion();
            AtomicInteger ret = new AtomicInteger(1);
            Thread s = start(() -> ret.set(v.waitForCompletionKillable(parent, vforkDone)));
            awaitParked(s);
            v.sendFatalSignal(parent);
            join(s);
            assertEquals(-Errno.ERESTARTSYS, ret.get());
            v.complete(vforkDone); // the child's exec or exit, later
            assertEquals(1, v.done(vforkDone), "nobody consumed it");
            drop(v, parent);
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void noWakeUpIsLostUnderStress(TaskCoreVariant.Kind kind) {
        try (TaskCoreVariant v = kind.make()) {
            assertTimeoutPreemptively(LIMIT, () -> {
                final int rounds = 3000;
                final int sleepers = 4;
                AtomicInteger counter = new AtomicInteger();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Thread> ts = new ArrayList<>();
                for (int k = 0; k < sleepers; k++) {
                    final int me = k;
                    ts.add(start(() -> {
                        try {
                            for (int i = me % 2; i <= rounds; i += 2) {
                                final int want = i;
                                v.waitEvent(() -> counter.get() >= want);
                                if (counter.get() < want) {
                                    throw new AssertionError("woke before its condition held");
                                }
                            }
                        } catch (Throwable e) {
                            failure.set(e);
                        }
                    }));
                }
                for (int i = 1; i <= rounds; i++) {
                    counter.incrementAndGet();
                    v.wakeUpAll();
                    if ((i & 63) == 0) {
                        Thread.yield();
                    }
                }
                for (Thread t : ts) {
                    join(t);
                }
                if (failure.get() != null) {
                    throw new AssertionError(failure.get());
                }
            });
            // a ping-pong through two completions: each side sleeps on the other's
            assertTimeoutPreemptively(LIMIT, () -> {
                Object a = task(v);
                Object b = task(v);
                Object ping = v.newCompletion();
                Object pong = v.newCompletion();
                final int n = 2000;
                Thread s = start(() -> {
                    for (int i = 0; i < n; i++) {
                        v.waitForCompletionKillable(b, ping);
                        v.complete(pong);
                    }
                });
                for (int i = 0; i < n; i++) {
                    v.complete(ping);
                    assertEquals(0, v.waitForCompletionKillable(a, pong));
                }
                join(s);
                assertEquals(0, v.done(ping));
                assertEquals(0, v.done(pong));
                drop(v, a);
                drop(v, b);
            });
        }
    }

    @ParameterizedTest
    @EnumSource(TaskCoreVariant.Kind.class)
    void aSleeperInsideASystemCallDoesNotHoldUpAGracePeriod(TaskCoreVariant.Kind kind) throws Exception {
        try (TaskCoreVariant v = kind.make()) {
            AtomicBoolean flag = new AtomicBoolean();
            AtomicInteger tokens = new AtomicInteger(-2);
            Thread s = start(() -> {
                int token = v.rcuEnter(1); // inside a call on CPU 1
                token = v.waitEvent(token, flag::get); // quiescent while asleep
                tokens.set(token);
                v.rcuExit(token);
            });
            awaitParked(s);
            assertTimeoutPreemptively(Duration.ofSeconds(10), v::synchronizeRcu,
                "synchronize_rcu waited for a sleeping task");
            flag.set(true);
            v.wakeUpAll();
            join(s);
            assertEquals(1, org.kfork.rcu.RcuState.tokenCpu(tokens.get()), "counted back in on its CPU");
        }
    }
}
