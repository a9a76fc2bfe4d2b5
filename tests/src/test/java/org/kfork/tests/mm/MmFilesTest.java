package org.kfork.tests.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.mm.Mman.MAP_ANONYMOUS;
import static org.kfork.mm.Mman.MAP_FIXED;
import static org.kfork.mm.Mman.MAP_PRIVATE;
import static org.kfork.mm.Mman.MAP_SHARED;
import static org.kfork.mm.Mman.PAGE_SIZE;
import static org.kfork.mm.Mman.PROT_READ;
import static org.kfork.mm.Mman.PROT_WRITE;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.MappedFile;
import org.kfork.mm.MmSystem;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;

/**
 * The mm's files on the real struct file, inode and address_space, both variants: each open is an
 * inode and a file, a shared anonymous map is a shmem inode and file (shmem_zero_setup) that its
 * last VMA frees, and every allocation of those fails cleanly with 5.12's errno.
 */
class MmFilesTest {
    static final long P = PAGE_SIZE;
    static final int RW = PROT_READ | PROT_WRITE;

    private MmVariant.Instance inst;

    private AddressSpace start(MmVariant v) {
        inst = v.create();
        return inst.sys().mmAlloc();
    }

    private MmSystem sys() {
        return inst.sys();
    }

    @AfterEach
    void leakCheck() {
        if (inst != null) {
            inst.close();
        }
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void anOpenIsAnInodeAndAFileAndTheLastPutFreesBoth(MmVariant v) {
        AddressSpace mm = start(v);
        Map<String, Long> before = sys().objectCounts();
        MappedFile f = sys().openFile("/srv/data", true, false);
        assertEquals(before.get("filp") + 1, sys().objectCounts().get("filp"));
        assertEquals(before.get("inode_cache") + 1, sys().objectCounts().get("inode_cache"));
        assertEquals(1, f.iWritecount(), "open for write: get_write_access");
        long a = mm.mmap(0, 2 * P, RW, MAP_SHARED, f, 0);
        assertEquals(2, f.refcount(), "the VMA holds the file");
        f.fput();
        assertEquals(1, sys().objectCounts().get("filp") - before.get("filp"), "the VMA's reference keeps it");
        assertEquals(0, mm.munmap(a, 2 * P));
        assertEquals(before, sys().objectCounts(), "the VMA's fput was the last: file and inode freed");
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void aSharedAnonymousMapIsAShmemFileOfItsOwn(MmVariant v) {
        AddressSpace mm = start(v);
        Map<String, Long> before = sys().objectCounts();
        long a = mm.mmap(0, 3 * P, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        long b = mm.mmap(0, P, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        assertEquals("/dev/zero (deleted)", mm.findVma(a).file());
        assertEquals(before.get("filp") + 2, sys().objectCounts().get("filp"), "one file per map");
        assertEquals(before.get("inode_cache") + 2, sys().objectCounts().get("inode_cache"));
        String[] maps = mm.maps().split("\n");
        assertTrue(!maps[0].split("\\s+")[4].equals(maps[1].split("\\s+")[4]), "two inodes, two numbers: " + mm.maps());
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(before.get("filp") + 2, sys().objectCounts().get("filp"), "the child shares the files");
        child.mmput();
        assertEquals(0, mm.munmap(a, 3 * P));
        assertEquals(0, mm.munmap(b, P));
        assertEquals(before, sys().objectCounts());
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void everyAllocationOfASharedAnonymousMapFailsWithTheKernelsErrno(MmVariant v) {
        AddressSpace mm = start(v);
        long fixed = 0x40000000L;
        String maps = mm.maps();
        Map<String, Long> before = sys().objectCounts();
        // mmap_region: vm_area_alloc (1), then shmem_zero_setup: shmem_get_inode (2), the file (3)
        int[] expected = {-Errno.ENOMEM, -Errno.ENOSPC, -Errno.ENOMEM};
        for (int k = 1; k <= expected.length; k++) {
            sys().failSlab().failNth(k);
            assertEquals(expected[k - 1], mm.mmap(fixed, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0),
                "k=" + k);
            sys().failSlab().disarm();
            assertEquals(maps, mm.maps(), "k=" + k);
            assertEquals(before, sys().objectCounts(), "k=" + k);
            assertEquals(0, sys().overcommit().committedPages(), "k=" + k);
        }
        sys().failSlab().failNth(expected.length + 1);
        assertEquals(fixed, mm.mmap(fixed, 2 * P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0));
        assertTrue(sys().failSlab().armed(), "three allocations, no fourth");
        sys().failSlab().disarm();
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void anOpenThatCannotAllocateThrowsEnomemAndLeavesNothing(MmVariant v) {
        AddressSpace mm = start(v);
        Map<String, Long> before = sys().objectCounts();
        for (int k = 1; k <= 2; k++) {
            sys().failSlab().failNth(k);
            KernelException e = assertThrows(KernelException.class, () -> sys().openFile("/x", true, true), "k=" + k);
            sys().failSlab().disarm();
            assertEquals(Errno.ENOMEM, e.errno());
            assertEquals(before, sys().objectCounts(), "k=" + k);
        }
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void aDevicesMmapAndVmOpsCountItsVmasAndAPrivateFileMapDoesNot(MmVariant v) {
        AddressSpace mm = start(v);
        MappedFile dev = sys().openFile("/dev/fb0", true, true);
        MappedFile lib = sys().openFile("/usr/lib/libz.so", false, false);
        long a = mm.mmap(0, 4 * P, RW, MAP_SHARED, dev, 0);
        assertEquals(1, dev.vmOpenCount(), "the device's mmap counts the VMA it sets up");
        assertEquals(0, mm.munmap(a + P, P));
        assertEquals(2, dev.vmOpenCount(), "the split's vm_ops->open, less nothing: two VMAs");
        AddressSpace child = mm.dup(DupMode.STRUCTURAL);
        assertEquals(4, dev.vmOpenCount(), "dup_mmap opened the child's two");
        child.mmput();
        assertEquals(2, dev.vmOpenCount(), "vm_ops->close for each");
        long l = mm.mmap(0, 2 * P, PROT_READ, MAP_PRIVATE, lib, 0);
        assertEquals(0, lib.vmOpenCount(), "generic_file_vm_ops has no open");
        assertEquals(0, mm.munmap(l, 2 * P));
        mm.mmput();
        assertEquals(0, dev.vmOpenCount());
        dev.fput();
        lib.fput();
    }
}
