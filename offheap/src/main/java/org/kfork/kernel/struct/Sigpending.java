package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct sigpending}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A set of pending signals and the queue of their siginfo.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   16 | list                           struct list_head                        |
 * |    16 |    8 | signal                         sigset_t                                |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 24, alignof 8
 * </pre>
 */
public final class Sigpending {
    /** The engine's layout of {@code struct sigpending}. */
    public static final StructLayout LAYOUT = Struct.named("sigpending")
        .field("list", ListHead.LAYOUT)
        .field("signal", CTypes.SIGSET_T)
        .build();

    /** sizeof(struct sigpending): 24. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct sigpending): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct list_head list;} at offset 0 (16 bytes). */
    public static final long LIST = LAYOUT.offsetOf("list");

    /** {@code sigset_t signal;} at offset 16 (8 bytes). */
    public static final long SIGNAL = LAYOUT.offsetOf("signal");

    private Sigpending() {
    }
}
