package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.Abi;
import org.kfork.machine.BadAccessException;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/**
 * Checked mode's quarantine (KASAN's): a freed object waits, poisoned, before its slot can be
 * reused, so a stale pointer faults until the quarantine has cycled; the bound, the FIFO order,
 * the accounting and the ways out (shrink, destroy, quiesce, exhaustion).
 */
class SlabQuarantineTest {
    /** 32 MiB: the default quarantine is 1 MiB (1/32 of RAM). */
    static final Machine MACHINE = Machine.builder().ram(32 << 20).cpus(2).build();
    static final Kmem KMEM = Kmem.of(MACHINE);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        MACHINE.close();
    }

    @Test
    void theDefaultBoundIsKasansFractionOfRam() {
        assertEquals((32 << 20) / Machine.QUARANTINE_FRACTION, MACHINE.kasanQuarantine());
        assertEquals(MACHINE.kasanQuarantine(), KMEM.slabs().quarantineMaxBytes());
    }

    @Test
    void aStalePointerFaultsAfterTheSlotWouldHaveBeenReused() {
        // The slab-level form of dup'ing an mm after its last mmput: the stale pointer must not
        // reach the object that a later allocation of the same cache got.
        KmemCache mms = KMEM.slabs().createOrThrow("mm_struct", 1024, 0, SlabFlags.SLAB_HWCACHE_ALIGN, null);
        try {
            long mm = mms.alloc(0);
            Mem.putLong(mm + 64, 0x1111);
            mms.free(0, mm);
            long next = mms.alloc(0);
            assertNotEquals(mm, next, "without a quarantine SLUB hands the same slot straight back");
            Mem.putLong(next + 64, 0x2222);
            BadAccessException uaf = assertThrows(BadAccessException.class, () -> Mem.getLong(mm + 64));
            assertEquals("use-after-free", uaf.bug());
            assertTrue(uaf.getMessage().contains("of cache mm_struct"), uaf.getMessage());
            assertThrows(BadAccessException.class, () -> Mem.copy(mm, next, 8), "a dup from the stale mm faults too");
            assertEquals(0x2222, Mem.getLong(next + 64));
            assertEquals(1, mms.info().activeObjs(), "a quarantined object is not active");
            assertEquals(1, mms.info().quarantined());
            mms.free(0, next);
        } finally {
            mms.destroy();
        }
    }

    @Test
    void theQuarantineIsAFifoBoundedInBytes() {
        try (Machine m = Machine.builder().ram(8 << 20).cpus(1).kasanQuarantine(4 * 200).build()) {
            Kmem k = Kmem.of(m);
            Map<String, Long> baseline = LeakCheck.quiescedSnapshot(m);
            KmemCache c = k.slabs().createOrThrow("vm_area_struct", 200, 0, 0, null);
            List<Long> objs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                objs.add(c.alloc(0));
            }
            for (int i = 0; i < 4; i++) {
                c.free(0, objs.get(i));
            }
            assertEquals(800, k.slabs().quarantineBytes(), "four objects of stride 200 fill a bound of 800");
            assertEquals(4, c.info().quarantined());
            c.free(0, objs.get(4));
            assertEquals(800, k.slabs().quarantineBytes(), "the fifth pushes the oldest out");
            assertEquals(4, c.info().quarantined());
            // The first freed object is the only one back in circulation: allocations find it
            // sooner or later (it went back to its slab, behind the CPU's list), and never one of
            // the four still waiting.
            Set<Long> waiting = new HashSet<>(objs.subList(1, 5));
            assertThrows(BadAccessException.class, () -> Mem.getByte(objs.get(1)), "the others still wait, poisoned");
            List<Long> more = new ArrayList<>();
            long got;
            do {
                got = c.alloc(0);
                assertNotEquals(0, got);
                assertTrue(!waiting.contains(got), "an object still in the quarantine was handed out");
                more.add(got);
            } while (got != objs.get(0) && more.size() < 1000);
            assertEquals(objs.get(0), got, "the oldest object left the quarantine first, and is reused");
            for (long x : more) {
                c.free(0, x);
            }
            c.free(0, objs.get(5));
            assertEquals(4, k.slabs().drainQuarantine(), "the bound keeps four objects of stride 200");
            assertEquals(0, k.slabs().quarantineBytes());
            assertEquals(0, c.info().quarantined());
            assertEquals(0, c.info().activeObjs());
            c.destroy();
            LeakCheck.assertNoLeak(baseline, LeakCheck.quiescedSnapshot(m));
        }
    }

    @Test
    void aDoubleFreeWhileQuarantinedAndAFreeOfANeverAllocatedObjectAreToldApart() {
        KmemCache c = KMEM.slabs().createOrThrow("files_cache", 704, 64, 0, null);
        try {
            long a = c.alloc(0);
            long b = c.alloc(0); // the batch put b's successors on CPU 0's list, never handed out
            c.free(0, a);
            BadFreeException df = assertThrows(BadFreeException.class, () -> c.free(0, a));
            assertTrue(df.getMessage().contains("BUG: KASAN: double-free"), df.getMessage());
            long neverAllocated = b + c.stride();
            BadFreeException inv = assertThrows(BadFreeException.class, () -> c.free(0, neverAllocated));
            assertTrue(inv.getMessage().contains("invalid-free (the object was never allocated)"), inv.getMessage());
            assertTrue(!inv.getMessage().contains("double-free"), inv.getMessage());
            c.free(0, b);
        } finally {
            c.destroy();
        }
    }

    @Test
    void shrinkAndDestroyTakeTheirObjectsOutOfTheQuarantineAndLeaveTheRest() {
        KmemCache mine = KMEM.slabs().createOrThrow("mine", 128, 0, 0, null);
        KmemCache other = KMEM.slabs().createOrThrow("other", 128, 0, 0, null);
        long o = other.alloc(0);
        other.free(0, o);
        List<Long> objs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            objs.add(mine.alloc(1));
        }
        for (long x : objs) {
            mine.free(1, x);
        }
        assertEquals(100, mine.info().quarantined());
        mine.shrink();
        assertEquals(0, mine.info().quarantined(), "kmem_cache_shrink empties the cache's share (kasan_cache_shrink)");
        assertEquals(0, mine.info().numSlabs(), "and then its slabs are empty and released");
        assertEquals(1, other.info().quarantined(), "another cache's objects keep waiting");
        for (int i = 0; i < 10; i++) {
            mine.free(0, mine.alloc(0));
        }
        mine.destroy(); // would report ten leaked objects if the quarantine kept them
        assertEquals(1, other.info().quarantined());
        other.destroy();
        assertEquals(0, KMEM.slabs().quarantineBytes());
    }

    @Test
    void rcuCachesAreNeitherPoisonedNorQuarantined() {
        KmemCache sighand = KMEM.slabs().createOrThrow("sighand_cache", 2080, 0,
            SlabFlags.SLAB_HWCACHE_ALIGN | SlabFlags.SLAB_TYPESAFE_BY_RCU, obj -> Mem.putLong(obj, 0x5167L));
        try {
            long a = sighand.alloc(0);
            sighand.free(0, a);
            assertEquals(0x5167L, Mem.getLong(a), "RCU readers may still look at a freed object");
            assertEquals(0, sighand.info().quarantined());
            assertEquals(a, sighand.alloc(0), "and it is reused at once, as KASAN leaves such caches alone");
            sighand.free(0, a);
        } finally {
            sighand.destroy();
        }
    }

    @Test
    void exhaustionEmptiesTheQuarantineBeforeItFails() {
        // 4 MiB with a quarantine as large as the RAM: without the drain, freed objects would
        // never come back, and the second round of allocations would fail early.
        try (Machine m = Machine.builder().ram(4 << 20).cpus(1).kasanQuarantine(4 << 20).build()) {
            Kmem.of(m);
            Map<String, Long> baseline = LeakCheck.quiescedSnapshot(m);
            KmemCache c = Kmem.of(m).slabs().createOrThrow("task_struct", 7040, 64, 0, null);
            List<Long> objs = new ArrayList<>();
            long o;
            while ((o = c.alloc(0)) != Abi.NULL) {
                objs.add(o);
            }
            final int first = objs.size();
            for (long x : objs) {
                c.free(0, x);
            }
            assertEquals(first, c.info().quarantined());
            objs.clear();
            while ((o = c.alloc(0)) != Abi.NULL) {
                objs.add(o);
            }
            assertEquals(first, objs.size(), "the same number fits again");
            for (long x : objs) {
                c.free(0, x);
            }
            c.destroy();
            LeakCheck.assertNoLeak(baseline, LeakCheck.quiescedSnapshot(m));
        }
    }

    @Test
    void theLeakCheckCountsAfterDrainingTheQuarantine() {
        KmemCache c = KMEM.slabs().createOrThrow("counted", 64, 0, 0, null);
        try {
            long before = MACHINE.snapshot().get("kasan.quarantine_bytes");
            c.free(0, c.alloc(0));
            assertEquals(before + c.stride(), MACHINE.snapshot().get("kasan.quarantine_bytes"));
            assertEquals(0, LeakCheck.quiescedSnapshot(MACHINE).get("kasan.quarantine_bytes"));
        } finally {
            c.destroy();
        }
    }
}
