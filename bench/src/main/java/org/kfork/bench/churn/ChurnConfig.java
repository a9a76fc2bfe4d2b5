package org.kfork.bench.churn;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One configuration of the churn: a kernel, a collector and a JDK, named
 * {@code <kernel>-<collector>-<jdk>} (e.g. {@code heap-zgc-25}).
 *
 * @param kernel    "offheap" or "heap"
 * @param collector "g1", "parallel" or "zgc"
 * @param jdk       the JDK's feature release (17, 25)
 */
public record ChurnConfig(String kernel, String collector, int jdk) {
    /** The eight configurations of issue 15: both kernels, G1, Parallel and ZGC on 25, G1 on 17. */
    public static final List<ChurnConfig> ALL = List.of(
        new ChurnConfig("offheap", "g1", 25), new ChurnConfig("offheap", "parallel", 25),
        new ChurnConfig("offheap", "zgc", 25), new ChurnConfig("offheap", "g1", 17),
        new ChurnConfig("heap", "g1", 25), new ChurnConfig("heap", "parallel", 25),
        new ChurnConfig("heap", "zgc", 25), new ChurnConfig("heap", "g1", 17));

    /** A configuration. */
    public ChurnConfig {
        if (!kernel.equals("offheap") && !kernel.equals("heap")) {
            throw new IllegalArgumentException("kernel must be offheap or heap: " + kernel);
        }
        if (!collector.equals("g1") && !collector.equals("parallel") && !collector.equals("zgc")) {
            throw new IllegalArgumentException("collector must be g1, parallel or zgc: " + collector);
        }
        if (jdk < 17) {
            throw new IllegalArgumentException("JDK 17 or later: " + jdk);
        }
    }

    /** Parses {@code kernel-collector-jdk}. */
    public static ChurnConfig parse(String name) {
        String[] f = name.trim().toLowerCase(Locale.ROOT).split("-");
        if (f.length != 3) {
            throw new IllegalArgumentException("a configuration is kernel-collector-jdk (e.g. heap-zgc-25): " + name);
        }
        try {
            return new ChurnConfig(f[0], f[1], Integer.parseInt(f[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad JDK in " + name);
        }
    }

    /** A comma-separated list of names, or "all". */
    public static List<ChurnConfig> parseList(String names) {
        if (names.equals("all")) {
            return ALL;
        }
        List<ChurnConfig> out = new ArrayList<>();
        for (String n : names.split(",")) {
            out.add(parse(n));
        }
        return out;
    }

    /** The name: kernel-collector-jdk. */
    public String name() {
        return kernel + "-" + collector + "-" + jdk;
    }

    /** What the report calls it: "heap, ZGC, JDK 25". */
    public String label() {
        String gc = switch (collector) {
            case "g1" -> "G1";
            case "parallel" -> "Parallel";
            default -> jdk >= 21 ? "gen. ZGC" : "ZGC";
        };
        return kernel + ", " + gc + ", JDK " + jdk;
    }

    /**
     * The collector's flags on this JDK. Generational ZGC is the only ZGC from 24 on (where
     * -XX:+ZGenerational is obsolete and warns); on 21 to 23 it takes that flag.
     */
    public List<String> collectorFlags() {
        return switch (collector) {
            case "g1" -> List.of("-XX:+UseG1GC");
            case "parallel" -> List.of("-XX:+UseParallelGC");
            default -> jdk >= 21 && jdk < 24 ? List.of("-XX:+UseZGC", "-XX:+ZGenerational") : List.of("-XX:+UseZGC");
        };
    }
}
