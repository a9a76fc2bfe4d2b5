package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;
import org.kfork.machine.layout.Union;

/**
 * {@code struct __call_single_node}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The node of a cross-CPU function call; a task's {@code wake_entry} queues a remote wake-up,
 * and __sched_fork marks it CSD_TYPE_TTWU.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/smp_types.h:58, CONFIG_64BIT) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | llist                          struct llist_node                       |
 * |     8 |    4 | {anon union @8}                union {anon}                            |
 * |     8 |    4 |   u_flags                      unsigned int                            |
 * |     8 |    4 |   a_flags                      atomic_t                                |
 * |    12 |    2 | src                            u16                                     |
 * |    14 |    2 | dst                            u16                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class CallSingleNode {
    /** The engine's layout of {@code struct __call_single_node}. */
    public static final StructLayout LAYOUT = Struct.named("__call_single_node")
        .field("llist", OpaqueTypes.LLIST_NODE)
        .anonymous(Union.anonymous()
                .field("u_flags", CTypes.UINT)
                .field("a_flags", CTypes.ATOMIC_T)
                .build())
        .field("src", CTypes.U16)
        .field("dst", CTypes.U16)
        .build();

    /** sizeof(struct __call_single_node): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct __call_single_node): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct llist_node llist;} at offset 0 (8 bytes). */
    public static final long LLIST = LAYOUT.offsetOf("llist");

    /** {@code unsigned int u_flags;} at offset 8 (4 bytes). */
    public static final long U_FLAGS = LAYOUT.offsetOf("u_flags");

    /** {@code atomic_t a_flags;} at offset 8 (4 bytes). */
    public static final long A_FLAGS = LAYOUT.offsetOf("a_flags");

    /** {@code u16 src;} at offset 12 (2 bytes). */
    public static final long SRC = LAYOUT.offsetOf("src");

    /** {@code u16 dst;} at offset 14 (2 bytes). */
    public static final long DST = LAYOUT.offsetOf("dst");

    private CallSingleNode() {
    }
}
