package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct sigaction}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A signal's disposition: handler, flags, restorer and blocked mask.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | sa_handler                     __sighandler_t                          |
 * |     8 |    8 | sa_flags                       long unsigned int                       |
 * |    16 |    8 | sa_restorer                    __sigrestore_t                          |
 * |    24 |    8 | sa_mask                        sigset_t                                |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 32, alignof 8
 * </pre>
 */
public final class Sigaction {
    /** The engine's layout of {@code struct sigaction}. */
    public static final StructLayout LAYOUT = Struct.named("sigaction")
        .field("sa_handler", CTypes.alias("__sighandler_t", CTypes.FNPTR))
        .field("sa_flags", CTypes.ULONG)
        .field("sa_restorer", CTypes.alias("__sigrestore_t", CTypes.FNPTR))
        .field("sa_mask", CTypes.SIGSET_T)
        .build();

    /** sizeof(struct sigaction): 32. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct sigaction): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code __sighandler_t sa_handler;} at offset 0 (8 bytes). */
    public static final long SA_HANDLER = LAYOUT.offsetOf("sa_handler");

    /** {@code long unsigned int sa_flags;} at offset 8 (8 bytes). */
    public static final long SA_FLAGS = LAYOUT.offsetOf("sa_flags");

    /** {@code __sigrestore_t sa_restorer;} at offset 16 (8 bytes). */
    public static final long SA_RESTORER = LAYOUT.offsetOf("sa_restorer");

    /** {@code sigset_t sa_mask;} at offset 24 (8 bytes). */
    public static final long SA_MASK = LAYOUT.offsetOf("sa_mask");

    private Sigaction() {
    }
}
