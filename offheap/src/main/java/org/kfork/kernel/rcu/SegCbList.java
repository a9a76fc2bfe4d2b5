package org.kfork.kernel.rcu;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.rcu.Segcblist.RCU_CBLIST_NSEGS;
import static org.kfork.rcu.Segcblist.RCU_DONE_TAIL;
import static org.kfork.rcu.Segcblist.RCU_NEXT_READY_TAIL;
import static org.kfork.rcu.Segcblist.RCU_NEXT_TAIL;
import static org.kfork.rcu.Segcblist.RCU_WAIT_TAIL;

import org.kfork.kernel.struct.CallbackHead;
import org.kfork.kernel.struct.RcuSegcblist;
import org.kfork.machine.Mem;
import org.kfork.rcu.RcuSeq;
import org.kfork.rcu.Segcblist;

/**
 * kernel/rcu/rcu_segcblist.c (Linux 5.12): the operations on one CPU's segmented callback list, a
 * {@link RcuSegcblist} in RAM whose callbacks are the {@code callback_head}s inside the objects
 * being freed, linked through their {@code next} words. The heap twin is
 * {@code org.kfork.heap.rcu.HeapSegCbList}, with the same methods in the same order.
 *
 * <p>Invariants (checked by {@link #validate}):
 * <ul>
 *   <li>Walking {@code next} from {@code head} meets {@code tails[DONE..NEXT]} in that order; a
 *       tail is {@code &head} or the {@code next} word of a queued callback, and the word at
 *       {@code tails[NEXT]} is NULL.</li>
 *   <li>Segment i holds {@code seglen[i]} callbacks, and {@code len} is their sum.</li>
 *   <li>WAIT and NEXT_READY, when not empty, wait for grace periods in increasing order, and the
 *       non-empty ones come first (WAIT is empty only if NEXT_READY is).</li>
 * </ul>
 * Every method except {@link #len} runs under the CPU's list lock.
 */
public final class SegCbList {
    private SegCbList() {
    }

    /** rcu_segcblist_init: empty, every tail at {@code &head}, enabled. */
    public static void init(long l) {
        putLong(l + RcuSegcblist.HEAD, 0);
        for (int i = 0; i < RCU_CBLIST_NSEGS; i++) {
            setTail(l, i, l + RcuSegcblist.HEAD);
            setGpSeq(l, i, 0);
            setSeglen(l, i, 0);
        }
        Mem.putLongRelease(l + RcuSegcblist.LEN, 0);
        Mem.putByte(l + RcuSegcblist.FLAGS, (byte) Segcblist.SEGCBLIST_ENABLED);
    }

    /**
     * rcu_segcblist_n_cbs: callbacks on the list. An acquire load, so a boundary may read it
     * without the lock: a stale value only delays the work to a later boundary.
     */
    public static long len(long l) {
        return Mem.getLongAcquire(l + RcuSegcblist.LEN);
    }

    /** rcu_segcblist_ready_cbs: some callbacks are done. */
    public static boolean readyCbs(long l) {
        return tail(l, RCU_DONE_TAIL) != l + RcuSegcblist.HEAD;
    }

    /** rcu_segcblist_pend_cbs: some callbacks are not done yet. */
    public static boolean pendCbs(long l) {
        return tail(l, RCU_DONE_TAIL) != tail(l, RCU_NEXT_TAIL);
    }

    /** rcu_segcblist_enqueue: {@code rhp} joins the NEXT segment, at the end. */
    public static void enqueue(long l, long rhp) {
        putLong(rhp + CallbackHead.NEXT, 0);
        putLong(tail(l, RCU_NEXT_TAIL), rhp);
        setTail(l, RCU_NEXT_TAIL, rhp + CallbackHead.NEXT);
        setSeglen(l, RCU_NEXT_TAIL, seglen(l, RCU_NEXT_TAIL) + 1);
        Mem.putLongRelease(l + RcuSegcblist.LEN, getLong(l + RcuSegcblist.LEN) + 1);
    }

    /** Callbacks in the DONE segment. */
    public static long doneCount(long l) {
        return seglen(l, RCU_DONE_TAIL);
    }

    /** The address of the DONE segment's last {@code next} word ({@code &head} when it is empty). */
    public static long doneTail(long l) {
        return tail(l, RCU_DONE_TAIL);
    }

