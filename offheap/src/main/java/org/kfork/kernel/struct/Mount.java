package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct mount}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A mount: the vfsmount a path points into (mnt, so real_mount is a container_of), its place in
 * the tree and in its mount namespace, and mnt_pcp, the per-CPU counts that mntget and mntput
 * change (CONFIG_SMP).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (fs/mount.h:39) with the reference config, and ComputedLayoutTest pins it to the
 * offsets worked out from there (confirmed once with gcc on the 5.12.9 tree).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   16 | mnt_hash                       struct hlist_node                       |
 * |    16 |    8 | mnt_parent                     struct mount *                          |
 * |    24 |    8 | mnt_mountpoint                 struct dentry *                         |
 * |    32 |   32 | mnt                            struct vfsmount                         |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |   16 | {anon union @64}               union {anon}                            |
 * |    64 |   16 |   mnt_rcu                      struct callback_head                    |
 * |    64 |    8 |   mnt_llist                    struct llist_node                       |
 * |    80 |    8 | mnt_pcp                        struct mnt_pcp *                        |
 * |    88 |   16 | mnt_mounts                     struct list_head                        |
 * |   104 |   16 | mnt_child                      struct list_head                        |
 * |   120 |   16 | mnt_instance                   struct list_head                        |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   136 |    8 | mnt_devname                    const char *                            |
 * |   144 |   16 | mnt_list                       struct list_head                        |
 * |   160 |   16 | mnt_expire                     struct list_head                        |
 * |   176 |   16 | mnt_share                      struct list_head                        |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   192 |   16 | mnt_slave_list                 struct list_head                        |
 * |   208 |   16 | mnt_slave                      struct list_head                        |
 * |   224 |    8 | mnt_master                     struct mount *                          |
 * |   232 |    8 | mnt_ns                         struct mnt_namespace *                  |
 * |   240 |    8 | mnt_mp                         struct mountpoint *                     |
 * |   248 |   16 | {anon union @248}              union {anon}                            |
 * |   248 |   16 |   mnt_mp_list                  struct hlist_node                       |
 * |   248 |   16 |   mnt_umount                   struct hlist_node                       |
 * +=======+======+ cacheline 4 (256 bytes) ===============================================+
 * |   264 |   16 | mnt_umounting                  struct list_head                        |
 * |   280 |    8 | mnt_fsnotify_marks             struct fsnotify_mark_connector *        |
 * |   288 |    4 | mnt_fsnotify_mask              __u32                                   |
 * |   292 |    4 | mnt_id                         int                                     |
 * |   296 |    4 | mnt_group_id                   int                                     |
 * |   300 |    4 | mnt_expiry_mark                int                                     |
 * |   304 |    8 | mnt_pins                       struct hlist_head                       |
 * |   312 |    8 | mnt_stuck_children             struct hlist_head                       |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 320, alignof 8
 * </pre>
 */
public final class Mount {
    /** The engine's layout of {@code struct mount}. */
    public static final StructLayout LAYOUT = Struct.named("mount")
        .field("mnt_hash", HlistNode.LAYOUT)
        .field("mnt_parent", CTypes.ptr("struct mount *"))
        .field("mnt_mountpoint", CTypes.ptr("struct dentry *"))
        .field("mnt", Vfsmount.LAYOUT)
        .anonymous(Union.anonymous()
                .field("mnt_rcu", CallbackHead.LAYOUT)
                .field("mnt_llist", OpaqueTypes.LLIST_NODE))
        .field("mnt_pcp", CTypes.ptr("struct mnt_pcp *"))
        .field("mnt_mounts", ListHead.LAYOUT)
        .field("mnt_child", ListHead.LAYOUT)
        .field("mnt_instance", ListHead.LAYOUT)
        .field("mnt_devname", CTypes.ptr("const char *"))
        .field("mnt_list", ListHead.LAYOUT)
        .field("mnt_expire", ListHead.LAYOUT)
        .field("mnt_share", ListHead.LAYOUT)
        .field("mnt_slave_list", ListHead.LAYOUT)
        .field("mnt_slave", ListHead.LAYOUT)
        .field("mnt_master", CTypes.ptr("struct mount *"))
        .field("mnt_ns", CTypes.ptr("struct mnt_namespace *"))
        .field("mnt_mp", CTypes.ptr("struct mountpoint *"))
        .anonymous(Union.anonymous()
                .field("mnt_mp_list", HlistNode.LAYOUT)
                .field("mnt_umount", HlistNode.LAYOUT))
        .field("mnt_umounting", ListHead.LAYOUT)
        .field("mnt_fsnotify_marks", CTypes.ptr("struct fsnotify_mark_connector *"))
        .field("mnt_fsnotify_mask", CTypes.UAPI_U32)
        .field("mnt_id", CTypes.INT)
        .field("mnt_group_id", CTypes.INT)
        .field("mnt_expiry_mark", CTypes.INT)
        .field("mnt_pins", HlistHead.LAYOUT)
        .field("mnt_stuck_children", HlistHead.LAYOUT)
        .build();

    /** sizeof(struct mount): 320. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct mount): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct hlist_node mnt_hash;} at offset 0 (16 bytes). */
    public static final long MNT_HASH = LAYOUT.offsetOf("mnt_hash");

