/**
 * kernel/rcu (Linux 5.12, tree RCU): {@link org.kfork.kernel.rcu.Rcu} (call_rcu with callbacks
 * queued through the objects' own callback_heads in RAM, synchronize_rcu, rcu_barrier, the read
 * side, the system-call boundary hooks) and {@link org.kfork.kernel.rcu.SegCbList}
 * (rcu_segcblist.c). The grace-period machinery is shared with the heap twin in
 * {@code org.kfork.rcu}; docs/tasks.md says what is modeled and what is not.
 */
package org.kfork.kernel.rcu;
