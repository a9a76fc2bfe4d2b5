package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct cpu_itimer}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * An ITIMER_VIRTUAL or ITIMER_PROF interval timer.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | expires                        u64                                     |
 * |     8 |    8 | incr                           u64                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class CpuItimer {
    /** The engine's layout of {@code struct cpu_itimer}. */
    public static final StructLayout LAYOUT = Struct.named("cpu_itimer")
        .field("expires", CTypes.U64)
        .field("incr", CTypes.U64)
        .build();

    /** sizeof(struct cpu_itimer): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct cpu_itimer): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code u64 expires;} at offset 0 (8 bytes). */
    public static final long EXPIRES = LAYOUT.offsetOf("expires");

    /** {@code u64 incr;} at offset 8 (8 bytes). */
    public static final long INCR = LAYOUT.offsetOf("incr");

    private CpuItimer() {
    }
}
