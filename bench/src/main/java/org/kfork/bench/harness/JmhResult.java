package org.kfork.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One row of JMH's JSON result file, with the score turned into nanoseconds per operation.
 *
 * @param benchmark the full name, {@code org.kfork.bench.RbTreeBench.find}
 * @param suite the simple class name, {@code RbTreeBench}
 * @param method the benchmark method, {@code find}
 * @param mode JMH's mode ({@code avgt}, {@code thrpt}, {@code ss}, {@code sample})
 * @param threads the number of benchmark threads
 * @param params the @Param values, by name (sorted)
 * @param nsPerOp the primary score in ns/op
 * @param errorNs the 99.9% confidence half-width in ns/op (NaN when JMH had too few samples)
 * @param gcAllocBytesPerOp {@code gc.alloc.rate.norm} when {@code -prof gc} ran, else NaN
 */
public record JmhResult(String benchmark, String suite, String method, String mode, int threads,
                        Map<String, String> params, double nsPerOp, double errorNs,
                        double gcAllocBytesPerOp) {

    /** The @Param value {@code name}, or null. */
    public String param(String name) {
        return params.get(name);
    }

    /** The {@code n} parameter as a number, or -1 when the benchmark has none. */
    public long n() {
        String v = params.get("n");
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            return (long) Double.parseDouble(v);
        }
    }

    /** Reads a JMH JSON result file; a missing or empty file gives no rows. */
    public static List<JmhResult> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        String text = Files.readString(file).trim();
        if (text.isEmpty()) {
            return List.of();
        }
        List<JmhResult> out = new ArrayList<>();
        for (Object o : (List<?>) Json.parse(text)) {
            out.add(of((Map<?, ?>) o));
        }
        return Collections.unmodifiableList(out);
    }

    static JmhResult of(Map<?, ?> row) {
        String benchmark = (String) row.get("benchmark");
        int dot = benchmark.lastIndexOf('.');
        String cls = benchmark.substring(0, dot);
        String suite = cls.substring(cls.lastIndexOf('.') + 1);
        String method = benchmark.substring(dot + 1);
        Map<String, String> params = new TreeMap<>();
        Object p = row.get("params");
        if (p instanceof Map) {
            ((Map<?, ?>) p).forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        }
        Map<?, ?> primary = (Map<?, ?>) row.get("primaryMetric");
        double score = Json.num(primary.get("score"));
        double error = Json.num(primary.get("scoreError"));
        String unit = String.valueOf(primary.get("scoreUnit"));
        double[] ns = toNsPerOp(score, error, unit);
        double alloc = Double.NaN;
        Object secondary = row.get("secondaryMetrics");
        if (secondary instanceof Map) {
            Object norm = ((Map<?, ?>) secondary).get("gc.alloc.rate.norm");
            if (norm instanceof Map) {
                alloc = Json.num(((Map<?, ?>) norm).get("score"));
            }
        }
        return new JmhResult(benchmark, suite, method, String.valueOf(row.get("mode")),
            (int) Json.num(row.get("threads")), Collections.unmodifiableMap(params), ns[0], ns[1], alloc);
    }

    /** Converts a JMH score and error in {@code unit} (time/op or ops/time) to ns/op. */
    static double[] toNsPerOp(double score, double error, String unit) {
        String[] parts = unit.split("/");
        if (parts.length != 2) {
            return new double[] {score, error};
        }
        if (parts[1].equals("op")) {
            double f = nanos(parts[0]);
            return new double[] {score * f, error * f};
        }
        // ops per time unit: invert; the error maps through the derivative 1/x^2.
        double perOp = nanos(parts[1]) / score;
        return new double[] {perOp, perOp * (error / score)};
    }

    private static double nanos(String unit) {
        switch (unit) {
            case "ns": return 1;
            case "us": return 1e3;
            case "ms": return 1e6;
            case "s": return 1e9;
            case "min": return 60e9;
            default: return 1;
        }
    }
}
