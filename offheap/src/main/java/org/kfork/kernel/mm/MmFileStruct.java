package org.kfork.kernel.mm;

import org.kfork.kernel.struct.RbRootCached;
import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * The minimal file model of the mm issue, off-heap: {@code struct file}, its inode and its
 * address_space folded into one object (each file has its own inode here). This is NOT the
 * kernel's layout of any of the three (struct file alone is 232 bytes): only the fields the mm
 * code uses, so that files, exe_file and VM_DENYWRITE behave as in 5.12. The path string lives on
 * the Java side ({@link OffHeapMmSystem}), for the maps view.
 *
 * <pre>
 * +-----+------+----------------------------------------------------------+
 * |   0 |    8 | f_count          atomic_long_t    (struct file)          |
 * |   8 |    4 | f_mode           fmode_t          (FMODE_READ/WRITE)     |
 * |  12 |    4 | id               unsigned int     (Java-side path index) |
 * |  16 |    8 | f_op_vm_ops      const struct vm_operations_struct *     |
 * |  24 |    8 | i_ino            unsigned long    (struct inode)         |
 * |  32 |    4 | i_writecount     atomic_t         (struct inode)         |
 * |  36 |    4 | i_mmap_writable  atomic_t         (struct address_space) |
 * |  40 |   16 | i_mmap           struct rb_root_cached (address_space)   |
 * |  56 |    8 | vm_opens         long             (vm_ops open - close)  |
 * |  64 |    8 | i_size           loff_t           (struct inode)         |
 * |  72 |    8 | shmem_flags      unsigned long    (shmem_inode_info)     |
 * |  80 |   24 | i_pages          struct idr       (address_space's xarray)|
 * | 104 |    8 | nrpages          unsigned long    (struct address_space) |
 * +-----+------+----------------------------------------------------------+
 *   sizeof 112, alignof 8
 * </pre>
 */
public final class MmFileStruct {
    /** The engine's layout. */
    public static final StructLayout LAYOUT = Struct.named("kfork_mm_file")
        .field("f_count", CTypes.ATOMIC_LONG_T)
        .field("f_mode", CTypes.UINT)
        .field("id", CTypes.UINT)
        .field("f_op_vm_ops", CTypes.ptr("const struct vm_operations_struct *"))
        .field("i_ino", CTypes.ULONG)
        .field("i_writecount", CTypes.ATOMIC_T)
        .field("i_mmap_writable", CTypes.ATOMIC_T)
        .field("i_mmap", RbRootCached.LAYOUT)
        .field("vm_opens", CTypes.LONG)
        .field("i_size", CTypes.LONG)
        .field("shmem_flags", CTypes.ULONG)
        .field("i_pages", org.kfork.kernel.struct.Idr.LAYOUT)
        .field("nrpages", CTypes.ULONG)
        .build();
    /** Size: 112. */
    public static final int SIZEOF = (int) LAYOUT.size();
    /** f_count. */
    public static final long F_COUNT = LAYOUT.offsetOf("f_count");
    /** f_mode. */
    public static final long F_MODE = LAYOUT.offsetOf("f_mode");
    /** Java-side id (path). */
    public static final long ID = LAYOUT.offsetOf("id");
    /** The vm_ops the file's mmap installs. */
    public static final long F_OP_VM_OPS = LAYOUT.offsetOf("f_op_vm_ops");
    /** i_ino. */
    public static final long I_INO = LAYOUT.offsetOf("i_ino");
    /** i_writecount. */
    public static final long I_WRITECOUNT = LAYOUT.offsetOf("i_writecount");
    /** i_mmap_writable. */
    public static final long I_MMAP_WRITABLE = LAYOUT.offsetOf("i_mmap_writable");
    /** i_mmap. */
    public static final long I_MMAP = LAYOUT.offsetOf("i_mmap");
    /** vm_ops->open calls less vm_ops->close calls. */
    public static final long VM_OPENS = LAYOUT.offsetOf("vm_opens");
    /** i_size: a shmem file's size, which shmem_acct_size charged. */
    public static final long I_SIZE = LAYOUT.offsetOf("i_size");
    /** SHMEM_I(inode)->flags: VM_NORESERVE or 0, for a shmem file. */
    public static final long SHMEM_FLAGS = LAYOUT.offsetOf("shmem_flags");
    /**
     * i_pages: the page cache, page index to page. 5.12's is a struct xarray; the model keeps an
     * IDR's radix tree ({@link org.kfork.ds.Idr}, ids up to INT_MAX) with a small xa_load/xa_store
     * on top ({@link Filemap}).
     */
    public static final long I_PAGES = LAYOUT.offsetOf("i_pages");
    /** nrpages: the pages in the page cache. */
    public static final long NRPAGES = LAYOUT.offsetOf("nrpages");
    /** FMODE_READ. */
    public static final int FMODE_READ = 0x1;
    /** FMODE_WRITE. */
    public static final int FMODE_WRITE = 0x2;

    private MmFileStruct() {
    }
}
