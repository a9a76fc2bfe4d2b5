package org.kfork.heap.rcu;

import static org.kfork.rcu.Segcblist.RCU_CBLIST_NSEGS;
import static org.kfork.rcu.Segcblist.RCU_DONE_TAIL;
import static org.kfork.rcu.Segcblist.RCU_NEXT_READY_TAIL;
import static org.kfork.rcu.Segcblist.RCU_NEXT_TAIL;
import static org.kfork.rcu.Segcblist.RCU_WAIT_TAIL;

import java.util.ArrayList;
import java.util.List;
import org.kfork.rcu.RcuSeq;
import org.kfork.rcu.Segcblist;

/**
 * The heap twin of {@code org.kfork.kernel.rcu.SegCbList} (kernel/rcu/rcu_segcblist.c): one CPU's
 * segmented callback list of {@link HeapCallbackHead}s, same methods, same order, same steps. A
 * tail is the callback whose {@code next} ends the segment, or null for "the head slot" (the
 * kernel's {@code &head}).
 *
 * <p>Invariants as the off-heap one's (checked by {@link #validate}). Every method except
 * {@link #len} runs under the CPU's list lock.
 */
public final class HeapSegCbList {
    private HeapCallbackHead head;
    private final HeapCallbackHead[] tails = new HeapCallbackHead[RCU_CBLIST_NSEGS];
    private final long[] gpSeq = new long[RCU_CBLIST_NSEGS];
    /** Written under the list lock, read without it by a boundary's quick check. */
    private volatile long len;
    private final long[] seglen = new long[RCU_CBLIST_NSEGS];
    private byte flags;

    /** rcu_segcblist_init: empty, every tail at the head slot, enabled. */
    public HeapSegCbList() {
        flags = Segcblist.SEGCBLIST_ENABLED;
    }

    /** rcu_segcblist_n_cbs (a volatile read: a stale value only delays the work to a later boundary). */
    public long len() {
        return len;
    }

    /** rcu_segcblist_ready_cbs: some callbacks are done. */
    public boolean readyCbs() {
        return tails[RCU_DONE_TAIL] != null;
    }

    /** rcu_segcblist_pend_cbs: some callbacks are not done yet. */
    public boolean pendCbs() {
        return tails[RCU_DONE_TAIL] != tails[RCU_NEXT_TAIL];
    }

    /** rcu_segcblist_enqueue: {@code rhp} joins the NEXT segment, at the end. */
    public void enqueue(HeapCallbackHead rhp) {
        rhp.next = null;
        setSlot(tails[RCU_NEXT_TAIL], rhp);
        tails[RCU_NEXT_TAIL] = rhp;
        seglen[RCU_NEXT_TAIL]++;
        len = len + 1;
    }

    /** Callbacks in the DONE segment. */
    public long doneCount() {
        return seglen[RCU_DONE_TAIL];
    }

    /** The DONE segment's last callback (null when it is empty). */
    public HeapCallbackHead doneTail() {
        return tails[RCU_DONE_TAIL];
    }

    /**
     * rcu_segcblist_extract_done_cbs: detaches the DONE segment.
     *
     * @return its first callback (the chain ends with null), or null when nothing is done
     */
    public HeapCallbackHead extractDoneCbs() {
        final HeapCallbackHead doneTail = tails[RCU_DONE_TAIL];
        if (doneTail == null) {
            return null;
        }
        final HeapCallbackHead first = head;
        head = doneTail.next;  // the list now starts with WAIT
        doneTail.next = null;  // the detached chain ends here
        for (int i = RCU_DONE_TAIL; i < RCU_CBLIST_NSEGS; i++) {
            if (tails[i] == doneTail) {
                tails[i] = null;
            }
        }
        final long n = seglen[RCU_DONE_TAIL];
        seglen[RCU_DONE_TAIL] = 0;
        len = len - n;
        return first;
    }

    /**
     * rcu_segcblist_insert_done_cbs: puts a detached chain back at the front of DONE.
     *
     * @param first the chain's first callback
     * @param last  the chain's last callback
     * @param n     callbacks in the chain
     */
    public void insertDoneCbs(HeapCallbackHead first, HeapCallbackHead last, long n) {
        last.next = head;
        head = first;
        for (int i = RCU_DONE_TAIL; i < RCU_CBLIST_NSEGS && tails[i] == null; i++) {
            tails[i] = last; // the segments that were empty at the front end after the chain
        }
        seglen[RCU_DONE_TAIL] += n;
        len = len + n;
    }

    /**
     * rcu_segcblist_advance: every WAIT and NEXT_READY segment whose grace period {@code seq} has
     * reached joins DONE, and the segments left slide down.
     */
    public void advance(long seq) {
        if (!pendCbs()) {
            return;
        }
        int i = RCU_WAIT_TAIL;
        for (; i < RCU_NEXT_TAIL; i++) {
            if (tails[i] != tails[i - 1] && RcuSeq.ulongCmpLt(seq, gpSeq[i])) {
                break; // a non-empty segment still waiting
            }
            tails[RCU_DONE_TAIL] = tails[i];
            seglen[RCU_DONE_TAIL] += seglen[i];
            seglen[i] = 0;
        }
        if (i == RCU_WAIT_TAIL) {
            return;
        }
        // Segments WAIT .. i-1 joined DONE: move the ones still waiting (i .. NEXT_READY) down to
        // WAIT, and leave the slots above them empty, ending where the last of them ends.
        int j = RCU_WAIT_TAIL;
        for (; i < RCU_NEXT_TAIL; i++, j++) {
            tails[j] = tails[i];
            gpSeq[j] = gpSeq[i];
            seglen[j] = seglen[i];
        }
        for (; j < RCU_NEXT_TAIL; j++) {
            tails[j] = tails[j - 1];
            seglen[j] = 0;
        }
    }

