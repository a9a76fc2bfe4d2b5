package org.kfork.rcu;

/**
 * The segments of a CPU's RCU callback list (include/linux/rcu_segcblist.h), for both
 * representations. One singly linked list in queue order is cut into four segments by their tails:
 * <pre>
 *   head -&gt; [ DONE ... ] [ WAIT ... ] [ NEXT_READY ... ] [ NEXT ... ] -&gt; NULL
 *                   tails[0]     tails[1]           tails[2]     tails[3]
 * </pre>
 * DONE callbacks may be invoked; WAIT and NEXT_READY wait for the grace period in their
 * {@code gp_seq}; NEXT callbacks have none assigned yet. An empty segment's tail equals the one
 * before it (or the head slot).
 */
public final class Segcblist {
    /** RCU_DONE_TAIL: callbacks whose grace period has ended. */
    public static final int RCU_DONE_TAIL = 0;
    /** RCU_WAIT_TAIL: callbacks waiting for {@code gp_seq[RCU_WAIT_TAIL]}. */
    public static final int RCU_WAIT_TAIL = 1;
    /** RCU_NEXT_READY_TAIL: callbacks waiting for {@code gp_seq[RCU_NEXT_READY_TAIL]}. */
    public static final int RCU_NEXT_READY_TAIL = 2;
    /** RCU_NEXT_TAIL: callbacks with no grace period assigned yet. */
    public static final int RCU_NEXT_TAIL = 3;
    /** RCU_CBLIST_NSEGS. */
    public static final int RCU_CBLIST_NSEGS = 4;
    /** SEGCBLIST_ENABLED: the list accepts callbacks (the model's lists always do). */
    public static final int SEGCBLIST_ENABLED = 1;

    private Segcblist() {
    }
}
