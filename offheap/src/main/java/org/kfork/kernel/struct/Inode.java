package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct inode}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A file's inode: mode, owner, size and times, the count of references, and i_data, the
 * address_space that i_mapping usually points to. The model's files hang off minimal inodes.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/fs.h:612; __randomize_layout is a no-op without RANDSTRUCT
 * (CONFIG_GCC_PLUGINS is off: no gcc plugin headers). Absent in this config: i_size_seqcount
 * (__NEED_I_SIZE_ORDERED only for BITS_PER_LONG==32 && SMP),
 * i_wb/i_wb_frn_winner/i_wb_frn_avg_time/i_wb_frn_history (CONFIG_CGROUP_WRITEBACK not set: needs
 * BLK_CGROUP, which is not set), i_crypt_info (CONFIG_FS_ENCRYPTION not set), i_verity_info
 * (CONFIG_FS_VERITY not set).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    2 | i_mode                         umode_t                                 |
 * |     2 |    2 | i_opflags                      short unsigned int                      |
 * |     4 |    4 | i_uid                          kuid_t                                  |
 * |     8 |    4 | i_gid                          kgid_t                                  |
 * |    12 |    4 | i_flags                        unsigned int                            |
 * |    16 |    8 | i_acl                          struct posix_acl *                      |
 * |    24 |    8 | i_default_acl                  struct posix_acl *                      |
 * |    32 |    8 | i_op                           const struct inode_operations *         |
 * |    40 |    8 | i_sb                           struct super_block *                    |
 * |    48 |    8 | i_mapping                      struct address_space *                  |
 * |    56 |    8 | i_security                     void *                                  |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | i_ino                          long unsigned int                       |
 * |    72 |    4 | {anon union @72}               union {anon}                            |
 * |    72 |    4 |   i_nlink                      const unsigned int                      |
 * |    72 |    4 |   __i_nlink                    unsigned int                            |
 * |    76 |    4 | i_rdev                         dev_t                                   |
 * |    80 |    8 | i_size                         loff_t                                  |
 * |    88 |   16 | i_atime                        struct timespec64                       |
 * |   104 |   16 | i_mtime                        struct timespec64                       |
 * |   120 |   16 | i_ctime                        struct timespec64                       |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   136 |    4 | i_lock                         spinlock_t                              |
 * |   140 |    2 | i_bytes                        short unsigned int                      |
 * |   142 |    1 | i_blkbits                      u8                                      |
 * |   143 |    1 | i_write_hint                   u8                                      |
 * |   144 |    8 | i_blocks                       blkcnt_t                                |
 * |   152 |    8 | i_state                        long unsigned int                       |
 * |   160 |   40 | i_rwsem                        struct rw_semaphore                     |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   200 |    8 | dirtied_when                   long unsigned int                       |
 * |   208 |    8 | dirtied_time_when              long unsigned int                       |
 * |   216 |   16 | i_hash                         struct hlist_node                       |
 * |   232 |   16 | i_io_list                      struct list_head                        |
 * |   248 |   16 | i_lru                          struct list_head                        |
 * +=======+======+ cacheline 4 (256 bytes) ===============================================+
 * |   264 |   16 | i_sb_list                      struct list_head                        |
 * |   280 |   16 | i_wb_list                      struct list_head                        |
 * |   296 |   16 | {anon union @296}              union {anon}                            |
 * |   296 |    8 |   i_dentry                     struct hlist_head                       |
 * |   296 |   16 |   i_rcu                        struct callback_head                    |
 * |   312 |    8 | i_version                      atomic64_t                              |
 * +=======+======+ cacheline 5 (320 bytes) ===============================================+
 * |   320 |    8 | i_sequence                     atomic64_t                              |
 * |   328 |    4 | i_count                        atomic_t                                |
 * |   332 |    4 | i_dio_count                    atomic_t                                |
 * |   336 |    4 | i_writecount                   atomic_t                                |
 * |   340 |    4 | i_readcount                    atomic_t                                |
 * |   344 |    8 | {anon union @344}              union {anon}                            |
 * |   344 |    8 |   i_fop                        const struct file_operations *          |
 * |   344 |    8 |   free_inode                   fnptr                                   |
 * |   352 |    8 | i_flctx                        struct file_lock_context *              |
 * |   360 |  160 | i_data                         struct address_space                    |
 * +=======+======+ cacheline 8 (512 bytes) ===============================================+
 * |   520 |   16 | i_devices                      struct list_head                        |
 * |   536 |    8 | {anon union @536}              union {anon}                            |
 * |   536 |    8 |   i_pipe                       struct pipe_inode_info *                |
 * |   536 |    8 |   i_cdev                       struct cdev *                           |
 * |   536 |    8 |   i_link                       char *                                  |
 * |   536 |    4 |   i_dir_seq                    unsigned int                            |
 * |   544 |    4 | i_generation                   __u32                                   |
 * |   548 |    4 | i_fsnotify_mask                __u32                                   |
 * |   552 |    8 | i_fsnotify_marks               struct fsnotify_mark_connector *        |
 * |   560 |    8 | i_private                      void *                                  |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 568, alignof 8
 * </pre>
 */
