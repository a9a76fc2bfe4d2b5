package org.kfork.bench.churn;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;
import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.Kernels;

/**
 * One configuration of the churn benchmark, in the JVM it runs in (the collector is that JVM's):
 * builds the live set, warms up, measures throughput on one and on every driver thread, then
 * latency at a fixed rate on one thread, then memory, and writes the result as JSON.
 *
 * <p>Phases, each timed by the caller's {@link Settings}:
 * <ol>
 *   <li><b>setup</b>: {@link ChurnWorkload#build}.</li>
 *   <li><b>warm-up</b>: one thread at full speed, at least {@code warmupMin} seconds; with the heap
 *       twin, until the collector has collected the old generation once (steady state), or
 *       {@code warmupMax} seconds. The off-heap kernel keeps no live set on the heap, so it
 *       stops at {@code warmupMin} (JIT warm-up).</li>
 *   <li><b>throughput 1T</b>: one thread at full speed, the drivers in turn.</li>
 *   <li><b>throughput NT</b>: one thread per driver, each on its own processes.</li>
 *   <li><b>latency</b>: one thread, one op every {@code 1/rate} seconds; each op's time is
 *       recorded with HdrHistogram's {@code recordValueWithExpectedInterval}, which adds the
 *       samples a late op kept from starting (coordinated omission).</li>
 *   <li><b>memory</b>: the RSS, then the live bytes after a System.gc(): Java heap used, plus,
 *       off-heap, the modeled RAM the kernel holds (MemTotal - MemFree).</li>
 * </ol>
 * The objects of each kind are counted after setup and at the end: the live set must not move.
 *
 * <p>Each call through the Kernel API binds its Java thread to the calling task's modeled CPU
 * (the system-call layer does it, as a task's call runs on its CPU); the kernels place a new
 * task on the least loaded CPU, so the processes of a driver are spread over both CPUs.
 */
public final class ChurnRun {
    /** Latencies above this are recorded as this (the histogram's range). */
    static final long MAX_LATENCY_NS = TimeUnit.SECONDS.toNanos(60);

    /** What to run. */
    public record Settings(String config, String kernel, int processes, int vmas, int drivers, long ramBytes, double warmupMin,
                           double warmupMax, double throughputSeconds, double latencySeconds, double rate,
                           boolean setupOnly, long seed) {
    }

    private final Settings s;
    private final Consumer<String> progress;
    private final GcWatch gc = new GcWatch();
    private final JsonOut json = new JsonOut();

    private ChurnRun(Settings s, Consumer<String> progress) {
        this.s = s;
        this.progress = progress;
    }

    /** Runs {@code s}; returns the result as JSON text. */
    public static String run(Settings s, Consumer<String> progress) {
        return new ChurnRun(s, progress).run();
    }

    private String run() {
        json.str("config", s.config()).str("kernel", s.kernel()).num("processes", s.processes()).num("vmas", s.vmas())
            .num("drivers", s.drivers()).num("jdk", Runtime.version().feature())
            .str("collector", collector()).num("heapMaxBytes", Runtime.getRuntime().maxMemory())
            .num("ramBytes", s.ramBytes());
        long t0 = System.nanoTime();
        Kernel k = Kernels.boot(s.kernel(), KernelConfig.DEFAULT.withRam(s.ramBytes()).withCpus(2));
        boolean closed = false;
        try {
            long threads = s.processes() + 16L * s.drivers() + 64;
            if (k.sysctl("kernel.threads-max") < threads && k.sysctl("kernel.threads-max", threads) != 0) {
                throw new IllegalStateException("kernel.threads-max cannot be raised to " + threads);
            }
            ChurnWorkload w = ChurnWorkload.build(k, s.processes(), s.drivers(), s.vmas(), s.seed(), progress);
            double setup = (System.nanoTime() - t0) / 1e9;
            progress.accept(String.format("setup: %d processes, %d live VMAs in %.1f s", w.processes(), w.liveVmas(),
                setup));
            json.num("setupSeconds", setup).num("liveVmas", w.liveVmas());
            Map<String, Long> before = counts(k);
            json.obj("countsBefore");
            before.forEach(json::num);
            json.end();
            if (!s.setupOnly()) {
                churn(w);
                Map<String, Long> after = counts(k);
                json.obj("countsAfter");
                after.forEach(json::num);
                json.end();
            }
            memory(k, w);
            long c0 = System.nanoTime();
            closed = true;
            k.close();
            json.num("closeSeconds", (System.nanoTime() - c0) / 1e9);
        } finally {
            if (!closed) {
                k.close();
            }
        }
        return json.text();
    }

