package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct vm_area_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * One virtual memory area of an address space. dup_mmap copies one for each of the parent's VMAs
 * and links it into the child's list and rb-tree.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * matches known anchor 200 (SWAP+NUMA+USERFAULTFD); __randomize_layout is a no-op without
 * RANDSTRUCT.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | vm_start                       long unsigned int                       |
 * |     8 |    8 | vm_end                         long unsigned int                       |
 * |    16 |    8 | vm_next                        struct vm_area_struct *                 |
 * |    24 |    8 | vm_prev                        struct vm_area_struct *                 |
 * |    32 |   24 | vm_rb                          struct rb_node                          |
 * |    56 |    8 | rb_subtree_gap                 long unsigned int                       |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | vm_mm                          struct mm_struct *                      |
 * |    72 |    8 | vm_page_prot                   pgprot_t                                |
 * |    80 |    8 | vm_flags                       long unsigned int                       |
 * |    88 |   32 | shared                         struct {anon}                           |
 * |    88 |   24 |   rb                           struct rb_node                          |
 * |   112 |    8 |   rb_subtree_last              long unsigned int                       |
 * |   120 |   16 | anon_vma_chain                 struct list_head                        |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   136 |    8 | anon_vma                       struct anon_vma *                       |
 * |   144 |    8 | vm_ops                         const struct vm_operations_struct *     |
 * |   152 |    8 | vm_pgoff                       long unsigned int                       |
 * |   160 |    8 | vm_file                        struct file *                           |
 * |   168 |    8 | vm_private_data                void *                                  |
 * |   176 |    8 | swap_readahead_info            atomic_long_t                           |
 * |   184 |    8 | vm_policy                      struct mempolicy *                      |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   192 |    8 | vm_userfaultfd_ctx             struct vm_userfaultfd_ctx               |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 200, alignof 8
 * </pre>
 */
public final class VmAreaStruct {
    /** The engine's layout of {@code struct vm_area_struct}. */
    public static final StructLayout LAYOUT = Struct.named("vm_area_struct")
        .field("vm_start", CTypes.ULONG)
        .field("vm_end", CTypes.ULONG)
        .field("vm_next", CTypes.ptr("struct vm_area_struct *"))
        .field("vm_prev", CTypes.ptr("struct vm_area_struct *"))
        .field("vm_rb", RbNode.LAYOUT)
        .field("rb_subtree_gap", CTypes.ULONG)
        .field("vm_mm", CTypes.ptr("struct mm_struct *"))
        .field("vm_page_prot", CTypes.PGPROT_T)
        .field("vm_flags", CTypes.ULONG)
        .field("shared", Struct.anonymous()
                .field("rb", RbNode.LAYOUT)
                .field("rb_subtree_last", CTypes.ULONG)
                .build())
        .field("anon_vma_chain", ListHead.LAYOUT)
        .field("anon_vma", CTypes.ptr("struct anon_vma *"))
        .field("vm_ops", CTypes.ptr("const struct vm_operations_struct *"))
        .field("vm_pgoff", CTypes.ULONG)
        .field("vm_file", CTypes.ptr("struct file *"))
        .field("vm_private_data", CTypes.VOID_PTR)
        .field("swap_readahead_info", CTypes.ATOMIC_LONG_T)
        .field("vm_policy", CTypes.ptr("struct mempolicy *"))
        .field("vm_userfaultfd_ctx", VmUserfaultfdCtx.LAYOUT)
        .build();

    /** sizeof(struct vm_area_struct): 200. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct vm_area_struct): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code long unsigned int vm_start;} at offset 0 (8 bytes). */
    public static final long VM_START = LAYOUT.offsetOf("vm_start");

    /** {@code long unsigned int vm_end;} at offset 8 (8 bytes). */
    public static final long VM_END = LAYOUT.offsetOf("vm_end");

    /** {@code struct vm_area_struct * vm_next;} at offset 16 (8 bytes). */
    public static final long VM_NEXT = LAYOUT.offsetOf("vm_next");

    /** {@code struct vm_area_struct * vm_prev;} at offset 24 (8 bytes). */
    public static final long VM_PREV = LAYOUT.offsetOf("vm_prev");

    /** {@code struct rb_node vm_rb;} at offset 32 (24 bytes). */
    public static final long VM_RB = LAYOUT.offsetOf("vm_rb");

    /** {@code long unsigned int rb_subtree_gap;} at offset 56 (8 bytes). */
    public static final long RB_SUBTREE_GAP = LAYOUT.offsetOf("rb_subtree_gap");

    /** {@code struct mm_struct * vm_mm;} at offset 64 (8 bytes). */
    public static final long VM_MM = LAYOUT.offsetOf("vm_mm");

    /** {@code pgprot_t vm_page_prot;} at offset 72 (8 bytes). */
    public static final long VM_PAGE_PROT = LAYOUT.offsetOf("vm_page_prot");

    /** {@code long unsigned int vm_flags;} at offset 80 (8 bytes). */
    public static final long VM_FLAGS = LAYOUT.offsetOf("vm_flags");

    /** {@code struct {anon} shared;} at offset 88 (32 bytes). */
    public static final long SHARED = LAYOUT.offsetOf("shared");

    /** {@code struct rb_node rb;} at offset 88 (24 bytes). */
    public static final long SHARED_RB = LAYOUT.offsetOf("shared.rb");

    /** {@code long unsigned int rb_subtree_last;} at offset 112 (8 bytes). */
    public static final long SHARED_RB_SUBTREE_LAST = LAYOUT.offsetOf("shared.rb_subtree_last");

    /** {@code struct list_head anon_vma_chain;} at offset 120 (16 bytes). */
    public static final long ANON_VMA_CHAIN = LAYOUT.offsetOf("anon_vma_chain");

    /** {@code struct anon_vma * anon_vma;} at offset 136 (8 bytes). */
    public static final long ANON_VMA = LAYOUT.offsetOf("anon_vma");

    /** {@code const struct vm_operations_struct * vm_ops;} at offset 144 (8 bytes). */
    public static final long VM_OPS = LAYOUT.offsetOf("vm_ops");

    /** {@code long unsigned int vm_pgoff;} at offset 152 (8 bytes). */
    public static final long VM_PGOFF = LAYOUT.offsetOf("vm_pgoff");

    /** {@code struct file * vm_file;} at offset 160 (8 bytes). */
    public static final long VM_FILE = LAYOUT.offsetOf("vm_file");

    /** {@code void * vm_private_data;} at offset 168 (8 bytes). */
    public static final long VM_PRIVATE_DATA = LAYOUT.offsetOf("vm_private_data");

    /** {@code atomic_long_t swap_readahead_info;} at offset 176 (8 bytes). */
    public static final long SWAP_READAHEAD_INFO = LAYOUT.offsetOf("swap_readahead_info");

    /** {@code struct mempolicy * vm_policy;} at offset 184 (8 bytes). */
    public static final long VM_POLICY = LAYOUT.offsetOf("vm_policy");

    /** {@code struct vm_userfaultfd_ctx vm_userfaultfd_ctx;} at offset 192 (8 bytes). */
    public static final long VM_USERFAULTFD_CTX = LAYOUT.offsetOf("vm_userfaultfd_ctx");

    private VmAreaStruct() {
    }
}
