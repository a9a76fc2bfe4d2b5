package org.kfork.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench/native builds with gcc where gcc exists, and its results read back as measured anchors. */
class NativeAnchorsBuildTest {
    @TempDir
    Path dir;

    static boolean gcc() {
        try {
            return new ProcessBuilder("gcc", "--version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void buildsAndRunsTheAnchors() throws Exception {
        assumeTrue(gcc(), "gcc is not installed: the native anchors are skipped, as the report says");
        Path nativeDir = ScriptsTest.ROOT.resolve("bench/native");
        Path out = dir.resolve("native.jsonl");
        ProcessBuilder pb = new ProcessBuilder(nativeDir.resolve("run.sh").toString(), "--smoke", out.toString())
            .redirectErrorStream(true);
        pb.environment().put("KFORK_NO_APT", "1");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), log);
        assertEquals(0, p.exitValue(), log);

        List<String> status = Files.readAllLines(nativeDir.resolve("build/status.jsonl"));
        assertEquals(4, status.size(), "one status line per anchor program: " + status);
        for (String line : status) {
            Map<?, ?> m = (Map<?, ?>) Json.parse(line);
            if ("built".equals(m.get("status"))) {
                String bin = "fork".equals(m.get("suite")) ? "forkvma" : String.valueOf(m.get("suite"));
                assertTrue(Files.isExecutable(nativeDir.resolve("build").resolve(bin)), line);
            }
        }

        NativeAnchors anchors = NativeAnchors.load(out);
        NativeAnchors.Anchor pair = anchors.find("percpu", "pair_1t", 1);
        assertNotNull(pair);
        assertTrue(pair.measured() && pair.nsPerOp() > 0 && pair.nsPerOp() < 10_000, pair.toString());
        assertTrue(anchors.find("memset", "memset_16k", 16384).measured());
        assertTrue(anchors.find("malloc", "malloc_free", 200).measured());
        NativeAnchors.Anchor slope = anchors.find("fork", "slope_return_untouched", 0);
        assertTrue(slope.measured() && slope.nsPerOp() > 0, slope.toString());
        NativeAnchors.Anchor find = anchors.find("rbtree", "find_random", 1000);
        if (status.stream().anyMatch(l -> l.contains("\"rbtree\",\"status\":\"built\""))) {
            assertTrue(find.measured() && find.nsPerOp() > 0, find.toString());
            assertTrue(anchors.find("rbtree", "clone", 10000).measured());
        } else {
            assertTrue(!find.measured() && anchors.notMeasured().containsKey("rbtree"),
                "without libbsd the rb-tree anchor falls back to the reference and says so");
        }
    }
}
