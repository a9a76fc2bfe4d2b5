package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct ipc_namespace}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A System V IPC and POSIX message queue namespace: the id tables of semaphores, messages and
 * shared memory, and their limits. The model keeps the limits and the refcount (ns.count), not
 * the IPC objects.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/ipc_namespace.h:29; __randomize_layout is a no-op without RANDSTRUCT
 * (CONFIG_GCC_PLUGINS is off: no gcc plugin headers).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |  648 | ids                            struct ipc_ids[3]                       |
 * +=======+======+ cacheline 10 (640 bytes) ==============================================+
 * |   648 |   16 | sem_ctls                       int[4]                                  |
 * |   664 |    4 | used_sems                      int                                     |
 * |   668 |    4 | msg_ctlmax                     unsigned int                            |
 * |   672 |    4 | msg_ctlmnb                     unsigned int                            |
 * |   676 |    4 | msg_ctlmni                     unsigned int                            |
 * |   680 |    4 | msg_bytes                      atomic_t                                |
 * |   684 |    4 | msg_hdrs                       atomic_t                                |
 * |   688 |    8 | shm_ctlmax                     size_t                                  |
 * |   696 |    8 | shm_ctlall                     size_t                                  |
 * +=======+======+ cacheline 11 (704 bytes) ==============================================+
 * |   704 |    8 | shm_tot                        long unsigned int                       |
 * |   712 |    4 | shm_ctlmni                     int                                     |
 * |   716 |    4 | shm_rmid_forced                int                                     |
 * |   720 |   24 | ipcns_nb                       struct notifier_block                   |
 * |   744 |    8 | mq_mnt                         struct vfsmount *                       |
 * |   752 |    4 | mq_queues_count                unsigned int                            |
 * |   756 |    4 | mq_queues_max                  unsigned int                            |
 * |   760 |    4 | mq_msg_max                     unsigned int                            |
 * |   764 |    4 | mq_msgsize_max                 unsigned int                            |
 * +=======+======+ cacheline 12 (768 bytes) ==============================================+
 * |   768 |    4 | mq_msg_default                 unsigned int                            |
 * |   772 |    4 | mq_msgsize_default             unsigned int                            |
 * |   776 |    8 | user_ns                        struct user_namespace *                 |
 * |   784 |    8 | ucounts                        struct ucounts *                        |
 * |   792 |    8 | mnt_llist                      struct llist_node                       |
 * |   800 |   24 | ns                             struct ns_common                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 824, alignof 8
 * </pre>
 */
public final class IpcNamespace {
    /** The engine's layout of {@code struct ipc_namespace}. */
    public static final StructLayout LAYOUT = Struct.named("ipc_namespace")
        .array("ids", OpaqueTypes.IPC_IDS, 3)
        .array("sem_ctls", CTypes.INT, 4)
        .field("used_sems", CTypes.INT)
        .field("msg_ctlmax", CTypes.UINT)
        .field("msg_ctlmnb", CTypes.UINT)
        .field("msg_ctlmni", CTypes.UINT)
        .field("msg_bytes", CTypes.ATOMIC_T)
        .field("msg_hdrs", CTypes.ATOMIC_T)
        .field("shm_ctlmax", CTypes.SIZE_T)
        .field("shm_ctlall", CTypes.SIZE_T)
        .field("shm_tot", CTypes.ULONG)
        .field("shm_ctlmni", CTypes.INT)
        .field("shm_rmid_forced", CTypes.INT)
        .field("ipcns_nb", OpaqueTypes.NOTIFIER_BLOCK)
        .field("mq_mnt", CTypes.ptr("struct vfsmount *"))
        .field("mq_queues_count", CTypes.UINT)
        .field("mq_queues_max", CTypes.UINT)
        .field("mq_msg_max", CTypes.UINT)
        .field("mq_msgsize_max", CTypes.UINT)
        .field("mq_msg_default", CTypes.UINT)
        .field("mq_msgsize_default", CTypes.UINT)
        .field("user_ns", CTypes.ptr("struct user_namespace *"))
        .field("ucounts", CTypes.ptr("struct ucounts *"))
        .field("mnt_llist", OpaqueTypes.LLIST_NODE)
        .field("ns", NsCommon.LAYOUT)
        .build();

    /** sizeof(struct ipc_namespace): 824. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct ipc_namespace): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct ipc_ids ids[3];} at offset 0 (648 bytes). */
    public static final long IDS = LAYOUT.offsetOf("ids");

