package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct list_head}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A doubly linked list link, embedded in the structs it chains; an empty list points at itself.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | next                           struct list_head *                      |
 * |     8 |    8 | prev                           struct list_head *                      |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class ListHead {
    /** The engine's layout of {@code struct list_head}. */
    public static final StructLayout LAYOUT = Struct.named("list_head")
        .field("next", CTypes.ptr("struct list_head *"))
        .field("prev", CTypes.ptr("struct list_head *"))
        .build();

    /** sizeof(struct list_head): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct list_head): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct list_head * next;} at offset 0 (8 bytes). */
    public static final long NEXT = LAYOUT.offsetOf("next");

    /** {@code struct list_head * prev;} at offset 8 (8 bytes). */
    public static final long PREV = LAYOUT.offsetOf("prev");

    private ListHead() {
    }
}
