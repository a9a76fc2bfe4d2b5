/**
 * The heap twin of kernel/pid.c ({@link org.kfork.heap.pid.HeapPids}) and kernel/pid_namespace.c
 * ({@link org.kfork.heap.pid.HeapPidNamespaces}), over the objects {@link org.kfork.heap.pid.HeapPid},
 * {@link org.kfork.heap.pid.HeapUpid} and {@link org.kfork.heap.pid.HeapPidNamespace}.
 */
package org.kfork.heap.pid;
