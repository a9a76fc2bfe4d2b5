package org.kfork.tests.vmcore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kfork.JvmFlags;
import org.kfork.api.Kernel;
import org.kfork.api.Kernels;
import org.kfork.api.TaskView;
import org.kfork.kernel.crash.ImageFile;
import org.kfork.kernel.crash.ImageView;
import org.kfork.script.RunResult;
import org.kfork.script.ScriptParser;
import org.kfork.script.ScriptRunner;

/**
 * {@code kfork run --ram-file F} on a shipped scenario, in a JVM of its own (the RAM file is chosen
 * when the RAM region is made), then {@code kfork inspect F ps}: the same processes as the live
 * kernel shows at the end of the same run.
 */
class RamFileRunTest {
    @TempDir
    Path dir;

    static final Path SCENARIO = Path.of(System.getProperty("basedir", ".")).resolve("../scenarios/pidns-set-tid.kfork")
        .normalize();

    @Test
    void runLeavesAnImageThatInspectReadsLikeTheLiveKernel() throws IOException, InterruptedException {
        Path ram = dir.resolve("ram.img");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(JvmFlags.runtime());
        cmd.addAll(JvmFlags.ramFile());
        cmd.add("-Dkfork.ram.capacity=64m");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.kfork.cli.KforkMain",
            "run", "--ram", "64m", "--ram-file", ram.toString(), SCENARIO.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("the machine's memory is in " + ram), out);
        assertTrue(Files.size(ram) >= 64L << 20);

        List<TaskView> live;
        try (Kernel k = Kernels.boot("offheap", ScriptRunner.config(64L << 20, 2))) {
            RunResult r = new ScriptRunner(k, l -> { }, Duration.ofSeconds(20))
                .run(ScriptParser.parse("s", Files.readString(SCENARIO, StandardCharsets.UTF_8)));
            assertEquals(RunResult.Status.RAN, r.status(), r.message());
            live = k.tasks();
        }
        try (ImageFile img = ImageFile.open(ram)) {
            assertEquals(ImageFile.Kind.RAM, img.kind());
            assertEquals(live, new ImageView(img).tasks());
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        assertEquals(0, VmcoreImageTest.kfork(o, e, "inspect", ram.toString(), "ps"), e.toString());
        String ps = o.toString(StandardCharsets.UTF_8);
        assertEquals(live.size() + 1, ps.lines().count(), ps);
        for (TaskView t : live) {
            assertTrue(ps.matches("(?s).*\n +" + t.tgid() + " +" + t.pid() + " +" + t.ppid() + " " + t.state() + " .*"), ps);
        }
        assertTrue(live.stream().anyMatch(t -> t.pid() == 300), live.toString()); // the scenario's set_tid=300 child
    }

    /** In a JVM whose RAM region is anonymous memory already, --ram-file says how to start the JVM. */
    @Test
    void ramFileNeedsTheJvmStartedWithIt() throws IOException {
        Path script = Files.writeString(dir.resolve("s.kfork"), "getpid => 1\n");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        // Touch RAM first, as any test before this one may have
        try (Kernel k = Kernels.boot("offheap", ScriptRunner.config(64L << 20, 1))) {
            assertEquals(1, k.tasks().size());
        }
        String prop = System.getProperty("kfork.ram.file");
        try {
            assertEquals(1, VmcoreImageTest.kfork(o, e, "run", "--ram", "64m", "--ram-file", dir.resolve("x.img").toString(),
                script.toString()));
        } finally {
            if (prop == null) {
                System.clearProperty("kfork.ram.file");
            }
        }
        assertTrue(e.toString(StandardCharsets.UTF_8).contains("start the JVM with -Dkfork.ram.file="), e.toString());
        assertEquals(2, VmcoreImageTest.kfork(o, e, "run", "--impl", "heap", "--ram-file", "x.img", script.toString()));
    }
}
