/**
 * Task vocabulary shared by the off-heap kernel and the heap twins: PF_* flags
 * ({@link org.kfork.sched.TaskFlags}), task states ({@link org.kfork.sched.TaskState}),
 * signal_struct flags ({@link org.kfork.sched.SignalFlags}) and fork.c's fixed limits
 * ({@link org.kfork.sched.Limits}).
 */
package org.kfork.sched;
