package org.kfork.heap.delayacct;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;

/**
 * The heap twin of org.kfork.kernel.delayacct.Delayacct: kernel/delayacct.c (5.12), each task's
 * task_delay_info, one object of the "task_delay_info" kind per task, with the same steps.
 */
public final class HeapDelayacct {
    private HeapDelayacct() {
    }

    /** delayacct_init: the kind, and init_task's record. */
    public static void delayacctInit(HeapGlobals g) {
        g.delayacctKind = g.kind("task_delay_info");
        delayacctTskInit(g, g.initTask);
    }

    /** Undoes {@link #delayacctInit}: init_task's record. */
    public static void delayacctClose(HeapGlobals g) {
        delayacctTskFree(g, g.initTask);
    }

    /** delayacct_tsk_init: forgets the copied pointer, then a new record, or none on failure. */
    public static void delayacctTskInit(HeapGlobals g, HeapTask tsk) {
        tsk.delays = null;
        if (g.alloc(g.delayacctKind)) {
            tsk.delays = new HeapTaskDelayInfo();
        }
    }

    /** delayacct_tsk_free. */
    public static void delayacctTskFree(HeapGlobals g, HeapTask tsk) {
        if (tsk.delays != null) {
            g.free(g.delayacctKind);
        }
        tsk.delays = null;
    }
}
