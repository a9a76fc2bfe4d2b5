package org.kfork.kernel.sched;

import static org.kfork.machine.Mem.getInt;

import java.util.function.BooleanSupplier;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.Completion;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.SwaitQueueHead;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.rcu.RcuState;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;

/**
 * Sleeping and waking (kernel/sched/wait.c, completion.c and include/linux/wait.h, 5.12), as the
 * model needs them: a task that waits for an event (wait4 for a child, a vfork parent for its
 * child's exec or exit, a namespace's reaper for its children) blocks its Java thread until
 * another task makes the event happen and wakes it.
 *
 * <h2>One kernel-wide queue</h2>
 * The kernel has a wait queue per event; the model has one for the whole kernel: a monitor
 * ({@code g.waitMonitor}) and a wake-up sequence number ({@code g.waitWakeups}). A waker bumps the
 * sequence and notifies every sleeper; each sleeper re-evaluates its own condition and sleeps
 * again if it is still false. Wake-ups cost more than the kernel's targeted ones, but none is
 * lost and none needs a queue entry per sleeper.
 * <pre>
 *   sleeper                                   waker
 *   seq = waitWakeups      (prepare_to_wait)  makes the condition true
 *   if (condition) done                       synchronized (monitor) {
 *   synchronized (monitor) {                      waitWakeups++; notifyAll();
 *       while (waitWakeups == seq) wait();    }
 *   }   and evaluate the condition again
 * </pre>
 * No lost wake-up: the sleeper reads the sequence before it evaluates the condition, and the
 * waker changes the state before it bumps the sequence. A waker that bumped before the read made
 * its change visible to the evaluation (the volatile read of the sequence orders it); one that
 * bumped after the read changes the sequence the sleeper waits on, so it does not sleep, or is
 * notified.
 *
 * <h2>Lock order: deadlock-free by construction</h2>
 * The monitor is the innermost lock of the kernel, as a wait queue's spinlock is: nothing is
 * acquired while it is held (the bump and the notify, or the sequence test and the wait). A
 * waker may therefore hold any lock when it wakes (a completion's lock, a siglock, tasklist_lock),
 * and a condition is evaluated with no lock of this class held, so it may take the locks it needs
 * (wait4's scan takes tasklist_lock for reading). A sleeper must hold no lock when it sleeps,
 * as in the kernel (sleeping under a spinlock is a bug there too).
 *
 * <h2>RCU</h2>
 * A sleeping task is in a voluntary context switch, a quiescent state: before it parks it reports
 * it with {@code rcuNoteContextSwitch(token)} and, when it runs again, counts back in on the same
 * CPU with {@code rcuNoteResume}, whose new token it returns. {@link WaitResult#NO_RCU} stands
 * for a caller outside any system call (a test driver, boot), which has nothing to report.
 *
 * <h2>Results</h2>
 * The killable and interruptible forms return two values in one long, without allocating: the
 * caller's new token and 0 or -ERESTARTSYS ({@link WaitResult}).
 */
public final class Wait {
    /** UINT_MAX: a completion completed for good (complete_all). */
    private static final int DONE_FOREVER = -1;

    private Wait() {
    }

    // ------------------------------------------------------------------------------------------
    // wait_event and friends
    // ------------------------------------------------------------------------------------------

    /**
     * wait_event: sleeps (TASK_UNINTERRUPTIBLE) until {@code condition} is true.
     *
     * @param token the caller's RCU token, or {@link WaitResult#NO_RCU}
     * @return the caller's token after the wait (a new one if it slept)
     */
    public static int waitEvent(Globals g, int token, BooleanSupplier condition) {
        for (;;) {
            final long seq = g.waitWakeups;
            if (condition.getAsBoolean()) {
                return token;
            }
            token = sleep(g, token, seq);
        }
    }

    /**
     * wait_event_killable: sleeps (TASK_KILLABLE) until {@code condition} is true or
     * {@code current} has a fatal signal pending.
     *
     * @return a packed result: the token, and 0, or -ERESTARTSYS when a fatal signal ended the wait
     */
    public static long waitEventKillable(Globals g, long current, int token, BooleanSupplier condition) {
        for (;;) {
            final long seq = g.waitWakeups;
            if (condition.getAsBoolean()) {
                return WaitResult.of(token, 0);
            }
            if (fatalSignalPending(current)) {
                return WaitResult.of(token, -Errno.ERESTARTSYS);
            }
            token = sleepAs(g, current, TaskState.TASK_KILLABLE, token, seq);
        }
    }

    /**
     * wait_event_interruptible: sleeps (TASK_INTERRUPTIBLE) until {@code condition} is true or
     * {@code current} has any signal pending.
     *
     * @return a packed result: the token, and 0, or -ERESTARTSYS when a signal ended the wait
     */
    public static long waitEventInterruptible(Globals g, long current, int token, BooleanSupplier condition) {
        for (;;) {
            final long seq = g.waitWakeups;
            if (condition.getAsBoolean()) {
                return WaitResult.of(token, 0);
            }
            if (signalPending(current)) {
                return WaitResult.of(token, -Errno.ERESTARTSYS);
            }
            token = sleepAs(g, current, TaskState.TASK_INTERRUPTIBLE, token, seq);
        }
    }

