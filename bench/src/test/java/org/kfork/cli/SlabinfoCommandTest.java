package org.kfork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SlabinfoCommandTest {
    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KforkMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void printsSlabinfoOfTheForkCachesAfterTheDemo() {
        String[] r = run("slabinfo", "--tasks", "10", "--vmas", "3", "--ram", "64m");
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        assertTrue(out.startsWith("slabinfo - version: 2.1\n# name"), out);
        // 10 tasks, 5 exited: 5 task_structs and 15 VMAs are live when the table is printed.
        assertTrue(out.matches("(?s).*\\ntask_struct\\s+5\\s+\\d+\\s+7040\\s.*"), out);
        assertTrue(out.matches("(?s).*\\nvm_area_struct\\s+15\\s+\\d+\\s+200\\s.*"), out);
        assertTrue(out.matches("(?s).*\\nmm_struct\\s+5\\s+\\d+\\s+1024\\s.*"), out);
        assertTrue(out.contains("HWCACHE_ALIGN|PANIC|TYPESAFE_BY_RCU|ACCOUNT"), out);
        assertTrue(out.contains("demo: 10 tasks created, 5 exited; max_threads 512"), out);
    }

    @Test
    void rejectsUnknownOptions() {
        String[] r = run("slabinfo", "--bogus");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown option '--bogus'"), r[2]);
    }
}
