package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct xarray}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The root of a radix tree of pointers: its lock, its flags (which marks it tracks, whether it
 * allocates IDs) and its head, an entry or an xa_node.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/xarray.h:294.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | xa_lock                        spinlock_t                              |
 * |     4 |    4 | xa_flags                       gfp_t                                   |
 * |     8 |    8 | xa_head                        void *                                  |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class Xarray {
    /** The engine's layout of {@code struct xarray}. */
    public static final StructLayout LAYOUT = Struct.named("xarray")
        .field("xa_lock", CTypes.SPINLOCK_T)
        .field("xa_flags", CTypes.GFP_T)
        .field("xa_head", CTypes.VOID_PTR)
        .build();

    /** sizeof(struct xarray): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct xarray): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code spinlock_t xa_lock;} at offset 0 (4 bytes). */
    public static final long XA_LOCK = LAYOUT.offsetOf("xa_lock");

    /** {@code gfp_t xa_flags;} at offset 4 (4 bytes). */
    public static final long XA_FLAGS = LAYOUT.offsetOf("xa_flags");

    /** {@code void * xa_head;} at offset 8 (8 bytes). */
    public static final long XA_HEAD = LAYOUT.offsetOf("xa_head");

    private Xarray() {
    }
}
