package org.kfork.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kfork.JvmFlags;

/**
 * The shaded bench/target/benchmarks.jar, run with the commands the README gives: its own main is
 * JMH's ({@code java -jar}), plain {@code org.openjdk.jmh.Main} runs from it too, and the kfork
 * tool is a class of its own in it. The reactor packages the bench module before this one; a
 * build that stops before {@code package} has no jar, and these tests are skipped.
 */
class BenchmarksJarTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final List<String> ONE_SHOT = List.of("-bm", "ss", "-f", "1", "-wi", "0", "-i", "1", "-foe", "true");
    private static Path jar;

    @BeforeAll
    static void findJar() {
        jar = Path.of(System.getProperty("kfork.root", ".."), "bench", "target", "benchmarks.jar");
        Assumptions.assumeTrue(Files.exists(jar), "no " + jar + " (the bench module was not packaged)");
    }

    private record Run(int status, String output) {
    }

    private static Run java(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-Djmh.ignoreLock=true"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static List<String> args(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    @Test
    void javaDashJarIsJmh() throws Exception {
        Run list = java(List.of("-jar", jar.toString(), "-l"));
        assertEquals(0, list.status(), list.output());
        assertTrue(list.output().contains("Benchmarks: \n"), list.output());
        assertTrue(list.output().contains("org.kfork.bench.SlabBench.allocFree\n"), list.output());

        Run run = java(args(List.of("-jar", jar.toString(), "SlabBench.allocFree", "-p", "variant=OFFHEAP", "-prof", "gc"),
            ONE_SHOT.toArray(new String[0])));
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("# VM options: " + String.join(" ", JvmFlags.runtime())
            + " -Dkfork.checked=false -Dagrona.disable.bounds.checks=true"), run.output());
        assertTrue(run.output().contains("SlabBench.allocFree:gc.alloc.rate.norm"), run.output());
    }

    @Test
    void plainJmhMainRunsFromTheJar() throws Exception {
        Run run = java(args(List.of("-cp", jar.toString(), "org.openjdk.jmh.Main", "FieldAccessBench.read",
            "-p", "variant=OFFHEAP"), ONE_SHOT.toArray(new String[0])));
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("FieldAccessBench.read"), run.output());
    }

    @Test
    void theKforkToolHasItsOwnEntry() throws Exception {
        List<String> head = new ArrayList<>(JvmFlags.runtime());
        head.addAll(List.of("-cp", jar.toString(), "org.kfork.cli.KforkMain"));
        Run layout = java(args(head, "layout", "task_struct"));
        assertEquals(0, layout.status(), layout.output());
        assertTrue(layout.output().contains("/* size: 7040, align: 64"), layout.output());
        Run bad = java(args(head, "help", "nosuch"));
        assertEquals(2, bad.status(), bad.output());
        assertTrue(bad.output().startsWith("kfork: Unknown subcommand 'nosuch'."), bad.output());
    }
}
