package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct sched_entity}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * The CFS scheduling entity of a task (from the pahole reference; its statistics and load average
 * are opaque blocks).
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12-pahole.txt.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   16 | load                           struct load_weight                      |
 * |    16 |   24 | run_node                       struct rb_node                          |
 * |    40 |   16 | group_node                     struct list_head                        |
 * |    56 |    4 | on_rq                          unsigned int                            |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | exec_start                     u64                                     |
 * |    72 |    8 | sum_exec_runtime               u64                                     |
 * |    80 |    8 | vruntime                       u64                                     |
 * |    88 |    8 | prev_sum_exec_runtime          u64                                     |
 * |    96 |    8 | nr_migrations                  u64                                     |
 * |   104 |  216 | statistics                     struct sched_statistics                 |
 * +=======+======+ cacheline 5 (320 bytes) ===============================================+
 * |   320 |    4 | depth                          int                                     |
 * |   328 |    8 | parent                         struct sched_entity *                   |
 * |   336 |    8 | cfs_rq                         struct cfs_rq *                         |
 * |   344 |    8 | my_q                           struct cfs_rq *                         |
 * |   352 |    8 | runnable_weight                long unsigned int                       |
 * +=======+======+ cacheline 6 (384 bytes) ===============================================+
 * |   384 |   64 | avg                            struct sched_avg                        |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 448, alignof 64
 * </pre>
 */
public final class SchedEntity {
    /** The engine's layout of {@code struct sched_entity}. */
    public static final StructLayout LAYOUT = Struct.named("sched_entity")
        .field("load", LoadWeight.LAYOUT)
        .field("run_node", RbNode.LAYOUT)
        .field("group_node", ListHead.LAYOUT)
        .field("on_rq", CTypes.UINT)
        .field("exec_start", CTypes.U64)
        .field("sum_exec_runtime", CTypes.U64)
        .field("vruntime", CTypes.U64)
        .field("prev_sum_exec_runtime", CTypes.U64)
        .field("nr_migrations", CTypes.U64)
        .field("statistics", OpaqueTypes.SCHED_STATISTICS)
        .field("depth", CTypes.INT)
        .field("parent", CTypes.ptr("struct sched_entity *"))
        .field("cfs_rq", CTypes.ptr("struct cfs_rq *"))
        .field("my_q", CTypes.ptr("struct cfs_rq *"))
        .field("runnable_weight", CTypes.ULONG)
        .field("avg", OpaqueTypes.SCHED_AVG)
        .build();

    /** sizeof(struct sched_entity): 448. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct sched_entity): 64. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct load_weight load;} at offset 0 (16 bytes). */
    public static final long LOAD = LAYOUT.offsetOf("load");

    /** {@code struct rb_node run_node;} at offset 16 (24 bytes). */
    public static final long RUN_NODE = LAYOUT.offsetOf("run_node");

    /** {@code struct list_head group_node;} at offset 40 (16 bytes). */
    public static final long GROUP_NODE = LAYOUT.offsetOf("group_node");

    /** {@code unsigned int on_rq;} at offset 56 (4 bytes). */
    public static final long ON_RQ = LAYOUT.offsetOf("on_rq");

    /** {@code u64 exec_start;} at offset 64 (8 bytes). */
    public static final long EXEC_START = LAYOUT.offsetOf("exec_start");

    /** {@code u64 sum_exec_runtime;} at offset 72 (8 bytes). */
    public static final long SUM_EXEC_RUNTIME = LAYOUT.offsetOf("sum_exec_runtime");

    /** {@code u64 vruntime;} at offset 80 (8 bytes). */
    public static final long VRUNTIME = LAYOUT.offsetOf("vruntime");

    /** {@code u64 prev_sum_exec_runtime;} at offset 88 (8 bytes). */
    public static final long PREV_SUM_EXEC_RUNTIME = LAYOUT.offsetOf("prev_sum_exec_runtime");

    /** {@code u64 nr_migrations;} at offset 96 (8 bytes). */
    public static final long NR_MIGRATIONS = LAYOUT.offsetOf("nr_migrations");

    /** {@code struct sched_statistics statistics;} at offset 104 (216 bytes). */
    public static final long STATISTICS = LAYOUT.offsetOf("statistics");

    /** {@code int depth;} at offset 320 (4 bytes). */
    public static final long DEPTH = LAYOUT.offsetOf("depth");

    /** {@code struct sched_entity * parent;} at offset 328 (8 bytes). */
    public static final long PARENT = LAYOUT.offsetOf("parent");

    /** {@code struct cfs_rq * cfs_rq;} at offset 336 (8 bytes). */
    public static final long CFS_RQ = LAYOUT.offsetOf("cfs_rq");

    /** {@code struct cfs_rq * my_q;} at offset 344 (8 bytes). */
    public static final long MY_Q = LAYOUT.offsetOf("my_q");

    /** {@code long unsigned int runnable_weight;} at offset 352 (8 bytes). */
    public static final long RUNNABLE_WEIGHT = LAYOUT.offsetOf("runnable_weight");

    /** {@code struct sched_avg avg;} at offset 384 (64 bytes). */
    public static final long AVG = LAYOUT.offsetOf("avg");

    private SchedEntity() {
    }
}
