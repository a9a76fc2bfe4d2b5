package org.kfork.bench.harness;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.kfork.bench.churn.ChurnReport;

/**
 * Turns one results directory into the report: {@code report.md}, {@code report.html} and the
 * PNG charts under {@code charts/}.
 *
 * <p>Inputs in the directory: {@code jmh-result.json} (JMH's JSON, all benchmarks of the run),
 * {@code native.jsonl} (bench/native/run.sh; optional) and {@code run.properties} (what the
 * harness ran, and whether it finished). Any of them may be partial: the report shows what is
 * there, which is how an interrupted run stays readable.
 *
 * <p>One table per suite (benchmark class). Rows are a method with its non-variant parameters;
 * columns are each variant's score ± error in ns/op, then OFFHEAP/HEAP, OFFHEAP/each baseline,
 * and each mapped native anchor (see {@link AnchorMap}) with OFFHEAP/anchor. ForkBench's table is
 * followed by its goals ({@link ForkBenchGoals}); a run without ForkBench has neither.
 */
public final class Report {
    /** The variant the ratios are taken for. */
    public static final String OFFHEAP = "OFFHEAP";
    /** The heap twin variant. */
    public static final String HEAP = "HEAP";
    /** The param that names the variant. */
    public static final String VARIANT = "variant";
    /** Marks an anchor from reference/anchors.md rather than this run. */
    public static final String REF_MARK = "†";

    private final Path dir;
    private final List<JmhResult> results;
    private final NativeAnchors anchors;
    private final Properties run;
    private final List<Table> tables = new ArrayList<>();
    private final List<String> charts = new ArrayList<>();
    /** The fork churn's results (issue 15), from {@code dir/churn}; empty when the run had none. */
    private final ChurnReport churn;
    private final List<String> churnCharts = new ArrayList<>();

    private Report(Path dir) throws IOException {
        this.dir = dir;
        this.results = JmhResult.read(dir.resolve("jmh-result.json"));
        this.anchors = NativeAnchors.load(dir.resolve("native.jsonl"));
        this.churn = ChurnReport.load(dir.resolve("churn"));
        this.run = new Properties();
        Path props = dir.resolve("run.properties");
        if (Files.exists(props)) {
            try (Reader r = Files.newBufferedReader(props)) {
                run.load(r);
            }
        }
    }

