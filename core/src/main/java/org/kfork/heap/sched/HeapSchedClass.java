package org.kfork.heap.sched;

/**
 * The heap twin of the five {@code struct sched_class} descriptors of 5.12 (kernel/sched/sched.h):
 * constant tables, so one enum constant each, declared in the order the kernel's linker script
 * places them (lowest class first: idle, fair, rt, dl, stop), so that {@link #compareTo} orders
 * them as comparing their addresses does in C (sched_class_above). The off-heap kernel keeps the
 * same five descriptors in its kernel image, in the same order (SchedCore).
 */
public enum HeapSchedClass {
    /** idle_sched_class: the per-CPU idle tasks. */
    IDLE("idle_sched_class"),
    /** fair_sched_class: SCHED_NORMAL, SCHED_BATCH, SCHED_IDLE. */
    FAIR("fair_sched_class"),
    /** rt_sched_class: SCHED_FIFO, SCHED_RR. */
    RT("rt_sched_class"),
    /** dl_sched_class: SCHED_DEADLINE. */
    DL("dl_sched_class"),
    /** stop_sched_class: the per-CPU stopper tasks. */
    STOP("stop_sched_class");

    private final String symbol;

    HeapSchedClass(String symbol) {
        this.symbol = symbol;
    }

    /** The kernel symbol of the descriptor. */
    public String symbol() {
        return symbol;
    }
}
