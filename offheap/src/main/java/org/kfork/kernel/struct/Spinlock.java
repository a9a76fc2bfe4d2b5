package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct spinlock}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * spinlock_t without lock debugging: a raw spinlock, one 32-bit word.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | {anon union @0}                union {anon}                            |
 * |     0 |    4 |   rlock                        struct raw_spinlock                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 4, alignof 4
 * </pre>
 */
public final class Spinlock {
    /** The engine's layout of {@code struct spinlock}. */
    public static final StructLayout LAYOUT = CTypes.SPINLOCK;

    /** sizeof(struct spinlock): 4. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct spinlock): 4. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct raw_spinlock rlock;} at offset 0 (4 bytes). */
    public static final long RLOCK = LAYOUT.offsetOf("rlock");

    private Spinlock() {
    }
}