    /**
     * {@link #sleep} with {@code current} in {@code state} meanwhile, as prepare_to_wait's
     * set_current_state and finish_wait's __set_current_state(TASK_RUNNING) put it: /proc shows the
     * sleeper as S (interruptible) or D (killable), as ps shows a task blocked in wait4 or vfork.
     */
    private static int sleepAs(Globals g, long current, long state, int token, long seq) {
        Mem.putLongVolatile(current + TaskStruct.STATE, state); // set_current_state: a full barrier
        try {
            return sleep(g, token, seq);
        } finally {
            Mem.putLongVolatile(current + TaskStruct.STATE, TaskState.TASK_RUNNING);
        }
    }

    /**
     * Parks the calling thread until a wake-up after sequence {@code seq} (at once if one came
     * already), reporting the sleep to RCU. A Java interrupt is no kernel event: the sleep goes
     * on, and the thread's interrupt status is set again when it returns.
     */
    private static int sleep(Globals g, int token, long seq) {
        final int cpu = token == WaitResult.NO_RCU ? -1 : RcuState.tokenCpu(token);
        if (token != WaitResult.NO_RCU) {
            g.rcu.rcuNoteContextSwitch(token);
        }
        boolean interrupted = false;
        synchronized (g.waitMonitor) {
            while (g.waitWakeups == seq) {
                try {
                    g.waitMonitor.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return cpu < 0 ? WaitResult.NO_RCU : g.rcu.rcuNoteResume(cpu);
    }

    /**
     * wake_up_all of every wait queue at once: every sleeper re-evaluates its condition. The
     * caller may hold any lock (the monitor is the innermost one).
     */
    public static void wakeUpAll(Globals g) {
        synchronized (g.waitMonitor) {
            g.waitWakeups++;
            g.waitMonitor.notifyAll();
        }
    }

    /**
     * wake_up_state(p, state): try_to_wake_up of one task in one of {@code state}'s sleeps, as
     * signal_wake_up does for a fatal signal (TASK_WAKEKILL). With one kernel-wide queue it is
     * {@link #wakeUpAll}: {@code p} finds its wake-up condition (a fatal signal for a killable
     * sleep) and every other sleeper sleeps again.
     */
    public static void wakeUpState(Globals g, long p, int state) {
        wakeUpAll(g);
    }

    /** signal_pending: TIF_SIGPENDING (include/linux/sched/signal.h). */
    public static boolean signalPending(long p) {
        return SchedCore.testTskThreadFlag(p, ThreadInfoFlags.TIF_SIGPENDING);
    }

    /**
     * fatal_signal_pending: a signal is pending and SIGKILL is in the task's own pending set,
     * which is how 5.12 marks a task that must die (complete_signal, zap_other_threads).
     */
    public static boolean fatalSignalPending(long p) {
        return signalPending(p)
            && (Mem.getLongVolatile(p + TaskStruct.PENDING + Sigpending.SIGNAL) & 1L << (Signals.SIGKILL - 1)) != 0;
    }

    // ------------------------------------------------------------------------------------------
    // Completions (kernel/sched/completion.c)
    // ------------------------------------------------------------------------------------------

    /** init_completion: nothing completed, an unlocked and empty wait queue. */
    public static void initCompletion(long x) {
        Mem.putIntVolatile(x + Completion.DONE, 0);
        Spinlock.init(x + Completion.WAIT + SwaitQueueHead.LOCK);
        IntrusiveList.init(x + Completion.WAIT + SwaitQueueHead.TASK_LIST);
    }

    /** completion_done's read: the completions not yet consumed. */
    public static int done(long x) {
        return Mem.getIntVolatile(x + Completion.DONE);
    }

    /**
     * complete: one more completion (unless completed for good) and a wake-up, under the
     * completion's lock.
     */
    public static void complete(Globals g, long x) {
        final long lock = x + Completion.WAIT + SwaitQueueHead.LOCK;
        Spinlock.lock(lock);
        try {
            final int done = getInt(x + Completion.DONE);
            if (done != DONE_FOREVER) {
                Mem.putIntVolatile(x + Completion.DONE, done + 1);
            }
            wakeUpAll(g); // swake_up_locked: the monitor is a leaf, so waking under the lock is fine
        } finally {
            Spinlock.unlock(lock);
        }
    }

    /**
     * wait_for_completion_killable: waits for a completion and consumes it, unless a fatal signal
     * comes first (then the completion is left for later).
     *
     * @return a packed result: the token, and 0 or -ERESTARTSYS
     */
    public static long waitForCompletionKillable(Globals g, long current, int token, long x) {
        final long lock = x + Completion.WAIT + SwaitQueueHead.LOCK;
        Spinlock.lock(lock);
        if (getInt(x + Completion.DONE) == 0) {
            do {
                if (fatalSignalPending(current)) {
                    Spinlock.unlock(lock);
                    return WaitResult.of(token, -Errno.ERESTARTSYS);
                }
                // read under the lock, before dropping it: a complete() after this bumps it
                final long seq = g.waitWakeups;
                Spinlock.unlock(lock);
                token = sleepAs(g, current, TaskState.TASK_KILLABLE, token, seq);
                Spinlock.lock(lock);
            } while (getInt(x + Completion.DONE) == 0);
        }
        final int done = getInt(x + Completion.DONE);
        if (done != DONE_FOREVER) {
            Mem.putIntVolatile(x + Completion.DONE, done - 1);
        }
        Spinlock.unlock(lock);
        return WaitResult.of(token, 0);
    }
}
