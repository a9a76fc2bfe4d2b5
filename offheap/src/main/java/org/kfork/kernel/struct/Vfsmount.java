package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct vfsmount}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * What a path names of a mount: the root dentry of the mounted tree, its superblock and the mount
 * flags. It sits inside struct mount, which holds the reference counts.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/mount.h:71) with the reference config, and ComputedLayoutTest pins it
 * to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | mnt_root                       struct dentry *                         |
 * |     8 |    8 | mnt_sb                         struct super_block *                    |
 * |    16 |    4 | mnt_flags                      int                                     |
 * |    24 |    8 | mnt_userns                     struct user_namespace *                 |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 32, alignof 8
 * </pre>
 */
public final class Vfsmount {
    /** The engine's layout of {@code struct vfsmount}. */
    public static final StructLayout LAYOUT = Struct.named("vfsmount")
        .field("mnt_root", CTypes.ptr("struct dentry *"))
        .field("mnt_sb", CTypes.ptr("struct super_block *"))
        .field("mnt_flags", CTypes.INT)
        .field("mnt_userns", CTypes.ptr("struct user_namespace *"))
        .build();

    /** sizeof(struct vfsmount): 32. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct vfsmount): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct dentry * mnt_root;} at offset 0 (8 bytes). */
    public static final long MNT_ROOT = LAYOUT.offsetOf("mnt_root");

    /** {@code struct super_block * mnt_sb;} at offset 8 (8 bytes). */
    public static final long MNT_SB = LAYOUT.offsetOf("mnt_sb");

    /** {@code int mnt_flags;} at offset 16 (4 bytes). */
    public static final long MNT_FLAGS = LAYOUT.offsetOf("mnt_flags");

    /** {@code struct user_namespace * mnt_userns;} at offset 24 (8 bytes). */
    public static final long MNT_USERNS = LAYOUT.offsetOf("mnt_userns");

    private Vfsmount() {
    }
}
