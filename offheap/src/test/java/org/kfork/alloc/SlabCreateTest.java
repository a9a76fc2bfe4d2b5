package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.Machine;
import org.kfork.testing.LeakCheck;
import org.kfork.uapi.Errno;

/**
 * kmem_cache_create's failures: null as the kernel returns it, and the errno and reason that
 * {@link SlabCaches#createOrThrow} gives.
 */
class SlabCreateTest {
    static final Machine MACHINE = Machine.builder().ram(16 << 20).cpus(2).build();
    static final SlabCaches SLABS = Kmem.of(MACHINE).slabs();

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        MACHINE.close();
    }

    private static void assertFails(int errno, String reason, String name, int size, int align, int flags,
                                    int useroffset, int usersize) {
        assertNull(SLABS.createUsercopy(name, size, align, flags, useroffset, usersize, null), "the kernel's contract");
        SlabCreateException e = assertThrows(SlabCreateException.class,
            () -> SLABS.createUsercopyOrThrow(name, size, align, flags, useroffset, usersize, null));
        assertEquals(errno, e.errno());
        assertTrue(e.reason().contains(reason), e.reason());
        assertTrue(e.getMessage().startsWith("kmem_cache_create(" + name + ") failed with error -" + errno + " ("
            + Errno.name(errno) + "): "), e.getMessage());
    }

    @Test
    void eachRefusalSaysWhy() {
        assertFails(Errno.EINVAL, "no name", "", 64, 0, 0, 0, 0);
        assertFails(Errno.EINVAL, "size 0 outside 1..4194296", "zero", 0, 0, 0, 0, 0);
        assertFails(Errno.EINVAL, "size 8388608", "too-big", 8 << 20, 0, 0, 0, 0);
        assertFails(Errno.EINVAL, "align 24", "odd-align", 64, 24, 0, 0, 0);
        assertFails(Errno.EINVAL, "flags 0x8000000 hold bits a caller may not pass (KASAN)", "kasan", 64, 0,
            SlabFlags.SLAB_KASAN, 0, 0);
        assertFails(Errno.EINVAL, "flags 0x1 ", "unknown", 64, 0, 1, 0, 0);
        assertFails(Errno.EINVAL, "usercopy region 90+20 outside the object of 100 bytes", "usercopy", 100, 0, 0, 90, 20);
        assertEquals(List.of(), SLABS.list(), "no refused cache was registered");
    }

    @Test
    void fullPerCpuAreasGiveEnomem() {
        final List<Integer> vars = new ArrayList<>();
        int off;
        while ((off = Kmem.of(MACHINE).percpu().alloc(8, 8)) >= 0) {
            vars.add(off);
        }
        try {
            assertFails(Errno.ENOMEM, "the per-CPU areas are full", "vm_area_struct", 200, 0, 0, 0, 0);
        } finally {
            for (int v : vars) {
                Kmem.of(MACHINE).percpu().free(v, 8);
            }
        }
        KmemCache c = SLABS.createOrThrow("vm_area_struct", 200, 0, 0, null);
        assertNotNull(c);
        c.destroy();
    }

    @Test
    void slabPanicStillPanicsWithTheReason() {
        KernelPanic p = assertThrows(KernelPanic.class,
            () -> SLABS.createOrThrow("too-big", 8 << 20, 0, SlabFlags.SLAB_PANIC, null));
        assertTrue(p.getMessage().startsWith("Kernel panic - not syncing: kmem_cache_create: Failed to create slab "
            + "'too-big'. Error -22 (size 8388608"), p.getMessage());
    }
}
