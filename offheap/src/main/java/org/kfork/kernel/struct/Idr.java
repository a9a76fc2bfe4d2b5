package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct idr}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * An ID allocator over a radix tree (an xarray): a pid namespace hands out its pid numbers from
 * one, cyclically from idr_next.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/idr.h:19.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   16 | idr_rt                         struct xarray                           |
 * |    16 |    4 | idr_base                       unsigned int                            |
 * |    20 |    4 | idr_next                       unsigned int                            |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class Idr {
    /** The engine's layout of {@code struct idr}. */
    public static final StructLayout LAYOUT = Struct.named("idr")
        .field("idr_rt", Xarray.LAYOUT)
        .field("idr_base", CTypes.UINT)
        .field("idr_next", CTypes.UINT)
        .build();

    /** sizeof(struct idr): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct idr): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct xarray idr_rt;} at offset 0 (16 bytes). */
    public static final long IDR_RT = LAYOUT.offsetOf("idr_rt");

    /** {@code unsigned int idr_base;} at offset 16 (4 bytes). */
    public static final long IDR_BASE = LAYOUT.offsetOf("idr_base");

    /** {@code unsigned int idr_next;} at offset 20 (4 bytes). */
    public static final long IDR_NEXT = LAYOUT.offsetOf("idr_next");

    private Idr() {
    }
}
