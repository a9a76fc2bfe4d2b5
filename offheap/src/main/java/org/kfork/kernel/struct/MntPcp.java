package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct mnt_pcp}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A mount's per-CPU counts: references (mnt_count, what mntget adds to on the current CPU) and
 * writers.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (fs/mount.h:27) with the reference config, and ComputedLayoutTest pins it to the
 * offsets worked out from there (confirmed once with gcc on the 5.12.9 tree).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | mnt_count                      int                                     |
 * |     4 |    4 | mnt_writers                    int                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 8, alignof 4
 * </pre>
 */
public final class MntPcp {
    /** The engine's layout of {@code struct mnt_pcp}. */
    public static final StructLayout LAYOUT = Struct.named("mnt_pcp")
        .field("mnt_count", CTypes.INT)
        .field("mnt_writers", CTypes.INT)
        .build();

    /** sizeof(struct mnt_pcp): 8. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct mnt_pcp): 4. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code int mnt_count;} at offset 0 (4 bytes). */
    public static final long MNT_COUNT = LAYOUT.offsetOf("mnt_count");

    /** {@code int mnt_writers;} at offset 4 (4 bytes). */
    public static final long MNT_WRITERS = LAYOUT.offsetOf("mnt_writers");

    private MntPcp() {
    }
}
