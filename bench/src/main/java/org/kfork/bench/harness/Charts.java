package org.kfork.bench.harness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's PNG charts, drawn with JFreeChart (headless).
 *
 * <p>For each suite method that has an {@code n} param with two or more values: ns/op against n on
 * log-log axes, one line per variant, and a dashed line per mapped native anchor (expressed per Java
 * op, so it sits on the same scale), named by its column label and native op. The other results of
 * a suite go into one bar chart of ns/op per method and variant, with a bar for each mapped anchor;
 * its axis turns logarithmic when the bars span more than {@link #LOG_SPAN}x (a kernel's vfork
 * beside a Java one).
 */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    /** Above this ratio of the largest to the smallest bar, the bar chart's axis is logarithmic. */
    static final double LOG_SPAN = 50;

    private Charts() {
    }

    /** Draws every chart into {@code dir}; returns the file names, each starting with "Suite-". */
    static List<String> draw(Path dir, List<JmhResult> results, NativeAnchors anchors) throws IOException {
        List<String> files = new ArrayList<>();
        Map<String, List<JmhResult>> bySuite = new TreeMap<>();
        results.forEach(r -> bySuite.computeIfAbsent(r.suite(), k -> new ArrayList<>()).add(r));
        for (Map.Entry<String, List<JmhResult>> e : bySuite.entrySet()) {
            String suite = e.getKey();
            List<JmhResult> rs = e.getValue();
            // Group by method and by the params other than variant and n.
            Map<String, List<JmhResult>> lines = new TreeMap<>();
            List<JmhResult> flat = new ArrayList<>();
            for (JmhResult r : rs) {
                if (r.n() < 0) {
                    flat.add(r);
                    continue;
                }
                lines.computeIfAbsent(r.method() + otherParams(r), k -> new ArrayList<>()).add(r);
            }
            for (Map.Entry<String, List<JmhResult>> g : lines.entrySet()) {
                List<JmhResult> group = g.getValue();
                if (new TreeSet<>(group.stream().map(JmhResult::n).toList()).size() < 2) {
                    flat.addAll(group);
                    continue;
                }
                String name = suite + "-" + fileSafe(g.getKey()) + ".png";
                lineChart(dir.resolve(name), suite + "." + g.getKey(), group, anchors);
                files.add(name);
            }
            if (!flat.isEmpty()) {
                String name = suite + "-bars.png";
                barChart(dir.resolve(name), suite, flat, anchors);
                files.add(name);
            }
        }
        return files;
    }

    private static String category(JmhResult r) {
        String params = Report.paramText(r);
        return r.method() + (params.isEmpty() ? "" : " " + params);
    }

    private static String otherParams(JmhResult r) {
        StringBuilder b = new StringBuilder();
        r.params().forEach((k, v) -> {
            if (!k.equals(Report.VARIANT) && !k.equals("n")) {
                b.append(' ').append(k).append('=').append(v);
            }
        });
        if (r.threads() > 1) {
            b.append(" threads=").append(r.threads());
        }
        return b.toString();
    }

    private static String fileSafe(String s) {
        return s.trim().replaceAll("[^A-Za-z0-9_.=-]+", "_");
    }

    private static void lineChart(Path file, String title, List<JmhResult> group, NativeAnchors anchors)
        throws IOException {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        for (String v : Report.variants(group)) {
            series.put(v, new XYSeries(v, true, false));
        }
        Map<String, XYSeries> anchorSeries = new LinkedHashMap<>();
        for (JmhResult r : group) {
            if (r.nsPerOp() > 0) {
                series.get(Report.variantOf(r)).addOrUpdate(r.n(), r.nsPerOp());
            }
            for (AnchorMap.Match m : AnchorMap.matches(r, anchors)) {
                anchorSeries.computeIfAbsent(anchorLabel(m), k -> new XYSeries(k, true, false))
                    .addOrUpdate(r.n(), m.nsPerJavaOp());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        anchorSeries.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(title, "n (elements)", "ns/op", data,
            PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        logLog(plot, logAxis("n (elements, log scale)", 1, PLAIN), logAxis("time per op, ns (log scale)", 1e-3, PLAIN));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, i >= series.size() ? DASHED : SOLID); // native anchors dashed
        }
        plot.setRenderer(renderer);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** A series' line: solid. */
    public static final BasicStroke SOLID = new BasicStroke(2f);
    /** A series' line: dashed (native anchors here; the heap twin in the churn's charts). */
    public static final BasicStroke DASHED =
        new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    /** Whole numbers with thousands separators: 1,000 rather than 10^3. */
    public static final String PLAIN = "#,##0.###";

    /** A base-10 log axis from {@code smallest}, its labels in {@code format} (a DecimalFormat pattern). */
    public static LogAxis logAxis(String label, double smallest, String format) {
        LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        axis.setSmallestValue(smallest);
        axis.setNumberFormatOverride(new DecimalFormat(format));
        return axis;
    }

    /**
     * Puts {@code x} and {@code y} on {@code plot}, ticks at whole powers of ten with nine minor
     * ticks between, on a white background with light grey grid lines: the style of every log-log
     * chart of the report.
     */
    public static void logLog(XYPlot plot, LogAxis x, LogAxis y) {
        for (LogAxis axis : new LogAxis[] {x, y}) {
            axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            axis.setMinorTickCount(9);
            axis.setMinorTickMarksVisible(true);
        }
        plot.setDomainAxis(x);
        plot.setRangeAxis(y);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }

    /** An anchor's legend entry: its column label and the native op, marked when not from this run. */
    private static String anchorLabel(AnchorMap.Match m) {
        return m.rule().label() + " (" + m.anchor().op() + ")" + (m.anchor().measured() ? "" : " (reference)");
    }

    private static void barChart(Path file, String suite, List<JmhResult> rs, NativeAnchors anchors)
        throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        // Variants first, so that they keep the first colours; then the anchors.
        for (String v : Report.variants(rs)) {
            data.addValue(null, v, category(rs.get(0)));
        }
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (JmhResult r : rs) {
            data.addValue(r.nsPerOp(), Report.variantOf(r), category(r));
            lo = Math.min(lo, r.nsPerOp());
            hi = Math.max(hi, r.nsPerOp());
            for (AnchorMap.Match m : AnchorMap.matches(r, anchors)) {
                // One series per anchor column, so that each category's bars line up; the table names the ops.
                data.addValue(m.nsPerJavaOp(), m.rule().label() + (m.anchor().measured() ? "" : " (reference)"),
                    category(r));
                lo = Math.min(lo, m.nsPerJavaOp());
                hi = Math.max(hi, m.nsPerJavaOp());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(suite, "benchmark", "time per op, ns", data,
            PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (lo > 0 && hi / lo > LOG_SPAN) {
            // Bars rise from a power of ten below the shortest, since a log axis has no zero.
            double floor = Math.pow(10, Math.ceil(Math.log10(lo)) - 1);
            LogAxis y = new LogAxis("time per op, ns (log scale)");
            y.setBase(10);
            y.setSmallestValue(floor);
            y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            y.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
            y.setRange(floor, hi * 2);
            plot.setRangeAxis(y);
            ((BarRenderer) plot.getRenderer()).setBase(floor);
        } else {
            ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        }
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
}
