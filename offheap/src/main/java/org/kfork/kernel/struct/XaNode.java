package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct xa_node}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * An inner node of a radix tree (xarray, and so an IDR): 64 slots (XA_CHUNK_SHIFT 6, as
 * CONFIG_BASE_SMALL is 0) and three mark bitmaps of one long each. The "radix_tree_node" cache
 * holds them (radix_tree_node is this struct).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/xarray.h:1124) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    1 | shift                          unsigned char                           |
 * |     1 |    1 | offset                         unsigned char                           |
 * |     2 |    1 | count                          unsigned char                           |
 * |     3 |    1 | nr_values                      unsigned char                           |
 * |     8 |    8 | parent                         struct xa_node *                        |
 * |    16 |    8 | array                          struct xarray *                         |
 * |    24 |   16 | {anon union @24}               union {anon}                            |
 * |    24 |   16 |   private_list                 struct list_head                        |
 * |    24 |   16 |   rcu_head                     struct callback_head                    |
 * |    40 |  512 | slots                          void *[64]                              |
 * +=======+======+ cacheline 8 (512 bytes) ===============================================+
 * |   552 |   24 | {anon union @552}              union {anon}                            |
 * |   552 |   24 |   tags                         long unsigned int[3][1]                 |
 * |   552 |   24 |   marks                        long unsigned int[3][1]                 |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 576, alignof 8
 * </pre>
 */
public final class XaNode {
    /** The engine's layout of {@code struct xa_node}. */
    public static final StructLayout LAYOUT = Struct.named("xa_node")
        .field("shift", CTypes.UCHAR)
        .field("offset", CTypes.UCHAR)
        .field("count", CTypes.UCHAR)
        .field("nr_values", CTypes.UCHAR)
        .field("parent", CTypes.ptr("struct xa_node *"))
        .field("array", CTypes.ptr("struct xarray *"))
        .anonymous(Union.anonymous()
                .field("private_list", ListHead.LAYOUT)
                .field("rcu_head", CallbackHead.LAYOUT))
        .array("slots", CTypes.VOID_PTR, 64)
        .anonymous(Union.anonymous()
                .field("tags", CTypes.array(CTypes.array(CTypes.ULONG, 1), 3))
                .field("marks", CTypes.array(CTypes.array(CTypes.ULONG, 1), 3)))
        .build();

    /** sizeof(struct xa_node): 576. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct xa_node): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code unsigned char shift;} at offset 0 (1 bytes). */
    public static final long SHIFT = LAYOUT.offsetOf("shift");

    /** {@code unsigned char offset;} at offset 1 (1 bytes). */
    public static final long OFFSET = LAYOUT.offsetOf("offset");

    /** {@code unsigned char count;} at offset 2 (1 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    /** {@code unsigned char nr_values;} at offset 3 (1 bytes). */
    public static final long NR_VALUES = LAYOUT.offsetOf("nr_values");

    /** {@code struct xa_node * parent;} at offset 8 (8 bytes). */
    public static final long PARENT = LAYOUT.offsetOf("parent");

    /** {@code struct xarray * array;} at offset 16 (8 bytes). */
    public static final long ARRAY = LAYOUT.offsetOf("array");

    /** {@code struct list_head private_list;} at offset 24 (16 bytes). */
    public static final long PRIVATE_LIST = LAYOUT.offsetOf("private_list");

    /** {@code struct callback_head rcu_head;} at offset 24 (16 bytes). */
    public static final long RCU_HEAD = LAYOUT.offsetOf("rcu_head");

    /** {@code void * slots[64];} at offset 40 (512 bytes). */
    public static final long SLOTS = LAYOUT.offsetOf("slots");

    /** {@code long unsigned int tags[3][1];} at offset 552 (24 bytes). */
    public static final long TAGS = LAYOUT.offsetOf("tags");

    /** {@code long unsigned int marks[3][1];} at offset 552 (24 bytes). */
    public static final long MARKS = LAYOUT.offsetOf("marks");

    private XaNode() {
    }
}
