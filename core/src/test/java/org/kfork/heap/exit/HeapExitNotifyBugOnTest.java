package org.kfork.heap.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.HeapKernel;
import org.kfork.heap.events.HeapProcConnector;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.proc.HeapProcArray;
import org.kfork.sched.TaskState;
import org.kfork.script.Scratch;
import org.kfork.script.ScriptRunner;
import org.kfork.smp.CurrentCpu;

/**
 * The heap twin of offheap's ExitNotifyBugOnTest: a do_notify_parent BUG_ON (a Java exception)
 * inside exit_notify leaves tasklist_lock free; the exit is then finished by hand, the child
 * reaped, and the kernel's close finds every object back at its baseline.
 */
class HeapExitNotifyBugOnTest {
    @Test
    void tasklistLockIsFreeAfterDoNotifyParentThrows() {
        try (HeapKernel k = HeapKernel.boot(ScriptRunner.config(64L << 20, 2))) {
            final HeapGlobals g = k.globals();
            final int child = (int) k.fork(1);
            assertTrue(child > 1, "fork: " + child);
            final HeapTask t = HeapProcArray.findTask(g, child);
            CurrentCpu.bind(0);
            try {
                t.setState(TaskState.__TASK_STOPPED);
                final IllegalStateException e = assertThrows(IllegalStateException.class, () -> HeapExit.doExit(g, t, 0));
                assertTrue(e.getMessage().startsWith("do_notify_parent"), e.getMessage());
                assertFalse(g.tasklistLock.isWriteLocked(), "tasklist_lock left held by the BUG_ON");
                assertEquals(TaskState.EXIT_ZOMBIE, t.exitState, "it threw at the notification");

                t.setState(TaskState.TASK_RUNNING);
                HeapExit.exitNotify(g, t, true);
                assertFalse(g.tasklistLock.isWriteLocked());
                HeapProcConnector.procExitConnector(g, t);
                HeapExit.doTaskDead(g, t);
            } finally {
                CurrentCpu.unbind();
            }
            assertEquals(child, k.wait4(1, child, Scratch.WSTATUS, 0, 0), "the zombie is reaped");
        }
    }
}
