package org.kfork.heap.sched;

import java.util.function.BooleanSupplier;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.rcu.RcuState;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;

/**
 * The heap twin of org.kfork.kernel.sched.Wait: sleeping and waking on one kernel-wide monitor
 * ({@code g.waitMonitor}, {@code g.waitWakeups}), the same protocol, the same lock order (the
 * monitor is the innermost lock: nothing is taken while it is held), the same RCU reports and
 * the same packed results; completions over {@link HeapCompletion}.
 */
public final class HeapWait {
    private static final int DONE_FOREVER = -1;

    private HeapWait() {
    }

    /** wait_event. */
    public static int waitEvent(HeapGlobals g, int token, BooleanSupplier condition) {
        for (;;) {
            final long seq = g.waitWakeups;
            if (condition.getAsBoolean()) {
                return token;
            }
            token = sleep(g, token, seq);
        }
    }

    /** wait_event_killable. */
    public static long waitEventKillable(HeapGlobals g, HeapTask current, int token, BooleanSupplier condition) {
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

    /** Wait#sleepAs: {@link #sleep} with {@code current} in {@code state} meanwhile, TASK_RUNNING after. */
    private static int sleepAs(HeapGlobals g, HeapTask current, long state, int token, long seq) {
        current.setState(state);
        try {
            return sleep(g, token, seq);
        } finally {
            current.setState(TaskState.TASK_RUNNING);
        }
    }

    /** wait_event_interruptible. */
    public static long waitEventInterruptible(HeapGlobals g, HeapTask current, int token, BooleanSupplier condition) {
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

    private static int sleep(HeapGlobals g, int token, long seq) {
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

    /** wake_up_all of every queue at once. */
    public static void wakeUpAll(HeapGlobals g) {
        synchronized (g.waitMonitor) {
            g.waitWakeups++;
            g.waitMonitor.notifyAll();
        }
    }

    /** wake_up_state: {@link #wakeUpAll}. */
    public static void wakeUpState(HeapGlobals g, HeapTask p, int state) {
        wakeUpAll(g);
    }

    /** signal_pending. */
    public static boolean signalPending(HeapTask p) {
        return p.testTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
    }

    /** fatal_signal_pending. */
    public static boolean fatalSignalPending(HeapTask p) {
        return signalPending(p) && (p.pending.signal & 1L << (Signals.SIGKILL - 1)) != 0;
    }

    /** init_completion: a new completion is one ({@code new HeapCompletion()}); this resets one. */
    public static void initCompletion(HeapCompletion x) {
        x.done = 0;
    }

    /** completion_done's read. */
    public static int done(HeapCompletion x) {
        return x.done;
    }

    /** complete. */
    public static void complete(HeapGlobals g, HeapCompletion x) {
        x.waitLock.lock();
        try {
            if (x.done != DONE_FOREVER) {
                x.done = x.done + 1;
            }
            wakeUpAll(g);
        } finally {
            x.waitLock.unlock();
        }
    }

    /** wait_for_completion_killable. */
    public static long waitForCompletionKillable(HeapGlobals g, HeapTask current, int token, HeapCompletion x) {
        x.waitLock.lock();
        if (x.done == 0) {
            do {
                if (fatalSignalPending(current)) {
                    x.waitLock.unlock();
                    return WaitResult.of(token, -Errno.ERESTARTSYS);
                }
                final long seq = g.waitWakeups;
                x.waitLock.unlock();
                token = sleepAs(g, current, TaskState.TASK_KILLABLE, token, seq);
                x.waitLock.lock();
            } while (x.done == 0);
        }
        if (x.done != DONE_FOREVER) {
            x.done = x.done - 1;
        }
        x.waitLock.unlock();
        return WaitResult.of(token, 0);
    }
}
