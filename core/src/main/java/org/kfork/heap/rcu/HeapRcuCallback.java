package org.kfork.heap.rcu;

/** rcu_callback_t for the heap twin: runs once the grace period after call_rcu has ended. */
@FunctionalInterface
public interface HeapRcuCallback {
    /** Frees (or otherwise retires) the object that embeds {@code head}. */
    void call(HeapCallbackHead head);
}
