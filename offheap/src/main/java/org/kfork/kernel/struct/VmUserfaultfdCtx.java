package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct vm_userfaultfd_ctx}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The userfaultfd context of a VMA (a pointer with CONFIG_USERFAULTFD).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | ctx                            struct userfaultfd_ctx *                |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 8, alignof 8
 * </pre>
 */
public final class VmUserfaultfdCtx {
    /** The engine's layout of {@code struct vm_userfaultfd_ctx}. */
    public static final StructLayout LAYOUT = Struct.named("vm_userfaultfd_ctx")
        .field("ctx", CTypes.ptr("struct userfaultfd_ctx *"))
        .build();

    /** sizeof(struct vm_userfaultfd_ctx): 8. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct vm_userfaultfd_ctx): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct userfaultfd_ctx * ctx;} at offset 0 (8 bytes). */
    public static final long CTX = LAYOUT.offsetOf("ctx");

    private VmUserfaultfdCtx() {
    }
}
