package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct sched_rt_entity}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The real-time scheduling entity of a task (from the pahole reference).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12-pahole.txt.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   16 | run_list                       struct list_head                        |
 * |    16 |    8 | timeout                        long unsigned int                       |
 * |    24 |    8 | watchdog_stamp                 long unsigned int                       |
 * |    32 |    4 | time_slice                     unsigned int                            |
 * |    36 |    2 | on_rq                          short unsigned int                      |
 * |    38 |    2 | on_list                        short unsigned int                      |
 * |    40 |    8 | back                           struct sched_rt_entity *                |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 48, alignof 8
 * </pre>
 */
public final class SchedRtEntity {
    /** The engine's layout of {@code struct sched_rt_entity}. */
    public static final StructLayout LAYOUT = Struct.named("sched_rt_entity")
        .field("run_list", ListHead.LAYOUT)
        .field("timeout", CTypes.ULONG)
        .field("watchdog_stamp", CTypes.ULONG)
        .field("time_slice", CTypes.UINT)
        .field("on_rq", CTypes.USHORT)
        .field("on_list", CTypes.USHORT)
        .field("back", CTypes.ptr("struct sched_rt_entity *"))
        .build();

    /** sizeof(struct sched_rt_entity): 48. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct sched_rt_entity): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct list_head run_list;} at offset 0 (16 bytes). */
    public static final long RUN_LIST = LAYOUT.offsetOf("run_list");

    /** {@code long unsigned int timeout;} at offset 16 (8 bytes). */
    public static final long TIMEOUT = LAYOUT.offsetOf("timeout");

    /** {@code long unsigned int watchdog_stamp;} at offset 24 (8 bytes). */
    public static final long WATCHDOG_STAMP = LAYOUT.offsetOf("watchdog_stamp");

    /** {@code unsigned int time_slice;} at offset 32 (4 bytes). */
    public static final long TIME_SLICE = LAYOUT.offsetOf("time_slice");

    /** {@code short unsigned int on_rq;} at offset 36 (2 bytes). */
    public static final long ON_RQ = LAYOUT.offsetOf("on_rq");

    /** {@code short unsigned int on_list;} at offset 38 (2 bytes). */
    public static final long ON_LIST = LAYOUT.offsetOf("on_list");

    /** {@code struct sched_rt_entity * back;} at offset 40 (8 bytes). */
    public static final long BACK = LAYOUT.offsetOf("back");

    private SchedRtEntity() {
    }
}
