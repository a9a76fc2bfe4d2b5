package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct task_rss_stat}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * Per-task RSS deltas, folded into the mm's counters now and then (SPLIT_RSS_COUNTING).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | events                         int                                     |
 * |     4 |   16 | count                          int[4]                                  |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 20, alignof 4
 * </pre>
 */
public final class TaskRssStat {
    /** The engine's layout of {@code struct task_rss_stat}. */
    public static final StructLayout LAYOUT = Struct.named("task_rss_stat")
        .field("events", CTypes.INT)
        .array("count", CTypes.INT, 4)
        .build();

    /** sizeof(struct task_rss_stat): 20. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct task_rss_stat): 4. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code int events;} at offset 0 (4 bytes). */
    public static final long EVENTS = LAYOUT.offsetOf("events");

    /** {@code int count[4];} at offset 4 (16 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    private TaskRssStat() {
    }
}
