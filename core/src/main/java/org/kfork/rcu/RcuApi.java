package org.kfork.rcu;

/**
 * What both RCU representations offer with the same signatures (include/linux/rcupdate.h, minus
 * call_rcu, whose head and func types differ): the system-call boundary hooks, the read side,
 * synchronize_rcu, rcu_barrier and the counters. Code shared by both kernels (a system-call
 * layer, a /proc view, the tests) holds one of these.
 *
 * <p>Tokens: every entry (a system call, a resumed task, an rcu_read_lock) returns an int token
 * naming its CPU, and the matching exit takes it back. Nesting and several threads on one CPU are
 * fine; each entry has its own token.
 */
public interface RcuApi {
    /** A system call starts on the calling thread's CPU; returns its token. */
    int rcuSyscallEnter();

    /** A system call starts on {@code cpu}; returns its token. */
    int rcuSyscallEnter(int cpu);

    /** The system call of {@code token} returns; its CPU's done callbacks run here. */
    void rcuSyscallExit(int token);

    /** rcu_note_context_switch: the task of {@code token} blocks inside its call (quiescent). */
    void rcuNoteContextSwitch(int token);

    /** The blocked task runs again on {@code cpu}; returns its new token. */
    int rcuNoteResume(int cpu);

    /** rcu_read_lock on the calling thread's CPU; returns its token. */
    int rcuReadLock();

    /** rcu_read_lock on {@code cpu}; returns its token. */
    int rcuReadLock(int cpu);

    /** rcu_read_unlock. */
    void rcuReadUnlock(int token);

    /** synchronize_rcu, for a thread that is not inside a call. */
    void synchronizeRcu();

    /** synchronize_rcu inside the call of {@code token}; returns the call's new token. */
    int synchronizeRcu(int token);

    /** rcu_barrier, for a thread that is not inside a call. */
    void rcuBarrier();

    /** rcu_barrier until no callback is pending. */
    void quiesce();

    /** The shared grace-period state (gp_seq, qsmask, who is inside). */
    RcuState state();

    /** rcu_state.gp_seq. */
    long gpSeq();

    /** Grace periods completed since boot. */
    long gracePeriodsCompleted();

    /** Callbacks queued since boot. */
    long callbacksQueued();

    /** Callbacks invoked since boot. */
    long callbacksInvoked();

    /** Callbacks queued and not yet invoked. */
    long callbacksPending();

    /** rcupdate.rcu_cpu_stall_timeout, in milliseconds (21 s by default). */
    void setStallTimeoutMillis(long millis);
}
