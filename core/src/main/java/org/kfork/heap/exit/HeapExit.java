package org.kfork.heap.exit;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapForkTask;
import org.kfork.heap.fork.HeapTask;

/**
 * The heap twin of org.kfork.kernel.exit.Exit: kernel/exit.c (5.12), put_task_struct_rcu_user
 * and delayed_put_task_struct, with the same invariant.
 */
public final class HeapExit {
    private HeapExit() {
    }

    /** Names delayed_put_task_struct (boot). */
    public static void exitInit(HeapGlobals g) {
        g.delayedPutTaskStructFn = head -> delayedPutTaskStruct(g, (HeapTask) head);
    }

    /** delayed_put_task_struct: after the grace period, the reference of the rcu users goes. */
    static void delayedPutTaskStruct(HeapGlobals g, HeapTask tsk) {
        HeapForkTask.putTaskStruct(g, tsk);
    }

    /** put_task_struct_rcu_user: the last rcu user queues delayed_put_task_struct. */
    public static void putTaskStructRcuUser(HeapGlobals g, HeapTask task) {
        if (task.rcuUsersDecAndTest()) {
            g.rcu.callRcu(task, g.delayedPutTaskStructFn);
        }
    }
}
