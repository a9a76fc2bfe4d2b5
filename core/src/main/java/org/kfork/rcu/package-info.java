/**
 * RCU's representation-independent half, shared by the off-heap port ({@code org.kfork.kernel.rcu})
 * and the heap twin ({@code org.kfork.heap.rcu}): grace-period sequence numbers
 * ({@link org.kfork.rcu.RcuSeq}), the callback-list segments ({@link org.kfork.rcu.Segcblist}), the
 * per-CPU bookkeeping ({@link org.kfork.rcu.RcuData}) and the grace-period machinery with its
 * quiescent-state rule ({@link org.kfork.rcu.RcuState}). docs/tasks.md says what is modeled.
 */
package org.kfork.rcu;
