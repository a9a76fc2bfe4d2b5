package org.kfork.heap.sched;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * rq->nr_running of each CPU for the heap twin: one counter per CPU, 128 bytes apart (hot
 * per-CPU data), summed for nr_running().
 */
public final class HeapNrRunning {
    /** Longs between two CPUs' counters: 128 bytes. */
    private static final int STRIDE = 16;

    private final AtomicLongArray counts;
    private final int nrCpus;

    /** Zeroed counters for {@code nrCpus} CPUs. */
    public HeapNrRunning(int nrCpus) {
        this.nrCpus = nrCpus;
        this.counts = new AtomicLongArray(nrCpus * STRIDE);
    }

    /** Adds {@code delta} to {@code cpu}'s count. */
    public void add(int cpu, long delta) {
        counts.getAndAdd(cpu * STRIDE, delta);
    }

    /** {@code cpu}'s count. */
    public long get(int cpu) {
        return counts.get(cpu * STRIDE);
    }

    /** Every CPU's count, summed. */
    public long sum() {
        long s = 0;
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            s += counts.get(cpu * STRIDE);
        }
        return s;
    }
}
