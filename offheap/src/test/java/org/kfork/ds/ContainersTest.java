package org.kfork.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.machine.Machine;
import org.kfork.testing.LeakCheck;

/**
 * One suite, both variants: the off-heap containers (org.kfork.ds) and their heap twins
 * (org.kfork.heap.ds) run the same tests through {@link Variant}. Random tests are seeded; the seed
 * is printed on failure and can be replayed with {@code -Dkfork.seed=N}. The leak check runs after
 * every test (for the heap variant it checks that nothing off-heap was touched).
 */
class ContainersTest {
    enum Kind {
        OFFHEAP, HEAP;

        Variant create(int capacity) {
            return this == OFFHEAP ? new OffHeapVariant(MACHINE, capacity) : new HeapVariant(capacity);
        }
    }

    static final Machine MACHINE = Machine.create(64L << 20);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void closeMachine() {
        MACHINE.close();
    }

    private static final long SEED = Long.getLong("kfork.seed", System.nanoTime());
    private static final long PAGE = 4096;

    /** Runs {@code body} with a seeded Random, naming the seed and variant if it fails. */
    private static void seeded(Kind kind, int salt, SeededBody body) {
        long seed = SEED + salt;
        try (Variant v = kind.create(1024)) {
            body.run(v, new Random(seed));
        } catch (Throwable t) {
            throw new AssertionError("failed with -Dkfork.seed=" + SEED + " (salt " + salt + ") on " + kind + ": " + t, t);
        }
    }

    interface SeededBody {
        void run(Variant v, Random rnd);
    }

