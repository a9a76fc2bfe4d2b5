package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct path}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A mount and a dentry: how fs_struct names root and pwd.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | mnt                            struct vfsmount *                       |
 * |     8 |    8 | dentry                         struct dentry *                         |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class Path {
    /** The engine's layout of {@code struct path}. */
    public static final StructLayout LAYOUT = Struct.named("path")
        .field("mnt", CTypes.ptr("struct vfsmount *"))
        .field("dentry", CTypes.ptr("struct dentry *"))
        .build();

    /** sizeof(struct path): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct path): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct vfsmount * mnt;} at offset 0 (8 bytes). */
    public static final long MNT = LAYOUT.offsetOf("mnt");

    /** {@code struct dentry * dentry;} at offset 8 (8 bytes). */
    public static final long DENTRY = LAYOUT.offsetOf("dentry");

    private Path() {
    }
}
