package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct time_namespace}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A time namespace: the offsets of CLOCK_MONOTONIC and CLOCK_BOOTTIME, frozen once a task enters
 * it. CLONE_NEWTIME makes one for the children (nsproxy.time_ns_for_children).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * tail padding 7 bytes; defined in include/linux/time_namespace.h:19; __randomize_layout is a
 * no-op without RANDSTRUCT (CONFIG_GCC_PLUGINS is off: no gcc plugin headers); the struct is
 * defined whether or not CONFIG_TIME_NS is set (CONFIG_TIME_NS=y here).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | user_ns                        struct user_namespace *                 |
 * |     8 |    8 | ucounts                        struct ucounts *                        |
 * |    16 |   24 | ns                             struct ns_common                        |
 * |    40 |   32 | offsets                        struct timens_offsets                   |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    72 |    8 | vvar_page                      struct page *                           |
 * |    80 |    1 | frozen_offsets                 bool                                    |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 88, alignof 8
 * </pre>
 */
public final class TimeNamespace {
    /** The engine's layout of {@code struct time_namespace}. */
    public static final StructLayout LAYOUT = Struct.named("time_namespace")
        .field("user_ns", CTypes.ptr("struct user_namespace *"))
        .field("ucounts", CTypes.ptr("struct ucounts *"))
        .field("ns", NsCommon.LAYOUT)
        .field("offsets", OpaqueTypes.TIMENS_OFFSETS)
        .field("vvar_page", CTypes.ptr("struct page *"))
        .field("frozen_offsets", CTypes.BOOL)
        .build();

    /** sizeof(struct time_namespace): 88. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct time_namespace): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct user_namespace * user_ns;} at offset 0 (8 bytes). */
    public static final long USER_NS = LAYOUT.offsetOf("user_ns");

    /** {@code struct ucounts * ucounts;} at offset 8 (8 bytes). */
    public static final long UCOUNTS = LAYOUT.offsetOf("ucounts");

    /** {@code struct ns_common ns;} at offset 16 (24 bytes). */
    public static final long NS = LAYOUT.offsetOf("ns");

    /** {@code struct timens_offsets offsets;} at offset 40 (32 bytes). */
    public static final long OFFSETS = LAYOUT.offsetOf("offsets");

    /** {@code struct page * vvar_page;} at offset 72 (8 bytes). */
    public static final long VVAR_PAGE = LAYOUT.offsetOf("vvar_page");

    /** {@code bool frozen_offsets;} at offset 80 (1 bytes). */
    public static final long FROZEN_OFFSETS = LAYOUT.offsetOf("frozen_offsets");

    private TimeNamespace() {
    }
}
