package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct prev_cputime}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The last reported utime/stime, kept monotonic under its raw spinlock.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * tail padding 4 bytes.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | utime                          u64                                     |
 * |     8 |    8 | stime                          u64                                     |
 * |    16 |    4 | lock                           raw_spinlock_t                          |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class PrevCputime {
    /** The engine's layout of {@code struct prev_cputime}. */
    public static final StructLayout LAYOUT = Struct.named("prev_cputime")
        .field("utime", CTypes.U64)
        .field("stime", CTypes.U64)
        .field("lock", CTypes.RAW_SPINLOCK_T)
        .build();

    /** sizeof(struct prev_cputime): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct prev_cputime): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code u64 utime;} at offset 0 (8 bytes). */
    public static final long UTIME = LAYOUT.offsetOf("utime");

    /** {@code u64 stime;} at offset 8 (8 bytes). */
    public static final long STIME = LAYOUT.offsetOf("stime");

    /** {@code raw_spinlock_t lock;} at offset 16 (4 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    private PrevCputime() {
    }
}
