package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct task_delay_info}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A task's delay accounting record (CONFIG_TASK_DELAY_ACCT): time spent waiting for block I/O,
 * swap-in, reclaim and thrashing. One per task, from the task_delay_info cache, allocated by
 * delayacct_tsk_init at fork and freed by __put_task_struct.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/delayacct.h:21) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | lock                           raw_spinlock_t                          |
 * |     4 |    4 | flags                          unsigned int                            |
 * |     8 |    8 | blkio_start                    u64                                     |
 * |    16 |    8 | blkio_delay                    u64                                     |
 * |    24 |    8 | swapin_delay                   u64                                     |
 * |    32 |    4 | blkio_count                    u32                                     |
 * |    36 |    4 | swapin_count                   u32                                     |
 * |    40 |    8 | freepages_start                u64                                     |
 * |    48 |    8 | freepages_delay                u64                                     |
 * |    56 |    8 | thrashing_start                u64                                     |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | thrashing_delay                u64                                     |
 * |    72 |    4 | freepages_count                u32                                     |
 * |    76 |    4 | thrashing_count                u32                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 80, alignof 8
 * </pre>
 */
public final class TaskDelayInfo {
    /** The engine's layout of {@code struct task_delay_info}. */
    public static final StructLayout LAYOUT = Struct.named("task_delay_info")
        .field("lock", CTypes.RAW_SPINLOCK_T)
        .field("flags", CTypes.UINT)
        .field("blkio_start", CTypes.U64)
        .field("blkio_delay", CTypes.U64)
        .field("swapin_delay", CTypes.U64)
        .field("blkio_count", CTypes.U32)
        .field("swapin_count", CTypes.U32)
        .field("freepages_start", CTypes.U64)
        .field("freepages_delay", CTypes.U64)
        .field("thrashing_start", CTypes.U64)
        .field("thrashing_delay", CTypes.U64)
        .field("freepages_count", CTypes.U32)
        .field("thrashing_count", CTypes.U32)
        .build();

    /** sizeof(struct task_delay_info): 80. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct task_delay_info): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code raw_spinlock_t lock;} at offset 0 (4 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code unsigned int flags;} at offset 4 (4 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    private TaskDelayInfo() {
    }
}
