package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct sigqueue}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A queued signal: its siginfo on a pending list, charged to the sending user's sigpending count.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/signal_types.h:20.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   16 | list                           struct list_head                        |
 * |    16 |    4 | flags                          int                                     |
 * |    24 |   48 | info                           kernel_siginfo_t                        |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    72 |    8 | user                           struct user_struct *                    |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 80, alignof 8
 * </pre>
 */
public final class Sigqueue {
    /** The engine's layout of {@code struct sigqueue}. */
    public static final StructLayout LAYOUT = Struct.named("sigqueue")
        .field("list", ListHead.LAYOUT)
        .field("flags", CTypes.INT)
        .field("info", CTypes.alias("kernel_siginfo_t", KernelSiginfo.LAYOUT))
        .field("user", CTypes.ptr("struct user_struct *"))
        .build();

    /** sizeof(struct sigqueue): 80. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct sigqueue): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct list_head list;} at offset 0 (16 bytes). */
    public static final long LIST = LAYOUT.offsetOf("list");

    /** {@code int flags;} at offset 16 (4 bytes). */
    public static final long FLAGS = LAYOUT.offsetOf("flags");

    /** {@code kernel_siginfo_t info;} at offset 24 (48 bytes). */
    public static final long INFO = LAYOUT.offsetOf("info");

    /** {@code struct user_struct * user;} at offset 72 (8 bytes). */
    public static final long USER = LAYOUT.offsetOf("user");

    private Sigqueue() {
    }
}
