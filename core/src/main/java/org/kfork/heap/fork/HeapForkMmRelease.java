package org.kfork.heap.fork;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.sched.HeapCompletion;
import org.kfork.heap.sched.HeapWait;
import org.kfork.sched.SignalFlags;

/**
 * The heap twin of org.kfork.kernel.fork.ForkMmRelease: kernel/fork.c (5.12),
 * complete_vfork_done, mm_release with exit_mm_release and exec_mm_release, with the same
 * invariants.
 */
public final class HeapForkMmRelease {
    private HeapForkMmRelease() {
    }

    /** complete_vfork_done. */
    public static void completeVforkDone(HeapGlobals g, HeapTask tsk) {
        tsk.allocLock.lock();
        final HeapCompletion vfork = tsk.vforkDone;
        if (vfork != null) {
            tsk.vforkDone = null;
            HeapWait.complete(g, vfork);
        }
        tsk.allocLock.unlock();
    }


    /** mm_release. */
    static void mmRelease(HeapGlobals g, HeapTask tsk, HeapMmStruct mm) {
        final long tidptr = tsk.clearChildTid;
        if (tidptr != 0) {
            if ((tsk.signal.flags & SignalFlags.SIGNAL_GROUP_COREDUMP) == 0 && mm != null && mm.mmUsers > 1) {
                HeapUaccess.putUser(g.mm, mm, 0, tidptr, Integer.BYTES);
                HeapWait.wakeUpAll(g);
            }
            tsk.clearChildTid = 0;
        }
        if (tsk.vforkDone != null) {
            completeVforkDone(g, tsk);
        }
    }

    /** exit_mm_release. */
    public static void exitMmRelease(HeapGlobals g, HeapTask tsk, HeapMmStruct mm) {
        mmRelease(g, tsk, mm);
    }

    /** exec_mm_release. */
    public static void execMmRelease(HeapGlobals g, HeapTask tsk, HeapMmStruct mm) {
        mmRelease(g, tsk, mm);
    }
}
