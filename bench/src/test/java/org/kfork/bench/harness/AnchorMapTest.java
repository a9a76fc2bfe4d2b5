package org.kfork.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

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
}
