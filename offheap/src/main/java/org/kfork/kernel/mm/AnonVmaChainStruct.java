package org.kfork.kernel.mm;

import org.kfork.kernel.struct.ListHead;
import org.kfork.kernel.struct.RbNode;
import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct anon_vma_chain} (include/linux/rmap.h, 5.12 x86_64, no CONFIG_DEBUG_VM_RB).
 *
 * <pre>
 * +-----+------+--------------------------------------------+
 * |   0 |    8 | vma              struct vm_area_struct *   |
 * |   8 |    8 | anon_vma         struct anon_vma *         |
 * |  16 |   16 | same_vma         struct list_head          |
 * |  32 |   24 | rb               struct rb_node            |
 * |  56 |    8 | rb_subtree_last  unsigned long             |
 * +-----+------+--------------------------------------------+
 *   sizeof 64, alignof 8
 * </pre>
 */
public final class AnonVmaChainStruct {
    /** The engine's layout. */
    public static final StructLayout LAYOUT = Struct.named("anon_vma_chain")
        .field("vma", CTypes.ptr("struct vm_area_struct *"))
        .field("anon_vma", CTypes.ptr("struct anon_vma *"))
        .field("same_vma", ListHead.LAYOUT)
        .field("rb", RbNode.LAYOUT)
        .field("rb_subtree_last", CTypes.ULONG)
        .build();
    /** sizeof(struct anon_vma_chain): 64. */
    public static final int SIZEOF = (int) LAYOUT.size();
    /** {@code struct vm_area_struct *vma;} */
    public static final long VMA = LAYOUT.offsetOf("vma");
    /** {@code struct anon_vma *anon_vma;} */
    public static final long ANON_VMA = LAYOUT.offsetOf("anon_vma");
    /** {@code struct list_head same_vma;} */
    public static final long SAME_VMA = LAYOUT.offsetOf("same_vma");
    /** {@code struct rb_node rb;} */
    public static final long RB = LAYOUT.offsetOf("rb");
    /** {@code unsigned long rb_subtree_last;} */
    public static final long RB_SUBTREE_LAST = LAYOUT.offsetOf("rb_subtree_last");

    private AnonVmaChainStruct() {
    }
}
