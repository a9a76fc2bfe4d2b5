package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct refcount_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * refcount_t: a reference count that saturates instead of wrapping.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | refs                           atomic_t                                |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 4, alignof 4
 * </pre>
 */
public final class RefcountStruct {
    /** The engine's layout of {@code struct refcount_struct}. */
    public static final StructLayout LAYOUT = CTypes.REFCOUNT_STRUCT;

    /** sizeof(struct refcount_struct): 4. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct refcount_struct): 4. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_t refs;} at offset 0 (4 bytes). */
    public static final long REFS = LAYOUT.offsetOf("refs");

    private RefcountStruct() {
    }
}
