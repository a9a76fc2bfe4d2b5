package org.kfork.heap.rcu;

/**
 * The heap twin of {@code struct callback_head} (rcu_head): the link and the function of one RCU
 * callback, embedded in the object it frees. A heap struct that has one rcu head extends this class
 * (container_of is then a cast); one that needs several holds them as fields.
 *
 * <p>The fields belong to {@link HeapRcu} from callRcu until the callback runs, as the kernel's
 * do: the object must not be queued twice.
 */
public class HeapCallbackHead {
    /** {@code struct callback_head *next;}: the next queued callback, or null. */
    HeapCallbackHead next;
    /** {@code void (*func)(struct callback_head *head);}: what to run after the grace period. */
    HeapRcuCallback func;

    /** The next queued callback (null when last or not queued). */
    public final HeapCallbackHead next() {
        return next;
    }

    /** The function last queued with this head, or null. */
    public final HeapRcuCallback func() {
        return func;
    }
}
