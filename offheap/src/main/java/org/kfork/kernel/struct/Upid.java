package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct upid}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * One number of a pid: the number and the pid namespace it is valid in. struct pid ends in one
 * per level.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/pid.h:54.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | nr                             int                                     |
 * |     8 |    8 | ns                             struct pid_namespace *                  |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class Upid {
    /** The engine's layout of {@code struct upid}. */
    public static final StructLayout LAYOUT = Struct.named("upid")
        .field("nr", CTypes.INT)
        .field("ns", CTypes.ptr("struct pid_namespace *"))
        .build();

    /** sizeof(struct upid): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct upid): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code int nr;} at offset 0 (4 bytes). */
    public static final long NR = LAYOUT.offsetOf("nr");

    /** {@code struct pid_namespace * ns;} at offset 8 (8 bytes). */
    public static final long NS = LAYOUT.offsetOf("ns");

    private Upid() {
    }
}
