package org.kfork.bench.churn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.Kernels;
import org.kfork.bench.harness.BenchSupport;

/**
 * The churn benchmark's driver: runs each configuration ({@link ChurnConfig}) at each live-set
 * size in a JVM of its own ({@link ChurnRun}), collects their JSON under {@code OUT/<size>/}, and
 * writes the churn report ({@link ChurnReport}).
 *
 * <p>Usage: {@code ChurnMain [--quick|--full] [--sizes 1e5,1e6,1e7] [--configs all|NAME,...]
 * [--seconds S] [--rate OPS] [--vmas V] [--out DIR]}. The quick profile runs 1e5 with 3 s phases;
 * --full runs all three sizes with 8 s phases. JDK 17 is {@code $KFORK_JDK17} (a JDK's home;
 * default /usr/lib/jvm/java-17-openjdk-amd64, or this JVM when it is a 17), JDK 25 is
 * {@code $KFORK_JDK25} (default /usr/lib/jvm/temurin-25-jdk-amd64); a configuration whose JDK is
 * missing is skipped and reported. A child that fails (an OutOfMemoryError, a timeout) is
 * reported with the end of its output, and the run goes on.
 */
public final class ChurnMain {
    /** The phases' settings, from --seconds. */
    record Phases(double seconds) {
        double warmupMin() {
            return seconds;
        }

        /**
         * The heap twin's warm-up ends at its first old-generation collection, at the latest here: at
         * 1e7 live VMAs its old generation fills in about half a minute (3S did not reach it).
         */
        double warmupMax() {
            return 8 * seconds;
        }

        double throughput() {
            return seconds;
        }

        /** 2S, or long enough for 1000 ops at {@code rate}, so that a p99.9 has a sample of its own. */
        double latency(double rate) {
            return Math.max(2 * seconds, 1000 / rate);
        }

        /** The longest a child should take: its phases, plus setup and teardown by size. */
        long timeoutSeconds(long liveVmas, double rate) {
            return (long) (3 * (warmupMax() + 2 * throughput() + latency(rate))) + 120 + liveVmas / 50_000;
        }
    }

    /**
     * The latency phase's rate at a size, when --rate does not give one: below every configuration's
     * one-thread throughput at that size (quiet 2-core figures: about 1000-2000 ops/s at 1e5, 200-1100
     * at 1e6, 50-200 at 1e7 before the idle-task walk was made lazy), so that no configuration queues.
     */
    static double defaultRate(long liveVmas) {
        return liveVmas <= 100_000 ? 200 : liveVmas <= 1_000_000 ? 100 : 40;
    }

    private ChurnMain() {
    }

