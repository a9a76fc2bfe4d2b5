/**
 * The heap twin of RCU ({@code org.kfork.kernel.rcu}): {@link org.kfork.heap.rcu.HeapRcu}
 * (call_rcu, synchronize_rcu, rcu_barrier, the read side and the system-call boundaries) over
 * {@link org.kfork.heap.rcu.HeapCallbackHead} objects on per-CPU
 * {@link org.kfork.heap.rcu.HeapSegCbList}s, sharing the grace-period machinery of
 * {@code org.kfork.rcu}.
 */
package org.kfork.heap.rcu;
