package org.kfork.tests.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kfork.api.Kernel;
import org.kfork.api.Kernels;
import org.kfork.api.TaskView;
import org.kfork.proc.Meminfo;
import org.kfork.proc.PidNsView;
import org.kfork.proc.Ps;
import org.kfork.proc.Pstree;
import org.kfork.script.RunResult;
import org.kfork.script.Script;
import org.kfork.script.ScriptParser;
import org.kfork.script.ScriptRunner;

/**
 * After each shipped scenario has run, the /proc views of the two kernels are the same: the task
 * list, ps and pstree from every pid namespace, each task's status and maps, and every meminfo
 * field but those that depend on the representation ({@link Meminfo#REPRESENTATION_FIELDS}) or on
 * the CPU each step ran on ({@link Meminfo#PER_CPU_FIELDS}).
 */
class ScenarioProcViewsTest {
    /** Every view of the kernel named {@code impl} once {@code file} has run on it, by name. */
    private static Map<String, String> views(String impl, Path file) throws IOException {
        Script script = ScriptParser.parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
        Map<String, String> v = new LinkedHashMap<>();
        try (Kernel k = Kernels.boot(impl, ScriptRunner.config(1L << 30, 2))) {
            StringBuilder out = new StringBuilder();
            RunResult r = new ScriptRunner(k, l -> out.append(l).append('\n'), Duration.ofSeconds(20)).run(script);
            assertEquals(RunResult.Status.RAN, r.status(), impl + " " + file.getFileName() + ": " + r.message());
            k.rcuBarrier(); // what RCU still holds goes, on both alike
            List<TaskView> tasks = k.tasks();
            v.put("tasks", tasks.toString());
            Set<Long> namespaces = new LinkedHashSet<>();
            tasks.forEach(t -> namespaces.addAll(t.nsInums()));
            for (long ns : namespaces) {
                PidNsView view = PidNsView.of(tasks, ns);
                v.put("ps in " + ns, Ps.format(view));
                v.put("pstree in " + ns, Pstree.format(view));
            }
            for (TaskView t : tasks) {
                v.put("status " + t.pid(), k.procStatus(t.pid()));
                v.put("maps " + t.pid(), k.procMaps(t.pid()));
            }
            String meminfo = k.meminfo();
            for (String line : meminfo.split("\n")) {
                String field = line.substring(0, line.indexOf(':'));
                if (!Meminfo.REPRESENTATION_FIELDS.contains(field) && !Meminfo.PER_CPU_FIELDS.contains(field)) {
                    v.put("meminfo " + field, line);
                }
            }
            v.put("meminfo fields", String.valueOf(meminfo.split("\n").length));
        }
        return v;
    }

    @ParameterizedTest
    @MethodSource("org.kfork.tests.kernel.ScenarioTranscriptTest#scenarios")
    void bothKernelsShowTheSameProcAfterTheScenario(Path file) throws IOException {
        Map<String, String> offheap = views("offheap", file);
        Map<String, String> heap = views("heap", file);
        assertEquals(offheap.keySet(), heap.keySet(), file.getFileName() + ": the same views");
        for (String name : offheap.keySet()) {
            assertEquals(offheap.get(name), heap.get(name), file.getFileName() + ": " + name);
        }
        assertTrue(offheap.get("status 1").startsWith("Name:\t"), offheap.get("status 1"));
        assertTrue(offheap.get("meminfo MemTotal").endsWith(" 1048576 kB"), offheap.get("meminfo MemTotal"));
    }
}
