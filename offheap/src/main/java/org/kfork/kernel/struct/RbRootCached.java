package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct rb_root_cached}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A red-black tree root that also caches the leftmost node, so the first node is found in O(1).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | rb_root                        struct rb_root                          |
 * |     8 |    8 | rb_leftmost                    struct rb_node *                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class RbRootCached {
    /** The engine's layout of {@code struct rb_root_cached}. */
    public static final StructLayout LAYOUT = Struct.named("rb_root_cached")
        .field("rb_root", RbRoot.LAYOUT)
        .field("rb_leftmost", CTypes.ptr("struct rb_node *"))
        .build();

    /** sizeof(struct rb_root_cached): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct rb_root_cached): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct rb_root rb_root;} at offset 0 (8 bytes). */
    public static final long RB_ROOT = LAYOUT.offsetOf("rb_root");

    /** {@code struct rb_node * rb_leftmost;} at offset 8 (8 bytes). */
    public static final long RB_LEFTMOST = LAYOUT.offsetOf("rb_leftmost");

    private RbRootCached() {
    }
}
