package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct mm_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * An address space: the VMA list and rb-tree, the page-table root, counters and locks. dup_mm
 * copies the parent's, then dup_mmap its VMAs. The cpu_bitmap flexible array follows the struct
 * (cpumask_size() bytes in the slab object).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * sizeof excludes flexible cpu_bitmap[]; mm_cachep object size = sizeof(mm_struct) +
 * cpumask_size() = 1016 + 8 (NR_CPUS=64) = 1024. Absent in this config: pmd_huge_pte (x86_64 uses
 * split PMD ptlocks), numa_next_scan/numa_scan_offset/numa_scan_seq (CONFIG_NUMA_BALANCING=n in
 * defconfig; would add 24 bytes after notifier_subscriptions).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 | 1016 | {anon struct @0}               struct {anon}                           |
 * |     0 |    8 |   mmap                         struct vm_area_struct *                 |
 * |     8 |    8 |   mm_rb                        struct rb_root                          |
 * |    16 |    8 |   vmacache_seqnum              u64                                     |
 * |    24 |    8 |   get_unmapped_area            fnptr                                   |
 * |    32 |    8 |   mmap_base                    long unsigned int                       |
 * |    40 |    8 |   mmap_legacy_base             long unsigned int                       |
 * |    48 |    8 |   mmap_compat_base             long unsigned int                       |
 * |    56 |    8 |   mmap_compat_legacy_base      long unsigned int                       |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 |   task_size                    long unsigned int                       |
 * |    72 |    8 |   highest_vm_end               long unsigned int                       |
 * |    80 |    8 |   pgd                          pgd_t *                                 |
 * |    88 |    4 |   membarrier_state             atomic_t                                |
 * |    92 |    4 |   mm_users                     atomic_t                                |
 * |    96 |    4 |   mm_count                     atomic_t                                |
 * |   100 |    4 |   has_pinned                   atomic_t                                |
 * |   104 |    4 |   write_protect_seq            seqcount_t                              |
 * |   112 |    8 |   pgtables_bytes               atomic_long_t                           |
 * |   120 |    4 |   map_count                    int                                     |
 * |   124 |    4 |   page_table_lock              spinlock_t                              |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |   40 |   mmap_lock                    struct rw_semaphore                     |
 * |   168 |   16 |   mmlist                       struct list_head                        |
 * |   184 |    8 |   hiwater_rss                  long unsigned int                       |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   192 |    8 |   hiwater_vm                   long unsigned int                       |
 * |   200 |    8 |   total_vm                     long unsigned int                       |
 * |   208 |    8 |   locked_vm                    long unsigned int                       |
 * |   216 |    8 |   pinned_vm                    atomic64_t                              |
 * |   224 |    8 |   data_vm                      long unsigned int                       |
 * |   232 |    8 |   exec_vm                      long unsigned int                       |
 * |   240 |    8 |   stack_vm                     long unsigned int                       |
 * |   248 |    8 |   def_flags                    long unsigned int                       |
 * +=======+======+ cacheline 4 (256 bytes) ===============================================+
 * |   256 |    4 |   arg_lock                     spinlock_t                              |
 * |   264 |    8 |   start_code                   long unsigned int                       |
 * |   272 |    8 |   end_code                     long unsigned int                       |
 * |   280 |    8 |   start_data                   long unsigned int                       |
 * |   288 |    8 |   end_data                     long unsigned int                       |
 * |   296 |    8 |   start_brk                    long unsigned int                       |
 * |   304 |    8 |   brk                          long unsigned int                       |
 * |   312 |    8 |   start_stack                  long unsigned int                       |
 * +=======+======+ cacheline 5 (320 bytes) ===============================================+
 * |   320 |    8 |   arg_start                    long unsigned int                       |
 * |   328 |    8 |   arg_end                      long unsigned int                       |
 * |   336 |    8 |   env_start                    long unsigned int                       |
 * |   344 |    8 |   env_end                      long unsigned int                       |
 * |   352 |  368 |   saved_auxv                   long unsigned int[46]                   |
 * +=======+======+ cacheline 11 (704 bytes) ==============================================+
 * |   720 |   32 |   rss_stat                     struct mm_rss_stat                      |
 * |   752 |    8 |   binfmt                       struct linux_binfmt *                   |
 * |   760 |  128 |   context                      mm_context_t                            |
 * +=======+======+ cacheline 13 (832 bytes) ==============================================+
 * |   888 |    8 |   flags                        long unsigned int                       |
 * +=======+======+ cacheline 14 (896 bytes) ==============================================+
 * |   896 |    8 |   core_state                   struct core_state *                     |
 * |   904 |    4 |   ioctx_lock                   spinlock_t                              |
 * |   912 |    8 |   ioctx_table                  struct kioctx_table *                   |
 * |   920 |    8 |   owner                        struct task_struct *                    |
 * |   928 |    8 |   user_ns                      struct user_namespace *                 |
 * |   936 |    8 |   exe_file                     struct file *                           |
 * |   944 |    8 |   notifier_subscriptions       struct mmu_notifier_subscriptions *     |
 * |   952 |    4 |   tlb_flush_pending            atomic_t                                |
 * |   956 |    1 |   tlb_flush_batched            bool                                    |
 * +=======+======+ cacheline 15 (960 bytes) ==============================================+
 * |   960 |    8 |   uprobes_state                struct uprobes_state                    |
 * |   968 |    8 |   hugetlb_usage                atomic_long_t                           |
 * |   976 |   32 |   async_put_work               struct work_struct                      |
 * |  1008 |    4 |   pasid                        u32                                     |
 * |  1016 |    0 | cpu_bitmap                     long unsigned int[]                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 1016, alignof 8
 * </pre>
 */
