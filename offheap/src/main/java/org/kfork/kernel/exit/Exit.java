package org.kfork.kernel.exit;

import org.kfork.kernel.Globals;
import org.kfork.kernel.fork.ForkTask;
import org.kfork.kernel.struct.TaskStruct;

/**
 * kernel/exit.c (5.12), the part of the task's lifetime that belongs to the task core:
 * put_task_struct_rcu_user and delayed_put_task_struct. (do_exit, release_task and wait are the
 * exit room's.)
 *
 * <p>Invariant: a task's rcu_users (2 from dup_task_struct: the reaper's and the scheduler's)
 * reaches zero once; that put queues delayed_put_task_struct on the task's own rcu head, which
 * shares rcu_users' word, and after a grace period it drops the reference rcu_users held on
 * usage. A reader that found the task under rcu_read_lock may therefore use it until
 * rcu_read_unlock.
 */
public final class Exit {
    private Exit() {
    }

    /** Registers delayed_put_task_struct in the kernel text (boot). */
    public static void exitInit(Globals g) {
        g.delayedPutTaskStructFn = g.rcu.register("delayed_put_task_struct", head -> delayedPutTaskStruct(g, head));
    }

    /**
     * delayed_put_task_struct: after the grace period, the reference of the rcu users goes.
     * (perf_event_delayed_put: no perf events; trace_sched_process_free: no tracing.)
     */
    static void delayedPutTaskStruct(Globals g, long head) {
        ForkTask.putTaskStruct(g, head - TaskStruct.RCU);
    }

    /**
     * put_task_struct_rcu_user: one rcu user less; the last one queues delayed_put_task_struct.
     *
     * @throws IllegalStateException when rcu_users is already 0
     */
    public static void putTaskStructRcuUser(Globals g, long task) {
        if (ForkTask.refcountDecAndTest(task + TaskStruct.RCU_USERS, "rcu_users", task)) {
            g.rcu.callRcu(task + TaskStruct.RCU, g.delayedPutTaskStructFn);
        }
    }
}
