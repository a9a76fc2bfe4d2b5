package org.kfork.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.kfork.JvmFlags;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What every kfork benchmark fork gets, in one place: the flags of {@code jvm-flags.properties}
 * for the JDK the fork runs on ({@link JvmFlags#runtime(int)}), checked mode off, and Agrona's
 * bounds checks off.
 *
 * <p>Three ways in, one set of flags:
 * <ul>
 *   <li>the jar's main, {@link JmhMain} ({@code java -jar benchmarks.jar ...}), each class's own
 *       {@code main()} ({@link #runAlone}) and the harness ({@link BenchHarness}) put
 *       {@link #forkJvmArgs(int)} for the fork's JDK first in {@code jvmArgsPrepend}
 *       ({@link #withForkFlags});</li>
 *   <li>plain {@code org.openjdk.jmh.Main} gets, from each class's
 *       {@code @Fork(jvmArgsPrepend = {ADD_EXPORTS, CHECKED_OFF, AGRONA_BOUNDS_OFF})}, the flags
 *       that every JDK takes (an annotation takes only compile-time constants, so not the JDK 23+
 *       ones; a test pins these constants to {@code jvm-flags.properties}).</li>
 * </ul>
 * The prepended flags come before JMH's other JVM arguments, so a user's {@code -jvmArgs} or
 * {@code -jvmArgsAppend} can still override them (e.g. {@code -Dkfork.checked=true}).
 */
public final class BenchSupport {
    /**
     * Agrona's export (jvm-flags.properties' {@code kfork.jvm.flags.all}), as a constant for the
     * classes' {@code @Fork(jvmArgsPrepend)}.
     */
    public static final String ADD_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** Checked mode (the KASAN-like facade checks) off: benchmarks measure the production path. */
    public static final String CHECKED_OFF = "-Dkfork.checked=false";
    /** Agrona's buffer bounds checks off, as in any latency-sensitive Agrona deployment. */
    public static final String AGRONA_BOUNDS_OFF = "-Dagrona.disable.bounds.checks=true";

    /** Releases of java binaries already asked, by path. */
    private static final Map<String, OptionalInt> RELEASES = new ConcurrentHashMap<>();
    private static final Pattern SPEC_VERSION = Pattern.compile("java\\.specification\\.version = (?:1\\.)?(\\d+)");

    private BenchSupport() {
    }

    /** The JVM arguments every benchmark fork gets, for the JDK this runs on. */
    public static List<String> forkJvmArgs() {
        return forkJvmArgs(Runtime.version().feature());
    }

    /** The JVM arguments every benchmark fork gets on JDK {@code feature}. */
    public static List<String> forkJvmArgs(int feature) {
        List<String> args = new ArrayList<>(JvmFlags.runtime(feature));
        args.add(CHECKED_OFF);
        args.add(AGRONA_BOUNDS_OFF);
        return args;
    }

    /** The fork arguments that every JDK takes: what the classes' {@code @Fork(jvmArgsPrepend)} holds. */
    public static List<String> forkJvmArgsOnEveryJdk() {
        List<String> args = new ArrayList<>(JvmFlags.runtimeOnEveryJdk());
        args.add(CHECKED_OFF);
        args.add(AGRONA_BOUNDS_OFF);
        return args;
    }

    /**
     * {@link #forkJvmArgs(int)} for {@code feature}, then those of {@code others} it does not
     * already hold (a user's {@code -jvmArgsPrepend}, a class's {@code @Fork(jvmArgsPrepend)}).
     */
    static String[] forkPrepend(int feature, Collection<String> others) {
        List<String> args = forkJvmArgs(feature);
        for (String a : others) {
            if (!args.contains(a)) {
                args.add(a);
            }
        }
        return args.toArray(new String[0]);
    }

    /**
     * Options that run as {@code parent} says, with the fork flags for the JDK of the forks
     * ({@code -jvm}, else this one) ahead of {@code parent}'s {@code -jvmArgsPrepend}.
     *
     * <p>When {@code parent} gives no {@code -jvmArgs}, JMH hands the forks this JVM's own
     * arguments. If this JVM was started with kfork's flags for another release than the forks',
     * those are dropped from what the forks inherit: they got the right ones above, and a JDK 23+
     * flag would keep a JDK 17 fork from starting.
     */
    public static ChainedOptionsBuilder withForkFlags(Options parent) {
        int current = Runtime.version().feature();
        String jvm = parent.getJvm().orElse(null);
        OptionalInt release = jvm == null ? OptionalInt.of(current) : javaRelease(jvm);
        if (release.isEmpty()) {
            System.err.println("kfork: could not tell which JDK -jvm " + jvm + " is; its forks get only the flags that"
                + " every JDK takes");
        }
        int feature = release.orElse(0);
        ChainedOptionsBuilder b = new OptionsBuilder().parent(parent)
            .jvmArgsPrepend(forkPrepend(feature, parent.getJvmArgsPrepend().orElse(List.of())));
        if (!parent.getJvmArgs().hasValue() && feature != current) {
            List<String> own = ManagementFactory.getRuntimeMXBean().getInputArguments();
            List<String> inherited = new ArrayList<>(own);
            inherited.removeAll(JvmFlags.runtime(Integer.MAX_VALUE));
            if (inherited.size() != own.size()) {
                b.jvmArgs(inherited.toArray(new String[0]));
            }
        }
        return b;
    }

    /**
     * The feature release (17, 25...) of a {@code java} binary: this JVM's when it is this JVM's
     * binary, else asked of it ({@code -XshowSettings:properties -version}); empty when it cannot
     * tell.
     */
    public static OptionalInt javaRelease(String java) {
        Path self = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Path.of(java).toAbsolutePath().normalize().equals(self.toAbsolutePath().normalize())) {
            return OptionalInt.of(Runtime.version().feature());
        }
        return RELEASES.computeIfAbsent(java, BenchSupport::askRelease);
    }

    private static OptionalInt askRelease(String java) {
        try {
            Process p = new ProcessBuilder(java, "-XshowSettings:properties", "-version")
                .redirectErrorStream(true).start();
            String text;
            try (InputStream in = p.getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return OptionalInt.empty();
            }
            Matcher m = SPEC_VERSION.matcher(text);
            return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
        } catch (IOException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** The include regex of every benchmark of {@code benchmarkClass}. */
    public static String includeOf(Class<?> benchmarkClass) {
        return "^" + Pattern.quote(benchmarkClass.getName()) + "\\.";
    }

    /**
     * Runs one benchmark class alone, for its {@code main()}: JMH's command line as
     * {@link JmhMain} takes it (the class's annotations apply, options such as
     * {@code -f 1 -wi 2 -p n=1000 -prof gc} override them), selecting the whole class unless
     * {@code args} name benchmarks (e.g. {@code FieldAccessBench.scan}). Exits with JMH's status
     * when that is not 0.
     */
    public static void runAlone(Class<?> benchmarkClass, String[] args) {
        int status = JmhMain.run(args, includeOf(benchmarkClass));
        if (status != 0) {
            System.exit(status);
        }
    }
}
