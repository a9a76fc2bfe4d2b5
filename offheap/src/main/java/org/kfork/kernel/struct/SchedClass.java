package org.kfork.kernel.struct;

import org.kfork.machine.layout.CTypes;
import org.kfork.machine.layout.Struct;
import org.kfork.machine.layout.StructLayout;

/**
 * {@code struct sched_class}, as Linux 5.12 lays it out on x86_64 with reference/config-5.12-x86_64.txt.
 *
 * A scheduling class: the table of functions the core scheduler calls for the tasks of one policy
 * family. 5.12 places its five instances (idle, fair, rt, dl, stop) one after the other in a linker
 * section, lowest class first, so that comparing two classes is comparing their addresses; the
 * kernel image of the model keeps that order (SchedCore). The model dispatches on the
 * descriptor's identity in Java, so the function pointers stay NULL.
 *
 * <p>Offsets come from the layout engine ({@link #LAYOUT}), and the constants below are
 * {@code static final}, so the JIT folds them.
 *
 * <p>Not in the reference:
 * reference/layouts-5.12.csv has no rows for this struct: the layout is computed from its 5.12.9
 * definition (kernel/sched/sched.h:1822; CONFIG_UCLAMP_TASK off, CONFIG_SMP and
 * CONFIG_FAIR_GROUP_SCHED on) with the reference config, and ComputedLayoutTest pins
 * it to the offsets worked out by hand from there.
 *
 * <pre>
 * +-------+------+------------------------------------------------------------------------+
 * | off   | size | member                                                                 |
 * +-------+------+------------------------------------------------------------------------+
 * |     0 |    8 | enqueue_task                   fnptr                                   |
 * |     8 |    8 | dequeue_task                   fnptr                                   |
 * |    16 |    8 | yield_task                     fnptr                                   |
 * |    24 |    8 | yield_to_task                  fnptr                                   |
 * |    32 |    8 | check_preempt_curr             fnptr                                   |
 * |    40 |    8 | pick_next_task                 fnptr                                   |
 * |    48 |    8 | put_prev_task                  fnptr                                   |
 * |    56 |    8 | set_next_task                  fnptr                                   |
 * +=======+======+ cacheline 1 (64 bytes) ================================================+
 * |    64 |    8 | balance                        fnptr                                   |
 * |    72 |    8 | select_task_rq                 fnptr                                   |
 * |    80 |    8 | migrate_task_rq                fnptr                                   |
 * |    88 |    8 | task_woken                     fnptr                                   |
 * |    96 |    8 | set_cpus_allowed               fnptr                                   |
 * |   104 |    8 | rq_online                      fnptr                                   |
 * |   112 |    8 | rq_offline                     fnptr                                   |
 * |   120 |    8 | find_lock_rq                   fnptr                                   |
 * +=======+======+ cacheline 2 (128 bytes) ===============================================+
 * |   128 |    8 | task_tick                      fnptr                                   |
 * |   136 |    8 | task_fork                      fnptr                                   |
 * |   144 |    8 | task_dead                      fnptr                                   |
 * |   152 |    8 | switched_from                  fnptr                                   |
 * |   160 |    8 | switched_to                    fnptr                                   |
 * |   168 |    8 | prio_changed                   fnptr                                   |
 * |   176 |    8 | get_rr_interval                fnptr                                   |
 * |   184 |    8 | update_curr                    fnptr                                   |
 * +=======+======+ cacheline 3 (192 bytes) ===============================================+
 * |   192 |    8 | task_change_group              fnptr                                   |
 * +-------+------+------------------------------------------------------------------------+
 *   sizeof 200, alignof 8
 * </pre>
 */
public final class SchedClass {
    /** The engine's layout of {@code struct sched_class}. */
    public static final StructLayout LAYOUT = Struct.named("sched_class")
        .field("enqueue_task", CTypes.FNPTR)
        .field("dequeue_task", CTypes.FNPTR)
        .field("yield_task", CTypes.FNPTR)
        .field("yield_to_task", CTypes.FNPTR)
        .field("check_preempt_curr", CTypes.FNPTR)
        .field("pick_next_task", CTypes.FNPTR)
        .field("put_prev_task", CTypes.FNPTR)
        .field("set_next_task", CTypes.FNPTR)
        .field("balance", CTypes.FNPTR)
        .field("select_task_rq", CTypes.FNPTR)
        .field("migrate_task_rq", CTypes.FNPTR)
        .field("task_woken", CTypes.FNPTR)
        .field("set_cpus_allowed", CTypes.FNPTR)
        .field("rq_online", CTypes.FNPTR)
        .field("rq_offline", CTypes.FNPTR)
        .field("find_lock_rq", CTypes.FNPTR)
        .field("task_tick", CTypes.FNPTR)
        .field("task_fork", CTypes.FNPTR)
        .field("task_dead", CTypes.FNPTR)
        .field("switched_from", CTypes.FNPTR)
        .field("switched_to", CTypes.FNPTR)
        .field("prio_changed", CTypes.FNPTR)
        .field("get_rr_interval", CTypes.FNPTR)
        .field("update_curr", CTypes.FNPTR)
        .field("task_change_group", CTypes.FNPTR)
        .build();

    /** sizeof(struct sched_class): 200. */
    public static final long SIZEOF = LAYOUT.size();
    /** alignof(struct sched_class): 8. */
    public static final long ALIGNOF = LAYOUT.align();

    private SchedClass() {
    }
}
