package org.kfork.bench.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every JMH suite on the class path (or those matching {@code --only}), one benchmark and
 * parameter combination at a time, and writes a results directory the report is built from.
 *
 * <p>Suites are discovered from JMH's own benchmark list ({@code META-INF/BenchmarkList}, what
 * {@code java -jar benchmarks.jar -l} prints), so a new {@code @Benchmark} class is picked up with
 * no change here. Each unit (a benchmark method with one value of each @Param) runs in its own JMH
 * invocation: progress is exact, and after each unit the merged {@code jmh-result.json} and the
 * report are rewritten, so an interrupted run leaves readable partial results.
 *
 * <p>Usage: {@code BenchHarness [--quick|--full|--tiny] [--only REGEX] [--out DIR] [--list]}.
 * scripts/bench.sh is the usual way in.
 */
public final class BenchHarness {
    /** The run settings a profile applies (overriding the class annotations, except in FULL). */
    public enum Profile {
        /**
         * Every suite in minutes: 1 fork, 1 warm-up of 0.5 s, 3 measurements of 0.4 s (three, so
         * that JMH can give an error estimate).
         */
        QUICK(1, 1, 500, 3, 400),
        /** Publication settings: 3 forks, 5 warm-ups and 5 measurements of 1 s (annotations win). */
        FULL(3, 5, 1000, 5, 1000),
        /** For tests of the harness itself: 1 fork, no warm-up, 1 measurement of 100 ms. */
        TINY(1, 0, 100, 1, 100);

        final int forks;
        final int warmups;
        final int warmupMs;
        final int iterations;
        final int iterationMs;

        Profile(int forks, int warmups, int warmupMs, int iterations, int iterationMs) {
            this.forks = forks;
            this.warmups = warmups;
            this.warmupMs = warmupMs;
            this.iterations = iterations;
            this.iterationMs = iterationMs;
        }

        /** A first guess at a unit's wall time: the iterations plus about 1.5 s of JVM start and setup. */
        long estimateMs() {
            return forks * ((long) warmups * warmupMs + (long) iterations * iterationMs + 1500);
        }
    }

    /** What the quick profile should take on a 2-core machine, all suites included. */
    static final long QUICK_BUDGET_MS = 15 * 60 * 1000;

    /** One JMH invocation: a benchmark with one value for each of its params. */
    record Unit(BenchmarkListEntry entry, Map<String, String> params) {
        String label() {
            StringBuilder b = new StringBuilder(shortName(entry.getUsername()));
            params.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
            return b.toString();
        }
    }

    private BenchHarness() {
    }

