package org.kfork.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.VmAreaStruct;

/** bench/native builds with gcc where gcc exists, and its results read back as measured anchors. */
class NativeAnchorsBuildTest {
    @TempDir
    Path dir;

    static boolean gcc() {
        try {
            return new ProcessBuilder("gcc", "--version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void buildsAndRunsTheAnchors() throws Exception {
        assumeTrue(gcc(), "gcc is not installed: the native anchors are skipped, as the report says");
        Path nativeDir = ScriptsTest.ROOT.resolve("bench/native");
        Path out = dir.resolve("native.jsonl");
        ProcessBuilder pb = new ProcessBuilder(nativeDir.resolve("run.sh").toString(), "--smoke",
            "--sizes", ForkCopySizes.spec(), out.toString()).redirectErrorStream(true);
        pb.environment().put("KFORK_NO_APT", "1");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), log);
        assertEquals(0, p.exitValue(), log);

        List<String> status = Files.readAllLines(nativeDir.resolve("build/status.jsonl"));
        assertEquals(6, status.size(), "one status line per anchor program: " + status);
        for (String line : status) {
            Map<?, ?> m = (Map<?, ?>) Json.parse(line);
            if ("built".equals(m.get("status"))) {
                String bin = "fork".equals(m.get("suite")) ? "forkvma" : String.valueOf(m.get("suite"));
                assertTrue(Files.isExecutable(nativeDir.resolve("build").resolve(bin)), line);
            }
        }

        NativeAnchors anchors = NativeAnchors.load(out);
        NativeAnchors.Anchor pair = anchors.find("percpu", "pair_1t", 1);
        assertNotNull(pair);
        assertTrue(pair.measured() && pair.nsPerOp() > 0 && pair.nsPerOp() < 10_000, pair.toString());
        assertTrue(anchors.find("memset", "memset_16k", 16384).measured());
        assertTrue(anchors.find("malloc", "malloc_free", 200).measured());
        NativeAnchors.Anchor slope = anchors.find("fork", "slope_return_untouched", 0);
        assertTrue(slope.measured() && slope.nsPerOp() > 0, slope.toString());
        assertForkBenchAnchors(anchors);
        NativeAnchors.Anchor find = anchors.find("rbtree", "find_random", 1000);
        if (status.stream().anyMatch(l -> l.contains("\"rbtree\",\"status\":\"built\""))) {
            assertTrue(find.measured() && find.nsPerOp() > 0, find.toString());
            assertTrue(anchors.find("rbtree", "clone", 10000).measured());
        } else {
            assertTrue(!find.measured() && anchors.notMeasured().containsKey("rbtree"),
                "without libbsd the rb-tree anchor falls back to the reference and says so");
        }
    }

    /** clone.c and forkcopy.c: every figure ForkBench's mapping needs, measured, with its detail. */
    private static void assertForkBenchAnchors(NativeAnchors anchors) {
        for (long n : new long[] {10, 100, 1000, 10000}) {
            NativeAnchors.Anchor call = anchors.find("clone", "fork_call", n);
            NativeAnchors.Anchor teardown = anchors.find("clone", "fork_teardown", n);
            NativeAnchors.Anchor total = anchors.find("clone", "fork_total", n);
            for (NativeAnchors.Anchor a : List.of(call, teardown, total)) {
                assertTrue(a != null && a.measured() && a.nsPerOp() > 0, n + ": " + a);
            }
            assertTrue(call.detail().contains("VMAs at fork"), call.detail());
            assertTrue(anchors.find("clone", "fork_call_per_vma", n).nsPerOp() < call.nsPerOp());
            NativeAnchors.Anchor copy = anchors.find("forkcopy", "fork_copy", n);
            assertTrue(copy.measured() && copy.nsPerOp() > 0, copy.toString());
            // The sizes used are the layouts', and the output says so.
            assertTrue(copy.detail().contains("task_struct=" + TaskStruct.SIZEOF + " "), copy.detail());
            assertTrue(copy.detail().contains("vm_area_struct=" + VmAreaStruct.SIZEOF + "x" + n), copy.detail());
        }
        List<String> ops = new ArrayList<>(List.of("vfork", "pthread"));
        if ("amd64".equals(System.getProperty("os.arch"))) {
            ops.add("clone_thread"); // the raw clone(2) thread is x86_64 only
        }
        for (String what : ops) {
            for (String part : List.of("_call", "_teardown", "_total")) {
                NativeAnchors.Anchor a = anchors.find("clone", what + part, 0);
                assertTrue(a != null && a.measured() && a.nsPerOp() > 0, what + part + ": " + a);
            }
        }
        NativeAnchors.Anchor thread = anchors.find("forkcopy", "thread_copy", 0);
        assertTrue(thread.measured() && thread.nsPerOp() > 0, thread.toString());
        assertTrue(thread.detail().contains("task_struct=" + TaskStruct.SIZEOF), thread.detail());
    }

