package org.kfork.rcu;

/**
 * An RCU CPU stall (kernel/rcu/tree_stall.h): a grace period made no progress for the stall
 * timeout while a thread waited for it (synchronize_rcu, rcu_barrier). The message names the CPUs
 * that still owe a quiescent state and how many tasks or readers hold each of them, which is
 * usually a thread that never left a system call, blocked without reporting a context switch, or
 * waits for a grace period inside an RCU read-side critical section.
 */
public final class RcuStallException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** A stall report with the kernel-style message. */
    public RcuStallException(String message) {
        super(message);
    }
}