    /** {@code int sem_ctls[4];} at offset 648 (16 bytes). */
    public static final long SEM_CTLS = LAYOUT.offsetOf("sem_ctls");

    /** {@code int used_sems;} at offset 664 (4 bytes). */
    public static final long USED_SEMS = LAYOUT.offsetOf("used_sems");

    /** {@code unsigned int msg_ctlmax;} at offset 668 (4 bytes). */
    public static final long MSG_CTLMAX = LAYOUT.offsetOf("msg_ctlmax");

    /** {@code unsigned int msg_ctlmnb;} at offset 672 (4 bytes). */
    public static final long MSG_CTLMNB = LAYOUT.offsetOf("msg_ctlmnb");

    /** {@code unsigned int msg_ctlmni;} at offset 676 (4 bytes). */
    public static final long MSG_CTLMNI = LAYOUT.offsetOf("msg_ctlmni");

    /** {@code atomic_t msg_bytes;} at offset 680 (4 bytes). */
    public static final long MSG_BYTES = LAYOUT.offsetOf("msg_bytes");

    /** {@code atomic_t msg_hdrs;} at offset 684 (4 bytes). */
    public static final long MSG_HDRS = LAYOUT.offsetOf("msg_hdrs");

    /** {@code size_t shm_ctlmax;} at offset 688 (8 bytes). */
    public static final long SHM_CTLMAX = LAYOUT.offsetOf("shm_ctlmax");

    /** {@code size_t shm_ctlall;} at offset 696 (8 bytes). */
    public static final long SHM_CTLALL = LAYOUT.offsetOf("shm_ctlall");

    /** {@code long unsigned int shm_tot;} at offset 704 (8 bytes). */
    public static final long SHM_TOT = LAYOUT.offsetOf("shm_tot");

    /** {@code int shm_ctlmni;} at offset 712 (4 bytes). */
    public static final long SHM_CTLMNI = LAYOUT.offsetOf("shm_ctlmni");

    /** {@code int shm_rmid_forced;} at offset 716 (4 bytes). */
    public static final long SHM_RMID_FORCED = LAYOUT.offsetOf("shm_rmid_forced");

    /** {@code struct notifier_block ipcns_nb;} at offset 720 (24 bytes). */
    public static final long IPCNS_NB = LAYOUT.offsetOf("ipcns_nb");

    /** {@code struct vfsmount * mq_mnt;} at offset 744 (8 bytes). */
    public static final long MQ_MNT = LAYOUT.offsetOf("mq_mnt");

    /** {@code unsigned int mq_queues_count;} at offset 752 (4 bytes). */
    public static final long MQ_QUEUES_COUNT = LAYOUT.offsetOf("mq_queues_count");

    /** {@code unsigned int mq_queues_max;} at offset 756 (4 bytes). */
    public static final long MQ_QUEUES_MAX = LAYOUT.offsetOf("mq_queues_max");

    /** {@code unsigned int mq_msg_max;} at offset 760 (4 bytes). */
    public static final long MQ_MSG_MAX = LAYOUT.offsetOf("mq_msg_max");

    /** {@code unsigned int mq_msgsize_max;} at offset 764 (4 bytes). */
    public static final long MQ_MSGSIZE_MAX = LAYOUT.offsetOf("mq_msgsize_max");

    /** {@code unsigned int mq_msg_default;} at offset 768 (4 bytes). */
    public static final long MQ_MSG_DEFAULT = LAYOUT.offsetOf("mq_msg_default");

    /** {@code unsigned int mq_msgsize_default;} at offset 772 (4 bytes). */
    public static final long MQ_MSGSIZE_DEFAULT = LAYOUT.offsetOf("mq_msgsize_default");

    /** {@code struct user_namespace * user_ns;} at offset 776 (8 bytes). */
    public static final long USER_NS = LAYOUT.offsetOf("user_ns");

    /** {@code struct ucounts * ucounts;} at offset 784 (8 bytes). */
    public static final long UCOUNTS = LAYOUT.offsetOf("ucounts");

    /** {@code struct llist_node mnt_llist;} at offset 792 (8 bytes). */
    public static final long MNT_LLIST = LAYOUT.offsetOf("mnt_llist");

    /** {@code struct ns_common ns;} at offset 800 (24 bytes). */
    public static final long NS = LAYOUT.offsetOf("ns");

    private IpcNamespace() {
    }
}
