package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.smp.CpuThread;
import org.kfork.smp.CurrentCpu;
import org.kfork.testing.LeakCheck;

/**
 * Owned CPUs ({@link Cpus#own}): a CPU is never owned twice, ownership ends with its owner, and the
 * owner's plain slab paths leave the same lists, objects and counts as the atomic ones.
 */
class OwnedCpuTest {
    static final Machine MACHINE = Machine.builder().ram(32 << 20).cpus(2).kasanQuarantine(0).build();
    static final Kmem KMEM = Kmem.of(MACHINE);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        MACHINE.close();
    }

    @Test
    void aCpuCannotBeOwnedTwice() throws Exception {
        Cpus cpus = KMEM.cpus();
        try (Cpus.Owned mine = cpus.own(1)) {
            assertEquals(1, mine.cpu());
            assertTrue(cpus.ownedByCurrentThread(1));
            assertSame(Thread.currentThread(), cpus.owner(1));
            assertEquals(1, cpus.current(), "the owner is bound to its CPU");
            assertThrows(IllegalStateException.class, () -> cpus.own(1), "the owner itself, twice");
            AtomicReference<Throwable> claim = new AtomicReference<>();
            AtomicReference<Throwable> release = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    cpus.own(1);
                } catch (Throwable e) {
                    claim.set(e);
                }
                try {
                    mine.close();
                } catch (Throwable e) {
                    release.set(e);
                }
            });
            t.start();
            t.join();
            assertTrue(claim.get() instanceof IllegalStateException, "a second claim: " + claim.get());
            assertTrue(release.get() instanceof IllegalStateException, "a release by another: " + release.get());
            assertTrue(cpus.ownedByCurrentThread(1), "still ours");
            assertFalse(cpus.ownedByCurrentThread(0));
        }
        assertNull(KMEM.cpus().owner(1));
        assertEquals(-1, CurrentCpu.boundCpu(), "the binding is back to none");
        assertThrows(IllegalArgumentException.class, () -> cpus.own(2));
        // A released CPU can be claimed again, by anyone.
        Thread t = new Thread(() -> cpus.own(1).close());
        t.start();
        t.join();
        assertNull(cpus.owner(1));
    }

    @Test
    void aDeadOwnersCpuIsTakenOver() throws Exception {
        Cpus cpus = KMEM.cpus();
        KmemCache c = KMEM.slabs().create("owned_dead", 64, 0, 0, null);
        long[] leftBehind = new long[1];
        Thread t = new Thread(() -> {
            cpus.own(0); // never closed: the thread dies owning CPU 0
            leftBehind[0] = c.alloc(0);
            c.free(0, c.alloc(0)); // plain stores, published by the thread's end
        });
        t.start();
        t.join();
        assertNull(cpus.owner(0), "a dead thread owns nothing");
        c.free(0, leftBehind[0]); // the atomic path again
        try (Cpus.Owned o = cpus.own(0)) {
            assertTrue(cpus.ownedByCurrentThread(o.cpu()));
        }
        c.destroy();
    }

    @Test
    void aPinnedThreadOwnsOnlyItsOwnCpu() throws Exception {
        Cpus cpus = KMEM.cpus();
        List<Object> seen = new ArrayList<>();
        CpuThread t = new CpuThread(1, () -> {
            try {
                cpus.own(0);
            } catch (IllegalStateException e) {
                seen.add("refused");
            }
            try (Cpus.Owned o = cpus.own(1)) {
                seen.add(o.cpu());
            }
        }, "pinned-1");
        t.start();
        t.join();
        assertEquals(List.of("refused", 1), seen);
        assertNull(cpus.owner(0), "the refused claim left nothing behind");
    }

    /**
     * The hand-over: a thread that read a CPU's freelist head before another thread claimed the
     * CPU must fail its compare-and-set (and then see the owner), or it would overwrite the
     * owner's plain updates. The claim changes the head's tag and keeps the list.
     */
    @Test
    void aClaimFailsEveryUpdateBegunBeforeIt() throws Exception {
        KmemCache c = KMEM.slabs().create("owned_fence", 64, 0, 0, null);
        c.free(0, c.alloc(0));
        long head = c.headAddr(0);
        long before = Mem.getLongVolatile(head);
        int cached = c.cpuCached(0);
        Thread t = new Thread(() -> KMEM.cpus().own(0).close());
        t.start();
        t.join();
        long after = Mem.getLongVolatile(head);
        assertNotEquals(before, after, "the claim changed the head");
        assertFalse(Mem.compareAndSetLong(head, before, 0), "a stale compare-and-set fails");
        assertEquals(cached, c.cpuCached(0), "the list is kept");
        c.free(0, c.alloc(0));
        c.destroy();
    }

    /** Only the owner may flush or take down its CPU; the others get a refusal, not a race. */
    @Test
    void othersCannotFlushOrTakeDownAnOwnedCpu() throws Exception {
        Cpus cpus = KMEM.cpus();
        KmemCache c = KMEM.slabs().create("owned_flush", 64, 0, 0, null);
        CountDownLatch owned = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread owner = new Thread(() -> {
            try (Cpus.Owned o = cpus.own(1)) {
                c.free(1, c.alloc(1));
                owned.countDown();
                done.await();
                c.flushCpu(1); // the owner may
                assertEquals(0, c.cpuCached(1));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        owner.start();
        owned.await();
        try {
            assertTrue(c.cpuCached(1) > 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.flushCpu(1));
            assertTrue(e.getMessage().contains("owned"), e.getMessage());
            assertEquals(-16, cpus.cpuDown(1), "-EBUSY");
            assertTrue(cpus.isOnline(1));
        } finally {
            done.countDown();
            owner.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        c.destroy();
    }

    /**
     * The same operations on CPU 0, owned (plain) and not (atomic), on two machines built alike,
     * hand out the same objects in the same order and leave the same counts: the plain path is
     * the atomic one without the LOCK prefix. Objects of 4100 bytes: limit 8, so refills and
     * drains run all the time.
     */
    @Test
    void theOwnersPlainPathGivesTheSameResults() throws Exception {
        long seed = System.nanoTime();
        List<Long> atomic = run(seed, false);
        List<Long> plain = run(seed, true);
        assertEquals(atomic, plain, "seed " + seed);
    }

    private static List<Long> run(long seed, boolean own) throws Exception {
        List<Long> trace = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // A thread of its own, so that the other machine's binding is not disturbed.
        Thread t = new Thread(() -> {
            try (Machine m = Machine.builder().ram(16 << 20).cpus(2).kasanQuarantine(0).build()) {
                Kmem k = Kmem.of(m);
                KmemCache c = k.slabs().create("same_results", 4100, 0, 0, null);
                Cpus.Owned o = own ? k.cpus().own(0) : null;
                Random rnd = new Random(seed);
                List<Long> held = new ArrayList<>();
                long[] bulk = new long[40];
                for (int i = 0; i < 3000; i++) {
                    int op = rnd.nextInt(10);
                    if (op < 5 && held.size() < 60) {
                        long obj = c.alloc(0);
                        held.add(obj);
                        trace.add(obj - m.ramStart());
                    } else if (op < 9 && !held.isEmpty()) {
                        c.free(0, held.remove(rnd.nextInt(held.size())));
                    } else if (op == 9 && held.size() < 20) {
                        int n = 1 + rnd.nextInt(bulk.length);
                        assertEquals(n, c.allocBulk(0, n, bulk));
                        for (int j = 0; j < n; j++) {
                            held.add(bulk[j]);
                            trace.add(bulk[j] - m.ramStart());
                        }
                    } else if (!held.isEmpty()) {
                        int n = Math.min(held.size(), 1 + rnd.nextInt(bulk.length));
                        for (int j = 0; j < n; j++) {
                            bulk[j] = held.remove(held.size() - 1);
                        }
                        c.freeBulk(0, n, bulk);
                    }
                    trace.add((long) -c.cpuCached(0));
                    assertTrue(c.cpuCached(0) <= c.limit());
                }
                trace.add(c.info().activeObjs());
                trace.add(c.info().numObjs());
                for (long obj : held) {
                    c.free(0, obj);
                }
                if (o != null) {
                    o.close();
                }
                c.destroy();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        return trace;
    }
}
