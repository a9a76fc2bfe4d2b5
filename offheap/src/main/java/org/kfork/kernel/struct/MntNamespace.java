package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct mnt_namespace}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A mount namespace: its root mount and the list of its mounts. The model keeps it a refcounted
 * object (ns.count) with no mounts of its own; copy_mnt_ns makes one for CLONE_NEWNS.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (fs/mount.h:8) with the reference config, and ComputedLayoutTest pins it to the
 * offsets worked out from there (confirmed once with gcc on the 5.12.9 tree).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   24 | ns                             struct ns_common                        |
 * |    24 |    8 | root                           struct mount *                          |
 * |    32 |   16 | list                           struct list_head                        |
 * |    48 |    4 | ns_lock                        spinlock_t                              |
 * |    56 |    8 | user_ns                        struct user_namespace *                 |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | ucounts                        struct ucounts *                        |
 * |    72 |    8 | seq                            u64                                     |
 * |    80 |   24 | poll                           wait_queue_head_t                       |
 * |   104 |    8 | event                          u64                                     |
 * |   112 |    4 | mounts                         unsigned int                            |
 * |   116 |    4 | pending_mounts                 unsigned int                            |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 120, alignof 8
 * </pre>
 */
public final class MntNamespace {
    /** The engine's layout of {@code struct mnt_namespace}. */
    public static final StructLayout LAYOUT = Struct.named("mnt_namespace")
        .field("ns", NsCommon.LAYOUT)
        .field("root", CTypes.ptr("struct mount *"))
        .field("list", ListHead.LAYOUT)
        .field("ns_lock", CTypes.SPINLOCK_T)
        .field("user_ns", CTypes.ptr("struct user_namespace *"))
        .field("ucounts", CTypes.ptr("struct ucounts *"))
        .field("seq", CTypes.U64)
        .field("poll", CTypes.alias("wait_queue_head_t", WaitQueueHead.LAYOUT))
        .field("event", CTypes.U64)
        .field("mounts", CTypes.UINT)
        .field("pending_mounts", CTypes.UINT)
        .build();

    /** sizeof(struct mnt_namespace): 120. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct mnt_namespace): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct ns_common ns;} at offset 0 (24 bytes). */
    public static final long NS = LAYOUT.offsetOf("ns");

    /** {@code struct mount * root;} at offset 24 (8 bytes). */
    public static final long ROOT = LAYOUT.offsetOf("root");

    /** {@code struct list_head list;} at offset 32 (16 bytes). */
    public static final long LIST = LAYOUT.offsetOf("list");

    /** {@code spinlock_t ns_lock;} at offset 48 (4 bytes). */
    public static final long NS_LOCK = LAYOUT.offsetOf("ns_lock");

    /** {@code struct user_namespace * user_ns;} at offset 56 (8 bytes). */
    public static final long USER_NS = LAYOUT.offsetOf("user_ns");

    /** {@code struct ucounts * ucounts;} at offset 64 (8 bytes). */
    public static final long UCOUNTS = LAYOUT.offsetOf("ucounts");

    /** {@code u64 seq;} at offset 72 (8 bytes). */
    public static final long SEQ = LAYOUT.offsetOf("seq");

    /** {@code wait_queue_head_t poll;} at offset 80 (24 bytes). */
    public static final long POLL = LAYOUT.offsetOf("poll");

    /** {@code u64 event;} at offset 104 (8 bytes). */
    public static final long EVENT = LAYOUT.offsetOf("event");

    /** {@code unsigned int mounts;} at offset 112 (4 bytes). */
    public static final long MOUNTS = LAYOUT.offsetOf("mounts");

    /** {@code unsigned int pending_mounts;} at offset 116 (4 bytes). */
    public static final long PENDING_MOUNTS = LAYOUT.offsetOf("pending_mounts");

    private MntNamespace() {
    }
}
