/**
 * What the off-heap port of kernel/pid.c and kernel/pid_namespace.c
 * ({@code org.kfork.kernel.pid}) and its heap twin ({@code org.kfork.heap.pid}) share: pid types,
 * RESERVED_PIDS, PIDNS_ADDING, the bounds of pid_max and its sysctl, alloc_pid's argument and
 * errno rules and free_pid's decision ({@link org.kfork.pid.PidRules}).
 */
package org.kfork.pid;
