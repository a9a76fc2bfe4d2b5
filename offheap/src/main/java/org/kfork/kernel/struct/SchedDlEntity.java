package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct sched_dl_entity}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The deadline scheduling entity of a task (from the pahole reference).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12-pahole.txt.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   24 | rb_node                        struct rb_node                          |
 * |    24 |    8 | dl_runtime                     u64                                     |
 * |    32 |    8 | dl_deadline                    u64                                     |
 * |    40 |    8 | dl_period                      u64                                     |
 * |    48 |    8 | dl_bw                          u64                                     |
 * |    56 |    8 | dl_density                     u64                                     |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | runtime                        s64                                     |
 * |    72 |    8 | deadline                       u64                                     |
 * |    80 |    4 | flags                          unsigned int                            |
 * |  84.0 |   :1 | dl_throttled                   unsigned int                            |
 * |  84.1 |   :1 | dl_yielded                     unsigned int                            |
 * |  84.2 |   :1 | dl_non_contending              unsigned int                            |
 * |  84.3 |   :1 | dl_overrun                     unsigned int                            |
 * |    88 |   64 | dl_timer                       struct hrtimer                          |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   152 |   64 | inactive_timer                 struct hrtimer                          |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   216 |    8 | pi_se                          struct sched_dl_entity *                |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 224, alignof 8
 * </pre>
 */
public final class SchedDlEntity {
    /** The engine's layout of {@code struct sched_dl_entity}. */
    public static final StructLayout LAYOUT = Struct.named("sched_dl_entity")
        .field("rb_node", RbNode.LAYOUT)
        .field("dl_runtime", CTypes.U64)
        .field("dl_deadline", CTypes.U64)
        .field("dl_period", CTypes.U64)
        .field("dl_bw", CTypes.U64)
        .field("dl_density", CTypes.U64)
        .field("runtime", CTypes.S64)
        .field("deadline", CTypes.U64)
        .field("flags", CTypes.UINT)
        .bitfield("dl_throttled", CTypes.UINT, 1)
        .bitfield("dl_yielded", CTypes.UINT, 1)
        .bitfield("dl_non_contending", CTypes.UINT, 1)
        .bitfield("dl_overrun", CTypes.UINT, 1)
        .field("dl_timer", OpaqueTypes.HRTIMER)
        .field("inactive_timer", OpaqueTypes.HRTIMER)
        .field("pi_se", CTypes.ptr("struct sched_dl_entity *"))
        .build();

    /** sizeof(struct sched_dl_entity): 224. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct sched_dl_entity): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct rb_node rb_node;} at offset 0 (24 bytes). */
    public static final long RB_NODE = LAYOUT.offsetOf("rb_node");

    /** {@code u64 dl_runtime;} at offset 24 (8 bytes). */
    public static final long DL_RUNTIME = LAYOUT.offsetOf("dl_runtime");

    /** {@code u64 dl_deadline;} at offset 32 (8 bytes). */
    public static final long DL_DEADLINE = LAYOUT.offsetOf("dl_deadline");

    /** {@code u64 dl_period;} at offset 40 (8 bytes). */
    public static final long DL_PERIOD = LAYOUT.offsetOf("dl_period");

    /** {@code u64 dl_bw;} at offset 48 (8 bytes). */
    public static final long DL_BW = LAYOUT.offsetOf("dl_bw");

    /** {@code u64 dl_density;} at offset 56 (8 bytes). */
    public static final long DL_DENSITY = LAYOUT.offsetOf("dl_density");

    /** {@code s64 runtime;} at offset 64 (8 bytes). */
    public static final long RUNTIME = LAYOUT.offsetOf("runtime");

    /** {@code u64 deadline;} at offset 72 (8 bytes). */
    public static final long DEADLINE = LAYOUT.offsetOf("deadline");

    /** {@code unsigned int flags;} at offset 80 (4 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code unsigned int dl_throttled : 1;} bit offset from the start of the struct (672: byte 84 bit 0). */
    public static final long DL_THROTTLED_BIT = LAYOUT.bitOffsetOf("dl_throttled");
    /** {@code unsigned int dl_throttled : 1;} width in bits. */
    public static final int DL_THROTTLED_WIDTH = LAYOUT.bitWidthOf("dl_throttled");

    /** {@code unsigned int dl_yielded : 1;} bit offset from the start of the struct (673: byte 84 bit 1). */
    public static final long DL_YIELDED_BIT = LAYOUT.bitOffsetOf("dl_yielded");
    /** {@code unsigned int dl_yielded : 1;} width in bits. */
    public static final int DL_YIELDED_WIDTH = LAYOUT.bitWidthOf("dl_yielded");

    /** {@code unsigned int dl_non_contending : 1;} bit offset from the start of the struct (674: byte 84 bit 2). */
    public static final long DL_NON_CONTENDING_BIT = LAYOUT.bitOffsetOf("dl_non_contending");
    /** {@code unsigned int dl_non_contending : 1;} width in bits. */
    public static final int DL_NON_CONTENDING_WIDTH = LAYOUT.bitWidthOf("dl_non_contending");

    /** {@code unsigned int dl_overrun : 1;} bit offset from the start of the struct (675: byte 84 bit 3). */
    public static final long DL_OVERRUN_BIT = LAYOUT.bitOffsetOf("dl_overrun");
    /** {@code unsigned int dl_overrun : 1;} width in bits. */
    public static final int DL_OVERRUN_WIDTH = LAYOUT.bitWidthOf("dl_overrun");

    /** {@code struct hrtimer dl_timer;} at offset 88 (64 bytes). */
    public static final long DL_TIMER = LAYOUT.offsetOf("dl_timer");

    /** {@code struct hrtimer inactive_timer;} at offset 152 (64 bytes). */
    public static final long INACTIVE_TIMER = LAYOUT.offsetOf("inactive_timer");

    /** {@code struct sched_dl_entity * pi_se;} at offset 216 (8 bytes). */
    public static final long PI_SE = LAYOUT.offsetOf("pi_se");

    private SchedDlEntity() {
    }
}
