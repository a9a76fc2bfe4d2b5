package org.kfork.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.kfork.JvmFlags;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What every kfork benchmark fork gets, in one place.
 *
 * <p>{@code @Fork(jvmArgsAppend = ...)} takes compile-time constants, so the JVM flags cannot come
 * from the project's flag list there. Instead the harness ({@link BenchHarness}) and each class's
 * own {@code main()} (through {@link #runAlone}) build JMH options with {@link #forkJvmArgs()}:
 * the flags of {@code jvm-flags.properties} for the running JDK ({@link JvmFlags#runtime()}), checked mode
 * off, and Agrona's bounds checks off. Running a suite through plain {@code org.openjdk.jmh.Main}
 * needs the same flags passed with {@code -jvmArgsAppend}; scripts/bench.sh never does that.
 */
public final class BenchSupport {
    /** Checked mode (the KASAN-like facade checks) off: benchmarks measure the production path. */
    public static final String CHECKED_OFF = "-Dkfork.checked=false";
    /** Agrona's buffer bounds checks off, as in any latency-sensitive Agrona deployment. */
    public static final String AGRONA_BOUNDS_OFF = "-Dagrona.disable.bounds.checks=true";

    private BenchSupport() {
    }

    /** The JVM arguments every benchmark fork gets, for the JDK this runs on. */
    public static List<String> forkJvmArgs() {
        List<String> args = new ArrayList<>(JvmFlags.runtime());
        args.add(CHECKED_OFF);
        args.add(AGRONA_BOUNDS_OFF);
        return args;
    }

    /** Options that select exactly the benchmarks of {@code benchmarkClass}, with the fork flags. */
    public static ChainedOptionsBuilder optionsFor(Class<?> benchmarkClass) {
        return new OptionsBuilder()
            .include("^" + Pattern.quote(benchmarkClass.getName()) + "\\.")
            .jvmArgsAppend(forkJvmArgs().toArray(new String[0]));
    }

    /**
     * Runs one benchmark class alone, for its {@code main()}: the class's own annotations apply,
     * JMH command-line options in {@code args} (e.g. {@code -f 1 -wi 2 -p n=1000}) override them,
     * and the fork flags are appended to whatever {@code -jvmArgsAppend} the command line gives.
     * A benchmark regex in {@code args} (e.g. {@code FieldAccessBench.scan}) replaces the default
     * selection of the whole class.
     */
    public static void runAlone(Class<?> benchmarkClass, String[] args) throws RunnerException {
        CommandLineOptions cli;
        try {
            cli = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("bad JMH option: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<String> append = new ArrayList<>(cli.getJvmArgsAppend().orElse(List.of()));
        append.addAll(forkJvmArgs());
        ChainedOptionsBuilder b = new OptionsBuilder()
            .parent(cli)
            .jvmArgsAppend(append.toArray(new String[0]));
        if (cli.getIncludes().isEmpty()) {
            b.include("^" + Pattern.quote(benchmarkClass.getName()) + "\\.");
        }
        new Runner(b.build()).run();
    }
}
