package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct seqcount}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A sequence counter: a writer makes it odd while it writes; a reader retries when the count
 * moved.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
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