    private static Map<String, Long> counts(Kernel k) {
        return new TreeMap<>(k.objectCounts());
    }

    private void churn(ChurnWorkload w) {
        ChurnWorkload.Driver[] ds = w.drivers();
        // warm-up
        GcWatch.Window warm = gc.start();
        long start = System.nanoTime();
        long minNs = (long) (s.warmupMin() * 1e9);
        long maxNs = (long) (s.warmupMax() * 1e9);
        boolean offHeap = !"heap".equals(s.kernel());
        long ops = 0;
        long now;
        while (true) {
            ds[(int) (ops++ % ds.length)].op();
            now = System.nanoTime();
            if (now - start >= maxNs || now - start >= minNs && (offHeap || gc.oldCollections() > 0)) {
                break;
            }
        }
        gc.stop(warm);
        json.obj("warmup").num("seconds", (now - start) / 1e9).num("ops", ops)
            .bool("oldGenCollected", warm.oldCollections > 0);
        warm.json(json);
        json.end();
        progress.accept(String.format("warm-up: %d ops in %.1f s, %d old-generation collections", ops,
            (now - start) / 1e9, warm.oldCollections));

        GcWatch.Window measured = gc.start();
        double one = throughput1(ds);
        progress.accept(String.format("throughput, 1 thread: %.0f ops/s", one));
        double all = throughputN(ds);
        progress.accept(String.format("throughput, %d threads: %.0f ops/s", ds.length, all));
        json.num("opsPerSec1", one).num("opsPerSecN", all);

        GcWatch.Window lat = gc.start();
        Histogram h = latency(ds);
        gc.stop(lat);
        measured.pauses += lat.pauses;
        measured.pauseMsTotal += lat.pauseMsTotal;
        measured.pauseMsMax = Math.max(measured.pauseMsMax, lat.pauseMsMax);
        measured.cycles += lat.cycles;
        measured.oldCollections += lat.oldCollections;
        gc.stop(measured);
        json.obj("latency").num("rate", s.rate()).num("count", h.getTotalCount())
            .num("p50", h.getValueAtPercentile(50)).num("p99", h.getValueAtPercentile(99))
            .num("p999", h.getValueAtPercentile(99.9)).num("p9999", h.getValueAtPercentile(99.99))
            .num("max", h.getMaxValue()).num("mean", h.getMean()).str("histogram", encode(h));
        lat.json(json.obj("gc"));
        json.end().end();
        json.obj("gc");
        measured.json(json);
        json.end();
        progress.accept(String.format("latency at %.0f ops/s: p50 %s, p99 %s, p99.9 %s, p99.99 %s, max %s; GC %d pauses,"
            + " %d ms total, %d ms max, %d ms CPU", s.rate(), us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(99)),
            us(h.getValueAtPercentile(99.9)), us(h.getValueAtPercentile(99.99)), us(h.getMaxValue()), measured.pauses,
            measured.pauseMsTotal, measured.pauseMsMax, measured.gcCpuNs / 1_000_000));
    }

    private double throughput1(ChurnWorkload.Driver[] ds) {
        long end = System.nanoTime() + (long) (s.throughputSeconds() * 1e9);
        long start = System.nanoTime();
        long ops = 0;
        long now;
        do {
            ds[(int) (ops++ % ds.length)].op();
        } while ((now = System.nanoTime()) < end);
        return ops / ((now - start) / 1e9);
    }

    private double throughputN(ChurnWorkload.Driver[] ds) {
        long[] ops = new long[ds.length];
        long[] ns = new long[ds.length];
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread[] ts = new Thread[ds.length];
        long span = (long) (s.throughputSeconds() * 1e9);
        for (int i = 0; i < ds.length; i++) {
            final int d = i;
            ts[i] = new Thread(() -> {
                try {
                    go.await();
                    long start = System.nanoTime();
                    long end = start + span;
                    long n = 0;
                    long now;
                    do {
                        ds[d].op();
                        n++;
                    } while ((now = System.nanoTime()) < end);
                    ops[d] = n;
                    ns[d] = now - start;
                } catch (Throwable e) {
                    failed.compareAndSet(null, e);
                }
            }, "churn-driver-" + i);
            ts[i].start();
        }
        go.countDown();
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (failed.get() != null) {
            throw new IllegalStateException("a driver failed", failed.get());
        }
        double rate = 0;
        for (int i = 0; i < ds.length; i++) {
            rate += ops[i] / (ns[i] / 1e9);
        }
        return rate;
    }

    private Histogram latency(ChurnWorkload.Driver[] ds) {
        Histogram h = new Histogram(MAX_LATENCY_NS, 3);
        long interval = (long) (1e9 / s.rate());
        long next = System.nanoTime();
        long end = next + (long) (s.latencySeconds() * 1e9);
        long ops = 0;
        while (true) {
            long now;
            while ((now = System.nanoTime()) < next) {
                if (next - now > 200_000) {
                    LockSupport.parkNanos(next - now - 100_000); // the timer's slack, then spin
                } else {
                    Thread.onSpinWait();
                }
            }
            if (now >= end) {
                return h;
            }
            ds[(int) (ops++ % ds.length)].op();
            long done = System.nanoTime();
            h.recordValueWithExpectedInterval(Math.min(done - now, MAX_LATENCY_NS), interval);
            next += interval;
            if (next < done) {
                next = done; // behind: the starts missed are the expected-interval samples above
            }
        }
    }

    private void memory(Kernel k, ChurnWorkload w) {
        long rss = rssBytes();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long ram = "heap".equals(s.kernel()) ? 0 : ramUsed(k.meminfo());
        double perVma = (heap + ram) / (double) w.liveVmas();
        json.obj("memory").num("rssBytes", rss).num("heapUsedAfterGc", heap).num("ramUsed", ram)
            .num("liveBytesPerVma", perVma).num("rssBytesPerVma", rss / (double) w.liveVmas());
        json.end();
        progress.accept(String.format("memory: RSS %d MiB, heap after GC %d MiB, modeled RAM held %d MiB,"
            + " %.0f live B/VMA, %.0f RSS B/VMA", rss >> 20, heap >> 20, ram >> 20, perVma, rss / (double) w.liveVmas()));
    }

    /** MemTotal - MemFree of /proc/meminfo's text, in bytes. */
    static long ramUsed(String meminfo) {
        Map<String, Long> kb = new HashMap<>();
        for (String line : meminfo.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].endsWith(":")) {
                try {
                    kb.put(f[0].substring(0, f[0].length() - 1), Long.parseLong(f[1]));
                } catch (NumberFormatException e) {
                    // not a number line
                }
            }
        }
        if (!kb.containsKey("MemTotal") || !kb.containsKey("MemFree")) {
            throw new IllegalStateException("meminfo without MemTotal and MemFree");
        }
        return (kb.get("MemTotal") - kb.get("MemFree")) << 10;
    }

    /** VmRSS of /proc/self/status, in bytes (0 without /proc). */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) << 10;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    private static String collector() {
        StringBuilder b = new StringBuilder();
        ManagementFactory.getGarbageCollectorMXBeans().forEach(g -> b.append(b.length() == 0 ? "" : ", ").append(g.getName()));
        return b.toString();
    }

    /** The histogram, compressed and in base 64 (HdrHistogram's own encoding). */
    static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[n];
        buf.flip();
        buf.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String us(long ns) {
        return ns >= 10_000_000 ? String.format("%.0f ms", ns / 1e6) : String.format("%.0f us", ns / 1e3);
    }

    /**
     * The child JVM's entry: {@code ChurnRun --kernel offheap|heap --processes M --vmas V --drivers D
     * --ram BYTES --config NAME --warmup MIN:MAX --throughput S --latency S --rate OPS [--setup-only] [--seed N]
     * --out FILE}. Progress goes to standard output; exit status 0 when the result was written.
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--setup-only")) {
                o.put("setup-only", "true");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                o.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("bad argument " + args[i]);
            }
        }
        String[] warm = o.getOrDefault("warmup", "5:20").split(":");
        Settings s = new Settings(o.get("config"), o.getOrDefault("kernel", "offheap"), Integer.parseInt(o.getOrDefault("processes", "100")),
            Integer.parseInt(o.getOrDefault("vmas", "1000")), Integer.parseInt(o.getOrDefault("drivers", "2")),
            Long.parseLong(o.getOrDefault("ram", Long.toString(1L << 30))), Double.parseDouble(warm[0]),
            Double.parseDouble(warm[warm.length - 1]), Double.parseDouble(o.getOrDefault("throughput", "5")),
            Double.parseDouble(o.getOrDefault("latency", "10")), Double.parseDouble(o.getOrDefault("rate", "1000")),
            o.containsKey("setup-only"), Long.parseLong(o.getOrDefault("seed", "15")));
        String out = run(s, line -> {
            System.out.println(line);
            System.out.flush();
        });
        if (o.containsKey("out")) {
            Files.writeString(Path.of(o.get("out")), out, StandardCharsets.UTF_8);
        } else {
            System.out.print(out);
        }
    }
}
