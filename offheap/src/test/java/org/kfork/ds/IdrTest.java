package org.kfork.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/**
 * One suite for both IDRs ({@link Idr} off-heap, {@code HeapIdr} on the heap), each also with
 * frees deferred to a grace period: seeded property tests against {@link IdrOracle} (the seed is
 * printed on failure; replay with {@code -Dkfork.seed=N}), 5.12's pid pattern, ids up to INT_MAX,
 * node allocation failure at every point, and destroy. Nodes come from a "radix_tree_node" slab
 * cache on the test machine, so the leak check sees every one.
 */
class IdrTest {
    enum Kind {
        OFFHEAP(false, false), OFFHEAP_RCU(false, true), HEAP(true, false), HEAP_RCU(true, true);

        private final boolean heap;
        private final boolean deferFree;

        Kind(boolean heap, boolean deferFree) {
            this.heap = heap;
            this.deferFree = deferFree;
        }

        IdrVariant create() {
            return heap ? new IdrVariant.Heap(deferFree) : new IdrVariant.OffHeap(MACHINE, NODES, deferFree);
        }
    }

    static final Machine MACHINE = Machine.create(64L << 20);
    /** 5.12's radix_tree_init creates this cache; nodes come zeroed from zalloc. */
    static final KmemCache NODES = Kmem.of(MACHINE).slabs().create("radix_tree_node", (int) XaNode.SIZEOF, 0, 0, null);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void closeMachine() {
        NODES.destroy();
        MACHINE.close();
    }

    static final int ENOENT = IdrOracle.ENOENT;
    static final int EINVAL = IdrOracle.EINVAL;
    static final int ENOSPC = IdrOracle.ENOSPC;
    static final int ENOMEM = 12;
    static final int INT_MAX = Integer.MAX_VALUE;
    static final int RESERVED_PIDS = 300;
    static final int PID_MAX_DEFAULT = 32768;
    static final int PID_MAX_LIMIT = 1 << 22;
    static final long PAGE_OFFSET = 0xffff888000000000L;

    private static final long SEED = Long.getLong("kfork.seed", System.nanoTime());

    interface Body {
        void run(IdrVariant v, IdrOracle o, Random rnd);
    }

    /** Runs {@code body} on a fresh IDR and oracle with a seeded Random, naming the seed if it fails. */
    private static void seeded(Kind kind, int salt, Body body) {
        try (IdrVariant v = kind.create()) {
            body.run(v, new IdrOracle(), new Random(SEED + salt));
        } catch (Throwable t) {
            throw new AssertionError("failed with -Dkfork.seed=" + SEED + " (salt " + salt + ") on " + kind + ": " + t, t);
        }
    }

    /** A struct pid's address for pid {@code nr}: what alloc_pid publishes with idr_replace. */
    static long pidPtr(int nr) {
        return PAGE_OFFSET + 0x100000L + nr * 128L;
    }

    /** A pointer to store: mostly aligned addresses, sometimes NULL, sometimes a value entry (odd). */
    static long ptr(Random rnd) {
        final int r = rnd.nextInt(16);
        if (r == 0) {
            return 0;
        }
        if (r == 1) {
            return (long) rnd.nextInt(1 << 20) << 1 | 1;
        }
        return PAGE_OFFSET + 8L * rnd.nextInt(1 << 24);
    }

    /** The cheap agreement checks, run after every operation. */
    static void agree(IdrVariant v, IdrOracle o) {
        assertEquals(o.ids.size(), v.validate(), "ids allocated");
        assertEquals(o.expectedNodes(), v.reachableNodes(), "nodes in the tree");
        assertEquals(v.reachableNodes(), v.liveNodes(), "nodes handed out and not given back");
        assertEquals(o.ids.isEmpty(), v.isEmpty(), "idr_is_empty");
        assertEquals(o.cursor, v.getCursor(), "cursor");
    }

