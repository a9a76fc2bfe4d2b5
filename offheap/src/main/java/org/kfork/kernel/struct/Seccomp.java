package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct seccomp}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A task's seccomp mode and filter chain.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | mode                           int                                     |
 * |     4 |    4 | filter_count                   atomic_t                                |
 * |     8 |    8 | filter                         struct seccomp_filter *                 |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class Seccomp {
    /** The engine's layout of {@code struct seccomp}. */
    public static final StructLayout LAYOUT = Struct.named("seccomp")
        .field("mode", CTypes.INT)
        .field("filter_count", CTypes.ATOMIC_T)
        .field("filter", CTypes.ptr("struct seccomp_filter *"))
        .build();

    /** sizeof(struct seccomp): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct seccomp): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code int mode;} at offset 0 (4 bytes). */
    public static final long MODE = LAYOUT.offsetOf("mode");

    /** {@code atomic_t filter_count;} at offset 4 (4 bytes). */
    public static final long FILTER_COUNT = LAYOUT.offsetOf("filter_count");

    /** {@code struct seccomp_filter * filter;} at offset 8 (8 bytes). */
    public static final long FILTER = LAYOUT.offsetOf("filter");

    private Seccomp() {
    }
}
