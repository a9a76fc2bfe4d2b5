package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct rlimit}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A resource limit: soft and hard.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | rlim_cur                       __kernel_ulong_t                        |
 * |     8 |    8 | rlim_max                       __kernel_ulong_t                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class Rlimit {
    /** The engine's layout of {@code struct rlimit}. */
    public static final StructLayout LAYOUT = Struct.named("rlimit")
        .field("rlim_cur", CTypes.KERNEL_ULONG_T)
        .field("rlim_max", CTypes.KERNEL_ULONG_T)
        .build();

    /** sizeof(struct rlimit): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct rlimit): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code __kernel_ulong_t rlim_cur;} at offset 0 (8 bytes). */
    public static final long RLIM_CUR = LAYOUT.offsetOf("rlim_cur");

    /** {@code __kernel_ulong_t rlim_max;} at offset 8 (8 bytes). */
    public static final long RLIM_MAX = LAYOUT.offsetOf("rlim_max");

    private Rlimit() {
    }
}
