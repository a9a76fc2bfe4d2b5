package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct work_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A work item for a workqueue (mmput_async defers the last mmput with one).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | data                           atomic_long_t                           |
 * |     8 |   16 | entry                          struct list_head                        |
 * |    24 |    8 | func                           work_func_t                             |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 32, alignof 8
 * </pre>
 */
public final class WorkStruct {
    /** The engine's layout of {@code struct work_struct}. */
    public static final StructLayout LAYOUT = Struct.named("work_struct")
        .field("data", CTypes.ATOMIC_LONG_T)
        .field("entry", ListHead.LAYOUT)
        .field("func", CTypes.alias("work_func_t", CTypes.FNPTR))
        .build();

    /** sizeof(struct work_struct): 32. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct work_struct): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_long_t data;} at offset 0 (8 bytes). */
    public static final long DATA = LAYOUT.offsetOf("data");

    /** {@code struct list_head entry;} at offset 8 (16 bytes). */
    public static final long ENTRY = LAYOUT.offsetOf("entry");

    /** {@code work_func_t func;} at offset 24 (8 bytes). */
    public static final long FUNC = LAYOUT.offsetOf("func");

    private WorkStruct() {
    }
}
