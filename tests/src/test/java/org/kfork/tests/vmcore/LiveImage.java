package org.kfork.tests.vmcore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.kfork.api.Kernel;
import org.kfork.api.Kernels;
import org.kfork.api.TaskView;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.script.RunResult;
import org.kfork.script.Script;
import org.kfork.script.ScriptParser;
import org.kfork.script.ScriptRunner;

/**
 * A machine image made in this JVM (OffHeapKernel.dumpImage) after a script, with what the live
 * kernel showed at that moment: its tasks, every task's status and maps, its slabinfo and meminfo.
 */
record LiveImage(Path file, List<TaskView> tasks, Map<Integer, String> status, Map<Integer, String> maps, String slabinfo,
                 String meminfo) {
    /** RAM of the machines the tests dump: small, so that a dump and a core stay small. */
    static final long RAM = 64L << 20;

    /** A script that leaves processes, a thread, a zombie, a mapping and a pid namespace behind. */
    static final String SCRIPT = String.join("\n",
        "$p = fork => >0",
        "as $p",
        "$t = clone flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM => >0",
        "mmap len=8192 => >0",
        "as 1",
        "$z = fork => >0",
        "as $z",
        "exit 3 => ?",
        "as 1",
        "$n = clone3 flags=CLONE_NEWPID exit_signal=SIGCHLD set_tid=1,42 => 42",
        "as $n",
        "$c = fork => 2",
        "");

    /** Runs {@code script} on an off-heap kernel, then dumps its RAM to {@code file}. */
    static LiveImage make(String script, Path file) throws IOException {
        Script s = ScriptParser.parse("image.kfork", script);
        try (Kernel k = Kernels.boot("offheap", ScriptRunner.config(RAM, 2))) {
            StringBuilder out = new StringBuilder();
            RunResult r = new ScriptRunner(k, l -> out.append(l).append('\n'), Duration.ofSeconds(20)).run(s);
            assertEquals(RunResult.Status.RAN, r.status(), r.message() + "\n" + out);
            List<TaskView> tasks = k.tasks();
            Map<Integer, String> status = new TreeMap<>();
            Map<Integer, String> maps = new TreeMap<>();
            for (TaskView t : tasks) {
                status.put(t.pid(), k.procStatus(t.pid()));
                maps.put(t.pid(), k.procMaps(t.pid()));
            }
            String slabinfo = k.slabinfo();
            String meminfo = k.meminfo();
            ((OffHeapKernel) k).dumpImage(file);
            return new LiveImage(file, tasks, status, maps, slabinfo, meminfo);
        }
    }

    /** {@link #make} of {@link #SCRIPT} into {@code dir/ram.img}. */
    static LiveImage make(Path dir) throws IOException {
        return make(SCRIPT, dir.resolve("ram.img"));
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