public final class Inode {
    /** The engine's layout of {@code struct inode}. */
    public static final StructLayout LAYOUT = Struct.named("inode")
        .field("i_mode", CTypes.UMODE_T)
        .field("i_opflags", CTypes.USHORT)
        .field("i_uid", CTypes.KUID_T)
        .field("i_gid", CTypes.KGID_T)
        .field("i_flags", CTypes.UINT)
        .field("i_acl", CTypes.ptr("struct posix_acl *"))
        .field("i_default_acl", CTypes.ptr("struct posix_acl *"))
        .field("i_op", CTypes.ptr("const struct inode_operations *"))
        .field("i_sb", CTypes.ptr("struct super_block *"))
        .field("i_mapping", CTypes.ptr("struct address_space *"))
        .field("i_security", CTypes.VOID_PTR)
        .field("i_ino", CTypes.ULONG)
        .anonymous(Union.anonymous()
                .field("i_nlink", CTypes.alias("const unsigned int", CTypes.UINT))
                .field("__i_nlink", CTypes.UINT))
        .field("i_rdev", CTypes.DEV_T)
        .field("i_size", CTypes.LOFF_T)
        .field("i_atime", OpaqueTypes.TIMESPEC64)
        .field("i_mtime", OpaqueTypes.TIMESPEC64)
        .field("i_ctime", OpaqueTypes.TIMESPEC64)
        .field("i_lock", CTypes.SPINLOCK_T)
        .field("i_bytes", CTypes.USHORT)
        .field("i_blkbits", CTypes.U8)
        .field("i_write_hint", CTypes.U8)
        .field("i_blocks", CTypes.BLKCNT_T)
        .field("i_state", CTypes.ULONG)
        .field("i_rwsem", RwSemaphore.LAYOUT)
        .field("dirtied_when", CTypes.ULONG)
        .field("dirtied_time_when", CTypes.ULONG)
        .field("i_hash", HlistNode.LAYOUT)
        .field("i_io_list", ListHead.LAYOUT)
        .field("i_lru", ListHead.LAYOUT)
        .field("i_sb_list", ListHead.LAYOUT)
        .field("i_wb_list", ListHead.LAYOUT)
        .anonymous(Union.anonymous()
                .field("i_dentry", HlistHead.LAYOUT)
                .field("i_rcu", CallbackHead.LAYOUT))
        .field("i_version", CTypes.ATOMIC64_T)
        .field("i_sequence", CTypes.ATOMIC64_T)
        .field("i_count", CTypes.ATOMIC_T)
        .field("i_dio_count", CTypes.ATOMIC_T)
        .field("i_writecount", CTypes.ATOMIC_T)
        .field("i_readcount", CTypes.ATOMIC_T)
        .anonymous(Union.anonymous()
                .field("i_fop", CTypes.ptr("const struct file_operations *"))
                .field("free_inode", CTypes.FNPTR))
        .field("i_flctx", CTypes.ptr("struct file_lock_context *"))
        .field("i_data", AddressSpace.LAYOUT)
        .field("i_devices", ListHead.LAYOUT)
        .anonymous(Union.anonymous()
                .field("i_pipe", CTypes.ptr("struct pipe_inode_info *"))
                .field("i_cdev", CTypes.ptr("struct cdev *"))
                .field("i_link", CTypes.ptr("char *"))
                .field("i_dir_seq", CTypes.UINT))
        .field("i_generation", CTypes.UAPI_U32)
        .field("i_fsnotify_mask", CTypes.UAPI_U32)
        .field("i_fsnotify_marks", CTypes.ptr("struct fsnotify_mark_connector *"))
        .field("i_private", CTypes.VOID_PTR)
        .build();

    /** sizeof(struct inode): 568. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct inode): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code umode_t i_mode;} at offset 0 (2 bytes). */
    public static final long I_MODE = LAYOUT.offsetOf("i_mode");

