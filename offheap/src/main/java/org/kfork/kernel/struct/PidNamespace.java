package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct pid_namespace}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A pid namespace: the IDR that hands out its numbers, the count of pids allocated in it (with
 * the PIDNS_ADDING bit), its init (child_reaper), its level and parent, and the pid cache for its
 * level. Its refcount is ns.count.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/pid_namespace.h:19; __randomize_layout is a no-op without RANDSTRUCT
 * (CONFIG_GCC_PLUGINS is off: no gcc plugin headers).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   24 | idr                            struct idr                              |
 * |    24 |   16 | rcu                            struct callback_head                    |
 * |    40 |    4 | pid_allocated                  unsigned int                            |
 * |    48 |    8 | child_reaper                   struct task_struct *                    |
 * |    56 |    8 | pid_cachep                     struct kmem_cache *                     |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    4 | level                          unsigned int                            |
 * |    72 |    8 | parent                         struct pid_namespace *                  |
 * |    80 |    8 | bacct                          struct fs_pin *                         |
 * |    88 |    8 | user_ns                        struct user_namespace *                 |
 * |    96 |    8 | ucounts                        struct ucounts *                        |
 * |   104 |    4 | reboot                         int                                     |
 * |   112 |   24 | ns                             struct ns_common                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 136, alignof 8
 * </pre>
 */
public final class PidNamespace {
    /** The engine's layout of {@code struct pid_namespace}. */
    public static final StructLayout LAYOUT = Struct.named("pid_namespace")
        .field("idr", Idr.LAYOUT)
        .field("rcu", CallbackHead.LAYOUT)
        .field("pid_allocated", CTypes.UINT)
        .field("child_reaper", CTypes.ptr("struct task_struct *"))
        .field("pid_cachep", CTypes.ptr("struct kmem_cache *"))
        .field("level", CTypes.UINT)
        .field("parent", CTypes.ptr("struct pid_namespace *"))
        .field("bacct", CTypes.ptr("struct fs_pin *"))
        .field("user_ns", CTypes.ptr("struct user_namespace *"))
        .field("ucounts", CTypes.ptr("struct ucounts *"))
        .field("reboot", CTypes.INT)
        .field("ns", NsCommon.LAYOUT)
        .build();

    /** sizeof(struct pid_namespace): 136. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct pid_namespace): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct idr idr;} at offset 0 (24 bytes). */
    public static final long IDR = LAYOUT.offsetOf("idr");

    /** {@code struct callback_head rcu;} at offset 24 (16 bytes). */
    public static final long RCU = LAYOUT.offsetOf("rcu");

    /** {@code unsigned int pid_allocated;} at offset 40 (4 bytes). */
    public static final long PID_ALLOCATED = LAYOUT.offsetOf("pid_allocated");

    /** {@code struct task_struct * child_reaper;} at offset 48 (8 bytes). */
    public static final long CHILD_REAPER = LAYOUT.offsetOf("child_reaper");

    /** {@code struct kmem_cache * pid_cachep;} at offset 56 (8 bytes). */
    public static final long PID_CACHEP = LAYOUT.offsetOf("pid_cachep");

    /** {@code unsigned int level;} at offset 64 (4 bytes). */
    public static final long LEVEL = LAYOUT.offsetOf("level");

    /** {@code struct pid_namespace * parent;} at offset 72 (8 bytes). */
    public static final long PARENT = LAYOUT.offsetOf("parent");

    /** {@code struct fs_pin * bacct;} at offset 80 (8 bytes). */
    public static final long BACCT = LAYOUT.offsetOf("bacct");

    /** {@code struct user_namespace * user_ns;} at offset 88 (8 bytes). */
    public static final long USER_NS = LAYOUT.offsetOf("user_ns");

    /** {@code struct ucounts * ucounts;} at offset 96 (8 bytes). */
    public static final long UCOUNTS = LAYOUT.offsetOf("ucounts");

    /** {@code int reboot;} at offset 104 (4 bytes). */
    public static final long REBOOT = LAYOUT.offsetOf("reboot");

    /** {@code struct ns_common ns;} at offset 112 (24 bytes). */
    public static final long NS = LAYOUT.offsetOf("ns");

    private PidNamespace() {
    }
}
