package org.kfork.stress;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.kfork.machine.Kasan;
import org.kfork.stress.Tally.Finding;

/**
 * {@code scripts/stress.sh [--minutes N] [--seed S] [--out DIR] [--threads T]}: the differential
 * runs, the system-call fuzzer and the fork storms, in one JVM, in rounds until the time is up,
 * with a progress line per step; then a markdown report (calls, scenarios, errnos by call, faults
 * injected, findings, the seeds to reproduce). Exit 0 when nothing was found, 1 otherwise, 2 on a
 * usage error, 3 when a step hung (the report is written first). {@code --scenario SEED} and
 * {@code --fuzz SEED --sessions N}, with {@code --repeat R}, reproduce one finding ({@link #repro}).
 */
public final class StressMain {
    /** A step's share of a round: differential, fuzzer, storms. */
    private static final double DIFF_SHARE = 0.25;
    private static final double FUZZ_SHARE = 0.40;
    /** The failslab probability of the storms with faults: 1% of allocations. */
    static final int STORM_FAULTS_PER_MILLION = 10_000;
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(180);

    private final double minutes;
    private final long seed;
    private final Path out;
    private final int threads;
    private final PrintStream log;
    private final Tally tally = new Tally();
    private volatile long lastProgress = System.nanoTime();
    private volatile String step = "boot";

    StressMain(double minutes, long seed, Path out, int threads, PrintStream log) {
        this.minutes = minutes;
        this.seed = seed;
        this.out = out;
        this.threads = threads;
        this.log = log;
    }

    /** Entry point of scripts/stress.sh. */
    public static void main(String[] args) {
        double minutes = 1;
        long seed = System.currentTimeMillis();
        Path out = Path.of("target", "stress");
        int threads = 2;
        Long scenario = null;
        Long fuzz = null;
        long sessions = 1;
        int repeat = 1;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--minutes": minutes = Double.parseDouble(args[++i]); break;
                    case "--seed": seed = Long.parseLong(args[++i]); break;
                    case "--out": out = Path.of(args[++i]); break;
                    case "--threads": threads = Integer.parseInt(args[++i]); break;
                    case "--scenario": scenario = Long.parseLong(args[++i]); break;
                    case "--fuzz": fuzz = Long.parseLong(args[++i]); break;
                    case "--sessions": sessions = Long.parseLong(args[++i]); break;
                    case "--repeat": repeat = Integer.parseInt(args[++i]); break;
                    case "-h": case "--help":
                        System.out.println(USAGE);
                        return;
                    default: throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (!(minutes > 0) || threads < 2 || sessions < 1 || repeat < 1) {
                throw new IllegalArgumentException("--minutes must be more than 0, --threads at least 2, "
                    + "--sessions and --repeat at least 1");
            }
        } catch (RuntimeException e) {
            System.err.println("stress: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        if (scenario != null || fuzz != null) {
            System.exit(repro(scenario, fuzz, sessions, repeat, System.out));
            return;
        }
        final StressMain m = new StressMain(minutes, seed, out, threads, System.out);
        System.exit(m.run());
    }

    private static final String USAGE = "usage: stress.sh [--minutes N] [--seed S] [--out DIR] [--threads T]\n"
        + "       stress.sh --scenario SEED [--repeat R]          one differential scenario, R times\n"
        + "       stress.sh --fuzz SEED [--sessions N] [--repeat R]   the fuzzer's sessions 0..N-1 of SEED, R times";

    /**
     * A report's repro, one command: differential scenario {@code scenario}, or the first
     * {@code sessions} sessions of fuzzer seed {@code fuzz} (a session's inputs depend on those
     * before it), each {@code repeat} times (a race shows in some runs only). Prints the script
     * or the findings; 0 when nothing was found.
     */
    static int repro(Long scenario, Long fuzz, long sessions, int repeat, PrintStream log) {
        if (!Kasan.ENABLED) {
            log.println("stress: checked mode is off (-Dkfork.checked=true): bad accesses would go unseen");
            return 2;
        }
        long found = 0;
        for (int r = 0; r < repeat; r++) {
            final Tally t = new Tally();
            if (scenario != null) {
                final String script = ScenarioGenerator.generate(scenario);
                if (r == 0) {
                    log.println("# scenario seed " + scenario + ":\n" + script);
                }
                new Differential(t).scenario(script, "scenario seed " + scenario);
            }
            if (fuzz != null) {
                new SyscallFuzzer(t, fuzz).run(Long.MAX_VALUE, sessions);
            }
            log.printf("run %d of %d: %,d calls, %d findings%n", r + 1, repeat, t.calls(), t.findings());
            for (String d : t.details()) {
                log.println(d);
            }
            found += t.findings();
        }
        return found == 0 ? 0 : 1;
    }