    /** run.sh asks ForkCopySizes itself on KFORK_CP when not given --sizes, and skips forkcopy when it cannot. */
    @Test
    void runShFindsTheSizesOnTheClassPathOrSaysWhyNot() throws Exception {
        assumeTrue(gcc(), "gcc is not installed");
        Path nativeDir = ScriptsTest.ROOT.resolve("bench/native");
        for (String cp : List.of(System.getProperty("java.class.path"), dir.resolve("nothing-here").toString())) {
            Path out = dir.resolve("forkcopy.jsonl");
            ProcessBuilder pb = new ProcessBuilder(nativeDir.resolve("run.sh").toString(), "--smoke", out.toString())
                .redirectErrorStream(true);
            pb.environment().put("KFORK_NO_APT", "1");
            pb.environment().put("KFORK_NATIVE_ONLY", "forkcopy");
            pb.environment().put("KFORK_CP", cp);
            pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            Process p = pb.start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), log);
            assertEquals(0, p.exitValue(), log);
            NativeAnchors anchors = NativeAnchors.load(out);
            NativeAnchors.Anchor copy = anchors.find("forkcopy", "fork_copy", 10);
            if (cp.endsWith("nothing-here")) {
                assertTrue(copy == null && anchors.notMeasured().get("forkcopy").startsWith("no struct sizes"),
                    anchors.notMeasured() + "\n" + log);
            } else {
                assertTrue(copy.measured() && copy.detail().contains("sighand_struct=" + SighandStruct.SIZEOF), log);
                assertTrue(anchors.find("clone", "fork_call", 10) == null, "KFORK_NATIVE_ONLY ran forkcopy alone");
            }
        }
    }

    @Test
    void theCopyAnchorRefusesMissingOrBadSizes() throws Exception {
        assumeTrue(gcc(), "gcc is not installed");
        Path nativeDir = ScriptsTest.ROOT.resolve("bench/native");
        ProcessBuilder build = new ProcessBuilder(nativeDir.resolve("build.sh").toString()).redirectErrorStream(true);
        build.environment().put("KFORK_NO_APT", "1");
        Process b = build.start();
        b.getInputStream().readAllBytes();
        assertTrue(b.waitFor(60, TimeUnit.SECONDS));
        String bin = nativeDir.resolve("build/forkcopy").toString();
        for (List<String> args : List.of(List.of("--smoke"), List.of("--smoke", "--sizes", "task_struct=7040:64"),
                List.of("--smoke", "--sizes", "thread_stack=16384:4096,task_struct=70x0:64,vm_area_struct=200:8"),
                List.of("--smoke", "--sizes", "thread_stack=16384:4096,task_struct=7040:48,vm_area_struct=200:8"))) {
            List<String> cmd = new ArrayList<>(List.of(bin));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(2, p.exitValue(), args + ": " + out);
            assertTrue(out.startsWith("forkcopy: ") && !out.contains("\"ns_per_op\""), out);
        }
    }
}
