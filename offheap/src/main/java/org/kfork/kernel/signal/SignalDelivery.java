package org.kfork.kernel.signal;

import org.kfork.arch.SignalRestart;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.sched.Wait;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.Sigaction;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.sched.SignalFlags;
import org.kfork.uapi.Signals;

/**
 * kernel/signal.c (5.12), get_signal as a task returning to user space runs it, for a model that
 * runs no user code: each unblocked pending signal is dequeued (the task's own first, then the
 * group's, lowest number first) and its disposition applied. An ignored signal, a signal whose
 * default is to be ignored, and a signal with a handler (the handler counts as having run;
 * SA_RESETHAND puts SIG_DFL back) are consumed. Job-control stops are not modeled: a stop signal
 * is consumed. A signal whose default is to kill is returned to the caller, which makes the group
 * exit with it (do_group_exit); a pending SIGKILL is left in place and reported, for exit.c's
 * fatal path. Init of a namespace (SIGNAL_UNKILLABLE) ignores fatal signals other than SIGKILL
 * and SIGSTOP, as get_signal does.
 */
public final class SignalDelivery {
    private SignalDelivery() {
    }

    /**
     * Dequeues and handles {@code t}'s pending unblocked signals, under its siglock.
     *
     * @return in {@link SignalRestart#FATAL_MASK}, 0 or the signal that must end the group
     *         (SIGKILL when a fatal signal is pending); {@link SignalRestart#HANDLED} when a handler
     *         counted as run, with {@link SignalRestart#HANDLED_SA_RESTART} when the first had SA_RESTART
     */
    public static int getSignal(Globals g, long t) {
        if (!Wait.signalPending(t)) {
            return 0;
        }
        final long sighand = Signal.sighand(t);
        final long siglock = sighand + SighandStruct.SIGLOCK;
        final long signal = Signal.signal(t);
        Spinlock.lock(siglock);
        try {
            int handled = 0;
            for (;;) {
                if (Wait.fatalSignalPending(t)) {
                    return handled | Signals.SIGKILL;
                }
                final long blocked = Mem.getLong(t + TaskStruct.BLOCKED);
                long pending = t + TaskStruct.PENDING;
                long set = Mem.getLong(pending + Sigpending.SIGNAL) & ~blocked;
                if (set == 0) {
                    pending = signal + SignalStruct.SHARED_PENDING;
                    set = Mem.getLong(pending + Sigpending.SIGNAL) & ~blocked;
                }
                if (set == 0) {
                    Signal.recalcSigpending(t);
                    return handled;
                }
                final int sig = Long.numberOfTrailingZeros(set) + 1;
                Signal.flushSigqueueMask(g, 1L << (sig - 1), pending);
                final long ka = Signal.action(sighand, sig);
                final long handler = Mem.getLong(ka + Sigaction.SA_HANDLER);
                if (handler == Signals.SIG_IGN) {
                    continue;
                }
                if (handler != Signals.SIG_DFL) {
                    final long saFlags = Mem.getLong(ka + Sigaction.SA_FLAGS);
                    if (handled == 0) {
                        handled = SignalRestart.HANDLED
                            | ((saFlags & Signals.SA_RESTART) != 0 ? SignalRestart.HANDLED_SA_RESTART : 0);
                    }
                    if ((saFlags & Signals.SA_RESETHAND) != 0) {
                        Mem.putLong(ka + Sigaction.SA_HANDLER, Signals.SIG_DFL);
                    }
                    continue;
                }
                if (Signals.sigKernelIgnore(sig) || Signals.sigKernelStop(sig)) {
                    continue;
                }
                if ((Mem.getInt(signal + SignalStruct.FLAGS) & SignalFlags.SIGNAL_UNKILLABLE) != 0
                    && !Signals.sigKernelOnly(sig)) {
                    continue;
                }
                Signal.recalcSigpending(t);
                return handled | sig;
            }
        } finally {
            Spinlock.unlock(siglock);
        }
    }

    /**
     * Whether {@code t} has an unblocked pending signal (its own or its group's) that get_signal
     * would end the group with: the default action kills and the group is not an unkillable
     * init's ({@link Signals#sigKillsGroup}). Read without the siglock, as a hint for the exits of
     * tasks outside any call ({@code Exit.exitIdleTasks}); {@link #getSignal} decides under it.
     * A task in user space would take such a signal at once (signal_wake_up kicks it), before
     * it could make another call.
     */
    public static boolean deadlySignalPending(long t) {
        if (!Wait.signalPending(t)) {
            return false;
        }
        final long sighand = Signal.sighand(t);
        final long signal = Signal.signal(t);
        long set = (Mem.getLong(t + TaskStruct.PENDING + Sigpending.SIGNAL)
            | Mem.getLong(signal + SignalStruct.SHARED_PENDING + Sigpending.SIGNAL)) & ~Mem.getLong(t + TaskStruct.BLOCKED);
        final boolean unkillable = (Mem.getInt(signal + SignalStruct.FLAGS) & SignalFlags.SIGNAL_UNKILLABLE) != 0;
        for (; set != 0; set &= set - 1) {
            final int sig = Long.numberOfTrailingZeros(set) + 1;
            if (Signals.sigKillsGroup(Mem.getLong(Signal.action(sighand, sig) + Sigaction.SA_HANDLER), sig, unkillable)) {
                return true;
            }
        }
        return false;
    }
}