    /** Runs every step until the time is up; writes the report; 0 when nothing was found. */
    int run() {
        if (!Kasan.ENABLED) {
            log.println("stress: checked mode is off (-Dkfork.checked=true): bad accesses would go unseen");
            return 2;
        }
        final long start = System.nanoTime();
        final long end = start + (long) (minutes * 60e9);
        startWatchdog();
        log.printf("stress: seed %d, %.1f min, %d storm threads, checked mode on%n", seed, minutes, threads);
        final Differential diff = new Differential(tally);
        final long roundNanos = Math.min(end - start, TimeUnit.SECONDS.toNanos(60));
        long scenarioSeed = seed;
        long round = 0;
        while (System.nanoTime() < end - roundNanos / 10) {
            final long left = end - System.nanoTime();
            final long r = Math.min(roundNanos, left);
            final long roundSeed = seed + 1_000_003L * round;
            // the differential: scenarios on both kernels
            final long diffEnd = System.nanoTime() + (long) (r * DIFF_SHARE);
            final long before = tally.scenarios();
            do {
                // per scenario: the watchdog's hang report names the one that hangs
                step = "differential scenario seed " + scenarioSeed + " (stress.sh --scenario " + scenarioSeed + ")";
                diff.scenario(ScenarioGenerator.generate(scenarioSeed), "scenario seed " + scenarioSeed);
                scenarioSeed++;
                lastProgress = System.nanoTime();
            } while (System.nanoTime() < diffEnd);
            progress(start, "differential: " + (tally.scenarios() - before) + " scenarios");
            // the fuzzer: both kernels in lockstep
            step = "fuzzer seed " + roundSeed;
            final SyscallFuzzer fuzz = new SyscallFuzzer(tally, roundSeed);
            fuzz.run(System.nanoTime() + (long) (r * FUZZ_SHARE), Long.MAX_VALUE);
            progress(start, "fuzzer seed " + roundSeed + ": " + fuzz.sessions() + " sessions");
            // the storms: each kernel, without and with faults
            final long stormNanos = (long) (r * (1 - DIFF_SHARE - FUZZ_SHARE) / 4);
            for (String impl : new String[] {"offheap", "heap"}) {
                for (int faults : new int[] {0, STORM_FAULTS_PER_MILLION}) {
                    step = "storm " + impl + " seed " + roundSeed + " faults " + faults;
                    new Storm(tally, roundSeed).run(impl, threads, stormNanos, faults);
                    lastProgress = System.nanoTime();
                    progress(start, "storm " + impl + (faults == 0 ? "" : " with failslab") + " seed " + roundSeed);
                }
            }
            round++;
        }
        final Path report = writeReport(start, "finished");
        log.println("stress: report " + report.toAbsolutePath());
        return tally.findings() == 0 ? 0 : 1;
    }

    private void progress(long start, String what) {
        lastProgress = System.nanoTime();
        log.printf("[%6.1fs] %-48s calls %,d  scenarios %,d  faults %,d  findings %d%n", (System.nanoTime() - start) / 1e9,
            what, tally.calls(), tally.scenarios(), tally.faults(), tally.findings());
    }

    /** A daemon that reports a step that makes no progress for three minutes, writes the report and exits 3. */
    private void startWatchdog() {
        final long start = System.nanoTime();
        final Thread w = new Thread(() -> {
            long calls = -1;
            for (;;) {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    return;
                }
                final long c = tally.calls();
                if (c != calls) {
                    calls = c;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL_NANOS) {
                    final StringBuilder dump = new StringBuilder();
                    for (ThreadInfo ti : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
                        dump.append(ti);
                    }
                    tally.finding(Finding.HANG, "no progress for 180 s in " + step + "; threads:\n" + dump);
                    writeReport(start, "stopped: " + step + " hung");
                    log.println("stress: hung in " + step);
                    Runtime.getRuntime().halt(3);
                }
            }
        }, "stress-watchdog");
        w.setDaemon(true);
        w.start();
    }

    /** Writes report.md under the out directory. */
    Path writeReport(long start, String how) {
        final StringBuilder sb = new StringBuilder();
        sb.append("# kfork stress report\n\n");
        sb.append("- date: ").append(Instant.now()).append('\n');
        sb.append("- ").append(how).append(" after ").append(String.format("%.1f", (System.nanoTime() - start) / 1e9))
            .append(" s of ").append(minutes).append(" min asked; seed ").append(seed).append("; ").append(threads)
            .append(" storm threads; ").append(Runtime.version()).append("; checked mode ").append(Kasan.ENABLED ? "on" : "off")
            .append('\n');
        sb.append("- reproduce: `scripts/stress.sh --minutes ").append(minutes).append(" --seed ").append(seed).append("`\n\n");
        sb.append("## Figures (both kernels together)\n\n| what | count |\n|---|---:|\n");
        sb.append("| system calls | ").append(tally.calls()).append(" |\n");
        tally.phaseCalls().forEach((p, n) -> sb.append("| … of them by the ").append(p).append(" | ").append(n).append(" |\n"));
        sb.append("| scenarios (each on both kernels) | ").append(tally.scenarios()).append(" |\n");
        sb.append("| injected allocation failures | ").append(tally.faults()).append(" |\n");
        for (Finding f : Finding.values()) {
            sb.append("| ").append(f.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')).append(" | ")
                .append(tally.findings(f)).append(" |\n");
        }
        sb.append("\n## Results by call\n\n| call | result | count |\n|---|---|---:|\n");
        for (Map.Entry<String, Long> e : tally.results().entrySet()) {
            final int sp = e.getKey().lastIndexOf(' ');
            sb.append("| ").append(e.getKey(), 0, sp).append(" | ").append(e.getKey().substring(sp + 1)).append(" | ")
                .append(e.getValue()).append(" |\n");
        }
        sb.append("\n## Findings\n\n");
        if (tally.details().isEmpty()) {
            sb.append("None.\n");
        }
        for (String d : tally.details()) {
            sb.append("```\n").append(d).append("\n```\n");
        }
        final Path file = out.resolve("report.md");
        try {
            Files.createDirectories(out);
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            log.println("stress: cannot write " + file + ": " + e.getMessage());
        }
        return file;
    }

    /** The tally, for the tests. */
    Tally tally() {
        return tally;
    }
}
