package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct completion}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A one-shot event: vfork_done is one, and the vfork parent waits on it.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | done                           unsigned int                            |
 * |     8 |   24 | wait                           struct swait_queue_head                 |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 32, alignof 8
 * </pre>
 */
public final class Completion {
    /** The engine's layout of {@code struct completion}. */
    public static final StructLayout LAYOUT = Struct.named("completion")
        .field("done", CTypes.UINT)
        .field("wait", SwaitQueueHead.LAYOUT)
        .build();

    /** sizeof(struct completion): 32. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct completion): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code unsigned int done;} at offset 0 (4 bytes). */
    public static final long DONE = LAYOUT.offsetOf("done");

    /** {@code struct swait_queue_head wait;} at offset 8 (24 bytes). */
    public static final long WAIT = LAYOUT.offsetOf("wait");

    private Completion() {
    }
}
