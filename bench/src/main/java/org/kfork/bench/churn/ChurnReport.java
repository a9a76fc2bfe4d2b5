package org.kfork.bench.churn;

import java.awt.Color;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.DataFormatException;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.kfork.bench.harness.Charts;
import org.kfork.bench.harness.Json;
import org.kfork.bench.harness.Report;

/**
 * The churn section of the report, from a churn results directory ({@code <size>/<config>.json}
 * as {@link ChurnMain} leaves them): a table per live-set size, the heap twin's best collector
 * (lowest p99.9), issue 15's goals with MET or MISSED, where the heap twin wins in words, and a
 * latency-percentile chart per size with every configuration of both kernels.
 *
 * <p>The goals compare the heap twin on its best configuration with the off-heap kernel on the
 * same collector and JDK, so that the collector is not what differs.
 */
public final class ChurnReport {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** One result file: a configuration at a size, or its failure. */
    record Result(String config, long size, Map<String, Object> json) {
        boolean ok() {
            return !json.containsKey("failed");
        }

        boolean heap() {
            return config.startsWith("heap-");
        }

        double num(String... path) {
            Object o = json;
            for (String p : path) {
                if (!(o instanceof Map)) {
                    return Double.NaN;
                }
                o = ((Map<?, ?>) o).get(p);
            }
            return Json.num(o);
        }

        String label() {
            try {
                return ChurnConfig.parse(config).label();
            } catch (IllegalArgumentException e) {
                return config;
            }
        }

