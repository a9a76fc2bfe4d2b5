package org.kfork.heap.signal;

import org.kfork.arch.SignalRestart;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.sched.HeapWait;
import org.kfork.sched.SignalFlags;
import org.kfork.uapi.Signals;

/** The heap twin of org.kfork.kernel.signal.SignalDelivery: get_signal for a task going back to user space. */
public final class HeapSignalDelivery {
    private HeapSignalDelivery() {
    }

    /** See SignalDelivery.getSignal: the fatal signal in the low byte, and whether a handler ran. */
    public static int getSignal(HeapGlobals g, HeapTask t) {
        if (!HeapWait.signalPending(t)) {
            return 0;
        }
        final HeapSighandStruct sighand = t.sighand;
        final HeapSignalStruct signal = t.signal;
        sighand.siglock.lock();
        try {
            int handled = 0;
            for (;;) {
                if (HeapWait.fatalSignalPending(t)) {
                    return handled | Signals.SIGKILL;
                }
                final long blocked = t.blocked;
                HeapSigpending pending = t.pending;
                long set = pending.signal & ~blocked;
                if (set == 0) {
                    pending = signal.sharedPending;
                    set = pending.signal & ~blocked;
                }
                if (set == 0) {
                    HeapSignal.recalcSigpending(t);
                    return handled;
                }
                final int sig = Long.numberOfTrailingZeros(set) + 1;
                HeapSignal.flushSigqueueMask(g, 1L << (sig - 1), pending);
                final HeapKSigaction ka = sighand.action[sig - 1];
                final long handler = ka.saHandler;
                if (handler == Signals.SIG_IGN) {
                    continue;
                }
                if (handler != Signals.SIG_DFL) {
                    if (handled == 0) {
                        handled = SignalRestart.HANDLED
                            | ((ka.saFlags & Signals.SA_RESTART) != 0 ? SignalRestart.HANDLED_SA_RESTART : 0);
                    }
                    if ((ka.saFlags & Signals.SA_RESETHAND) != 0) {
                        ka.saHandler = Signals.SIG_DFL;
                    }
                    continue;
                }
                if (Signals.sigKernelIgnore(sig) || Signals.sigKernelStop(sig)) {
                    continue;
                }
                if ((signal.flags & SignalFlags.SIGNAL_UNKILLABLE) != 0 && !Signals.sigKernelOnly(sig)) {
                    continue;
                }
                HeapSignal.recalcSigpending(t);
                return handled | sig;
            }
        } finally {
            sighand.siglock.unlock();
        }
    }

    /** See SignalDelivery.deadlySignalPending: a hint, read without the siglock. */
    public static boolean deadlySignalPending(HeapTask t) {
        if (!HeapWait.signalPending(t)) {
            return false;
        }
        final HeapSignalStruct signal = t.signal;
        long set = (t.pending.signal | signal.sharedPending.signal) & ~t.blocked;
        final boolean unkillable = (signal.flags & SignalFlags.SIGNAL_UNKILLABLE) != 0;
        for (; set != 0; set &= set - 1) {
            final int sig = Long.numberOfTrailingZeros(set) + 1;
            if (Signals.sigKillsGroup(t.sighand.action[sig - 1].saHandler, sig, unkillable)) {
                return true;
            }
        }
        return false;
    }
}
