package org.kfork.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import org.kfork.smp.CpuThread;

/**
 * Real threads on modeled CPUs for the stress tests of lock-free per-CPU paths: thread {@code t}
 * runs pinned to CPU {@code t % cpus} (more threads than CPUs makes threads share a CPU), all start
 * together, and the first failure is rethrown with the seed of the random sources.
 */
public final class CpuStress {
    /** What each thread runs. */
    public interface Body {
        /** The body of thread {@code thread}, pinned to {@code cpu}, with its own seeded source. */
        void run(int thread, int cpu, Random rnd) throws Exception;
    }

    private CpuStress() {
    }

    /** Runs {@code body} on {@code threads} threads over {@code cpus} CPUs and waits for all of them. */
    public static void run(int threads, int cpus, Body body) throws InterruptedException {
        long seed = System.nanoTime();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int id = t;
            final int cpu = t % cpus;
            Thread th = new CpuThread(cpu, () -> {
                try {
                    start.await();
                    body.run(id, cpu, new Random(seed + id));
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "stress-" + t);
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("seed " + seed + ": " + errors.get(0), errors.get(0));
        }
    }
}
