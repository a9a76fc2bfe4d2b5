package org.kfork.tests.vmcore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kfork.api.TaskView;
import org.kfork.cli.KforkMain;
import org.kfork.kernel.crash.ElfCore;
import org.kfork.kernel.crash.ImageFile;
import org.kfork.kernel.crash.ImageView;
import org.kfork.machine.Abi;
import org.kfork.proc.PidNsView;
import org.kfork.proc.Pstree;

/**
 * A machine image read back: ImageView over the RAM image and over its ELF core shows what the
 * live kernel showed (the task list, every task's status and maps, slabinfo), and kfork inspect
 * and kfork vmcore print it from the command line.
 */
class VmcoreImageTest {
    @TempDir
    static Path dir;
    static LiveImage live;
    static Path core;

    @BeforeAll
    static void makeImageAndCore() throws IOException {
        live = LiveImage.make(dir);
        core = dir.resolve("vmcore.elf");
        try (ImageFile img = ImageFile.open(live.file())) {
            ElfCore.Written w = ElfCore.write(img, core);
            assertTrue(w.loads() > 0 && w.bytesOfRam() < LiveImage.RAM, w.toString());
        }
    }

    private static void sameAsLive(Path image, ImageFile.Kind kind) {
        try (ImageFile img = ImageFile.open(image)) {
            assertEquals(kind, img.kind());
            ImageView v = new ImageView(img);
            List<TaskView> tasks = v.tasks();
            assertEquals(live.tasks(), tasks);
            // init, the process and its thread, the zombie, the namespace's init and its child
            assertEquals(6, tasks.size(), tasks.toString());
            assertTrue(tasks.stream().anyMatch(t -> t.state() == 'Z'), tasks.toString());
            assertTrue(tasks.stream().anyMatch(t -> t.nsLevel() == 1 && t.nsPid() == 2), tasks.toString());
            for (TaskView t : tasks) {
                assertEquals(live.status().get(t.pid()), v.procStatus(t.pid()), "status of " + t.pid());
                assertEquals(live.maps().get(t.pid()), v.procMaps(t.pid()), "maps of " + t.pid());
            }
            assertEquals(live.slabinfo(), v.slabinfo());
            assertEquals(live.meminfo(), v.meminfo(), "meminfo: the counters crash_save_vmcoreinfo kept");
            assertEquals(1L, v.objectCounts().get("pid_namespace"));
            assertEquals(null, v.procStatus(999));
        }
    }

    @Test
    void theRamImageShowsWhatTheLiveKernelShowed() {
        sameAsLive(live.file(), ImageFile.Kind.RAM);
    }

    @Test
    void theElfCoreShowsTheSame() {
        sameAsLive(core, ImageFile.Kind.ELF);
    }

    /** The core leaves all-zero pages out; they read as zeros, as crash reads makedumpfile's excluded pages. */
    @Test
    void theCoreReadsLeftOutPagesOfRamAsZeros() {
        try (ImageFile img = ImageFile.open(core)) {
            long ramStart = Abi.PAGE_OFFSET + img.number("phys_ram_start", -1);
            long lastWord = ramStart + LiveImage.RAM - 8;
            assertTrue(img.segments().stream().noneMatch(s -> s.vaddr() + s.size() > lastWord), "the last page is untouched");
            assertEquals(0L, img.getLong(lastWord));
            assertTrue(img.holds(ramStart, LiveImage.RAM));
            assertTrue(!img.holds(lastWord, 16), "past the end of RAM");
        }
    }

    @Test
    void theVmcoreinfoNoteHasTheKernelsLines() {
        try (ImageFile img = ImageFile.open(core)) {
            String text = img.vmcoreinfo();
            assertTrue(text.contains("PAGESIZE=4096\n"), text);
            assertTrue(text.contains("SIZE(task_struct)=7040\n"), text);
            assertTrue(text.contains("OFFSET(task_struct.tasks)="), text);
            assertTrue(text.contains("SYMBOL(init_task)=ffff888"), text);
            assertTrue(text.contains("SYMBOL(init_mm)=ffff888"), text);
            assertTrue(text.contains("KMEM_CACHE(task_struct)="), text);
            assertTrue(text.contains("CRASHTIME="), text);
            assertEquals(Abi.PAGE_OFFSET, img.number("PAGE_OFFSET", 0));
        }
    }

    @Test
    void structPrintsEachFieldWithItsOffset() {
        try (ImageFile img = ImageFile.open(core)) {
            ImageView v = new ImageView(img);
            Map.Entry<Long, TaskView> init = v.tasksByAddress().entrySet().iterator().next();
            String s = v.struct("task_struct", init.getKey());
            assertTrue(s.startsWith("struct task_struct {  /* at 0x" + Long.toHexString(init.getKey())), s);
            assertTrue(s.matches("(?s).*\\[1736\\] \\S+ +comm += \"init\"\n.*"), s);
            assertTrue(s.matches("(?s).*\\[1264\\] \\S+ +pid += 1\n.*"), s);
        }
    }

    static int kfork(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return KforkMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void inspectPrintsTheViewsOfEitherFile() {
        for (Path image : List.of(live.file(), core)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(0, kfork(out, err, "inspect", image.toString(), "ps"), err.toString());
            String ps = out.toString(StandardCharsets.UTF_8);
            for (TaskView t : live.tasks()) {
                assertTrue(ps.matches("(?s).*\n +" + t.tgid() + " +" + t.pid() + " +" + t.ppid() + " " + t.state() + " .* "
                    + t.comm() + "\n.*"), ps);
            }
            out.reset();
            int p = live.tasks().get(1).pid();
            assertEquals(0, kfork(out, err, "inspect", image.toString(), "maps", Integer.toString(p)), err.toString());
            assertEquals(live.maps().get(p), out.toString(StandardCharsets.UTF_8));
            out.reset();
            assertEquals(0, kfork(out, err, "inspect", image.toString(), "pstree"), err.toString());
            // the live views' printer, over the image's tasks: the same tree as `kfork run --then pstree`
            assertEquals(Pstree.format(PidNsView.of(live.tasks(), PidNsView.initNs(live.tasks()))),
                out.toString(StandardCharsets.UTF_8));
            out.reset();
            assertEquals(0, kfork(out, err, "inspect", image.toString(), "meminfo"), err.toString());
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("MemTotal:          65536 kB\n"), out.toString());
        }
    }

    @Test
    void vmcoreWritesACoreThatInspectReads() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path elf = dir.resolve("cli.elf");
        assertEquals(0, kfork(out, err, "vmcore", live.file().toString(), "-o", elf.toString()), err.toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("PT_LOAD"), out.toString());
        assertEquals(-1, Files.mismatch(core, elf), "the same image gives the same core");
        out.reset();
        assertEquals(1, kfork(out, err, "vmcore", elf.toString(), "-o", dir.resolve("again.elf").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("already an ELF core"), err.toString());
    }
}