    /**
     * rcu_segcblist_extract_done_cbs: detaches the DONE segment.
     *
     * @return its first callback (the chain is NULL-terminated, {@link #doneCount} long before the
     *         call), or 0 when nothing is done
     */
    public static long extractDoneCbs(long l) {
        final long doneTail = tail(l, RCU_DONE_TAIL);
        if (doneTail == l + RcuSegcblist.HEAD) {
            return 0;
        }
        final long first = getLong(l + RcuSegcblist.HEAD);
        putLong(l + RcuSegcblist.HEAD, getLong(doneTail)); // the list now starts with WAIT
        putLong(doneTail, 0);                              // the detached chain ends here
        for (int i = RCU_DONE_TAIL; i < RCU_CBLIST_NSEGS; i++) {
            if (tail(l, i) == doneTail) {
                setTail(l, i, l + RcuSegcblist.HEAD);
            }
        }
        final long n = seglen(l, RCU_DONE_TAIL);
        setSeglen(l, RCU_DONE_TAIL, 0);
        Mem.putLongRelease(l + RcuSegcblist.LEN, getLong(l + RcuSegcblist.LEN) - n);
        return first;
    }

    /**
     * rcu_segcblist_insert_done_cbs: puts a detached chain back at the front of DONE (what a batch
     * did not invoke).
     *
     * @param first    the chain's first callback
     * @param lastNext the address of the chain's last {@code next} word
     * @param n        callbacks in the chain
     */
    public static void insertDoneCbs(long l, long first, long lastNext, long n) {
        putLong(lastNext, getLong(l + RcuSegcblist.HEAD));
        putLong(l + RcuSegcblist.HEAD, first);
        for (int i = RCU_DONE_TAIL; i < RCU_CBLIST_NSEGS && tail(l, i) == l + RcuSegcblist.HEAD; i++) {
            setTail(l, i, lastNext); // the segments that were empty at the front end after the chain
        }
        setSeglen(l, RCU_DONE_TAIL, seglen(l, RCU_DONE_TAIL) + n);
        Mem.putLongRelease(l + RcuSegcblist.LEN, getLong(l + RcuSegcblist.LEN) + n);
    }

    /**
     * rcu_segcblist_advance: every WAIT and NEXT_READY segment whose grace period {@code seq} has
     * reached joins DONE, and the segments left slide down.
     */
    public static void advance(long l, long seq) {
        if (!pendCbs(l)) {
            return;
        }
        int i = RCU_WAIT_TAIL;
        for (; i < RCU_NEXT_TAIL; i++) {
            if (tail(l, i) != tail(l, i - 1) && RcuSeq.ulongCmpLt(seq, gpSeq(l, i))) {
                break; // a non-empty segment still waiting
            }
            setTail(l, RCU_DONE_TAIL, tail(l, i));
            setSeglen(l, RCU_DONE_TAIL, seglen(l, RCU_DONE_TAIL) + seglen(l, i));
            setSeglen(l, i, 0);
        }
        if (i == RCU_WAIT_TAIL) {
            return;
        }
        // Segments WAIT .. i-1 joined DONE: move the ones still waiting (i .. NEXT_READY) down to
        // WAIT, and leave the slots above them empty, ending where the last of them ends.
        int j = RCU_WAIT_TAIL;
        for (; i < RCU_NEXT_TAIL; i++, j++) {
            setTail(l, j, tail(l, i));
            setGpSeq(l, j, gpSeq(l, i));
            setSeglen(l, j, seglen(l, i));
        }
        for (; j < RCU_NEXT_TAIL; j++) {
            setTail(l, j, tail(l, j - 1));
            setSeglen(l, j, 0);
        }
    }

    /**
     * rcu_segcblist_accelerate: the NEXT callbacks are assigned grace period {@code seq} (an
     * {@link RcuSeq#snap} taken after they were queued), joining a segment that already waits for
     * it, or taking the first free one.
     *
     * @return true when callbacks now wait for {@code seq}, which the caller must request
     */
    public static boolean accelerate(long l, long seq) {
        if (tail(l, RCU_NEXT_READY_TAIL) == tail(l, RCU_NEXT_TAIL)) {
            return false; // nothing new
        }
        // The last non-empty segment that waits for an earlier grace period stays; everything
        // after it (segments waiting for seq, and NEXT) becomes one segment waiting for seq.
        int i = RCU_NEXT_READY_TAIL;
        for (; i > RCU_DONE_TAIL; i--) {
            if (tail(l, i) != tail(l, i - 1) && RcuSeq.ulongCmpLt(gpSeq(l, i), seq)) {
                break;
            }
        }
        if (++i >= RCU_NEXT_TAIL) {
            return false; // no segment free: they wait in NEXT until advance frees one
        }
        long n = 0;
        for (int j = i; j < RCU_NEXT_TAIL; j++) {
            n += seglen(l, j);
            setSeglen(l, j, 0);
            setTail(l, j, tail(l, RCU_NEXT_TAIL));
            setGpSeq(l, j, seq);
        }
        setSeglen(l, i, n + seglen(l, RCU_NEXT_TAIL));
        setSeglen(l, RCU_NEXT_TAIL, 0);
        return true;
    }

