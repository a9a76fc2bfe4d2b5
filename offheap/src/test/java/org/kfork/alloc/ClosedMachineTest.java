package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.machine.PageAllocator;
import org.kfork.testing.LeakCheck;

/**
 * Stale handles: the objects of a closed machine, whose RAM window the next machine reuses, and a
 * destroyed cache, whose per-CPU slot the next cache reuses. Every entry point must throw
 * IllegalStateException rather than reach the new owner's memory.
 */
class ClosedMachineTest {
    static final Machine MACHINE = Machine.builder().ram(16 << 20).cpus(2).build();
    static final Kmem KMEM = Kmem.of(MACHINE);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        MACHINE.close();
    }

    @Test
    void everyEntryPointOfAClosedMachineThrowsAndTheNextMachineIsUntouched() {
        assertTrue(Kasan.ENABLED);
        final Machine old = Machine.builder().ram(8 << 20).cpus(2).build();
        final Kmem k = Kmem.of(old);
        final KmemCache c = k.slabs().createOrThrow("vm_area_struct", 200, 0, 0, null);
        final long obj = c.alloc(0);
        final PageAllocator pages = old.pages();
        final long page = pages.allocPage();
        final PerCpu percpu = k.percpu();
        final int var = percpu.alloc(8, 8);
        final Cpus cpus = k.cpus();
        final SlabCaches slabs = k.slabs();
        final long oldStart = old.ramStart();
        old.close();

        try (Machine next = Machine.builder().ram(8 << 20).cpus(2).build()) {
            assertEquals(oldStart, next.ramStart(), "the next machine reuses the window");
            assertNotEquals(old.generation(), next.generation());
            final KmemCache mine = Kmem.of(next).slabs().createOrThrow("vm_area_struct", 200, 0, 0, null);
            final long o = mine.alloc(0);
            assertEquals(obj, o, "the same object as the stale one, at the same address");
            Mem.putLong(o + 96, 0x600d);
            final Map<String, Long> before = LeakCheck.quiescedSnapshot(next);

            final List<Executable> stale = List.of(
                () -> c.alloc(0), () -> c.alloc(), () -> c.zalloc(1), () -> c.free(0, obj), () -> c.free(1, o),
                c::destroy, c::shrink, () -> c.flushCpu(0), c::info, () -> c.cpuCached(0), c::activeObjects,
                () -> pages.allocPage(), () -> pages.allocPages(3), () -> pages.freePage(page), pages::nrFreePages,
                pages::drainAllPages, pages::buddyinfo,
                () -> percpu.read(0, var), () -> percpu.write(0, var, 1), () -> percpu.xchg(1, var, 1),
                () -> percpu.cmpxchg(0, var, 0, 1), () -> percpu.add(0, var, 1), () -> percpu.sum(var),
                () -> percpu.alloc(8, 8), () -> percpu.free(var, 8),
                () -> cpus.cpuDown(1), () -> cpus.isOnline(0), () -> cpus.setupState("x", null, null),
                () -> slabs.create("late", 64, 0, 0, null), slabs::slabinfo, slabs::list, slabs::shrinkAll,
                () -> slabs.cacheOf(obj), slabs::drainQuarantine,
                k::quiesce, () -> Kmem.quiesce(old), () -> Kmem.of(old), old::snapshot,
                () -> old.registerAccounting("late", () -> 0), () -> old.onClose(() -> { }));
            for (Executable e : stale) {
                final IllegalStateException ise = assertThrows(IllegalStateException.class, e);
                assertTrue(ise.getMessage().contains("closed"), ise.getMessage());
            }
            final IllegalStateException alloc = assertThrows(IllegalStateException.class, () -> c.alloc(0));
            assertTrue(alloc.getMessage().startsWith("kmem_cache_alloc(vm_area_struct): the machine of generation "
                + old.generation() + " is closed"), alloc.getMessage());
            assertTrue(alloc.getMessage().contains("now belongs to generation " + next.generation()), alloc.getMessage());

            assertEquals(0x600d, Mem.getLong(o + 96), "nothing written through a stale handle");
            assertEquals(1, mine.info().activeObjs());
            LeakCheck.assertNoLeak(before, LeakCheck.quiescedSnapshot(next));
            mine.free(0, o);
            mine.destroy();
        }
        old.close(); // idempotent
    }

    @Test
    void aDestroyedCacheRefusesEveryCallInsteadOfReachingTheNextCachesFreelist() {
        KmemCache dead = KMEM.slabs().createOrThrow("dead", 128, 0, 0, null);
        dead.free(0, dead.alloc(0));
        dead.destroy();
        KmemCache heir = KMEM.slabs().createOrThrow("heir", 128, 0, 0, null);
        try {
            long h = heir.alloc(0); // fills CPU 0's list of the per-CPU slot "dead" had
            int cached = heir.cpuCached(0);
            assertTrue(cached > 0);
            for (Executable e : List.<Executable>of(() -> dead.alloc(0), () -> dead.free(0, h), dead::destroy,
                dead::shrink, () -> dead.flushCpu(0), dead::info)) {
                IllegalStateException ise = assertThrows(IllegalStateException.class, e);
                assertTrue(ise.getMessage().contains("(dead): the cache has been destroyed"), ise.getMessage());
            }
            assertEquals(cached, heir.cpuCached(0), "the heir's list is untouched");
            assertEquals(1, heir.info().activeObjs());
            heir.free(0, h);
        } finally {
            heir.destroy();
        }
    }

    @Test
    void eachUseOfAWindowHasItsOwnGeneration() {
        final long g1;
        final long start;
        try (Machine a = Machine.create(4 << 20)) {
            g1 = a.generation();
            start = a.ramStart();
            assertEquals(g1, a.window().generation());
        }
        try (Machine b = Machine.create(4 << 20)) {
            assertEquals(start, b.ramStart());
            assertTrue(b.generation() > g1, "a later use of the same window has a later generation");
            assertTrue(b.toString().contains("generation " + b.generation()), b.toString());
        }
    }
}
