package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct file}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * An open file: its path and inode, its mode and flags, the file position, and f_count, the
 * references from file tables and in-flight users; the last fput frees it (after an RCU grace
 * period, through f_u).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/fs.h:917; __randomize_layout is a no-op without RANDSTRUCT
 * (CONFIG_GCC_PLUGINS is off: no gcc plugin headers); the struct is also declared
 * __attribute__((aligned(4))), which does not lower the natural alignment 8.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   16 | f_u                            union {anon}                            |
 * |     0 |    8 |   fu_llist                     struct llist_node                       |
 * |     0 |   16 |   fu_rcuhead                   struct callback_head                    |
 * |    16 |   16 | f_path                         struct path                             |
 * |    32 |    8 | f_inode                        struct inode *                          |
 * |    40 |    8 | f_op                           const struct file_operations *          |
 * |    48 |    4 | f_lock                         spinlock_t                              |
 * |    52 |    4 | f_write_hint                   enum rw_hint                            |
 * |    56 |    8 | f_count                        atomic_long_t                           |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    4 | f_flags                        unsigned int                            |
 * |    68 |    4 | f_mode                         fmode_t                                 |
 * |    72 |   32 | f_pos_lock                     struct mutex                            |
 * |   104 |    8 | f_pos                          loff_t                                  |
 * |   112 |   32 | f_owner                        struct fown_struct                      |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   144 |    8 | f_cred                         const struct cred *                     |
 * |   152 |   32 | f_ra                           struct file_ra_state                    |
 * |   184 |    8 | f_version                      u64                                     |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   192 |    8 | f_security                     void *                                  |
 * |   200 |    8 | private_data                   void *                                  |
 * |   208 |    8 | f_ep                           struct hlist_head *                     |
 * |   216 |    8 | f_mapping                      struct address_space *                  |
 * |   224 |    4 | f_wb_err                       errseq_t                                |
 * |   228 |    4 | f_sb_err                       errseq_t                                |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 232, alignof 8
 * </pre>
 */
public final class File {
    /** The engine's layout of {@code struct file}. */
    public static final StructLayout LAYOUT = Struct.named("file")
        .field("f_u", Union.anonymous()
                .field("fu_llist", OpaqueTypes.LLIST_NODE)
                .field("fu_rcuhead", CallbackHead.LAYOUT)
                .build())
        .field("f_path", Path.LAYOUT)
        .field("f_inode", CTypes.ptr("struct inode *"))
        .field("f_op", CTypes.ptr("const struct file_operations *"))
        .field("f_lock", CTypes.SPINLOCK_T)
        .field("f_write_hint", CTypes.enumeration("rw_hint"))
        .field("f_count", CTypes.ATOMIC_LONG_T)
        .field("f_flags", CTypes.UINT)
        .field("f_mode", CTypes.FMODE_T)
        .field("f_pos_lock", Mutex.LAYOUT)
        .field("f_pos", CTypes.LOFF_T)
        .field("f_owner", FownStruct.LAYOUT)
        .field("f_cred", CTypes.ptr("const struct cred *"))
        .field("f_ra", OpaqueTypes.FILE_RA_STATE)
        .field("f_version", CTypes.U64)
        .field("f_security", CTypes.VOID_PTR)
        .field("private_data", CTypes.VOID_PTR)
        .field("f_ep", CTypes.ptr("struct hlist_head *"))
        .field("f_mapping", CTypes.ptr("struct address_space *"))
        .field("f_wb_err", CTypes.ERRSEQ_T)
        .field("f_sb_err", CTypes.ERRSEQ_T)
        .aligned(4)
        .build();

    /** sizeof(struct file): 232. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct file): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code union {anon} f_u;} at offset 0 (16 bytes). */
    public static final long F_U = LAYOUT.offsetOf("f_u");

    /** {@code struct llist_node fu_llist;} at offset 0 (8 bytes). */
    public static final long F_U_FU_LLIST = LAYOUT.offsetOf("f_u.fu_llist");

    /** {@code struct callback_head fu_rcuhead;} at offset 0 (16 bytes). */
    public static final long F_U_FU_RCUHEAD = LAYOUT.offsetOf("f_u.fu_rcuhead");

    /** {@code struct path f_path;} at offset 16 (16 bytes). */
    public static final long F_PATH = LAYOUT.offsetOf("f_path");

    /** {@code struct inode * f_inode;} at offset 32 (8 bytes). */
    public static final long F_INODE = LAYOUT.offsetOf("f_inode");

    /** {@code const struct file_operations * f_op;} at offset 40 (8 bytes). */
    public static final long F_OP = LAYOUT.offsetOf("f_op");

    /** {@code spinlock_t f_lock;} at offset 48 (4 bytes). */
    public static final long F_LOCK = LAYOUT.offsetOf("f_lock");

    /** {@code enum rw_hint f_write_hint;} at offset 52 (4 bytes). */
    public static final long F_WRITE_HINT = LAYOUT.offsetOf("f_write_hint");

    /** {@code atomic_long_t f_count;} at offset 56 (8 bytes). */
    public static final long F_COUNT = LAYOUT.offsetOf("f_count");

    /** {@code unsigned int f_flags;} at offset 64 (4 bytes). */
    public static final long F_FLAGS = LAYOUT.offsetOf("f_flags");

    /** {@code fmode_t f_mode;} at offset 68 (4 bytes). */
    public static final long F_MODE = LAYOUT.offsetOf("f_mode");

    /** {@code struct mutex f_pos_lock;} at offset 72 (32 bytes). */
    public static final long F_POS_LOCK = LAYOUT.offsetOf("f_pos_lock");

    /** {@code loff_t f_pos;} at offset 104 (8 bytes). */
    public static final long F_POS = LAYOUT.offsetOf("f_pos");

    /** {@code struct fown_struct f_owner;} at offset 112 (32 bytes). */
    public static final long F_OWNER = LAYOUT.offsetOf("f_owner");

    /** {@code const struct cred * f_cred;} at offset 144 (8 bytes). */
    public static final long F_CRED = LAYOUT.offsetOf("f_cred");

    /** {@code struct file_ra_state f_ra;} at offset 152 (32 bytes). */
    public static final long F_RA = LAYOUT.offsetOf("f_ra");

    /** {@code u64 f_version;} at offset 184 (8 bytes). */
    public static final long F_VERSION = LAYOUT.offsetOf("f_version");

    /** {@code void * f_security;} at offset 192 (8 bytes). */
    public static final long F_SECURITY = LAYOUT.offsetOf("f_security");

    /** {@code void * private_data;} at offset 200 (8 bytes). */
    public static final long PRIVATE_DATA = LAYOUT.offsetOf("private_data");

    /** {@code struct hlist_head * f_ep;} at offset 208 (8 bytes). */
    public static final long F_EP = LAYOUT.offsetOf("f_ep");

    /** {@code struct address_space * f_mapping;} at offset 216 (8 bytes). */
    public static final long F_MAPPING = LAYOUT.offsetOf("f_mapping");

    /** {@code errseq_t f_wb_err;} at offset 224 (4 bytes). */
    public static final long F_WB_ERR = LAYOUT.offsetOf("f_wb_err");

    /** {@code errseq_t f_sb_err;} at offset 228 (4 bytes). */
    public static final long F_SB_ERR = LAYOUT.offsetOf("f_sb_err");

    private File() {
    }
}
