package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct callback_head}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * An RCU callback (rcu_head): queued on call_rcu, run after a grace period.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | next                           struct callback_head *                  |
 * |     8 |    8 | func                           fnptr                                   |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 16, alignof 8
 * </pre>
 */
public final class CallbackHead {
    /** The engine's layout of {@code struct callback_head}. */
    public static final StructLayout LAYOUT = Struct.named("callback_head")
        .field("next", CTypes.ptr("struct callback_head *"))
        .field("func", CTypes.FNPTR)
        .build();

    /** sizeof(struct callback_head): 16. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct callback_head): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct callback_head * next;} at offset 0 (8 bytes). */
    public static final long NEXT = LAYOUT.offsetOf("next");

    /** {@code fnptr func;} at offset 8 (8 bytes). */
    public static final long FUNC = LAYOUT.offsetOf("func");

    private CallbackHead() {
    }
}
