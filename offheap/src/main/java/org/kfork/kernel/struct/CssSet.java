package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct css_set}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A set of cgroup subsystem states shared by the tasks in the same cgroups: cgroup_fork points a
 * new task at init_css_set, and the fork's cgroup steps count it in nr_tasks and link it on
 * tasks. Refcounted by refcount.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them. Tests pin them to reference/layouts-5.12.csv.
 *
 * <p>From the reference:
 * struct defined under: CONFIG_CGROUPS; defined in include/linux/cgroup-defs.h:195;
 * CGROUP_SUBSYS_COUNT = 5 in this config (cpuset, cpu, cpuacct, memory, freezer).
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |   40 | subsys                         struct cgroup_subsys_state *[5]         |
 * |    40 |    4 | refcount                       refcount_t                              |
 * |    48 |    8 | dom_cset                       struct css_set *                        |
 * |    56 |    8 | dfl_cgrp                       struct cgroup *                         |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    4 | nr_tasks                       int                                     |
 * |    72 |   16 | tasks                          struct list_head                        |
 * |    88 |   16 | mg_tasks                       struct list_head                        |
 * |   104 |   16 | dying_tasks                    struct list_head                        |
 * |   120 |   16 | task_iters                     struct list_head                        |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   136 |   80 | e_cset_node                    struct list_head[5]                     |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   216 |   16 | threaded_csets                 struct list_head                        |
 * |   232 |   16 | threaded_csets_node            struct list_head                        |
 * |   248 |   16 | hlist                          struct hlist_node                       |
 * +=======+======+ cacheline 4 (256 bytes) ===============================================+
 * |   264 |   16 | cgrp_links                     struct list_head                        |
 * |   280 |   16 | mg_preload_node                struct list_head                        |
 * |   296 |   16 | mg_node                        struct list_head                        |
 * |   312 |    8 | mg_src_cgrp                    struct cgroup *                         |
 * +=======+======+ cacheline 5 (320 bytes) ===============================================+
 * |   320 |    8 | mg_dst_cgrp                    struct cgroup *                         |
 * |   328 |    8 | mg_dst_cset                    struct css_set *                        |
 * |   336 |    1 | dead                           bool                                    |
 * |   344 |   16 | rcu_head                       struct callback_head                    |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 360, alignof 8
 * </pre>
 */
public final class CssSet {
    /** The engine's layout of {@code struct css_set}. */
    public static final StructLayout LAYOUT = Struct.named("css_set")
        .array("subsys", CTypes.ptr("struct cgroup_subsys_state *"), 5)
        .field("refcount", CTypes.REFCOUNT_T)
        .field("dom_cset", CTypes.ptr("struct css_set *"))
        .field("dfl_cgrp", CTypes.ptr("struct cgroup *"))
        .field("nr_tasks", CTypes.INT)
        .field("tasks", ListHead.LAYOUT)
        .field("mg_tasks", ListHead.LAYOUT)
        .field("dying_tasks", ListHead.LAYOUT)
        .field("task_iters", ListHead.LAYOUT)
        .array("e_cset_node", ListHead.LAYOUT, 5)
        .field("threaded_csets", ListHead.LAYOUT)
        .field("threaded_csets_node", ListHead.LAYOUT)
        .field("hlist", HlistNode.LAYOUT)
        .field("cgrp_links", ListHead.LAYOUT)
        .field("mg_preload_node", ListHead.LAYOUT)
        .field("mg_node", ListHead.LAYOUT)
        .field("mg_src_cgrp", CTypes.ptr("struct cgroup *"))
        .field("mg_dst_cgrp", CTypes.ptr("struct cgroup *"))
        .field("mg_dst_cset", CTypes.ptr("struct css_set *"))
        .field("dead", CTypes.BOOL)
        .field("rcu_head", CallbackHead.LAYOUT)
        .build();

    /** sizeof(struct css_set): 360. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct css_set): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    /** {@code struct cgroup_subsys_state * subsys[5];} at offset 0 (40 bytes). */
    public static final long SUBSYS = LAYOUT.offsetOf("subsys");

    /** {@code refcount_t refcount;} at offset 40 (4 bytes). */
    public static final long REFCOUNT = LAYOUT.offsetOf("refcount");

    /** {@code struct css_set * dom_cset;} at offset 48 (8 bytes). */
    public static final long DOM_CSET = LAYOUT.offsetOf("dom_cset");

    /** {@code struct cgroup * dfl_cgrp;} at offset 56 (8 bytes). */
    public static final long DFL_CGRP = LAYOUT.offsetOf("dfl_cgrp");

    /** {@code int nr_tasks;} at offset 64 (4 bytes). */
    public static final long NR_TASKS = LAYOUT.offsetOf("nr_tasks");

    /** {@code struct list_head tasks;} at offset 72 (16 bytes). */
    public static final long TASKS = LAYOUT.offsetOf("tasks");

    /** {@code struct list_head mg_tasks;} at offset 88 (16 bytes). */
    public static final long MG_TASKS = LAYOUT.offsetOf("mg_tasks");

    /** {@code struct list_head dying_tasks;} at offset 104 (16 bytes). */
    public static final long DYING_TASKS = LAYOUT.offsetOf("dying_tasks");

    /** {@code struct list_head task_iters;} at offset 120 (16 bytes). */
    public static final long TASK_ITERS = LAYOUT.offsetOf("task_iters");

    /** {@code struct list_head e_cset_node[5];} at offset 136 (80 bytes). */
    public static final long E_CSET_NODE = LAYOUT.offsetOf("e_cset_node");

    /** {@code struct list_head threaded_csets;} at offset 216 (16 bytes). */
    public static final long THREADED_CSETS = LAYOUT.offsetOf("threaded_csets");

    /** {@code struct list_head threaded_csets_node;} at offset 232 (16 bytes). */
    public static final long THREADED_CSETS_NODE = LAYOUT.offsetOf("threaded_csets_node");

    /** {@code struct hlist_node hlist;} at offset 248 (16 bytes). */
    public static final long HLIST = LAYOUT.offsetOf("hlist");

    /** {@code struct list_head cgrp_links;} at offset 264 (16 bytes). */
    public static final long CGRP_LINKS = LAYOUT.offsetOf("cgrp_links");

    /** {@code struct list_head mg_preload_node;} at offset 280 (16 bytes). */
    public static final long MG_PRELOAD_NODE = LAYOUT.offsetOf("mg_preload_node");

    /** {@code struct list_head mg_node;} at offset 296 (16 bytes). */
    public static final long MG_NODE = LAYOUT.offsetOf("mg_node");

    /** {@code struct cgroup * mg_src_cgrp;} at offset 312 (8 bytes). */
    public static final long MG_SRC_CGRP = LAYOUT.offsetOf("mg_src_cgrp");

    /** {@code struct cgroup * mg_dst_cgrp;} at offset 320 (8 bytes). */
    public static final long MG_DST_CGRP = LAYOUT.offsetOf("mg_dst_cgrp");

    /** {@code struct css_set * mg_dst_cset;} at offset 328 (8 bytes). */
    public static final long MG_DST_CSET = LAYOUT.offsetOf("mg_dst_cset");

    /** {@code bool dead;} at offset 336 (1 bytes). */
    public static final long DEAD = LAYOUT.offsetOf("dead");

    /** {@code struct callback_head rcu_head;} at offset 344 (16 bytes). */
    public static final long RCU_HEAD = LAYOUT.offsetOf("rcu_head");

    private CssSet() {
    }
}
