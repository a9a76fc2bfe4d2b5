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

    /**
     * Owned CPUs under contention: each thread now and then claims its CPU (plain paths while it
     * holds it), or finds it claimed by the other thread of that CPU and keeps off its list (the
     * shared pool); claims and releases come and go while the other threads are in the middle of
     * their atomic updates, which is the hand-over the claim's fence must make safe. Frees go to
     * either CPU, bulk operations run beside single ones, and the limit is 8, so refills and
     * drains run all the time. Nothing may be handed out twice or lost.
     */
    @Test
    void ownedCpusStayCorrectBesideSharersAndHandOvers() throws Exception {
        KmemCache c = KMEM.slabs().create("stress_owned", 4100, 0, 0, null);
        Cpus cpus = KMEM.cpus();
        ConcurrentHashMap<Long, Integer> owner = new ConcurrentHashMap<>();
        AtomicLong claims = new AtomicLong();
        AtomicLong refusals = new AtomicLong();
        CpuStress.run(THREADS, CPUS, (id, cpu, rnd) -> {
            List<Long> mine = new ArrayList<>();
            long[] bulk = new long[6];
            for (int round = 0; round < 400; round++) {
                Cpus.Owned own = null;
                if (rnd.nextInt(3) != 0) {
                    try {
                        own = cpus.own(cpu);
                        claims.incrementAndGet();
                    } catch (IllegalStateException e) {
                        refusals.incrementAndGet(); // the other thread of this CPU holds it
                    }
                }
                try {
                    for (int i = 0; i < 50; i++) {
                        int op = rnd.nextInt(8);
                        if (op < 3 && mine.size() < 12) {
                            long o = c.alloc(cpu);
                            take(owner, o, id, mine);
                        } else if (op == 3 && mine.size() < 6) {
                            int n = 1 + rnd.nextInt(bulk.length);
                            assertEquals(n, c.allocBulk(cpu, n, bulk));
                            for (int j = 0; j < n; j++) {
                                take(owner, bulk[j], id, mine);
                            }
                        } else if (op == 4 && !mine.isEmpty()) {
                            int n = Math.min(mine.size(), 1 + rnd.nextInt(bulk.length));
                            for (int j = 0; j < n; j++) {
                                bulk[j] = give(owner, mine.remove(mine.size() - 1), id);
                            }
                            c.freeBulk(rnd.nextInt(CPUS), n, bulk);
                        } else if (!mine.isEmpty()) {
                            int fc = rnd.nextInt(CPUS);
                            c.free(fc, give(owner, mine.remove(rnd.nextInt(mine.size())), id));
                            if (c.cpuCached(fc) > c.limit()) {
                                throw new AssertionError("CPU " + fc + " caches " + c.cpuCached(fc) + " > limit " + c.limit());
                            }
                        }
                    }
                } finally {
                    if (own != null) {
                        own.close();
                    }
                }
            }
            for (long o : mine) {
                c.free(cpu, give(owner, o, id));
            }
        });
        assertTrue(claims.get() > 0 && refusals.get() > 0, claims + " claims, " + refusals + " refusals");
        assertEquals(0, c.info().activeObjs(), "exact count: every object came back");
        c.shrink();
        assertEquals(0, c.info().numSlabs(), "all slabs empty and released: none lost");
        c.destroy();
    }

    private static void take(ConcurrentHashMap<Long, Integer> owner, long o, int id, List<Long> mine) {
        Integer prev = owner.putIfAbsent(o, id);
        if (prev != null) {
            throw new AssertionError("object 0x" + Long.toHexString(o) + " held by " + prev + " and " + id);
        }
        Mem.putLong(o + 4088, id);
        mine.add(o);
    }

    private static long give(ConcurrentHashMap<Long, Integer> owner, long o, int id) {
        assertEquals(id, Mem.getLong(o + 4088), "object 0x" + Long.toHexString(o) + " taken over");
        owner.remove(o);
        return o;
    }
}
