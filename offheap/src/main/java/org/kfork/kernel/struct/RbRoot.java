package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct rb_root}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The root of a red-black tree.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | rb_node                        struct rb_node *                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 8, alignof 8
 * </pre>
 */
public final class RbRoot {
    /** The engine's layout of {@code struct rb_root}. */
    public static final StructLayout LAYOUT = Struct.named("rb_root")
        .field("rb_node", CTypes.ptr("struct rb_node *"))
        .build();

    /** sizeof(struct rb_root): 8. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct rb_root): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct rb_node * rb_node;} at offset 0 (8 bytes). */
    public static final long RB_NODE = LAYOUT.offsetOf("rb_node");

    private RbRoot() {
    }
}
