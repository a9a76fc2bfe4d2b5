package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct wait_queue_head}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The head of a wait queue, guarded by its spinlock.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | lock                           spinlock_t                              |
 * |     8 |   16 | head                           struct list_head                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class WaitQueueHead {
    /** The engine's layout of {@code struct wait_queue_head}. */
    public static final StructLayout LAYOUT = Struct.named("wait_queue_head")
        .field("lock", CTypes.SPINLOCK_T)
        .field("head", ListHead.LAYOUT)
        .build();

    /** sizeof(struct wait_queue_head): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct wait_queue_head): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code spinlock_t lock;} at offset 0 (4 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code struct list_head head;} at offset 8 (16 bytes). */
    public static final long HEAD = LAYOUT.offsetOf("head");

    private WaitQueueHead() {
    }
}