    /**
     * Checks the invariants; throws {@link IllegalStateException} naming the first broken one.
     *
     * @param maxLen a bound on the walk, so that a cycle cannot hang the check
     */
    public static void validate(long l, long maxLen) {
        long p = l + RcuSegcblist.HEAD;
        long total = 0;
        int seg = RCU_DONE_TAIL;
        long inSeg = 0;
        for (;;) {
            while (seg < RCU_CBLIST_NSEGS && tail(l, seg) == p) {
                if (inSeg != seglen(l, seg)) {
                    throw new IllegalStateException("segment " + seg + " holds " + inSeg + " callbacks, seglen says "
                        + seglen(l, seg));
                }
                inSeg = 0;
                seg++;
            }
            final long next = getLong(p);
            if (next == 0) {
                break;
            }
            if (seg == RCU_CBLIST_NSEGS) {
                throw new IllegalStateException("callbacks after tails[NEXT] (0x" + Long.toHexString(p) + ")");
            }
            if (++total > maxLen) {
                throw new IllegalStateException("more than " + maxLen + " callbacks: a cycle?");
            }
            inSeg++;
            p = next + CallbackHead.NEXT;
        }
        if (seg != RCU_CBLIST_NSEGS) {
            throw new IllegalStateException("tails[" + seg + "] = 0x" + Long.toHexString(tail(l, seg))
                + " is not on the list");
        }
        if (total != getLong(l + RcuSegcblist.LEN)) {
            throw new IllegalStateException("len " + getLong(l + RcuSegcblist.LEN) + ", counted " + total);
        }
        final boolean waitEmpty = tail(l, RCU_WAIT_TAIL) == tail(l, RCU_DONE_TAIL);
        final boolean readyEmpty = tail(l, RCU_NEXT_READY_TAIL) == tail(l, RCU_WAIT_TAIL);
        if (waitEmpty && !readyEmpty) {
            throw new IllegalStateException("NEXT_READY waits while WAIT is empty");
        }
        if (!waitEmpty && !readyEmpty && !RcuSeq.ulongCmpLt(gpSeq(l, RCU_WAIT_TAIL), gpSeq(l, RCU_NEXT_READY_TAIL))) {
            throw new IllegalStateException("WAIT waits for " + gpSeq(l, RCU_WAIT_TAIL) + ", NEXT_READY for "
                + gpSeq(l, RCU_NEXT_READY_TAIL));
        }
    }

    /** The callbacks of segment {@code seg}, in order (for tests and dumps). */
    public static long[] segment(long l, int seg) {
        final long[] out = new long[(int) seglen(l, seg)];
        long p = seg == RCU_DONE_TAIL ? l + RcuSegcblist.HEAD : tail(l, seg - 1);
        for (int k = 0; k < out.length; k++) {
            out[k] = getLong(p);
            p = out[k] + CallbackHead.NEXT;
        }
        return out;
    }

    /** The grace period segment {@code seg} waits for (meaningful for WAIT and NEXT_READY). */
    public static long gpSeq(long l, int seg) {
        return getLong(l + RcuSegcblist.GP_SEQ + 8L * seg);
    }

    private static long tail(long l, int seg) {
        return getLong(l + RcuSegcblist.TAILS + 8L * seg);
    }

    private static void setTail(long l, int seg, long slot) {
        putLong(l + RcuSegcblist.TAILS + 8L * seg, slot);
    }

    private static void setGpSeq(long l, int seg, long seq) {
        putLong(l + RcuSegcblist.GP_SEQ + 8L * seg, seq);
    }

    private static long seglen(long l, int seg) {
        return getLong(l + RcuSegcblist.SEGLEN + 8L * seg);
    }

    private static void setSeglen(long l, int seg, long n) {
        putLong(l + RcuSegcblist.SEGLEN + 8L * seg, n);
    }
}
