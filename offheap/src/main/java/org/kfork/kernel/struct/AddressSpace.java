package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct address_space}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The page cache of a file and the tree of the VMAs that map it (i_mmap): dup_mmap links a
 * child's file VMAs into it, under i_mmap_rwsem, and counts VM_SHARED writable ones in
 * i_mmap_writable.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/fs.h:453; __randomize_layout is a no-op without RANDSTRUCT
 * (CONFIG_GCC_PLUGINS is off: no gcc plugin headers); declared
 * __attribute__((aligned(sizeof(long)))). Absent in this config: nr_thps
 * (CONFIG_READ_ONLY_THP_FOR_FS not set).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | host                           struct inode *                          |
 * |     8 |   16 | i_pages                        struct xarray                           |
 * |    24 |    4 | gfp_mask                       gfp_t                                   |
 * |    28 |    4 | i_mmap_writable                atomic_t                                |
 * |    32 |   16 | i_mmap                         struct rb_root_cached                   |
 * |    48 |   40 | i_mmap_rwsem                   struct rw_semaphore                     |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    88 |    8 | nrpages                        long unsigned int                       |
 * |    96 |    8 | nrexceptional                  long unsigned int                       |
 * |   104 |    8 | writeback_index                long unsigned int                       |
 * |   112 |    8 | a_ops                          const struct address_space_operations * |
 * |   120 |    8 | flags                          long unsigned int                       |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |    4 | wb_err                         errseq_t                                |
 * |   132 |    4 | private_lock                   spinlock_t                              |
 * |   136 |   16 | private_list                   struct list_head                        |
 * |   152 |    8 | private_data                   void *                                  |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 160, alignof 8
 * </pre>
 */
public final class AddressSpace {
    /** The engine's layout of {@code struct address_space}. */
    public static final StructLayout LAYOUT = Struct.named("address_space")
        .field("host", CTypes.ptr("struct inode *"))
        .field("i_pages", Xarray.LAYOUT)
        .field("gfp_mask", CTypes.GFP_T)
        .field("i_mmap_writable", CTypes.ATOMIC_T)
        .field("i_mmap", RbRootCached.LAYOUT)
        .field("i_mmap_rwsem", RwSemaphore.LAYOUT)
        .field("nrpages", CTypes.ULONG)
        .field("nrexceptional", CTypes.ULONG)
        .field("writeback_index", CTypes.ULONG)
        .field("a_ops", CTypes.ptr("const struct address_space_operations *"))
        .field("flags", CTypes.ULONG)
        .field("wb_err", CTypes.ERRSEQ_T)
        .field("private_lock", CTypes.SPINLOCK_T)
        .field("private_list", ListHead.LAYOUT)
        .field("private_data", CTypes.VOID_PTR)
        .aligned(8)
        .build();

    /** sizeof(struct address_space): 160. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct address_space): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct inode * host;} at offset 0 (8 bytes). */
    public static final long HOST = LAYOUT.offsetOf("host");

    /** {@code struct xarray i_pages;} at offset 8 (16 bytes). */
    public static final long I_PAGES = LAYOUT.offsetOf("i_pages");

    /** {@code gfp_t gfp_mask;} at offset 24 (4 bytes). */
    public static final long GFP_MASK = LAYOUT.offsetOf("gfp_mask");

    /** {@code atomic_t i_mmap_writable;} at offset 28 (4 bytes). */
    public static final long I_MMAP_WRITABLE = LAYOUT.offsetOf("i_mmap_writable");

    /** {@code struct rb_root_cached i_mmap;} at offset 32 (16 bytes). */
    public static final long I_MMAP = LAYOUT.offsetOf("i_mmap");

    /** {@code struct rw_semaphore i_mmap_rwsem;} at offset 48 (40 bytes). */
    public static final long I_MMAP_RWSEM = LAYOUT.offsetOf("i_mmap_rwsem");

    /** {@code long unsigned int nrpages;} at offset 88 (8 bytes). */
    public static final long NRPAGES = LAYOUT.offsetOf("nrpages");

    /** {@code long unsigned int nrexceptional;} at offset 96 (8 bytes). */
    public static final long NREXCEPTIONAL = LAYOUT.offsetOf("nrexceptional");

    /** {@code long unsigned int writeback_index;} at offset 104 (8 bytes). */
    public static final long WRITEBACK_INDEX = LAYOUT.offsetOf("writeback_index");

    /** {@code const struct address_space_operations * a_ops;} at offset 112 (8 bytes). */
    public static final long A_OPS = LAYOUT.offsetOf("a_ops");

    /** {@code long unsigned int flags;} at offset 120 (8 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code errseq_t wb_err;} at offset 128 (4 bytes). */
    public static final long WB_ERR = LAYOUT.offsetOf("wb_err");

    /** {@code spinlock_t private_lock;} at offset 132 (4 bytes). */
    public static final long PRIVATE_LOCK = LAYOUT.offsetOf("private_lock");

    /** {@code struct list_head private_list;} at offset 136 (16 bytes). */
    public static final long PRIVATE_LIST = LAYOUT.offsetOf("private_list");

    /** {@code void * private_data;} at offset 152 (8 bytes). */
    public static final long PRIVATE_DATA = LAYOUT.offsetOf("private_data");

    private AddressSpace() {
    }
}
