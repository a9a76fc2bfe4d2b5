package org.kfork.machine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.testing.LeakCheck;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageAllocatorTest {
    /** 8 MiB: two order-10 blocks. */
    private Machine machine = Machine.create(8 << 20);

    @RegisterExtension
    final LeakCheck leaks = LeakCheck.thenClose(() -> machine);

    @Test
    void bootPutsAllRamInMaxOrderBlocks() {
        final PageAllocator pa = machine.pages();
        assertEquals(2048, pa.totalramPages());
        assertEquals(2048, pa.nrFreePages());
        assertEquals(2, pa.nrFree(10));
        for (int o = 0; o < 10; o++) {
            assertEquals(0, pa.nrFree(o));
        }
    }

    @Test
    void allocationSplitsAndFreeMergesBack() {
        final PageAllocator pa = machine.pages();
        final long p = pa.allocPage();
        assertEquals(machine.ramStart(), p, "the lowest page comes first");
        // An order-10 block split down to order 0 leaves one free block at each order 0..9.
        for (int o = 0; o < 10; o++) {
            assertEquals(1, pa.nrFree(o), "order " + o);
        }
        assertEquals(1, pa.nrFree(10));
        final long q = pa.allocPage();
        assertEquals(p + Abi.PAGE_SIZE, q, "the buddy of the first page");
        assertEquals(0, pa.nrFree(0));
        pa.freePage(p);
        assertEquals(1, pa.nrFree(0), "p cannot merge while its buddy q is allocated");
        pa.freePage(q);
        assertEquals(2, pa.nrFree(10), "everything merged back");
        assertEquals(2048, pa.nrFreePages());
    }

    @Test
    void higherOrdersAreNaturallyAligned() {
        final PageAllocator pa = machine.pages();
        final long a = pa.allocPage();
        final long b = pa.allocPages(3);
        assertEquals(0, (b - machine.ramStart()) % (8 * Abi.PAGE_SIZE));
        assertNotEquals(a, b);
        pa.freePages(b, 3);
        pa.freePage(a);
    }

    @Test
    void exhaustionReturnsNullAndRecovers() {
        final PageAllocator pa = machine.pages();
        final List<Long> pages = new ArrayList<>();
        long p;
        while ((p = pa.allocPages(2)) != 0) {
            pages.add(p);
        }
        assertEquals(512, pages.size());
        assertEquals(0, pa.nrFreePages());
        assertEquals(0, pa.allocPage(), "out of RAM is NULL, which callers turn into -ENOMEM");
        assertEquals(0, pa.allocPages(Abi.MAX_ORDER), "orders past MAX_ORDER are refused as NULL");
        for (long page : pages) {
            pa.freePages(page, 2);
        }
        assertEquals(2, pa.nrFree(10));
    }

    @Test
    void badFreesAreCaught() {
        final PageAllocator pa = machine.pages();
        final long p = pa.allocPages(1);
        assertThrows(IllegalStateException.class, () -> pa.freePages(p, 0), "wrong order");
        assertThrows(IllegalStateException.class, () -> pa.freePages(p + Abi.PAGE_SIZE, 1), "not a block head");
        assertThrows(IllegalStateException.class, () -> pa.freePages(p + 8, 1), "not page aligned");
        assertThrows(IllegalStateException.class, () -> pa.freePage(Abi.PAGE_OFFSET - Abi.PAGE_SIZE), "not RAM");
        pa.freePages(p, 1);
        final IllegalStateException twice = assertThrows(IllegalStateException.class, () -> pa.freePages(p, 1));
        assertTrue(twice.getMessage().contains("double free"), twice.getMessage());
    }

    @Test
    void sameOperationsGiveSameAddresses() {
        final List<Long> first = randomHistory(machine, 42);
        final long start = machine.ramStart();
        machine.close();
        machine = Machine.create(8 << 20);
        assertEquals(start, machine.ramStart(), "the window is handed out first-fit");
        assertEquals(first, randomHistory(machine, 42));
    }

    private static List<Long> randomHistory(Machine m, long seed) {
        final Random rnd = new Random(seed);
        final List<long[]> live = new ArrayList<>();
        final List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            if (!live.isEmpty() && rnd.nextInt(3) == 0) {
                final long[] blk = live.remove(rnd.nextInt(live.size()));
                m.pages().freePages(blk[0], (int) blk[1]);
            } else {
                final int order = rnd.nextInt(4);
                final long p = m.pages().allocPages(order);
                seen.add(p);
                if (p != 0) {
                    live.add(new long[]{p, order});
                }
            }
        }
        for (long[] blk : live) {
            m.pages().freePages(blk[0], (int) blk[1]);
        }
        return seen;
    }

    /** Two threads allocate and free concurrently; no block is handed out twice and counts come back exact. */
    @Test
    void concurrentStressKeepsExactCounts() throws Exception {
        stress(machine.pages(), 2048, false);
    }

    @Test
    void concurrentStressWithPerCpuPageListsKeepsExactCounts() throws Exception {
        final Machine big = Machine.builder().ram(64 << 20).cpus(2).build(); // batch 3, high 18
        try {
            stress(big.pages(), 16384, true);
        } finally {
            big.close();
        }
    }

    /** Two threads (bound to CPUs 0 and 1 when {@code bind}) allocate and free blocks of order 0-4. */
    private static void stress(PageAllocator pa, int pages, boolean bind) throws Exception {
        final Set<Long> owned = ConcurrentHashMap.newKeySet();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CyclicBarrier start = new CyclicBarrier(2);
        final Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            final long seed = 1000 + t;
            final int cpu = t;
            threads[t] = new Thread(() -> {
                if (bind) {
                    org.kfork.smp.CurrentCpu.bind(cpu);
                }
                final Random rnd = new Random(seed);
                final List<long[]> mine = new ArrayList<>();
                try {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        if (!mine.isEmpty() && (rnd.nextBoolean() || mine.size() > 64)) {
                            final long[] blk = mine.remove(mine.size() - 1);
                            for (long pg = 0; pg < (1L << blk[1]); pg++) {
                                owned.remove(blk[0] + pg * Abi.PAGE_SIZE);
                            }
                            pa.freePages(blk[0], (int) blk[1]);
                        } else {
                            final int order = rnd.nextInt(5);
                            final long p = pa.allocPages(order);
                            if (p != 0) {
                                for (long pg = 0; pg < (1L << order); pg++) {
                                    if (!owned.add(p + pg * Abi.PAGE_SIZE)) {
                                        throw new AssertionError("page handed out twice: 0x" + Long.toHexString(p));
                                    }
                                }
                                Mem.putLong(p, seed); // the page is really ours
                                mine.add(new long[]{p, order});
                            }
                        }
                    }
                    for (long[] blk : mine) {
                        if (Mem.getLong(blk[0]) != seed) {
                            throw new AssertionError("another thread wrote into our page");
                        }
                        for (long pg = 0; pg < (1L << blk[1]); pg++) {
                            owned.remove(blk[0] + pg * Abi.PAGE_SIZE);
                        }
                        pa.freePages(blk[0], (int) blk[1]);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(failure.get(), () -> "stress failed: " + failure.get());
        pa.drainAllPages();
        assertEquals(pages, pa.nrFreePages());
        assertEquals(pages / 1024, pa.nrFree(10), "all blocks merged back to order 10");
        assertEquals(new HashSet<>(), owned);
    }
}