    /** {@code struct mount * mnt_parent;} at offset 16 (8 bytes). */
    public static final long MNT_PARENT = LAYOUT.offsetOf("mnt_parent");

    /** {@code struct dentry * mnt_mountpoint;} at offset 24 (8 bytes). */
    public static final long MNT_MOUNTPOINT = LAYOUT.offsetOf("mnt_mountpoint");

    /** {@code struct vfsmount mnt;} at offset 32 (32 bytes). */
    public static final long MNT = LAYOUT.offsetOf("mnt");

    /** {@code struct callback_head mnt_rcu;} at offset 64 (16 bytes). */
    public static final long MNT_RCU = LAYOUT.offsetOf("mnt_rcu");

    /** {@code struct llist_node mnt_llist;} at offset 64 (8 bytes). */
    public static final long MNT_LLIST = LAYOUT.offsetOf("mnt_llist");

    /** {@code struct mnt_pcp * mnt_pcp;} at offset 80 (8 bytes). */
    public static final long MNT_PCP = LAYOUT.offsetOf("mnt_pcp");

    /** {@code struct list_head mnt_mounts;} at offset 88 (16 bytes). */
    public static final long MNT_MOUNTS = LAYOUT.offsetOf("mnt_mounts");

    /** {@code struct list_head mnt_child;} at offset 104 (16 bytes). */
    public static final long MNT_CHILD = LAYOUT.offsetOf("mnt_child");

    /** {@code struct list_head mnt_instance;} at offset 120 (16 bytes). */
    public static final long MNT_INSTANCE = LAYOUT.offsetOf("mnt_instance");

    /** {@code const char * mnt_devname;} at offset 136 (8 bytes). */
    public static final long MNT_DEVNAME = LAYOUT.offsetOf("mnt_devname");

    /** {@code struct list_head mnt_list;} at offset 144 (16 bytes). */
    public static final long MNT_LIST = LAYOUT.offsetOf("mnt_list");

    /** {@code struct list_head mnt_expire;} at offset 160 (16 bytes). */
    public static final long MNT_EXPIRE = LAYOUT.offsetOf("mnt_expire");

    /** {@code struct list_head mnt_share;} at offset 176 (16 bytes). */
    public static final long MNT_SHARE = LAYOUT.offsetOf("mnt_share");

    /** {@code struct list_head mnt_slave_list;} at offset 192 (16 bytes). */
    public static final long MNT_SLAVE_LIST = LAYOUT.offsetOf("mnt_slave_list");

    /** {@code struct list_head mnt_slave;} at offset 208 (16 bytes). */
    public static final long MNT_SLAVE = LAYOUT.offsetOf("mnt_slave");

    /** {@code struct mount * mnt_master;} at offset 224 (8 bytes). */
    public static final long MNT_MASTER = LAYOUT.offsetOf("mnt_master");

    /** {@code struct mnt_namespace * mnt_ns;} at offset 232 (8 bytes). */
    public static final long MNT_NS = LAYOUT.offsetOf("mnt_ns");

    /** {@code struct mountpoint * mnt_mp;} at offset 240 (8 bytes). */
    public static final long MNT_MP = LAYOUT.offsetOf("mnt_mp");

    /** {@code struct hlist_node mnt_mp_list;} at offset 248 (16 bytes). */
    public static final long MNT_MP_LIST = LAYOUT.offsetOf("mnt_mp_list");

    /** {@code struct hlist_node mnt_umount;} at offset 248 (16 bytes). */
    public static final long MNT_UMOUNT = LAYOUT.offsetOf("mnt_umount");

    /** {@code struct list_head mnt_umounting;} at offset 264 (16 bytes). */
    public static final long MNT_UMOUNTING = LAYOUT.offsetOf("mnt_umounting");

    /** {@code struct fsnotify_mark_connector * mnt_fsnotify_marks;} at offset 280 (8 bytes). */
    public static final long MNT_FSNOTIFY_MARKS = LAYOUT.offsetOf("mnt_fsnotify_marks");

    /** {@code __u32 mnt_fsnotify_mask;} at offset 288 (4 bytes). */
    public static final long MNT_FSNOTIFY_MASK = LAYOUT.offsetOf("mnt_fsnotify_mask");

    /** {@code int mnt_id;} at offset 292 (4 bytes). */
    public static final long MNT_ID = LAYOUT.offsetOf("mnt_id");

    /** {@code int mnt_group_id;} at offset 296 (4 bytes). */
    public static final long MNT_GROUP_ID = LAYOUT.offsetOf("mnt_group_id");

    /** {@code int mnt_expiry_mark;} at offset 300 (4 bytes). */
    public static final long MNT_EXPIRY_MARK = LAYOUT.offsetOf("mnt_expiry_mark");

    /** {@code struct hlist_head mnt_pins;} at offset 304 (8 bytes). */
    public static final long MNT_PINS = LAYOUT.offsetOf("mnt_pins");

    /** {@code struct hlist_head mnt_stuck_children;} at offset 312 (8 bytes). */
    public static final long MNT_STUCK_CHILDREN = LAYOUT.offsetOf("mnt_stuck_children");

    private Mount() {
    }
}
