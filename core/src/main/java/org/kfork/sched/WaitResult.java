package org.kfork.sched;

/**
 * The result of a killable or interruptible sleep in both kernels' sched.Wait: two values in one
 * long, without allocating: the sleeper's RCU token after the sleep (a task that slept counts back
 * in with a new one) and 0 or -ERESTARTSYS.
 */
public final class WaitResult {
    /** The token of a caller that is in no system call (a test driver, boot): nothing to report to RCU. */
    public static final int NO_RCU = -1;

    private WaitResult() {
    }

    /** Packs a token and a result (0 or a negative errno). */
    public static long of(int token, int ret) {
        return (long) ret << 32 | (token & 0xffff_ffffL);
    }

    /** The token of a packed result. */
    public static int token(long result) {
        return (int) result;
    }

    /** The 0 or -errno of a packed result. */
    public static int ret(long result) {
        return (int) (result >> 32);
    }
}
