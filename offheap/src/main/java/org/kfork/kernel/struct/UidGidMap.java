package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct uid_gid_map}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * How a user namespace maps ids to the ids of its parent: up to five extents in the struct, or
 * pointers to sorted arrays beyond that. init_user_ns maps all of 0..4294967294 to itself in one
 * extent; with CONFIG_USER_NS off nothing else reads the maps.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/user_namespace.h:23) with the reference config, and
 * ComputedLayoutTest pins it to the offsets worked out from there (confirmed once with gcc on the
 * 5.12.9 tree).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | nr_extents                     u32                                     |
 * |     8 |   64 | {anon union @8}                union {anon}                            |
 * |     8 |   60 |   extent                       struct uid_gid_extent[5]                |
 * |     8 |   16 |   {anon struct @8}             struct {anon}                           |
 * |     8 |    8 |     forward                    struct uid_gid_extent *                 |
 * |    16 |    8 |     reverse                    struct uid_gid_extent *                 |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 72, alignof 8
 * </pre>
 */
public final class UidGidMap {
    /** The engine's layout of {@code struct uid_gid_map}. */
    public static final StructLayout LAYOUT = Struct.named("uid_gid_map")
        .field("nr_extents", CTypes.U32)
        .anonymous(Union.anonymous()
                .array("extent", UidGidExtent.LAYOUT, 5)
                .anonymous(Struct.anonymous()
                        .field("forward", CTypes.ptr("struct uid_gid_extent *"))
                        .field("reverse", CTypes.ptr("struct uid_gid_extent *"))))
        .build();

    /** sizeof(struct uid_gid_map): 72. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct uid_gid_map): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code u32 nr_extents;} at offset 0 (4 bytes). */
    public static final long NR_EXTENTS = LAYOUT.offsetOf("nr_extents");

    /** {@code struct uid_gid_extent extent[5];} at offset 8 (60 bytes). */
    public static final long EXTENT = LAYOUT.offsetOf("extent");

    /** {@code struct uid_gid_extent * forward;} at offset 8 (8 bytes). */
    public static final long FORWARD = LAYOUT.offsetOf("forward");

    /** {@code struct uid_gid_extent * reverse;} at offset 16 (8 bytes). */
    public static final long REVERSE = LAYOUT.offsetOf("reverse");

    private UidGidMap() {
    }
}
