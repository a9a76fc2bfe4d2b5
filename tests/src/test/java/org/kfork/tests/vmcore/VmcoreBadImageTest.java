package org.kfork.tests.vmcore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kfork.api.TaskView;
import org.kfork.kernel.crash.ElfCore;
import org.kfork.kernel.crash.ImageException;
import org.kfork.kernel.crash.ImageFile;
import org.kfork.kernel.crash.ImageView;
import org.kfork.kernel.struct.ListHead;
import org.kfork.kernel.struct.TaskStruct;

/**
 * Bad images give a clear error naming the file and, where there is one, the address; never a
 * hang or a crash: a file that is no image, truncated RAM images and cores, another layout version,
 * an address outside the image, corrupt lists (a cycle, a pointer outside RAM), and a list longer
 * than the walk's bound. kfork inspect reports each in one line and exits 1.
 */
class VmcoreBadImageTest {
    @TempDir
    static Path dir;
    static LiveImage live;
    static long ramStart;
    static long initTask;
    /** The address of a task other than init (the first process init forked). */
    static long child;

    @BeforeAll
    static void makeImage() throws IOException {
        live = LiveImage.make(dir);
        try (ImageFile img = ImageFile.open(live.file())) {
            ramStart = img.segments().get(0).vaddr();
            initTask = img.symbol("init_task");
            ImageView v = new ImageView(img);
            for (Map.Entry<Long, TaskView> e : v.tasksByAddress().entrySet()) {
                if (e.getValue().pid() == live.tasks().get(1).pid()) {
                    child = e.getKey();
                }
            }
        }
    }

    private static Path copy(String name) throws IOException {
        return Files.copy(live.file(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes {@code value} at kernel address {@code addr} of the RAM image {@code p}. */
    private static void poke(Path p, long addr, long value) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value), addr - ramStart);
        }
    }

    private static ImageException fails(Path p, java.util.function.Consumer<ImageView> read) {
        return assertThrows(ImageException.class, () -> {
            try (ImageFile img = ImageFile.open(p)) {
                read.accept(new ImageView(img));
            }
        });
    }

    private static void inspectFails(Path p, String view, String inMessage) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, VmcoreImageTest.kfork(out, err, "inspect", p.toString(), view));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("kfork inspect: ") && e.contains(inMessage) && !e.contains("Exception"), e);
    }

    @Test
    void aFileThatIsNoImage() throws IOException {
        Path p = Files.writeString(dir.resolve("notes.txt"), "no image here\n".repeat(10));
        assertTrue(fails(p, ImageView::tasks).getMessage().contains("not a kfork machine image"));
        inspectFails(p, "ps", "not a kfork machine image");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertTrue(fails(empty, ImageView::tasks).getMessage().contains("not a kfork machine image"));
        inspectFails(dir.resolve("missing.img"), "ps", "no such file");
    }

    @Test
    void aTruncatedRamImage() throws IOException {
        Path p = copy("short.img");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(LiveImage.RAM / 2);
        }
        ImageException e = fails(p, ImageView::tasks);
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(Long.toHexString(ramStart + LiveImage.RAM / 2)),
            e.getMessage());
        inspectFails(p, "ps", "truncated");
    }

    @Test
    void aTruncatedCore() throws IOException {
        Path core = dir.resolve("short.elf");
        try (ImageFile img = ImageFile.open(live.file())) {
            ElfCore.write(img, core);
        }
        try (RandomAccessFile f = new RandomAccessFile(core.toFile(), "rw")) {
            f.setLength(f.length() - 4096);
        }
        assertTrue(fails(core, ImageView::tasks).getMessage().contains("truncated"));
        inspectFails(core, "ps", "truncated");
    }

    @Test
    void anImageOfAnotherLayoutVersion() throws IOException {
        Path p = copy("other-layout.img");
        byte[] head = new byte[16384];
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.read(ByteBuffer.wrap(head), 0);
            String text = new String(head, StandardCharsets.ISO_8859_1);
            int at = text.indexOf("KFORK_LAYOUT_VERSION=5.12-") + "KFORK_LAYOUT_VERSION=5.12-".length();
            char c = text.charAt(at);
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (c == '0' ? '1' : '0')}), at);
        }
        ImageException e = fails(p, ImageView::tasks);
        assertTrue(e.getMessage().contains("layout version"), e.getMessage());
        inspectFails(p, "ps", "layout version");
        // a SIZE line that disagrees with this build is another layout too
        Path q = copy("other-size.img");
        try (FileChannel ch = FileChannel.open(q, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.read(ByteBuffer.wrap(head), 0);
            int at = new String(head, StandardCharsets.ISO_8859_1).indexOf("SIZE(task_struct)=7040") + "SIZE(task_struct)=70".length();
            ch.write(ByteBuffer.wrap("99".getBytes(StandardCharsets.US_ASCII)), at);
        }
        assertTrue(fails(q, ImageView::tasks).getMessage().contains("SIZE(task_struct)=7099"));
    }

    @Test
    void anAddressOutsideTheImage() {
        long beyond = ramStart + LiveImage.RAM;
        ImageException e = fails(live.file(), v -> v.struct("task_struct", beyond));
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(beyond)) && e.getMessage().contains("not inside the image"),
            e.getMessage());
        e = fails(live.file(), v -> v.image().getLong(0x1000));
        assertTrue(e.getMessage().contains("address 0x1000") && e.getMessage().contains("outside the image"), e.getMessage());
        e = fails(live.file(), v -> v.struct("no_such_struct", ramStart));
        assertTrue(e.getMessage().contains("unknown struct 'no_such_struct'"), e.getMessage());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, VmcoreImageTest.kfork(out, err, "inspect", live.file().toString(), "struct", "task_struct",
            Long.toHexString(beyond)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("0x" + Long.toHexString(beyond)), err.toString());
        assertEquals(2, VmcoreImageTest.kfork(out, err, "inspect", live.file().toString(), "struct", "task_struct", "xyz"));
        assertEquals(2, VmcoreImageTest.kfork(out, err, "inspect", live.file().toString(), "frobnicate"));
        assertEquals(2, VmcoreImageTest.kfork(out, err, "inspect", live.file().toString(), "status"));
    }

    @Test
    void aTasksListWithACycle() throws IOException {
        Path p = copy("cycle.img");
        // the child's tasks.next points back to itself: the walk never comes back to init_task
        poke(p, child + TaskStruct.TASKS + ListHead.NEXT, child + TaskStruct.TASKS);
        ImageException e = fails(p, ImageView::tasks);
        assertTrue(e.getMessage().contains("comes twice") && e.getMessage().contains(Long.toHexString(child + TaskStruct.TASKS)),
            e.getMessage());
        inspectFails(p, "ps", "comes twice");
    }

    @Test
    void aTasksListPointingOutsideRam() throws IOException {
        Path p = copy("wild.img");
        long wild = 0xdead000000000100L;
        poke(p, initTask + TaskStruct.TASKS + ListHead.NEXT, wild);
        ImageException e = fails(p, ImageView::tasks);
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(wild)) && e.getMessage().contains("outside the image"),
            e.getMessage());
        inspectFails(p, "pstree", "outside the image");
    }

    @Test
    void aWalkStopsAtItsBoundAndSaysSo() {
        try (ImageFile img = ImageFile.open(live.file())) {
            ImageException e = assertThrows(ImageException.class, () -> new ImageView(img, 2).tasks());
            assertTrue(e.getMessage().contains("more than 2 entries; the walk stopped"), e.getMessage());
            assertEquals(live.tasks(), new ImageView(img, 64).tasks());
        }
    }
}
