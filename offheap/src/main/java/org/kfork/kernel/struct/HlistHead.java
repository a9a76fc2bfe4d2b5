package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct hlist_head}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The head of a hash-bucket list: a single pointer, so that tables of heads stay small.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | first                          struct hlist_node *                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 8, alignof 8
 * </pre>
 */
public final class HlistHead {
    /** The engine's layout of {@code struct hlist_head}. */
    public static final StructLayout LAYOUT = Struct.named("hlist_head")
        .field("first", CTypes.ptr("struct hlist_node *"))
        .build();

    /** sizeof(struct hlist_head): 8. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct hlist_head): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct hlist_node * first;} at offset 0 (8 bytes). */
    public static final long FIRST = LAYOUT.offsetOf("first");

    private HlistHead() {
    }
}
