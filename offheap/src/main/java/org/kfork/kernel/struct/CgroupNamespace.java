package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct cgroup_namespace}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A cgroup namespace: the css_set whose cgroups are its roots. Refcounted by ns.count.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/cgroup.h:856.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   24 | ns                             struct ns_common                        |
 * |    24 |    8 | user_ns                        struct user_namespace *                 |
 * |    32 |    8 | ucounts                        struct ucounts *                        |
 * |    40 |    8 | root_cset                      struct css_set *                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 48, alignof 8
 * </pre>
 */
public final class CgroupNamespace {
    /** The engine's layout of {@code struct cgroup_namespace}. */
    public static final StructLayout LAYOUT = Struct.named("cgroup_namespace")
        .field("ns", NsCommon.LAYOUT)
        .field("user_ns", CTypes.ptr("struct user_namespace *"))
        .field("ucounts", CTypes.ptr("struct ucounts *"))
        .field("root_cset", CTypes.ptr("struct css_set *"))
        .build();

    /** sizeof(struct cgroup_namespace): 48. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct cgroup_namespace): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct ns_common ns;} at offset 0 (24 bytes). */
    public static final long NS = LAYOUT.offsetOf("ns");

    /** {@code struct user_namespace * user_ns;} at offset 24 (8 bytes). */
    public static final long USER_NS = LAYOUT.offsetOf("user_ns");

    /** {@code struct ucounts * ucounts;} at offset 32 (8 bytes). */
    public static final long UCOUNTS = LAYOUT.offsetOf("ucounts");

    /** {@code struct css_set * root_cset;} at offset 40 (8 bytes). */
    public static final long ROOT_CSET = LAYOUT.offsetOf("root_cset");

    private CgroupNamespace() {
    }
}
