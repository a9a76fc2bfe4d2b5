package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct wake_q_node}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A task's link in a wake queue.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | next                           struct wake_q_node *                    |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 8, alignof 8
 * </pre>
 */
public final class WakeQNode {
    /** The engine's layout of {@code struct wake_q_node}. */
    public static final StructLayout LAYOUT = Struct.named("wake_q_node")
        .field("next", CTypes.ptr("struct wake_q_node *"))
        .build();

    /** sizeof(struct wake_q_node): 8. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct wake_q_node): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct wake_q_node * next;} at offset 0 (8 bytes). */
    public static final long NEXT = LAYOUT.offsetOf("next");

    private WakeQNode() {
    }
}
