package org.kfork.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/** One tiny benchmark through the whole harness: JMH JSON, report and PNG charts. */
class HarnessTest {
    @TempDir
    Path dir;

    @Test
    void tinySuiteProducesJsonReportAndCharts() throws Exception {
        // Other JMH runs may share this machine; this tiny run does not need JMH's lock.
        System.setProperty("jmh.ignoreLock", "true");
        List<BenchmarkListEntry> entries = BenchHarness.discover("TinyBench");
        assertEquals(1, entries.size(), "the test class path holds TinyBench.sum");
        assertEquals(6, BenchHarness.units(entries).size(), "2 sizes x 3 variants");

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int status = BenchHarness.run(entries, BenchHarness.Profile.TINY, "TinyBench", dir,
            new PrintStream(console, true, StandardCharsets.UTF_8));
        String text = console.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.contains("[6/6] TinyBench.sum"), text);

        // The merged JSON is JMH's format and has every unit, in ns/op.
        List<JmhResult> results = JmhResult.read(dir.resolve("jmh-result.json"));
        assertEquals(6, results.size());
        for (JmhResult r : results) {
            assertEquals("TinyBench", r.suite());
            assertEquals("avgt", r.mode());
            // A sum of at most 256 longs, unwarmed: microseconds at worst, but a machine loaded 10x
            // over its cores once stretched one to 1.3 ms; seconds would mean a wrong unit.
            assertTrue(r.nsPerOp() > 0 && r.nsPerOp() < 1e8, r.toString());
        }
        Map<String, Long> perVariant = results.stream()
            .collect(Collectors.groupingBy(Report::variantOf, Collectors.counting()));
        assertEquals(Map.of("OFFHEAP", 2L, "HEAP", 2L, "BASELINE", 2L), perVariant);

        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("## TinyBench"), md);
        assertTrue(md.contains("OFFHEAP/HEAP") && md.contains("OFFHEAP/BASELINE"), md);
        assertTrue(md.contains("complete (6 of 6"), md);
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.trim().endsWith("</html>"));
        assertTrue(html.contains("<img src=\"charts/TinyBench-sum.png\""), html);

        Path png = dir.resolve("charts").resolve("TinyBench-sum.png");
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(png)) {
            assertEquals(8, in.read(head));
        }
        assertEquals(0x89, head[0] & 0xff);
        assertEquals("PNG", new String(head, 1, 3, StandardCharsets.US_ASCII));
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        assertEquals(900, img.getWidth());
        try (Stream<Path> charts = Files.list(dir.resolve("charts"))) {
            assertFalse(charts.filter(p -> p.toString().endsWith(".png")).findAny().isEmpty());
        }
    }
}
