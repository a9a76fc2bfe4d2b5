package org.kfork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SlabinfoCommandTest {
    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KforkMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsSlabinfoOfTheForkCachesAfterTheDemo() {
        Result r = run("slabinfo", "--demo", "--tasks", "10", "--vmas", "3", "--ram", "64m");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        String out = r.out();
        assertTrue(out.startsWith("slabinfo - version: 2.1\n# name"), out);
        // 10 tasks, 5 exited: 5 task_structs and 15 VMAs are live when the table is printed.
        assertTrue(out.matches("(?s).*\\ntask_struct\\s+5\\s+\\d+\\s+7040\\s.*"), out);
        assertTrue(out.matches("(?s).*\\nvm_area_struct\\s+15\\s+\\d+\\s+200\\s.*"), out);
        assertTrue(out.matches("(?s).*\\nmm_struct\\s+5\\s+\\d+\\s+1024\\s.*"), out);
        assertTrue(out.contains("HWCACHE_ALIGN|PANIC|TYPESAFE_BY_RCU|ACCOUNT"), out);
        assertTrue(out.contains("demo: 10 tasks created, 5 exited; max_threads 512"), out);
    }

    @Test
    void sizesTakeTheUsualSuffixes() {
        Result r = run("slabinfo", "--demo", "--tasks", "2", "--ram", "4096k");
        assertEquals(0, r.code(), r.err());
        // set_max_threads: 4 MiB / (8 * THREAD_SIZE) = 32.
        assertTrue(r.out().contains("demo: 2 tasks created, 1 exited; max_threads 32;"), r.out());
    }

    /**
     * More tasks than max_threads allows is refused, naming max_threads and a RAM size that has
     * room; that size does.
     */
    @Test
    void tooManyTasksForTheRamSaysWhyAndWhatFits() {
        Result r = run("slabinfo", "--demo", "--ram", "1m");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        Matcher m = Pattern.compile("max_threads, 20 for 1 MiB of RAM .*-EAGAIN.* or --ram (\\w+) or more").matcher(r.err());
        assertTrue(m.find(), r.err());
        assertEquals("5m", m.group(1), "40 tasks x 128 KiB");
        Result fits = run("slabinfo", "--demo", "--ram", m.group(1));
        assertEquals(0, fits.code(), fits.err());
        assertTrue(fits.out().contains("demo: 40 tasks created, 20 exited; max_threads 40;"), fits.out());
    }

    /** RAM that runs out half way: the table of what was made, and why the rest was not, exit 1. */
    @Test
    void runningOutOfRamSaysWhichAllocationFailed() {
        Result r = run("slabinfo", "--demo", "--ram", "2m", "--tasks", "15", "--vmas", "1000");
        assertEquals(1, r.code());
        assertTrue(r.out().startsWith("slabinfo - version: 2.1"), r.out());
        Matcher made = Pattern.compile("demo: (\\d+) tasks created").matcher(r.out());
        assertTrue(made.find(), r.out());
        int n = Integer.parseInt(made.group(1));
        assertTrue(n > 0 && n < 15, r.out());
        assertTrue(r.err().startsWith("kfork slabinfo: only " + n + " of the 15 tasks were created: RAM ran out"
            + " (-ENOMEM) allocating task " + (n + 1) + "'s vm_area_struct "), r.err());
        assertTrue(r.err().contains("in 2 MiB; a larger --ram"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void aMachineTooSmallToBootIsAFailureWithAReason() {
        Result r = run("slabinfo", "--demo", "--ram", "4096");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("kfork slabinfo: the machine could not boot in 4 KiB of RAM ("), r.err());
        assertTrue(r.err().trim().endsWith("a larger --ram gives it room"), r.err());
        assertEquals(1, r.err().trim().split("\n").length, "one line: " + r.err());
    }
}
