package org.kfork.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's tables, ratios and anchor mapping, on hand-written JMH and native results. */
class ReportTest {
    @TempDir
    Path dir;

    private static String row(String bench, String variant, long n, double score, double error) {
        return "{\"benchmark\":\"org.kfork.bench." + bench + "\",\"mode\":\"avgt\",\"threads\":1,\"forks\":1,"
            + "\"params\":{\"n\":\"" + n + "\",\"variant\":\"" + variant + "\"},"
            + "\"primaryMetric\":{\"score\":" + score + ",\"scoreError\":" + error + ",\"scoreUnit\":\"ns/op\"},"
            + "\"secondaryMetrics\":{}}";
    }

    private void writeResults() throws Exception {
        String json = "[" + String.join(",",
            row("RbTreeBench.find", "OFFHEAP", 1000, 60, 1),
            row("RbTreeBench.find", "HEAP", 1000, 40, 1),
            row("RbTreeBench.find", "TREEMAP", 1000, 120, 2),
            row("RbTreeBench.find", "OFFHEAP", 10000, 150, 3),
            row("RbTreeBench.find", "HEAP", 10000, 100, 3),
            row("RbTreeBench.clone", "OFFHEAP", 1000, 100, 1),
            row("RbTreeBench.clone", "OFFHEAP", 10000, 200, 1)) + "]";
        Files.writeString(dir.resolve("jmh-result.json"), json);
    }

    @Test
    void ratiosAgainstTwinBaselineAndMeasuredAnchor() throws Exception {
        writeResults();
        Files.writeString(dir.resolve("native.jsonl"), String.join("\n",
            "{\"suite\":\"rbtree\",\"op\":\"find_random\",\"n\":1000,\"ns_per_op\":50.0,\"samples\":3}",
            "{\"suite\":\"rbtree\",\"op\":\"find_random\",\"n\":10000,\"ns_per_op\":100.0,\"samples\":3}",
            "{\"suite\":\"rbtree\",\"op\":\"clone\",\"n\":1000,\"ns_per_op\":50.0,\"samples\":3}",
            "{\"suite\":\"percpu\",\"status\":\"skipped\",\"reason\":\"test\"}"));
        String summary = Report.write(dir);
        String md = Files.readString(dir.resolve("report.md"));
        // find @1000: 60 vs HEAP 40 = 1.50x, vs TREEMAP 120 = 0.50x, vs C 50 = 1.20x (one lookup per op).
        assertTrue(md.contains("| find | n=1000 | 60.00 ± 1.00 | 40.00 ± 1.00 | 120.0 ± 2.00 | 1.50x | 0.50x | 50.00 | 1.20x |"), md);
        // clone @1000: RbTreeBench reports per node, like the C anchor: 100 vs 50 ns/node = 2.00x.
        assertTrue(md.contains("| clone | n=1000 | 100.0 ± 1.00 |"), md);
        assertTrue(md.contains("| 50.00 | 2.00x |"), md);
        // clone @10000 has no measured anchor but rbtree ran, so there is no reference fallback for it.
        assertTrue(md.contains("percpu (test)"), md);
        assertTrue(md.contains("| percpu | pair_1t | 1 | 12.40 |  | reference † |"), md);
        assertTrue(summary.contains("RbTreeBench"), summary);
        assertTrue(Files.exists(dir.resolve("charts/RbTreeBench-find.png")));
        assertTrue(Files.exists(dir.resolve("charts/RbTreeBench-clone.png")));
    }

    @Test
    void anchorsMeasuredBeforeAndAfterTheSuitesCountAsTheirMean() throws Exception {
        writeResults();
        Files.writeString(dir.resolve("native.jsonl"),
            "{\"suite\":\"rbtree\",\"op\":\"find_random\",\"n\":1000,\"ns_per_op\":40.0,\"samples\":3}\n");
        Files.writeString(dir.resolve(NativeAnchors.AFTER),
            "{\"suite\":\"rbtree\",\"op\":\"find_random\",\"n\":1000,\"ns_per_op\":80.0,\"samples\":3}\n");
        NativeAnchors a = NativeAnchors.load(dir.resolve("native.jsonl"));
        NativeAnchors.Anchor find = a.find("rbtree", "find_random", 1000);
        assertEquals(60.0, find.nsPerOp(), 1e-9, "the mean of the two passes");
        assertEquals(List.of(40.0, 80.0), a.passes(find));
        Report.write(dir);
        String md = Files.readString(dir.resolve("report.md"));
        // find @1000: OFFHEAP 60 against the mean 60 = 1.00x; the anchors table shows both passes.
        assertTrue(md.contains("| 60.00 | 1.00x |"), md);
        assertTrue(md.contains("| rbtree | find_random | 1000 | 60.00 | 40.00 / 80.00 (2.00x) | this run |"), md);
        assertTrue(md.contains("before and after the Java suites"), md);
    }

    @Test
    void withoutNativeResultsEveryAnchorIsMarkedAsReference() throws Exception {
        writeResults();
        Report.write(dir);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("were NOT measured in this run"), md);
        // Reference find_random @1000 is 51 ns: 60/51 = 1.18x, marked †.
        assertTrue(md.contains("| 51.00† | 1.18x |"), md);
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<h2>RbTreeBench</h2>"), html);
    }

    @Test
    void interruptedRunSaysSo() throws Exception {
        writeResults();
        Files.writeString(dir.resolve("run.properties"), "state=interrupted\nunits.done=3\nunits.total=9\nprofile=quick\n");
        Report.write(dir);
        assertTrue(Files.readString(dir.resolve("report.md")).contains("INTERRUPTED: partial results, 3 of 9"));
    }

    @Test
    void throughputScoresBecomeNanosPerOp() {
        double[] ns = JmhResult.toNsPerOp(2.0, 0.2, "ops/us");
        assertEquals(500.0, ns[0], 1e-9);
        assertEquals(50.0, ns[1], 1e-9);
        assertEquals(List.of(3000.0, 10.0), List.of(JmhResult.toNsPerOp(3, 0.01, "us/op")[0],
            JmhResult.toNsPerOp(3, 0.01, "us/op")[1]));
    }
}
