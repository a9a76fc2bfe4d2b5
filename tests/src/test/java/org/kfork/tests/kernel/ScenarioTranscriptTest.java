package org.kfork.tests.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kfork.api.Kernel;
import org.kfork.api.Kernels;
import org.kfork.script.RunResult;
import org.kfork.script.Script;
import org.kfork.script.ScriptParser;
import org.kfork.script.ScriptRunner;

/**
 * {@code kfork run} of every scenario under scenarios/ and its subfolders (the conformance scripts
 * of scenarios/conformance) on both kernels: each runs to its end with every expectation met, and
 * the two kernels print the same transcript, byte for byte.
 */
class ScenarioTranscriptTest {
    static Stream<Path> scenarios() throws IOException {
        Path dir = Path.of(System.getProperty("basedir", ".")).resolve("../scenarios").normalize();
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> p.toString().endsWith(".kfork")).sorted().forEach(all::add);
        }
        assertFalse(all.isEmpty(), "no scenario under " + dir);
        return all.stream();
    }

    /** The transcript of a run of {@code script} on the kernel named {@code impl}. */
    static String run(String impl, Path file) throws IOException {
        Script script = ScriptParser.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        try (Kernel k = Kernels.boot(impl, ScriptRunner.config(1L << 30, 2))) {
            RunResult r = new ScriptRunner(k, l -> out.append(l).append('\n'), Duration.ofSeconds(20)).run(script);
            assertEquals(RunResult.Status.RAN, r.status(), impl + " " + file.getFileName() + ": " + r.message() + "\n" + out);
        }
        return out.toString();
    }

    @ParameterizedTest
    @MethodSource("scenarios")
    void bothKernelsRunTheScenarioAlike(Path file) throws IOException {
        String offheap = run("offheap", file);
        String heap = run("heap", file);
        assertTrue(offheap.startsWith("["), offheap);
        assertEquals(offheap, heap, file + ": the two kernels' transcripts");
    }
}
