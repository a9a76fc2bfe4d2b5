package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct dentry}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A directory entry: a name in its parent, the inode it names, and d_lockref, its lock and
 * reference count. A path (fs_struct's root and pwd, a file's f_path) holds a dentry and a mount;
 * path_get takes a reference on both.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/dcache.h:90) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | d_flags                        unsigned int                            |
 * |     4 |    4 | d_seq                          seqcount_spinlock_t                     |
 * |     8 |   16 | d_hash                         struct hlist_bl_node                    |
 * |    24 |    8 | d_parent                       struct dentry *                         |
 * |    32 |   16 | d_name                         struct qstr                             |
 * |    48 |    8 | d_inode                        struct inode *                          |
 * |    56 |   32 | d_iname                        unsigned char[32]                       |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    88 |    8 | d_lockref                      struct lockref                          |
 * |    96 |    8 | d_op                           const struct dentry_operations *        |
 * |   104 |    8 | d_sb                           struct super_block *                    |
 * |   112 |    8 | d_time                         long unsigned int                       |
 * |   120 |    8 | d_fsdata                       void *                                  |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |   16 | {anon union @128}              union {anon}                            |
 * |   128 |   16 |   d_lru                        struct list_head                        |
 * |   128 |    8 |   d_wait                       wait_queue_head_t *                     |
 * |   144 |   16 | d_child                        struct list_head                        |
 * |   160 |   16 | d_subdirs                      struct list_head                        |
 * |   176 |   16 | d_u                            union {anon}                            |
 * |   176 |   16 |   d_alias                      struct hlist_node                       |
 * |   176 |   16 |   d_in_lookup_hash             struct hlist_bl_node                    |
 * |   176 |   16 |   d_rcu                        struct callback_head                    |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 192, alignof 8
 * </pre>
 */
public final class Dentry {
    /** The engine's layout of {@code struct dentry}. */
    public static final StructLayout LAYOUT = Struct.named("dentry")
        .field("d_flags", CTypes.UINT)
        .field("d_seq", CTypes.SEQCOUNT_SPINLOCK_T)
        .field("d_hash", OpaqueTypes.HLIST_BL_NODE)
        .field("d_parent", CTypes.ptr("struct dentry *"))
        .field("d_name", OpaqueTypes.QSTR)
        .field("d_inode", CTypes.ptr("struct inode *"))
        .array("d_iname", CTypes.UCHAR, 32)
        .field("d_lockref", Lockref.LAYOUT)
        .field("d_op", CTypes.ptr("const struct dentry_operations *"))
        .field("d_sb", CTypes.ptr("struct super_block *"))
        .field("d_time", CTypes.ULONG)
        .field("d_fsdata", CTypes.VOID_PTR)
        .anonymous(Union.anonymous()
                .field("d_lru", ListHead.LAYOUT)
                .field("d_wait", CTypes.ptr("wait_queue_head_t *")))
        .field("d_child", ListHead.LAYOUT)
        .field("d_subdirs", ListHead.LAYOUT)
        .field("d_u", Union.anonymous()
                .field("d_alias", HlistNode.LAYOUT)
                .field("d_in_lookup_hash", OpaqueTypes.HLIST_BL_NODE)
                .field("d_rcu", CallbackHead.LAYOUT)
                .build())
        .build();

    /** sizeof(struct dentry): 192. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct dentry): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code unsigned int d_flags;} at offset 0 (4 bytes). */
    public static final long D_FLAGS = LAYOUT.offsetOf("d_flags");

    /** {@code seqcount_spinlock_t d_seq;} at offset 4 (4 bytes). */
    public static final long D_SEQ = LAYOUT.offsetOf("d_seq");

    /** {@code struct hlist_bl_node d_hash;} at offset 8 (16 bytes). */
    public static final long D_HASH = LAYOUT.offsetOf("d_hash");

    /** {@code struct dentry * d_parent;} at offset 24 (8 bytes). */
    public static final long D_PARENT = LAYOUT.offsetOf("d_parent");

    /** {@code struct qstr d_name;} at offset 32 (16 bytes). */
    public static final long D_NAME = LAYOUT.offsetOf("d_name");

    /** {@code struct inode * d_inode;} at offset 48 (8 bytes). */
    public static final long D_INODE = LAYOUT.offsetOf("d_inode");

    /** {@code unsigned char d_iname[32];} at offset 56 (32 bytes). */
    public static final long D_INAME = LAYOUT.offsetOf("d_iname");

    /** {@code struct lockref d_lockref;} at offset 88 (8 bytes). */
    public static final long D_LOCKREF = LAYOUT.offsetOf("d_lockref");

    /** {@code const struct dentry_operations * d_op;} at offset 96 (8 bytes). */
    public static final long D_OP = LAYOUT.offsetOf("d_op");

    /** {@code struct super_block * d_sb;} at offset 104 (8 bytes). */
    public static final long D_SB = LAYOUT.offsetOf("d_sb");

    /** {@code long unsigned int d_time;} at offset 112 (8 bytes). */
    public static final long D_TIME = LAYOUT.offsetOf("d_time");

    /** {@code void * d_fsdata;} at offset 120 (8 bytes). */
    public static final long D_FSDATA = LAYOUT.offsetOf("d_fsdata");

    /** {@code struct list_head d_lru;} at offset 128 (16 bytes). */
    public static final long D_LRU = LAYOUT.offsetOf("d_lru");

    /** {@code wait_queue_head_t * d_wait;} at offset 128 (8 bytes). */
    public static final long D_WAIT = LAYOUT.offsetOf("d_wait");

    /** {@code struct list_head d_child;} at offset 144 (16 bytes). */
    public static final long D_CHILD = LAYOUT.offsetOf("d_child");

    /** {@code struct list_head d_subdirs;} at offset 160 (16 bytes). */
    public static final long D_SUBDIRS = LAYOUT.offsetOf("d_subdirs");

    /** {@code union {anon} d_u;} at offset 176 (16 bytes). */
    public static final long D_U = LAYOUT.offsetOf("d_u");

    /** {@code struct hlist_node d_alias;} at offset 176 (16 bytes). */
    public static final long D_U_D_ALIAS = LAYOUT.offsetOf("d_u.d_alias");

    /** {@code struct hlist_bl_node d_in_lookup_hash;} at offset 176 (16 bytes). */
    public static final long D_U_D_IN_LOOKUP_HASH = LAYOUT.offsetOf("d_u.d_in_lookup_hash");

    /** {@code struct callback_head d_rcu;} at offset 176 (16 bytes). */
    public static final long D_U_D_RCU = LAYOUT.offsetOf("d_u.d_rcu");

    private Dentry() {
    }
}
