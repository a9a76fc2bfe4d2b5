package org.kfork.bench;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;

import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.bench.harness.BenchSupport;
import org.kfork.ds.RbTree;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.heap.ds.HeapRbRoot;
import org.kfork.heap.ds.HeapRbTree;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The intrusive rb-tree, off-heap ({@link RbTree}) against its heap twin ({@link HeapRbTree}) and
 * {@code java.util.TreeMap<Long, Object>}, with the native anchors' method (anchors.md section 2):
 * 200-byte nodes laid out as a {@code vm_area_struct} (key vm_start at 0, vm_rb at 32), N nodes.
 *
 * <h2>How ns/op is measured</h2>
 * {@code @OperationsPerInvocation} must be a constant while N is a parameter, so every method does
 * a batch of {@link #BATCH} operations per invocation and the state carries over between
 * invocations. Building benchmarks (insertAscending, insertRandom, clone) grow one tree from empty
 * to N, BATCH nodes per invocation, and start over (an untimed invocation-level reset) when it is
 * full; eraseRandom empties a full tree BATCH nodes at a time and is refilled untimed when empty.
 * Averaged over many invocations this is exactly the C anchors' "whole tree, divided by N".
 * find and traverse work on a full tree: random lookups, and rb_next steps wrapping at the end.
 *
 * <h2>No sequence is learned</h2>
 * A branch predictor memorizes a short sequence that repeats: a 1e3-node build repeated with one
 * insertion order runs the C anchor's RB_INSERT about 4x faster than with changing orders (14.6
 * against 66 ns per insert, measured here). So, as in the C anchor, no timed sequence repeats
 * often: the random builds and erases rotate through {@link #ORDERS} permutations when N is at
 * most 1e4 (above that one pass is too long to learn, and two orders keep an erase from following
 * the order its tree was built in), and find probes a stream of
 * {@link #QUERIES} random keys (or N, whichever is more) as the anchor's find_random does.
 * cloneStructural copies the whole tree per invocation; its per-node figure is the secondary
 * result {@code cloneStructural:nodes} (an {@code @AuxCounters} count of nodes copied).
 *
 * <h2>Memory</h2>
 * Off-heap nodes are 200-byte objects from a slab cache, {@code kmem_cache_create("vm_area_struct",
 * 200, 8, 0, NULL)} ({@link KmemCache}: kmem_cache_alloc / kmem_cache_free on CPU 0, the per-CPU
 * freelist fast path), as the kernel allocates VMAs. The two rb_roots sit in a page of their own.
 * The tree's nodes are allocated at setup and their keys assigned in address order, so key order
 * is memory order as in the C anchor (consecutive mallocs); clones take objects as the cache hands
 * them out. The off-heap paths allocate nothing on the Java heap. Heap-twin nodes are Java objects
 * of about the same size; TreeMap keys are boxed once at setup (the probes reuse them), so TreeMap
 * is not charged for boxing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {BenchSupport.ADD_EXPORTS, BenchSupport.CHECKED_OFF, BenchSupport.AGRONA_BOUNDS_OFF})
public class RbTreeBench {
    /** Operations per invocation; N is a multiple of it. */
    public static final int BATCH = 1000;
    /** Insertion and erase orders rotated through at N up to 1e4 (the C anchor's rotation). */
    static final int ORDERS = 16;
    /** The length of find's probe stream, at least (the C anchor's nq). */
    static final int QUERIES = 100_000;
    /** The CPU whose per-CPU slab freelist the benchmark thread uses. */
    private static final int CPU = 0;

    /** The three representations. */
    public enum Variant {
        /** org.kfork.ds.RbTree over modeled memory. */
        OFFHEAP,
        /** org.kfork.heap.ds.HeapRbTree over Java objects. */
        HEAP,
        /** java.util.TreeMap&lt;Long, Object&gt;. */
        TREEMAP
    }

    /** Number of nodes. */
    @Param({"1000", "10000", "100000", "1000000"})
    public int n;

    /** Representation. */
    @Param({"OFFHEAP", "HEAP", "TREEMAP"})
    public Variant variant;

    /** The heap twin's VMA: the rb node by inheritance, then about 200 bytes of fields in all. */
    static final class HVma extends HeapRbNode {
        long vmStart;
        long vmEnd;
        long f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17, f18, f19;

        HVma copy() {
            HVma c = new HVma();
            c.vmStart = vmStart;
            c.vmEnd = vmEnd;
            c.f2 = f2; c.f3 = f3; c.f4 = f4; c.f5 = f5; c.f6 = f6; c.f7 = f7; c.f8 = f8; c.f9 = f9;
            c.f10 = f10; c.f11 = f11; c.f12 = f12; c.f13 = f13; c.f14 = f14; c.f15 = f15; c.f16 = f16;
            c.f17 = f17; c.f18 = f18; c.f19 = f19;
            return c;
        }
    }

    // ---- shared state ----
    private Machine machine;
    /** The vm_area_struct slab cache the off-heap nodes (and their clones) come from. */
    private KmemCache vmaCache;
    /** The page holding the two rb_roots. */
    private long rootPage;
    /** Off-heap: the tree under test and the destination of clones (two rb_roots). */
    long root;
    long cloneRoot;
    /** The nodes in key order (off-heap addresses / heap objects / boxed keys). */
    long[] vmas;
    private HVma[] hvmas;
    private Long[] boxed;
    /** Random permutations of 0..n-1 (insertion and erase orders) and the current one. */
    private int[][] perms;
    private int[] perm;
    private int nextPerm;
    /** find's probes: random node indices, at least {@link #QUERIES} of them. */
    int[] queries;

    HeapRbRoot hroot;
    HeapRbRoot hcloneRoot;
    TreeMap<Long, Object> map;
    TreeMap<Long, Object> cloneMap;

    /** Where the batch stream stands (0..n; 0..queries.length for find). */
    private int cursor;
    private long traverseOff;
    private HeapRbNode traverseHeap;
    private Iterator<Map.Entry<Long, Object>> traverseIter;
    private long cloneSrcOff;
    private HeapRbNode cloneSrcHeap;
    private Iterator<Map.Entry<Long, Object>> cloneSrcIter;

    private LongUnaryOperator offMap;
    private UnaryOperator<HeapRbNode> heapMap;

    /** Nodes copied by cloneStructural, for its per-node secondary result. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class CloneCounter {
        /** Nodes copied. */
        public long nodes;

        /** Reset per iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            nodes = 0;
        }
    }

    /** Allocates the machine and the nodes, then builds what the benchmark starts from. */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        setUp(params.getBenchmark());
    }

    /** {@link #setUp(BenchmarkParams)} for the benchmark of this (qualified or simple) method name. */
    void setUp(String benchmark) {
        if (n % BATCH != 0) {
            throw new IllegalArgumentException("n must be a multiple of " + BATCH);
        }
        Random rnd = new Random(42);
        perms = new int[n <= 10_000 ? ORDERS : 2][];
        for (int k = 0; k < perms.length; k++) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) {
                p[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            perms[k] = p;
        }
        perm = perms[0];
        queries = new int[Math.max(n, QUERIES)];
        for (int i = 0; i < queries.length; i++) {
            queries[i] = rnd.nextInt(n);
        }
        switch (variant) {
            case OFFHEAP -> {
                // the tree and a clone of it, in 200-byte slab slots, with room for slab slack
                long need = 2L * n * VmAreaStruct.SIZEOF;
                machine = Machine.create(Math.max(64L << 20, Long.highestOneBit(need) * 4));
                vmaCache = Kmem.of(machine).slabs().create("vm_area_struct", (int) VmAreaStruct.SIZEOF,
                        (int) VmAreaStruct.ALIGNOF, 0, null);
                rootPage = machine.pages().allocPages(0);
                root = rootPage;
                cloneRoot = root + RbTree.SIZEOF_RB_ROOT;
                RbTree.initRoot(root);
                RbTree.initRoot(cloneRoot);
                vmas = new long[n];
                for (int i = 0; i < n; i++) {
                    vmas[i] = carve();
                }
                // Keys ascend with the address, as in the C anchor, whose nodes come from
                // consecutive mallocs: the slab hands objects out LIFO per CPU batch and slab by
                // slab, so sort them first (only the layout changes, not how they were allocated).
                Arrays.sort(vmas);
                for (int i = 0; i < n; i++) {
                    long v = vmas[i];
                    Mem.zero(v, VmAreaStruct.SIZEOF);
                    putLong(v + VmAreaStruct.VM_START, key(i));
                    putLong(v + VmAreaStruct.VM_END, key(i) + 4096);
                    RbTree.clearNode(v + VmAreaStruct.VM_RB);
                }
                offMap = rb -> {
                    long nv = carve();
                    Mem.copy(rb - VmAreaStruct.VM_RB, nv, VmAreaStruct.SIZEOF);
                    return nv + VmAreaStruct.VM_RB;
                };
            }
            case HEAP -> {
                hroot = new HeapRbRoot();
                hcloneRoot = new HeapRbRoot();
                hvmas = new HVma[n];
                for (int i = 0; i < n; i++) {
                    HVma v = new HVma();
                    v.vmStart = key(i);
                    v.vmEnd = key(i) + 4096;
                    hvmas[i] = v;
                }
                heapMap = o -> ((HVma) o).copy();
            }
            case TREEMAP -> {
                map = new TreeMap<>();
                cloneMap = new TreeMap<>();
                boxed = new Long[n];
                hvmas = new HVma[n];
                for (int i = 0; i < n; i++) {
                    boxed[i] = key(i);
                    HVma v = new HVma();
                    v.vmStart = key(i);
                    v.vmEnd = key(i) + 4096;
                    hvmas[i] = v;
                }
            }
            default -> throw new AssertionError(variant);
        }
        prepare(benchmark);
    }

    /** Releases the machine. */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (machine != null) {
            if (variant == Variant.OFFHEAP) {
                dropClone();
                RbTree.initRoot(root);
                for (long v : vmas) {
                    vmaCache.free(CPU, v);
                }
                vmaCache.destroy();
                machine.pages().freePages(rootPage, 0);
            }
            machine.close();
        }
    }

    static long key(int i) {
        return (i + 1L) << 12; // page-aligned vm_start, ascending with i
    }

    /** kmem_cache_alloc from the vm_area_struct cache. */
    private long carve() {
        long obj = vmaCache.alloc(CPU);
        if (obj == 0) {
            throw new IllegalStateException("out of modeled RAM");
        }
        return obj;
    }

    /** kmem_cache_free to the vm_area_struct cache. */
    private void free(long obj) {
        vmaCache.free(CPU, obj);
    }

    // ---------------------------------------------------------------------------------------
    // The operations, per variant (the caller's search loops)
    // ---------------------------------------------------------------------------------------

    private static void insertOff(long root, long vma) {
        long key = getLong(vma + VmAreaStruct.VM_START);
        long cur = getLong(root);
        long parent = 0;
        long link = root;
        while (cur != 0) {
            // read the key and both links up front (they share the node's cache lines): the next
            // node is then a select on the comparison, not a load issued after it (measured:
            // 5-10% faster inserts at 1e4, more at 1e5, than the kernel's link-pointer walk)
            long k = getLong(cur - VmAreaStruct.VM_RB + VmAreaStruct.VM_START);
            long l = getLong(cur + RbTree.RB_LEFT);
            long r = getLong(cur + RbTree.RB_RIGHT);
            parent = cur;
            boolean goLeft = key < k;
            link = goLeft ? cur + RbTree.RB_LEFT : cur + RbTree.RB_RIGHT;
            cur = goLeft ? l : r;
        }
        RbTree.linkNode(vma + VmAreaStruct.VM_RB, parent, link);
        RbTree.insertColor(vma + VmAreaStruct.VM_RB, root);
    }

    private static long findOff(long root, long key) {
        long node = getLong(root);
        while (node != 0) {
            long k = getLong(node - VmAreaStruct.VM_RB + VmAreaStruct.VM_START);
            if (key < k) {
                node = getLong(node + RbTree.RB_LEFT);
            } else if (key > k) {
                node = getLong(node + RbTree.RB_RIGHT);
            } else {
                return node - VmAreaStruct.VM_RB;
            }
        }
        return 0;
    }

    private static void insertHeap(HeapRbRoot root, HVma vma) {
        long key = vma.vmStart;
        HeapRbNode parent = null;
        HeapRbNode cur = root.node();
        boolean left = false;
        while (cur != null) {
            parent = cur;
            left = key < ((HVma) cur).vmStart;
            cur = left ? cur.left() : cur.right();
        }
        HeapRbTree.linkNode(vma, parent, left, root);
        HeapRbTree.insertColor(vma, root);
    }

    private static HVma findHeap(HeapRbRoot root, long key) {
        HeapRbNode node = root.node();
        while (node != null) {
            long k = ((HVma) node).vmStart;
            if (key < k) {
                node = node.left();
            } else if (key > k) {
                node = node.right();
            } else {
                return (HVma) node;
            }
        }
        return null;
    }

    private void insert(int i) {
        switch (variant) {
            case OFFHEAP -> insertOff(root, vmas[i]);
            case HEAP -> insertHeap(hroot, hvmas[i]);
            default -> map.put(boxed[i], hvmas[i]);
        }
    }

    private void clearTree() {
        switch (variant) {
            case OFFHEAP -> RbTree.initRoot(root);
            case HEAP -> hroot = new HeapRbRoot();
            default -> map.clear();
        }
    }

    private void buildRandom() {
        clearTree();
        for (int i = 0; i < n; i++) {
            insert(perm[i]);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Invocation-level bookkeeping (untimed)
    // ---------------------------------------------------------------------------------------

    /** Which benchmark this trial runs (set from the JMH benchmark name). */
    private String bench;
    private boolean built;

    /** Per benchmark: build the full tree that find, traverse and the clones start from. */
    private void prepare(String name) {
        bench = name.substring(name.lastIndexOf('.') + 1);
        switch (bench) {
            case "find", "traverse", "clone", "cloneStructural" -> {
                buildRandom();
                built = true;
            }
            default -> built = false;
        }
        cursor = 0;
    }

    /**
     * Untimed, before each invocation: start a new tree when a building benchmark filled one,
     * refill the tree when eraseRandom emptied it, free the clone when it is complete.
     */
    @Setup(Level.Invocation)
    public void nextInvocation() {
        switch (bench) {
            case "insertAscending", "insertRandom" -> {
                if (cursor == n) {
                    clearTree();
                    nextOrder();
                    cursor = 0;
                }
            }
            case "eraseRandom" -> {
                if (!built || cursor == n) {
                    buildRandom();
                    built = true;
                    nextOrder(); // erase in another order than the one the tree was built in
                    cursor = 0;
                }
            }
            case "clone" -> {
                if (cursor == n) {
                    dropClone();
                    cursor = 0;
                }
            }
            case "cloneStructural" -> dropClone();
            default -> {
            }
        }
    }

    /** Moves to the next of the rotated orders. */
    private void nextOrder() {
        nextPerm = nextPerm + 1 == perms.length ? 0 : nextPerm + 1;
        perm = perms[nextPerm];
    }

    private void dropClone() {
        switch (variant) {
            case OFFHEAP -> {
                // postorder: each node is freed after the walk has left it for good
                long node = RbTree.firstPostorder(cloneRoot);
                while (node != 0) {
                    long nextNode = RbTree.nextPostorder(node);
                    free(node - VmAreaStruct.VM_RB);
                    node = nextNode;
                }
                RbTree.initRoot(cloneRoot);
            }
            case HEAP -> hcloneRoot = new HeapRbRoot();
            default -> cloneMap = new TreeMap<>();
        }
        cloneSrcOff = 0;
        cloneSrcHeap = null;
        cloneSrcIter = null;
    }

    // ---------------------------------------------------------------------------------------
    // Benchmarks
    // ---------------------------------------------------------------------------------------

    /** Insert in ascending key order, growing a tree from empty to N; ns per insert. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void insertAscending() {
        int end = cursor + BATCH;
        for (int i = cursor; i < end; i++) {
            insert(i);
        }
        cursor = end;
    }

    /** Insert in random key order, growing a tree from empty to N; ns per insert. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void insertRandom() {
        int end = cursor + BATCH;
        for (int i = cursor; i < end; i++) {
            insert(perm[i]);
        }
        cursor = end;
    }

    /** Look up random present keys in a tree of N; ns per lookup. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long find() {
        int c = cursor;
        long sum = 0;
        switch (variant) {
            case OFFHEAP -> {
                for (int k = 0; k < BATCH; k++) {
                    sum += findOff(root, key(queries[c]));
                    c = c + 1 == queries.length ? 0 : c + 1;
                }
            }
            case HEAP -> {
                for (int k = 0; k < BATCH; k++) {
                    sum += findHeap(hroot, key(queries[c])).vmEnd;
                    c = c + 1 == queries.length ? 0 : c + 1;
                }
            }
            default -> {
                for (int k = 0; k < BATCH; k++) {
                    sum += ((HVma) map.get(boxed[queries[c]])).vmEnd;
                    c = c + 1 == queries.length ? 0 : c + 1;
                }
            }
        }
        cursor = c;
        return sum;
    }

    /** In-order traversal (rb_next) of a tree of N, wrapping at the end; ns per node visited. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long traverse() {
        long sum = 0;
        switch (variant) {
            case OFFHEAP -> {
                long node = traverseOff;
                for (int k = 0; k < BATCH; k++) {
                    node = node == 0 ? RbTree.first(root) : RbTree.next(node);
                    if (node != 0) {
                        sum += getLong(node - VmAreaStruct.VM_RB + VmAreaStruct.VM_START);
                    }
                }
                traverseOff = node;
            }
            case HEAP -> {
                HeapRbNode node = traverseHeap;
                for (int k = 0; k < BATCH; k++) {
                    node = node == null ? HeapRbTree.first(hroot) : HeapRbTree.next(node);
                    if (node != null) {
                        sum += ((HVma) node).vmStart;
                    }
                }
                traverseHeap = node;
            }
            default -> {
                Iterator<Map.Entry<Long, Object>> it = traverseIter;
                for (int k = 0; k < BATCH; k++) {
                    if (it == null || !it.hasNext()) {
                        it = map.entrySet().iterator();
                    }
                    sum += ((HVma) it.next().getValue()).vmStart;
                }
                traverseIter = it;
            }
        }
        return sum;
    }

    /** Erase in random order, emptying a tree of N; ns per erase. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void eraseRandom() {
        int end = cursor + BATCH;
        switch (variant) {
            case OFFHEAP -> {
                for (int i = cursor; i < end; i++) {
                    RbTree.erase(vmas[perm[i]] + VmAreaStruct.VM_RB, root);
                }
            }
            case HEAP -> {
                for (int i = cursor; i < end; i++) {
                    HeapRbTree.erase(hvmas[perm[i]], hroot);
                }
            }
            default -> {
                for (int i = cursor; i < end; i++) {
                    map.remove(boxed[perm[i]]);
                }
            }
        }
        cursor = end;
    }

    /**
     * The per-node clone as the 5.12 dup_mmap does it: walk the source in order; for each node
     * allocate, copy the 200 bytes and insert into the new tree (a search from the root). ns per node.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    @Override
    public Object clone() { // named as the C anchor's column; it overrides Object.clone, harmlessly
        switch (variant) {
            case OFFHEAP -> {
                long src = cloneSrcOff;
                for (int k = 0; k < BATCH; k++) {
                    src = src == 0 ? RbTree.first(root) : RbTree.next(src);
                    long nv = carve();
                    Mem.copy(src - VmAreaStruct.VM_RB, nv, VmAreaStruct.SIZEOF);
                    insertOff(cloneRoot, nv);
                }
                cloneSrcOff = src;
            }
            case HEAP -> {
                HeapRbNode src = cloneSrcHeap;
                for (int k = 0; k < BATCH; k++) {
                    src = src == null ? HeapRbTree.first(hroot) : HeapRbTree.next(src);
                    insertHeap(hcloneRoot, ((HVma) src).copy());
                }
                cloneSrcHeap = src;
            }
            default -> {
                Iterator<Map.Entry<Long, Object>> it = cloneSrcIter == null ? map.entrySet().iterator() : cloneSrcIter;
                for (int k = 0; k < BATCH; k++) {
                    Map.Entry<Long, Object> e = it.next();
                    cloneMap.put(e.getKey(), ((HVma) e.getValue()).copy());
                }
                cloneSrcIter = it;
            }
        }
        cursor += BATCH;
        return this;
    }

    /**
     * The O(n) structural clone (the rb-tree analogue of __mt_dup): allocate and copy each node and
     * rebuild the same shape, no comparisons, no rebalancing. One whole tree per invocation; the
     * ns-per-node figure is the secondary result {@code cloneStructural:nodes}. For TREEMAP it is
     * {@code new TreeMap<>(sortedMap)} (buildFromSorted, also O(n)), which shares the values
     * instead of copying them.
     */
    @Benchmark
    public Object cloneStructural(CloneCounter counter) {
        counter.nodes += n;
        switch (variant) {
            case OFFHEAP -> {
                RbTree.cloneStructure(root, cloneRoot, false, offMap);
                return null;
            }
            case HEAP -> {
                HeapRbTree.cloneStructure(hroot, hcloneRoot, heapMap, null);
                return hcloneRoot;
            }
            default -> {
                cloneMap = new TreeMap<>(map);
                return cloneMap;
            }
        }
    }

    /**
     * Runs the suite alone (or the benchmarks a JMH command line names), with the fork flags of
     * {@link BenchSupport}.
     */
    public static void main(String[] args) {
        BenchSupport.runAlone(RbTreeBench.class, args);
    }
}
