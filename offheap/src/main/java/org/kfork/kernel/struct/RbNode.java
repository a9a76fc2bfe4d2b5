package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct rb_node}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A red-black tree node. The parent pointer and the node's colour share one word: nodes are
 * 8-aligned, so the low bit is free for the colour.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | __rb_parent_color              long unsigned int                       |
 * |     8 |    8 | rb_right                       struct rb_node *                        |
 * |    16 |    8 | rb_left                        struct rb_node *                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class RbNode {
    /** The engine's layout of {@code struct rb_node}. */
    public static final StructLayout LAYOUT = Struct.named("rb_node")
        .field("__rb_parent_color", CTypes.ULONG)
        .field("rb_right", CTypes.ptr("struct rb_node *"))
        .field("rb_left", CTypes.ptr("struct rb_node *"))
        .aligned(8)
        .build();

    /** sizeof(struct rb_node): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct rb_node): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code long unsigned int __rb_parent_color;} at offset 0 (8 bytes). */
    public static final long __RB_PARENT_COLOR = LAYOUT.offsetOf("__rb_parent_color");

    /** {@code struct rb_node * rb_right;} at offset 8 (8 bytes). */
    public static final long RB_RIGHT = LAYOUT.offsetOf("rb_right");

    /** {@code struct rb_node * rb_left;} at offset 16 (8 bytes). */
    public static final long RB_LEFT = LAYOUT.offsetOf("rb_left");

    private RbNode() {
    }
}
