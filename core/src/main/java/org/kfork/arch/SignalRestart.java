package org.kfork.arch;

import org.kfork.uapi.Errno;

/**
 * arch/x86/kernel/signal.c (5.12), what happens to a system call's result on the way back to user
 * space after the signals were delivered: the kernel-internal restart codes never reach user
 * space. With no handler run, every one of them restarts the call. With a handler run (the model
 * runs none, but a handler address counts as run), -ERESTARTNOINTR restarts, -ERESTARTSYS
 * restarts only when the handler has SA_RESTART, and the others become -EINTR.
 */
public final class SignalRestart {
    /** What {@link #afterSignals} returns when the call must be made again. */
    public static final long RESTART = Long.MIN_VALUE + 1;

    /** get_signal's report: a handler counted as run. */
    public static final int HANDLED = 0x100;
    /** get_signal's report: the first handler that ran has SA_RESTART. */
    public static final int HANDLED_SA_RESTART = 0x200;
    /** get_signal's report: the signal that must end the group, if any (the low byte). */
    public static final int FATAL_MASK = 0xff;

    private SignalRestart() {
    }

    /** Whether {@code ret} is one of the kernel's restart codes (-ERESTARTSYS to -ERESTART_RESTARTBLOCK). */
    public static boolean isRestart(long ret) {
        return ret == -Errno.ERESTARTSYS || ret == -Errno.ERESTARTNOINTR || ret == -Errno.ERESTARTNOHAND
            || ret == -Errno.ERESTART_RESTARTBLOCK;
    }

    /**
     * handle_signal's and arch_do_signal_or_restart's choice for a call that returned {@code ret}.
     *
     * @param handled   a handler ran
     * @param saRestart that handler has SA_RESTART
     * @return {@link #RESTART}, -EINTR, or {@code ret} unchanged
     */
    public static long afterSignals(long ret, boolean handled, boolean saRestart) {
        if (!isRestart(ret)) {
            return ret;
        }
        if (!handled) {
            return RESTART;
        }
        if (ret == -Errno.ERESTARTNOINTR || ret == -Errno.ERESTARTSYS && saRestart) {
            return RESTART;
        }
        return -Errno.EINTR;
    }
}
