package org.kfork.smp;

/**
 * A Java thread pinned to one modeled CPU for its whole life, like a per-CPU kernel thread
 * (kthread_create_on_cpu). Its CPU is a final field, so {@link CurrentCpu#current(int)} reads it
 * with one type check and one load: the cheapest way a Java thread can say where it runs.
 */
public class CpuThread extends Thread {
    private final int cpu;

    /**
     * Creates a thread pinned to {@code cpu}.
     *
     * @param cpu  the modeled CPU, 0 to {@link CurrentCpu#MAX_CPUS} - 1
     * @param task what the thread runs
     * @param name the thread's name
     */
    public CpuThread(int cpu, Runnable task, String name) {
        super(task, name);
        this.cpu = CurrentCpu.checkCpu(cpu);
    }

    /** The modeled CPU this thread is pinned to. */
    public final int cpu() {
        return cpu;
    }
}
