package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct load_weight}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A scheduling entity's weight (from its nice level) and 2^32 / weight, which set_load_weight
 * sets from sched_prio_to_weight and sched_prio_to_wmult.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (include/linux/sched.h:327) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | weight                         long unsigned int                       |
 * |     8 |    4 | inv_weight                     u32                                     |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class LoadWeight {
    /** The engine's layout of {@code struct load_weight}. */
    public static final StructLayout LAYOUT = Struct.named("load_weight")
        .field("weight", CTypes.ULONG)
        .field("inv_weight", CTypes.U32)
        .build();

    /** sizeof(struct load_weight): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct load_weight): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code long unsigned int weight;} at offset 0 (8 bytes). */
    public static final long WEIGHT = LAYOUT.offsetOf("weight");

    /** {@code u32 inv_weight;} at offset 8 (4 bytes). */
    public static final long INV_WEIGHT = LAYOUT.offsetOf("inv_weight");

    private LoadWeight() {
    }
}
