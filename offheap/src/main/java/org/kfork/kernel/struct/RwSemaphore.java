package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct rw_semaphore}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A reader-writer semaphore (mmap_lock is one): the count, the owner, the optimistic-spin queue
 * and the waiters.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | count                          atomic_long_t                           |
 * |     8 |    8 | owner                          atomic_long_t                           |
 * |    16 |    4 | osq                            struct optimistic_spin_queue            |
 * |    20 |    4 | wait_lock                      raw_spinlock_t                          |
 * |    24 |   16 | wait_list                      struct list_head                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 40, alignof 8
 * </pre>
 */
public final class RwSemaphore {
    /** The engine's layout of {@code struct rw_semaphore}. */
    public static final StructLayout LAYOUT = Struct.named("rw_semaphore")
        .field("count", CTypes.ATOMIC_LONG_T)
        .field("owner", CTypes.ATOMIC_LONG_T)
        .field("osq", CTypes.OPTIMISTIC_SPIN_QUEUE)
        .field("wait_lock", CTypes.RAW_SPINLOCK_T)
        .field("wait_list", ListHead.LAYOUT)
        .build();

    /** sizeof(struct rw_semaphore): 40. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct rw_semaphore): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_long_t count;} at offset 0 (8 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    /** {@code atomic_long_t owner;} at offset 8 (8 bytes). */
    public static final long OWNER = LAYOUT.offsetOf("owner");

    /** {@code struct optimistic_spin_queue osq;} at offset 16 (4 bytes). */
    public static final long OSQ = LAYOUT.offsetOf("osq");

    /** {@code raw_spinlock_t wait_lock;} at offset 20 (4 bytes). */
    public static final long WAIT_LOCK = LAYOUT.offsetOf("wait_lock");

    /** {@code struct list_head wait_list;} at offset 24 (16 bytes). */
    public static final long WAIT_LIST = LAYOUT.offsetOf("wait_list");

    private RwSemaphore() {
    }
}