    /** Entry point; exit status 0 when every configuration ran, 1 when some failed, 2 on bad usage. */
    public static void main(String[] args) throws IOException, InterruptedException {
        List<Long> sizes = List.of(100_000L);
        List<ChurnConfig> configs = ChurnConfig.ALL;
        double seconds = 3;
        double rate = 0; // by size
        int vmas = 1000;
        Path out = Path.of("results", "churn");
        boolean sizesSet = false;
        boolean secondsSet = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> { }
                    case "--full" -> {
                        if (!sizesSet) {
                            sizes = List.of(100_000L, 1_000_000L, 10_000_000L);
                        }
                        if (!secondsSet) {
                            seconds = 8;
                        }
                    }
                    case "--sizes" -> {
                        sizes = parseSizes(value(args, ++i, a));
                        sizesSet = true;
                    }
                    case "--configs" -> configs = ChurnConfig.parseList(value(args, ++i, a));
                    case "--seconds" -> {
                        seconds = Double.parseDouble(value(args, ++i, a));
                        secondsSet = true;
                    }
                    case "--rate" -> rate = Double.parseDouble(value(args, ++i, a));
                    case "--vmas" -> vmas = Integer.parseInt(value(args, ++i, a));
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "-h", "--help" -> {
                        usage(System.out);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (seconds <= 0 || rate < 0 || vmas < 4) {
                throw new IllegalArgumentException("--seconds must be positive, --rate not negative, --vmas at least 4");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("churn: " + e.getMessage());
            usage(System.err);
            System.exit(2);
            return;
        }
        System.exit(run(sizes, configs, new Phases(seconds), rate, vmas, out, System.out));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static void usage(PrintStream s) {
        s.println("usage: churn [--quick|--full] [--sizes 1e5,1e6,1e7] [--configs all|KERNEL-GC-JDK,...] [--seconds S]"
            + " [--rate OPS] [--vmas V] [--out DIR]");
        s.println("  configurations: " + String.join(",", ChurnConfig.ALL.stream().map(ChurnConfig::name).toList()));
    }

    /** Live-set sizes in VMAs: "1e5,1e6" or plain numbers. */
    static List<Long> parseSizes(String text) {
        List<Long> out = new ArrayList<>();
        for (String s : text.split(",")) {
            double v = Double.parseDouble(s.trim());
            if (v < 1 || v != Math.rint(v)) {
                throw new IllegalArgumentException("a size is a whole number of VMAs: " + s);
            }
            out.add((long) v);
        }
        return out;
    }

    /** Runs every configuration at every size into {@code out}; returns 0, or 1 when some failed. */
    static int run(List<Long> sizes, List<ChurnConfig> configs, Phases phases, double rate, int vmas, Path out,
                   PrintStream con) throws IOException, InterruptedException {
        Files.createDirectories(out);
        double heapPerVma = heapBytesPerVma(vmas);
        con.printf(Locale.ROOT, "churn: %d sizes x %d configurations, phases of %.0f s (warm-up %.0f-%.0f s, latency"
                + " at least %.0f s at %s); heap twin's live set measured at %.0f B/VMA; results in %s%n", sizes.size(),
            configs.size(), phases.seconds(), phases.warmupMin(), phases.warmupMax(), 2 * phases.seconds(),
            rate > 0 ? String.format(Locale.ROOT, "%.0f ops/s", rate) : "a rate by size", heapPerVma, out);
        int failed = 0;
        int k = 0;
        long start = System.nanoTime();
        for (long size : sizes) {
            int processes = (int) Math.max(4, size / vmas);
            long liveVmas = (long) processes * vmas;
            Path dir = out.resolve(sizeName(liveVmas));
            Files.createDirectories(dir);
            for (ChurnConfig c : configs) {
                k++;
                con.printf(Locale.ROOT, "[%d/%d] %s, %s live VMAs (elapsed %s)%n", k, sizes.size() * configs.size(),
                    c.label(), sizeName(liveVmas), mmss((System.nanoTime() - start) / 1_000_000));
                Path result = dir.resolve(c.name() + ".json");
                Files.deleteIfExists(result);
                String java = javaOf(c.jdk());
                if (java == null) {
                    con.println("        skipped: no JDK " + c.jdk() + " (set KFORK_JDK" + c.jdk() + " to its home)");
                    writeFailure(result, c, liveVmas, "skipped: no JDK " + c.jdk(), "");
                    continue;
                }
                if (!child(java, c, processes, vmas, heapPerVma, phases, rate > 0 ? rate : defaultRate(liveVmas), result,
                    con)) {
                    failed++;
                }
            }
            ChurnReport.write(out);
        }
        con.printf("churn: done in %s%s; report: %s%n", mmss((System.nanoTime() - start) / 1_000_000),
            failed > 0 ? ", " + failed + " FAILED" : "", out.resolve("churn.md"));
        return failed > 0 ? 1 : 0;
    }

    /** "1e5" for 100000, else the number. */
    static String sizeName(long vmas) {
        long p = 1;
        for (int e = 0; e < 19; e++, p *= 10) {
            if (p == vmas) {
                return "1e" + e;
            }
        }
        return Long.toString(vmas);
    }

    /** Runs one child JVM; true when it wrote its result. */
    private static boolean child(String java, ChurnConfig c, int processes, int vmas, double heapPerVma, Phases phases,
                                 double rate, Path result, PrintStream con) throws IOException, InterruptedException {
        long liveVmas = (long) processes * vmas;
        long ram = ramBytes(liveVmas);
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(BenchSupport.forkJvmArgs(c.jdk()));
        cmd.addAll(c.collectorFlags());
        long heap = c.kernel().equals("heap") ? heapBytes(heapPerVma, liveVmas) : 512L << 20;
        cmd.add("-Xms" + (heap >> 20) + "m");
        cmd.add("-Xmx" + (heap >> 20) + "m");
        cmd.add("-Dkfork.ram.capacity=" + (ram >> 20) + "m");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChurnRun.class.getName());
        cmd.addAll(List.of("--kernel", c.kernel(), "--processes", Integer.toString(processes), "--vmas",
            Integer.toString(vmas), "--drivers", "2", "--ram", Long.toString(ram),
            "--warmup", phases.warmupMin() + ":" + phases.warmupMax(), "--throughput", Double.toString(phases.throughput()),
            "--latency", Double.toString(phases.latency(rate)), "--rate", Double.toString(rate),
            "--config", c.name(), "--out", result.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Deque<String> tail = new ArrayDeque<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    con.println("        " + line);
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > 20) {
                            tail.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
        }, "churn-child-output");
        reader.start();
        long timeout = phases.timeoutSeconds(liveVmas, rate);
        boolean ended = p.waitFor(timeout, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
            p.waitFor();
        }
        reader.join(5000);
        String why = !ended ? "timeout after " + timeout + " s"
            : p.exitValue() != 0 ? "exit status " + p.exitValue()
            : !Files.exists(result) ? "no result written" : null;
        if (why == null) {
            return true;
        }
        String text;
        synchronized (tail) {
            text = String.join("\n", tail);
        }
        con.println("        FAILED: " + why);
        writeFailure(result, c, liveVmas, why, text);
        return false;
    }

    private static void writeFailure(Path result, ChurnConfig c, long liveVmas, String why, String tail)
        throws IOException {
        JsonOut j = new JsonOut().str("config", c.name()).num("liveVmas", liveVmas).str("failed", why).str("tail", tail);
        Files.writeString(result, j.text(), StandardCharsets.UTF_8);
    }

    /**
     * The modeled RAM of a size: about 400 bytes a live VMA are held (slabs, page tables, stacks),
     * twice that, plus 512 MiB, rounded to a GiB. The host commits only what the kernel touches.
     */
    static long ramBytes(long liveVmas) {
        long bytes = 800 * liveVmas + (512L << 20);
        return (bytes + (1L << 30) - 1) & -(1L << 30);
    }

    /** -Xms = -Xmx of the heap twin: 3x its live set (the measured bytes a VMA, plus 64 MiB), in 64 MiB steps. */
    static long heapBytes(double heapPerVma, long liveVmas) {
        long live = (long) (heapPerVma * liveVmas) + (64L << 20);
        return (3 * live + (64L << 20) - 1) & -(64L << 20);
    }

    /**
     * The heap twin's live bytes per VMA of the churn's processes, measured here: the heap used after
     * a full GC with a few processes of {@code vmas} VMAs, less that of the kernel without them.
     */
    static double heapBytesPerVma(int vmas) {
        int processes = 8;
        try (Kernel k = Kernels.boot("heap", KernelConfig.DEFAULT)) {
            long before = usedAfterGc();
            ChurnWorkload w = ChurnWorkload.build(k, processes, 2, vmas, 1, line -> { });
            long after = usedAfterGc();
            return Math.max(1, (after - before) / (double) w.liveVmas());
        }
    }

    private static long usedAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The java binary of JDK {@code feature}, or null when there is none. */
    static String javaOf(int feature) {
        String env = System.getenv("KFORK_JDK" + feature);
        List<String> homes = new ArrayList<>();
        if (env != null && !env.isEmpty()) {
            homes.add(env);
        } else if (feature == 25) {
            homes.add("/usr/lib/jvm/temurin-25-jdk-amd64");
        } else if (feature == 17) {
            homes.add("/usr/lib/jvm/java-17-openjdk-amd64");
        }
        if (Runtime.version().feature() == feature) {
            homes.add(System.getProperty("java.home"));
        }
        for (String h : homes) {
            Path java = Path.of(h, "bin", "java");
            if (Files.isExecutable(java) && BenchSupport.javaRelease(java.toString()).orElse(0) == feature) {
                return java.toString();
            }
        }
        return null;
    }

    static String mmss(long ms) {
        long s = ms / 1000;
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
