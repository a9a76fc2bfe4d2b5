package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.Abi;
import org.kfork.machine.BadAccessException;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/**
 * kmem_cache semantics on one machine, in checked mode, with the leak check after every test.
 *
 * <p>Much of this suite pins SLUB's reuse order (LIFO per CPU, slabs emptied and released), which
 * checked mode's quarantine deliberately hides; so its machine has no quarantine, and
 * {@link SlabQuarantineTest} covers that. {@link KmemCacheRedzoneTest} runs the whole suite again
 * on a machine with KASAN redzones.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KmemCacheTest {
    final boolean redzones;
    final Machine machine;
    final Kmem kmem;

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(this::machine);

    KmemCacheTest() {
        this.redzones = withRedzones();
        this.machine = Machine.builder().ram(32 << 20).cpus(4).kasanRedzones(redzones).kasanQuarantine(0).build();
        this.kmem = Kmem.of(machine);
    }

    /** Whether this run's machine has KASAN redzones (the subclass says yes). */
    boolean withRedzones() {
        return false;
    }

    private Machine machine() {
        return machine;
    }

    @AfterAll
    void close() {
        machine.close();
    }

    private KmemCache cache(String name, int size) {
        return kmem.slabs().create(name, size, 0, 0, null);
    }

    @Test
    void allocHandsOutDistinctAlignedObjectsAndFreeReusesThem() {
        KmemCache c = kmem.slabs().create("vm_area_struct", 200, 0, SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, null);
        try {
            if (redzones) {
                assertEquals(264, c.stride(), "200 bytes, 16 of KASAN alloc metadata, redzone up to 64 bytes");
                assertEquals(1, c.order(), "4 CPUs want 16 objects: a page holds 15 with KASAN, so two pages");
                assertEquals(31, c.objsPerSlab());
            } else {
                assertEquals(200, c.stride(), "200 bytes: the free pointer lives inside a free object");
                assertEquals(20, c.objsPerSlab(), "20 to a page, as 5.12's /proc/slabinfo shows");
            }
            Set<Long> seen = new HashSet<>();
            List<Long> objs = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                long o = c.alloc(0);
                assertNotEquals(0, o);
                assertTrue(seen.add(o), "handed out twice: 0x" + Long.toHexString(o));
                assertEquals(0, o & 7, "aligned to 8");
                Mem.putLong(o, i);
                Mem.putLong(o + 192, i);
                objs.add(o);
            }
            assertEquals(500, c.info().activeObjs());
            for (int i = 0; i < objs.size(); i++) {
                assertEquals(i, Mem.getLong(objs.get(i) + 192));
                c.free(0, objs.get(i));
            }
            assertEquals(0, c.info().activeObjs());
            long again = c.alloc(0);
            assertEquals(objs.get(objs.size() - 1), again, "LIFO: the last freed object comes back first");
            c.free(0, again);
        } finally {
            c.destroy();
        }
    }

    @Test
    void freshSlabsHandOutObjectsInAddressOrderAndEmptySlabsAreKeptUpToMinPartial() {
        KmemCache c = cache("fresh_order", 200);
        try {
            assertEquals(5, c.minPartial(), "SLUB: ilog2(200) / 2 = 3, clamped up to MIN_PARTIAL");
            assertEquals(10, SlabGeometry.minPartial(1 << 24), "clamped down to MAX_PARTIAL");
            assertEquals(6, SlabGeometry.minPartial(4096), "ilog2(4096) / 2");
            // A fresh slab hands out object 0, 1, 2... in address order, with no freelist threaded.
            long first = c.alloc(0);
            long second = c.alloc(0);
            assertEquals(first + c.stride(), second, "the second object of a fresh slab follows the first");
            c.free(0, second);
            c.free(0, first);
            // Fill then empty 8 slabs: 5 empty slabs stay cached, the rest go back to the buddy.
            List<Long> objs = new ArrayList<>();
            for (int i = 0; i < 8 * c.objsPerSlab(); i++) {
                objs.add(c.alloc(0));
            }
            assertTrue(c.info().numSlabs() >= 8, "8 full slabs, and maybe one more the last refill began");
            for (long o : objs) {
                c.free(0, o);
            }
            c.flushCpu(0);
            assertEquals(c.minPartial(), c.info().numSlabs(), "empty slabs beyond min_partial are released");
            // Recycled slab descriptors hand out the same objects again: a full refill of every slab works.
            objs.clear();
            for (int i = 0; i < 8 * c.objsPerSlab(); i++) {
                long o = c.alloc(0);
                assertNotEquals(0, o);
                objs.add(o);
            }
            assertEquals(8 * c.objsPerSlab(), new HashSet<>(objs).size(), "no object handed out twice");
            for (long o : objs) {
                c.free(0, o);
            }
        } finally {
            c.destroy();
        }
    }

    @Test
    void hwcacheAlignAndUsercopyAreRecorded() {
        KmemCache fs = kmem.slabs().create("fs_cache", 56, 0, SlabFlags.SLAB_HWCACHE_ALIGN, null);
        KmemCache tiny = kmem.slabs().create("tiny", 24, 0, SlabFlags.SLAB_HWCACHE_ALIGN, null);
        KmemCache mm = kmem.slabs().createUsercopy("mm_struct", 1024, 0, SlabFlags.SLAB_HWCACHE_ALIGN, 352, 368, null);
        try {
            assertEquals(64, fs.align());
            assertEquals(32, tiny.align(), "a 24-byte object gets half a line, as calculate_alignment halves");
            assertEquals(352, mm.useroffset());
            assertEquals(368, mm.usersize());
            long o = mm.alloc(1);
            assertEquals(0, o & 63);
            mm.free(1, o);
            assertNull(kmem.slabs().createUsercopy("bad", 100, 0, 0, 90, 20, null), "usercopy outside the object");
        } finally {
            fs.destroy();
            tiny.destroy();
            mm.destroy();
        }
    }

    @Test
    void ctorRunsOncePerObjectWhenTheSlabIsBuilt() {
        AtomicInteger ctorCalls = new AtomicInteger();
        KmemCache c = kmem.slabs().create("sighand_cache", 2080, 0,
            SlabFlags.SLAB_HWCACHE_ALIGN | SlabFlags.SLAB_TYPESAFE_BY_RCU, obj -> {
                ctorCalls.incrementAndGet();
                Mem.putLong(obj, 0x5167L); // "constructed" marker, like sighand_ctor's spin_lock_init
            });
        try {
            long a = c.alloc(0);
            assertEquals(c.objsPerSlab(), ctorCalls.get(), "one slab built, every object constructed once");
            assertEquals(0x5167L, Mem.getLong(a));
            Mem.putLong(a, 0x5167L);
            c.free(0, a);
            long b = c.alloc(0);
            assertEquals(a, b);
            assertEquals(c.objsPerSlab(), ctorCalls.get(), "reuse does not construct again");
            assertThrows(IllegalStateException.class, () -> c.zalloc(0));
            c.free(0, b);
        } finally {
            c.destroy();
        }
    }

    @Test
    void zallocZeroes() {
        KmemCache c = cache("signal_cache", 1088);
        try {
            long a = c.alloc(0);
            Mem.putLong(a + 1080, -1);
            c.free(0, a);
            long z = c.zalloc(0);
            assertEquals(a, z);
            assertEquals(0, Mem.getLong(z + 1080));
            c.free(0, z);
        } finally {
            c.destroy();
        }
    }

    @Test
    void destroyWithLiveObjectsNamesEveryLeak() {
        KmemCache c = cache("leaky", 64);
        long a = c.alloc(0);
        long b = c.alloc(1);
        SlabLeakException e = assertThrows(SlabLeakException.class, c::destroy);
        assertEquals("leaky", e.cache());
        assertEquals(Set.of(a, b), new HashSet<>(e.leaked()));
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(a)), e.getMessage());
        assertTrue(e.getMessage().contains("of cache leaky"), e.getMessage());
        assertTrue(kmem.slabs().list().contains(c), "the kernel keeps a cache that still has objects");
        c.free(0, a);
        c.free(0, b);
        c.destroy();
        assertTrue(!kmem.slabs().list().contains(c));
    }

    @Test
    void useAfterFreeIsCaught() {
        KmemCache c = cache("uaf", 200);
        try {
            long a = c.alloc(0);
            c.free(0, a);
            BadAccessException e = assertThrows(BadAccessException.class, () -> Mem.getLong(a + 16));
            assertEquals("use-after-free", e.bug());
            assertTrue(e.getMessage().contains("cache uaf"), e.getMessage());
        } finally {
            c.destroy();
        }
    }

    @Test
    void doubleFreeAndForeignFreeAreCaught() {
        KmemCache c = cache("df", 200);
        KmemCache other = cache("other", 200);
        try {
            long a = c.alloc(0);
            long b = other.alloc(0);
            c.free(0, a);
            BadFreeException df = assertThrows(BadFreeException.class, () -> c.free(0, a));
            assertTrue(df.getMessage().contains("double-free"), df.getMessage());
            assertEquals("df", df.cache());
            assertEquals(a, df.address());
            BadFreeException foreign = assertThrows(BadFreeException.class, () -> c.free(0, b));
            assertTrue(foreign.getMessage().contains("object of cache other"), foreign.getMessage());
            BadFreeException interior = assertThrows(BadFreeException.class, () -> other.free(0, b + 8));
            assertTrue(interior.getMessage().contains("not the start of an object"), interior.getMessage());
            long page = machine.pages().allocPage();
            BadFreeException notSlab = assertThrows(BadFreeException.class, () -> c.free(0, page));
            assertTrue(notSlab.getMessage().contains("not a slab object"), notSlab.getMessage());
            machine.pages().freePage(page);
            other.free(0, b);
        } finally {
            c.destroy();
            other.destroy();
        }
    }

    @Test
    void outOfObjectAccessIsCaught() {
        KmemCache c = cache("oob", 196);
        try {
            long a = c.alloc(0);
            long b = c.alloc(0);
            assertEquals(a + (redzones ? 264 : 200), b, "b follows a in a fresh slab (196 rounded to 8, or KASAN's stride)");
            assertEquals(b - a, c.stride());
            Mem.putInt(a + 192, 1); // last 4 bytes: fine
            BadAccessException e = assertThrows(BadAccessException.class, () -> Mem.putLong(a + 196, 1));
            assertEquals("out-of-bounds", e.bug());
            assertTrue(e.getMessage().contains((redzones ? "the KASAN redzone" : "the padding") + " after object 0x"
                + Long.toHexString(a)), e.getMessage());
            assertThrows(BadAccessException.class, () -> Mem.getByte(b + 200), "the next, unallocated object");
            assertThrows(BadAccessException.class, () -> Mem.getByte(b - 1), "below an object: its neighbour's padding");
            c.free(0, b);
            assertThrows(BadAccessException.class, () -> Mem.getByte(b), "a freed object");
            c.free(0, a);
        } finally {
            c.destroy();
        }
    }

    @Test
    void freePointerSitsMidObjectUnlessContentsMustSurvive() {
        KmemCache plain = cache("fp_mid", 200);
        KmemCache ctor = kmem.slabs().create("fp_ctor", 200, 0, 0, obj -> Mem.zero(obj, 200));
        KmemCache rcu = kmem.slabs().create("fp_rcu", 200, 0, SlabFlags.SLAB_TYPESAFE_BY_RCU, null);
        try {
            assertEquals(redzones ? 264 : 200, plain.stride());
            assertEquals(redzones ? 264 : 208, ctor.stride(), "a constructed object keeps its contents: the pointer goes after it");
            assertEquals(redzones ? 264 : 208, rcu.stride(), "RCU readers may look at a free object: the pointer goes after it");
            for (KmemCache c : List.of(plain, ctor)) {
                long x = c.alloc(0);
                for (int off = 0; off < 200; off += 8) {
                    Mem.putLong(x + off, 0x5a5a5a5a5a5a5a5aL);
                }
                c.free(0, x);
                assertEquals(x, c.alloc(0), "LIFO: the same object comes back");
                for (int off = 0; off < 200; off += 8) {
                    // SLUB's offset: ALIGN_DOWN(200 / 2, 8) = 96 held the free pointer meanwhile.
                    boolean clobbered = c == plain && off == 96;
                    assertEquals(!clobbered, Mem.getLong(x + off) == 0x5a5a5a5a5a5a5a5aL, c.name() + " word at " + off);
                }
                c.free(0, x);
            }
        } finally {
            plain.destroy();
            ctor.destroy();
            rcu.destroy();
        }
    }

    @Test
    void slabPanicMakesCreationFailureFatal() {
        assertNull(kmem.slabs().create("too-big", 8 << 20, 0, 0, null));
        KernelPanic p = assertThrows(KernelPanic.class,
            () -> kmem.slabs().create("too-big", 8 << 20, 0, SlabFlags.SLAB_PANIC, null));
        assertTrue(p.getMessage().contains("Kernel panic - not syncing: kmem_cache_create: Failed to create slab 'too-big'"),
            p.getMessage());
    }

    @Test
    void cpuOfflineFlushesItsFreelist() {
        KmemCache c = cache("hotplug", 128);
        try {
            long a = c.alloc(2);
            c.free(2, a);
            assertTrue(c.cpuCached(2) > 0);
            assertEquals(0, kmem.cpus().cpuDown(2));
            assertEquals(0, c.cpuCached(2), "slub_cpu_dead flushed CPU 2's freelist");
            assertEquals(0, kmem.cpus().cpuUp(2));
        } finally {
            c.destroy();
        }
    }

    @Test
    void perCpuFreelistDrainsInBatchesAndStaysBounded() {
        KmemCache c = cache("drain", 64);
        try {
            List<Long> objs = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                objs.add(c.alloc(0));
            }
            for (long o : objs) {
                c.free(1, o); // all freed on another CPU: its list fills and drains
                assertTrue(c.cpuCached(1) <= c.limit());
            }
            assertEquals(0, c.info().activeObjs());
            assertTrue(c.cpuCached(1) >= c.batch());
        } finally {
            c.destroy();
        }
    }

    @Test
    void exhaustionReturnsNullAndTheCacheStaysConsistent() {
        try (Machine small = Machine.builder().ram(4 << 20).cpus(2).build()) {
            Kmem k = Kmem.of(small);
            KmemCache c = k.slabs().create("task_struct", 7040, 64, 0, null);
            List<Long> objs = new ArrayList<>();
            long o;
            while ((o = c.alloc(0)) != Abi.NULL) {
                objs.add(o);
            }
            assertTrue(objs.size() > 100, "most of 4 MiB became task_structs: " + objs.size());
            assertEquals(0, c.alloc(1), "still NULL on another CPU");
            assertEquals(objs.size(), c.info().activeObjs());
            assertTrue(c.info().allocFailures() >= 2);
            c.free(0, objs.remove(objs.size() - 1));
            long again = c.alloc(0);
            assertNotEquals(0, again, "a freed object is usable again after exhaustion");
            objs.add(again);
            for (long x : objs) {
                c.free(1, x);
            }
            assertEquals(0, c.info().activeObjs());
            c.destroy();
        }
    }

    @Test
    void randomAllocFreeMatchesAModel() {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        int size = 1 + rnd.nextInt(3000);
        KmemCache c = cache("random", size);
        assertTrue(c != null, "seed " + seed + ": size " + size);
        try {
            List<Long> live = new ArrayList<>();
            Set<Long> liveSet = new HashSet<>();
            for (int step = 0; step < 5000; step++) {
                int cpu = rnd.nextInt(4);
                if (live.isEmpty() || rnd.nextInt(3) != 0) {
                    long o = c.alloc(cpu);
                    assertTrue(liveSet.add(o), "seed " + seed + ": duplicate object");
                    live.add(o);
                } else {
                    long o = live.remove(rnd.nextInt(live.size()));
                    liveSet.remove(o);
                    c.free(cpu, o);
                }
                if (step % 500 == 0) {
                    assertEquals(live.size(), c.info().activeObjs(), "seed " + seed);
                }
            }
            for (long o : live) {
                c.free(0, o);
            }
        } finally {
            c.destroy();
        }
    }

    @Test
    void tinyObjectsWork() {
        KmemCache c = cache("tiny3", 3);
        try {
            long a = c.alloc(0);
            Mem.putShort(a, (short) 7);
            Mem.putByte(a + 2, (byte) 1);
            assertThrows(BadAccessException.class, () -> Mem.getByte(a + 3), "byte 3 is past a 3-byte object");
            c.free(0, a);
        } finally {
            c.destroy();
        }
        assertNull(kmem.slabs().create("empty", 0, 0, 0, null));
    }

    @Test
    void slabOrderFollowsSlubsCalculateOrder() {
        assertEquals(3, SlabGeometry.calculateOrder(7104, 2), "task_struct: 4 objects in 8 pages, as SLUB gives it");
        assertEquals(0, SlabGeometry.calculateOrder(200, 2), "vm_area_struct: 20 in one page");
        assertEquals(0, SlabGeometry.calculateOrder(200, 8), "8 CPUs want 20 objects: still one page");
        assertEquals(1, SlabGeometry.calculateOrder(200, 16), "16 CPUs want 24 objects: two pages, 40 of them");
        assertEquals(3, SlabGeometry.calculateOrder(2112, 2), "sighand_cache: 15 in 8 pages");
        assertEquals(3, SlabGeometry.calculateOrder(32768, 2), "one 32 KiB object per order-3 slab");
        assertEquals(4, SlabGeometry.calculateOrder(40000, 2), "bigger than order 3: the order that holds one");
        assertEquals(-1, SlabGeometry.calculateOrder(5 << 20, 2), "bigger than MAX_ORDER");
    }
}
