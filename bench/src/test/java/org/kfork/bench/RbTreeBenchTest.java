package org.kfork.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.kfork.machine.Mem.getLong;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kfork.ds.RbTree;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.heap.ds.HeapRbRoot;
import org.kfork.heap.ds.HeapRbTree;
import org.kfork.kernel.struct.VmAreaStruct;

/**
 * Every benchmark method of RbTreeBench, on every variant, at the smallest N (one batch): each
 * computes what it claims (checked mode is on in tests), and the teardown destroys the node cache,
 * which fails if a node leaked.
 */
class RbTreeBenchTest {
    private static final int N = RbTreeBench.BATCH;
    /** Sum of the keys 1..N pages: what a walk over a whole tree adds up. */
    private static final long KEY_SUM = 4096L * N * (N + 1) / 2;

    interface Body {
        void run(RbTreeBench b);
    }

    private static void each(String benchmark, Body body) {
        for (RbTreeBench.Variant v : RbTreeBench.Variant.values()) {
            RbTreeBench b = new RbTreeBench();
            b.n = N;
            b.variant = v;
            b.setUp("org.kfork.bench.RbTreeBench." + benchmark);
            try {
                b.nextInvocation();
                body.run(b);
            } catch (AssertionError e) {
                throw new AssertionError(benchmark + ", " + v + ": " + e.getMessage(), e);
            } finally {
                b.tearDown();
            }
        }
    }

    /** {count, sum of keys} of the tree under test or of the clone, walked in order. */
    private static long[] walk(RbTreeBench b, boolean clone) {
        long count = 0;
        long sum = 0;
        long last = Long.MIN_VALUE;
        switch (b.variant) {
            case OFFHEAP -> {
                long root = clone ? b.cloneRoot : b.root;
                int nodes = RbTree.validate(root, false); // the red-black invariants
                for (long node = RbTree.first(root); node != 0; node = RbTree.next(node)) {
                    long key = getLong(node - VmAreaStruct.VM_RB + VmAreaStruct.VM_START);
                    assertEquals(true, key > last, "keys ascend");
                    last = key;
                    count++;
                    sum += key;
                }
                assertEquals(nodes, count);
            }
            case HEAP -> {
                HeapRbRoot root = clone ? b.hcloneRoot : b.hroot;
                HeapRbTree.validate(root);
                for (HeapRbNode node = HeapRbTree.first(root); node != null; node = HeapRbTree.next(node)) {
                    long key = ((RbTreeBench.HVma) node).vmStart;
                    assertEquals(true, key > last, "keys ascend");
                    last = key;
                    count++;
                    sum += key;
                }
            }
            default -> {
                for (Map.Entry<Long, Object> e : (clone ? b.cloneMap : b.map).entrySet()) {
                    assertEquals(e.getKey(), ((RbTreeBench.HVma) e.getValue()).vmStart);
                    count++;
                    sum += e.getKey();
                }
            }
        }
        return new long[] {count, sum};
    }

    @Test
    void insertsBuildTheWholeTree() {
        each("insertAscending", b -> {
            b.insertAscending();
            assertEquals(N, walk(b, false)[0]);
            assertEquals(KEY_SUM, walk(b, false)[1]);
        });
        each("insertRandom", b -> {
            b.insertRandom();
            assertEquals(N, walk(b, false)[0]);
            assertEquals(KEY_SUM, walk(b, false)[1]);
        });
    }

    @Test
    void findFindsEveryProbe() {
        each("find", b -> {
            long expected = 0;
            for (int k = 0; k < RbTreeBench.BATCH; k++) {
                int i = b.queries[k];
                // OFFHEAP returns the found vm_area_struct's address, the others its vm_end
                expected += b.variant == RbTreeBench.Variant.OFFHEAP ? b.vmas[i] : RbTreeBench.key(i) + 4096;
            }
            assertEquals(expected, b.find());
        });
    }

    @Test
    void traverseVisitsEveryNodeOnce() {
        each("traverse", b -> assertEquals(KEY_SUM, b.traverse()));
    }

    @Test
    void eraseRandomEmptiesTheTree() {
        each("eraseRandom", b -> {
            assertEquals(N, walk(b, false)[0], "nextInvocation built the tree");
            b.eraseRandom();
            assertEquals(0, walk(b, false)[0]);
        });
    }

    @Test
    void clonesCopyTheWholeTree() {
        each("clone", b -> {
            b.clone();
            assertEquals(N, walk(b, true)[0]);
            assertEquals(KEY_SUM, walk(b, true)[1]);
            assertEquals(KEY_SUM, walk(b, false)[1], "the source is unchanged");
        });
        each("cloneStructural", b -> {
            RbTreeBench.CloneCounter counter = new RbTreeBench.CloneCounter();
            b.cloneStructural(counter);
            assertEquals(N, counter.nodes);
            assertEquals(N, walk(b, true)[0]);
            assertEquals(KEY_SUM, walk(b, true)[1]);
        });
    }
}
