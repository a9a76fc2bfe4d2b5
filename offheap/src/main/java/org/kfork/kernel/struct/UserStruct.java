package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct user_struct}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A user, as the kernel counts its resources: processes (checked against RLIMIT_NPROC by
 * copy_process), pending signals, locked memory. One per uid in the uid hash, refcounted by
 * __count.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/sched/user.h:13; Absent in this config: fanotify_listeners
 * (CONFIG_FANOTIFY not set), nr_watches (CONFIG_WATCH_QUEUE not set).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    4 | __count                        refcount_t                              |
 * |     4 |    4 | processes                      atomic_t                                |
 * |     8 |    4 | sigpending                     atomic_t                                |
 * |    16 |    8 | epoll_watches                  atomic_long_t                           |
 * |    24 |    8 | mq_bytes                       long unsigned int                       |
 * |    32 |    8 | locked_shm                     long unsigned int                       |
 * |    40 |    8 | unix_inflight                  long unsigned int                       |
 * |    48 |    8 | pipe_bufs                      atomic_long_t                           |
 * |    56 |   16 | uidhash_node                   struct hlist_node                       |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    72 |    4 | uid                            kuid_t                                  |
 * |    80 |    8 | locked_vm                      atomic_long_t                           |
 * |    88 |   40 | ratelimit                      struct ratelimit_state                  |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 128, alignof 8
 * </pre>
 */
public final class UserStruct {
    /** The engine's layout of {@code struct user_struct}. */
    public static final StructLayout LAYOUT = Struct.named("user_struct")
        .field("__count", CTypes.REFCOUNT_T)
        .field("processes", CTypes.ATOMIC_T)
        .field("sigpending", CTypes.ATOMIC_T)
        .field("epoll_watches", CTypes.ATOMIC_LONG_T)
        .field("mq_bytes", CTypes.ULONG)
        .field("locked_shm", CTypes.ULONG)
        .field("unix_inflight", CTypes.ULONG)
        .field("pipe_bufs", CTypes.ATOMIC_LONG_T)
        .field("uidhash_node", HlistNode.LAYOUT)
        .field("uid", CTypes.KUID_T)
        .field("locked_vm", CTypes.ATOMIC_LONG_T)
        .field("ratelimit", RatelimitState.LAYOUT)
        .build();

    /** sizeof(struct user_struct): 128. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct user_struct): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code refcount_t __count;} at offset 0 (4 bytes). */
    public static final long __COUNT = LAYOUT.offsetOf("__count");

    /** {@code atomic_t processes;} at offset 4 (4 bytes). */
    public static final long PROCESSES = LAYOUT.offsetOf("processes");

    /** {@code atomic_t sigpending;} at offset 8 (4 bytes). */
    public static final long SIGPENDING = LAYOUT.offsetOf("sigpending");

    /** {@code atomic_long_t epoll_watches;} at offset 16 (8 bytes). */
    public static final long EPOLL_WATCHES = LAYOUT.offsetOf("epoll_watches");

    /** {@code long unsigned int mq_bytes;} at offset 24 (8 bytes). */
    public static final long MQ_BYTES = LAYOUT.offsetOf("mq_bytes");

    /** {@code long unsigned int locked_shm;} at offset 32 (8 bytes). */
    public static final long LOCKED_SHM = LAYOUT.offsetOf("locked_shm");

    /** {@code long unsigned int unix_inflight;} at offset 40 (8 bytes). */
    public static final long UNIX_INFLIGHT = LAYOUT.offsetOf("unix_inflight");

    /** {@code atomic_long_t pipe_bufs;} at offset 48 (8 bytes). */
    public static final long PIPE_BUFS = LAYOUT.offsetOf("pipe_bufs");

    /** {@code struct hlist_node uidhash_node;} at offset 56 (16 bytes). */
    public static final long UIDHASH_NODE = LAYOUT.offsetOf("uidhash_node");

    /** {@code kuid_t uid;} at offset 72 (4 bytes). */
    public static final long UID = LAYOUT.offsetOf("uid");

    /** {@code atomic_long_t locked_vm;} at offset 80 (8 bytes). */
    public static final long LOCKED_VM = LAYOUT.offsetOf("locked_vm");

    /** {@code struct ratelimit_state ratelimit;} at offset 88 (40 bytes). */
    public static final long RATELIMIT = LAYOUT.offsetOf("ratelimit");

    private UserStruct() {
    }
}