    /** Writes the report for {@code dir}; returns the terminal summary (the tables as text). */
    public static String write(Path dir) throws IOException {
        Report r = new Report(dir);
        r.build();
        Files.createDirectories(dir.resolve("charts"));
        try {
            r.charts.addAll(Charts.draw(dir.resolve("charts"), r.results, r.anchors));
        } catch (IOException | RuntimeException | LinkageError e) {
            // A report without charts beats none (e.g. AWT refusing to start during JVM shutdown).
            System.err.println("bench: charts not drawn: " + e);
        }
        try {
            r.churnCharts.addAll(r.churn.drawCharts(dir.resolve("charts")));
        } catch (IOException | RuntimeException | LinkageError e) {
            System.err.println("bench: churn charts not drawn: " + e);
        }
        Files.writeString(dir.resolve("report.md"), r.markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), r.html(), StandardCharsets.UTF_8);
        return r.summary();
    }

    /** Regenerates the report of a results directory: {@code Report DIR}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Report RESULTS_DIR");
            System.exit(2);
        }
        System.out.print(write(Path.of(args[0])));
    }

    // ---------------------------------------------------------------------------------------
    // The table model.
    // ---------------------------------------------------------------------------------------

    /** One suite's table: header and rows of cells. */
    record Table(String suite, List<String> header, List<List<String>> rows) {
    }

    private void build() {
        Map<String, List<JmhResult>> bySuite = new TreeMap<>();
        for (JmhResult r : results) {
            bySuite.computeIfAbsent(r.suite(), k -> new ArrayList<>()).add(r);
        }
        bySuite.forEach((suite, rs) -> {
            tables.add(table(suite, rs));
            if (suite.equals(AnchorMap.FORK_BENCH)) {
                tables.add(ForkBenchGoals.table(rs, anchors));
            }
        });
    }

    private Table table(String suite, List<JmhResult> rs) {
        List<String> variants = variants(rs);
        Map<String, Map<String, JmhResult>> rows = new LinkedHashMap<>();
        rs.stream().sorted(ROW_ORDER).forEach(r ->
            rows.computeIfAbsent(rowKey(r), k -> new LinkedHashMap<>()).put(variantOf(r), r));
        Set<String> labels = new LinkedHashSet<>();
        for (Map<String, JmhResult> row : rows.values()) {
            for (JmhResult r : row.values()) {
                AnchorMap.matches(r, anchors).forEach(m -> labels.add(m.rule().label()));
            }
        }
        boolean hasOff = variants.contains(OFFHEAP);
        List<String> baselines = variants.stream().filter(v -> !v.equals(OFFHEAP) && !v.equals(HEAP)
            && !v.equals("-")).collect(Collectors.toList());
        boolean alloc = rs.stream().anyMatch(r -> !Double.isNaN(r.gcAllocBytesPerOp()));

        List<String> header = new ArrayList<>(List.of("benchmark", "params"));
        for (String v : variants) {
            header.add(v + " ns/op");
        }
        if (hasOff && variants.contains(HEAP)) {
            header.add("OFFHEAP/HEAP");
        }
        if (hasOff) {
            baselines.forEach(b -> header.add("OFFHEAP/" + b));
        }
        for (String l : labels) {
            header.add(l + " ns/op");
            if (hasOff) {
                header.add("OFFHEAP/" + l);
            }
        }
        if (alloc) {
            header.add("B/op (" + (hasOff ? OFFHEAP : variants.get(0)) + ")");
        }

        List<List<String>> out = new ArrayList<>();
        for (Map<String, JmhResult> row : rows.values()) {
            JmhResult any = row.values().iterator().next();
            List<String> cells = new ArrayList<>();
            cells.add(any.method());
            cells.add(paramText(any));
            for (String v : variants) {
                JmhResult r = row.get(v);
                cells.add(r == null ? "" : fmt(r.nsPerOp()) + (Double.isNaN(r.errorNs()) ? "" : " ± " + fmt(r.errorNs())));
            }
            JmhResult off = row.get(OFFHEAP);
            if (hasOff && variants.contains(HEAP)) {
                cells.add(ratio(off, row.get(HEAP)));
            }
            if (hasOff) {
                baselines.forEach(b -> cells.add(ratio(off, row.get(b))));
            }
            List<AnchorMap.Match> ms = AnchorMap.matches(any, anchors);
            for (String l : labels) {
                AnchorMap.Match m = ms.stream().filter(x -> x.rule().label().equals(l)).findFirst().orElse(null);
                cells.add(m == null ? "" : fmt(m.nsPerJavaOp()) + (m.anchor().measured() ? "" : REF_MARK));
                if (hasOff) {
                    cells.add(m == null || off == null ? "" : ratioText(off.nsPerOp() / m.nsPerJavaOp()));
                }
            }
            if (alloc) {
                JmhResult a = off != null ? off : any;
                cells.add(Double.isNaN(a.gcAllocBytesPerOp()) ? "" : fmt(a.gcAllocBytesPerOp()));
            }
            out.add(cells);
        }
        return new Table(suite, header, out);
    }

    /** Orders rows by method, then n, then the other params, then threads. */
    private static final Comparator<JmhResult> ROW_ORDER = Comparator.comparing(JmhResult::method)
        .thenComparingLong(JmhResult::n)
        .thenComparing(r -> paramText(r))
        .thenComparingInt(JmhResult::threads);

    /** OFFHEAP, HEAP, then the baselines in alphabetical order; "-" when there is no variant param. */
    static List<String> variants(List<JmhResult> rs) {
        Set<String> all = new TreeSet<>();
        rs.forEach(r -> all.add(variantOf(r)));
        List<String> out = new ArrayList<>();
        if (all.remove(OFFHEAP)) {
            out.add(OFFHEAP);
        }
        if (all.remove(HEAP)) {
            out.add(HEAP);
        }
        out.addAll(all);
        return out;
    }

    static String variantOf(JmhResult r) {
        String v = r.param(VARIANT);
        return v == null ? "-" : v;
    }

    private static String rowKey(JmhResult r) {
        return r.method() + "|" + paramText(r);
    }

    /** The params other than the variant, and the thread count when above 1. */
    static String paramText(JmhResult r) {
        List<String> parts = new ArrayList<>();
        r.params().forEach((k, v) -> {
            if (!k.equals(VARIANT)) {
                parts.add(k + "=" + v);
            }
        });
        if (r.threads() > 1) {
            parts.add("threads=" + r.threads());
        }
        return String.join(", ", parts);
    }

    private static String ratio(JmhResult a, JmhResult b) {
        return a == null || b == null ? "" : ratioText(a.nsPerOp() / b.nsPerOp());
    }

    static String ratioText(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return "";
        }
        if (x > 0 && x < 0.1) {
            return String.format(Locale.ROOT, "%.2gx", x); // two figures, not 0.00x (a Java op against a kernel one)
        }
        return String.format(Locale.ROOT, x < 10 ? "%.2fx" : "%.1fx", x);
    }

    /** Three significant figures or so, without exponent for the sizes that occur here. */
    static String fmt(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        double a = Math.abs(x);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", x);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", x);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", x);
        }
        return String.format(Locale.ROOT, "%.3f", x);
    }

    // ---------------------------------------------------------------------------------------
    // Output.
    // ---------------------------------------------------------------------------------------

    private String state() {
        String state = run.getProperty("state", "unknown");
        String done = run.getProperty("units.done", "?");
        String total = run.getProperty("units.total", "?");
        switch (state) {
            case "complete": return "complete (" + done + " of " + total + " benchmarks)";
            case "running": return "IN PROGRESS or killed: partial results, " + done + " of " + total + " benchmarks";
            case "interrupted": return "INTERRUPTED: partial results, " + done + " of " + total + " benchmarks";
            default: return state;
        }
    }

    private List<String> preamble() {
        List<String> p = new ArrayList<>();
        p.add("Run: " + state() + "; profile " + run.getProperty("profile", "?")
            + (run.getProperty("only") != null ? ", only " + run.getProperty("only") : "")
            + "; started " + run.getProperty("started", "?") + ".");
        p.add("Machine: " + run.getProperty("machine", "?") + "; JDK " + run.getProperty("jdk", "?") + ".");
        p.add("Scores are JMH AverageTime in ns per op (lower is better), score ± 99.9% confidence half-width."
            + " Ratios below 1 mean OFFHEAP is faster. Compare ratios within this run; absolute figures on a"
            + " shared machine drift.");
        if (anchors.notMeasured().isEmpty()) {
            p.add("Native anchors: all measured in this run (bench/native, gcc -O2).");
        } else {
            StringBuilder b = new StringBuilder("Native anchors marked " + REF_MARK
                + " were NOT measured in this run; they are the reference figures of reference/anchors.md, and a"
                + " suite it has no figure for has no anchor at all. Not measured: ");
            List<String> why = new ArrayList<>();
            anchors.notMeasured().forEach((s, reason) -> why.add(s + " (" + reason + ")"));
            p.add(b.append(String.join("; ", why)).append('.').toString());
        }
        if (anchors.all().stream().anyMatch(a -> anchors.passes(a).size() > 1)) {
            p.add("The measured anchors ran before and after the Java suites; each figure is the mean of the two"
                + " passes, and the Native anchors table shows both and how far they drifted apart.");
        }
        return p;
    }

    String markdown() {
        StringBuilder b = new StringBuilder("# kfork benchmark report\n\n");
        preamble().forEach(line -> b.append(line).append("\n\n"));
        if (tables.isEmpty()) {
            b.append("No benchmark results yet.\n\n");
        }
        for (Table t : tables) {
            b.append("## ").append(t.suite()).append("\n\n");
            mdTable(b, t.header(), t.rows());
            for (String c : charts) {
                if (c.startsWith(t.suite() + "-")) {
                    b.append("![").append(c).append("](charts/").append(c).append(")\n\n");
                }
            }
        }
        if (!churn.isEmpty()) {
            b.append("## Fork churn\n\n").append(churn.markdown("charts/", churnCharts));
        }
        b.append("## Native anchors\n\n");
        mdTable(b, ANCHOR_HEADER, anchorRows());
        return b.toString();
    }

    /** A markdown table. */
    public static void mdTable(StringBuilder b, List<String> header, List<List<String>> rows) {
        b.append("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> b.append("---|"));
        b.append('\n');
        for (List<String> r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        b.append('\n');
    }

    String html() {
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            + "<title>kfork benchmark report</title><style>"
            + "body{font-family:sans-serif;margin:2em;max-width:1400px}"
            + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
            + "text-align:right}td:first-child,td:nth-child(2){text-align:left}th{background:#eee}"
            + "img{max-width:800px;display:block;margin:1em 0}</style></head><body>\n"
            + "<h1>kfork benchmark report</h1>\n");
        preamble().forEach(line -> b.append("<p>").append(esc(line)).append("</p>\n"));
        for (Table t : tables) {
            b.append("<h2>").append(esc(t.suite())).append("</h2>\n");
            htmlTable(b, t.header(), t.rows());
            for (String c : charts) {
                if (c.startsWith(t.suite() + "-")) {
                    b.append("<img src=\"charts/").append(esc(c)).append("\" alt=\"").append(esc(c)).append("\">\n");
                }
            }
        }
        if (!churn.isEmpty()) {
            b.append("<h2>Fork churn</h2>\n").append(churn.html("charts/", churnCharts));
        }
        b.append("<h2>Native anchors</h2>\n");
        htmlTable(b, ANCHOR_HEADER, anchorRows());
        return b.append("</body></html>\n").toString();
    }

    private static final List<String> ANCHOR_HEADER = List.of("suite", "op", "n", "ns/op", "passes (before / after)",
        "source", "detail");

    /**
     * The native anchors, one row each, with each pass's figure, the drift between passes, and what
     * the program says it measured.
     */
    private List<List<String>> anchorRows() {
        List<List<String>> rows = new ArrayList<>();
        anchors.all().stream()
            .sorted(Comparator.comparing(NativeAnchors.Anchor::suite).thenComparing(NativeAnchors.Anchor::op)
                .thenComparingLong(NativeAnchors.Anchor::n))
            .forEach(a -> rows.add(List.of(a.suite(), a.op(), Long.toString(a.n()), fmt(a.nsPerOp()),
                passesText(anchors.passes(a)), a.measured() ? "this run" : "reference " + REF_MARK,
                a.detail() == null ? "" : a.detail())));
        return rows;
    }

    /** "6.2 / 6.9 (1.11x)": each pass, and the larger over the smaller when there are two. */
    static String passesText(List<Double> passes) {
        if (passes.size() < 2) {
            return passes.isEmpty() ? "" : fmt(passes.get(0));
        }
        List<String> each = new ArrayList<>();
        passes.forEach(v -> each.add(fmt(v)));
        double lo = Collections.min(passes);
        double hi = Collections.max(passes);
        return String.join(" / ", each) + (lo > 0 ? String.format(" (%.2fx)", hi / lo) : "");
    }

    /** An HTML table. */
    public static void htmlTable(StringBuilder b, List<String> header, List<List<String>> rows) {
        b.append("<table><tr>");
        header.forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
        b.append("</tr>\n");
        for (List<String> r : rows) {
            b.append("<tr>");
            r.forEach(c -> b.append("<td>").append(esc(c)).append("</td>"));
            b.append("</tr>\n");
        }
        b.append("</table>\n");
    }

    /** Escapes text for HTML. */
    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The tables as aligned plain text, for the terminal. */
    String summary() {
        StringBuilder b = new StringBuilder();
        for (String line : preamble()) {
            b.append(line).append('\n');
        }
        for (Table t : tables) {
            b.append('\n').append(t.suite()).append('\n');
            int[] w = new int[t.header().size()];
            List<List<String>> all = new ArrayList<>();
            all.add(t.header());
            all.addAll(t.rows());
            for (List<String> r : all) {
                for (int i = 0; i < r.size(); i++) {
                    w[i] = Math.max(w[i], r.get(i).length());
                }
            }
            for (List<String> r : all) {
                b.append(' ');
                for (int i = 0; i < r.size(); i++) {
                    String c = r.get(i);
                    b.append(' ').append(i < 2 ? pad(c, w[i], false) : pad(c, w[i], true));
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    private static String pad(String s, int w, boolean right) {
        String fill = " ".repeat(Math.max(0, w - s.length()));
        return right ? fill + s : s + fill;
    }
}
