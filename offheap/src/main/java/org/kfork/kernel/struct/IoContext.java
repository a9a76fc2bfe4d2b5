package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct io_context}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A task's I/O context: the I/O priority and the block layer's per-queue state. CLONE_IO shares
 * it (nr_tasks counts the sharers, refcount the references); without it, copy_io gives the child
 * its own when the parent set an I/O priority.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * defined in include/linux/iocontext.h:99.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | refcount                       atomic_long_t                           |
 * |     8 |    4 | active_ref                     atomic_t                                |
 * |    12 |    4 | nr_tasks                       atomic_t                                |
 * |    16 |    4 | lock                           spinlock_t                              |
 * |    20 |    2 | ioprio                         short unsigned int                      |
 * |    24 |   16 | icq_tree                       struct xarray                           |
 * |    40 |    8 | icq_hint                       struct io_cq *                          |
 * |    48 |    8 | icq_list                       struct hlist_head                       |
 * |    56 |   32 | release_work                   struct work_struct                      |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 88, alignof 8
 * </pre>
 */
public final class IoContext {
    /** The engine's layout of {@code struct io_context}. */
    public static final StructLayout LAYOUT = Struct.named("io_context")
        .field("refcount", CTypes.ATOMIC_LONG_T)
        .field("active_ref", CTypes.ATOMIC_T)
        .field("nr_tasks", CTypes.ATOMIC_T)
        .field("lock", CTypes.SPINLOCK_T)
        .field("ioprio", CTypes.USHORT)
        .field("icq_tree", Xarray.LAYOUT)
        .field("icq_hint", CTypes.ptr("struct io_cq *"))
        .field("icq_list", HlistHead.LAYOUT)
        .field("release_work", WorkStruct.LAYOUT)
        .build();

    /** sizeof(struct io_context): 88. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct io_context): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code atomic_long_t refcount;} at offset 0 (8 bytes). */
    public static final long REFCOUNT = LAYOUT.offsetOf("refcount");

    /** {@code atomic_t active_ref;} at offset 8 (4 bytes). */
    public static final long ACTIVE_REF = LAYOUT.offsetOf("active_ref");

    /** {@code atomic_t nr_tasks;} at offset 12 (4 bytes). */
    public static final long NR_TASKS = LAYOUT.offsetOf("nr_tasks");

    /** {@code spinlock_t lock;} at offset 16 (4 bytes). */
    public static final long LOCK = LAYOUT.offsetOf("lock");

    /** {@code short unsigned int ioprio;} at offset 20 (2 bytes). */
    public static final long IOPRIO = LAYOUT.offsetOf("ioprio");

    /** {@code struct xarray icq_tree;} at offset 24 (16 bytes). */
    public static final long ICQ_TREE = LAYOUT.offsetOf("icq_tree");

    /** {@code struct io_cq * icq_hint;} at offset 40 (8 bytes). */
    public static final long ICQ_HINT = LAYOUT.offsetOf("icq_hint");

    /** {@code struct hlist_head icq_list;} at offset 48 (8 bytes). */
    public static final long ICQ_LIST = LAYOUT.offsetOf("icq_list");

    /** {@code struct work_struct release_work;} at offset 56 (32 bytes). */
    public static final long RELEASE_WORK = LAYOUT.offsetOf("release_work");

    private IoContext() {
    }
}