    /** {@code short unsigned int i_opflags;} at offset 2 (2 bytes). */
    public static final long I_OPFLAGS = LAYOUT.offsetOf("i_opflags");

    /** {@code kuid_t i_uid;} at offset 4 (4 bytes). */
    public static final long I_UID = LAYOUT.offsetOf("i_uid");

    /** {@code kgid_t i_gid;} at offset 8 (4 bytes). */
    public static final long I_GID = LAYOUT.offsetOf("i_gid");

    /** {@code unsigned int i_flags;} at offset 12 (4 bytes). */
    public static final long I_FLAGS = LAYOUT.offsetOf("i_flags");

    /** {@code struct posix_acl * i_acl;} at offset 16 (8 bytes). */
    public static final long I_ACL = LAYOUT.offsetOf("i_acl");

    /** {@code struct posix_acl * i_default_acl;} at offset 24 (8 bytes). */
    public static final long I_DEFAULT_ACL = LAYOUT.offsetOf("i_default_acl");

    /** {@code const struct inode_operations * i_op;} at offset 32 (8 bytes). */
    public static final long I_OP = LAYOUT.offsetOf("i_op");

    /** {@code struct super_block * i_sb;} at offset 40 (8 bytes). */
    public static final long I_SB = LAYOUT.offsetOf("i_sb");

    /** {@code struct address_space * i_mapping;} at offset 48 (8 bytes). */
    public static final long I_MAPPING = LAYOUT.offsetOf("i_mapping");

    /** {@code void * i_security;} at offset 56 (8 bytes). */
    public static final long I_SECURITY = LAYOUT.offsetOf("i_security");

    /** {@code long unsigned int i_ino;} at offset 64 (8 bytes). */
    public static final long I_INO = LAYOUT.offsetOf("i_ino");

    /** {@code const unsigned int i_nlink;} at offset 72 (4 bytes). */
    public static final long I_NLINK = LAYOUT.offsetOf("i_nlink");

    /** {@code unsigned int __i_nlink;} at offset 72 (4 bytes). */
    public static final long __I_NLINK = LAYOUT.offsetOf("__i_nlink");

    /** {@code dev_t i_rdev;} at offset 76 (4 bytes). */
    public static final long I_RDEV = LAYOUT.offsetOf("i_rdev");

    /** {@code loff_t i_size;} at offset 80 (8 bytes). */
    public static final long I_SIZE = LAYOUT.offsetOf("i_size");

    /** {@code struct timespec64 i_atime;} at offset 88 (16 bytes). */
    public static final long I_ATIME = LAYOUT.offsetOf("i_atime");

    /** {@code struct timespec64 i_mtime;} at offset 104 (16 bytes). */
    public static final long I_MTIME = LAYOUT.offsetOf("i_mtime");

    /** {@code struct timespec64 i_ctime;} at offset 120 (16 bytes). */
    public static final long I_CTIME = LAYOUT.offsetOf("i_ctime");

    /** {@code spinlock_t i_lock;} at offset 136 (4 bytes). */
    public static final long I_LOCK = LAYOUT.offsetOf("i_lock");

    /** {@code short unsigned int i_bytes;} at offset 140 (2 bytes). */
    public static final long I_BYTES = LAYOUT.offsetOf("i_bytes");

    /** {@code u8 i_blkbits;} at offset 142 (1 bytes). */
    public static final long I_BLKBITS = LAYOUT.offsetOf("i_blkbits");

    /** {@code u8 i_write_hint;} at offset 143 (1 bytes). */
    public static final long I_WRITE_HINT = LAYOUT.offsetOf("i_write_hint");

    /** {@code blkcnt_t i_blocks;} at offset 144 (8 bytes). */
    public static final long I_BLOCKS = LAYOUT.offsetOf("i_blocks");

    /** {@code long unsigned int i_state;} at offset 152 (8 bytes). */
    public static final long I_STATE = LAYOUT.offsetOf("i_state");

    /** {@code struct rw_semaphore i_rwsem;} at offset 160 (40 bytes). */
    public static final long I_RWSEM = LAYOUT.offsetOf("i_rwsem");

    /** {@code long unsigned int dirtied_when;} at offset 200 (8 bytes). */
    public static final long DIRTIED_WHEN = LAYOUT.offsetOf("dirtied_when");

    /** {@code long unsigned int dirtied_time_when;} at offset 208 (8 bytes). */
    public static final long DIRTIED_TIME_WHEN = LAYOUT.offsetOf("dirtied_time_when");

