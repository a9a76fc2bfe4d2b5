package org.kfork.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which native anchor each Java benchmark is compared with: the one table the report uses.
 *
 * <h2>The naming convention the report expects</h2>
 * Benchmark classes live in {@code org.kfork.bench}; the report groups by simple class name (one
 * table per class). Each class has an {@code @Param("variant")} enum naming the representation:
 * {@code OFFHEAP} (the modeled machine), {@code HEAP} (the heap twin), and any other constant is a
 * baseline (e.g. {@code TREEMAP}, {@code RAW_UNSAFE}, {@code JCTOOLS}). Sizes are {@code @Param("n")}.
 * Scores are AverageTime in ns/op (the harness runs every benchmark in that mode, except
 * SingleShotTime/SampleTime classes). The report's ratios are OFFHEAP/HEAP, OFFHEAP/each baseline
 * and OFFHEAP/each anchor below.
 *
 * <table>
 * <caption>Benchmark methods and their anchors</caption>
 * <tr><th>class.method</th><th>one op is</th><th>anchor (bench/native)</th></tr>
 * <tr><td>RbTreeBench.insertAscending</td><td>one insert, amortised over building an n-node tree, keys ascending</td>
 *     <td>rbtree insert_ascending @ n</td></tr>
 * <tr><td>RbTreeBench.insertRandom</td><td>one insert, amortised over building an n-node tree in random order</td>
 *     <td>rbtree insert_random @ n</td></tr>
 * <tr><td>RbTreeBench.find</td><td>ONE lookup of a random present key in an n-node tree</td>
 *     <td>rbtree find_random @ n</td></tr>
 * <tr><td>RbTreeBench.traverse</td><td>one step of an in-order walk of n nodes</td>
 *     <td>rbtree traverse @ n</td></tr>
 * <tr><td>RbTreeBench.eraseRandom</td><td>one erase, amortised over erasing all n nodes in random order</td>
 *     <td>rbtree erase_random @ n</td></tr>
 * <tr><td>RbTreeBench.clone</td><td>one node of cloning an n-node tree (alloc + copy + insert)</td>
 *     <td>rbtree clone @ n</td></tr>
 * <tr><td>StackCacheBench.pair1Thread, memset=false</td><td>one take (xchg) + put (cmpxchg)</td>
 *     <td>percpu pair_1t</td></tr>
 * <tr><td>StackCacheBench.pair2Threads, memset=false</td><td>the same, each thread on its own CPU</td>
 *     <td>percpu pair_2t</td></tr>
 * <tr><td>StackCacheBench.pair1Thread/pair2Threads, memset=true</td><td>the pair with the reused
 *     stack zeroed</td><td>the pair plus memset_16k</td></tr>
 * <tr><td>SlabBench.allocFree</td><td>one kmem_cache_alloc + kmem_cache_free of 200 bytes</td>
 *     <td>malloc(200)+free</td></tr>
 * <tr><td>DupMmapBench.dup</td><td>one VMA of dup_mm of an mm with n VMAs</td>
 *     <td>rbtree clone @ n; the kernel's fork() slope per VMA (until fork returns)</td></tr>
 * <tr><td>DupMmapBench.exit</td><td>one VMA of the teardown of such a copy</td>
 *     <td>none (the kernel's exit slope is only measured together with fork)</td></tr>
 * <tr><td>ForkBench.fork @ n</td><td>one fork of a process with n VMAs, until it returns in the parent</td>
 *     <td>kernel: clone fork_call @ n; C copy limit: forkcopy fork_copy @ n</td></tr>
 * <tr><td>ForkBench.forkExit @ n</td><td>the child's exit + the parent's wait4 after such a fork</td>
 *     <td>kernel: clone fork_teardown @ n</td></tr>
 * <tr><td>ForkBench.vfork</td><td>vfork + the child's exit + wait4</td><td>kernel: clone vfork_total</td></tr>
 * <tr><td>ForkBench.thread</td><td>one clone with glibc's pthread_create flags, until it returns</td>
 *     <td>kernel: clone clone_thread_call; glibc pthread: clone pthread_call; C copy limit: forkcopy
 *     thread_copy (per-CPU stack pair + task_struct memcpy + stack memset)</td></tr>
 * <tr><td>ForkBench.threadExit</td><td>that thread's exit, until it is reaped</td>
 *     <td>kernel: clone clone_thread_teardown; glibc pthread: clone pthread_teardown</td></tr>
 * </table>
 *
 * ForkBench's names live here and only here ({@link #FORK_BENCH}, {@link #FORK} ...): its scores
 * are ns per call (one fork, one teardown), its {@code n} is the number of VMAs and takes the
 * values 10, 100, 1000 and 10000 the native anchors are measured at (another n has no fork
 * anchor), and vfork, thread and threadExit take any n or none (their anchors have none).
 *
 * "Per node" means the Java score is divided by n before the ratio is taken (and the anchor is
 * multiplied by n on charts), because one Java op covers n elements. A few aliases are accepted
 * (listed in {@link #RULES}); anything else simply has no anchor column.
 */
public final class AnchorMap {
    /** How one Java op relates to the anchor's per-element figure. */
    public enum Scale {
        /** One Java op is one anchor op. */
        PER_OP,
        /** One Java op covers {@code n} anchor ops. */
        PER_N
    }

    /**
     * One mapping.
     *
     * @param suite the benchmark's simple class name
     * @param methods the method name and its accepted aliases
     * @param threads the benchmark thread count it applies to; 0 for any
     * @param anchorSuite the native suite
     * @param anchorOp the native op
     * @param anchorN the native n; -1 to use the benchmark's {@code n} param
     * @param scale how a Java op relates to the native op
     * @param label the column label in the report
     * @param when a {@code name=value} @Param the result must have, or null for any
     * @param plusSuite a second native suite whose figure is added (the anchor of a composite op), or null
     * @param plusOp the second native op
     * @param plusN the second native n
     */
    public record Rule(String suite, Set<String> methods, int threads, String anchorSuite, String anchorOp,
                       long anchorN, Scale scale, String label, String when, String plusSuite, String plusOp,
                       long plusN) {
        /** A rule for any parameters, against one native figure. */
        public Rule(String suite, Set<String> methods, int threads, String anchorSuite, String anchorOp,
                    long anchorN, Scale scale, String label) {
            this(suite, methods, threads, anchorSuite, anchorOp, anchorN, scale, label, null, null, null, 0);
        }

        boolean appliesTo(JmhResult r) {
            if (when == null) {
                return true;
            }
            int eq = when.indexOf('=');
            return when.substring(eq + 1).equals(r.param(when.substring(0, eq)));
        }
    }

    /** ForkBench's simple class name. */
    public static final String FORK_BENCH = "ForkBench";
    /** ForkBench: one fork of a process with {@code n} VMAs, until it returns in the parent. */
    public static final String FORK = "fork";
    /** ForkBench: after such a fork, the child's exit and the parent's wait4. */
    public static final String FORK_EXIT = "forkExit";
    /** ForkBench: vfork, the child's exit and the parent's wait4, in one op. */
    public static final String VFORK = "vfork";
    /** ForkBench: one clone with glibc's pthread_create flags, until it returns. */
    public static final String THREAD = "thread";
    /** ForkBench: that thread's exit, until it is reaped (CLONE_CHILD_CLEARTID cleared). */
    public static final String THREAD_EXIT = "threadExit";
    /** ForkBench's anchor column of the real kernel. */
    public static final String KERNEL = "kernel";
    /** ForkBench's anchor column of glibc's pthread_create and pthread_join. */
    public static final String GLIBC_PTHREAD = "glibc pthread";
    /** ForkBench's anchor column of the physical limit: the copies and the stack memset in C. */
    public static final String COPY_LIMIT = "C copy limit";

    /** The mapping, in the order the report shows anchor columns. */
    public static final List<Rule> RULES = List.of(
        rb(Set.of("insertAscending"), "insert_ascending"),
        rb(Set.of("insertRandom"), "insert_random"),
        new Rule("RbTreeBench", Set.of("find", "findRandom"), 0, "rbtree", "find_random", -1, Scale.PER_OP,
            "C rb-tree"),
        rb(Set.of("traverse", "inorder"), "traverse"),
        rb(Set.of("eraseRandom", "erase"), "erase_random"),
        rb(Set.of("clone"), "clone"),
        // StackCacheBench: without the memset, the pair alone; with it, the pair plus a 16 KiB memset.
        new Rule("StackCacheBench", Set.of("pair", "takePut", "pair1Thread"), 1, "percpu", "pair_1t", 1, Scale.PER_OP,
            "C xchg+cmpxchg", "memset=false", null, null, 0),
        new Rule("StackCacheBench", Set.of("pair", "takePut", "pair2Threads"), 2, "percpu", "pair_2t", 1, Scale.PER_OP,
            "C xchg+cmpxchg", "memset=false", null, null, 0),
        new Rule("StackCacheBench", Set.of("pair", "takePut", "pair1Thread"), 1, "percpu", "pair_1t", 1, Scale.PER_OP,
            "C pair+memset 16K", "memset=true", "memset", "memset_16k", 16384),
        new Rule("StackCacheBench", Set.of("pair", "takePut", "pair2Threads"), 2, "percpu", "pair_2t", 1, Scale.PER_OP,
            "C pair+memset 16K", "memset=true", "memset", "memset_16k", 16384),
        new Rule("SlabBench", Set.of("allocFree", "pair"), 0, "malloc", "malloc_free", 200, Scale.PER_OP,
            "C malloc+free"),
        // DupMmapBench scores are per VMA (@OperationsPerInvocation over 60000 VMAs).
        new Rule("DupMmapBench", Set.of("dup", "dupMmap"), 0, "rbtree", "clone", -1, Scale.PER_OP,
            "C rb-tree clone"),
        new Rule("DupMmapBench", Set.of("dup", "dupMmap"), 0, "fork", "slope_return_untouched", 0, Scale.PER_OP,
            "kernel fork()/VMA"),
        // ForkBench scores are per call; the anchors are bench/native/clone.c and forkcopy.c.
        forkBench(FORK, "clone", "fork_call", -1, KERNEL),
        forkBench(FORK, "forkcopy", "fork_copy", -1, COPY_LIMIT),
        forkBench(FORK_EXIT, "clone", "fork_teardown", -1, KERNEL),
        forkBench(VFORK, "clone", "vfork_total", 0, KERNEL),
        forkBench(THREAD, "clone", "clone_thread_call", 0, KERNEL),
        forkBench(THREAD, "clone", "pthread_call", 0, GLIBC_PTHREAD),
        forkBench(THREAD, "forkcopy", "thread_copy", 0, COPY_LIMIT),
        forkBench(THREAD_EXIT, "clone", "clone_thread_teardown", 0, KERNEL),
        forkBench(THREAD_EXIT, "clone", "pthread_teardown", 0, GLIBC_PTHREAD));

    private AnchorMap() {
    }

    private static Rule rb(Set<String> methods, String op) {
        // RbTreeBench reports whole-tree runs per node (@OperationsPerInvocation), as the C anchor does.
        return new Rule("RbTreeBench", methods, 0, "rbtree", op, -1, Scale.PER_OP, "C rb-tree");
    }

    private static Rule forkBench(String method, String anchorSuite, String anchorOp, long anchorN, String label) {
        return new Rule(FORK_BENCH, Set.of(method), 0, anchorSuite, anchorOp, anchorN, Scale.PER_OP, label);
    }

    /** A resolved comparison: the rule, the anchor, and the anchor expressed per Java op. */
    public record Match(Rule rule, NativeAnchors.Anchor anchor, double nsPerJavaOp) {
    }

    /** The anchors {@code r} compares with, resolved against {@code anchors}; none when unmapped. */
    public static List<Match> matches(JmhResult r, NativeAnchors anchors) {
        List<Match> out = new ArrayList<>();
        for (Rule rule : RULES) {
            if (!rule.suite().equals(r.suite()) || !rule.methods().contains(r.method())
                || (rule.threads() != 0 && rule.threads() != r.threads()) || !rule.appliesTo(r)) {
                continue;
            }
            long n = r.n();
            long anchorN = rule.anchorN() >= 0 ? rule.anchorN() : n;
            if (anchorN < 0 || (rule.scale() == Scale.PER_N && n <= 0)) {
                continue;
            }
            NativeAnchors.Anchor a = anchors.find(rule.anchorSuite(), rule.anchorOp(), anchorN);
            if (a != null) {
                double perJavaOp = rule.scale() == Scale.PER_N ? a.nsPerOp() * n : a.nsPerOp();
                if (rule.plusSuite() != null) {
                    NativeAnchors.Anchor b = anchors.find(rule.plusSuite(), rule.plusOp(), rule.plusN());
                    if (b == null) {
                        continue;
                    }
                    perJavaOp += b.nsPerOp();
                    // The sum counts as measured only if both parts were.
                    a = new NativeAnchors.Anchor(a.suite(), a.op() + "+" + b.op(), a.n(), perJavaOp,
                        a.measured() && b.measured());
                }
                out.add(new Match(rule, a, perJavaOp));
            }
        }
        return out;
    }
}
