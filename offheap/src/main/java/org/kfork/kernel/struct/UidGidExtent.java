package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct uid_gid_extent}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * One range of an id map: count ids from first, mapped to the parent's ids from lower_first.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/user_namespace.h:17) with the reference config, and
 * ComputedLayoutTest pins it to the offsets worked out from there (confirmed once with gcc on the
 * 5.12.9 tree).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | first                          u32                                     |
 * |     4 |    4 | lower_first                    u32                                     |
 * |     8 |    4 | count                          u32                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 12, alignof 4
 * </pre>
 */
public final class UidGidExtent {
    /** The engine's layout of {@code struct uid_gid_extent}. */
    public static final StructLayout LAYOUT = Struct.named("uid_gid_extent")
        .field("first", CTypes.U32)
        .field("lower_first", CTypes.U32)
        .field("count", CTypes.U32)
        .build();

    /** sizeof(struct uid_gid_extent): 12. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct uid_gid_extent): 4. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code u32 first;} at offset 0 (4 bytes). */
    public static final long FIRST = LAYOUT.offsetOf("first");

    /** {@code u32 lower_first;} at offset 4 (4 bytes). */
    public static final long LOWER_FIRST = LAYOUT.offsetOf("lower_first");

    /** {@code u32 count;} at offset 8 (4 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    private UidGidExtent() {
    }
}
