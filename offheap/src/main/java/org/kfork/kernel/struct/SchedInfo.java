package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct sched_info}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * Scheduler statistics of a task (schedstats / delay accounting).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | pcount                         long unsigned int                       |
 * |     8 |    8 | run_delay                      long long unsigned int                  |
 * |    16 |    8 | last_arrival                   long long unsigned int                  |
 * |    24 |    8 | last_queued                    long long unsigned int                  |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 32, alignof 8
 * </pre>
 */
public final class SchedInfo {
    /** The engine's layout of {@code struct sched_info}. */
    public static final StructLayout LAYOUT = Struct.named("sched_info")
        .field("pcount", CTypes.ULONG)
        .field("run_delay", CTypes.ULLONG)
        .field("last_arrival", CTypes.ULLONG)
        .field("last_queued", CTypes.ULLONG)
        .build();

    /** sizeof(struct sched_info): 32. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct sched_info): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code long unsigned int pcount;} at offset 0 (8 bytes). */
    public static final long PCOUNT = LAYOUT.offsetOf("pcount");

    /** {@code long long unsigned int run_delay;} at offset 8 (8 bytes). */
    public static final long RUN_DELAY = LAYOUT.offsetOf("run_delay");

    /** {@code long long unsigned int last_arrival;} at offset 16 (8 bytes). */
    public static final long LAST_ARRIVAL = LAYOUT.offsetOf("last_arrival");

    /** {@code long long unsigned int last_queued;} at offset 24 (8 bytes). */
    public static final long LAST_QUEUED = LAYOUT.offsetOf("last_queued");

    private SchedInfo() {
    }
}