public final class MmStruct {
    /** The engine's layout of {@code struct mm_struct}. */
    public static final StructLayout LAYOUT = Struct.named("mm_struct")
        .anonymous(Struct.anonymous()
                .field("mmap", CTypes.ptr("struct vm_area_struct *"))
                .field("mm_rb", RbRoot.LAYOUT)
                .field("vmacache_seqnum", CTypes.U64)
                .field("get_unmapped_area", CTypes.FNPTR)
                .field("mmap_base", CTypes.ULONG)
                .field("mmap_legacy_base", CTypes.ULONG)
                .field("mmap_compat_base", CTypes.ULONG)
                .field("mmap_compat_legacy_base", CTypes.ULONG)
                .field("task_size", CTypes.ULONG)
                .field("highest_vm_end", CTypes.ULONG)
                .field("pgd", CTypes.ptr("pgd_t *"))
                .field("membarrier_state", CTypes.ATOMIC_T)
                .field("mm_users", CTypes.ATOMIC_T)
                .field("mm_count", CTypes.ATOMIC_T)
                .field("has_pinned", CTypes.ATOMIC_T)
                .field("write_protect_seq", CTypes.SEQCOUNT_T)
                .field("pgtables_bytes", CTypes.ATOMIC_LONG_T)
                .field("map_count", CTypes.INT)
                .field("page_table_lock", CTypes.SPINLOCK_T)
                .field("mmap_lock", RwSemaphore.LAYOUT)
                .field("mmlist", ListHead.LAYOUT)
                .field("hiwater_rss", CTypes.ULONG)
                .field("hiwater_vm", CTypes.ULONG)
                .field("total_vm", CTypes.ULONG)
                .field("locked_vm", CTypes.ULONG)
                .field("pinned_vm", CTypes.ATOMIC64_T)
                .field("data_vm", CTypes.ULONG)
                .field("exec_vm", CTypes.ULONG)
                .field("stack_vm", CTypes.ULONG)
                .field("def_flags", CTypes.ULONG)
                .field("arg_lock", CTypes.SPINLOCK_T)
                .field("start_code", CTypes.ULONG)
                .field("end_code", CTypes.ULONG)
                .field("start_data", CTypes.ULONG)
                .field("end_data", CTypes.ULONG)
                .field("start_brk", CTypes.ULONG)
                .field("brk", CTypes.ULONG)
                .field("start_stack", CTypes.ULONG)
                .field("arg_start", CTypes.ULONG)
                .field("arg_end", CTypes.ULONG)
                .field("env_start", CTypes.ULONG)
                .field("env_end", CTypes.ULONG)
                .array("saved_auxv", CTypes.ULONG, 46)
                .field("rss_stat", MmRssStat.LAYOUT)
                .field("binfmt", CTypes.ptr("struct linux_binfmt *"))
                .field("context", MmContext.LAYOUT)
                .field("flags", CTypes.ULONG)
                .field("core_state", CTypes.ptr("struct core_state *"))
                .field("ioctx_lock", CTypes.SPINLOCK_T)
                .field("ioctx_table", CTypes.ptr("struct kioctx_table *"))
                .field("owner", CTypes.ptr("struct task_struct *"))
                .field("user_ns", CTypes.ptr("struct user_namespace *"))
                .field("exe_file", CTypes.ptr("struct file *"))
                .field("notifier_subscriptions", CTypes.ptr("struct mmu_notifier_subscriptions *"))
                .field("tlb_flush_pending", CTypes.ATOMIC_T)
                .field("tlb_flush_batched", CTypes.BOOL)
                .field("uprobes_state", UprobesState.LAYOUT)
                .field("hugetlb_usage", CTypes.ATOMIC_LONG_T)
                .field("async_put_work", WorkStruct.LAYOUT)
                .field("pasid", CTypes.U32)
                .build())
        .flexibleArray("cpu_bitmap", CTypes.ULONG)
        .build();

