package org.kfork.heap.block;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.kfork.heap.locking.HeapSpinlock;

/**
 * The heap twin of {@code struct io_context}: the three counts, the lock and the I/O priority.
 * icq_tree, icq_hint, icq_list and release_work are not kept: the model makes no io_cq (see
 * org.kfork.kernel.block.BlkIoc).
 */
public final class HeapIoContext {
    /** refcount. */
    public final AtomicLong refcount = new AtomicLong();
    /** active_ref. */
    public final AtomicInteger activeRef = new AtomicInteger();
    /** nr_tasks. */
    public final AtomicInteger nrTasks = new AtomicInteger();
    /** lock. */
    public final HeapSpinlock lock = new HeapSpinlock();
    /** ioprio. */
    public volatile short ioprio;

    HeapIoContext() {
    }
}
