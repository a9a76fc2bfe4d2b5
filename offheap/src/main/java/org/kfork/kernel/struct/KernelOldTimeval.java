package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct __kernel_old_timeval}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A time in seconds and microseconds, as struct rusage reports it.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/uapi/linux/time_types.h:25) with the reference config, and
 * ComputedLayoutTest pins it to the offsets worked out from there (confirmed once with gcc on the
 * 5.12.9 tree).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | tv_sec                         __kernel_long_t                         |
 * |     8 |    8 | tv_usec                        __kernel_long_t                         |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class KernelOldTimeval {
    /** The engine's layout of {@code struct __kernel_old_timeval}. */
    public static final StructLayout LAYOUT = Struct.named("__kernel_old_timeval")
        .field("tv_sec", CTypes.KERNEL_LONG_T)
        .field("tv_usec", CTypes.KERNEL_LONG_T)
        .build();

    /** sizeof(struct __kernel_old_timeval): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct __kernel_old_timeval): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code __kernel_long_t tv_sec;} at offset 0 (8 bytes). */
    public static final long TV_SEC = LAYOUT.offsetOf("tv_sec");

    /** {@code __kernel_long_t tv_usec;} at offset 8 (8 bytes). */
    public static final long TV_USEC = LAYOUT.offsetOf("tv_usec");

    private KernelOldTimeval() {
    }
}
