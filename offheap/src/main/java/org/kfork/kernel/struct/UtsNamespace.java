package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct uts_namespace}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A UTS namespace: the host and domain names uname reports, copied from the parent's by
 * CLONE_NEWUTS. Its refcount is ns.count.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/utsname.h:23; __randomize_layout is a no-op without RANDSTRUCT
 * (CONFIG_GCC_PLUGINS is off: no gcc plugin headers).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |  390 | name                           struct new_utsname                      |
 * +=======+======+ cacheline 6 (384 bytes) ===============================================+
 * |   392 |    8 | user_ns                        struct user_namespace *                 |
 * |   400 |    8 | ucounts                        struct ucounts *                        |
 * |   408 |   24 | ns                             struct ns_common                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 432, alignof 8
 * </pre>
 */
public final class UtsNamespace {
    /** The engine's layout of {@code struct uts_namespace}. */
    public static final StructLayout LAYOUT = Struct.named("uts_namespace")
        .field("name", NewUtsname.LAYOUT)
        .field("user_ns", CTypes.ptr("struct user_namespace *"))
        .field("ucounts", CTypes.ptr("struct ucounts *"))
        .field("ns", NsCommon.LAYOUT)
        .build();

    /** sizeof(struct uts_namespace): 432. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct uts_namespace): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct new_utsname name;} at offset 0 (390 bytes). */
    public static final long NAME = LAYOUT.offsetOf("name");

    /** {@code struct user_namespace * user_ns;} at offset 392 (8 bytes). */
    public static final long USER_NS = LAYOUT.offsetOf("user_ns");

    /** {@code struct ucounts * ucounts;} at offset 400 (8 bytes). */
    public static final long UCOUNTS = LAYOUT.offsetOf("ucounts");

    /** {@code struct ns_common ns;} at offset 408 (24 bytes). */
    public static final long NS = LAYOUT.offsetOf("ns");

    private UtsNamespace() {
    }
}
