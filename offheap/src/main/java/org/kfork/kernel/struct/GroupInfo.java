package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct group_info}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A cred's supplementary groups: a refcount, the number of groups and the sorted gids that follow
 * the struct. init_cred points at init_groups, which has none.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/cred.h:25) with the reference config, and ComputedLayoutTest pins it
 * to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | usage                          atomic_t                                |
 * |     4 |    4 | ngroups                        int                                     |
 * |     8 |    0 | gid                            kgid_t[]                                |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 8, alignof 4
 * </pre>
 */
public final class GroupInfo {
    /** The engine's layout of {@code struct group_info}. */
    public static final StructLayout LAYOUT = Struct.named("group_info")
        .field("usage", CTypes.ATOMIC_T)
        .field("ngroups", CTypes.INT)
        .flexibleArray("gid", CTypes.KGID_T)
        .build();

    /** sizeof(struct group_info): 8. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct group_info): 4. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_t usage;} at offset 0 (4 bytes). */
    public static final long USAGE = LAYOUT.offsetOf("usage");

    /** {@code int ngroups;} at offset 4 (4 bytes). */
    public static final long NGROUPS = LAYOUT.offsetOf("ngroups");

    /** {@code kgid_t gid[];} at offset 8 (0 bytes). */
    public static final long GID = LAYOUT.offsetOf("gid");

    private GroupInfo() {
    }
}
