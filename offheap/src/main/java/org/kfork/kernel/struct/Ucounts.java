package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct ucounts}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The per-user, per-user-namespace counts of namespaces and inotify objects, checked against
 * user_namespace.ucount_max: create_pid_namespace takes one in UCOUNT_PID_NAMESPACES and gets
 * -ENOSPC past the limit.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/user_namespace.h:94.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   16 | node                           struct hlist_node                       |
 * |    16 |    8 | ns                             struct user_namespace *                 |
 * |    24 |    4 | uid                            kuid_t                                  |
 * |    28 |    4 | count                          int                                     |
 * |    32 |   40 | ucount                         atomic_t[10]                            |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 72, alignof 8
 * </pre>
 */
public final class Ucounts {
    /** The engine's layout of {@code struct ucounts}. */
    public static final StructLayout LAYOUT = Struct.named("ucounts")
        .field("node", HlistNode.LAYOUT)
        .field("ns", CTypes.ptr("struct user_namespace *"))
        .field("uid", CTypes.KUID_T)
        .field("count", CTypes.INT)
        .array("ucount", CTypes.ATOMIC_T, 10)
        .build();

    /** sizeof(struct ucounts): 72. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct ucounts): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct hlist_node node;} at offset 0 (16 bytes). */
    public static final long NODE = LAYOUT.offsetOf("node");

    /** {@code struct user_namespace * ns;} at offset 16 (8 bytes). */
    public static final long NS = LAYOUT.offsetOf("ns");

    /** {@code kuid_t uid;} at offset 24 (4 bytes). */
    public static final long UID = LAYOUT.offsetOf("uid");

    /** {@code int count;} at offset 28 (4 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    /** {@code atomic_t ucount[10];} at offset 32 (40 bytes). */
    public static final long UCOUNT = LAYOUT.offsetOf("ucount");

    private Ucounts() {
    }
}
