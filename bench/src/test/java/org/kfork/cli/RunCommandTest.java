package org.kfork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kfork.script.ScriptImages;

/** {@code kfork run}: reading a script, printing its transcript, and its exit codes. */
class RunCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result kfork(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KforkMain.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String script(String text) throws IOException {
        Path p = dir.resolve("s.kfork");
        Files.writeString(p, text);
        return p.toString();
    }

    @Test
    void runsAScriptFileAndPrintsTheTranscript() throws IOException {
        String f = script("$c = fork => >0\nas $c\ngetpid => $c\nkill 999 0 => -ESRCH\n");
        Result r = kfork("", "run", "--impl", "echo", f);
        assertEquals(0, r.code(), r.err());
        assertEquals("[1] fork() = 2\n[2] getpid() = 2\n[2] kill(999, 0) = -1 ESRCH (No such process)\n", r.out());
        assertEquals("", r.err());
        // The fixed machine: 1 GiB and 2 CPUs unless told otherwise, pid 1 running the runner's init.
        assertEquals(1L << 30, EchoKernelProvider.lastConfig.ramBytes());
        assertEquals(2, EchoKernelProvider.lastConfig.nrCpus());
        assertEquals(ScriptImages.init(), EchoKernelProvider.lastConfig.initImage());
        Result small = kfork("", "run", "--impl", "echo", "--ram", "64m", "--cpus", "4", f);
        assertEquals(0, small.code(), small.err());
        assertEquals(64L << 20, EchoKernelProvider.lastConfig.ramBytes());
        assertEquals(4, EchoKernelProvider.lastConfig.nrCpus());
    }

    @Test
    void readsStandardInput() {
        Result r = kfork("getpid\n", "run", "--impl", "echo", "-");
        assertEquals(0, r.code(), r.err());
        assertEquals("[1] getpid() = 1\n", r.out());
        Result none = kfork("getpid\n", "run", "--impl", "echo");
        assertEquals("[1] getpid() = 1\n", none.out(), "no FILE reads standard input");
    }

    @Test
    void aFailedExpectationExits1NamingTheLine() throws IOException {
        String f = script("getpid\nfork => -EAGAIN\ngetpid\n");
        Result r = kfork("", "run", "--impl", "echo", f);
        assertEquals(1, r.code());
        assertEquals("[1] getpid() = 1\n[1] fork() = 2\n", r.out());
        assertEquals("kfork run: " + f + ":2: fork: expected -EAGAIN, got 2\n", r.err());
    }

    @Test
    void aScriptErrorExits2NamingLineAndColumnBeforeAnythingRuns() {
        Result r = kfork("getpid\n\n  forkk\n", "run", "--impl", "echo");
        assertEquals(2, r.code());
        assertEquals("", r.out(), "the script is parsed whole before the kernel boots");
        assertEquals("kfork run: <stdin>:3:3: unknown call 'forkk'; did you mean fork?\n", r.err());
    }

    @Test
    void aKernelExceptionExits1AsABugWithoutAStackTrace() {
        Result r = kfork("getpid\ngetppid\n", "run", "--impl", "echo");
        assertEquals(1, r.code());
        assertEquals("[1] getpid() = 1\n", r.out());
        assertTrue(r.err().startsWith("kfork run: <stdin>:2: getppid: the kernel threw java.lang.IllegalStateException: "
            + "echo has no parents (a bug"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void usageErrors() {
        for (String[] c : new String[][] {
            {"--impl", "nosuch", "-"},
            {"--timeout", "0", "-"},
            {"--timeout", "abc", "-"},
            {"--cpus", "0", "-"},
            {"/no/such/file.kfork"},
            {"a", "b"},
        }) {
            String[] args = new String[c.length + 1];
            args[0] = "run";
            System.arraycopy(c, 0, args, 1, c.length);
            Result r = kfork("getpid\n", args);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals("", r.out());
            assertTrue(r.err().startsWith("kfork run: "), r.err());
            assertTrue(r.err().contains("Usage: kfork run"), r.err());
            assertFalse(r.err().contains("\tat "), r.err());
        }
        assertTrue(kfork("", "run", "--impl", "nosuch", "-").err()
            .startsWith("kfork run: --impl nosuch: no kernel of that name on the class path; present: echo"));
        assertTrue(kfork("", "run", "/no/such/file.kfork").err().startsWith("kfork run: no such file: /no/such/file.kfork"));
    }

    @Test
    void helpShowsTheRunDefaults() {
        Result r = kfork("", "help", "run");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("Usage: kfork run"), r.out());
        assertTrue(r.out().contains("(default: 1g)"), r.out());
        assertTrue(r.out().contains("--impl=NAME"), r.out());
        assertTrue(r.out().contains("--timeout=SECONDS"), r.out());
        // The view commands boot the same default machine.
        assertTrue(kfork("", "help", "slabinfo").out().contains("(default: 1g)"));
        assertTrue(kfork("", "help", "meminfo").out().contains("(default: 1g)"));
    }
}