    // ---------------------------------------------------------------------------------------
    // Plain rb-tree
    // ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void emptyTree(Kind kind) {
        try (Variant v = kind.create(16)) {
            assertTrue(v.rbEmptyRoot());
            assertEquals(-1, v.rbFirst());
            assertEquals(-1, v.rbLast());
            assertEquals(-1, v.rbFirstCached());
            assertEquals(-1, v.rbFirstPostorder());
            assertEquals(-1, v.rbFind(42));
            assertEquals(0, v.rbValidate(0));
            v.rbClone();
            assertEquals(0, v.rbValidate(1));
            assertEquals(-1, v.root(1, false));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void singleNode(Kind kind) {
        try (Variant v = kind.create(16)) {
            v.setVma(3, 100, 200, 0);
            assertTrue(v.rbEmptyNode(3), "a fresh node is cleared");
            assertEquals(-1, v.rbNext(3), "rb_next of a cleared node is NULL");
            v.rbInsert(3);
            assertFalse(v.rbEmptyRoot());
            assertFalse(v.rbEmptyNode(3));
            assertTrue(v.black(3, false), "the root is black");
            assertEquals(3, v.rbFirst());
            assertEquals(3, v.rbLast());
            assertEquals(3, v.rbFirstCached());
            assertEquals(3, v.rbFirstPostorder());
            assertEquals(-1, v.rbNextPostorder(3));
            assertEquals(-1, v.rbNext(3));
            assertEquals(-1, v.rbPrev(3));
            assertEquals(3, v.rbFind(100));
            assertEquals(1, v.rbValidate(0));
            v.rbErase(3);
            assertTrue(v.rbEmptyRoot());
            assertEquals(-1, v.rbFirstCached());
            v.rbClearNode(3);
            assertTrue(v.rbEmptyNode(3));
            assertEquals(0, v.rbValidate(0));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eraseRootLeafAndTwoChildNode(Kind kind) {
        try (Variant v = kind.create(64)) {
            TreeMap<Long, Integer> oracle = new TreeMap<>();
            for (int i = 0; i < 31; i++) {
                v.setVma(i, i * 10L, i * 10L + 5, 0);
                v.rbInsert(i);
                oracle.put(i * 10L, i);
                v.rbValidate(0);
            }
            // the root
            int root = v.root(0, false);
            v.rbErase(root);
            oracle.remove(v.vmStart(root));
            assertEquals(oracle.size(), v.rbValidate(0));
            assertInOrder(v, oracle);
            // a leaf
            int leaf = -1;
            for (int h : oracle.values()) {
                if (v.left(h, false) < 0 && v.right(h, false) < 0) {
                    leaf = h;
                    break;
                }
            }
            assertNotEquals(-1, leaf);
            v.rbErase(leaf);
            oracle.remove(v.vmStart(leaf));
            assertEquals(oracle.size(), v.rbValidate(0));
            assertInOrder(v, oracle);
            // a node with two children that is not the root
            int two = -1;
            for (int h : oracle.values()) {
                if (h != v.root(0, false) && v.left(h, false) >= 0 && v.right(h, false) >= 0) {
                    two = h;
                    break;
                }
            }
            assertNotEquals(-1, two);
            v.rbErase(two);
            oracle.remove(v.vmStart(two));
            assertEquals(oracle.size(), v.rbValidate(0));
            assertInOrder(v, oracle);
            // the leftmost: the cache moves on
            int first = v.rbFirstCached();
            v.rbErase(first);
            oracle.remove(v.vmStart(first));
            assertEquals(oracle.firstEntry().getValue(), v.rbFirstCached());
            assertEquals(oracle.size(), v.rbValidate(0));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void randomOperationsAgainstTreeMap(Kind kind) {
        seeded(kind, 1, (v, rnd) -> {
            int cap = 512;
            TreeMap<Long, Integer> oracle = new TreeMap<>();
            Deque<Integer> free = new ArrayDeque<>();
            for (int i = 0; i < cap; i++) {
                free.add(i);
            }
            for (int step = 0; step < 4000; step++) {
                int op = rnd.nextInt(10);
                long key = rnd.nextInt(2000);
                if (op < 4) {
                    if (!free.isEmpty() && !oracle.containsKey(key)) {
                        int h = free.poll();
                        v.setVma(h, key, key + 1, 0);
                        v.rbInsert(h);
                        oracle.put(key, h);
                    }
                } else if (op < 7) {
                    Map.Entry<Long, Integer> e = oracle.ceilingEntry(key);
                    if (e != null) {
                        v.rbErase(e.getValue());
                        oracle.remove(e.getKey());
                        free.add(e.getValue());
                    }
                } else if (op < 8) {
                    Integer h = oracle.get(key);
                    assertEquals(h == null ? -1 : h, v.rbFind(key), "lookup " + key);
                } else {
                    Map.Entry<Long, Integer> e = oracle.ceilingEntry(key);
                    if (e != null) {
                        Map.Entry<Long, Integer> n = oracle.higherEntry(e.getKey());
                        Map.Entry<Long, Integer> p = oracle.lowerEntry(e.getKey());
                        assertEquals(n == null ? -1 : n.getValue(), v.rbNext(e.getValue()), "next of " + e.getKey());
                        assertEquals(p == null ? -1 : p.getValue(), v.rbPrev(e.getValue()), "prev of " + e.getKey());
                    }
                }
                assertEquals(oracle.size(), v.rbValidate(0), "node count at step " + step);
                assertEquals(oracle.isEmpty() ? -1 : oracle.firstEntry().getValue(), v.rbFirstCached());
                assertEquals(oracle.isEmpty() ? -1 : oracle.lastEntry().getValue(), v.rbLast());
            }
            assertInOrder(v, oracle);
        });
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void postorderVisitsChildrenFirst(Kind kind) {
        seeded(kind, 2, (v, rnd) -> {
            Set<Integer> in = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                v.setVma(i, rnd.nextLong() >>> 1, 0, 0);
                v.rbInsert(i);
                in.add(i);
            }
            Set<Integer> seen = new HashSet<>();
            for (int h = v.rbFirstPostorder(); h >= 0; h = v.rbNextPostorder(h)) {
                int l = v.left(h, false);
                int r = v.right(h, false);
                assertTrue(l < 0 || seen.contains(l), "left child before parent");
                assertTrue(r < 0 || seen.contains(r), "right child before parent");
                assertTrue(seen.add(h), "visited twice");
            }
            assertEquals(in, seen);
        });
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void replaceNodeKeepsShape(Kind kind) {
        seeded(kind, 3, (v, rnd) -> {
            TreeMap<Long, Integer> oracle = new TreeMap<>();
            for (int i = 0; i < 100; i++) {
                long k = i * 7L;
                v.setVma(i, k, k + 1, 0);
                v.rbInsert(i);
                oracle.put(k, i);
            }
            String before = shape(v, 0, false, v::vmStart, v::vmEnd);
            for (int round = 0; round < 20; round++) {
                long k = 7L * rnd.nextInt(100);
                int victim = oracle.get(k);
                int with = 100 + round;
                v.setVma(with, k, k + 1, 0);
                v.rbReplace(victim, with);
                oracle.put(k, with);
                assertEquals(100, v.rbValidate(0));
                assertEquals(with, v.rbFind(k));
            }
            assertEquals(before, shape(v, 0, false, v::vmStart, v::vmEnd), "replace changes no shape or colour");
            assertEquals(oracle.firstEntry().getValue(), v.rbFirstCached());
        });
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void structuralCloneCopiesShapeAndColours(Kind kind) {
        seeded(kind, 4, (v, rnd) -> {
            TreeMap<Long, Integer> oracle = new TreeMap<>();
            for (int i = 0; i < 400; i++) {
                long k = rnd.nextInt(100_000);
                if (oracle.containsKey(k)) {
                    continue;
                }
                v.setVma(i, k, k + 1, 0);
                v.rbInsert(i);
                oracle.put(k, i);
            }
            // erase some, so the tree is not just an insertion shape
            for (int i = 0; i < 100; i++) {
                Map.Entry<Long, Integer> e = oracle.ceilingEntry((long) rnd.nextInt(100_000));
                if (e != null) {
                    v.rbErase(e.getValue());
                    oracle.remove(e.getKey());
                }
            }
            v.rbClone();
            assertEquals(oracle.size(), v.rbValidate(1));
            String src = shape(v, 0, false, v::vmStart, v::vmEnd);
            String dst = shape(v, 1, false, v::vmStart, v::vmEnd);
            assertEquals(src, dst);
            assertTrue(v.root(1, false) >= v.capacity() / 2, "the clone is made of the new nodes");
        });
    }

    // ---------------------------------------------------------------------------------------
    // Augmented rb-tree (RB_DECLARE_CALLBACKS_MAX), non-cached
    // ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void augmentedMaximaMatchBruteForce(Kind kind) {
        seeded(kind, 5, (v, rnd) -> {
            // slot s owns pages [16s, 16s+16): VMAs in different slots never overlap
            TreeMap<Long, Integer> bySlot = new TreeMap<>();
            Deque<Integer> free = new ArrayDeque<>();
            for (int i = 0; i < 300; i++) {
                free.add(i);
            }
            for (int step = 0; step < 2500; step++) {
                long slot = 1 + rnd.nextInt(400);
                Integer h = bySlot.get(slot);
                if (h == null && !free.isEmpty() && rnd.nextInt(3) != 0) {
                    int n = free.poll();
                    long start = (slot * 16 + rnd.nextInt(8)) * PAGE;
                    v.setVma(n, start, start + (1 + rnd.nextInt(8)) * PAGE, 0);
                    v.augInsert(n);
                    bySlot.put(slot, n);
                } else if (h != null) {
                    v.augErase(h);
                    bySlot.remove(slot);
                    free.add(h);
                }
                assertEquals(bySlot.size(), v.augValidate(0));
                long max = 0;
                for (int live : bySlot.values()) {
                    max = Math.max(max, v.vmEnd(live) - v.vmStart(live));
                }
                assertEquals(max, v.root(0, false) < 0 ? 0 : v.augmented(v.root(0, false)), "largest VMA at step " + step);
            }
            v.augClone();
            assertEquals(bySlot.size(), v.augValidate(1));
            assertEquals(shape(v, 0, false, v::vmStart, v::augmented), shape(v, 1, false, v::vmStart, v::augmented));
        });
    }

    // ---------------------------------------------------------------------------------------
    // Interval tree
    // ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void intervalQueriesMatchBruteForce(Kind kind) {
        seeded(kind, 6, (v, rnd) -> {
            long[] first = new long[v.capacity()];
            long[] last = new long[v.capacity()];
            List<Integer> live = new ArrayList<>();
            Deque<Integer> free = new ArrayDeque<>();
            for (int i = 0; i < 400; i++) {
                free.add(i);
            }
            for (int step = 0; step < 2500; step++) {
                int op = rnd.nextInt(10);
                if (op < 4 && !free.isEmpty()) {
                    int n = free.poll();
                    long pgoff = rnd.nextInt(300);
                    long pages = 1 + rnd.nextInt(30);
                    v.setVma(n, 0x10000, 0x10000 + pages * PAGE, pgoff);
                    v.itInsert(n);
                    first[n] = pgoff;
                    last[n] = pgoff + pages - 1;
                    live.add(n);
                } else if (op < 5 && !free.isEmpty() && !live.isEmpty()) {
                    // dup_mmap: the child's copy goes right after its parent's VMA
                    int prev = live.get(rnd.nextInt(live.size()));
                    int n = free.poll();
                    v.setVma(n, 0x10000, 0x10000 + (last[prev] - first[prev] + 1) * PAGE, first[prev]);
                    v.itInsertAfter(n, prev);
                    first[n] = first[prev];
                    last[n] = last[prev];
                    live.add(n);
                } else if (op < 8 && !live.isEmpty()) {
                    int n = live.remove(rnd.nextInt(live.size()));
                    v.itRemove(n);
                    free.add(n);
                } else {
                    long s = rnd.nextInt(340);
                    long l = s + rnd.nextInt(40);
                    Set<Integer> expect = new HashSet<>();
                    for (int n : live) {
                        if (first[n] <= l && s <= last[n]) {
                            expect.add(n);
                        }
                    }
                    Set<Integer> got = new HashSet<>();
                    long prevStart = -1;
                    for (int n = v.itFirst(s, l); n >= 0; n = v.itNext(n, s, l)) {
                        assertTrue(got.add(n), "returned twice: " + n);
                        assertTrue(first[n] >= prevStart, "iteration is in start order");
                        prevStart = first[n];
                    }
                    assertEquals(expect, got, "stab [" + s + ", " + l + "] at step " + step);
                }
                assertEquals(live.size(), v.itValidate(0));
            }
            v.itClone();
            assertEquals(live.size(), v.itValidate(1));
            assertEquals(shape(v, 0, true, v::vmPgoff, v::subtreeLast), shape(v, 1, true, v::vmPgoff, v::subtreeLast));
        });
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void insertAfterNeedsTheSameStart(Kind kind) {
        try (Variant v = kind.create(16)) {
            v.setVma(0, 0, PAGE, 5);
            v.itInsert(0);
            v.setVma(1, 0, PAGE, 6);
            assertThrows(IllegalArgumentException.class, () -> v.itInsertAfter(1, 0));
            v.itRemove(0);
            assertEquals(0, v.itValidate(0));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Lists
    // ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void listOperationsAgainstDeques(Kind kind) {
        seeded(kind, 7, (v, rnd) -> {
            // heads 0 and 1; entries 2..99
            List<Deque<Integer>> oracle = List.of(new ArrayDeque<>(), new ArrayDeque<>());
            int[] on = new int[100];
            java.util.Arrays.fill(on, -1);
            v.listInit(0);
            v.listInit(1);
            assertTrue(v.listEmpty(0));
            for (int e = 2; e < 100; e++) {
                v.listInit(e);
            }
            for (int step = 0; step < 3000; step++) {
                int e = 2 + rnd.nextInt(98);
                int head = rnd.nextInt(2);
                int op = rnd.nextInt(8);
                if (on[e] < 0) {
                    switch (op % 3) {
                        case 0 -> {
                            v.listAdd(e, head);
                            oracle.get(head).addFirst(e);
                        }
                        case 1 -> {
                            v.listAddTail(e, head);
                            oracle.get(head).addLast(e);
                        }
                        default -> {
                            v.listAddRcu(e, head);
                            oracle.get(head).addFirst(e);
                        }
                    }
                    on[e] = head;
                } else if (op < 2) {
                    v.listDel(e);
                    oracle.get(on[e]).remove(e);
                    on[e] = -1;
                    v.listInit(e);
                } else if (op < 3) {
                    v.listDelRcu(e);
                    oracle.get(on[e]).remove(e);
                    on[e] = -1;
                    v.listInit(e);
                } else if (op < 5) {
                    v.listDelInit(e);
                    oracle.get(on[e]).remove(e);
                    on[e] = -1;
                    assertTrue(v.listEmpty(e), "list_del_init leaves an empty list");
                } else if (op < 7) {
                    v.listMoveTail(e, head);
                    oracle.get(on[e]).remove(e);
                    oracle.get(head).addLast(e);
                    on[e] = head;
                } else {
                    int other = 1 - head;
                    v.listSpliceInit(other, head);
                    Deque<Integer> moved = oracle.get(other);
                    Iterator<Integer> it = moved.descendingIterator();
                    while (it.hasNext()) {
                        int x = it.next();
                        oracle.get(head).addFirst(x);
                        on[x] = head;
                    }
                    moved.clear();
                    assertTrue(v.listEmpty(other));
                }
                for (int h = 0; h < 2; h++) {
                    assertEquals(oracle.get(h).size(), v.listValidate(h));
                    assertEquals(oracle.get(h).isEmpty(), v.listEmpty(h));
                    assertEquals(new ArrayList<>(oracle.get(h)), walk(v, h, true));
                }
            }
            // safe iteration: delete every entry while walking list 0
            int count = 0;
            for (int pos = v.listNext(0), n = v.listNext(pos); pos != 0; pos = n, n = v.listNext(pos)) {
                v.listDel(pos);
                count++;
            }
            assertEquals(oracle.get(0).size(), count);
            v.listInit(0);
            assertTrue(v.listEmpty(0));
        });
    }

    private static List<Integer> walk(Variant v, int head, boolean forward) {
        List<Integer> out = new ArrayList<>();
        for (int p = forward ? v.listNext(head) : v.listPrev(head); p != head; p = forward ? v.listNext(p) : v.listPrev(p)) {
            out.add(p);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void hlistOperationsAgainstDeques(Kind kind) {
        seeded(kind, 8, (v, rnd) -> {
            int heads = 4;
            List<Deque<Integer>> oracle = new ArrayList<>();
            for (int h = 0; h < heads; h++) {
                oracle.add(new ArrayDeque<>());
                v.hlistInitHead(h);
                assertTrue(v.hlistEmpty(h));
            }
            int[] on = new int[100];
            java.util.Arrays.fill(on, -1);
            for (int n = 0; n < 100; n++) {
                v.hlistInitNode(n);
            }
            for (int step = 0; step < 3000; step++) {
                int n = rnd.nextInt(100);
                if (on[n] < 0) {
                    assertTrue(v.hlistUnhashed(n));
                    int h = rnd.nextInt(heads);
                    v.hlistAddHead(n, h);
                    oracle.get(h).addFirst(n);
                    on[n] = h;
                } else {
                    v.hlistDelInit(n);
                    oracle.get(on[n]).remove(n);
                    on[n] = -1;
                    assertTrue(v.hlistUnhashed(n));
                    v.hlistDelInit(n); // a second del_init of an unhashed node does nothing
                }
                for (int h = 0; h < heads; h++) {
                    assertEquals(oracle.get(h).size(), v.hlistValidate(h));
                    assertEquals(oracle.get(h).isEmpty(), v.hlistEmpty(h));
                    List<Integer> got = new ArrayList<>();
                    for (int x = v.hlistFirst(h); x >= 0; x = v.hlistNext(x)) {
                        got.add(x);
                    }
                    assertEquals(new ArrayList<>(oracle.get(h)), got);
                }
            }
        });
    }

    // ---------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------

    private static void assertInOrder(Variant v, TreeMap<Long, Integer> oracle) {
        List<Long> fwd = new ArrayList<>();
        for (int h = v.rbFirst(); h >= 0; h = v.rbNext(h)) {
            fwd.add(v.vmStart(h));
        }
        assertEquals(new ArrayList<>(oracle.keySet()), fwd);
        List<Long> back = new ArrayList<>();
        for (int h = v.rbLast(); h >= 0; h = v.rbPrev(h)) {
            back.add(v.vmStart(h));
        }
        assertEquals(new ArrayList<>(oracle.descendingKeySet()), back);
    }

    /** Preorder picture of a tree: (key colour augmented left right); handles are not part of it. */
    private static String shape(Variant v, int which, boolean shared, IntToLongFunction key, IntToLongFunction value) {
        StringBuilder sb = new StringBuilder();
        shape(v, v.root(which, shared), shared, key, value, sb);
        return sb.toString();
    }

    private static void shape(Variant v, int h, boolean shared, IntToLongFunction key, IntToLongFunction value,
                              StringBuilder sb) {
        if (h < 0) {
            sb.append('.');
            return;
        }
        sb.append('(').append(key.applyAsLong(h)).append(v.black(h, shared) ? 'B' : 'r').append(value.applyAsLong(h)).append(' ');
        shape(v, v.left(h, shared), shared, key, value, sb);
        sb.append(' ');
        shape(v, v.right(h, shared), shared, key, value, sb);
        sb.append(')');
    }
}
