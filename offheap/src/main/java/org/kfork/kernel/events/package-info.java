/**
 * Kernel events other parts of the kernel report to: the process events connector
 * (drivers/connector/cn_proc.c, {@link org.kfork.kernel.events.ProcConnector}) and the uprobes
 * hook of dup_mmap ({@link org.kfork.kernel.events.Uprobes}).
 */
package org.kfork.kernel.events;
