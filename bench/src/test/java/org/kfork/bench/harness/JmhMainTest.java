package org.kfork.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kfork.JvmFlags;
import org.kfork.bench.FieldAccessBench;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * The jar's main ({@link JmhMain}) and plain {@code org.openjdk.jmh.Main}, each started as a JVM
 * of its own the way a user starts them: listing, JMH's options, and forks that really got their
 * flags (a fork without Agrona's export cannot touch RAM).
 *
 * <p>Two class paths: the test one, where {@link ForkFlagsProbe} and TinyBench are the only
 * benchmarks (its META-INF/BenchmarkList comes first), and the main one, without the test
 * classes, which holds the real suites as benchmarks.jar does.
 */
class JmhMainTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String TEST_CP = System.getProperty("java.class.path");
    private static final String MAIN_CP = Arrays.stream(TEST_CP.split(File.pathSeparator))
        .filter(e -> !Path.of(e).endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    private static final int FEATURE = Runtime.version().feature();
    /** The shortest run: one fork, one invocation, failing on any benchmark error. */
    private static final List<String> ONE_SHOT = List.of("-bm", "ss", "-f", "1", "-wi", "0", "-i", "1", "-foe", "true");

    @TempDir
    Path dir;

    private record Run(int status, String output) {
    }

    /** {@code java [jvmOptions] -cp cp main args...}, with JMH's lock ignored (other runs may share the machine). */
    private static Run java(String java, List<String> jvmOptions, String cp, String main, List<String> args)
        throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.add("-Djmh.ignoreLock=true");
        cmd.addAll(List.of("-cp", cp, main));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static Run jmhMain(String cp, String... args) throws IOException, InterruptedException {
        return java(JAVA, List.of(), cp, JmhMain.class.getName(), List.of(args));
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }

    /** The probe's record of its fork: the JVM arguments, after checking that RAM was reachable. */
    private List<String> forkArgs(Path file, Run run) throws IOException {
        assertEquals(0, run.status(), run.output());
        assertTrue(Files.exists(file), "the probe's fork ran: " + run.output());
        List<String> lines = Files.readAllLines(file);
        assertEquals(ForkFlagsProbe.MEM_OK, lines.get(0), "the fork wrote and read RAM through Agrona");
        return lines.subList(1, lines.size());
    }

    @Test
    void listsTheSuitesAndTakesJmhsListingOptions() throws Exception {
        Run list = jmhMain(MAIN_CP, "-l");
        assertEquals(0, list.status(), list.output());
        assertTrue(list.output().contains("org.kfork.bench.SlabBench.allocFree\n"), list.output());
        assertTrue(list.output().contains("org.kfork.bench.FieldAccessBench.read\n"), list.output());

        Run params = jmhMain(MAIN_CP, "-lp", "SlabBench");
        assertEquals(0, params.status(), params.output());
        assertTrue(params.output().contains("org.kfork.bench.SlabBench.allocFree"), params.output());
        assertTrue(params.output().contains("param \"variant\" = {OFFHEAP,"), params.output());
        assertFalse(params.output().contains("FieldAccessBench"), "the regex selects: " + params.output());

        Run profilers = jmhMain(MAIN_CP, "-lprof");
        assertEquals(0, profilers.status(), profilers.output());
        assertTrue(profilers.output().contains("gc:"), profilers.output());

        Run help = jmhMain(MAIN_CP, "-h");
        assertEquals(0, help.status(), help.output());
        assertTrue(help.output().contains("-jvmArgsAppend"), help.output());
    }

    @Test
    void badOptionsAndNoMatchFailAsInJmh() throws Exception {
        Run bad = jmhMain(MAIN_CP, "-frobnicate");
        assertEquals(1, bad.status(), bad.output());
        assertTrue(bad.output().contains("Error parsing command line:"), bad.output());
        Run none = jmhMain(MAIN_CP, "NoSuchBench");
        assertEquals(1, none.status(), none.output());
        assertTrue(none.output().contains("No matching benchmarks. Miss-spelled regexp?"), none.output());
    }

    /** The fork gets kfork's flags for its JDK first, then the user's own JVM arguments, in JMH's order. */
    @Test
    void forksGetTheFlagsForTheirJdkAheadOfTheUsersArguments() throws Exception {
        Path out = dir.resolve("args.txt");
        Run run = jmhMain(TEST_CP, concat(ONE_SHOT, "ForkFlagsProbe",
            "-jvmArgsPrepend", "-Dkfork.probe.prepend=1",
            "-jvmArgs", "-Dkfork.probe.out=" + out,
            "-jvmArgsAppend", "-Dkfork.checked=true").toArray(new String[0]));
        List<String> args = forkArgs(out, run);
        List<String> expected = new ArrayList<>(BenchSupport.forkJvmArgs(FEATURE));
        expected.addAll(List.of("-Dkfork.probe.prepend=1", "-Dkfork.probe.out=" + out, "-Dkfork.checked=true"));
        assertEquals(expected, args.subList(0, expected.size()), String.join(" ", args));
        assertTrue(args.contains("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"));
        assertEquals(FEATURE >= 23, args.contains("--sun-misc-unsafe-memory-access=allow"), String.join(" ", args));
    }

    /** Without -jvmArgs a fork inherits this JVM's arguments, as JMH does, after kfork's flags. */
    @Test
    void forksStillInheritTheLaunchersArguments() throws Exception {
        Path out = dir.resolve("args.txt");
        Run run = java(JAVA, List.of("-Dkfork.probe.out=" + out), TEST_CP, JmhMain.class.getName(),
            concat(ONE_SHOT, "ForkFlagsProbe", "-prof", "gc"));
        List<String> args = forkArgs(out, run);
        assertEquals(BenchSupport.forkJvmArgs(FEATURE), args.subList(0, BenchSupport.forkJvmArgs(FEATURE).size()));
        assertTrue(args.contains("-Dkfork.probe.out=" + out), String.join(" ", args));
        assertTrue(run.output().contains("gc.alloc.rate"), "-prof gc ran: " + run.output());
    }

    /** The control: plain JMH gives this probe no flags, and its fork fails where kfork's main succeeds. */
    @Test
    void withoutTheFlagsTheProbesForkFails() throws Exception {
        Path out = dir.resolve("args.txt");
        Run run = java(JAVA, List.of(), TEST_CP, "org.openjdk.jmh.Main",
            concat(ONE_SHOT, "ForkFlagsProbe", "-jvmArgs", "-Dkfork.probe.out=" + out));
        assertNotEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("IllegalAccessError"), run.output());
        assertFalse(Files.exists(out));
    }

    /**
     * {@code -jvm} with another JDK: the fork gets that JDK's flags, and the launcher's own kfork
     * flags (for its JDK, passed as the scripts pass them) do not leak into a fork that rejects them.
     */
    @Test
    void aForkOnAnotherJdkGetsThatJdksFlags() throws Exception {
        String other = null;
        int otherFeature = 0;
        File[] jdks = new File("/usr/lib/jvm").listFiles();
        for (File jdk : jdks == null ? new File[0] : jdks) {
            File java = new File(jdk, "bin/java");
            OptionalInt release = java.canExecute() ? BenchSupport.javaRelease(java.getPath()) : OptionalInt.empty();
            if (release.isPresent() && (release.getAsInt() >= 23) != (FEATURE >= 23)) {
                other = java.getPath();
                otherFeature = release.getAsInt();
                break;
            }
        }
        Assumptions.assumeTrue(other != null, "no JDK on the other side of 23 under /usr/lib/jvm");
        Path out = dir.resolve("args.txt");
        Run run = java(JAVA, JvmFlags.runtime(), TEST_CP, JmhMain.class.getName(),
            concat(ONE_SHOT, "ForkFlagsProbe", "-jvm", other, "-jvmArgsAppend", "-Dkfork.probe.out=" + out));
        List<String> args = forkArgs(out, run);
        List<String> flags = BenchSupport.forkJvmArgs(otherFeature);
        assertEquals(flags, args.subList(0, flags.size()), String.join(" ", args));
        List<String> foreign = new ArrayList<>(JvmFlags.runtime(Integer.MAX_VALUE));
        foreign.removeAll(JvmFlags.runtime(otherFeature));
        for (String f : foreign) {
            assertFalse(args.contains(f), f + " reached a JDK " + otherFeature + " fork: " + args);
        }
    }

    /**
     * Plain {@code org.openjdk.jmh.Main} on the real suites: each class's
     * {@code @Fork(jvmArgsPrepend)} gives its forks the flags every JDK takes, pinned here to
     * jvm-flags.properties, so an OFFHEAP benchmark runs.
     */
    @Test
    void plainJmhMainRunsTheSuitesThroughTheirForkAnnotations() throws Exception {
        Path classes = Path.of(FieldAccessBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<BenchmarkListEntry> entries;
        try (InputStream in = Files.newInputStream(classes.resolve("META-INF/BenchmarkList"))) {
            entries = BenchmarkList.readBenchmarkList(in);
        }
        assertTrue(entries.size() >= 10, "the real suites: " + entries);
        for (BenchmarkListEntry e : entries) {
            assertEquals(BenchSupport.forkJvmArgsOnEveryJdk(), new ArrayList<>(e.getJvmArgsPrepend().orElse(List.of())),
                e.getUsername() + "'s @Fork(jvmArgsPrepend)");
        }
        Run run = java(JAVA, List.of(), MAIN_CP, "org.openjdk.jmh.Main",
            concat(ONE_SHOT, "FieldAccessBench.read", "-p", "variant=OFFHEAP"));
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("FieldAccessBench.read"), run.output());
    }

    /** The jar's main on a real OFFHEAP benchmark, as a JMH user first runs it. */
    @Test
    void jarMainRunsARealOffHeapBenchmarkWithProfGc() throws Exception {
        Run run = jmhMain(MAIN_CP, concat(ONE_SHOT, "SlabBench.allocFree", "-p", "variant=OFFHEAP", "-prof", "gc",
            "-rf", "json", "-rff", dir.resolve("r.json").toString()).toArray(new String[0]));
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("# VM options: " + String.join(" ", BenchSupport.forkJvmArgs(FEATURE))),
            run.output());
        String json = Files.readString(dir.resolve("r.json"));
        assertTrue(json.contains("\"benchmark\" : \"org.kfork.bench.SlabBench.allocFree\""), json);
        assertTrue(json.contains("gc.alloc.rate.norm"), json);
    }
}
