package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct mutex}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A sleeping lock: the owner word (with flag bits), a spinlock for the wait list, and the
 * optimistic-spin queue.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | owner                          atomic_long_t                           |
 * |     8 |    4 | wait_lock                      spinlock_t                              |
 * |    12 |    4 | osq                            struct optimistic_spin_queue            |
 * |    16 |   16 | wait_list                      struct list_head                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 32, alignof 8
 * </pre>
 */
public final class Mutex {
    /** The engine's layout of {@code struct mutex}. */
    public static final StructLayout LAYOUT = Struct.named("mutex")
        .field("owner", CTypes.ATOMIC_LONG_T)
        .field("wait_lock", CTypes.SPINLOCK_T)
        .field("osq", CTypes.OPTIMISTIC_SPIN_QUEUE)
        .field("wait_list", ListHead.LAYOUT)
        .build();

    /** sizeof(struct mutex): 32. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct mutex): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_long_t owner;} at offset 0 (8 bytes). */
    public static final long OWNER = LAYOUT.offsetOf("owner");

    /** {@code spinlock_t wait_lock;} at offset 8 (4 bytes). */
    public static final long WAIT_LOCK = LAYOUT.offsetOf("wait_lock");

    /** {@code struct optimistic_spin_queue osq;} at offset 12 (4 bytes). */
    public static final long OSQ = LAYOUT.offsetOf("osq");

    /** {@code struct list_head wait_list;} at offset 16 (16 bytes). */
    public static final long WAIT_LIST = LAYOUT.offsetOf("wait_list");

    private Mutex() {
    }
}