    /** sizeof(struct mm_struct): 1016. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct mm_struct): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct vm_area_struct * mmap;} at offset 0 (8 bytes). */
    public static final long MMAP = LAYOUT.offsetOf("mmap");

    /** {@code struct rb_root mm_rb;} at offset 8 (8 bytes). */
    public static final long MM_RB = LAYOUT.offsetOf("mm_rb");

    /** {@code u64 vmacache_seqnum;} at offset 16 (8 bytes). */
    public static final long VMACACHE_SEQNUM = LAYOUT.offsetOf("vmacache_seqnum");

    /** {@code fnptr get_unmapped_area;} at offset 24 (8 bytes). */
    public static final long GET_UNMAPPED_AREA = LAYOUT.offsetOf("get_unmapped_area");

    /** {@code long unsigned int mmap_base;} at offset 32 (8 bytes). */
    public static final long MMAP_BASE = LAYOUT.offsetOf("mmap_base");

    /** {@code long unsigned int mmap_legacy_base;} at offset 40 (8 bytes). */
    public static final long MMAP_LEGACY_BASE = LAYOUT.offsetOf("mmap_legacy_base");

    /** {@code long unsigned int mmap_compat_base;} at offset 48 (8 bytes). */
    public static final long MMAP_COMPAT_BASE = LAYOUT.offsetOf("mmap_compat_base");

    /** {@code long unsigned int mmap_compat_legacy_base;} at offset 56 (8 bytes). */
    public static final long MMAP_COMPAT_LEGACY_BASE = LAYOUT.offsetOf("mmap_compat_legacy_base");

    /** {@code long unsigned int task_size;} at offset 64 (8 bytes). */
    public static final long TASK_SIZE = LAYOUT.offsetOf("task_size");

    /** {@code long unsigned int highest_vm_end;} at offset 72 (8 bytes). */
    public static final long HIGHEST_VM_END = LAYOUT.offsetOf("highest_vm_end");

    /** {@code pgd_t * pgd;} at offset 80 (8 bytes). */
    public static final long PGD = LAYOUT.offsetOf("pgd");

    /** {@code atomic_t membarrier_state;} at offset 88 (4 bytes). */
    public static final long MEMBARRIER_STATE = LAYOUT.offsetOf("membarrier_state");

    /** {@code atomic_t mm_users;} at offset 92 (4 bytes). */
    public static final long MM_USERS = LAYOUT.offsetOf("mm_users");

