package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct uprobes_state}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The uprobes execute-out-of-line area of an mm.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | xol_area                       struct xol_area *                       |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 8, alignof 8
 * </pre>
 */
public final class UprobesState {
    /** The engine's layout of {@code struct uprobes_state}. */
    public static final StructLayout LAYOUT = Struct.named("uprobes_state")
        .field("xol_area", CTypes.ptr("struct xol_area *"))
        .build();

    /** sizeof(struct uprobes_state): 8. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct uprobes_state): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct xol_area * xol_area;} at offset 0 (8 bytes). */
    public static final long XOL_AREA = LAYOUT.offsetOf("xol_area");

    private UprobesState() {
    }
}
