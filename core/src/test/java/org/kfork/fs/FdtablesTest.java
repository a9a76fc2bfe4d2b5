package org.kfork.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kfork.uapi.OpenFlags;

/** The shared arithmetic of fd tables and f_mode, against values worked out from 5.12's fs/file.c and fs.h. */
class FdtablesTest {

    @Test
    void allocFdtableGrowsByPowersOfTwoOfAKibibyteOfPointers() {
        int nrOpen = Fdtables.SYSCTL_NR_OPEN;
        assertEquals(128, Fdtables.fdtableSize(0, nrOpen));
        assertEquals(128, Fdtables.fdtableSize(64, nrOpen), "expand_files for fd 64");
        assertEquals(128, Fdtables.fdtableSize(127, nrOpen));
        assertEquals(256, Fdtables.fdtableSize(128, nrOpen));
        assertEquals(1024, Fdtables.fdtableSize(999, nrOpen));
        assertEquals(1024, Fdtables.fdtableSize(1023, nrOpen));
        assertEquals(2048, Fdtables.fdtableSize(1024, nrOpen));
        assertEquals(1 << 20, Fdtables.fdtableSize((1 << 20) - 1, nrOpen));
    }

    @Test
    void nrOpenCapsTheSizeRoundedUpToAWord() {
        assertEquals(128, Fdtables.fdtableSize(255, 128));
        assertEquals(128, Fdtables.fdtableSize(200, 100), "((100 - 1) | 63) + 1");
        assertEquals(64, Fdtables.fdtableSize(1000, 1));
    }

    @Test
    void bitmapsAreAtLeastACacheLine() {
        assertEquals(64, Fdtables.bitmapBytes(128), "2 * 16 + 8 bytes, raised to L1_CACHE_BYTES");
        assertEquals(264, Fdtables.bitmapBytes(1024), "2 * 128 + BITBIT_SIZE(1024) = 8");
        assertEquals(8, Fdtables.bitbitSize(64));
        assertEquals(8, Fdtables.bitbitSize(4096));
        assertEquals(16, Fdtables.bitbitSize(4097));
        assertEquals(1024, Fdtables.fdArrayBytes(128));
        assertEquals(8L << 20, Fdtables.fdArrayBytes(1 << 20));
    }

    @Test
    void saneFdtableSizeIsTheLowerOfTheOpenFilesAndAtLeastNrOpenDefault() {
        assertEquals(128, Fdtables.saneFdtableSize(128, Fdtables.NR_OPEN_MAX), "NR_OPEN_MAX is ~0U: unsigned");
        assertEquals(64, Fdtables.saneFdtableSize(128, 3), "max_fds below NR_OPEN_DEFAULT counts as 64");
        assertEquals(100, Fdtables.saneFdtableSize(128, 100));
        assertEquals(64, Fdtables.saneFdtableSize(64, 1000));
    }

    @Test
    void openFmodeTakesTheAccessModePlusOne() {
        assertEquals(Fmode.FMODE_READ, Fmode.openFmode(OpenFlags.O_RDONLY));
        assertEquals(Fmode.FMODE_WRITE, Fmode.openFmode(OpenFlags.O_WRONLY));
        assertEquals(Fmode.FMODE_READ | Fmode.FMODE_WRITE, Fmode.openFmode(OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC));
        assertEquals(0, Fmode.openFmode(3), "O_ACCMODE 3: neither (ioctl-only opens)");
    }

    @Test
    void filesMaxIsTenPercentOfRamAtAKibibyteAFileButNeverBelowNrFile() {
        assertEquals(Fmode.NR_FILE, Fmode.maxFiles(16384, 4096), "64 MiB: 6553, below NR_FILE");
        assertEquals(104857, Fmode.maxFiles(262144, 4096), "1 GiB");
    }
}
