package org.kfork.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * fs/fs_struct.c, the paths under it and copy_fs/unshare_fs on both kernels: init_fs at the root,
 * CLONE_FS sharing and its -EAGAIN during exec, copies holding their path references, the last
 * user's free, unshare_fs, and failslab at copy_fs_struct.
 */
class FsStructsTest {

    /** A task whose fs is a copy of init_fs (as a process forked from init has). */
    private static long taskWithFs(FsVariant.Instance k) {
        long t = k.newTask();
        long init = k.newTask();
        k.setTaskFs(init, k.initFs());
        assertEquals(0, k.copyFs(init, 0, t));
        return t;
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void initFsIsAtTheRootWhichNoPutCanFree(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long init = k.initFs();
            assertEquals(1, k.fsUsers(init));
            assertEquals(0022, k.umask(init));
            assertTrue(k.atRoot(init));
            assertArrayEquals(new int[] {3, 3}, k.rootCounts(), "the mount's own, and init_fs's root and pwd");
            assertEquals(2, k.putRootUntilRefused(), "init_fs's two come off; the mount's own is refused");
            assertArrayEquals(new int[] {3, 3}, k.rootCounts());
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aCopyHoldsItsOwnPathsAndTheLastUserFreesIt(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            Map<String, Long> before = k.counts();
            k.setUmask(k.initFs(), 027);
            long t = taskWithFs(k);
            long fs = k.taskFs(t);
            assertTrue(fs != k.initFs());
            assertEquals(1, k.fsUsers(fs));
            assertEquals(027, k.umask(fs), "the umask is copied");
            assertTrue(k.atRoot(fs));
            assertArrayEquals(new int[] {5, 5}, k.rootCounts(), "path_get on root and pwd");
            assertEquals(before.get("fs_cache") + 1, k.counts().get("fs_cache"));
            k.exitFs(t);
            assertEquals(0, k.taskFs(t));
            assertArrayEquals(new int[] {3, 3}, k.rootCounts());
            assertEquals(before, k.counts());
            k.setUmask(k.initFs(), 0022);
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void cloneFsSharesAndIsRefusedDuringExec(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long t = taskWithFs(k);
            long fs = k.taskFs(t);
            Map<String, Long> before = k.counts();
            long child = k.newTask();
            k.setTaskFs(child, fs);
            assertEquals(0, k.copyFs(t, CloneFlags.CLONE_FS, child));
            assertEquals(2, k.fsUsers(fs));
            assertArrayEquals(new int[] {5, 5}, k.rootCounts(), "sharing takes no path reference");
            k.setInExec(fs, 1);
            long other = k.newTask();
            k.setTaskFs(other, fs);
            assertEquals(-Errno.EAGAIN, k.copyFs(t, CloneFlags.CLONE_FS, other), "a task of it is in execve");
            assertEquals(2, k.fsUsers(fs), "users unchanged");
            assertEquals(0, k.copyFs(t, 0, other), "a copy is fine during exec");
            assertTrue(k.taskFs(other) != fs);
            k.setInExec(fs, 0);
            assertEquals(before.get("fs_cache") + 1, k.counts().get("fs_cache"));
            k.exitFs(other);
            k.exitFs(child);
            assertEquals(1, k.fsUsers(fs), "the shared struct survives its first user's exit");
            assertEquals(before, k.counts());
            k.exitFs(t);
            assertArrayEquals(new int[] {3, 3}, k.rootCounts());
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void unshareFsCopiesOnlyAShared(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long t = taskWithFs(k);
            long fs = k.taskFs(t);
            assertEquals(0, k.unshareFs(t, CloneFlags.CLONE_FS), "one user: nothing to do");
            long child = k.newTask();
            k.setTaskFs(child, fs);
            assertEquals(0, k.copyFs(t, CloneFlags.CLONE_FS, child));
            assertEquals(0, k.unshareFs(child, 0), "without CLONE_FS");
            long copy = k.unshareFs(child, CloneFlags.CLONE_FS);
            assertTrue(copy != 0 && !Errno.isError(copy) && copy != fs);
            assertEquals(1, k.fsUsers(copy));
            assertEquals(2, k.fsUsers(fs), "unshare_fs itself swaps nothing (ksys_unshare does)");
            k.failNth(1);
            assertEquals(-Errno.ENOMEM, k.unshareFs(child, CloneFlags.CLONE_FS));
            k.disarm();
            long spare = k.newTask();
            k.setTaskFs(spare, copy);
            k.exitFs(spare);
            k.exitFs(child);
            k.exitFs(t);
            assertArrayEquals(new int[] {3, 3}, k.rootCounts());
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aFailedCopyLeavesTheParentsStructAsItWas(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long t = taskWithFs(k);
            long fs = k.taskFs(t);
            Map<String, Long> before = k.counts();
            long child = k.newTask();
            k.setTaskFs(child, fs);
            k.failNth(1);
            assertEquals(-Errno.ENOMEM, k.copyFs(t, 0, child));
            k.disarm();
            assertEquals(fs, k.taskFs(child), "the child still points at the parent's, as dup_task_struct left it");
            assertEquals(1, k.fsUsers(fs));
            assertArrayEquals(new int[] {5, 5}, k.rootCounts());
            assertEquals(before, k.counts());
            k.exitFs(t);
        }
    }
}
