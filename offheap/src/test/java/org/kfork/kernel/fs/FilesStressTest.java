package org.kfork.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.fs.Fdtables;
import org.kfork.kernel.fs.FsVariant.Fops;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.OpenFlags;

/**
 * files->file_lock under contention, both kernels: threads of one process (CLONE_FILES) open,
 * install, look up and close descriptors of their shared table while the table grows, and another
 * thread forks copies of it (dup_fd) and drops them. No descriptor is ever handed to two threads
 * (fd_install would find the slot taken), every lookup finds the thread's own file, and at the end
 * the table is empty and every object is back.
 */
class FilesStressTest {
    static final int THREADS = 4;
    static final int ROUNDS = 1500;

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void threadsSharingATableNeverShareADescriptor(FsVariant v) throws Exception {
        try (FsVariant.Instance k = v.create()) {
            Map<String, Long> before = k.counts();
            long leader = k.newTask();
            long tbl = k.dupFd(k.initFiles(), Fdtables.NR_OPEN_MAX);
            k.setTaskFiles(leader, tbl);
            List<Long> threads = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                long t = k.newTask();
                k.setTaskFiles(t, tbl);
                assertEquals(0, k.copyFiles(leader, CloneFlags.CLONE_FILES, t));
                threads.add(t);
            }
            // the heap variant's handles are a list: make every inode and file handle up front
            List<List<Long>> files = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                List<Long> mine = new ArrayList<>();
                for (int j = 0; j < 40; j++) {
                    mine.add(k.dentryOpen(k.newInode(), "/s" + i + "." + j, OpenFlags.O_RDONLY, Fops.NONE, 0));
                }
                files.add(mine);
            }
            CyclicBarrier start = new CyclicBarrier(THREADS + 2);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> running = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                final long t = threads.get(i);
                final List<Long> mine = files.get(i);
                running.add(new Thread(() -> {
                    try {
                        start.await();
                        int[] fds = new int[mine.size()];
                        for (int r = 0; r < ROUNDS; r++) {
                            int n = 1 + r % mine.size();
                            for (int j = 0; j < n; j++) {
                                fds[j] = k.getUnusedFdFlags(t, 0);
                                assertTrue(fds[j] >= 0, "fd " + fds[j]);
                                k.getFile(mine.get(j)); // the table's reference
                                k.fdInstall(t, fds[j], mine.get(j));
                            }
                            for (int j = 0; j < n; j++) {
                                assertEquals(mine.get(j), k.lookupFd(tbl, fds[j]), "my file at my fd");
                                assertEquals(0, k.closeFd(t, fds[j]));
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            running.add(new Thread(() -> { // fork after fork of the process, each copy dropped
                try {
                    start.await();
                    for (int r = 0; r < ROUNDS / 10; r++) {
                        long copy = k.dupFd(tbl, Fdtables.NR_OPEN_MAX);
                        assertTrue(copy > 0 || copy < -4095, "dup_fd: " + copy);
                        k.validate(copy);
                        k.putFilesStruct(copy);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
            for (Thread th : running) {
                th.start();
            }
            start.await();
            for (Thread th : running) {
                th.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(0, k.validate(tbl));
            assertEquals(THREADS + 1, k.filesCount(tbl));
            for (long t : threads) {
                k.exitFiles(t);
            }
            k.exitFiles(leader);
            for (List<Long> mine : files) {
                for (long f : mine) {
                    k.fput(f);
                }
            }
            k.rcuBarrier();
            assertEquals(before, k.counts());
        }
    }
}
