package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct multiprocess_signals}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * What copy_process keeps on its stack while it forks: the group-wide signals sent to the parent
 * during the fork, collected on signal_struct.multiprocess so that they seem to arrive after it.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/sched/signal.h:70) with the reference config, and ComputedLayoutTest
 * pins it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | signal                         sigset_t                                |
 * |     8 |   16 | node                           struct hlist_node                       |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class MultiprocessSignals {
    /** The engine's layout of {@code struct multiprocess_signals}. */
    public static final StructLayout LAYOUT = Struct.named("multiprocess_signals")
        .field("signal", CTypes.SIGSET_T)
        .field("node", HlistNode.LAYOUT)
        .build();

    /** sizeof(struct multiprocess_signals): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct multiprocess_signals): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code sigset_t signal;} at offset 0 (8 bytes). */
    public static final long SIGNAL = LAYOUT.offsetOf("signal");

    /** {@code struct hlist_node node;} at offset 8 (16 bytes). */
    public static final long NODE = LAYOUT.offsetOf("node");

    private MultiprocessSignals() {
    }
}
