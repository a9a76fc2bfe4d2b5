package org.kfork.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** Which native figures each benchmark is compared with. */
class AnchorMapTest {
    private static JmhResult result(String suite, String method, int threads, Map<String, String> params) {
        return new JmhResult("org.kfork.bench." + suite + "." + method, suite, method, "avgt", threads, params,
            10, 1, Double.NaN);
    }

    @Test
    void theStackPairWithMemsetComparesWithPairPlusMemset() throws Exception {
        NativeAnchors reference = NativeAnchors.load(null); // the reference figures: 12.4 and 130 ns
        List<AnchorMap.Match> plain = AnchorMap.matches(
            result("StackCacheBench", "pair1Thread", 1, Map.of("memset", "false", "variant", "OFFHEAP")), reference);
        assertEquals(1, plain.size());
        assertEquals(12.4, plain.get(0).nsPerJavaOp(), 1e-9);
        List<AnchorMap.Match> zeroed = AnchorMap.matches(
            result("StackCacheBench", "pair1Thread", 1, Map.of("memset", "true", "variant", "OFFHEAP")), reference);
        assertEquals(1, zeroed.size());
        assertEquals(12.4 + 130, zeroed.get(0).nsPerJavaOp(), 1e-9);
        assertFalse(zeroed.get(0).anchor().measured(), "reference figures are not measured in this run");
        assertTrue(AnchorMap.matches(
            result("StackCacheBench", "pair2Threads", 1, Map.of("memset", "false")), reference).isEmpty(),
            "the 2-thread method run with 1 thread has no anchor");
    }

    @Test
    void dupIsComparedPerVma() throws Exception {
        NativeAnchors reference = NativeAnchors.load(null);
        List<AnchorMap.Match> ms = AnchorMap.matches(
            result("DupMmapBench", "dup", 1, Map.of("n", "10000", "variant", "OFFHEAP", "mode", "APPEND")), reference);
        assertEquals(2, ms.size(), "the C clone per node and the kernel's fork slope per VMA");
        assertTrue(ms.get(0).nsPerJavaOp() > 50 && ms.get(0).nsPerJavaOp() < 150, "C clone at 1e4: " + ms.get(0));
        assertTrue(ms.get(1).nsPerJavaOp() > 100 && ms.get(1).nsPerJavaOp() < 1000, "kernel slope: " + ms.get(1));
    }

    /**
     * A test resource of this package: {@code forkbench-jmh-result.json} is JMH's JSON for ForkBench
     * as the mapping expects it (methods fork, forkExit, thread, threadExit, vfork; params variant
     * OFFHEAP/HEAP and n = 10, 100, 1000, 10000; ns/op; -prof gc figures), and
     * {@code forkbench-native.jsonl} what bench/native's clone and forkcopy print.
     */
    static Path fixture(String name) throws Exception {
        return Path.of(AnchorMapTest.class.getResource(name).toURI());
    }

    /** Each anchor of a result by column label, as "suite/op@n". */
    private static Map<String, String> anchorsOf(JmhResult r, NativeAnchors anchors) {
        Map<String, String> out = new TreeMap<>();
        for (AnchorMap.Match m : AnchorMap.matches(r, anchors)) {
            out.put(m.rule().label(), m.anchor().suite() + "/" + m.anchor().op() + "@" + m.anchor().n());
        }
        return out;
    }

    @Test
    void forkBenchMethodsMapToTheirNativeAnchors() throws Exception {
        List<JmhResult> rs = JmhResult.read(fixture("forkbench-jmh-result.json"));
        NativeAnchors anchors = NativeAnchors.load(fixture("forkbench-native.jsonl"));
        assertEquals(40, rs.size(), "5 methods x 2 variants x 4 n");
        Map<String, Integer> seen = new HashMap<>();
        for (JmhResult r : rs) {
            long n = r.n();
            Map<String, String> want = switch (r.method()) {
                case "fork" -> Map.of("kernel", "clone/fork_call@" + n, "C copy limit", "forkcopy/fork_copy@" + n);
                case "forkExit" -> Map.of("kernel", "clone/fork_teardown@" + n);
                case "vfork" -> Map.of("kernel", "clone/vfork_total@0");
                case "thread" -> Map.of("kernel", "clone/clone_thread_call@0", "glibc pthread", "clone/pthread_call@0",
                    "C copy limit", "forkcopy/thread_copy@0");
                case "threadExit" -> Map.of("kernel", "clone/clone_thread_teardown@0",
                    "glibc pthread", "clone/pthread_teardown@0");
                default -> fail("unexpected method in the fixture: " + r.benchmark());
            };
            assertEquals(new TreeMap<>(want), anchorsOf(r, anchors), r.benchmark() + " " + r.params());
            AnchorMap.matches(r, anchors).forEach(m -> assertTrue(m.anchor().measured(), m.toString()));
            seen.merge(r.method(), 1, Integer::sum);
        }
        assertEquals(Map.of("fork", 8, "forkExit", 8, "vfork", 8, "thread", 8, "threadExit", 8), seen);

        // Per call, as measured: no scaling by n.
        JmhResult fork10 = rs.stream().filter(r -> r.method().equals("fork") && r.n() == 10).findFirst().get();
        List<AnchorMap.Match> ms = AnchorMap.matches(fork10, anchors);
        assertEquals(400000, ms.get(0).nsPerJavaOp(), 1e-9);
        assertEquals(360, ms.get(1).nsPerJavaOp(), 1e-9);
        assertEquals("pinned to one CPU; 37 VMAs at fork", ms.get(0).anchor().detail());
    }

    @Test
    void forkBenchAtAnUnmeasuredNOrWithoutNativeResults() throws Exception {
        NativeAnchors measured = NativeAnchors.load(fixture("forkbench-native.jsonl"));
        JmhResult fork50 = result("ForkBench", "fork", 1, Map.of("n", "50", "variant", "OFFHEAP"));
        assertTrue(AnchorMap.matches(fork50, measured).isEmpty(), "the anchors exist for n = 10, 100, 1000, 10000 only");
        JmhResult vforkNoN = result("ForkBench", "vfork", 1, Map.of("variant", "OFFHEAP"));
        assertEquals(Map.of("kernel", "clone/vfork_total@0"), anchorsOf(vforkNoN, measured), "vfork needs no n");
        assertTrue(AnchorMap.matches(result("ForkBench", "forkTotal", 1, Map.of("n", "10")), measured).isEmpty(),
            "an unmapped method has no anchor");

        NativeAnchors reference = NativeAnchors.load(null);
        assertTrue(AnchorMap.matches(result("ForkBench", "fork", 1, Map.of("n", "10")), reference).isEmpty(),
            "reference/anchors.md has no fork figure per n");
        List<AnchorMap.Match> vfork = AnchorMap.matches(vforkNoN, reference);
        assertEquals(1, vfork.size());
        assertEquals(24000, vfork.get(0).nsPerJavaOp(), 1e-9, "anchors.md: vfork()+_exit+waitpid ~24 us");
        assertFalse(vfork.get(0).anchor().measured());
        assertTrue(reference.notMeasured().containsKey("clone") && reference.notMeasured().containsKey("forkcopy"));
    }
}
