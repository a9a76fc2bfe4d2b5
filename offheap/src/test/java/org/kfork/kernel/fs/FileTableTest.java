package org.kfork.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.fs.Fmode.FMODE_CAN_READ;
import static org.kfork.fs.Fmode.FMODE_CAN_WRITE;
import static org.kfork.fs.Fmode.FMODE_LSEEK;
import static org.kfork.fs.Fmode.FMODE_OPENED;
import static org.kfork.fs.Fmode.FMODE_PREAD;
import static org.kfork.fs.Fmode.FMODE_PWRITE;
import static org.kfork.fs.Fmode.FMODE_READ;
import static org.kfork.fs.Fmode.FMODE_WRITE;
import static org.kfork.fs.Fmode.FMODE_WRITER;
import static org.kfork.uapi.OpenFlags.O_CLOEXEC;
import static org.kfork.uapi.OpenFlags.O_CREAT;
import static org.kfork.uapi.OpenFlags.O_RDONLY;
import static org.kfork.uapi.OpenFlags.O_RDWR;
import static org.kfork.uapi.OpenFlags.O_TRUNC;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.fs.Fmode;
import org.kfork.kernel.fs.FsVariant.Fops;
import org.kfork.uapi.Errno;

/**
 * fs/file_table.c and the inodes under it, on both kernels: a file's lifetime (f_count, the last
 * fput's __fput: release, the write access, the inode), its mode and flags, nr_files against
 * files-max, f_cred's reference, and every allocation point under failslab.
 */