    /** Entry point; exit status 0 on success, 1 when a benchmark failed, 2 on bad usage. */
    public static void main(String[] args) throws Exception {
        Profile profile = Profile.QUICK;
        String only = null;
        Path out = null;
        boolean list = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": profile = Profile.QUICK; break;
                case "--full": profile = Profile.FULL; break;
                case "--tiny": profile = Profile.TINY; break;
                case "--list": list = true; break;
                case "--only":
                    if (++i == args.length) {
                        usage("--only needs a REGEX");
                    }
                    only = args[i];
                    break;
                case "--out":
                    if (++i == args.length) {
                        usage("--out needs a directory");
                    }
                    out = Path.of(args[i]);
                    break;
                case "--report":
                    if (++i == args.length) {
                        usage("--report needs a directory");
                    }
                    System.out.print(Report.write(Path.of(args[i])));
                    return;
                case "-h": case "--help": usage(null); break;
                default: usage("unknown option " + args[i]);
            }
        }
        List<BenchmarkListEntry> entries;
        try {
            entries = discover(only);
        } catch (PatternSyntaxException e) {
            usage("bad --only regex: " + e.getDescription());
            return;
        }
        if (entries.isEmpty()) {
            System.err.println("bench: no benchmark matches " + (only == null ? "" : "'" + only + "'")
                + ". The benchmarks are:");
            discover(null).forEach(e -> System.err.println("  " + e.getUsername()));
            System.exit(2);
        }
        if (list) {
            entries.forEach(e -> System.out.println(e.getUsername()));
            return;
        }
        if (out == null) {
            out = Path.of("results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        System.exit(run(entries, profile, only, out, System.out));
    }

    private static void usage(String error) {
        PrintStream s = error == null ? System.out : System.err;
        if (error != null) {
            s.println("bench: " + error);
        }
        s.println("usage: BenchHarness [--quick|--full|--tiny] [--only REGEX] [--out DIR] [--list] [--report DIR]");
        System.exit(error == null ? 0 : 2);
    }

    /** The benchmarks JMH knows of whose full name matches {@code only} (all when null). */
    public static List<BenchmarkListEntry> discover(String only) {
        OutputFormat silent = OutputFormatFactory.createFormatInstance(
            new PrintStream(PrintStream.nullOutputStream()), VerboseMode.SILENT);
        Pattern p = only == null ? null : Pattern.compile(only);
        SortedSet<BenchmarkListEntry> all = BenchmarkList.defaultList().find(silent, List.of(".*"), List.of());
        List<BenchmarkListEntry> out = new ArrayList<>();
        for (BenchmarkListEntry e : all) {
            if (p == null || p.matcher(e.getUsername()).find()) {
                out.add(e);
            }
        }
        return out;
    }

    /** Expands each benchmark over the cartesian product of its @Param values. */
    static List<Unit> units(List<BenchmarkListEntry> entries) {
        List<Unit> out = new ArrayList<>();
        for (BenchmarkListEntry e : entries) {
            Map<String, String[]> params = e.getParams().orElse(Map.of());
            List<Map<String, String>> combos = new ArrayList<>();
            combos.add(new LinkedHashMap<>());
            for (Map.Entry<String, String[]> p : params.entrySet()) {
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> c : combos) {
                    for (String v : p.getValue()) {
                        Map<String, String> m = new LinkedHashMap<>(c);
                        m.put(p.getKey(), v);
                        next.add(m);
                    }
                }
                combos = next;
            }
            combos.forEach(c -> out.add(new Unit(e, c)));
        }
        return out;
    }

    /**
     * Runs {@code entries} into {@code out}; returns 0, or 1 when some unit failed (its log is kept
     * under {@code out/logs}).
     */
    public static int run(List<BenchmarkListEntry> entries, Profile profile, String only, Path out, PrintStream con)
        throws IOException {
        List<Unit> units = units(entries);
        Files.createDirectories(out.resolve("jmh"));
        Files.createDirectories(out.resolve("logs"));
        Properties props = new Properties();
        props.setProperty("profile", profile.name().toLowerCase());
        if (only != null) {
            props.setProperty("only", only);
        }
        props.setProperty("started", LocalDateTime.now().withNano(0).toString());
        props.setProperty("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        props.setProperty("machine", Runtime.getRuntime().availableProcessors() + " CPUs, "
            + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        props.setProperty("units.total", Integer.toString(units.size()));
        props.setProperty("units.done", "0");
        props.setProperty("state", "running");
        writeProps(out, props);

        long estimatePerUnit = profile.estimateMs();
        con.printf("bench: %d benchmarks (%d suites), profile %s, first estimate %s; results in %s%n",
            units.size(), entries.stream().map(e -> e.getUserClassQName()).distinct().count(),
            profile.name().toLowerCase(), mmss(estimatePerUnit * units.size()), out);

        if (profile == Profile.QUICK && estimatePerUnit * units.size() > QUICK_BUDGET_MS) {
            con.printf("bench: note: this quick run is estimated above its %d-minute budget; "
                + "--only REGEX runs a subset%n", QUICK_BUDGET_MS / 60_000);
        }

        // Ctrl-C: the JVM runs this hook; the report then shows the units that finished.
        Thread hook = new Thread(() -> {
            props.setProperty("state", "interrupted");
            try {
                writeProps(out, props);
                Report.write(out);
                System.err.println("\nbench: interrupted; partial report in " + out.resolve("report.md"));
            } catch (IOException | RuntimeException e) {
                System.err.println("bench: could not write the partial report: " + e);
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);

        long start = System.nanoTime();
        int failed = 0;
        List<Path> done = new ArrayList<>();
        for (int k = 0; k < units.size(); k++) {
            Unit u = units.get(k);
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            long remaining = k == 0 ? estimatePerUnit * units.size() : elapsed * (units.size() - k) / k;
            con.printf("[%d/%d] %s  (elapsed %s, remaining ~%s)%n", k + 1, units.size(), u.label(),
                mmss(elapsed), mmss(remaining));
            Path json = out.resolve("jmh").resolve(String.format("%04d.json", k + 1));
            Path log = out.resolve("logs").resolve(String.format("%04d.log", k + 1));
            try {
                Collection<RunResult> rr = runWaitingForLock(options(u, profile, json, log), con);
                if (rr.isEmpty() || !Files.exists(json)) {
                    throw new IllegalStateException("no result");
                }
                RunResult r = rr.iterator().next();
                double err = r.getPrimaryResult().getScoreError();
                con.printf("        %s%s %s%n", Report.fmt(r.getPrimaryResult().getScore()),
                    Double.isNaN(err) ? "" : " ± " + Report.fmt(err), r.getPrimaryResult().getScoreUnit());
                done.add(json);
            } catch (Exception e) {
                failed++;
                con.printf("        FAILED (%s); see %s%n", e.getMessage(), log);
            }
            merge(done, out.resolve("jmh-result.json"));
            props.setProperty("units.done", Integer.toString(k + 1));
            writeProps(out, props);
        }
        props.setProperty("state", "complete");
        props.setProperty("elapsed", mmss((System.nanoTime() - start) / 1_000_000));
        writeProps(out, props);
        Runtime.getRuntime().removeShutdownHook(hook);
        String summary = Report.write(out);
        con.println();
        con.print(summary);
        con.printf("%nbench: done in %s%s; report: %s (and report.html, charts/)%n",
            props.getProperty("elapsed"), failed > 0 ? ", " + failed + " FAILED" : "", out.resolve("report.md"));
        return failed > 0 ? 1 : 0;
    }

    /** How long to wait for another JMH run on this machine (JMH's /tmp/jmh.lock) before failing. */
    private static final long LOCK_WAIT_MS = 15 * 60 * 1000;

    /**
     * Runs one unit. JMH refuses to run while another JMH run holds its lock (two runs on one
     * machine spoil each other's numbers), so wait for the other run rather than fail every unit.
     */
    private static Collection<RunResult> runWaitingForLock(org.openjdk.jmh.runner.options.Options o,
                                                           PrintStream con) throws Exception {
        long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
        boolean said = false;
        while (true) {
            try {
                return new Runner(o).run();
            } catch (org.openjdk.jmh.runner.RunnerException e) {
                String msg = String.valueOf(e.getMessage());
                if (!msg.contains("JMH lock") || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                if (!said) {
                    con.println("        waiting: another JMH run holds /tmp/jmh.lock (two runs at once would"
                        + " spoil each other's numbers)");
                    said = true;
                }
                Thread.sleep(2000);
            }
        }
    }

    /** JMH options for one unit. */
    static org.openjdk.jmh.runner.options.Options options(Unit u, Profile profile, Path json, Path log) {
        BenchmarkListEntry e = u.entry();
        Mode mode = e.getMode() == Mode.SingleShotTime || e.getMode() == Mode.SampleTime
            ? e.getMode() : Mode.AverageTime;
        // The forks run on this JDK; the class's own @Fork(jvmArgsPrepend) flags follow kfork's.
        ChainedOptionsBuilder b = new OptionsBuilder()
            .include("^" + Pattern.quote(e.getUsername()) + "$")
            .mode(mode)
            .timeUnit(TimeUnit.NANOSECONDS)
            .jvmArgsPrepend(BenchSupport.forkPrepend(Runtime.version().feature(),
                e.getJvmArgsPrepend().orElse(List.of())))
            .shouldFailOnError(true)
            .resultFormat(ResultFormatType.JSON)
            .result(json.toString())
            .output(log.toString());
        u.params().forEach((k, v) -> b.param(k, v));
        boolean full = profile == Profile.FULL;
        if (!full || e.getForks().orElse(-1) < 0) {
            b.forks(profile.forks);
        }
        if (!full || e.getWarmupIterations().orElse(-1) < 0) {
            b.warmupIterations(profile.warmups);
        }
        if (!full || !e.getWarmupTime().hasValue()) {
            b.warmupTime(TimeValue.milliseconds(profile.warmupMs));
        }
        if (!full || e.getMeasurementIterations().orElse(-1) < 0) {
            b.measurementIterations(profile.iterations);
        }
        if (!full || !e.getMeasurementTime().hasValue()) {
            b.measurementTime(TimeValue.milliseconds(profile.iterationMs));
        }
        return b.build();
    }

    /** Joins the per-unit JSON arrays into one JMH-format array, replacing {@code target} atomically. */
    static void merge(List<Path> parts, Path target) throws IOException {
        StringBuilder b = new StringBuilder("[\n");
        boolean first = true;
        for (Path p : parts) {
            String s = Files.readString(p).trim();
            if (s.length() < 2) {
                continue;
            }
            String body = s.substring(1, s.length() - 1).trim();
            if (body.isEmpty()) {
                continue;
            }
            if (!first) {
                b.append(",\n");
            }
            b.append(body);
            first = false;
        }
        b.append("\n]\n");
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeProps(Path out, Properties props) throws IOException {
        Path tmp = out.resolve("run.properties.tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            props.store(w, "kfork benchmark run");
        }
        Files.move(tmp, out.resolve("run.properties"), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
    }

    static String shortName(String benchmark) {
        int m = benchmark.lastIndexOf('.');
        int c = benchmark.lastIndexOf('.', m - 1);
        return benchmark.substring(c + 1);
    }

    static String mmss(long ms) {
        Duration d = Duration.ofMillis(ms);
        return d.toHours() > 0
            ? String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
            : String.format("%d:%02d", d.toMinutes(), d.toSecondsPart());
    }
}
