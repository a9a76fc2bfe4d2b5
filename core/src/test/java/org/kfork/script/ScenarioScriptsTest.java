package org.kfork.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every scenario under scenarios/ and its subfolders parses, and is self-checking: each line that
 * makes a call or a script command (all but {@code as}) carries an expectation. The scenarios run
 * on both kernels in the tests module (ScenarioTranscriptTest); here they are only read.
 */
class ScenarioScriptsTest {
    /** The scenarios the issue asks for, by file. */
    private static final List<String> EXPECTED = List.of("clone-clear-sighand.kfork", "clone3-args.kfork",
        "fork-and-reap.kfork", "max-threads.kfork", "mm-bounds.kfork", "overcommit-never.kfork",
        "pidns-set-tid.kfork", "rlimit-nproc.kfork", "thread-group-exit.kfork", "vfork-and-exec.kfork",
        "conformance/clone-flags.kfork", "conformance/clone3-set-tid.kfork", "conformance/clone3-size.kfork",
        "conformance/clone3-stack.kfork", "conformance/pidfd.kfork", "conformance/rlimit-threads.kfork",
        "conformance/selftest-clone3.kfork", "conformance/selftest-clone3-cap-checkpoint-restore.kfork",
        "conformance/selftest-clone3-clear-sighand.kfork", "conformance/selftest-clone3-set-tid.kfork",
        "conformance/signals-during-fork.kfork", "conformance/tid-pointers.kfork", "conformance/unshare.kfork");

    static Path scenarios() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path s = p.resolve("scenarios");
            if (Files.isDirectory(s)) {
                return s;
            }
        }
        throw new IllegalStateException("no scenarios/ above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyScenarioParsesAndChecksEveryLine() throws IOException {
        List<String> names = new ArrayList<>();
        Path root = scenarios();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted().toList()) {
                if (!f.getFileName().toString().endsWith(".kfork")) {
                    continue;
                }
                names.add(root.relativize(f).toString().replace('\\', '/'));
                Script s;
                try {
                    s = ScriptParser.parse(f.getFileName().toString(), Files.readString(f));
                } catch (ScriptError e) {
                    throw new AssertionError(e.describe(f.getFileName().toString()), e);
                }
                assertTrue(s.lines().size() >= 10, f + " is a scenario, not a sketch: " + s.lines().size() + " lines");
                for (ScriptLine l : s.lines()) {
                    if (!l.spec().name().equals("as")) {
                        assertTrue(l.expect() != null, f.getFileName() + ":" + l.number() + " has no expectation: " + l.text());
                    }
                }
                assertTrue(s.lines().get(0).text().length() > 0);
                assertTrue(Files.readString(f).startsWith("# "), f + " opens with a comment saying what it shows");
            }
        }
        assertEquals(EXPECTED.stream().sorted().toList(), names.stream().sorted().toList());
    }
}
