package org.kfork.ds;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct xa_node} (alias {@code struct radix_tree_node}), the node of 5.12's radix tree and
 * so of the IDR ({@link Idr}), as include/linux/xarray.h lays it out on x86_64 with
 * XA_CHUNK_SHIFT 6 (CONFIG_BASE_SMALL=0): 576 bytes, seven to a 4 KiB page.
 *
 * <p><b>Why this layout lives in ds.</b> Struct layouts belong in {@code org.kfork.kernel.struct},
 * but the containers sit on the floor below the kernel (machine, then alloc and ds, then kernel),
 * so a container may not import a kernel struct. The radix tree's node is the container's own
 * struct, as {@code rb_node} is the rb-tree's, so it is declared here, with the same layout engine
 * as the kernel's structs. reference/layouts-5.12.csv has no row for it; the offsets below were
 * computed from the 5.12 header and are pinned by IdrLayoutTest.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    1 | shift                          unsigned char   bits below each slot    |
 * |     1 |    1 | offset                         unsigned char   slot index in parent    |
 * |     2 |    1 | count                          unsigned char   non-empty slots         |
 * |     3 |    1 | nr_values                      unsigned char   value entries           |
 * |     4 |    4 | (hole)                                                                 |
 * |     8 |    8 | parent                         struct xa_node *, NULL at the top       |
 * |    16 |    8 | array                          struct xarray *, the tree it belongs to |
 * |    24 |   16 | private_list / rcu_head        union                                   |
 * |    40 |  512 | slots[64]                      void *                                  |
 * |   552 |   24 | tags[3][1] / marks[3][1]       long unsigned int                       |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 576, alignof 8; cache lines: the header and slots 0..2 in the first, the tags in the ninth
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
            .field("private_list", Struct.named("list_head")
                .field("next", CTypes.ptr("struct list_head *"))
                .field("prev", CTypes.ptr("struct list_head *"))
                .build())
            .field("rcu_head", Struct.named("callback_head")
                .field("next", CTypes.ptr("struct callback_head *"))
                .field("func", CTypes.FNPTR)
                .build()))
        .array("slots", CTypes.VOID_PTR, 64)
        .anonymous(Union.anonymous()
            .field("tags", CTypes.array(CTypes.array(CTypes.ULONG, 1), 3))
            .field("marks", CTypes.array(CTypes.array(CTypes.ULONG, 1), 3)))
        .build();

    /** sizeof(struct xa_node): 576. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct xa_node): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code unsigned char shift;} at 0: the index bits below each slot (0 in a leaf). */
    public static final long SHIFT = LAYOUT.offsetOf("shift");
    /** {@code unsigned char offset;} at 1: this node's slot in its parent. */
    public static final long OFFSET = LAYOUT.offsetOf("offset");
    /** {@code unsigned char count;} at 2: the slots in use (in an IDR leaf, the ids allocated). */
    public static final long COUNT = LAYOUT.offsetOf("count");
    /** {@code unsigned char nr_values;} at 3: the value entries among the slots. */
    public static final long NR_VALUES = LAYOUT.offsetOf("nr_values");
    /** {@code struct xa_node __rcu *parent;} at 8: NULL at the top of the tree. */
    public static final long PARENT = LAYOUT.offsetOf("parent");
    /** {@code struct xarray *array;} at 16: the tree the node belongs to. */
    public static final long ARRAY = LAYOUT.offsetOf("array");
    /** {@code struct list_head private_list;} at 24 (in a union with rcu_head): for the tree's user. */
    public static final long PRIVATE_LIST = LAYOUT.offsetOf("private_list");
    /** {@code struct rcu_head rcu_head;} at 24 (in a union with private_list): used when freeing. */
    public static final long RCU_HEAD = LAYOUT.offsetOf("rcu_head");
    /** {@code void __rcu *slots[XA_CHUNK_SIZE];} at 40. */
    public static final long SLOTS = LAYOUT.offsetOf("slots");
    /** {@code unsigned long tags[XA_MAX_MARKS][XA_MARK_LONGS];} at 552 (in a union with marks). */
    public static final long TAGS = LAYOUT.offsetOf("tags");

    private XaNode() {
    }
}
