package org.kfork.kernel.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kfork.kernel.Globals;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.kernel.events.ProcConnector;
import org.kfork.kernel.proc.ProcArray;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.sched.TaskState;
import org.kfork.script.Scratch;
import org.kfork.script.ScriptRunner;
import org.kfork.smp.CurrentCpu;

/**
 * A BUG_ON of do_notify_parent is a Java exception here; exit_notify must not leave
 * tasklist_lock held when it escapes (every later fork, wait and exit would block on it). The
 * exiting task is made to look stopped, which do_notify_parent refuses; the test then checks the
 * lock, finishes the exit by hand, reaps the child, and the kernel's close is the leak check.
 */
class ExitNotifyBugOnTest {
    @Test
    void tasklistLockIsFreeAfterDoNotifyParentThrows() {
        try (OffHeapKernel k = OffHeapKernel.boot(ScriptRunner.config(64L << 20, 2))) {
            final Globals g = k.globals();
            final int child = (int) k.fork(1);
            assertTrue(child > 1, "fork: " + child);
            final long t = ProcArray.findTask(g, child);
            CurrentCpu.bind(0);
            try {
                Mem.putLongVolatile(t + TaskStruct.STATE, TaskState.__TASK_STOPPED);
                final IllegalStateException e = assertThrows(IllegalStateException.class, () -> Exit.doExit(g, t, 0));
                assertTrue(e.getMessage().startsWith("do_notify_parent"), e.getMessage());
                assertFalse(g.tasklistLock.isWriteLocked(), "tasklist_lock left held by the BUG_ON");
                assertEquals(TaskState.EXIT_ZOMBIE, Mem.getInt(t + TaskStruct.EXIT_STATE), "it threw at the notification");

                // the rest of do_exit, now that the task is no longer stopped
                Mem.putLongVolatile(t + TaskStruct.STATE, TaskState.TASK_RUNNING);
                Exit.exitNotify(g, t, true);
                assertFalse(g.tasklistLock.isWriteLocked());
                ProcConnector.procExitConnector(g, t);
                Exit.doTaskDead(g, t);
            } finally {
                CurrentCpu.unbind();
            }
            assertEquals(child, k.wait4(1, child, Scratch.WSTATUS, 0, 0), "the zombie is reaped");
        }
    }
}
