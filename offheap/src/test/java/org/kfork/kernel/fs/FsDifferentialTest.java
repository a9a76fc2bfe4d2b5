package org.kfork.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.kfork.fs.Fdtables;
import org.kfork.kernel.fs.FsVariant.Fops;
import org.kfork.kernel.struct.Fdtable;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;

/**
 * The two kernels side by side: seeded random histories of the fs room's calls (opens, closes,
 * forks with and without CLONE_FILES and CLONE_FS, exits, execve's close-on-exec and unshare,
 * failslab injections, nr_open and RLIMIT_NOFILE changes) give the same result at every step and
 * the same object counts. The seed is printed on failure; {@code -Dkfork.seed=N} replays it.
 */
class FsDifferentialTest {
    private static final long SEED = Long.getLong("kfork.seed", System.nanoTime());

    @Test
    void sizeofFdtableInCoreIsTheLayouts() {
        assertEquals(Fdtable.SIZEOF, Fdtables.SIZEOF_FDTABLE, "the heap twin counts alloc_fdtable's kmalloc by it");
    }

    @Test
    void seededHistoriesGiveTheSameResultsOnBothKernels() {
        for (int round = 0; round < 4; round++) {
            long seed = SEED + round;
            try {
                List<String> heap = history(FsVariant.HEAP, seed);
                List<String> off = history(FsVariant.OFFHEAP, seed);
                assertEquals(heap.size(), off.size());
                for (int i = 0; i < heap.size(); i++) {
                    assertEquals(heap.get(i), off.get(i), "step " + i);
                }
            } catch (Throwable t) {
                throw new AssertionError("failed with -Dkfork.seed=" + SEED + " (round " + round + "): " + t, t);
            }
        }
    }

    /** One history; every step appends what it returned and what the kernel then holds. */
    private static List<String> history(FsVariant v, long seed) {
        List<String> out = new ArrayList<>();
        Random rnd = new Random(seed);
        try (FsVariant.Instance k = v.create()) {
            List<Long> tasks = new ArrayList<>();
            long init = k.newTask();
            k.setTaskFs(init, k.initFs());
            long first = k.newTask();
            k.setTaskFiles(first, k.dupFd(k.initFiles(), Fdtables.NR_OPEN_MAX));
            k.copyFs(init, 0, first);
            tasks.add(first);
            for (int step = 0; step < 400; step++) {
                long t = tasks.get(rnd.nextInt(3) == 0 ? rnd.nextInt(tasks.size()) : 0);
                long files = k.taskFiles(t);
                String r;
                switch (rnd.nextInt(10)) {
                    case 0, 1, 2 -> { // a burst of opens
                        StringBuilder fds = new StringBuilder("open");
                        for (int n = 1 + rnd.nextInt(40); n > 0; n--) {
                            if (rnd.nextInt(8) == 0) {
                                k.failNth(1 + rnd.nextInt(3)); // an expansion may fail
                            }
                            int fd = k.getUnusedFdFlags(t, rnd.nextBoolean() ? OpenFlags.O_CLOEXEC : 0);
                            k.disarm();
                            if (fd >= 0) {
                                long f = k.dentryOpen(k.newInode(), "/h" + step, OpenFlags.O_RDONLY, Fops.NONE, 0);
                                k.fdInstall(t, fd, f);
                            }
                            fds.append(' ').append(fd);
                        }
                        r = fds.toString();
                    }
                    case 3 -> {
                        StringBuilder c = new StringBuilder("close");
                        for (int n = 1 + rnd.nextInt(20); n > 0; n--) {
                            c.append(' ').append(k.closeFd(t, rnd.nextInt(k.maxFds(files) + 8)));
                        }
                        r = c.toString();
                    }
                    case 4, 5 -> { // fork
                        if (tasks.size() >= 6) {
                            r = "no fork";
                            break;
                        }
                        long child = k.newTask();
                        k.setTaskFiles(child, files);
                        k.setTaskFs(child, k.taskFs(t));
                        long flags = (rnd.nextBoolean() ? CloneFlags.CLONE_FILES : 0) | (rnd.nextBoolean() ? CloneFlags.CLONE_FS : 0);
                        if (rnd.nextInt(4) == 0) {
                            k.failNth(1 + rnd.nextInt(5));
                        }
                        int ef = k.copyFiles(t, flags, child);
                        int es = ef == 0 ? k.copyFs(t, flags, child) : 0;
                        k.disarm();
                        if (ef == 0 && es == 0) {
                            tasks.add(child);
                        } else if (ef == 0) {
                            k.exitFiles(child); // bad_fork_cleanup_files
                        }
                        r = "fork " + Long.toHexString(flags) + " " + ef + " " + es;
                    }
                    case 6 -> { // exit
                        if (tasks.size() > 1) {
                            tasks.remove(t);
                            k.exitFiles(t);
                            k.exitFs(t);
                        }
                        r = "exit";
                    }
                    case 7 -> { // execve: unshare_files, then close-on-exec
                        int e = k.unshareFiles(t);
                        if (e == 0) {
                            k.doCloseOnExec(k.taskFiles(t));
                        }
                        r = "exec " + e;
                    }
                    case 8 -> {
                        long nofile = 8 + rnd.nextInt(600);
                        k.setNofile(t, nofile);
                        r = "nofile " + nofile;
                    }
                    default -> {
                        int nrOpen = rnd.nextBoolean() ? Fdtables.SYSCTL_NR_OPEN : 64 * (1 + rnd.nextInt(10));
                        k.setNrOpen(nrOpen);
                        r = "nr_open " + nrOpen;
                    }
                }
                long now = k.taskFiles(tasks.get(0));
                out.add(step + " " + r + " | tasks " + tasks.size() + " max " + k.maxFds(now) + " next " + k.nextFd(now)
                    + " files " + k.validate(now) + " count " + k.filesCount(now) + " " + k.counts());
            }
            for (long t : tasks) {
                k.exitFiles(t);
                k.exitFs(t);
            }
            k.setNrOpen(Fdtables.SYSCTL_NR_OPEN);
            out.add("end " + k.counts() + " " + Errno.name(Errno.EMFILE));
        }
        return out;
    }
}
