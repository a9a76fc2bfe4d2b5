package org.kfork.heap.fork;

import org.kfork.heap.nsproxy.HeapCssSet;

/**
 * The heap twin of {@code struct kernel_clone_args}: kernel_clone's arguments, built by fork,
 * vfork, clone and clone3 (5.12, include/linux/sched/task.h). A plain object: the heap kernel
 * keeps on the Java heap what the kernel keeps on its stack.
 */
public final class HeapKernelCloneArgs {
    /** {@code u64 flags}. */
    public long flags;
    /** {@code int __user *pidfd}. */
    public long pidfd;
    /** {@code int __user *child_tid}. */
    public long childTid;
    /** {@code int __user *parent_tid}. */
    public long parentTid;
    /** {@code int exit_signal}. */
    public int exitSignal;
    /** {@code unsigned long stack}. */
    public long stack;
    /** {@code unsigned long stack_size}. */
    public long stackSize;
    /** {@code unsigned long tls}. */
    public long tls;
    /** {@code pid_t *set_tid}: a kernel array (clone3 copies it from the caller). */
    public int[] setTid;
    /** {@code size_t set_tid_size}. */
    public int setTidSize;
    /** {@code int cgroup}. */
    public int cgroup;
    /** {@code int io_thread}. */
    public int ioThread;
    /** {@code struct css_set *cset}: cgroup_can_fork's reference until cgroup_post_fork. */
    public HeapCssSet cset;
}
