package org.kfork.heap.signal;

import org.kfork.heap.ds.HeapIntrusiveList;

/** The heap twin of {@code struct sigpending}: the queue of sigqueues and the pending set. */
public final class HeapSigpending {
    /** {@code struct list_head list}: the sigqueues, oldest first. */
    public final HeapIntrusiveList list = new HeapIntrusiveList();
    /** {@code sigset_t signal}: one bit per pending signal (bit sig - 1). */
    public long signal;
}
