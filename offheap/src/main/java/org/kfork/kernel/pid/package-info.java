/**
 * kernel/pid.c ({@link org.kfork.kernel.pid.Pids}) and kernel/pid_namespace.c
 * ({@link org.kfork.kernel.pid.PidNamespaces}) of Linux 5.12 over modeled memory. The heap twin is
 * {@code org.kfork.heap.pid}; what both share is in core's {@code org.kfork.pid}.
 */
package org.kfork.kernel.pid;
