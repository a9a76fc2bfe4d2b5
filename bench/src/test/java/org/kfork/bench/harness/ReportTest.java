package org.kfork.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertTrue(md.contains("| percpu | pair_1t | 1 | 12.40 |  | reference † |  |"), md);
        assertTrue(summary.contains("RbTreeBench"), summary);
        assertTrue(Files.exists(dir.resolve("charts/RbTreeBench-find.png")));
        assertTrue(Files.exists(dir.resolve("charts/RbTreeBench-clone.png")));
        assertFalse(md.contains("ForkBench"), "a run without ForkBench has no ForkBench table or goals");
    }

    private void copyForkBenchFixture(boolean withNative) throws Exception {
        Files.copy(AnchorMapTest.fixture("forkbench-jmh-result.json"), dir.resolve("jmh-result.json"));
        if (withNative) {
            Files.copy(AnchorMapTest.fixture("forkbench-native.jsonl"), dir.resolve("native.jsonl"));
        }
    }

    @Test
    void forkBenchTableGoalsAndCharts() throws Exception {
        copyForkBenchFixture(true);
        String summary = Report.write(dir);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| benchmark | params | OFFHEAP ns/op | HEAP ns/op | OFFHEAP/HEAP | kernel ns/op | OFFHEAP/kernel"
            + " | C copy limit ns/op | OFFHEAP/C copy limit | glibc pthread ns/op | OFFHEAP/glibc pthread | B/op (OFFHEAP) |"),
            md);
        // fork @10: 900 against the kernel's 400,000 (0.00225x) and the copy limit's 360 (2.50x).
        assertTrue(md.contains("| fork | n=10 | 900.0 ± 45.00 | 1,200 ± 60.00 | 0.75x | 400,000 | 0.0023x | 360.0 | 2.50x"
            + " |  |  | 0.020 |"), md);
        assertTrue(md.contains("| forkExit | n=10000 | 210,000 ± 10,500 | 250,000 ± 12,500 | 0.84x | 6,000,000 | 0.035x |"
            + "  |  |  |  | 0.400 |"), md);
        assertTrue(md.contains("| thread | n=100 | 400.0 ± 20.00 | 500.0 ± 25.00 | 0.80x | 7,000 | 0.057x | 250.0 | 1.60x"
            + " | 10,000 | 0.040x | 0.020 |"), md);
        assertTrue(md.contains("| vfork | n=10 | 1,500 ± 75.00 | 1,800 ± 90.00 | 0.83x | 30,000 | 0.050x |"), md);

        assertTrue(md.contains("## ForkBench goals"), md);
        assertTrue(md.contains("| fork call, n=10, OFFHEAP / C copy limit | 900.0 / 360.0 = 2.50x | ≤ 3x | yes |"), md);
        assertTrue(md.contains("| fork + exit + wait4, n=10, kernel / OFFHEAP | 2,200,000 / 1,600 = 1375.0x | ≥ 30x | yes |"),
            md);
        assertTrue(md.contains("| OFFHEAP / HEAP, every method and n | 19 of 20 met; highest 1.04x (fork n=1000)"
            + " | ≤ 1.00x each | NO |"), md);
        assertTrue(md.contains("| OFFHEAP heap allocation, B/op (gc.alloc.rate.norm) | at most 0.400 (forkExit n=10000)"
            + " | 0 (< 1.00) | yes |"), md);
        assertTrue(md.contains("| thread-creating clone call, OFFHEAP / C copy limit (pair + memcpy + memset)"
            + " | 400.0 / 250.0 = 1.60x | ≤ 2x | yes |"), md);
        assertTrue(md.indexOf("## ForkBench goals") > md.indexOf("## ForkBench\n"), "the goals follow the table");
        assertTrue(summary.contains("ForkBench goals"), summary);
        // The native anchors table says what was measured.
        assertTrue(md.contains("| clone | fork_call | 10 | 400,000 | 400,000 | this run | pinned to one CPU; 37 VMAs at fork |"),
            md);
        for (String m : List.of("fork", "forkExit", "vfork", "thread", "threadExit")) {
            assertTrue(Files.size(dir.resolve("charts/ForkBench-" + m + ".png")) > 0, m);
            assertTrue(md.contains("![ForkBench-" + m + ".png](charts/ForkBench-" + m + ".png)"), m);
        }
    }

    @Test
    void forkBenchGoalsSayWhatIsMissing() throws Exception {
        copyForkBenchFixture(false);
        Report.write(dir);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| fork call, n=10, OFFHEAP / C copy limit | not measured: no forkcopy fork_copy in this run"
            + " | ≤ 3x | - |"), md);
        assertTrue(md.contains("| fork + exit + wait4, n=10, kernel / OFFHEAP | not measured: no clone fork_call in this run"
            + " | ≥ 30x | - |"), md);
        // vfork still has the reference figure of anchors.md, marked.
        assertTrue(md.contains("| vfork | n=10 | 1,500 ± 75.00 | 1,800 ± 90.00 | 0.83x | 24,000† | 0.063x |"), md);
        assertTrue(md.contains("clone (native anchors were not run"), md);
    }

    @Test
    void resultsWithoutNGetABarChartWithTheirAnchors() throws Exception {
        String json = "[" + String.join(",",
            flatRow("ForkBench.thread", "OFFHEAP", 100),
            flatRow("ForkBench.thread", "HEAP", 150),
            flatRow("ForkBench.vfork", "OFFHEAP", 900)) + "]";
        Files.writeString(dir.resolve("jmh-result.json"), json);
        Files.copy(AnchorMapTest.fixture("forkbench-native.jsonl"), dir.resolve("native.jsonl"));
        Report.write(dir);
        String md = Files.readString(dir.resolve("report.md"));
        // 100 ns against the kernel's 7,000: a 70x span, drawn on a log axis.
        assertTrue(md.contains("| thread |  | 100.0 ± 1.00 | 150.0 ± 1.00 | 0.67x | 7,000 | 0.014x |"), md);
        assertTrue(Files.size(dir.resolve("charts/ForkBench-bars.png")) > 0);
    }

    private static String flatRow(String bench, String variant, double score) {
        return "{\"benchmark\":\"org.kfork.bench." + bench + "\",\"mode\":\"avgt\",\"threads\":1,\"forks\":1,"
            + "\"params\":{\"variant\":\"" + variant + "\"},"
            + "\"primaryMetric\":{\"score\":" + score + ",\"scoreError\":1.0,\"scoreUnit\":\"ns/op\"},"
            + "\"secondaryMetrics\":{}}";
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
        assertTrue(md.contains("| rbtree | find_random | 1000 | 60.00 | 40.00 / 80.00 (2.00x) | this run |  |"), md);
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
