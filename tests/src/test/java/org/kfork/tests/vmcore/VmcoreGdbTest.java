package org.kfork.tests.vmcore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kfork.api.TaskView;
import org.kfork.kernel.crash.ElfCore;
import org.kfork.kernel.crash.ImageFile;
import org.kfork.kernel.crash.ImageView;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.Structs;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.layout.CDeclarations;

/**
 * The gdb recipe of docs/vmcore.md: the types of 'kfork layout --c' compiled by gcc -g, and the ELF
 * core of 'kfork vmcore', let gdb print a task's pid at the address 'kfork inspect ps' gives, walk
 * init_task.tasks, and print a VMA's range. Skipped, saying so, where gdb or gcc is missing.
 */
class VmcoreGdbTest {
    @TempDir
    Path dir;

    private static boolean installed(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), cmd + ":\n" + out);
        return out;
    }

    @Test
    void gdbReadsTasksAndVmasFromTheCore() throws IOException, InterruptedException {
        assumeTrue(installed("gdb") && installed("gcc"),
            "gdb or gcc is not installed: the gdb recipe of docs/vmcore.md was not checked (.ci/run installs both)");
        LiveImage live = LiveImage.make(dir);
        Path core = dir.resolve("vmcore.elf");
        long initTask;
        long task = 0;
        long vma;
        TaskView child = live.tasks().get(1);
        try (ImageFile img = ImageFile.open(live.file())) {
            ElfCore.write(img, core);
            initTask = img.symbol("init_task");
            for (Map.Entry<Long, TaskView> e : new ImageView(img).tasksByAddress().entrySet()) {
                if (e.getValue().equals(child)) {
                    task = e.getKey();
                }
            }
            vma = img.getLong(img.getLong(task + TaskStruct.MM) + MmStruct.MMAP);
        }
        Files.writeString(dir.resolve("kfork-types.c"), CDeclarations.debugTypes(Structs.all()));
        run(dir, List.of("gcc", "-g", "-fno-eliminate-unused-debug-types", "-c", "kfork-types.c", "-o", "kfork-types.o"));
        List<String> gdb = new ArrayList<>(List.of("gdb", "-batch", "-nx", "-ex", "set pagination off",
            "-ex", "file kfork-types.o", "-ex", "core-file vmcore.elf"));
        for (String e : List.of(
            "p ((struct task_struct *)0x" + Long.toHexString(task) + ")->pid",
            "p ((struct task_struct *)0x" + Long.toHexString(task) + ")->comm",
            // init_task.tasks.next is the list_head inside the first process: back up to its task_struct
            "p ((struct task_struct *)((char *)((struct task_struct *)0x" + Long.toHexString(initTask)
                + ")->tasks.next - (unsigned long)&((struct task_struct *)0)->tasks))->pid",
            "p/x ((struct vm_area_struct *)0x" + Long.toHexString(vma) + ")->vm_start",
            "p/x ((struct vm_area_struct *)0x" + Long.toHexString(vma) + ")->vm_end")) {
            gdb.add("-ex");
            gdb.add(e);
        }
        String out = run(dir, gdb);
        String firstMap = live.maps().get(child.pid()).lines().findFirst().orElseThrow();
        String[] range = firstMap.substring(0, firstMap.indexOf(' ')).split("-");
        assertTrue(out.contains("$1 = " + child.pid() + "\n"), out);
        assertTrue(out.contains("$2 = \"" + child.comm() + "\""), out);
        assertTrue(out.contains("$3 = 1\n"), out);
        assertTrue(out.contains("$4 = 0x" + range[0].replaceFirst("^0+(?=.)", "") + "\n"), out);
        assertTrue(out.contains("$5 = 0x" + range[1].replaceFirst("^0+(?=.)", "") + "\n"), out);
    }
}
