package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct qspinlock}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The queued spinlock word: a locked byte, a pending byte, and the tail of the MCS queue of
 * waiters.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | {anon union @0}                union {anon}                            |
 * |     0 |    4 |   val                          atomic_t                                |
 * |     0 |    2 |   {anon struct @0}             struct {anon}                           |
 * |     0 |    1 |     locked                     u8                                      |
 * |     1 |    1 |     pending                    u8                                      |
 * |     0 |    4 |   {anon struct @0}             struct {anon}                           |
 * |     0 |    2 |     locked_pending             u16                                     |
 * |     2 |    2 |     tail                       u16                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 4, alignof 4
 * </pre>
 */
public final class Qspinlock {
    /** The engine's layout of {@code struct qspinlock}. */
    public static final StructLayout LAYOUT = CTypes.QSPINLOCK;

    /** sizeof(struct qspinlock): 4. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct qspinlock): 4. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_t val;} at offset 0 (4 bytes). */
    public static final long VAL = LAYOUT.offsetOf("val");

    /** {@code u8 locked;} at offset 0 (1 bytes). */
    public static final long LOCKED = LAYOUT.offsetOf("locked");

    /** {@code u8 pending;} at offset 1 (1 bytes). */
    public static final long PENDING = LAYOUT.offsetOf("pending");

    /** {@code u16 locked_pending;} at offset 0 (2 bytes). */
    public static final long LOCKED_PENDING = LAYOUT.offsetOf("locked_pending");

    /** {@code u16 tail;} at offset 2 (2 bytes). */
    public static final long TAIL = LAYOUT.offsetOf("tail");

    private Qspinlock() {
    }
}