    /**
     * rcu_segcblist_accelerate: the NEXT callbacks are assigned grace period {@code seq}, joining a
     * segment that already waits for it, or taking the first free one.
     *
     * @return true when callbacks now wait for {@code seq}, which the caller must request
     */
    public boolean accelerate(long seq) {
        if (tails[RCU_NEXT_READY_TAIL] == tails[RCU_NEXT_TAIL]) {
            return false; // nothing new
        }
        // The last non-empty segment that waits for an earlier grace period stays; everything
        // after it (segments waiting for seq, and NEXT) becomes one segment waiting for seq.
        int i = RCU_NEXT_READY_TAIL;
        for (; i > RCU_DONE_TAIL; i--) {
            if (tails[i] != tails[i - 1] && RcuSeq.ulongCmpLt(gpSeq[i], seq)) {
                break;
            }
        }
        if (++i >= RCU_NEXT_TAIL) {
            return false; // no segment free: they wait in NEXT until advance frees one
        }
        long n = 0;
        for (int j = i; j < RCU_NEXT_TAIL; j++) {
            n += seglen[j];
            seglen[j] = 0;
            tails[j] = tails[RCU_NEXT_TAIL];
            gpSeq[j] = seq;
        }
        seglen[i] = n + seglen[RCU_NEXT_TAIL];
        seglen[RCU_NEXT_TAIL] = 0;
        return true;
    }

    /**
     * Checks the invariants; throws {@link IllegalStateException} naming the first broken one.
     *
     * @param maxLen a bound on the walk, so that a cycle cannot hang the check
     */
    public void validate(long maxLen) {
        HeapCallbackHead p = null; // the head slot
        long total = 0;
        int seg = RCU_DONE_TAIL;
        long inSeg = 0;
        for (;;) {
            while (seg < RCU_CBLIST_NSEGS && tails[seg] == p) {
                if (inSeg != seglen[seg]) {
                    throw new IllegalStateException("segment " + seg + " holds " + inSeg + " callbacks, seglen says "
                        + seglen[seg]);
                }
                inSeg = 0;
                seg++;
            }
            final HeapCallbackHead next = p == null ? head : p.next;
            if (next == null) {
                break;
            }
            if (seg == RCU_CBLIST_NSEGS) {
                throw new IllegalStateException("callbacks after tails[NEXT] (" + p + ")");
            }
            if (++total > maxLen) {
                throw new IllegalStateException("more than " + maxLen + " callbacks: a cycle?");
            }
            inSeg++;
            p = next;
        }
        if (seg != RCU_CBLIST_NSEGS) {
            throw new IllegalStateException("tails[" + seg + "] = " + tails[seg] + " is not on the list");
        }
        if (total != len) {
            throw new IllegalStateException("len " + len + ", counted " + total);
        }
        final boolean waitEmpty = tails[RCU_WAIT_TAIL] == tails[RCU_DONE_TAIL];
        final boolean readyEmpty = tails[RCU_NEXT_READY_TAIL] == tails[RCU_WAIT_TAIL];
        if (waitEmpty && !readyEmpty) {
            throw new IllegalStateException("NEXT_READY waits while WAIT is empty");
        }
        if (!waitEmpty && !readyEmpty && !RcuSeq.ulongCmpLt(gpSeq[RCU_WAIT_TAIL], gpSeq[RCU_NEXT_READY_TAIL])) {
            throw new IllegalStateException("WAIT waits for " + gpSeq[RCU_WAIT_TAIL] + ", NEXT_READY for "
                + gpSeq[RCU_NEXT_READY_TAIL]);
        }
    }

    /** The callbacks of segment {@code seg}, in order (for tests and dumps). */
    public List<HeapCallbackHead> segment(int seg) {
        final List<HeapCallbackHead> out = new ArrayList<>();
        HeapCallbackHead p = seg == RCU_DONE_TAIL ? null : tails[seg - 1];
        for (long k = 0; k < seglen[seg]; k++) {
            p = p == null ? head : p.next;
            out.add(p);
        }
        return out;
    }

    /** The grace period segment {@code seg} waits for (meaningful for WAIT and NEXT_READY). */
    public long gpSeq(int seg) {
        return gpSeq[seg];
    }

    /** The flags byte (SEGCBLIST_ENABLED). */
    public byte flags() {
        return flags;
    }

    /** Stores {@code rhp} in the slot a tail names: the head slot when it is null. */
    private void setSlot(HeapCallbackHead tail, HeapCallbackHead rhp) {
        if (tail == null) {
            head = rhp;
        } else {
            tail.next = rhp;
        }
    }
}