    /** {@code atomic_t mm_count;} at offset 96 (4 bytes). */
    public static final long MM_COUNT = LAYOUT.offsetOf("mm_count");

    /** {@code atomic_t has_pinned;} at offset 100 (4 bytes). */
    public static final long HAS_PINNED = LAYOUT.offsetOf("has_pinned");

    /** {@code seqcount_t write_protect_seq;} at offset 104 (4 bytes). */
    public static final long WRITE_PROTECT_SEQ = LAYOUT.offsetOf("write_protect_seq");

    /** {@code atomic_long_t pgtables_bytes;} at offset 112 (8 bytes). */
    public static final long PGTABLES_BYTES = LAYOUT.offsetOf("pgtables_bytes");

    /** {@code int map_count;} at offset 120 (4 bytes). */
    public static final long MAP_COUNT = LAYOUT.offsetOf("map_count");

    /** {@code spinlock_t page_table_lock;} at offset 124 (4 bytes). */
    public static final long PAGE_TABLE_LOCK = LAYOUT.offsetOf("page_table_lock");

    /** {@code struct rw_semaphore mmap_lock;} at offset 128 (40 bytes). */
    public static final long MMAP_LOCK = LAYOUT.offsetOf("mmap_lock");

    /** {@code struct list_head mmlist;} at offset 168 (16 bytes). */
    public static final long MMLIST = LAYOUT.offsetOf("mmlist");

    /** {@code long unsigned int hiwater_rss;} at offset 184 (8 bytes). */
    public static final long HIWATER_RSS = LAYOUT.offsetOf("hiwater_rss");

    /** {@code long unsigned int hiwater_vm;} at offset 192 (8 bytes). */
    public static final long HIWATER_VM = LAYOUT.offsetOf("hiwater_vm");

    /** {@code long unsigned int total_vm;} at offset 200 (8 bytes). */
    public static final long TOTAL_VM = LAYOUT.offsetOf("total_vm");

    /** {@code long unsigned int locked_vm;} at offset 208 (8 bytes). */
    public static final long LOCKED_VM = LAYOUT.offsetOf("locked_vm");

    /** {@code atomic64_t pinned_vm;} at offset 216 (8 bytes). */
    public static final long PINNED_VM = LAYOUT.offsetOf("pinned_vm");

    /** {@code long unsigned int data_vm;} at offset 224 (8 bytes). */
    public static final long DATA_VM = LAYOUT.offsetOf("data_vm");

    /** {@code long unsigned int exec_vm;} at offset 232 (8 bytes). */
    public static final long EXEC_VM = LAYOUT.offsetOf("exec_vm");

    /** {@code long unsigned int stack_vm;} at offset 240 (8 bytes). */
    public static final long STACK_VM = LAYOUT.offsetOf("stack_vm");

    /** {@code long unsigned int def_flags;} at offset 248 (8 bytes). */
    public static final long DEF_FLAGS = LAYOUT.offsetOf("def_flags");

    /** {@code spinlock_t arg_lock;} at offset 256 (4 bytes). */
    public static final long ARG_LOCK = LAYOUT.offsetOf("arg_lock");

    /** {@code long unsigned int start_code;} at offset 264 (8 bytes). */
    public static final long START_CODE = LAYOUT.offsetOf("start_code");

    /** {@code long unsigned int end_code;} at offset 272 (8 bytes). */
    public static final long END_CODE = LAYOUT.offsetOf("end_code");

    /** {@code long unsigned int start_data;} at offset 280 (8 bytes). */
    public static final long START_DATA = LAYOUT.offsetOf("start_data");

    /** {@code long unsigned int end_data;} at offset 288 (8 bytes). */
    public static final long END_DATA = LAYOUT.offsetOf("end_data");

    /** {@code long unsigned int start_brk;} at offset 296 (8 bytes). */
    public static final long START_BRK = LAYOUT.offsetOf("start_brk");

    /** {@code long unsigned int brk;} at offset 304 (8 bytes). */
    public static final long BRK = LAYOUT.offsetOf("brk");

