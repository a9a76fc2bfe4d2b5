package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct plist_node}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A node of a priority-sorted list; a task's {@code pushable_tasks} entry, which sched_fork and
 * init_task set to MAX_PRIO with both lists empty.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/plist.h:83) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | prio                           int                                     |
 * |     8 |   16 | prio_list                      struct list_head                        |
 * |    24 |   16 | node_list                      struct list_head                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 40, alignof 8
 * </pre>
 */
public final class PlistNode {
    /** The engine's layout of {@code struct plist_node}. */
    public static final StructLayout LAYOUT = Struct.named("plist_node")
        .field("prio", CTypes.INT)
        .field("prio_list", ListHead.LAYOUT)
        .field("node_list", ListHead.LAYOUT)
        .build();

    /** sizeof(struct plist_node): 40. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct plist_node): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code int prio;} at offset 0 (4 bytes). */
    public static final long PRIO = LAYOUT.offsetOf("prio");

    /** {@code struct list_head prio_list;} at offset 8 (16 bytes). */
    public static final long PRIO_LIST = LAYOUT.offsetOf("prio_list");

    /** {@code struct list_head node_list;} at offset 24 (16 bytes). */
    public static final long NODE_LIST = LAYOUT.offsetOf("node_list");

    private PlistNode() {
    }
}
