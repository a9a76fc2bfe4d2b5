package org.kfork.rcu;

/**
 * Grace-period sequence numbers, as kernel/rcu/rcu.h keeps them (rcu_seq_*): the low
 * {@value #RCU_SEQ_CTR_SHIFT} bits are the state (0 idle, 1 a grace period in progress), the rest
 * counts completed grace periods.
 *
 * <pre>
 *   gp_seq  =  4n      n grace periods done, none running
 *   gp_seq  =  4n + 1  grace period n + 1 running      rcu_seq_start: +1;  rcu_seq_end: (s | 3) + 1
 *   rcu_seq_snap(s)    the first gp_seq value at which a grace period that began after now has
 *                      ended: 4n + 4 when idle (the next one will do), 4n + 8 while one runs (it
 *                      began too early, so the one after it)
 * </pre>
 * Comparisons wrap as the kernel's ULONG_CMP_GE and ULONG_CMP_LT do: only the signed difference
 * matters, so the counter may wrap.
 */
public final class RcuSeq {
    /** RCU_SEQ_CTR_SHIFT. */
    public static final int RCU_SEQ_CTR_SHIFT = 2;
    /** RCU_SEQ_STATE_MASK. */
    public static final long RCU_SEQ_STATE_MASK = (1L << RCU_SEQ_CTR_SHIFT) - 1;

    private RcuSeq() {
    }

    /** rcu_seq_state: 0 when idle, 1 while a grace period runs. */
    public static int state(long s) {
        return (int) (s & RCU_SEQ_STATE_MASK);
    }

    /** rcu_seq_ctr: completed grace periods. */
    public static long ctr(long s) {
        return s >>> RCU_SEQ_CTR_SHIFT;
    }

    /** rcu_seq_start: the value once a grace period has started from idle {@code s}. */
    public static long start(long s) {
        return s + 1;
    }

    /** rcu_seq_end: the value once the running grace period of {@code s} has ended. */
    public static long end(long s) {
        return (s | RCU_SEQ_STATE_MASK) + 1;
    }

    /** rcu_seq_snap: the gp_seq at which a full grace period beginning after now has ended. */
    public static long snap(long s) {
        return (s + 2 * RCU_SEQ_STATE_MASK + 1) & ~RCU_SEQ_STATE_MASK;
    }

    /** rcu_seq_done: has {@code cur} reached {@code s}? */
    public static boolean done(long cur, long s) {
        return ulongCmpGe(cur, s);
    }

    /** ULONG_CMP_GE(a, b), wrap-safe. */
    public static boolean ulongCmpGe(long a, long b) {
        return a - b >= 0;
    }

    /** ULONG_CMP_LT(a, b), wrap-safe. */
    public static boolean ulongCmpLt(long a, long b) {
        return a - b < 0;
    }
}
