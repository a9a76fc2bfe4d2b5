package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.CpuStress;
import org.kfork.testing.LeakCheck;

/**
 * Real threads on the slab caches' lock-free per-CPU freelists, more threads than CPUs so that
 * threads share CPUs, with invariants checked at the end: nothing handed out twice, nothing lost,
 * exact counts. (The stack cache's stress test is ThreadStacksStressTest, in kernel.fork.)
 */
class AllocStressTest {
    static final int CPUS = 2;
    static final int THREADS = 4;
    static final Machine MACHINE = Machine.builder().ram(64 << 20).cpus(CPUS).build();
    static final Kmem KMEM = Kmem.of(MACHINE);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        MACHINE.close();
    }

    @Test
    void slabFreelistsNeverHandAnObjectOutTwice() throws Exception {
        KmemCache c = KMEM.slabs().create("stress_obj", 4100, 0, 0, null);
        ConcurrentHashMap<Long, Integer> owner = new ConcurrentHashMap<>();
        AtomicLong allocs = new AtomicLong();
        AtomicLong frees = new AtomicLong();
        CpuStress.run(THREADS, CPUS, (id, cpu, rnd) -> {
            List<Long> mine = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                if (mine.size() < 12 && (mine.isEmpty() || rnd.nextBoolean())) {
                    long o = c.alloc(cpu);
                    allocs.incrementAndGet();
                    Integer prev = owner.putIfAbsent(o, id);
                    if (prev != null) {
                        throw new AssertionError("object 0x" + Long.toHexString(o) + " held by " + prev + " and " + id);
                    }
                    Mem.putLong(o + 4088, id);
                    mine.add(o);
                } else {
                    long o = mine.remove(rnd.nextInt(mine.size()));
                    assertEquals(id, Mem.getLong(o + 4088));
                    owner.remove(o);
                    // Free on either CPU: cross-CPU frees fill one list and drain it into the slabs.
                    int fc = rnd.nextInt(CPUS);
                    c.free(fc, o);
                    frees.incrementAndGet();
                    int cached = c.cpuCached(fc);
                    if (cached > c.limit()) {
                        throw new AssertionError("CPU " + fc + " caches " + cached + " > limit " + c.limit());
                    }
                }
            }
            for (long o : mine) {
                owner.remove(o);
                c.free(cpu, o);
                frees.incrementAndGet();
            }
        });
        assertEquals(allocs.get(), frees.get());
        SlabInfo info = c.info();
        assertEquals(0, info.activeObjs(), "exact count: every object came back");
        for (int cpu = 0; cpu < CPUS; cpu++) {
            assertTrue(c.cpuCached(cpu) <= c.limit());
        }
        c.shrink();
        assertEquals(0, c.info().numSlabs(), "all slabs empty and released: none lost");
        c.destroy();
    }
}
