package org.kfork.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.uapi.OpenFlags.O_CLOEXEC;
import static org.kfork.uapi.OpenFlags.O_RDONLY;
import static org.kfork.uapi.OpenFlags.O_RDWR;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.fs.Fdtables;
import org.kfork.kernel.fs.FsVariant.Fops;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Resource;

/**
 * fs/file.c and copy_files on both kernels: descriptors (lowest free, next_fd, close-on-exec,
 * RLIMIT_NOFILE, fs.nr_open), expansion, dup_fd at 0, 1, 64, 65 and 1000 open files (bitmaps,
 * counts, the table's size), CLONE_FILES, unshare_files, do_close_on_exec, the end of a table,
 * and failslab at every allocation of dup_fd and alloc_fd.
 */
class FilesTest {

    /** A task with a table of its own (a copy of init_files) and {@code n} files open in it, fds 0..n-1. */
    private static long taskWithFiles(FsVariant.Instance k, int n, List<Long> files) {
        long t = k.newTask();
        long f = k.dupFd(k.initFiles(), Fdtables.NR_OPEN_MAX);
        assertTrue(f > 0 || !Errno.isError(f), "dup_fd of init_files: " + f);
        k.setTaskFiles(t, f);
        for (int i = 0; i < n; i++) {
            int fd = k.getUnusedFdFlags(t, i % 3 == 0 ? O_CLOEXEC : 0);
            assertEquals(i, fd, "the lowest free descriptor");
            long file = k.dentryOpen(k.newInode(), "/f" + i, O_RDONLY, Fops.NONE, 0);
            k.fdInstall(t, fd, file);
            files.add(file);
        }
        return t;
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void initFilesIsOneUserOverTheEmbeddedTable(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long init = k.initFiles();
            assertEquals(1, k.filesCount(init));
            assertTrue(k.fdtEmbedded(init));
            assertEquals(Fdtables.NR_OPEN_DEFAULT, k.maxFds(init));
            assertEquals(0, k.nextFd(init));
            assertEquals(0, k.validate(init));
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void allocFdGivesTheLowestFreeDescriptorAndNextFdFollows(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            List<Long> files = new ArrayList<>();
            long t = taskWithFiles(k, 5, files);
            long tbl = k.taskFiles(t);
            assertEquals(5, k.nextFd(tbl));
            assertTrue(k.closeOnExec(tbl, 0) && !k.closeOnExec(tbl, 1) && k.closeOnExec(tbl, 3));
            assertEquals(0, k.closeFd(t, 2));
            assertEquals(2, k.nextFd(tbl), "put_unused_fd lowers next_fd");
            assertFalse(k.fdIsOpen(tbl, 2));
            assertEquals(-Errno.EBADF, k.closeFd(t, 2), "nothing there any more");
            assertEquals(-Errno.EBADF, k.closeFd(t, 63), "an fd never opened");
            assertEquals(-Errno.EBADF, k.closeFd(t, 100000), "beyond the table");
            assertEquals(2, k.getUnusedFdFlags(t, O_CLOEXEC), "the hole is filled first");
            assertTrue(k.closeOnExec(tbl, 2));
            assertEquals(5, k.getUnusedFdFlags(t, 0));
            k.putUnusedFd(t, 2);
            k.putUnusedFd(t, 5);
            assertEquals(2, k.nextFd(tbl));
            assertEquals(4, k.validate(tbl));
            k.exitFiles(t);
            assertEquals(0, k.taskFiles(t), "exit_files clears tsk->files");
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void rlimitNofileAndNrOpenLimitTheDescriptors(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long t = taskWithFiles(k, 3, new ArrayList<>());
            k.setNofile(t, 3);
            assertEquals(-Errno.EMFILE, k.getUnusedFdFlags(t, 0), "RLIMIT_NOFILE of 3: fds 0 to 2");
            k.setNofile(t, 4);
            assertEquals(3, k.getUnusedFdFlags(t, 0));
            k.putUnusedFd(t, 3);
            k.setNofile(t, Resource.INR_OPEN_CUR);
            k.setNrOpen(Fdtables.NR_OPEN_DEFAULT);
            long tbl = k.taskFiles(t);
            for (int fd = 3; fd < 64; fd++) {
                assertEquals(fd, k.getUnusedFdFlags(t, 0));
            }
            Map<String, Long> before = k.counts();
            assertEquals(-Errno.EMFILE, k.getUnusedFdFlags(t, 0), "fs.nr_open 64: the table cannot grow");
            assertEquals(before, k.counts(), "nothing allocated");
            assertTrue(k.fdtEmbedded(tbl));
            k.setNrOpen(Fdtables.SYSCTL_NR_OPEN);
            k.exitFiles(t);
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void theTableGrowsInPageFriendlyStepsAndTheOldOneGoesAfterAGracePeriod(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            Map<String, Long> before = k.counts();
            List<Long> files = new ArrayList<>();
            long t = taskWithFiles(k, 64, files);
            long tbl = k.taskFiles(t);
            assertTrue(k.fdtEmbedded(tbl));
            assertEquals(64, k.getUnusedFdFlags(t, 0));
            assertEquals(128, k.maxFds(tbl), "fd 64: 1 KiB of pointers");
            assertFalse(k.fdtEmbedded(tbl));
            Map<String, Long> now = k.counts();
            assertEquals(before.get("kmalloc-64") + 2, now.get("kmalloc-64"), "the struct and the 64-byte bitmaps");
            assertEquals(before.get("kmalloc-1k") + 1, now.get("kmalloc-1k"), "128 pointers");
            for (int fd = 65; fd < 128; fd++) {
                assertEquals(fd, k.getUnusedFdFlags(t, 0));
            }
            assertEquals(128, k.getUnusedFdFlags(t, 0));
            assertEquals(256, k.maxFds(tbl));
            k.rcuBarrier();
            now = k.counts();
            assertEquals(before.get("kmalloc-1k"), now.get("kmalloc-1k"), "the 128-fd table went after the grace period");
            assertEquals(before.get("kmalloc-2k") + 1, now.get("kmalloc-2k"));
            for (int fd = 64; fd <= 128; fd++) {
                k.putUnusedFd(t, fd);
            }
            assertEquals(64, k.validate(tbl));
            k.exitFiles(t);
            k.rcuBarrier();
            assertEquals(before, k.counts());
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void dupFdCopiesTheTableExactlyAtEverySize(FsVariant v) {
        for (int n : new int[] {0, 1, 64, 65, 1000}) {
            try (FsVariant.Instance k = v.create()) {
                Map<String, Long> before = k.counts();
                List<Long> files = new ArrayList<>();
                long t = taskWithFiles(k, n, files);
                long tbl = k.taskFiles(t);
                Random rnd = new Random(n);
                for (int i = 0; i < n / 7; i++) {
                    int fd = rnd.nextInt(n);
                    if (k.lookupFd(tbl, fd) != 0) {
                        assertEquals(0, k.closeFd(t, fd));
                    }
                }
                int open = k.validate(tbl);
                int top = 0; // one past the highest open descriptor
                for (int fd = 0; fd < n; fd++) {
                    if (k.lookupFd(tbl, fd) != 0) {
                        top = fd + 1;
                    }
                }
                long child = k.newTask();
                assertEquals(0, k.copyFiles(t, 0, child), "n=" + n);
                long copy = k.taskFiles(child);
                assertTrue(copy != tbl);
                assertEquals(1, k.filesCount(copy));
                assertEquals(1, k.filesCount(tbl), "the parent's table is not shared");
                // count_open_files rounds up to a word; beyond the embedded 64, alloc_fdtable's steps
                int words = (top + 63) / 64 * 64;
                int expectMax = words <= 64 ? 64 : Fdtables.fdtableSize(words - 1, Fdtables.SYSCTL_NR_OPEN);
                assertEquals(expectMax, k.maxFds(copy), "n=" + n + ": the copy's size");
                assertEquals(expectMax == 64, k.fdtEmbedded(copy));
                for (int fd = 0; fd < Math.max(n, 64); fd++) {
                    assertEquals(k.fdIsOpen(tbl, fd), k.fdIsOpen(copy, fd), "open bit " + fd);
                    assertEquals(k.closeOnExec(tbl, fd), k.closeOnExec(copy, fd), "close_on_exec bit " + fd);
                    assertEquals(k.lookupFd(tbl, fd), k.lookupFd(copy, fd), "file at " + fd);
                }
                assertEquals(0, k.nextFd(copy), "a new table starts at next_fd 0");
                assertEquals(open, k.validate(copy));
                for (long f : files) {
                    boolean stillOpen = false;
                    for (int fd = 0; fd < n; fd++) {
                        stillOpen |= k.lookupFd(tbl, fd) == f;
                    }
                    if (stillOpen) {
                        assertEquals(2, k.fCount(f), "one reference per table");
                    }
                }
                k.exitFiles(child);
                for (int fd = 0; fd < n; fd++) {
                    long f = k.lookupFd(tbl, fd);
                    if (f != 0) {
                        assertEquals(1, k.fCount(f), "back to the parent's one");
                    }
                }
                k.exitFiles(t);
                k.rcuBarrier();
                assertEquals(before, k.counts(), "n=" + n);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aReservedButUninstalledDescriptorIsFreeInTheCopy(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long t = taskWithFiles(k, 3, new ArrayList<>());
            assertEquals(3, k.getUnusedFdFlags(t, 0)); // a sibling thread is halfway through open()
            long copy = k.dupFd(k.taskFiles(t), Fdtables.NR_OPEN_MAX);
            assertTrue(k.fdIsOpen(k.taskFiles(t), 3));
            assertFalse(k.fdIsOpen(copy, 3), "__clear_open_fd in the copy");
            assertEquals(3, k.validate(copy));
            k.putFilesStruct(copy);
            k.putUnusedFd(t, 3);
            k.exitFiles(t);
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void cloneFilesSharesTheTableAndUnshareFilesCopiesIt(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            List<Long> files = new ArrayList<>();
            long t = taskWithFiles(k, 4, files);
            long tbl = k.taskFiles(t);
            assertEquals(0, k.unshareFiles(t), "not shared: nothing to do");
            assertEquals(tbl, k.taskFiles(t));
            long child = k.newTask();
            k.setTaskFiles(child, tbl); // dup_task_struct copied the pointer
            assertEquals(0, k.copyFiles(t, CloneFlags.CLONE_FILES, child));
            assertEquals(tbl, k.taskFiles(child));
            assertEquals(2, k.filesCount(tbl));
            assertEquals(1, k.fCount(files.get(0)), "sharing takes no file reference");
            assertEquals(4, k.getUnusedFdFlags(child, 0), "a descriptor of one is one of both");
            k.putUnusedFd(child, 4);
            assertEquals(0, k.unshareFiles(child), "exec's unshare_files");
            long own = k.taskFiles(child);
            assertTrue(own != tbl);
            assertEquals(1, k.filesCount(tbl));
            assertEquals(2, k.fCount(files.get(0)));
            assertEquals(0, k.unshareFd(t, CloneFlags.CLONE_FILES, Fdtables.NR_OPEN_MAX), "t's table is its own again");
            assertEquals(0, k.unshareFd(t, 0, Fdtables.NR_OPEN_MAX));
            k.exitFiles(child);
            k.exitFiles(t);
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void doCloseOnExecClosesTheMarkedDescriptorsOnly(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            List<Long> files = new ArrayList<>();
            long t = taskWithFiles(k, 130, files); // past the embedded table
            long tbl = k.taskFiles(t);
            k.doCloseOnExec(tbl);
            for (int fd = 0; fd < 130; fd++) {
                boolean marked = fd % 3 == 0;
                assertEquals(!marked, k.fdIsOpen(tbl, fd), "fd " + fd);
                assertFalse(k.closeOnExec(tbl, fd), "marks cleared");
                assertEquals(marked ? 0 : files.get(fd), k.lookupFd(tbl, fd));
            }
            assertEquals(0, k.nextFd(tbl), "fd 0 is free again");
            assertEquals(130 - 44, k.validate(tbl));
            k.exitFiles(t);
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void theLastPutClosesEveryFileAndAPutTooManyIsRefused(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            Map<String, Long> before = k.counts();
            long t = taskWithFiles(k, 70, new ArrayList<>());
            long tbl = k.taskFiles(t);
            k.setTaskFiles(t, 0);
            k.putFilesStruct(tbl);
            k.rcuBarrier();
            assertEquals(before, k.counts(), "files closed, table and struct freed");
            assertThrows(RuntimeException.class, () -> k.putFilesStruct(tbl));
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void fdInstallIntoAFilledSlotIsABug(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            List<Long> files = new ArrayList<>();
            long t = taskWithFiles(k, 1, files);
            long extra = k.dentryOpen(k.newInode(), "/x", O_RDWR, Fops.NONE, 0);
            assertThrows(IllegalStateException.class, () -> k.fdInstall(t, 0, extra));
            assertEquals(files.get(0), k.lookupFd(k.taskFiles(t), 0), "the slot keeps its file");
            k.fput(extra);
            k.exitFiles(t);
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void everyAllocationOfDupFdFailsCleanly(FsVariant v) {
        for (int n : new int[] {3, 1000}) {
            try (FsVariant.Instance k = v.create()) {
                List<Long> files = new ArrayList<>();
                long t = taskWithFiles(k, n, files);
                long tbl = k.taskFiles(t);
                k.rcuBarrier(); // the tables the growth retired are gone
                Map<String, Long> before = k.counts();
                int max = k.maxFds(tbl);
                int k1 = 1;
                while (true) {
                    long child = k.newTask();
                    k.failNth(k1);
                    int err = k.copyFiles(t, 0, child);
                    k.disarm();
                    if (err == 0) {
                        k.exitFiles(child);
                        k.rcuBarrier();
                        assertEquals(before, k.counts(), "n=" + n);
                        break;
                    }
                    assertEquals(-Errno.ENOMEM, err, "n=" + n + " k=" + k1);
                    assertEquals(0, k.taskFiles(child), "the child got nothing");
                    assertEquals(before, k.counts(), "n=" + n + " k=" + k1);
                    assertEquals(1, k.filesCount(tbl));
                    assertEquals(max, k.maxFds(tbl));
                    assertEquals(1, k.fCount(files.get(0)), "no reference left behind");
                    assertEquals(n, k.validate(tbl));
                    k1++;
                }
                // files_cache, then for 1000 files alloc_fdtable's struct, fd array and bitmaps
                assertEquals(n <= 64 ? 2 : 5, k1, "n=" + n + ": the allocation points of dup_fd, plus the success");
                k.exitFiles(t);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void everyAllocationOfAnExpansionFailsCleanly(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long t = taskWithFiles(k, 64, new ArrayList<>());
            long tbl = k.taskFiles(t);
            Map<String, Long> before = k.counts();
            for (int i = 1; i <= 3; i++) {
                k.failNth(i);
                assertEquals(-Errno.ENOMEM, k.getUnusedFdFlags(t, 0), "k=" + i);
                k.disarm();
                assertTrue(k.fdtEmbedded(tbl));
                assertEquals(64, k.nextFd(tbl));
                assertEquals(before, k.counts(), "k=" + i);
            }
            assertEquals(64, k.getUnusedFdFlags(t, 0));
            k.putUnusedFd(t, 64);
            k.exitFiles(t);
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void dupFdPastNrOpenIsEmfile(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long t = taskWithFiles(k, 200, new ArrayList<>());
            k.rcuBarrier();
            Map<String, Long> before = k.counts();
            k.setNrOpen(128);
            long child = k.newTask();
            assertEquals(-Errno.EMFILE, k.copyFiles(t, 0, child), "256 descriptors to copy, fs.nr_open 128");
            k.rcuBarrier();
            assertEquals(before, k.counts());
            k.setNrOpen(Fdtables.SYSCTL_NR_OPEN);
            k.exitFiles(t);
        }
    }
}
