package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct k_sigaction}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The kernel's wrapper of a sigaction.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   32 | sa                             struct sigaction                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 32, alignof 8
 * </pre>
 */
public final class KSigaction {
    /** The engine's layout of {@code struct k_sigaction}. */
    public static final StructLayout LAYOUT = Struct.named("k_sigaction")
        .field("sa", Sigaction.LAYOUT)
        .build();

    /** sizeof(struct k_sigaction): 32. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct k_sigaction): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct sigaction sa;} at offset 0 (32 bytes). */
    public static final long SA = LAYOUT.offsetOf("sa");

    private KSigaction() {
    }
}
