package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct posix_cputimers}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The POSIX CPU timers of a task or a thread group: one base per clock.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   72 | bases                          struct posix_cputimer_base[3]           |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    72 |    4 | timers_active                  unsigned int                            |
 * |    76 |    4 | expiry_active                  unsigned int                            |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 80, alignof 8
 * </pre>
 */
public final class PosixCputimers {
    /** The engine's layout of {@code struct posix_cputimers}. */
    public static final StructLayout LAYOUT = Struct.named("posix_cputimers")
        .array("bases", PosixCputimerBase.LAYOUT, 3)
        .field("timers_active", CTypes.UINT)
        .field("expiry_active", CTypes.UINT)
        .build();

    /** sizeof(struct posix_cputimers): 80. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct posix_cputimers): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct posix_cputimer_base bases[3];} at offset 0 (72 bytes). */
    public static final long BASES = LAYOUT.offsetOf("bases");

    /** {@code unsigned int timers_active;} at offset 72 (4 bytes). */
    public static final long TIMERS_ACTIVE = LAYOUT.offsetOf("timers_active");

    /** {@code unsigned int expiry_active;} at offset 76 (4 bytes). */
    public static final long EXPIRY_ACTIVE = LAYOUT.offsetOf("expiry_active");

    private PosixCputimers() {
    }
}
