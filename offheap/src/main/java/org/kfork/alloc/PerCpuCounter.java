package org.kfork.alloc;

/**
 * A counter kept per CPU and summed on read, like fork.c's {@code process_counts} (summed by
 * nr_processes) and the vmstat NR_KERNEL_STACK_KB: writers add to their own CPU's copy and never
 * share a cache line; readers pay for the sum.
 */
public final class PerCpuCounter implements AutoCloseable {
    private final PerCpu percpu;
    private final int off;

    /** Allocates the counter's per-CPU slot. */
    public PerCpuCounter(PerCpu percpu) {
        this.percpu = percpu;
        this.off = percpu.alloc(Long.BYTES, Long.BYTES);
        if (off < 0) {
            throw new IllegalStateException("per-CPU area full");
        }
    }

    /** __this_cpu_add on {@code cpu}'s copy. */
    public void add(int cpu, long delta) {
        percpu.add(cpu, off, delta);
    }

    /** Increments {@code cpu}'s copy. */
    public void inc(int cpu) {
        percpu.add(cpu, off, 1);
    }

    /** Decrements {@code cpu}'s copy; a copy may go negative, only the sum is meaningful. */
    public void dec(int cpu) {
        percpu.add(cpu, off, -1);
    }

    /** One CPU's copy. */
    public long get(int cpu) {
        return percpu.read(cpu, off);
    }

    /** The sum over all possible CPUs. */
    public long sum() {
        return percpu.sum(off);
    }

    /** Frees the per-CPU slot. */
    @Override
    public void close() {
        percpu.free(off, Long.BYTES);
    }
}
