package org.kfork.kernel.delayacct;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import org.kfork.alloc.SlabFlags;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.TaskDelayInfo;
import org.kfork.kernel.struct.TaskStruct;

/**
 * kernel/delayacct.c and include/linux/delayacct.h (5.12, CONFIG_TASK_DELAY_ACCT): each task's
 * task_delay_info, from the task_delay_info cache. delayacct_on is 1 in 5.12 unless the kernel
 * boots with "nodelayacct", so every task gets one at fork; failing to allocate it is not an
 * error (the task accounts no delays). The model measures no delays: the records only live and
 * die with their tasks.
 *
 * <p>Invariant: a task's {@code delays} is NULL or its own record (never the parent's, which
 * dup_task_struct copied): delayacct_tsk_init clears it before allocating.
 */
public final class Delayacct {
    private Delayacct() {
    }

    /** delayacct_init: the cache (KMEM_CACHE), and init_task's record. */
    public static void delayacctInit(Globals g) {
        g.delayacctCache = g.kmem.slabs().create("task_delay_info", (int) TaskDelayInfo.SIZEOF,
            (int) TaskDelayInfo.ALIGNOF, SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, null);
        delayacctTskInit(g, g.initTask);
    }

    /** Undoes {@link #delayacctInit}: init_task's record, then the cache. */
    public static void delayacctClose(Globals g) {
        if (g.delayacctCache != null) {
            delayacctTskFree(g, g.initTask);
            g.delayacctCache.destroy();
            g.delayacctCache = null;
        }
    }

    /**
     * delayacct_tsk_init: forgets the parent's pointer dup_task_struct copied, then
     * __delayacct_tsk_init: a zeroed record with its lock initialized, or none.
     */
    public static void delayacctTskInit(Globals g, long tsk) {
        putLong(tsk + TaskStruct.DELAYS, 0);
        final long d = g.zalloc(g.delayacctCache);
        putLong(tsk + TaskStruct.DELAYS, d);
        if (d != 0) {
            Spinlock.init(d + TaskDelayInfo.LOCK);
        }
    }

    /** delayacct_tsk_free: the task's record back to the cache. */
    public static void delayacctTskFree(Globals g, long tsk) {
        final long d = getLong(tsk + TaskStruct.DELAYS);
        if (d != 0) {
            g.free(g.delayacctCache, d);
        }
        putLong(tsk + TaskStruct.DELAYS, 0);
    }
}
