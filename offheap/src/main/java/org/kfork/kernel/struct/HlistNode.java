package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct hlist_node}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A hash-list link; pprev points at the previous link's next (or at the head), so a node unlinks
 * itself without knowing its head.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | next                           struct hlist_node *                     |
 * |     8 |    8 | pprev                          struct hlist_node * *                   |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class HlistNode {
    /** The engine's layout of {@code struct hlist_node}. */
    public static final StructLayout LAYOUT = Struct.named("hlist_node")
        .field("next", CTypes.ptr("struct hlist_node *"))
        .field("pprev", CTypes.ptr("struct hlist_node * *"))
        .build();

    /** sizeof(struct hlist_node): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct hlist_node): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct hlist_node * next;} at offset 0 (8 bytes). */
    public static final long NEXT = LAYOUT.offsetOf("next");

    /** {@code struct hlist_node * * pprev;} at offset 8 (8 bytes). */
    public static final long PPREV = LAYOUT.offsetOf("pprev");

    private HlistNode() {
    }
}
