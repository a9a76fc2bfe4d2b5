package org.kfork.bench.churn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kfork.bench.harness.Json;
import org.kfork.bench.harness.Report;

/**
 * The churn harness run tiny (4 processes of 50 VMAs, phases of a fraction of a second) on both
 * kernels in this JVM, with checked mode on (the test flags): the JSON is sane, the live set did
 * not move, and the report and chart come out. The kernels' close fails on any object left in a
 * cache, so a run that returns leaked nothing.
 */
class ChurnTest {
    private static final int PROCESSES = 4;
    private static final int VMAS = 50;

    @TempDir
    Path dir;

    private static String run(String kernel, List<String> progress) {
        return ChurnRun.run(new ChurnRun.Settings(kernel + "-g1-" + Runtime.version().feature(), kernel, PROCESSES,
            VMAS, 2, 256L << 20, 0.2, 0.5, 0.3, 0.6, 200, false, 7), progress::add);
    }

    private static double num(Map<String, Object> m, String... path) {
        Object o = m;
        for (String p : path) {
            o = ((Map<?, ?>) o).get(p);
        }
        return Json.num(o);
    }

    @Test
    void bothKernelsChurnAtAConstantLiveSetAndTheReportShowsThem() throws Exception {
        for (String kernel : new String[] {"offheap", "heap"}) {
            List<String> progress = new ArrayList<>();
            String text = run(kernel, progress);
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.parse(text);
            assertEquals(PROCESSES * VMAS, num(m, "liveVmas"), kernel);
            assertTrue(num(m, "opsPerSec1") > 0 && num(m, "opsPerSecN") > 0, kernel + ": " + m);
            assertTrue(num(m, "warmup", "ops") > 0, kernel);
            double count = num(m, "latency", "count");
            assertTrue(count > 0, kernel);
            double prev = 0;
            for (String p : new String[] {"p50", "p99", "p999", "p9999", "max"}) {
                double v = num(m, "latency", p);
                assertTrue(v > 0 && v >= prev, kernel + ": " + p + " " + v + " after " + prev);
                prev = v;
            }
            assertTrue(num(m, "memory", "rssBytes") > 0 && num(m, "memory", "liveBytesPerVma") > 0, kernel);
            if (kernel.equals("offheap")) {
                assertTrue(num(m, "memory", "ramUsed") > 0, "the modeled RAM the kernel holds");
            }
            Map<?, ?> before = (Map<?, ?>) m.get("countsBefore");
            Map<?, ?> after = (Map<?, ?>) m.get("countsAfter");
            for (String kind : new String[] {"task_struct", "mm_struct", "vm_area_struct", "anon_vma", "anon_vma_chain",
                "pid"}) {
                assertEquals(before.get(kind), after.get(kind), kernel + ": " + kind + " moved");
            }
            // the zygotes, their children, init and the boot's tasks; each process of the churn has VMAS VMAs
            assertTrue(Json.num(before.get("vm_area_struct")) >= PROCESSES * VMAS, kernel + ": " + before);
            assertTrue(Json.num(before.get("anon_vma")) >= PROCESSES * (VMAS / 2.0 - 1), kernel + ": " + before);
            assertTrue(progress.stream().anyMatch(l -> l.startsWith("latency at")), String.join("\n", progress));
            Path size = dir.resolve("churn").resolve(ChurnMain.sizeName(PROCESSES * VMAS));
            Files.createDirectories(size);
            Files.writeString(size.resolve(m.get("config") + ".json"), text, StandardCharsets.UTF_8);
        }
        String feature = Integer.toString(Runtime.version().feature());
        // a failed child is a row of its own
        Files.writeString(dir.resolve("churn").resolve("200").resolve("heap-zgc-25.json"),
            "{\"config\":\"heap-zgc-25\",\"liveVmas\":200,\"failed\":\"timeout after 9 s\",\"tail\":\"\"}");
        ChurnReport.write(dir.resolve("churn"));
        String md = Files.readString(dir.resolve("churn").resolve("churn.md"));
        assertTrue(md.contains("| offheap, G1, JDK " + feature + " |"), md);
        assertTrue(md.contains("| heap, G1, JDK " + feature + " |"), md);
        assertTrue(md.contains("FAILED: timeout after 9 s"), md);
        assertTrue(md.contains("Heap twin's best collector (lowest p99.9): **heap, G1, JDK " + feature + "**"), md);
        assertTrue(md.contains("| RSS per live VMA |") && (md.contains("| MET |") || md.contains("| MISSED |")), md);
        assertTrue(md.contains("The heap twin on its best collector"), md);
        Path chart = dir.resolve("churn").resolve("charts").resolve("churn-200.png");
        assertTrue(Files.size(chart) > 1000, "the percentile chart");

        // the bench report takes the churn section and its chart from DIR/churn
        String summary = Report.write(dir);
        assertNotNull(summary);
        String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("## Fork churn") && report.contains("](charts/churn-200.png)"), report);
        assertTrue(Files.exists(dir.resolve("charts").resolve("churn-200.png")));
        assertTrue(Files.readString(dir.resolve("report.html")).contains("<h2>Fork churn</h2>"));
    }

    @Test
    void goalsFollowTheSizeAndCompareLikeForLike() throws Exception {
        Path size = dir.resolve("1e7");
        Files.createDirectories(size);
        Files.writeString(size.resolve("heap-g1-25.json"), result("heap-g1-25", 100, 10_000_000, 400));
        Files.writeString(size.resolve("heap-zgc-25.json"), result("heap-zgc-25", 120, 2_000_000, 420));
        Files.writeString(size.resolve("offheap-zgc-25.json"), result("offheap-zgc-25", 200, 150_000, 380));
        Files.writeString(size.resolve("offheap-g1-25.json"), result("offheap-g1-25", 90, 5_000_000, 900));
        ChurnReport r = ChurnReport.load(dir);
        long s = 10_000_000L;
        assertEquals("heap-zgc-25", r.heapBest(s).config());
        assertEquals("offheap-zgc-25", r.offHeapPeer(s, r.heapBest(s)).config());
        List<List<String>> goals = r.goals(s);
        assertEquals(List.of("p99.9 latency", "throughput, 1 thread", "RSS per live VMA"),
            goals.stream().map(g -> g.get(0)).toList());
        assertEquals("MET", goals.get(0).get(5)); // 0.15 ms against 2 ms: 0.075x
        assertEquals("MET", goals.get(1).get(5)); // 200 against 120 ops/s: 1.67x
        assertEquals("MET", goals.get(2).get(5));
        assertTrue(r.heapWins(s).contains("wins on no measure"), r.heapWins(s));
        Files.writeString(size.resolve("offheap-zgc-25.json"), result("offheap-zgc-25", 150, 300_000, 500));
        r = ChurnReport.load(dir);
        goals = r.goals(s);
        assertEquals("MISSED", goals.get(0).get(5));
        assertEquals("MISSED", goals.get(1).get(5));
        assertEquals("MISSED", goals.get(2).get(5));
        assertTrue(r.heapWins(s).contains("RSS per VMA (420 against 500)"), r.heapWins(s));
    }

    private static String result(String config, double ops, double p999, double rssPerVma) {
        return new JsonOut().str("config", config).num("liveVmas", 10_000_000).num("opsPerSec1", ops)
            .num("opsPerSecN", ops).obj("latency").num("rate", 50).num("p50", p999 / 10).num("p99", p999 / 2)
            .num("p999", p999).num("p9999", p999).num("max", p999).end().obj("memory")
            .num("rssBytesPerVma", rssPerVma).num("liveBytesPerVma", rssPerVma).end().text();
    }

    @Test
    void configurationsParseAndRefuseNonsense() {
        assertEquals(8, ChurnConfig.parseList("all").size());
        ChurnConfig z = ChurnConfig.parse("heap-zgc-25");
        assertEquals(List.of("-XX:+UseZGC"), z.collectorFlags()); // -XX:+ZGenerational is obsolete from 24
        assertEquals(List.of("-XX:+UseZGC", "-XX:+ZGenerational"), ChurnConfig.parse("heap-zgc-21").collectorFlags());
        assertEquals("heap, gen. ZGC, JDK 25", z.label());
        assertThrows(IllegalArgumentException.class, () -> ChurnConfig.parse("heap-cms-17"));
        assertThrows(IllegalArgumentException.class, () -> ChurnConfig.parse("stack-g1-17"));
        assertThrows(IllegalArgumentException.class, () -> ChurnConfig.parse("heap-g1"));
        assertEquals(List.of(100_000L, 1_000_000L), ChurnMain.parseSizes("1e5,1e6"));
        assertThrows(IllegalArgumentException.class, () -> ChurnMain.parseSizes("1.5"));
        assertEquals("1e7", ChurnMain.sizeName(10_000_000L));
        assertFalse(GcWatch.isGcThread("C2 CompilerThre"));
        assertTrue(GcWatch.isGcThread("GC Thread#1") && GcWatch.isGcThread("G1 Conc#0") && GcWatch.isGcThread("ZWorkerOld#0"));
        assertTrue(ChurnMain.heapBytes(300, 10_000_000L) >= 3 * 300 * 10_000_000L);
        assertEquals(0, ChurnMain.ramBytes(1) % (1L << 30));
    }
}