    /** {@code struct hlist_node i_hash;} at offset 216 (16 bytes). */
    public static final long I_HASH = LAYOUT.offsetOf("i_hash");

    /** {@code struct list_head i_io_list;} at offset 232 (16 bytes). */
    public static final long I_IO_LIST = LAYOUT.offsetOf("i_io_list");

    /** {@code struct list_head i_lru;} at offset 248 (16 bytes). */
    public static final long I_LRU = LAYOUT.offsetOf("i_lru");

    /** {@code struct list_head i_sb_list;} at offset 264 (16 bytes). */
    public static final long I_SB_LIST = LAYOUT.offsetOf("i_sb_list");

    /** {@code struct list_head i_wb_list;} at offset 280 (16 bytes). */
    public static final long I_WB_LIST = LAYOUT.offsetOf("i_wb_list");

    /** {@code struct hlist_head i_dentry;} at offset 296 (8 bytes). */
    public static final long I_DENTRY = LAYOUT.offsetOf("i_dentry");

    /** {@code struct callback_head i_rcu;} at offset 296 (16 bytes). */
    public static final long I_RCU = LAYOUT.offsetOf("i_rcu");

    /** {@code atomic64_t i_version;} at offset 312 (8 bytes). */
    public static final long I_VERSION = LAYOUT.offsetOf("i_version");

    /** {@code atomic64_t i_sequence;} at offset 320 (8 bytes). */
    public static final long I_SEQUENCE = LAYOUT.offsetOf("i_sequence");

    /** {@code atomic_t i_count;} at offset 328 (4 bytes). */
    public static final long I_COUNT = LAYOUT.offsetOf("i_count");

    /** {@code atomic_t i_dio_count;} at offset 332 (4 bytes). */
    public static final long I_DIO_COUNT = LAYOUT.offsetOf("i_dio_count");

    /** {@code atomic_t i_writecount;} at offset 336 (4 bytes). */
    public static final long I_WRITECOUNT = LAYOUT.offsetOf("i_writecount");

    /** {@code atomic_t i_readcount;} at offset 340 (4 bytes). */
    public static final long I_READCOUNT = LAYOUT.offsetOf("i_readcount");

    /** {@code const struct file_operations * i_fop;} at offset 344 (8 bytes). */
    public static final long I_FOP = LAYOUT.offsetOf("i_fop");

    /** {@code fnptr free_inode;} at offset 344 (8 bytes). */
    public static final long FREE_INODE = LAYOUT.offsetOf("free_inode");

    /** {@code struct file_lock_context * i_flctx;} at offset 352 (8 bytes). */
    public static final long I_FLCTX = LAYOUT.offsetOf("i_flctx");

    /** {@code struct address_space i_data;} at offset 360 (160 bytes). */
    public static final long I_DATA = LAYOUT.offsetOf("i_data");

    /** {@code struct list_head i_devices;} at offset 520 (16 bytes). */
    public static final long I_DEVICES = LAYOUT.offsetOf("i_devices");

    /** {@code struct pipe_inode_info * i_pipe;} at offset 536 (8 bytes). */
    public static final long I_PIPE = LAYOUT.offsetOf("i_pipe");

    /** {@code struct cdev * i_cdev;} at offset 536 (8 bytes). */
    public static final long I_CDEV = LAYOUT.offsetOf("i_cdev");

    /** {@code char * i_link;} at offset 536 (8 bytes). */
    public static final long I_LINK = LAYOUT.offsetOf("i_link");

    /** {@code unsigned int i_dir_seq;} at offset 536 (4 bytes). */
    public static final long I_DIR_SEQ = LAYOUT.offsetOf("i_dir_seq");

    /** {@code __u32 i_generation;} at offset 544 (4 bytes). */
    public static final long I_GENERATION = LAYOUT.offsetOf("i_generation");

    /** {@code __u32 i_fsnotify_mask;} at offset 548 (4 bytes). */
    public static final long I_FSNOTIFY_MASK = LAYOUT.offsetOf("i_fsnotify_mask");

    /** {@code struct fsnotify_mark_connector * i_fsnotify_marks;} at offset 552 (8 bytes). */
    public static final long I_FSNOTIFY_MARKS = LAYOUT.offsetOf("i_fsnotify_marks");

    /** {@code void * i_private;} at offset 560 (8 bytes). */
    public static final long I_PRIVATE = LAYOUT.offsetOf("i_private");

    private Inode() {
    }
}
