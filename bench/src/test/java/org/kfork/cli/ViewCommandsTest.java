package org.kfork.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kfork.proc.Meminfo;

/**
 * The view commands (ps, pstree, status, maps, meminfo, slabinfo) on both kernels: on their own,
 * booting the default machine with init only, and after a script with {@code kfork run --then}.
 */
class ViewCommandsTest {
    private record Result(int code, String out, String err) {
    }

    private static Result kfork(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KforkMain.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A process with two threads (2 and 3) and a child (4, a zombie at the end); a pid namespace
     * (42, its init), with a child (5 in the initial namespace, 2 in 42's) and a namespace below
     * (100; 5 in 42's, 1 in its own). Nothing execs, so every task keeps init's comm.
     */
    private static final String SCRIPT = String.join("\n",
        "$p = fork => 2",
        "as $p",
        "$t = clone flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM => 3",
        "$q = fork => 4",
        "as 1",
        "$a = clone3 flags=CLONE_NEWPID exit_signal=SIGCHLD set_tid=1,42 => 42",
        "as $a",
        "$b = fork => 2",
        "$n = clone3 flags=CLONE_NEWPID exit_signal=SIGCHLD set_tid=1,5,100 => 5",
        "as $q",
        "exit 0",
        "");

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void psAloneShowsInitOfTheDefaultMachine(String impl) {
        Result r = kfork("", "ps", "--impl", impl);
        assertEquals(0, r.code(), r.err());
        assertEquals("    PID     LWP    PPID S COMMAND\n      1       1       0 R init\n", r.out());
        Result tree = kfork("", "pstree", "--impl", impl);
        assertEquals("init(1)\n", tree.out(), tree.err());
        Result mem = kfork("", "meminfo", "--impl", impl, "--ram", "64m");
        assertEquals(0, mem.code(), mem.err());
        assertEquals(65536, Meminfo.field(mem.out(), "MemTotal"));
        assertEquals(16, Meminfo.field(mem.out(), "KernelStack"), "init's stack: 16 kB");
        assertEquals(32, Meminfo.field(mem.out(), "CommitLimit") >> 10, "half of 64 MiB, in MiB");
        assertTrue(mem.out().endsWith("DirectMap1G:           0 kB\n"), mem.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void runThenPrintsEachViewUnderAHeader(String impl) {
        Result r = kfork(SCRIPT, "run", "--impl", impl, "--then", "ps; pstree", "--then", "pstree --ns 42;ps --ns 100;maps 2",
            "-");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        String views = out.substring(out.indexOf("==> ps <==\n"));
        assertEquals(String.join("\n",
            "==> ps <==",
            "    PID     LWP    PPID S COMMAND",
            "      1       1       0 R init",
            "      2       2       1 R init",
            "      2       3       1 R init",
            "      4       4       2 Z init",
            "     42      42       1 R init",
            "      5       5      42 R init",
            "    100     100      42 R init",
            "==> pstree <==",
            "init(1)-+-init(2)-+-{init}(3)",
            "        |         `-init(4)",
            "        `-init(42)-+-init(5)",
            "                   `-init(100)",
            "==> pstree --ns 42 <==",
            "init(1)-+-init(2)",
            "        `-init(5)",
            "==> ps --ns 100 <==",
            "    PID     LWP    PPID S COMMAND",
            "      1       1       0 R init",
            "==> maps 2 <==",
            ""), views.substring(0, views.indexOf("==> maps 2 <==\n") + 15));
        assertTrue(views.endsWith("[stack]\n"), views);
    }

    @Test
    void bothKernelsPrintTheSameViewsAfterAScriptButMemoryTheyKeepDifferently() {
        String then = "ps; pstree; status 2; status 3; status 4; status 100; maps 2; maps 100; meminfo";
        Result off = kfork(SCRIPT, "run", "--impl", "offheap", "--then", then, "-");
        Result heap = kfork(SCRIPT, "run", "--impl", "heap", "--then", then, "-");
        assertEquals(0, off.code(), off.err());
        assertEquals(0, heap.code(), heap.err());
        String offViews = off.out().substring(0, off.out().indexOf("==> meminfo <=="));
        assertEquals(offViews, heap.out().substring(0, heap.out().indexOf("==> meminfo <==")));
        assertTrue(offViews.contains("NStgid:\t100\t5\t1\nNSpid:\t100\t5\t1\n"), offViews);
        assertTrue(offViews.contains("Name:\tinit\nState:\tZ (zombie)\nTgid:\t4\n"), offViews);
        String offMem = off.out().substring(off.out().indexOf("==> meminfo <=="));
        String heapMem = heap.out().substring(heap.out().indexOf("==> meminfo <=="));
        for (String line : new String[] {"MemTotal", "KernelStack", "PageTables", "CommitLimit", "Committed_AS",
            "VmallocTotal", "Hugepagesize", "DirectMap1G"}) {
            assertEquals(Meminfo.field(offMem, line), Meminfo.field(heapMem, line), line);
        }
        // 6 live tasks (1, 2, 3, 42, 5, 100) hold a stack each; the zombie 4 gave its back
        assertEquals(6 * 16, Meminfo.field(offMem, "KernelStack"), offMem);
        assertTrue(Meminfo.field(offMem, "Slab") > 0, offMem);
        assertEquals(0, Meminfo.field(heapMem, "Slab"), "the heap twin's objects are on the Java heap");
        assertTrue(Meminfo.field(offMem, "MemFree") < Meminfo.field(offMem, "MemTotal"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void statusAndMapsOfTheDefaultMachine(String impl) {
        Result s = kfork("", "status", "1", "--impl", impl);
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().startsWith("Name:\tinit\nUmask:\t0022\nState:\tR (running)\nTgid:\t1\n"), s.out());
        // boot's init calls setsid, as the real pid 1 does: it leads its own group and session
        assertTrue(s.out().contains("\nNStgid:\t1\nNSpid:\t1\nNSpgid:\t1\nNSsid:\t1\n"), s.out());
        assertTrue(s.out().contains("\nSpeculationIndirectBranch:\tconditional enabled\n"), s.out());
        Result m = kfork("", "maps", "1", "--impl", impl);
        assertEquals(0, m.code(), m.err());
        assertTrue(m.out().matches("7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 +\\[stack\\]\n"), m.out());
        Result slab = kfork("", "slabinfo", "--impl", impl);
        assertEquals(0, slab.code(), slab.err());
        assertTrue(slab.out().startsWith("slabinfo - version: 2.1\n# name"), slab.out());
        assertTrue(slab.out().matches("(?s).*\\ntask_struct\\s+[1-9].*"), slab.out());
    }

    @Test
    void aPidNoTaskHasExits1() {
        for (String[] args : new String[][] {{"status", "99"}, {"maps", "99"}, {"ps", "--ns", "99"}, {"pstree", "--ns", "99"}}) {
            Result r = kfork("", args);
            assertEquals(1, r.code(), String.join(" ", args));
            assertEquals("", r.out());
            assertEquals("kfork " + args[0] + ": no such process: 99\n", r.err());
        }
    }

    @Test
    void badArgumentsExit2WithAMessageAndNoStackTrace() {
        String[][] bad = {{"status"}, {"status", "abc"}, {"status", "0"}, {"maps", "-3"}, {"ps", "--ns", "0"},
            {"ps", "--impl", "nope"}, {"meminfo", "extra"}, {"slabinfo", "--tasks", "3"}, {"pstree", "--ns"}};
        String[] says = {"Missing required parameter: 'PID'", "'abc' is not an int", "PID must be a pid, 1 or more, not 0",
            "PID must be a pid, 1 or more, not -3", "--ns must be a pid, 1 or more, not 0", "--impl nope: no kernel",
            "Unmatched argument", "--tasks sets up the demo: it needs --demo", "Missing required parameter for option '--ns'"};
        for (int i = 0; i < bad.length; i++) {
            Result r = kfork("", bad[i]);
            assertEquals(2, r.code(), String.join(" ", bad[i]) + ": " + r.err());
            assertTrue(r.err().startsWith("kfork " + bad[i][0] + ": "), r.err());
            assertTrue(r.err().contains(says[i]), r.err());
            assertTrue(!r.err().contains("\tat "), r.err());
        }
    }

    @Test
    void badThenCommandsExit2BeforeTheScriptRuns() {
        String[][] bad = {{"run; ps", "run is not a view command"}, {"status x", "'x' is not an int"},
            {"ps --impl heap", "--impl chooses a kernel to boot"}, {"meminfo --ram 1g", "--ram chooses a kernel"},
            {"slabinfo --demo", "--demo boots a machine of its own"}, {"psx", "psx is not a view command"}};
        for (String[] b : bad) {
            Result r = kfork("getpid\n", "run", "--impl", "echo", "--then", b[0], "-");
            assertEquals(2, r.code(), b[0]);
            assertEquals("", r.out(), "nothing ran");
            assertTrue(r.err().startsWith("kfork run: --then '"), r.err());
            assertTrue(r.err().contains(b[1]), r.err());
        }
    }

    @Test
    void aThenViewThatFailsMakesTheRunExit1AfterTheOthers() {
        Result r = kfork("getpid\n", "run", "--then", "status 77; ps", "-");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().startsWith("[1] getpid() = 1\n==> status 77 <==\n==> ps <==\n    PID"), r.out());
        assertEquals("kfork status: no such process: 77\n", r.err());
    }

    @Test
    void scriptsCatMeminfoAndSlabinfo() {
        Result r = kfork("cat /proc/meminfo => >0\ncat /proc/slabinfo => >0\n", "run", "--impl", "heap", "--ram", "64m", "-");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("[1] cat(\"/proc/meminfo\") = "), r.out());
        assertTrue(r.out().contains("\nMemTotal:          65536 kB\n"), r.out());
        assertTrue(r.out().contains("[1] cat(\"/proc/slabinfo\") = "), r.out());
        assertTrue(r.out().contains("\nslabinfo - version: 2.1\n"), r.out());
    }
}
