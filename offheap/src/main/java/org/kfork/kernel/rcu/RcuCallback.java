package org.kfork.kernel.rcu;

/**
 * rcu_callback_t: {@code void (*)(struct rcu_head *head)}. Registered once at boot with
 * {@link Rcu#register}, which gives it its kernel-text address, the value callRcu stores in the
 * callback_head's {@code func}.
 */
@FunctionalInterface
public interface RcuCallback {
    /** Runs after the grace period; {@code head} is the address of the queued callback_head. */
    void call(long head);
}
