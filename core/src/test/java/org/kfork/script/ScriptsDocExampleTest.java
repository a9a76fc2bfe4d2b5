package org.kfork.script;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kfork.api.Kernel;

/**
 * The Java example of docs/scripts.md ("From Java") and the script of the README, as written
 * there, on the test kernel in place of {@code Kernels.boot("heap", ...)}.
 */
class ScriptsDocExampleTest {
    @Test
    void theReadmeScriptAndTheJavaExample() {
        String text = "$c = fork => >0\nas $c\nexit 3\nas 1\nwait4 $c => $c\n";
        List<String> out = new ArrayList<>();
        Script script = ScriptParser.parse("my.kfork", text);
        try (Kernel kernel = new FakeKernel(ScriptRunner.config(1L << 30, 2))) {
            RunResult r = new ScriptRunner(kernel, out::add, ScriptRunner.DEFAULT_TIMEOUT).run(script);
            assertEquals(0, r.exitCode(), r.describe("my.kfork"));
        }
        assertEquals(List.of("[1] fork() = 2", "[2] exit(3) = ?",
            "[1] wait4(2, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 2"), out);
    }
}
