package org.kfork.kernel.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.uapi.CloneFlags.CLONE_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_VM;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.smp.CurrentCpu;
import org.kfork.uapi.Signals;

/**
 * Several Java threads in the signal code at once, on both kernels: senders queue real-time
 * signals to one thread group while another thread discards them with sigaction(SIG_IGN) and
 * flush_signals, and another changes the group's handlers. The siglock serializes them: at the
 * end every sigqueue ever queued was freed exactly once, the user's sigpending count is back to
 * 0, and nothing leaks (the world's close checks).
 */
class SignalStressTest {
    static final int SENDERS = 3;
    static final int ROUNDS = 400;

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void concurrentSendersFlushersAndSigactionsKeepTheQueuesConsistent(SignalVariant v) throws Exception {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int target = w.fork(init, 0);
            int t1 = w.fork(target, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD);
            w.setBlocked(target, -1L); // nothing is fatal while blocked: the signals stay queued
            w.setBlocked(t1, -1L);
            List<Integer> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                senders.add(w.fork(init, 0));
            }
            CyclicBarrier start = new CyclicBarrier(SENDERS + 2);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger sent = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                final int me = senders.get(i);
                final int cpu = i % 2;
                threads.add(new Thread(() -> run(failure, start, cpu, () -> {
                    for (int r = 0; r < ROUNDS; r++) {
                        int sig = Signals.SIGRTMIN + (r % 8);
                        assertEquals(0, w.kill(me, w.nr(target), sig));
                        sent.incrementAndGet();
                    }
                })));
            }
            threads.add(new Thread(() -> run(failure, start, 0, () -> {
                for (int r = 0; r < ROUNDS; r++) {
                    if (r % 3 == 0) {
                        w.flushSignals(target);
                    } else {
                        int sig = Signals.SIGRTMIN + (r % 8);
                        assertEquals(0, w.sigaction(target, sig, Signals.SIG_IGN, 0, 0));
                        assertEquals(0, w.sigaction(t1, sig, 0x401000L, 0, 0));
                    }
                }
            })));
            threads.add(new Thread(() -> run(failure, start, 1, () -> {
                for (int r = 0; r < ROUNDS; r++) {
                    w.calculateSigpending(t1);
                }
            })));
            for (Thread t : threads) {
                t.start();
            }
            for (Thread t : threads) {
                t.join(120_000);
                assertTrue(!t.isAlive(), "a thread is stuck");
            }
            if (failure.get() != null) {
                throw new AssertionError("a thread failed", failure.get());
            }
            assertEquals(SENDERS * ROUNDS, sent.get());
            long queued = w.queued(target, true).size();
            assertEquals(queued, w.objects("sigqueue"), "every sigqueue is on the group's queue or freed");
            assertEquals(queued, w.userCounts(0)[1], "the user is charged for exactly those");
            w.flushSignals(target);
            assertEquals(0, w.objects("sigqueue"));
            assertEquals(0, w.userCounts(0)[1]);
        }
    }

    private static void run(AtomicReference<Throwable> failure, CyclicBarrier start, int cpu, Runnable body) {
        try {
            CurrentCpu.bind(cpu);
            start.await();
            body.run();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }
}
