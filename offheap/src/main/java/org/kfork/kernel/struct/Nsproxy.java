package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct nsproxy}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The namespaces a task lives in (all but the user namespace, which the cred holds), shared by
 * tasks with the same set and refcounted by count. copy_namespaces shares it unless a CLONE_NEW*
 * flag asks for a new one.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/nsproxy.h:31.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | count                          atomic_t                                |
 * |     8 |    8 | uts_ns                         struct uts_namespace *                  |
 * |    16 |    8 | ipc_ns                         struct ipc_namespace *                  |
 * |    24 |    8 | mnt_ns                         struct mnt_namespace *                  |
 * |    32 |    8 | pid_ns_for_children            struct pid_namespace *                  |
 * |    40 |    8 | net_ns                         struct net *                            |
 * |    48 |    8 | time_ns                        struct time_namespace *                 |
 * |    56 |    8 | time_ns_for_children           struct time_namespace *                 |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | cgroup_ns                      struct cgroup_namespace *               |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 72, alignof 8
 * </pre>
 */
public final class Nsproxy {
    /** The engine's layout of {@code struct nsproxy}. */
    public static final StructLayout LAYOUT = Struct.named("nsproxy")
        .field("count", CTypes.ATOMIC_T)
        .field("uts_ns", CTypes.ptr("struct uts_namespace *"))
        .field("ipc_ns", CTypes.ptr("struct ipc_namespace *"))
        .field("mnt_ns", CTypes.ptr("struct mnt_namespace *"))
        .field("pid_ns_for_children", CTypes.ptr("struct pid_namespace *"))
        .field("net_ns", CTypes.ptr("struct net *"))
        .field("time_ns", CTypes.ptr("struct time_namespace *"))
        .field("time_ns_for_children", CTypes.ptr("struct time_namespace *"))
        .field("cgroup_ns", CTypes.ptr("struct cgroup_namespace *"))
        .build();

    /** sizeof(struct nsproxy): 72. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct nsproxy): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_t count;} at offset 0 (4 bytes). */
    public static final long COUNT = LAYOUT.offsetOf("count");

    /** {@code struct uts_namespace * uts_ns;} at offset 8 (8 bytes). */
    public static final long UTS_NS = LAYOUT.offsetOf("uts_ns");

    /** {@code struct ipc_namespace * ipc_ns;} at offset 16 (8 bytes). */
    public static final long IPC_NS = LAYOUT.offsetOf("ipc_ns");

    /** {@code struct mnt_namespace * mnt_ns;} at offset 24 (8 bytes). */
    public static final long MNT_NS = LAYOUT.offsetOf("mnt_ns");

    /** {@code struct pid_namespace * pid_ns_for_children;} at offset 32 (8 bytes). */
    public static final long PID_NS_FOR_CHILDREN = LAYOUT.offsetOf("pid_ns_for_children");

    /** {@code struct net * net_ns;} at offset 40 (8 bytes). */
    public static final long NET_NS = LAYOUT.offsetOf("net_ns");

    /** {@code struct time_namespace * time_ns;} at offset 48 (8 bytes). */
    public static final long TIME_NS = LAYOUT.offsetOf("time_ns");

    /** {@code struct time_namespace * time_ns_for_children;} at offset 56 (8 bytes). */
    public static final long TIME_NS_FOR_CHILDREN = LAYOUT.offsetOf("time_ns_for_children");

    /** {@code struct cgroup_namespace * cgroup_ns;} at offset 64 (8 bytes). */
    public static final long CGROUP_NS = LAYOUT.offsetOf("cgroup_ns");

    private Nsproxy() {
    }
}
