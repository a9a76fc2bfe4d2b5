package org.kfork.heap.delayacct;

import org.kfork.heap.locking.HeapSpinlock;

/**
 * The heap twin of {@code struct task_delay_info} (include/linux/delayacct.h): a task's delay
 * accounting record. The model accounts no delays, so only the lock and the flags exist here; the
 * object's life (one per task, from the task_delay_info kind) is what the port keeps.
 */
public final class HeapTaskDelayInfo {
    /** {@code raw_spinlock_t lock}. */
    public final HeapSpinlock lock = new HeapSpinlock();
    /** {@code unsigned int flags}. */
    public int flags;
}
