package org.kfork.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The native anchors of one run: the JSON lines that bench/native/run.sh writes
 * ({@code {"suite","op","n","ns_per_op","samples"}}, and {@code {"suite","status":"skipped","reason"}}
 * for anchors that could not be built).
 *
 * <p>scripts/bench.sh runs the anchors twice: before the Java suites ({@code native.jsonl}) and
 * after them ({@code native-after.jsonl} beside it). A figure is the mean of its passes, and
 * {@link #passes} keeps each one, so the report can show how far the machine drifted during the
 * run: on a shared machine, points near the cache sizes move by 2x and more within minutes.
 *
 * <p>Each anchor suite that did not run in this run falls back to the reference figures of
 * reference/anchors.md (carried as the resources {@code anchors.md} and
 * {@code anchors-reference.jsonl}), marked as not measured in this run. Where the reference gives a
 * range, the JSON lines hold its midpoint. The reference has no figure for most of the ForkBench
 * anchors ({@code clone}, {@code forkcopy}): without a measurement they have none, and
 * {@link #notMeasured} still names them.
 */
public final class NativeAnchors {
    /** The anchor suites bench/native produces. */
    public static final List<String> SUITES = List.of("rbtree", "percpu", "memset", "malloc", "fork", "clone",
        "forkcopy");

    private static final String REFERENCE = "/org/kfork/bench/anchors-reference.jsonl";

    /**
     * One native figure. {@code measured} is false for a reference figure; {@code detail} says what
     * was measured (the sizes copied, the VMAs of the forking process), or is null.
     */
    public record Anchor(String suite, String op, long n, double nsPerOp, boolean measured, String detail) {
        /** A figure without detail. */
        public Anchor(String suite, String op, long n, double nsPerOp, boolean measured) {
            this(suite, op, n, nsPerOp, measured, null);
        }
    }

    /** The file of the second pass, read from the directory of the first. */
    public static final String AFTER = "native-after.jsonl";

    private final Map<String, Anchor> byKey = new HashMap<>();
    /** Each measured figure's passes, in run order (before, after). */
    private final Map<String, List<Double>> passes = new HashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();

    private NativeAnchors() {
    }

    /**
     * Reads {@code file} (may be null or missing: nothing measured) and, when it exists, the
     * second pass {@link #AFTER} beside it; fills every anchor suite they lack from the reference
     * figures.
     */
    public static NativeAnchors load(Path file) throws IOException {
        NativeAnchors a = new NativeAnchors();
        Set<String> measured = new LinkedHashSet<>();
        if (file != null && Files.exists(file)) {
            a.read(file, measured);
            Path after = file.resolveSibling(AFTER);
            if (Files.exists(after)) {
                a.read(after, measured);
            }
        } else {
            for (String s : SUITES) {
                a.notes.put(s, "native anchors were not run (no gcc, or --no-native)");
            }
        }
        for (Anchor ref : reference()) {
            if (!measured.contains(ref.suite())) {
                a.byKey.putIfAbsent(key(ref.suite(), ref.op(), ref.n()), ref);
            }
        }
        for (String s : SUITES) {
            if (!measured.contains(s)) {
                a.notes.putIfAbsent(s, "no result in this run");
            }
        }
        return a;
    }

    /** Adds one pass's lines: a figure seen again gets the mean of its passes. */
    private void read(Path file, Set<String> measured) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            line = line.trim();
            if (!line.startsWith("{")) {
                continue;
            }
            Map<?, ?> m = (Map<?, ?>) Json.parse(line);
            String suite = String.valueOf(m.get("suite"));
            if ("skipped".equals(m.get("status"))) {
                notes.put(suite, String.valueOf(m.get("reason")));
            } else if (m.get("ns_per_op") != null) {
                String op = String.valueOf(m.get("op"));
                long n = (long) Json.num(m.get("n"));
                List<Double> p = passes.computeIfAbsent(key(suite, op, n), k -> new ArrayList<>());
                p.add(Json.num(m.get("ns_per_op")));
                double sum = 0;
                for (double v : p) {
                    sum += v;
                }
                Object detail = m.get("detail");
                put(new Anchor(suite, op, n, sum / p.size(), true, detail == null ? null : String.valueOf(detail)));
                measured.add(suite);
            }
        }
    }

    /** A measured anchor's figure in each pass of this run (before, after); empty for a reference one. */
    public List<Double> passes(Anchor anchor) {
        return passes.getOrDefault(key(anchor.suite(), anchor.op(), anchor.n()), List.of());
    }

    /** The anchor {@code suite/op} at {@code n}, or null. */
    public Anchor find(String suite, String op, long n) {
        return byKey.get(key(suite, op, n));
    }

    /** Every anchor, measured or reference. */
    public List<Anchor> all() {
        return new ArrayList<>(byKey.values());
    }

    /** Why each anchor suite that fell back to reference figures was not measured, by suite. */
    public Map<String, String> notMeasured() {
        return notes;
    }

    private void put(Anchor anchor) {
        byKey.put(key(anchor.suite(), anchor.op(), anchor.n()), anchor);
    }

    private static String key(String suite, String op, long n) {
        return suite + "/" + op + "@" + n;
    }

    /** The reference figures, from reference/anchors.md (not measured in this run). */
    static List<Anchor> reference() {
        List<Anchor> out = new ArrayList<>();
        try (InputStream in = NativeAnchors.class.getResourceAsStream(REFERENCE)) {
            if (in == null) {
                throw new IllegalStateException(REFERENCE + " missing from the class path");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.trim();
                if (line.startsWith("{")) {
                    Map<?, ?> m = (Map<?, ?>) Json.parse(line);
                    out.add(new Anchor(String.valueOf(m.get("suite")), String.valueOf(m.get("op")),
                        (long) Json.num(m.get("n")), Json.num(m.get("ns_per_op")), false));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
