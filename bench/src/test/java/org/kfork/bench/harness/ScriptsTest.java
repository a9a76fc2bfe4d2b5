package org.kfork.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/bench.sh, scripts/profile.sh and scripts/kfork, run as a user runs them. {@code KFORK_CP} points them
 * at this test's class path, where TinyBench is the only benchmark, so they need no build.
 */
class ScriptsTest {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;

    record Run(int status, String output) {
    }

    static Run run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        return run(Map.of(), timeoutSeconds, command);
    }

    static Run run(Map<String, String> env, long timeoutSeconds, String... command)
        throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, ROOT.resolve(cmd.get(0)).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("KFORK_CP", System.getProperty("java.class.path"));
        // Other JMH runs may share this machine; the test's tiny run does not need the lock.
        pb.environment().put("JAVA_OPTS", "-Djmh.ignoreLock=true");
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "timed out: " + cmd);
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println(text);
        return new Run(p.exitValue(), text);
    }

    @Test
    void benchBadOptionGivesUsageAndExit2() throws Exception {
        Run r = run(30, "scripts/bench.sh", "--frobnicate");
        assertEquals(2, r.status());
        assertTrue(r.output().contains("usage: scripts/bench.sh"), r.output());
        assertEquals(2, run(30, "scripts/bench.sh", "--only").status());
    }

    @Test
    void benchUnknownBenchmarkListsTheBenchmarks() throws Exception {
        Run r = run(60, "scripts/bench.sh", "--only", "NoSuchBench");
        assertEquals(2, r.status());
        assertTrue(r.output().contains("no benchmark matches 'NoSuchBench'"), r.output());
        assertTrue(r.output().contains("org.kfork.bench.harness.TinyBench.sum"), r.output());
    }

    @Test
    void kforkScriptRunsTheToolWithItsExitCodes() throws Exception {
        Run help = run(30, "scripts/kfork", "help", "layout");
        assertEquals(0, help.status(), help.output());
        assertTrue(help.output().startsWith("Usage: kfork layout"), help.output());
        Run bad = run(30, "scripts/kfork", "help", "nosuch");
        assertEquals(2, bad.status(), bad.output());
        assertTrue(bad.output().startsWith("kfork: Unknown subcommand 'nosuch'."), bad.output());
        Run layout = run(30, "scripts/kfork", "layout", "vm_area_struct");
        assertEquals(0, layout.status(), layout.output());
        assertTrue(layout.output().contains("/* size: 200,"), layout.output());
    }

    /** JAVA_OPTS reaches the JVM: here a smaller RAM region, which the --ram check then names. */
    @Test
    void kforkScriptPassesJavaOpts() throws Exception {
        Run r = run(Map.of("JAVA_OPTS", "-Dkfork.ram.capacity=64m"), 30, "scripts/kfork", "slabinfo", "--ram", "128m");
        assertEquals(2, r.status(), r.output());
        assertTrue(r.output().startsWith("kfork slabinfo: --ram 128 MiB does not fit this JVM's RAM region: 64 MiB"
            + " of address space (-Dkfork.ram.capacity=64m)"), r.output());
    }

    @Test
    void profileUnknownBenchmarkIsAClearError() throws Exception {
        Run r = run(60, "scripts/profile.sh", "NoSuchBench", "--short");
        assertEquals(2, r.status());
        assertTrue(r.output().contains("org.kfork.bench.harness.TinyBench.sum"), r.output());
        assertEquals(2, run(30, "scripts/profile.sh", "TinyBench", "--event", "bogus").status());
    }

    @Test
    void profileWritesAFlameGraph() throws Exception {
        Run r = run(120, "scripts/profile.sh", "TinyBench", "--short", "--out", dir.toString(),
            "--", "-p", "n=16", "-p", "variant=OFFHEAP");
        assertEquals(0, r.status(), r.output());
        List<Path> flames;
        try (Stream<Path> s = Files.walk(dir)) {
            flames = s.filter(p -> p.getFileName().toString().endsWith(".html")).collect(Collectors.toList());
        }
        assertFalse(flames.isEmpty(), "no flame graph under " + dir + "\n" + r.output());
        for (Path f : flames) {
            String html = Files.readString(f);
            assertTrue(html.contains("<html") || html.contains("<!DOCTYPE"), f.toString());
            assertTrue(html.contains("TinyBench"), "the flame graph shows the benchmark's frames: " + f);
            assertTrue(r.output().contains(f.toString()), "profile.sh prints " + f);
        }
        assertTrue(r.output().contains("gc.alloc.rate.norm"), r.output());
        assertTrue(Files.exists(dir.resolve("jmh-result.json")));
        assertTrue(new File(ROOT.toFile(), "bench/target").isDirectory());
    }

    @Test
    void profileFallsBackToItimerWhenPerfEventsAreRefused() throws Exception {
        Run r = run(Map.of("KFORK_PROFILE_NO_PERF", "1"), 120, "scripts/profile.sh", "TinyBench", "--short",
            "--out", dir.toString(), "--", "-p", "n=16", "-p", "variant=HEAP");
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("falling back to --event itimer"), r.output());
        try (Stream<Path> s = Files.walk(dir)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().equals("flame-itimer-forward.html")),
                r.output());
        }
    }
}
