package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct posix_cputimer_base}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * One clock's expiry cache and timer queue in posix_cputimers: copy_signal sets every nextevt to
 * U64_MAX, and the PROF one to the RLIMIT_CPU limit when there is one.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/posix-timers.h:108) with the reference config, and ComputedLayoutTest
 * pins it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | nextevt                        u64                                     |
 * |     8 |   16 | tqhead                         struct timerqueue_head                  |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class PosixCputimerBase {
    /** The engine's layout of {@code struct posix_cputimer_base}. */
    public static final StructLayout LAYOUT = Struct.named("posix_cputimer_base")
        .field("nextevt", CTypes.U64)
        .field("tqhead", OpaqueTypes.TIMERQUEUE_HEAD)
        .build();

    /** sizeof(struct posix_cputimer_base): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct posix_cputimer_base): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code u64 nextevt;} at offset 0 (8 bytes). */
    public static final long NEXTEVT = LAYOUT.offsetOf("nextevt");

    /** {@code struct timerqueue_head tqhead;} at offset 8 (16 bytes). */
    public static final long TQHEAD = LAYOUT.offsetOf("tqhead");

    private PosixCputimerBase() {
    }
}
