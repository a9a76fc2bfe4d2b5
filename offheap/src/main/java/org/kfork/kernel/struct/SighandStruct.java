package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct sighand_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The signal handlers, shared between CLONE_SIGHAND threads; copy_sighand copies all 64 entries.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | siglock                        spinlock_t                              |
 * |     4 |    4 | count                          refcount_t                              |
 * |     8 |   24 | signalfd_wqh                   wait_queue_head_t                       |
 * |    32 | 2048 | action                         struct k_sigaction[64]                  |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 2080, alignof 8
 * </pre>
 */
public final class SighandStruct {
    /** The engine's layout of {@code struct sighand_struct}. */
    public static final StructLayout LAYOUT = Struct.named("sighand_struct")
        .field("siglock", CTypes.SPINLOCK_T)
        .field("count", CTypes.REFCOUNT_T)
        .field("signalfd_wqh", CTypes.alias("wait_queue_head_t", WaitQueueHead.LAYOUT))
        .array("action", KSigaction.LAYOUT, 64)
        .build();

    /** sizeof(struct sighand_struct): 2080. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct sighand_struct): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code spinlock_t siglock;} at offset 0 (4 bytes). */
    public static final long SIGLOCK = LAYOUT.offsetOf("siglock");

    /** {@code refcount_t count;} at offset 4 (4 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    /** {@code wait_queue_head_t signalfd_wqh;} at offset 8 (24 bytes). */
    public static final long SIGNALFD_WQH = LAYOUT.offsetOf("signalfd_wqh");

    /** {@code struct k_sigaction action[64];} at offset 32 (2048 bytes). */
    public static final long ACTION = LAYOUT.offsetOf("action");

    private SighandStruct() {
    }
}
