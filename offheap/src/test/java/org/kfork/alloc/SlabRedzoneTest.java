package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.BadAccessException;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/**
 * KASAN redzones as a machine option: the geometry of generic KASAN's kasan_cache_create, the
 * flag and the slabinfo note that say so, and an overflow into an allocated neighbour caught only
 * with them.
 */
class SlabRedzoneTest {
    static final Machine PLAIN = Machine.builder().ram(16 << 20).cpus(2).build();
    static final Machine REDZONED = Machine.builder().ram(16 << 20).cpus(2).kasanRedzones(true).build();
    static final SlabCaches PLAIN_SLABS = Kmem.of(PLAIN).slabs();
    static final SlabCaches REDZONED_SLABS = Kmem.of(REDZONED).slabs();

    @RegisterExtension
    final LeakCheck plainLeaks = new LeakCheck(() -> PLAIN);
    @RegisterExtension
    final LeakCheck redzonedLeaks = new LeakCheck(() -> REDZONED);

    @AfterAll
    static void close() {
        PLAIN.close();
        REDZONED.close();
    }

    @Test
    void redzonesAreOffByDefault() {
        try (Machine m = Machine.create(8 << 20)) {
            assertFalse(m.kasanRedzones());
        }
        assertTrue(REDZONED.kasanRedzones());
    }

    @Test
    void anOverflowIntoAnAllocatedNeighbourIsCaughtOnlyWithRedzones() {
        KmemCache plain = PLAIN_SLABS.createOrThrow("vm_area_struct", 200, 0, 0, null);
        KmemCache kasan = REDZONED_SLABS.createOrThrow("vm_area_struct", 200, 0, 0, null);
        try {
            long a = plain.alloc(0);
            long b = plain.alloc(0);
            assertEquals(a + 200, b, "without redzones the next object starts where a ends");
            Mem.putLong(a + 200, 7); // an off-by-one overflow of a lands in b, unseen
            assertEquals(7, Mem.getLong(b));
            plain.free(0, a);
            plain.free(0, b);

            long x = kasan.alloc(0);
            long y = kasan.alloc(0);
            assertEquals(x + kasan.stride(), y);
            BadAccessException e = assertThrows(BadAccessException.class, () -> Mem.putLong(x + 200, 7));
            assertEquals("out-of-bounds", e.bug());
            assertTrue(e.getMessage().contains("the KASAN redzone after object 0x" + Long.toHexString(x)), e.getMessage());
            assertThrows(BadAccessException.class, () -> Mem.getByte(y - 1), "the last redzone byte before y");
            Mem.putLong(y, 7); // y itself is fine
            kasan.free(0, x);
            kasan.free(0, y);
        } finally {
            plain.destroy();
            kasan.destroy();
        }
    }

    @Test
    void theGeometryIsKasanCacheCreates() {
        // optimal_redzone's steps
        assertEquals(16, SlabGeometry.optimalRedzone(48));
        assertEquals(32, SlabGeometry.optimalRedzone(49));
        assertEquals(64, SlabGeometry.optimalRedzone(448));
        assertEquals(128, SlabGeometry.optimalRedzone(449));
        assertEquals(256, SlabGeometry.optimalRedzone(7040));
        assertEquals(2048, SlabGeometry.optimalRedzone(1 << 16));
        // vm_area_struct: 200 + 16 (alloc meta), grown to 64 bytes of redzone: 264
        assertEquals(264, SlabGeometry.stride(200, 8, false, true));
        // a 16-byte object holds the free meta itself: 16 + 16 of alloc meta, and the 16-byte redzone is met
        assertEquals(32, SlabGeometry.stride(16, 8, false, true));
        // an 8-byte object holds no free meta: 8 + 16 + 16, and the 16-byte redzone is met
        assertEquals(40, SlabGeometry.stride(8, 8, false, true));
        // task_struct, 7040 aligned 64: 7040 + 16 + 240 to reach a 256-byte redzone
        assertEquals(7296, SlabGeometry.stride(7040, 64, false, true));
        // a constructor keeps contents: free pointer word and free meta go after the object too
        assertEquals(264, SlabGeometry.stride(200, 8, true, true));
        assertEquals(200 + 8, SlabGeometry.stride(200, 8, true, false));
        // no room for the metadata at KMALLOC_MAX_SIZE: KASAN leaves the cache alone
        final int huge = SlabGeometry.KMALLOC_MAX_SIZE - 8;
        assertEquals(SlabGeometry.KMALLOC_MAX_SIZE, SlabGeometry.stride(huge, 8, true, true));
        assertEquals(SlabGeometry.KMALLOC_MAX_SIZE, SlabGeometry.stride(huge, 8, false, true),
            "kasan_cache_create only asks that the size grew past the metadata's offset, not that it fits");
    }

    @Test
    void slabinfoAndTheFlagsSaySo() {
        KmemCache c = REDZONED_SLABS.createOrThrow("task_struct", 7040, 64, SlabFlags.SLAB_ACCOUNT, null);
        KmemCache p = PLAIN_SLABS.createOrThrow("task_struct", 7040, 64, SlabFlags.SLAB_ACCOUNT, null);
        try {
            assertEquals(SlabFlags.SLAB_KASAN | SlabFlags.SLAB_ACCOUNT, c.flags());
            assertEquals(SlabFlags.SLAB_ACCOUNT, p.flags());
            assertTrue(c.toString().contains("ACCOUNT|KASAN"), c.toString());
            assertEquals(7296, c.info().stride());
            assertEquals(4, c.objsPerSlab(), "four task_structs in an order-3 slab either way");
            String info = REDZONED_SLABS.slabinfo();
            assertTrue(info.contains(SlabInfo.KASAN_REDZONES_NOTE), info);
            assertFalse(PLAIN_SLABS.slabinfo().contains("KASAN"));
            assertNull(PLAIN_SLABS.create("mine", 64, 0, SlabFlags.SLAB_KASAN, null),
                "SLAB_KASAN is the allocator's to set, not a caller's");
        } finally {
            c.destroy();
            p.destroy();
        }
    }
}
