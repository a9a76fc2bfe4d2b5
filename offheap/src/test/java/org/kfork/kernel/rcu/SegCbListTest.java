package org.kfork.kernel.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kfork.heap.rcu.HeapCallbackHead;
import org.kfork.heap.rcu.HeapSegCbList;
import org.kfork.kernel.struct.CallbackHead;
import org.kfork.kernel.struct.RcuSegcblist;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.rcu.RcuSeq;
import org.kfork.rcu.Segcblist;
import org.kfork.testing.LeakCheck;

/**
 * rcu_segcblist.c's operations, off-heap in RAM and on the heap twin, in lockstep over seeded
 * random histories (enqueue; grace periods starting and ending; advance; accelerate; a batch
 * extracted, part of it invoked and the rest put back): both lists hold the same callbacks in the
 * same segments with the same grace periods after every step, pass their validators, keep queue
 * order, and a callback only reaches DONE once the grace period it was assigned has ended, a grace
 * period that had not begun when it was queued.
 */
class SegCbListTest {
    static final int N = 200;

    final Machine machine = Machine.create(4L << 20);
    @RegisterExtension
    final AfterEachCallback teardown = ctx -> machine.close();
    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> machine);

    /** A heap callback carrying its id. */
    static final class Cb extends HeapCallbackHead {
        final int id;

        Cb(int id) {
            this.id = id;
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 42, 20260528})
    void theOffHeapListAndItsHeapTwinAgreeStepByStep(long seed) {
        final int order = 1; // 8 KiB: the list, then N callback_heads
        final long page = machine.pages().allocPages(order);
        try {
            run(seed, page);
        } finally {
            machine.pages().freePages(page, order);
        }
    }

    private void run(long seed, long page) {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final long l = page;
        SegCbList.init(l);
        final HeapSegCbList h = new HeapSegCbList();
        final long heads = page + 128;
        final Cb[] cbs = new Cb[N];
        final Map<Integer, Long> snapAtEnqueue = new HashMap<>();
        final Map<Integer, Long> assigned = new HashMap<>();
        final List<Integer> fifo = new ArrayList<>();
        long gp = 0;
        int next = 0;
        int moved = 0;
        String op = "";
        try {
            for (int step = 0; step < 2000; step++) {
                int k = rnd.nextInt(100);
                if (k < 30 && next < N) {
                    cbs[next] = new Cb(next);
                    SegCbList.enqueue(l, heads + 16L * next);
                    h.enqueue(cbs[next]);
                    snapAtEnqueue.put(next, RcuSeq.snap(gp));
                    fifo.add(next);
                    op = "enqueue " + next++;
                } else if (k < 45) {
                    gp = RcuSeq.state(gp) == 0 ? RcuSeq.start(gp) : RcuSeq.end(gp);
                    op = "gp_seq " + gp;
                } else if (k < 60) {
                    SegCbList.advance(l, gp);
                    h.advance(gp);
                    op = "advance " + gp;
                } else if (k < 80) {
                    boolean a = SegCbList.accelerate(l, RcuSeq.snap(gp));
                    boolean b = h.accelerate(RcuSeq.snap(gp));
                    assertEquals(b, a, "accelerate's answer");
                    op = "accelerate " + RcuSeq.snap(gp);
                } else {
                    long n = SegCbList.doneCount(l);
                    assertEquals(h.doneCount(), n);
                    long lastNext = SegCbList.doneTail(l);
                    HeapCallbackHead last = h.doneTail();
                    long first = SegCbList.extractDoneCbs(l);
                    HeapCallbackHead hfirst = h.extractDoneCbs();
                    List<Integer> chain = new ArrayList<>();
                    List<Integer> hchain = new ArrayList<>();
                    for (long p = first; p != 0; p = Mem.getLong(p + CallbackHead.NEXT)) {
                        chain.add((int) ((p - heads) / 16));
                    }
                    for (HeapCallbackHead p = hfirst; p != null; p = p.next()) {
                        hchain.add(((Cb) p).id);
                    }
                    assertEquals(hchain, chain);
                    assertEquals(n, chain.size());
                    // invoke a prefix; put the rest back (a callback that threw)
                    int invoked = chain.isEmpty() ? 0 : rnd.nextInt(chain.size() + 1);
                    for (int i = 0; i < invoked; i++) {
                        assertEquals(fifo.remove(0), chain.get(i), "callbacks leave in queue order");
                        moved++;
                    }
                    if (invoked < chain.size()) {
                        int restId = chain.get(invoked);
                        SegCbList.insertDoneCbs(l, heads + 16L * restId, lastNext, n - invoked);
                        h.insertDoneCbs(cbs[restId], last, n - invoked);
                    }
                    op = "batch of " + n + ", " + invoked + " invoked";
                }
                compare(l, h, heads, gp, fifo, snapAtEnqueue, assigned);
            }
            assertTrue(moved > 30, "callbacks that went through: " + moved);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("seed " + seed + " after " + op + ": " + e.getMessage(), e);
        }
    }

    private static void compare(long l, HeapSegCbList h, long heads, long gp, List<Integer> fifo,
            Map<Integer, Long> snapAtEnqueue, Map<Integer, Long> assigned) {
        SegCbList.validate(l, N);
        h.validate(N);
        assertEquals(h.len(), SegCbList.len(l));
        assertEquals(h.readyCbs(), SegCbList.readyCbs(l));
        assertEquals(h.pendCbs(), SegCbList.pendCbs(l));
        List<Integer> all = new ArrayList<>();
        for (int s = 0; s < Segcblist.RCU_CBLIST_NSEGS; s++) {
            List<Integer> ids = new ArrayList<>();
            for (long p : SegCbList.segment(l, s)) {
                ids.add((int) ((p - heads) / 16));
            }
            List<Integer> hids = new ArrayList<>();
            for (HeapCallbackHead p : h.segment(s)) {
                hids.add(((Cb) p).id);
            }
            assertEquals(hids, ids, "segment " + s);
            if ((s == Segcblist.RCU_WAIT_TAIL || s == Segcblist.RCU_NEXT_READY_TAIL) && !ids.isEmpty()) {
                assertEquals(h.gpSeq(s), SegCbList.gpSeq(l, s), "gp_seq of segment " + s);
                for (int id : ids) {
                    long g = SegCbList.gpSeq(l, s);
                    Long before = assigned.put(id, g);
                    assertTrue(before == null || before == g, id + " was reassigned from " + before + " to " + g);
                    assertTrue(RcuSeq.ulongCmpGe(g, snapAtEnqueue.get(id)),
                        id + " waits for " + g + ", which began before it was queued (snap " + snapAtEnqueue.get(id) + ")");
                }
            }
            if (s == Segcblist.RCU_DONE_TAIL) {
                for (int id : ids) {
                    Long g = assigned.get(id);
                    assertTrue(g != null && RcuSeq.done(gp, g), id + " is done, but its grace period " + g
                        + " has not ended (gp_seq " + gp + ")");
                }
            }
            all.addAll(ids);
        }
        assertEquals(fifo, all, "queue order");
        assertEquals(Abi.NULL, Mem.getLong(Mem.getLong(l + RcuSegcblist.TAILS + 8L * Segcblist.RCU_NEXT_TAIL)));
    }
}
