package org.kfork.kernel.fork;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.mm.Uaccess;
import org.kfork.kernel.sched.Wait;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.sched.SignalFlags;

/**
 * kernel/fork.c (5.12), the exit side of an mm: complete_vfork_done, mm_release with
 * exit_mm_release and exec_mm_release (wait_for_vfork_done is kernel_clone's, in Fork).
 *
 * <p>Invariants, as in 5.12:
 * <ul>
 *   <li>A vfork parent waits on a completion its child points at (vfork_done); the child
 *       completes it once, when it lets go of the mm (exit or exec), and clears the pointer under
 *       task_lock. A parent killed while waiting clears it itself, so the child never completes a
 *       completion that is gone (Fork.waitForVforkDone).</li>
 *   <li>clear_child_tid is written (0, with put_user) and its futex woken only when other users
 *       of the mm remain (mm_users &gt; 1: a thread's exit, the word is visible to a joiner) and
 *       the group is not dumping core; the pointer is cleared either way. A fault is ignored.</li>
 * </ul>
 * (futex_exit_release and futex_exec_release: the model has no robust or PI futex lists; the
 * futex wake of clear_child_tid wakes the kernel's sleepers, which re-check their conditions.)
 */
public final class ForkMmRelease {
    private ForkMmRelease() {
    }

    /** complete_vfork_done: the vfork parent may go on; vfork_done is cleared under task_lock. */
    public static void completeVforkDone(Globals g, long tsk) {
        final long lock = tsk + TaskStruct.ALLOC_LOCK;
        Spinlock.lock(lock);
        final long vfork = getLong(tsk + TaskStruct.VFORK_DONE);
        if (vfork != 0) {
            putLong(tsk + TaskStruct.VFORK_DONE, 0);
            Wait.complete(g, vfork);
        }
        Spinlock.unlock(lock);
    }


    /**
     * mm_release: tsk stops using mm (exit or exec). clear_child_tid is cleared (written and
     * woken when the rule above allows) and the vfork parent released. (uprobe_free_utask: no
     * uprobes; deactivate_mm: no cached segment state.)
     */
    static void mmRelease(Globals g, long tsk, long mm) {
        final long tidptr = getLong(tsk + TaskStruct.CLEAR_CHILD_TID);
        if (tidptr != 0) {
            final long sig = getLong(tsk + TaskStruct.SIGNAL);
            if ((getInt(sig + SignalStruct.FLAGS) & SignalFlags.SIGNAL_GROUP_COREDUMP) == 0
                && mm != 0 && Mem.getIntVolatile(mm + MmStruct.MM_USERS) > 1) {
                // the error is not checked: a bad pointer is user space's problem
                Uaccess.putUser(g.mm, mm, 0, tidptr, Integer.BYTES);
                Wait.wakeUpAll(g); // do_futex(FUTEX_WAKE, 1)
            }
            putLong(tsk + TaskStruct.CLEAR_CHILD_TID, 0);
        }
        if (getLong(tsk + TaskStruct.VFORK_DONE) != 0) {
            completeVforkDone(g, tsk);
        }
    }

    /** exit_mm_release: mm_release on the way out (futex_exit_release: no futex lists). */
    public static void exitMmRelease(Globals g, long tsk, long mm) {
        mmRelease(g, tsk, mm);
    }

    /** exec_mm_release: mm_release when exec replaces the mm (futex_exec_release: no futex lists). */
    public static void execMmRelease(Globals g, long tsk, long mm) {
        mmRelease(g, tsk, mm);
    }
}
