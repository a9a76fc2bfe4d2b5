package org.kfork.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.smp.CurrentCpu;
import org.kfork.testing.LeakCheck;

/** The per-CPU page lists (struct per_cpu_pages) of the page allocator, with 5.12's sizes. */
class PcpListsTest {
    /** 64 MiB: 16384 pages, so batch 3 and high 18 (zone_batchsize). */
    private final Machine machine = Machine.builder().ram(64 << 20).cpus(2).build();

    @RegisterExtension
    final LeakCheck leaks = LeakCheck.thenClose(() -> machine);

    @AfterEach
    void close() {
        CurrentCpu.unbind();
    }

    @Test
    void batchAndHighFollowZoneBatchsize() {
        assertEquals(0, PageAllocator.zoneBatchsize(2048), "8 MiB: high 0, so no page stays on a list");
        assertEquals(3, PageAllocator.zoneBatchsize(16384), "64 MiB: 16 / 4 = 4, rounded to 4 - 1");
        assertEquals(63, PageAllocator.zoneBatchsize(262144), "1 GiB: 256 / 4 = 64, rounded to 64 - 1");
        assertEquals(63, PageAllocator.zoneBatchsize(1L << 22), "16 GiB: capped at a megabyte's worth");
        assertEquals(3, machine.pages().pcpBatch());
        assertEquals(18, machine.pages().pcpHigh());
        Machine small = Machine.create(8 << 20);
        try {
            assertEquals(1, small.pages().pcpBatch(), "batch is at least 1");
            assertEquals(0, small.pages().pcpHigh());
            long p = small.pages().allocPage();
            small.pages().freePage(p);
            assertEquals(0, small.pages().nrPcpPages(), "with high 0 a freed page goes straight back");
        } finally {
            small.close();
        }
    }

    @Test
    void aFreedPageIsTheNextOneHandedOut() {
        CurrentCpu.bind(0);
        final PageAllocator pa = machine.pages();
        final long free = pa.nrFreePages();
        long p = pa.allocPage();
        assertEquals(2, pa.nrPcpPages(), "rmqueue_bulk took a batch of 3 and handed out the first");
        assertEquals(free - 3, pa.nrFreePages(), "pages on a CPU list are not on the buddy lists");
        long q = pa.allocPage();
        assertEquals(p + Abi.PAGE_SIZE, q, "the batch keeps the buddy's order");
        pa.freePage(p);
        assertEquals(p, pa.allocPage(), "hot first: the page just freed comes back");
        assertThrows(IllegalStateException.class, () -> pa.freePage(p + 2 * Abi.PAGE_SIZE),
            "a page on a CPU list is free: freeing it is a double free");
        pa.freePage(q);
        pa.freePage(p);
        pa.drainAllPages();
        assertEquals(0, pa.nrPcpPages());
        assertEquals(free, pa.nrFreePages());
        assertEquals(16, pa.nrFree(10), "drained pages merge back to order 10");
    }

    @Test
    void aListThatReachesHighGivesItsColdestBatchBack() {
        CurrentCpu.bind(1);
        final PageAllocator pa = machine.pages();
        final List<Long> pages = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            pages.add(pa.allocPage());
        }
        pa.drainAllPages();
        for (int i = 0; i < 17; i++) {
            pa.freePage(pages.get(i));
        }
        assertEquals(17, pa.nrPcpPages());
        pa.freePage(pages.get(17)); // the 18th reaches high: the 3 coldest (first freed) go back
        assertEquals(15, pa.nrPcpPages());
        assertEquals(pages.get(17), pa.allocPage(), "the hottest page stays");
        pa.freePage(pages.get(17));
        for (int i = 18; i < 30; i++) {
            pa.freePage(pages.get(i));
        }
        pa.drainAllPages();
        assertEquals(16, pa.nrFree(10));
    }

    @Test
    void eachCpuHasItsOwnList() {
        final PageAllocator pa = machine.pages();
        CurrentCpu.bind(0);
        long a = pa.allocPage();
        CurrentCpu.bind(1);
        long b = pa.allocPage();
        assertNotEquals(a + Abi.PAGE_SIZE, b, "CPU 1 refilled its own list rather than taking CPU 0's");
        assertEquals(4, pa.nrPcpPages(), "two batches of 3, one page out of each");
        pa.freePage(a); // freed on CPU 1: it joins CPU 1's list
        assertEquals(a, pa.allocPage());
        pa.freePage(a);
        pa.freePage(b);
        pa.drainAllPages();
        assertEquals(0, pa.nrPcpPages());
    }

    @Test
    void pagesParkedOnListsAreDrainedWhenAnAllocationWouldFail() {
        CurrentCpu.bind(0);
        final PageAllocator pa = machine.pages();
        final List<Long> pages = new ArrayList<>();
        for (long p; (p = pa.allocPage()) != 0; ) {
            pages.add(p);
        }
        assertEquals(16384, pages.size(), "every page can be handed out one by one");
        pages.forEach(pa::freePage);
        assertNotEquals(0, pa.nrPcpPages(), "some freed pages stayed on the list");
        final List<Long> blocks = new ArrayList<>();
        for (long p; (p = pa.allocPages(Abi.MAX_ORDER - 1)) != 0; ) {
            blocks.add(p);
        }
        assertEquals(16, blocks.size(), "the parked pages were drained and merged: every order-10 block is whole");
        blocks.forEach(p -> pa.freePages(p, Abi.MAX_ORDER - 1));
    }
}
