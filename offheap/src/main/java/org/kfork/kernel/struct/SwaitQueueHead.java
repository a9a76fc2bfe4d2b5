package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct swait_queue_head}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The simple wait queue of a completion: a raw spinlock and the list of sleepers. In the model the
 * lock is real (complete and wait_for_completion take it) and the list stays empty: sleepers wait
 * on the kernel-wide monitor of sched.Wait.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/swait.h:43) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | lock                           raw_spinlock_t                          |
 * |     8 |   16 | task_list                      struct list_head                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class SwaitQueueHead {
    /** The engine's layout of {@code struct swait_queue_head}. */
    public static final StructLayout LAYOUT = Struct.named("swait_queue_head")
        .field("lock", CTypes.RAW_SPINLOCK_T)
        .field("task_list", ListHead.LAYOUT)
        .build();

    /** sizeof(struct swait_queue_head): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct swait_queue_head): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code raw_spinlock_t lock;} at offset 0 (4 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code struct list_head task_list;} at offset 8 (16 bytes). */
    public static final long TASK_LIST = LAYOUT.offsetOf("task_list");

    private SwaitQueueHead() {
    }
}
