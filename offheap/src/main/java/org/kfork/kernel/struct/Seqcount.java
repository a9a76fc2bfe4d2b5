package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct seqcount}: the Linux 5.12 x86_64 layout (reference/config-5.12-x86_64.txt).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}); the constants below are 
 * {@code static final} so that the JIT folds them. Pinned to reference/layouts-5.12.csv by tests.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | sequence                       unsigned int                            |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 4, alignof 4
 * </pre>
 */
public final class Seqcount {
    /** The engine's layout of {@code struct seqcount}. */
    public static final StructLayout LAYOUT = CTypes.SEQCOUNT;

    /** sizeof(struct seqcount): 4. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct seqcount): 4. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code unsigned int sequence;} at offset 0 (4 bytes). */
    public static final long SEQUENCE = LAYOUT.offsetOf("sequence");

    private Seqcount() {
    }
}
