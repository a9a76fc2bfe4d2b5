package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct ratelimit_state}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A rate limit for kernel messages: at most burst per interval. alloc_uid sets up the one in each
 * user_struct.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/ratelimit_types.h:15) with the reference config, and
 * ComputedLayoutTest pins it to the offsets worked out from there (confirmed once with gcc on the
 * 5.12.9 tree).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | lock                           raw_spinlock_t                          |
 * |     4 |    4 | interval                       int                                     |
 * |     8 |    4 | burst                          int                                     |
 * |    12 |    4 | printed                        int                                     |
 * |    16 |    4 | missed                         int                                     |
 * |    24 |    8 | begin                          long unsigned int                       |
 * |    32 |    8 | flags                          long unsigned int                       |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 40, alignof 8
 * </pre>
 */
public final class RatelimitState {
    /** The engine's layout of {@code struct ratelimit_state}. */
    public static final StructLayout LAYOUT = Struct.named("ratelimit_state")
        .field("lock", CTypes.RAW_SPINLOCK_T)
        .field("interval", CTypes.INT)
        .field("burst", CTypes.INT)
        .field("printed", CTypes.INT)
        .field("missed", CTypes.INT)
        .field("begin", CTypes.ULONG)
        .field("flags", CTypes.ULONG)
        .build();

    /** sizeof(struct ratelimit_state): 40. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct ratelimit_state): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code raw_spinlock_t lock;} at offset 0 (4 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code int interval;} at offset 4 (4 bytes). */
    public static final long INTERVAL = LAYOUT.offsetOf("interval");

    /** {@code int burst;} at offset 8 (4 bytes). */
    public static final long BURST = LAYOUT.offsetOf("burst");

    /** {@code int printed;} at offset 12 (4 bytes). */
    public static final long PRINTED = LAYOUT.offsetOf("printed");

    /** {@code int missed;} at offset 16 (4 bytes). */
    public static final long MISSED = LAYOUT.offsetOf("missed");

    /** {@code long unsigned int begin;} at offset 24 (8 bytes). */
    public static final long BEGIN = LAYOUT.offsetOf("begin");

    /** {@code long unsigned int flags;} at offset 32 (8 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    private RatelimitState() {
    }
}
