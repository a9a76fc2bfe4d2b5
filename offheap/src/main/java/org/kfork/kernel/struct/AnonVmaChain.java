package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct anon_vma_chain}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * One link between a VMA and an anon_vma: on the VMA's same_vma list and in the anon_vma's
 * interval tree (rb, augmented with rb_subtree_last).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/rmap.h:77; Absent in this config: cached_vma_start, cached_vma_last
 * (CONFIG_DEBUG_VM_RB not set; needs CONFIG_DEBUG_VM).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | vma                            struct vm_area_struct *                 |
 * |     8 |    8 | anon_vma                       struct anon_vma *                       |
 * |    16 |   16 | same_vma                       struct list_head                        |
 * |    32 |   24 | rb                             struct rb_node                          |
 * |    56 |    8 | rb_subtree_last                long unsigned int                       |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 64, alignof 8
 * </pre>
 */
public final class AnonVmaChain {
    /** The engine's layout of {@code struct anon_vma_chain}. */
    public static final StructLayout LAYOUT = Struct.named("anon_vma_chain")
        .field("vma", CTypes.ptr("struct vm_area_struct *"))
        .field("anon_vma", CTypes.ptr("struct anon_vma *"))
        .field("same_vma", ListHead.LAYOUT)
        .field("rb", RbNode.LAYOUT)
        .field("rb_subtree_last", CTypes.ULONG)
        .build();

    /** sizeof(struct anon_vma_chain): 64. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct anon_vma_chain): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct vm_area_struct * vma;} at offset 0 (8 bytes). */
    public static final long VMA = LAYOUT.offsetOf("vma");

    /** {@code struct anon_vma * anon_vma;} at offset 8 (8 bytes). */
    public static final long ANON_VMA = LAYOUT.offsetOf("anon_vma");

    /** {@code struct list_head same_vma;} at offset 16 (16 bytes). */
    public static final long SAME_VMA = LAYOUT.offsetOf("same_vma");

    /** {@code struct rb_node rb;} at offset 32 (24 bytes). */
    public static final long RB = LAYOUT.offsetOf("rb");

    /** {@code long unsigned int rb_subtree_last;} at offset 56 (8 bytes). */
    public static final long RB_SUBTREE_LAST = LAYOUT.offsetOf("rb_subtree_last");

    private AnonVmaChain() {
    }
}
