package org.kfork.rcu;

import org.kfork.smp.CurrentCpu;

/**
 * What both RCU representations offer with the same signatures (include/linux/rcupdate.h, minus
 * call_rcu, whose head and func types differ): the system-call boundary hooks, the read side,
 * synchronize_rcu, rcu_barrier and the counters. Code shared by both kernels (a system-call
 * layer, a /proc view, the tests) holds one of these. What does not depend on the representation
 * is written once, here, over the shared {@link RcuState}; the representations implement the exit
 * (which runs their callbacks) and the barriers.
 *
 * <p>Tokens: every entry (a system call, a resumed task, an rcu_read_lock) returns an int token
 * naming its CPU, and the matching exit takes it back. Nesting and several threads on one CPU are
 * fine; each entry has its own token.
 */
public interface RcuApi {
    /** The grace-period state shared by both representations (gp_seq, qsmask, who is inside). */
    RcuState state();

    /** A system call starts on the calling thread's CPU; returns its token. */
    default int rcuSyscallEnter() {
        return rcuSyscallEnter(CurrentCpu.current(state().nrCpus()));
    }

    /**
     * A system call starts on {@code cpu}: the CPU is not quiescent until the call exits or blocks.
     * Entry runs no callbacks.
     *
     * @return the token to pass to {@link #rcuSyscallExit} (it names the CPU)
     */
    default int rcuSyscallEnter(int cpu) {
        return state().enter(cpu);
    }

    /**
     * The system call of {@code token} returns: it is counted out (a quiescent state when it was
     * the last one inside that the running grace period waits for), then, if its CPU has
     * callbacks, they advance and the done ones run, in queue order.
     */
    void rcuSyscallExit(int token);

    /**
     * rcu_note_context_switch: the task of {@code token} blocks inside its call (wait4, a vfork
     * parent waiting, synchronize_rcu). A voluntary context switch is a quiescent state: the task
     * holds no RCU-protected pointer while it sleeps. It must not be inside an RCU read-side
     * critical section (those stay counted, so the grace period would stall).
     */
    default void rcuNoteContextSwitch(int token) {
        state().leave(token);
    }

    /**
     * The blocked task runs again, inside its call, on {@code cpu}.
     *
     * @return its new token, for {@link #rcuSyscallExit}
     */
    default int rcuNoteResume(int cpu) {
        return state().enter(cpu);
    }

    /** rcu_read_lock on the calling thread's CPU; returns its token. */
    default int rcuReadLock() {
        return rcuReadLock(CurrentCpu.current(state().nrCpus()));
    }

    /**
     * rcu_read_lock: a read-side critical section on {@code cpu}, inside a call or not; the CPU is
     * not quiescent until {@link #rcuReadUnlock}. Nests (each has its own token). It must not
     * block.
     */
    default int rcuReadLock(int cpu) {
        return state().enter(cpu);
    }

    /** rcu_read_unlock. It runs no callbacks (the kernel's does not either). */
    default void rcuReadUnlock(int token) {
        state().leave(token);
    }

    /**
     * synchronize_rcu for a thread that is not inside a call: returns once a full grace period has
     * elapsed.
     *
     * @throws RcuStallException when it stalls (someone never leaves)
     */
    default void synchronizeRcu() {
        state().awaitGp(RcuSeq.snap(state().gpSeq()));
    }

    /**
     * synchronize_rcu inside the call of {@code token}: the task blocks (a quiescent state for it),
     * waits for a full grace period, and runs again on the same CPU. {@code token} must be the only
     * one the thread holds: an outer call or a reader would still count it in, and it would wait
     * for itself until the stall report.
     *
     * @return the call's new token
     * @throws RcuStallException when it stalls; the token is then spent
     */
    default int synchronizeRcu(int token) {
        final int cpu = RcuState.tokenCpu(token);
        rcuNoteContextSwitch(token);
        synchronizeRcu();
        return rcuNoteResume(cpu);
    }

    /**
     * rcu_barrier, from a thread that is not inside a call: returns once every callback queued
     * before it, on every CPU, has run. Tasks blocked inside calls do not hold it up.
     *
     * @throws RcuStallException when nothing progresses for the stall timeout
     */
    void rcuBarrier();

    /** rcu_barrier until nothing is pending (callbacks may queue callbacks): the leak check's hook. */
    void quiesce();

    /** rcu_state.gp_seq. */
    default long gpSeq() {
        return state().gpSeq();
    }

    /** Grace periods completed since boot. */
    default long gracePeriodsCompleted() {
        return state().gracePeriodsCompleted();
    }

    /** Callbacks queued since boot. */
    default long callbacksQueued() {
        return state().queued();
    }

    /** Callbacks invoked since boot. */
    default long callbacksInvoked() {
        return state().invoked();
    }

    /** Callbacks queued and not yet invoked. */
    default long callbacksPending() {
        return state().pending();
    }

    /** rcupdate.rcu_cpu_stall_timeout, in milliseconds (21 s by default). */
    default void setStallTimeoutMillis(long millis) {
        state().setStallTimeoutMillis(millis);
    }
}
