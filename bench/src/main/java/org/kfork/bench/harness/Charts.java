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
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's PNG charts, drawn with JFreeChart (headless).
 *
 * <p>For each suite method that has an {@code n} param with two or more values: ns/op against n on
 * log-log axes, one line per variant, and a dashed line per mapped native anchor (expressed per Java
 * op, so it sits on the same scale). A suite with no {@code n} at all gets one bar chart of ns/op per
 * method and variant.
 */
final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;

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
                barChart(dir.resolve(name), suite, flat);
                files.add(name);
            }
        }
        return files;
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
                String label = m.rule().label() + (m.anchor().measured() ? "" : " (reference)");
                anchorSeries.computeIfAbsent(label, k -> new XYSeries(k, true, false))
                    .addOrUpdate(r.n(), m.nsPerJavaOp());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        anchorSeries.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(title, "n (elements)", "ns/op", data,
            PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("n (elements, log scale)");
        x.setBase(10);
        x.setSmallestValue(1);
        LogAxis y = new LogAxis("time per op, ns (log scale)");
        y.setBase(10);
        y.setSmallestValue(1e-3);
        for (LogAxis axis : new LogAxis[] {x, y}) {
            // Ticks at whole powers of ten, printed as plain numbers (1,000 rather than 10^3).
            axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            axis.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
            axis.setMinorTickCount(9);
            axis.setMinorTickMarksVisible(true);
        }
        plot.setDomainAxis(x);
        plot.setRangeAxis(y);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            boolean anchor = i >= series.size();
            renderer.setSeriesStroke(i, anchor
                ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                : new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    private static void barChart(Path file, String suite, List<JmhResult> rs) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (JmhResult r : rs) {
            String params = Report.paramText(r);
            data.addValue(r.nsPerOp(), Report.variantOf(r), r.method() + (params.isEmpty() ? "" : " " + params));
        }
        JFreeChart chart = ChartFactory.createBarChart(suite, "benchmark", "time per op, ns", data,
            PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
}