    /** Everything: every id's pointer, and the idr_get_next walk. */
    static void agreeFully(IdrVariant v, IdrOracle o) {
        agree(v, o);
        for (long index : o.ids.keySet()) {
            final long id = index + o.base;
            assertEquals(o.find(id), v.find(id), "idr_find " + id);
        }
        int id = 0;
        for (;;) {
            final int next = v.getNext(id);
            assertEquals(o.getNext(id), next, "idr_get_next " + id);
            if (next < 0 || next == INT_MAX) {
                break;
            }
            id = next + 1;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Property tests
    // ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void randomOperationsMatchTheOracle(Kind kind) {
        seeded(kind, 1, (v, o, rnd) -> {
            final int[] domains = {200, 5000, PID_MAX_LIMIT, INT_MAX};
            for (int round = 0; round < domains.length * 2; round++) {
                final int domain = domains[round % domains.length];
                final int base = round >= domains.length ? rnd.nextInt(3) : 0;
                v.destroy();
                v.init(base);
                o.init(base);
                for (int step = 0; step < 1200; step++) {
                    step(v, o, rnd, domain);
                    if (step % (domain <= 200 ? 1 : 20) == 0) {
                        agree(v, o);
                    }
                }
                agreeFully(v, o);
            }
        });
    }

    private static int pickId(Random rnd, IdrOracle o, int domain) {
        final int r = rnd.nextInt(20);
        if (r == 0) {
            return domain == INT_MAX ? INT_MAX : domain - 1;
        }
        if (r < 10 && !o.ids.isEmpty()) {
            final Long near = o.ids.ceilingKey((long) rnd.nextInt(domain));
            final long at = (near != null ? near : o.ids.lastKey()) + o.base + rnd.nextInt(7) - 3;
            return (int) Math.max(0, Math.min(INT_MAX, at));
        }
        return rnd.nextInt(domain);
    }

    private static int pickEnd(Random rnd, int start) {
        final int r = rnd.nextInt(10);
        if (r < 3) {
            return 0;
        }
        if (r == 3) {
            return Math.max(1, start - rnd.nextInt(3));  // an empty range, or [start, start + 1)
        }
        final long end = (long) start + 1 + rnd.nextInt(300);
        return end > INT_MAX ? 0 : (int) end;
    }

    private static void step(IdrVariant v, IdrOracle o, Random rnd, int domain) {
        final int what = rnd.nextInt(100);
        final long ptr = ptr(rnd);
        final int id = rnd.nextInt(30) == 0 ? -1 - rnd.nextInt(5) : pickId(rnd, o, domain);
        if (what < 26) {
            final int end = pickEnd(rnd, id);
            assertEquals(o.alloc(ptr, id, end), v.alloc(ptr, id, end), "idr_alloc [" + id + ", " + end + ")");
        } else if (what < 40) {
            final int start = rnd.nextBoolean() ? 1 : pickId(rnd, o, domain);
            final int end = pickEnd(rnd, start);
            assertEquals(o.allocCyclic(ptr, start, end), v.allocCyclic(ptr, start, end), "idr_alloc_cyclic");
        } else if (what < 48) {
            final int n = Math.max(0, id);
            final int end = n == INT_MAX ? 0 : n + 1;
            assertEquals(o.alloc(ptr, n, end), v.alloc(ptr, n, end), "idr_alloc of a requested id " + n);
        } else if (what < 68) {
            assertEquals(o.remove(id), v.remove(id), "idr_remove " + id);
        } else if (what < 76) {
            assertEquals(o.find(id), v.find(id), "idr_find " + id);
        } else if (what < 84) {
            assertEquals(o.getNext(id), v.getNext(id), "idr_get_next " + id);
        } else if (what < 93) {
            assertEquals(o.replace(ptr, id), v.replace(ptr, id), "idr_replace " + id);
        } else if (what < 95) {
            final int cursor = rnd.nextBoolean() ? id : new int[] {0, INT_MAX, -1, Integer.MIN_VALUE}[rnd.nextInt(4)];
            v.setCursor(cursor);
            o.cursor = cursor;
        } else {
            // failslab: one of the next few node allocations fails.
            final int start = pickId(rnd, o, domain);
            final int end = pickEnd(rnd, start);
            final boolean cyclic = rnd.nextBoolean();
            final String before = v.snapshot();
            v.failNth(1 + rnd.nextInt(3));
            final int r = cyclic ? v.allocCyclic(ptr, start, end) : v.alloc(ptr, start, end);
            v.failNth(0);
            if (r == -ENOMEM) {
                assertEquals(before, v.snapshot(), "a failed idr_alloc changed the IDR");
            } else {
                assertEquals(cyclic ? o.allocCyclic(ptr, start, end) : o.alloc(ptr, start, end), r);
            }
        }
        if (rnd.nextInt(50) == 0) {
            v.rcuBarrier();
        }
    }

    /**
     * 5.12's alloc_pid: a NULL reserved with idr_alloc_cyclic from 1, or from RESERVED_PIDS once
     * the cursor has passed it, below pid_max, then published with idr_replace; exits free the
     * numbers at once. pid_max moves between 301 and PID_MAX_LIMIT along the way.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void pidAllocationPattern(Kind kind) {
        seeded(kind, 2, (v, o, rnd) -> {
            final int[] pidMaxes = {PID_MAX_DEFAULT, 1024, RESERVED_PIDS + 1, 4096, PID_MAX_DEFAULT, 65536, PID_MAX_LIMIT};
            int pidMax = PID_MAX_DEFAULT;
            final List<Integer> live = new ArrayList<>();
            for (int i = 0; i < 40000; i++) {
                if (i % 5000 == 4999) {
                    pidMax = pidMaxes[i / 5000 % pidMaxes.length];
                }
                if (live.isEmpty() || rnd.nextInt(100) < 55) {
                    final int pidMin = v.getCursor() > RESERVED_PIDS ? RESERVED_PIDS : 1;
                    final int nr = v.allocCyclic(0, pidMin, pidMax);
                    assertEquals(o.allocCyclic(0, pidMin, pidMax), nr, "pid " + i);
                    if (i == 0) {
                        assertEquals(1, nr, "init gets pid 1");
                    }
                    if (nr < 0) {
                        assertEquals(-ENOSPC, nr, "a full namespace (fork's -EAGAIN)");
                        continue;
                    }
                    assertTrue(nr >= pidMin && nr < pidMax, nr + " outside [" + pidMin + ", " + pidMax + ")");
                    assertEquals(0, v.find(nr), "a reserved pid is not found");
                    assertEquals(0, v.replace(pidPtr(nr), nr), "idr_replace of the NULL");
                    o.replace(pidPtr(nr), nr);
                    live.add(nr);
                } else {
                    final int nr = live.remove(rnd.nextInt(live.size()));
                    assertEquals(pidPtr(nr), v.remove(nr), "free_pid " + nr);
                    o.remove(nr);
                }
                if (i % 10 == 0) {
                    agree(v, o);
                }
            }
            agreeFully(v, o);
        });
    }

    /** Wrap-around above RESERVED_PIDS: pids 2..299 are never handed out again once the cursor passed 300. */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OFFHEAP", "HEAP"})
    void cyclicWrapRestartsAtReservedPids(Kind kind) {
        try (IdrVariant v = kind.create()) {
            for (int nr = 1; nr < PID_MAX_DEFAULT; nr++) {
                final int pidMin = v.getCursor() > RESERVED_PIDS ? RESERVED_PIDS : 1;
                assertEquals(nr, v.allocCyclic(pidPtr(nr), pidMin, PID_MAX_DEFAULT));
            }
            assertEquals(PID_MAX_DEFAULT, v.getCursor());
            for (int nr : new int[] {5, 100, 400, 20000}) {
                assertEquals(pidPtr(nr), v.remove(nr));
            }
            assertEquals(400, v.allocCyclic(0, RESERVED_PIDS, PID_MAX_DEFAULT), "the wrap restarts at 300");
            assertEquals(401, v.getCursor());
            assertEquals(20000, v.allocCyclic(0, RESERVED_PIDS, PID_MAX_DEFAULT));
            assertEquals(-ENOSPC, v.allocCyclic(0, RESERVED_PIDS, PID_MAX_DEFAULT), "5 and 100 stay free");
            assertEquals(20001, v.getCursor(), "a failure leaves the cursor");
            assertEquals(5, v.alloc(0, 5, 6), "set_tid can still ask for 5");
            assertEquals(-ENOSPC, v.alloc(0, 5, 6));
            assertEquals(PID_MAX_DEFAULT - 1 - 4 + 3, v.validate());
            // pid_max lowered below the cursor: the search wraps to 300 at once, and [300, 1024) is full.
            assertEquals(0, v.remove(20000));
            assertEquals(-ENOSPC, v.allocCyclic(0, RESERVED_PIDS, 1024));
            assertEquals(20001, v.getCursor());
            assertEquals(PID_MAX_DEFAULT, v.allocCyclic(0, RESERVED_PIDS, PID_MAX_LIMIT), "raised: on above the old pid_max");
            v.setCursor(PID_MAX_LIMIT);
            assertEquals(20000, v.allocCyclic(0, RESERVED_PIDS, PID_MAX_LIMIT), "from the top it wraps to 300 and finds 20000");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OFFHEAP", "HEAP"})
    void requestedIds(Kind kind) {
        try (IdrVariant v = kind.create()) {
            v.setCursor(7);
            assertEquals(42, v.alloc(0, 42, 43));
            assertEquals(-ENOSPC, v.alloc(pidPtr(42), 42, 43), "a taken id: -ENOSPC (alloc_pid turns it into -EEXIST)");
            assertEquals(7, v.getCursor(), "idr_alloc leaves the cursor");
            assertEquals(43, v.alloc(0, 42, 0), "from 42 on, the next free");
            assertEquals(0, v.remove(42));
            assertEquals(42, v.alloc(pidPtr(42), 42, 43), "free again");
            assertEquals(pidPtr(42), v.find(42));
            assertEquals(-ENOSPC, v.alloc(0, 10, 10), "an empty range");
            assertEquals(-EINVAL, v.alloc(0, -1, 5), "a negative start");
            assertEquals(2, v.validate());
        }
    }

    /** Ids up to PID_MAX_LIMIT and INT_MAX: the tree grows to 4 and 6 levels and shrinks back. */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OFFHEAP", "HEAP"})
    void tallTreesGrowAndShrink(Kind kind) {
        try (IdrVariant v = kind.create()) {
            final IdrOracle o = new IdrOracle();
            final int[] ids = {0, PID_MAX_LIMIT - 1, INT_MAX, 4095, 4096, 63, 64};
            final int[] nodes = {1, 7, 14, 15, 17, 17, 18};
            for (int i = 0; i < ids.length; i++) {
                final int id = ids[i];
                assertEquals(id, v.alloc(pidPtr(i), id, id == INT_MAX ? 0 : id + 1));
                o.alloc(pidPtr(i), id, id == INT_MAX ? 0 : id + 1);
                assertEquals(nodes[i], v.reachableNodes(), "nodes after " + id);
                agreeFully(v, o);
            }
            assertEquals(-ENOSPC, v.alloc(0, INT_MAX, 0));
            assertEquals(PID_MAX_LIMIT - 1, v.getNext(4097));
            assertEquals(INT_MAX, v.getNext(PID_MAX_LIMIT));
            v.setCursor(INT_MAX);
            o.cursor = INT_MAX;
            assertEquals(-ENOSPC, v.allocCyclic(0, INT_MAX, 0), "taken, and no wrap from start itself");
            assertEquals(-ENOSPC, o.allocCyclic(0, INT_MAX, 0));
            assertEquals(1, v.allocCyclic(0, 1, 0), "the cursor at INT_MAX: taken, so it wraps to 1");
            assertEquals(1, o.allocCyclic(0, 1, 0));
            agreeFully(v, o);
            for (int i = ids.length - 1; i >= 0; i--) {
                assertEquals(pidPtr(i), v.remove(ids[i]));
                o.remove(ids[i]);
                agreeFully(v, o);
            }
            assertEquals(0, v.remove(1));
            o.remove(1);
            assertEquals(0, v.reachableNodes());
            agree(v, o);
        }
    }

    /** The cursor past INT_MAX (an unsigned 0x80000000, negative as an int) restarts from start. */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OFFHEAP", "HEAP"})
    void cursorPastIntMax(Kind kind) {
        try (IdrVariant v = kind.create()) {
            v.setCursor(INT_MAX);
            assertEquals(INT_MAX, v.allocCyclic(0, 1, 0));
            assertEquals(Integer.MIN_VALUE, v.getCursor());
            assertEquals(1, v.allocCyclic(0, 1, 0));
            assertEquals(2, v.getCursor());
        }
    }

    // ---------------------------------------------------------------------------------------
    // NULL entries, base, argument checks
    // ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OFFHEAP", "HEAP"})
    void nullEntriesAreAllocatedButInvisible(Kind kind) {
        try (IdrVariant v = kind.create()) {
            assertTrue(v.isEmpty());
            assertEquals(0, v.alloc(0, 0, 0), "id 0 reserved with NULL");
            assertFalse(v.isEmpty(), "a NULL entry is an allocated id");
            assertEquals(1, v.alloc(pidPtr(1), 0, 0), "and is not handed out again");
            assertEquals(0, v.find(0));
            assertEquals(1, v.getNext(0), "idr_get_next skips NULL entries");
            assertEquals(0, v.replace(pidPtr(0), 0), "idr_replace accepts a reserved id; the old pointer is NULL");
            assertEquals(0, v.getNext(0));
            assertEquals(pidPtr(0), v.replace(0, 0), "and can put NULL back");
            assertEquals(-ENOENT, v.replace(pidPtr(2), 2), "a free id: ERR_PTR(-ENOENT)");
            assertEquals(-ENOENT, v.replace(pidPtr(2), 1 << 20), "beyond the tree");
            assertEquals(2, v.validate());
            assertEquals(0, v.remove(0), "removing a NULL entry returns NULL ...");
            assertEquals(1, v.validate(), "... and frees the id");
            assertEquals(0, v.remove(0), "removing a free id returns NULL");
            assertEquals(0, v.remove(-1));
            assertEquals(0, v.find(-1));
            assertEquals(-ENOENT, v.getNext(-1), "a negative id is a huge unsigned one");
            assertEquals(pidPtr(1), v.remove(1));
            assertTrue(v.isEmpty());
            assertEquals(0, v.reachableNodes());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OFFHEAP", "HEAP"})
    void idrBase(Kind kind) {
        try (IdrVariant v = kind.create()) {
            v.init(1);
            assertEquals(1, v.alloc(pidPtr(1), 0, 0), "ids start at the base");
            assertEquals(2, v.allocCyclic(pidPtr(2), 0, 0));
            assertEquals(0, v.find(0));
            assertEquals(pidPtr(1), v.find(1));
            assertEquals(1, v.getNext(0));
            assertEquals(0, v.remove(0));
            assertEquals(-ENOSPC, v.alloc(0, 0, 1), "a range below the base");
            assertEquals(1, v.reachableNodes(), "index 0 holds id 1");
            assertEquals(2, v.validate());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OFFHEAP", "HEAP"})
    void aNeverInitialisedRootIsRepaired(Kind kind) {
        try (IdrVariant v = kind.create()) {
            assertEquals(0, v.alloc(pidPtr(0), 0, 0));
            v.zeroRoot();
            assertEquals(0, v.alloc(pidPtr(0), 0, 0), "idr_alloc_u32 sets IDR_RT_MARKER on a zeroed root");
            assertEquals(1, v.validate());
            assertEquals(pidPtr(0), v.find(0));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Node allocation failure and destroy
    // ---------------------------------------------------------------------------------------

    /** A tree state and one allocation on it, run on the IDR and on the oracle alike. */
    private record Scenario(String name, Body setup, ToIntFunction<IdrVariant> op, ToIntFunction<IdrOracle> expected) {
    }

    private static void fill(IdrVariant v, IdrOracle o, int from, int to) {
        for (int id = from; id < to; id++) {
            assertEquals(id, v.alloc(pidPtr(id), id, id + 1));
            o.alloc(pidPtr(id), id, id + 1);
        }
    }

    private static List<Scenario> scenarios() {
        final List<Scenario> s = new ArrayList<>();
        s.add(new Scenario("empty, id 0", (v, o, r) -> { }, v -> v.alloc(1L << 12, 0, 0), o -> o.alloc(1L << 12, 0, 0)));
        s.add(new Scenario("empty, PID_MAX_LIMIT - 1", (v, o, r) -> { },
            v -> v.alloc(8, PID_MAX_LIMIT - 1, 0), o -> o.alloc(8, PID_MAX_LIMIT - 1, 0)));
        s.add(new Scenario("a full leaf: extend with the root tag clear", (v, o, r) -> fill(v, o, 0, 64),
            v -> v.alloc(0, 0, 0), o -> o.alloc(0, 0, 0)));
        s.add(new Scenario("{5}, INT_MAX: five new levels and a five-node chain", (v, o, r) -> fill(v, o, 5, 6),
            v -> v.alloc(8, INT_MAX, 0), o -> o.alloc(8, INT_MAX, 0)));
        s.add(new Scenario("4096 ids full: extend and a two-node chain", (v, o, r) -> fill(v, o, 0, 4096),
            v -> v.alloc(8, 0, 0), o -> o.alloc(8, 0, 0)));
        s.add(new Scenario("a two-node chain under an inner node that stays", (v, o, r) -> {
            fill(v, o, 0, 1);
            fill(v, o, PID_MAX_LIMIT - 1, PID_MAX_LIMIT);
        }, v -> v.alloc(8, 100000, 0), o -> o.alloc(8, 100000, 0)));
        s.add(new Scenario("cyclic: -ENOSPC from the cursor, then a new leaf after the wrap",
            (v, o, r) -> {
                fill(v, o, 64, 1024);
                v.setCursor(1000);
                o.cursor = 1000;
            }, v -> v.allocCyclic(8, 1, 1024), o -> o.allocCyclic(8, 1, 1024)));
        for (int i = 0; i < 12; i++) {
            final int salt = i;
            final int[] start = new int[1];
            s.add(new Scenario("random tree " + i, (v, o, rnd) -> {
                final Random r = new Random(SEED + 100 + salt);
                for (int n = 0; n < 40; n++) {
                    final int id = r.nextInt(n % 2 == 0 ? 5000 : PID_MAX_LIMIT);
                    assertEquals(o.alloc(8, id, 0), v.alloc(8, id, 0));
                }
                start[0] = r.nextInt(r.nextBoolean() ? 5000 : INT_MAX);
            }, v -> v.alloc(16, start[0], 0), o -> o.alloc(16, start[0], 0)));
        }
        return s;
    }

    /**
     * failslab at every point: for each scenario, the k-th node allocation fails for k = 1, 2, ...
     * until the allocation needs fewer; every failure returns -ENOMEM and leaves the IDR exactly
     * as it was (the same nodes, fields, slots and tags), with no node leaked.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyNodeAllocationFailureLeavesTheIdrAsItWas(Kind kind) {
        for (Scenario sc : scenarios()) {
            seeded(kind, 3, (v, o, rnd) -> {
                sc.setup().run(v, o, rnd);
                agree(v, o);
                final int nodesBefore = v.reachableNodes();
                for (int k = 1; ; k++) {
                    final String before = v.snapshot();
                    v.failNth(k);
                    final int r = sc.op().applyAsInt(v);
                    final long asked = v.nodeAllocations();
                    v.failNth(0);
                    if (r == -ENOMEM) {
                        assertEquals(k, asked, sc.name() + ": stops at the failed allocation");
                        assertEquals(before, v.snapshot(), sc.name() + ": failure " + k + " changed the IDR");
                        v.rcuBarrier();
                        agree(v, o);
                        continue;
                    }
                    assertEquals(sc.expected().applyAsInt(o), r, sc.name());
                    assertEquals(k - 1, asked, sc.name() + ": every allocation was failed once");
                    assertEquals(nodesBefore + asked, v.reachableNodes(), sc.name() + ": new nodes");
                    assertTrue(k > 1 || !sc.name().startsWith("empty"), sc.name() + " needed no node");
                    agreeFully(v, o);
                    break;
                }
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void destroyFreesEveryNode(Kind kind) {
        seeded(kind, 4, (v, o, rnd) -> {
            for (int i = 0; i < 3000; i++) {
                final int id = rnd.nextInt(i % 3 == 0 ? PID_MAX_LIMIT : 40000);
                final long p = ptr(rnd);
                assertEquals(o.alloc(p, id, 0), v.alloc(p, id, 0));
            }
            v.setCursor(777);
            o.cursor = 777;
            agreeFully(v, o);
            assertTrue(v.liveNodes() > 1000, "a tree of " + v.liveNodes() + " nodes");
            v.destroy();
            o.destroy();
            v.rcuBarrier();
            assertEquals(0, v.liveNodes(), "idr_destroy gives back every node");
            agree(v, o);
            assertEquals(777, v.getCursor(), "and keeps the cursor");
            assertEquals(-ENOENT, v.getNext(0));
            assertEquals(0, v.find(o.ids.isEmpty() ? 5 : 0));
            assertEquals(777, v.allocCyclic(8, 1, 0), "the IDR is usable again");
            o.allocCyclic(8, 1, 0);
            agreeFully(v, o);
        });
    }

    // ---------------------------------------------------------------------------------------
    // Off-heap only: internal-looking pointers, corruption, heap allocation
    // ---------------------------------------------------------------------------------------

    @Test
    void internalLookingPointersAreRefused() {
        try (IdrVariant v = Kind.OFFHEAP.create()) {
            final long internal = PAGE_OFFSET + 0x1002;
            assertEquals(-EINVAL, v.alloc(internal, 0, 0));
            assertEquals(-EINVAL, v.allocCyclic(internal, 0, 0));
            assertEquals(0, v.getCursor());
            assertTrue(v.isEmpty());
            assertEquals(0, v.alloc(PAGE_OFFSET, 0, 0));
            assertEquals(-EINVAL, v.replace(internal, 0));
            assertEquals(PAGE_OFFSET, v.find(0));
            assertEquals(1, v.alloc(PAGE_OFFSET + 1, 0, 0), "a value entry (odd) is fine");
            assertEquals(2, v.validate());
        }
    }

    /** validate() fails on each kind of damage (and passes again once it is undone). */
    @Test
    void validateSeesDamage() {
        try (IdrVariant.OffHeap v = (IdrVariant.OffHeap) Kind.OFFHEAP.create()) {
            for (int id : new int[] {1, 2, 300, 3000}) {
                assertEquals(id, v.alloc(pidPtr(id), id, id + 1));
            }
            final long top = Mem.getLong(v.idr + Idr.XA_HEAD) & ~2L;
            final long leaf = Mem.getLong(RadixTree.slot(top, 0)) & ~2L;
            final long[][] damage = {
                {leaf + XaNode.TAGS, 1L << 1},               // id 1 tagged free while it holds a pid
                {leaf + XaNode.TAGS + 8, 1L},                 // a tag other than IDR_FREE
                {top + XaNode.TAGS, 1L},                      // slot 0's tag against its child's
                {leaf + XaNode.PARENT, -1L},                  // broken parent link
                {leaf + XaNode.ARRAY, 8L},                    // another array
                {leaf + XaNode.PRIVATE_LIST, 8L},             // private_list not empty
                {v.idr + Idr.XA_FLAGS, 1L << 23},             // root tag IDR_FREE flipped
                {RadixTree.slot(leaf, 7), pidPtr(7)},         // a pointer in a free slot
                {RadixTree.slot(leaf, 7), 2L},                // an internal entry in a leaf
            };
            assertEquals(4, v.validate());
            for (long[] d : damage) {
                final long before = Mem.getLong(d[0]);
                Mem.putLong(d[0], before ^ d[1]);
                try {
                    final IllegalStateException e = assertThrows(IllegalStateException.class,
                        v::validate, "damage at +" + (d[0] - leaf));
                    assertTrue(e.getMessage().startsWith("idr: "), e.getMessage());
                } finally {
                    Mem.putLong(d[0], before);
                }
                assertEquals(4, v.validate());
            }
            for (long[] counts : new long[][] {{leaf + XaNode.COUNT, 1}, {leaf + XaNode.NR_VALUES, 1}, {top + XaNode.COUNT, 1}}) {
                final byte before = Mem.getByte(counts[0]);
                Mem.putByte(counts[0], (byte) (before + counts[1]));
                assertThrows(IllegalStateException.class, v::validate);
                Mem.putByte(counts[0], before);
            }
            assertEquals(4, v.validate());
        }
    }

    /** The off-heap paths allocate nothing on the Java heap: alloc, cyclic alloc, find, next, replace, remove. */
    @Test
    void offHeapPathsDoNotAllocateOnTheHeap() {
        // A pool carved from pages, so that only the IDR's own allocations are measured.
        final int order = 5;
        final long block = MACHINE.pages().allocPages(order);
        final long page = block;
        final long[] pool = new long[(int) (((4096L << order) - 64) / XaNode.SIZEOF)];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = block + 64 + i * XaNode.SIZEOF;
        }
        final int[] top = {pool.length};
        final Idr idr = new Idr(new Idr.NodeAllocator() {
            @Override
            public long allocNode() {
                if (top[0] == 0) {
                    return 0;
                }
                final long node = pool[--top[0]];
                Mem.zero(node, XaNode.SIZEOF);
                return node;
            }

            @Override
            public void freeNode(long node) {
                pool[top[0]++] = node;
            }
        });
        try {
            final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            final long tid = Thread.currentThread().getId();
            long bytes = 0;
            for (int round = 0; round < 5; round++) {
                final long before = mx.getThreadAllocatedBytes(tid);
                idr.idrInit(page);
                long sum = 0;
                for (int i = 0; i < 5000; i++) {
                    final int nr = idr.idrAllocCyclic(page, 0, i < 100 ? 1 : RESERVED_PIDS, PID_MAX_DEFAULT);
                    idr.idrReplace(page, pidPtr(nr), nr);
                    sum += idr.idrFind(page, nr) + idr.idrGetNext(page, nr / 2);
                }
                sum += idr.idrAlloc(page, PAGE_OFFSET, PID_MAX_LIMIT - 1, 0);
                for (int nr = 0; nr < 6000; nr++) {
                    sum += idr.idrRemove(page, nr);
                }
                sum += idr.idrRemove(page, PID_MAX_LIMIT - 1);
                idr.idrDestroy(page);
                bytes = mx.getThreadAllocatedBytes(tid) - before;
                assertTrue(sum != 0);
                if (bytes == 0) {
                    break;
                }
            }
            assertEquals(0, bytes, "the IDR allocated on the heap");
            assertEquals(pool.length, top[0], "every node back in the pool");
        } finally {
            MACHINE.pages().freePages(block, order);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Readers alongside a writer
    // ---------------------------------------------------------------------------------------

    /**
     * Lookups under "rcu_read_lock" while a writer allocates, publishes and removes: a reader sees
     * an id's pointer or NULL, never anything else; frees wait for the end (the grace period).
     */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OFFHEAP_RCU", "HEAP_RCU"})
    void readersAlongsideAWriter(Kind kind) throws Exception {
        try (IdrVariant v = kind.create()) {
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                final Random rnd = new Random(SEED + 10 + r);
                final Thread t = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            final int nr = rnd.nextInt(5000);
                            final long p = v.find(nr);
                            if (p != 0 && p != pidPtr(nr)) {
                                throw new AssertionError("idr_find(" + nr + ") = 0x" + Long.toHexString(p));
                            }
                            final int next = v.getNext(nr);
                            if (next != -ENOENT && next < nr) {
                                throw new AssertionError("idr_get_next(" + nr + ") = " + next);
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                t.start();
                readers.add(t);
            }
            final Random rnd = new Random(SEED + 12);
            final List<Integer> live = new ArrayList<>();
            try {
                for (int i = 0; i < 30000 && failure.get() == null; i++) {
                    if (live.isEmpty() || rnd.nextInt(100) < 52) {
                        final int nr = v.allocCyclic(0, v.getCursor() > RESERVED_PIDS ? RESERVED_PIDS : 1, 5000);
                        if (nr >= 0) {
                            v.replace(pidPtr(nr), nr);
                            live.add(nr);
                        }
                    } else {
                        final int nr = live.remove(rnd.nextInt(live.size()));
                        assertEquals(pidPtr(nr), v.remove(nr));
                    }
                }
            } finally {
                stop.set(true);
                for (Thread t : readers) {
                    t.join();
                }
            }
            if (failure.get() != null) {
                throw new AssertionError("a reader failed (seed " + SEED + ")", failure.get());
            }
            assertEquals(live.size(), v.validate());
        }
    }
}
