package org.kfork.sched;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * kick_process for the model's tasks outside any call. In 5.12 signal_wake_up_state kicks a task
 * running in user space into the kernel, which takes the signal on its way back out; a modeled
 * task outside a call runs nothing, so the syscall layer runs the exits of such tasks at the end
 * of every call ({@code exitIdleTasks}). Finding them is a walk of every task, so it runs only
 * when a signal was sent since the last walk: this flag is that "since".
 *
 * <p>Invariant: a task outside any call with a deadly signal pending implies the flag is set, or
 * a walk that started after the signal was queued is running. Three steps keep it: {@link #kick}
 * after a signal is queued and its TIF_SIGPENDING set (signal_wake_up_state: every sender goes
 * through it); {@link #kick} when a call ends on a task with a deadly signal still pending (it
 * was skipped by walks while it was in the call); and {@link #take} clears the flag before the
 * walk reads any task, so a signal queued during a walk sets it again for the next one.
 * One per kernel, shared by both representations.
 */
public final class IdleKick {
    private final AtomicBoolean kicked = new AtomicBoolean();

    /** A task may have a deadly signal pending outside any call: the next call's end walks. */
    public void kick() {
        if (!kicked.get()) { // the common case of a storm of signals: no write to a shared line
            kicked.set(true);
        }
    }

    /** True once per kick: the caller must walk the tasks now (the flag is cleared first). */
    public boolean take() {
        return kicked.get() && kicked.getAndSet(false);
    }
}
