package org.kfork.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.fs.Fmode.FMODE_OPENED;
import static org.kfork.fs.Fmode.FMODE_READ;
import static org.kfork.fs.Fmode.FMODE_WRITE;
import static org.kfork.uapi.OpenFlags.O_CLOEXEC;
import static org.kfork.uapi.OpenFlags.O_RDWR;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.fs.Fdtables;
import org.kfork.uapi.Errno;

/**
 * The pidfd's file on both kernels, the way copy_process makes one: get_unused_fd_flags(O_RDWR |
 * O_CLOEXEC), anon_inode_getfile("[pidfd]", &amp;pidfd_fops, pid, O_RDWR | O_CLOEXEC), fd_install;
 * its last close runs pidfd_release, which puts the pid through the pid room's put_pid.
 */
class PidfdTest {

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aPidfdIsAnAnonymousFileWhoseLastCloseReleasesThePid(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            k.registerPutPid();
            Map<String, Long> before = k.counts();
            long t = k.newTask();
            k.setTaskFiles(t, k.dupFd(k.initFiles(), Fdtables.NR_OPEN_MAX));
            long anon = k.anonInode();
            int anonCount = k.iCount(anon);
            long pid = k.fakePid();
            int fd = k.getUnusedFdFlags(t, O_RDWR | O_CLOEXEC);
            assertEquals(0, fd);
            long file = k.pidfdGetfile(t, pid, O_RDWR | O_CLOEXEC);
            assertTrue(!Errno.isError(file));
            assertEquals(anon, k.fInode(file), "the one anonymous inode");
            assertEquals(anonCount + 1, k.iCount(anon), "ihold");
            assertEquals(pid, k.privateData(file));
            assertEquals(O_RDWR, k.fFlags(file), "O_CLOEXEC is the descriptor's, not the file's");
            assertEquals(FMODE_READ | FMODE_WRITE | FMODE_OPENED, k.fMode(file), "pidfd_fops can neither read nor write");
            assertEquals("anon_inode:[pidfd]", k.path(file));
            k.fdInstall(t, fd, file);
            assertTrue(k.closeOnExec(k.taskFiles(t), fd));
            // a fork copies the table: the file is shared, the pid put once, at the last close
            long copy = k.dupFd(k.taskFiles(t), Fdtables.NR_OPEN_MAX);
            assertEquals(2, k.fCount(file));
            assertEquals(0, k.closeFd(t, fd));
            assertEquals(List.of(), k.putPids);
            k.putFilesStruct(copy);
            assertEquals(List.of(pid), k.putPids, "pidfd_release: put_pid(file->private_data)");
            assertEquals(anonCount, k.iCount(anon));
            k.exitFiles(t);
            assertEquals(before, k.counts());
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aFailedGetfileGivesTheInodeBackAndTheDescriptorIsPutBack(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            k.registerPutPid();
            long t = k.newTask();
            k.setTaskFiles(t, k.dupFd(k.initFiles(), Fdtables.NR_OPEN_MAX));
            Map<String, Long> before = k.counts();
            long anon = k.anonInode();
            int anonCount = k.iCount(anon);
            int fd = k.getUnusedFdFlags(t, O_RDWR | O_CLOEXEC);
            k.failNth(1);
            assertEquals(-Errno.ENOMEM, k.pidfdGetfile(t, k.fakePid(), O_RDWR | O_CLOEXEC));
            k.disarm();
            k.putUnusedFd(t, fd); // copy_process's bad_fork_put_pidfd
            assertEquals(anonCount, k.iCount(anon));
            assertEquals(List.of(), k.putPids, "nothing to release");
            assertEquals(before, k.counts());
            assertEquals(0, k.validate(k.taskFiles(t)));
            k.exitFiles(t);
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aPidfdOfANullPidNeedsNoPutPid(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long t = k.newTask();
            long none = k.pidfdGetfile(t, 0, O_RDWR);
            k.fput(none); // put_pid(NULL) is a no-op: no put_pid needed, none registered
            k.registerPutPid();
            long file = k.pidfdGetfile(t, k.fakePid(), O_RDWR);
            k.fput(file);
            assertEquals(1, k.putPids.size());
        }
    }
}