    /** {@code long unsigned int start_stack;} at offset 312 (8 bytes). */
    public static final long START_STACK = LAYOUT.offsetOf("start_stack");

    /** {@code long unsigned int arg_start;} at offset 320 (8 bytes). */
    public static final long ARG_START = LAYOUT.offsetOf("arg_start");

    /** {@code long unsigned int arg_end;} at offset 328 (8 bytes). */
    public static final long ARG_END = LAYOUT.offsetOf("arg_end");

    /** {@code long unsigned int env_start;} at offset 336 (8 bytes). */
    public static final long ENV_START = LAYOUT.offsetOf("env_start");

    /** {@code long unsigned int env_end;} at offset 344 (8 bytes). */
    public static final long ENV_END = LAYOUT.offsetOf("env_end");

    /** {@code long unsigned int saved_auxv[46];} at offset 352 (368 bytes). */
    public static final long SAVED_AUXV = LAYOUT.offsetOf("saved_auxv");

    /** {@code struct mm_rss_stat rss_stat;} at offset 720 (32 bytes). */
    public static final long RSS_STAT = LAYOUT.offsetOf("rss_stat");

    /** {@code struct linux_binfmt * binfmt;} at offset 752 (8 bytes). */
    public static final long BINFMT = LAYOUT.offsetOf("binfmt");

    /** {@code mm_context_t context;} at offset 760 (128 bytes). */
    public static final long CONTEXT = LAYOUT.offsetOf("context");

    /** {@code long unsigned int flags;} at offset 888 (8 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code struct core_state * core_state;} at offset 896 (8 bytes). */
    public static final long CORE_STATE = LAYOUT.offsetOf("core_state");

    /** {@code spinlock_t ioctx_lock;} at offset 904 (4 bytes). */
    public static final long IOCTX_LOCK = LAYOUT.offsetOf("ioctx_lock");

    /** {@code struct kioctx_table * ioctx_table;} at offset 912 (8 bytes). */
    public static final long IOCTX_TABLE = LAYOUT.offsetOf("ioctx_table");

    /** {@code struct task_struct * owner;} at offset 920 (8 bytes). */
    public static final long OWNER = LAYOUT.offsetOf("owner");

    /** {@code struct user_namespace * user_ns;} at offset 928 (8 bytes). */
    public static final long USER_NS = LAYOUT.offsetOf("user_ns");

    /** {@code struct file * exe_file;} at offset 936 (8 bytes). */
    public static final long EXE_FILE = LAYOUT.offsetOf("exe_file");

    /** {@code struct mmu_notifier_subscriptions * notifier_subscriptions;} at offset 944 (8 bytes). */
    public static final long NOTIFIER_SUBSCRIPTIONS = LAYOUT.offsetOf("notifier_subscriptions");

    /** {@code atomic_t tlb_flush_pending;} at offset 952 (4 bytes). */
    public static final long TLB_FLUSH_PENDING = LAYOUT.offsetOf("tlb_flush_pending");

    /** {@code bool tlb_flush_batched;} at offset 956 (1 bytes). */
    public static final long TLB_FLUSH_BATCHED = LAYOUT.offsetOf("tlb_flush_batched");

    /** {@code struct uprobes_state uprobes_state;} at offset 960 (8 bytes). */
    public static final long UPROBES_STATE = LAYOUT.offsetOf("uprobes_state");

    /** {@code atomic_long_t hugetlb_usage;} at offset 968 (8 bytes). */
    public static final long HUGETLB_USAGE = LAYOUT.offsetOf("hugetlb_usage");

    /** {@code struct work_struct async_put_work;} at offset 976 (32 bytes). */
    public static final long ASYNC_PUT_WORK = LAYOUT.offsetOf("async_put_work");

    /** {@code u32 pasid;} at offset 1008 (4 bytes). */
    public static final long PASID = LAYOUT.offsetOf("pasid");

    /** {@code long unsigned int cpu_bitmap[];} at offset 1016 (0 bytes). */
    public static final long CPU_BITMAP = LAYOUT.offsetOf("cpu_bitmap");

    private MmStruct() {
    }
}
