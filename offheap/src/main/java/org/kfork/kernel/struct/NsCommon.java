package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct ns_common}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * What every namespace embeds: the nsfs dentry stash, the namespace's operations, its inode
 * number (what /proc/PID/ns shows) and, since 5.11, its reference count.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/ns_common.h:9) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | stashed                        atomic_long_t                           |
 * |     8 |    8 | ops                            const struct proc_ns_operations *       |
 * |    16 |    4 | inum                           unsigned int                            |
 * |    20 |    4 | count                          refcount_t                              |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class NsCommon {
    /** The engine's layout of {@code struct ns_common}. */
    public static final StructLayout LAYOUT = Struct.named("ns_common")
        .field("stashed", CTypes.ATOMIC_LONG_T)
        .field("ops", CTypes.ptr("const struct proc_ns_operations *"))
        .field("inum", CTypes.UINT)
        .field("count", CTypes.REFCOUNT_T)
        .build();

    /** sizeof(struct ns_common): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct ns_common): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_long_t stashed;} at offset 0 (8 bytes). */
    public static final long STASHED = LAYOUT.offsetOf("stashed");

    /** {@code const struct proc_ns_operations * ops;} at offset 8 (8 bytes). */
    public static final long OPS = LAYOUT.offsetOf("ops");

    /** {@code unsigned int inum;} at offset 16 (4 bytes). */
    public static final long INUM = LAYOUT.offsetOf("inum");

    /** {@code refcount_t count;} at offset 20 (4 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    private NsCommon() {
    }
}