class FileTableTest {

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void theLastFputReleasesTheFileThenItsInode(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            Map<String, Long> before = k.counts();
            long inode = k.newInode();
            assertEquals(1, k.iCount(inode));
            long f = k.dentryOpen(inode, "/srv/a", O_RDWR, Fops.RELEASE, 0);
            assertTrue(f > 0 || !Errno.isError(f), "opened: " + f);
            assertEquals(1, k.fCount(f));
            assertEquals(inode, k.fInode(f));
            assertEquals(1, k.iCount(inode), "the file took over the caller's inode reference");
            assertEquals("/srv/a", k.path(f));
            assertEquals(1, k.nrFiles());
            k.getFile(f);
            k.getFile(f);
            assertEquals(3, k.fCount(f));
            k.fput(f);
            k.fput(f);
            assertEquals(0, k.releases.size(), "release waits for the last reference");
            assertEquals(1, k.fCount(f));
            k.fput(f);
            assertEquals(1, k.releases.size());
            assertArrayEquals(new long[] {inode, f}, k.releases.get(0), "release(inode, file), once");
            assertEquals(0, k.nrFiles());
            assertEquals(before, k.counts(), "the file and its inode are freed");
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void openSetsTheModeOfItsAccessAndAWriterHoldsWriteAccessUntilTheLastPut(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long inode = k.newInode();
            long w = k.dentryOpen(inode, "/srv/w", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, Fops.RW, 0);
            assertEquals(FMODE_READ | FMODE_WRITE | FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE | FMODE_WRITER
                | FMODE_CAN_READ | FMODE_CAN_WRITE | FMODE_OPENED, k.fMode(w));
            assertEquals(O_RDWR | O_CLOEXEC, k.fFlags(w), "do_dentry_open drops O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC");
            assertEquals(1, k.iWritecount(inode), "get_write_access");
            long inode2 = k.newInode();
            long r = k.dentryOpen(inode2, "/srv/r", O_RDONLY, Fops.RW, 0);
            assertEquals(FMODE_READ | FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE | FMODE_CAN_READ | FMODE_OPENED,
                k.fMode(r));
            long bare = k.dentryOpen(k.newInode(), "/srv/b", O_RDWR, Fops.NONE, 0);
            assertEquals(FMODE_READ | FMODE_WRITE | FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE | FMODE_WRITER | FMODE_OPENED,
                k.fMode(bare), "no read_iter, no write_iter: neither CAN_READ nor CAN_WRITE");
            k.fput(bare);
            assertEquals(0, k.iWritecount(inode2), "a reader takes no write access");
            assertEquals(-Errno.ENODEV, k.callMmap(r), "no mmap method");
            k.fput(r);
            k.ihold(inode); // a reference of our own, to look at the inode after the file goes
            assertEquals(2, k.iCount(inode));
            k.fput(w);
            assertEquals(0, k.iWritecount(inode), "__fput gave the write access back");
            assertEquals(1, k.iCount(inode), "and the file's inode reference");
            k.iput(inode);
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aPseudoFileHasNoWriterModeAndLeavesTheWriteCountAlone(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long inode = k.newInode();
            long f = k.allocFile(inode, "anon_inode:[test]", O_RDWR, Fops.RELEASE, 0);
            assertEquals(FMODE_READ | FMODE_WRITE | FMODE_OPENED, k.fMode(f), "no FMODE_WRITER, and release only");
            assertEquals(0, k.iWritecount(inode));
            k.fput(f);
            assertEquals(1, k.releases.size());
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void writesDeniedGiveEtxtbsyAndTheCallerKeepsItsInode(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            Map<String, Long> before = k.counts();
            long inode = k.newInode();
            k.addIWritecount(inode, -1); // deny_write_access: an executable mapped VM_DENYWRITE
            assertEquals(-Errno.ETXTBSY, k.dentryOpen(inode, "/bin/x", O_RDWR, Fops.RELEASE, 0));
            assertEquals(0, k.nrFiles());
            assertEquals(1, k.iCount(inode), "the inode reference stays the caller's");
            assertEquals(-1, k.iWritecount(inode));
            long r = k.dentryOpen(inode, "/bin/x", O_RDONLY, Fops.RELEASE, 0);
            assertTrue(!Errno.isError(r), "readers are not denied");
            k.fput(r);
            assertEquals(1, k.releases.size(), "the refused open never ran release");
            assertEquals(before, k.counts());
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void pastFilesMaxOnlyCapSysAdminOrTheKernelGetsAFile(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            assertEquals(Fmode.NR_FILE, k.maxFiles(), "64 MiB of RAM: 6553 files, below NR_FILE");
            long user = k.newCred(false);
            long admin = k.newCred(true);
            long i1 = k.newInode();
            long f1 = k.dentryOpen(i1, "/a", O_RDONLY, Fops.NONE, user);
            assertEquals(2, k.credUsage(user), "f_cred holds a reference");
            k.setMaxFiles(1);
            long i2 = k.newInode();
            assertEquals(-Errno.ENFILE, k.dentryOpen(i2, "/b", O_RDONLY, Fops.NONE, user));
            assertEquals(2, k.credUsage(user), "the refusal takes no reference");
            long f2 = k.dentryOpen(i2, "/b", O_RDONLY, Fops.NONE, admin);
            assertTrue(!Errno.isError(f2), "CAP_SYS_ADMIN goes past files-max");
            long i3 = k.newInode();
            long f3 = k.dentryOpen(i3, "/c", O_RDONLY, Fops.NONE, 0);
            assertTrue(!Errno.isError(f3), "the kernel's own files are not refused");
            assertEquals(3, k.nrFiles());
            k.fput(f1);
            assertEquals(1, k.credUsage(user));
            k.fput(f2);
            k.fput(f3);
            assertEquals(1, k.credUsage(admin));
            assertEquals(0, k.credFinalPuts());
            assertEquals(0, k.nrFiles());
            long f4 = k.dentryOpen(k.newInode(), "/d", O_RDONLY, Fops.NONE, user);
            assertTrue(!Errno.isError(f4), "below files-max again");
            k.fput(f4);
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aFileHoldingTheLastCredentialReferenceFreesThem(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long cred = k.newCred(false);
            long f = k.dentryOpen(k.newInode(), "/x", O_RDONLY, Fops.NONE, cred);
            assertEquals(2, k.credUsage(cred));
            // the opener's reference goes (its task changed credentials or exited)
            assertEquals(0, k.credFinalPuts());
            k.fput(f);
            assertEquals(1, k.credUsage(cred));
            assertEquals(0, k.credFinalPuts(), "the creator still holds one");
            long f2 = k.dentryOpen(k.newInode(), "/y", O_RDONLY, Fops.NONE, cred);
            forceCredUsage(k, cred, f2);
            k.fput(f2);
            assertEquals(1, k.credFinalPuts(), "__put_cred ran when the file dropped the last reference");
        }
    }

    /** Drops the creator's reference so the file's is the last one. */
    private static void forceCredUsage(FsVariant.Instance k, long cred, long file) {
        assertEquals(2, k.credUsage(cred));
        if (k instanceof FsVariant.OffHeapInstance) {
            org.kfork.machine.Mem.getAndAddInt(cred + org.kfork.kernel.struct.Cred.USAGE, -1);
        } else {
            ((int[]) ((FsVariant.HeapInstance) k).obj(cred))[0]--;
        }
        assertEquals(1, k.credUsage(cred));
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aPutOfAFreedFileOrInodeIsRefused(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long inode = k.newInode();
            long f = k.dentryOpen(inode, "/z", O_RDONLY, Fops.NONE, 0);
            k.fput(f);
            // off-heap, checked mode catches the access to the freed object; the heap twin refuses
            assertThrows(RuntimeException.class, () -> k.fput(f));
            long inode2 = k.newInode();
            k.iput(inode2);
            assertThrows(RuntimeException.class, () -> k.iput(inode2));
            assertEquals(0, k.nrFiles());
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void everyAllocationOfAnOpenCanFailAndLeavesNothing(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            Map<String, Long> before = k.counts();
            long cred = k.newCred(false);
            // new_inode_pseudo (1), then the file (2)
            k.failNth(1);
            assertEquals(0, k.newInode(), "inode_cache refused");
            k.disarm();
            long inode = k.newInode();
            k.failNth(1);
            assertEquals(-Errno.ENOMEM, k.dentryOpen(inode, "/f", O_RDWR, Fops.RELEASE, cred));
            k.disarm();
            assertEquals(0, k.iWritecount(inode), "no write access taken");
            assertEquals(1, k.credUsage(cred), "no credentials reference taken");
            assertEquals(0, k.nrFiles());
            assertEquals(-Errno.ENOMEM, allocFileFailing(k, inode, cred));
            long f = k.allocFile(inode, "/f", O_RDWR, Fops.RELEASE, cred);
            assertNotEquals(0, f);
            assertEquals(1, k.nrFiles());
            k.fput(f);
            assertEquals(1, k.releases.size());
            assertEquals(before, k.counts());
        }
    }

    private static long allocFileFailing(FsVariant.Instance k, long inode, long cred) {
        k.failNth(1);
        try {
            return k.allocFile(inode, "/f", O_RDWR, Fops.RELEASE, cred);
        } finally {
            k.disarm();
        }
    }

    @ParameterizedTest
    @EnumSource(FsVariant.class)
    void aFreedFileForgetsItsPath(FsVariant v) {
        try (FsVariant.Instance k = v.create()) {
            long f = k.dentryOpen(k.newInode(), "/p", O_RDONLY, Fops.NONE, 0);
            assertEquals("/p", k.path(f));
            k.fput(f);
            assertNull(k.path(f), "file_free forgets it");
        }
    }
}