        /** The latency histogram, or null. */
        Histogram histogram() {
            Object lat = json.get("latency");
            Object text = lat instanceof Map ? ((Map<?, ?>) lat).get("histogram") : null;
            if (!(text instanceof String)) {
                return null;
            }
            try {
                return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode((String) text)), 0);
            } catch (DataFormatException | IllegalArgumentException e) {
                return null;
            }
        }
    }

    private final TreeMap<Long, List<Result>> bySize = new TreeMap<>();

    private ChurnReport() {
    }

    /** Reads a churn results directory; an empty report when it holds no results. */
    public static ChurnReport load(Path dir) throws IOException {
        ChurnReport r = new ChurnReport();
        if (!Files.isDirectory(dir)) {
            return r;
        }
        try (DirectoryStream<Path> sizes = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path s : sizes) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(s, "*.json")) {
                    for (Path f : files) {
                        Object o;
                        try {
                            o = Json.parse(Files.readString(f, StandardCharsets.UTF_8));
                        } catch (IllegalArgumentException e) {
                            continue; // a result being written
                        }
                        if (!(o instanceof Map)) {
                            continue;
                        }
                        @SuppressWarnings("unchecked")
                        Map<String, Object> m = (Map<String, Object>) o;
                        String name = f.getFileName().toString().replaceFirst("\\.json$", "");
                        long size = (long) Json.num(m.get("liveVmas"));
                        r.bySize.computeIfAbsent(size, k -> new ArrayList<>()).add(new Result(name, size, m));
                    }
                }
            }
        }
        Comparator<Result> order = Comparator.comparing((Result x) -> x.heap() ? 1 : 0)
            .thenComparing(x -> ChurnConfig.ALL.stream().map(ChurnConfig::name).toList().indexOf(x.config()))
            .thenComparing(Result::config);
        r.bySize.values().forEach(l -> l.sort(order));
        return r;
    }

    /** True when there is nothing to report. */
    public boolean isEmpty() {
        return bySize.isEmpty();
    }

    /** Writes churn.md and churn.html into {@code dir} and the charts into {@code dir/charts}. */
    public static void write(Path dir) throws IOException {
        ChurnReport r = load(dir);
        List<String> charts = r.drawCharts(dir.resolve("charts"));
        Files.writeString(dir.resolve("churn.md"), "# kfork churn report\n\n" + r.markdown("charts/", charts),
            StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------
    // The tables and goals.
    // ---------------------------------------------------------------------------------------

    static final List<String> HEADER = List.of("configuration", "ops/s 1T", "ops/s 2T", "p50", "p99", "p99.9", "p99.99",
        "max", "GC pauses", "GC pause total", "GC pause max", "GC CPU", "RSS", "RSS B/VMA", "live B/VMA");

    /** The rows of one size's table. */
    List<List<String>> rows(long size) {
        List<List<String>> rows = new ArrayList<>();
        for (Result r : bySize.get(size)) {
            List<String> row = new ArrayList<>();
            row.add(r.label());
            if (!r.ok()) {
                row.add("FAILED: " + r.json.get("failed"));
                while (row.size() < HEADER.size()) {
                    row.add("");
                }
                rows.add(row);
                continue;
            }
            boolean saturated = r.num("opsPerSec1") < r.num("latency", "rate");
            row.add(fmt(r.num("opsPerSec1")) + (saturated ? " *" : ""));
            row.add(fmt(r.num("opsPerSecN")));
            for (String p : new String[] {"p50", "p99", "p999", "p9999", "max"}) {
                row.add(time(r.num("latency", p)));
            }
            row.add(fmt(r.num("gc", "pauses")));
            row.add(fmt(r.num("gc", "pauseMsTotal")) + " ms");
            row.add(fmt(r.num("gc", "pauseMsMax")) + " ms");
            row.add(fmt(r.num("gc", "cpuMs")) + " ms");
            row.add(fmt(r.num("memory", "rssBytes") / (1 << 20)) + " MiB");
            row.add(fmt(r.num("memory", "rssBytesPerVma")));
            row.add(fmt(r.num("memory", "liveBytesPerVma")));
            rows.add(row);
        }
        return rows;
    }

    /** The heap twin's configuration with the lowest p99.9 at {@code size}, or null. */
    Result heapBest(long size) {
        return bySize.get(size).stream().filter(r -> r.heap() && r.ok() && !Double.isNaN(r.num("latency", "p999")))
            .min(Comparator.comparingDouble(r -> r.num("latency", "p999"))).orElse(null);
    }

    /** The off-heap kernel on the collector and JDK of {@code heap}, or null. */
    Result offHeapPeer(long size, Result heap) {
        String peer = "offheap" + heap.config().substring("heap".length());
        return bySize.get(size).stream().filter(r -> r.config().equals(peer) && r.ok()).findFirst().orElse(null);
    }

    /** The goals' rows at {@code size}: goal, off-heap, heap best, ratio, target, verdict. */
    List<List<String>> goals(long size) {
        List<List<String>> rows = new ArrayList<>();
        Result heap = heapBest(size);
        Result off = heap == null ? null : offHeapPeer(size, heap);
        if (size >= 10_000_000L) {
            rows.add(goal("p99.9 latency", off, heap, "latency", "p999", 0.1, true));
            rows.add(goal("throughput, 1 thread", off, heap, "opsPerSec1", null, 1.5, false));
        } else if (size >= 1_000_000L) {
            rows.add(goal("p99.9 latency", off, heap, "latency", "p999", 1.0 / 3, true));
        }
        rows.add(goal("RSS per live VMA", off, heap, "memory", "rssBytesPerVma", 1, true));
        return rows;
    }

    private static List<String> goal(String what, Result off, Result heap, String k1, String k2, double target,
                                     boolean atMost) {
        double o = off == null ? Double.NaN : k2 == null ? off.num(k1) : off.num(k1, k2);
        double h = heap == null ? Double.NaN : k2 == null ? heap.num(k1) : heap.num(k1, k2);
        double ratio = o / h;
        String verdict = Double.isNaN(ratio) ? "n/a (missing figures)"
            : (atMost ? ratio <= target : ratio >= target) ? "MET" : "MISSED";
        boolean isTime = "latency".equals(k1);
        return List.of(what, isTime ? time(o) : fmt(o), isTime ? time(h) : fmt(h),
            Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.3fx", ratio),
            (atMost ? "<= " : ">= ") + String.format(Locale.ROOT, "%.3gx", target), verdict);
    }

    /** Where the heap twin's best beats the off-heap peer at {@code size}, in words. */
    String heapWins(long size) {
        Result heap = heapBest(size);
        Result off = heap == null ? null : offHeapPeer(size, heap);
        if (heap == null || off == null) {
            return "No comparison: the heap twin's best configuration or its off-heap peer has no result.";
        }
        List<String> wins = new ArrayList<>();
        compare(wins, "throughput on 1 thread", heap.num("opsPerSec1"), off.num("opsPerSec1"), false, false);
        compare(wins, "throughput on 2 threads", heap.num("opsPerSecN"), off.num("opsPerSecN"), false, false);
        for (String[] p : new String[][] {{"p50", "p50"}, {"p99", "p99"}, {"p99.9", "p999"}, {"p99.99", "p9999"},
            {"max latency", "max"}}) {
            compare(wins, p[0], heap.num("latency", p[1]), off.num("latency", p[1]), true, true);
        }
        compare(wins, "RSS per VMA", heap.num("memory", "rssBytesPerVma"), off.num("memory", "rssBytesPerVma"), true, false);
        compare(wins, "live bytes per VMA", heap.num("memory", "liveBytesPerVma"), off.num("memory", "liveBytesPerVma"),
            true, false);
        String who = "The heap twin on its best collector (" + heap.label() + ")";
        return wins.isEmpty() ? who + " wins on no measure against the off-heap kernel on " + off.label() + "."
            : who + " wins against the off-heap kernel on " + off.label() + " on " + String.join("; ", wins) + ".";
    }

    private static void compare(List<String> wins, String what, double heap, double off, boolean lower, boolean isTime) {
        if (Double.isNaN(heap) || Double.isNaN(off) || (lower ? heap >= off : heap <= off)) {
            return;
        }
        wins.add(what + " (" + (isTime ? time(heap) : fmt(heap)) + " against " + (isTime ? time(off) : fmt(off)) + ")");
    }

    /** The section's markdown; charts are linked as {@code chartPrefix + name}. */
    public String markdown(String chartPrefix, List<String> charts) {
        StringBuilder b = new StringBuilder();
        b.append("Fork churn over a large live set (issue 15; docs/benchmarks.md, \"Fork churn\"): M processes of V VMAs,"
            + " each op a fork of a zygote + the exit of a random child + its wait4; latency at a fixed rate on one"
            + " thread, corrected for coordinated omission. GC figures cover the measured phases (throughput and"
            + " latency). ops/s marked * are below the latency phase's rate: that configuration's latency includes"
            + " queueing.\n\n");
        for (long size : bySize.keySet()) {
            b.append("### ").append(ChurnMain.sizeName(size)).append(" live VMAs\n\n");
            Report.mdTable(b, HEADER, rows(size));
            Result best = heapBest(size);
            if (best != null) {
                b.append("Heap twin's best collector (lowest p99.9): **").append(best.label()).append("**.\n\n");
            }
            Report.mdTable(b, List.of("goal", "off-heap", "heap best", "off-heap/heap", "target", "verdict"), goals(size));
            b.append(heapWins(size)).append("\n\n");
            String chart = chartName(size);
            if (charts.contains(chart)) {
                b.append("![").append(chart).append("](").append(chartPrefix).append(chart).append(")\n\n");
            }
        }
        return b.toString();
    }

    /** The section as HTML (for report.html). */
    public String html(String chartPrefix, List<String> charts) {
        StringBuilder b = new StringBuilder("<p>Fork churn over a large live set (issue 15): see report.md or"
            + " docs/benchmarks.md for how to read it.</p>\n");
        for (long size : bySize.keySet()) {
            b.append("<h3>").append(ChurnMain.sizeName(size)).append(" live VMAs</h3>\n");
            Report.htmlTable(b, HEADER, rows(size));
            Result best = heapBest(size);
            if (best != null) {
                b.append("<p>Heap twin's best collector (lowest p99.9): <b>").append(Report.esc(best.label())).append("</b>.</p>\n");
            }
            Report.htmlTable(b, List.of("goal", "off-heap", "heap best", "off-heap/heap", "target", "verdict"), goals(size));
            b.append("<p>").append(Report.esc(heapWins(size))).append("</p>\n");
            String chart = chartName(size);
            if (charts.contains(chart)) {
                b.append("<img src=\"").append(chartPrefix).append(chart).append("\" alt=\"").append(chart).append("\">\n");
            }
        }
        return b.toString();
    }

    static String fmt(double x) {
        if (Double.isNaN(x)) {
            return "";
        }
        return Math.abs(x) >= 100 || x == Math.rint(x) ? String.format(Locale.ROOT, "%,.0f", x)
            : String.format(Locale.ROOT, "%.3g", x);
    }

    /** A latency in ns as us or ms. */
    static String time(double ns) {
        if (Double.isNaN(ns)) {
            return "";
        }
        return ns >= 10_000_000 ? fmt(ns / 1e6) + " ms" : fmt(ns / 1e3) + " us";
    }

    // ---------------------------------------------------------------------------------------
    // The percentile charts.
    // ---------------------------------------------------------------------------------------

    static String chartName(long size) {
        return "churn-" + ChurnMain.sizeName(size) + ".png";
    }

    /** Draws one percentile chart per size into {@code dir}; returns the file names. */
    public List<String> drawCharts(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> files = new ArrayList<>();
        for (Map.Entry<Long, List<Result>> e : bySize.entrySet()) {
            XYSeriesCollection data = new XYSeriesCollection();
            List<Boolean> heap = new ArrayList<>();
            for (Result r : e.getValue()) {
                Histogram h = r.ok() ? r.histogram() : null;
                if (h == null || h.getTotalCount() == 0) {
                    continue;
                }
                XYSeries s = new XYSeries(r.label(), true, true);
                for (HistogramIterationValue v : h.percentiles(5)) {
                    double p = v.getPercentileLevelIteratedTo() / 100;
                    if (p >= 1) {
                        break; // the last step, at 100%: 1/(1-p) is infinite
                    }
                    s.add(1 / (1 - p), Math.max(1e-3, h.highestEquivalentValue(v.getValueIteratedTo()) / 1e3));
                }
                if (s.getItemCount() > 0) {
                    data.addSeries(s);
                    heap.add(r.heap());
                }
            }
            if (data.getSeriesCount() == 0) {
                continue;
            }
            String name = chartName(e.getKey());
            JFreeChart chart = ChartFactory.createXYLineChart("Fork churn latency by percentile, "
                    + ChurnMain.sizeName(e.getKey()) + " live VMAs", "percentile", "latency, us", data,
                PlotOrientation.VERTICAL, true, false, false);
            XYPlot plot = chart.getXYPlot();
            LogAxis x = Charts.logAxis("percentile (log scale of 1/(1-p))", 1, Charts.PLAIN);
            x.setNumberFormatOverride(new PercentileFormat());
            Charts.logLog(plot, x, Charts.logAxis("latency, us (log scale)", 1e-3, Charts.PLAIN));
            XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
            for (int i = 0; i < data.getSeriesCount(); i++) {
                renderer.setSeriesStroke(i, heap.get(i) ? Charts.DASHED : Charts.SOLID); // off-heap solid, heap twin dashed
            }
            plot.setRenderer(renderer);
            chart.setBackgroundPaint(Color.WHITE);
            ChartUtils.saveChartAsPNG(dir.resolve(name).toFile(), chart, 900, 540);
            files.add(name);
        }
        return files;
    }

    /** Labels 1/(1-p) ticks with p: 10 is 90%, 1000 is 99.9%. */
    static final class PercentileFormat extends NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double x, StringBuffer to, FieldPosition pos) {
            double p = 100 * (1 - 1 / x);
            return to.append(new DecimalFormat("0.#####").format(Math.max(0, p))).append('%');
        }

        @Override
        public StringBuffer format(long x, StringBuffer to, FieldPosition pos) {
            return format((double) x, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            return null;
        }
    }
}
