package org.kfork.tests.mm;

import static org.junit.jupiter.api.Assertions.*;
import static org.kfork.mm.Mman.*;
import static org.kfork.tests.mm.UaccessTest.filled;
import static org.kfork.tests.mm.UaccessTest.pattern;
import static org.kfork.tests.mm.UaccessTest.read;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.Pgtable;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;

/**
 * The page tables of an mm on both variants, with the leak check: pages and tables come and go
 * with faults, fork (dup_mm copies private pages, WIPEONFORK gets none, DONTFORK is not copied),
 * munmap (free_pgtables keeps what a neighbour still uses), mprotect (change_protection), exit,
 * stack growth, and failslab at every allocation a fault makes.
 */
class PageTableTest extends AddressSpaceSuite {
    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void forkCopiesPrivatePagesWhichThenDiverge(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 4 * P, RW, ANON, null, 0);
        byte[] data = pattern(3 * (int) P, 5);
        assertEquals(0, mm.copyToUser(a, data, 0, data.length));
        assertEquals(0, mm.touch(a + 3 * P, false)); // the zero page: shared, never copied
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertArrayEquals(data, read(child, a, data.length), "the child sees the parent's bytes");
        assertEquals(3, child.rss(Limits.MM_ANONPAGES));
        assertEquals(6, sys().objectCounts().get("page"), "a page of its own per populated private page");
        assertEquals(mm.pte(a + 3 * P), child.pte(a + 3 * P) | Pgtable._PAGE_ACCESSED, "the zero page's pte, made old");
        assertEquals(3, child.hiwaterRss(), "dup_mm's hiwater_rss");
        assertEquals(0, child.putUser(0xc0ffee, a + 8, 4));
        assertEquals(0, mm.putUser(0xbeef, a + P + 8, 4));
        long[] x = new long[1];
        assertEquals(0, mm.getUser(x, a + 8, 4));
        assertEquals(data[8] & 0xff | (data[9] & 0xff) << 8 | (data[10] & 0xff) << 16 | (long) (data[11] & 0xff) << 24, x[0],
            "the child's write is its own");
        assertEquals(0, child.getUser(x, a + P + 8, 4));
        assertNotEquals(0xbeef, x[0], "and the parent's is the parent's");
        assertEquals(0, child.getUser(x, a + 8, 4));
        assertEquals(0xc0ffee, x[0]);
        assertEquals(3 * Pgtable.TABLE_BYTES, child.pgtablesBytes());
        AddressSpace grandchild = child.dup(DupMode.STRUCTURAL);
        assertEquals(0, grandchild.getUser(x, a + 8, 4));
        assertEquals(0xc0ffee, x[0], "a structural dup copies the same");
        grandchild.mmput();
        child.mmput();
        assertEquals(3, sys().objectCounts().get("page"), "the child's pages went with it");
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void wipeonforkGivesZerosAndDontforkGivesEfault(MmVariant v) {
        AddressSpace mm = start(v);
        long wipe = mm.mmap(0, 2 * P, RW, ANON, null, 0);
        long gone = mm.mmap(0, P, RW, ANON, null, 0);
        long kept = mm.mmap(0, P, RW | PROT_EXEC, ANON, null, 0);
        for (long a : new long[] {wipe, gone, kept}) {
            assertEquals(0, mm.copyToUser(a, filled(64, 0x5a), 0, 64));
        }
        assertEquals(0, mm.madvise(wipe, 2 * P, MADV_WIPEONFORK));
        assertEquals(0, mm.madvise(gone, P, MADV_DONTFORK));
        long cpr = sys().copyPageRangeCalls();
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(cpr + 1, sys().copyPageRangeCalls(), "only the kept VMA's page range is copied");
        assertEquals(0, child.pte(wipe), "WIPEONFORK: no pte,");
        assertArrayEquals(new byte[64], read(child, wipe, 64), "and zeros to read");
        assertEquals(64, child.copyFromUser(new byte[64], 0, gone, 64), "DONTFORK: not mapped in the child");
        assertEquals(-Errno.EFAULT, child.touch(gone, false));
        assertArrayEquals(filled(64, 0x5a), read(child, kept, 64));
        assertArrayEquals(filled(64, 0x5a), read(mm, wipe, 64), "the parent keeps its bytes");
        assertEquals(1, child.rss(Limits.MM_ANONPAGES));
        child.mmput();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void munmapFreesPagesAndTheTablesNoNeighbourUses(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0x40000000L, 4 * P, RW, ANON | MAP_FIXED, null, 0); // 1 GiB: its own pud slot
        long b = mm.mmap(0x40200000L, P, RW, ANON | MAP_FIXED, null, 0); // the next pmd slot: another pte table
        for (int i = 0; i < 4; i++) {
            assertEquals(0, mm.touch(a + i * P));
        }
        assertEquals(0, mm.touch(b));
        assertEquals(4 * Pgtable.TABLE_BYTES, mm.pgtablesBytes(), "pud, pmd, two pte tables");
        assertEquals(3, sys().nrPagetable());
        assertEquals(0, mm.munmap(a + P, P));
        assertEquals(4, mm.rss(Limits.MM_ANONPAGES));
        assertEquals(0, mm.pte(a + P));
        assertEquals(4 * Pgtable.TABLE_BYTES, mm.pgtablesBytes(), "the pte table still maps a's other pages");
        assertEquals(0, mm.munmap(a, 4 * P));
        assertEquals(1, mm.rss(Limits.MM_ANONPAGES));
        assertEquals(3 * Pgtable.TABLE_BYTES, mm.pgtablesBytes(), "a's pte table went; b keeps the pmd and pud");
        assertEquals(0, mm.munmap(b, P));
        assertEquals(0, mm.pgtablesBytes(), "nothing left to map");
        assertEquals(0, sys().nrPagetable());
        assertEquals(5, mm.hiwaterRss(), "update_hiwater_rss before each unmap");
        assertEquals(0, sys().objectCounts().get("pgtable"));
        assertEquals(0, sys().objectCounts().get("page"));
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void mprotectRewritesThePtes(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 2 * P, RW, ANON, null, 0);
        assertEquals(0, mm.putUser(0x1234, a, 2));
        long before = mm.pte(a);
        long gen = mm.tlbGen();
        assertEquals(0, mm.mprotect(a, 2 * P, PROT_READ));
        assertEquals(gen + 1, mm.tlbGen(), "a pte changed: flush_tlb_range");
        assertEquals(Pgtable.PAGE_READONLY | Pgtable._PAGE_DIRTY, mm.pte(a) & ~Pgtable.PTE_PFN_MASK);
        assertEquals(-Errno.EFAULT, mm.putUser(0x5678, a, 2), "read-only now");
        long[] x = new long[1];
        assertEquals(0, mm.getUser(x, a, 2));
        assertEquals(0x1234, x[0]);
        assertEquals(0, mm.mprotect(a, 2 * P, PROT_NONE));
        long none = mm.pte(a);
        assertEquals(0, none & Pgtable._PAGE_PRESENT, "absent to the CPU");
        assertTrue(Pgtable.ptePresent(none), "present to the kernel (_PAGE_PROTNONE)");
        assertEquals(Pgtable.ptePhys(before), Pgtable.ptePhys(none), "the same page, its pfn stored inverted");
        assertNotEquals(before & Pgtable.PTE_PFN_MASK, none & Pgtable.PTE_PFN_MASK);
        assertEquals(-Errno.EFAULT, mm.getUser(x, a, 2));
        assertEquals(0, mm.mprotect(a, 2 * P, RW));
        assertEquals(Pgtable.PAGE_COPY | Pgtable._PAGE_DIRTY, mm.pte(a) & ~Pgtable.PTE_PFN_MASK,
            "writable again only after a write fault (PAGE_COPY)");
        assertEquals(0, mm.putUser(0x5678, a, 2), "do_wp_page reuses the page");
        assertEquals(Pgtable.ptePhys(before), Pgtable.ptePhys(mm.pte(a)));
        assertEquals(0, mm.getUser(x, a, 2));
        assertEquals(0x5678, x[0]);
        assertEquals(1, mm.rss(Limits.MM_ANONPAGES));
        gen = mm.tlbGen();
        assertEquals(0, mm.mprotect(a + P, P, PROT_READ));
        assertEquals(gen, mm.tlbGen(), "no pte in that page: no flush");
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void aStackGrowsDownToAFaultBelowIt(MmVariant v) {
        AddressSpace mm = start(v);
        long low = mm.mmap(0x60000000L, P, RW, ANON | MAP_FIXED, null, 0);
        long top = 0x61000000L;
        long stack = mm.mmap(top - 4 * P, 4 * P, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, null, 0);
        long vm = mm.stackVm();
        long committed = sys().overcommit().committedPages();
        assertEquals(0, mm.putUser(42, stack - 3 * P + 8, 8), "below the stack: expand_stack");
        assertEquals(stack - 3 * P, mm.vmas().get(1).start());
        assertEquals(vm + 3, mm.stackVm());
        assertEquals(committed + 3, sys().overcommit().committedPages(), "the growth is charged");
        long gap = low + P + STACK_GUARD_GAP;
        assertEquals(-Errno.EFAULT, mm.touch(gap - P, true), "within the guard gap above another area");
        assertEquals(0, mm.touch(gap, true));
        assertEquals(gap, mm.vmas().get(1).start());
        mm.validate();
        assertEquals(-Errno.EFAULT, mm.touch(low + P, true), "right above low: inside its guard gap");
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void failslabAtEveryAllocationOfAFaultLeaksNothing(MmVariant v) {
        inst = v.create();
        Map<String, Long> objects = sys().objectCounts();
        Map<String, Long> machine = inst.machineSnapshot();
        int k = 1;
        for (; ; k++) {
            AddressSpace mm = sys().mmAlloc();
            long a = mm.mmap(0x7fe00000000L, P, RW, ANON | MAP_FIXED, null, 0);
            sys().failSlab().failNth(k);
            long left = mm.copyToUser(a + 100, new byte[] {1, 2, 3}, 0, 3);
            boolean fired = !sys().failSlab().armed();
            sys().failSlab().disarm();
            if (fired) {
                assertEquals(3, left, "k=" + k + ": a fault that fails is a copy that fails");
                assertEquals(0, mm.rss(Limits.MM_ANONPAGES), "k=" + k);
                assertEquals(0, mm.touch(a, true), "k=" + k + ": it works once memory is there");
            } else {
                assertEquals(0, left);
            }
            mm.mmput();
            assertEquals(objects, sys().objectCounts(), "k=" + k);
            assertEquals(machine, inst.machineSnapshot(), "k=" + k);
            if (!fired) {
                break;
            }
        }
        assertEquals(7, k, "pud, pmd and pte tables, anon_vma_prepare's chain and anon_vma, then the page");
        AddressSpace mm = sys().mmAlloc();
        long a = mm.mmap(0, P, RW, ANON, null, 0);
        sys().failSlab().failNth(1);
        assertEquals(-Errno.ENOMEM, mm.touch(a, true), "a user fault without memory: VM_FAULT_OOM");
        sys().failSlab().disarm();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void failslabAtEveryAllocationOfAForkWithPagesLeaksNothing(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 3 * P, RW, ANON, null, 0);
        long b = mm.mmap(0x7fe00000000L, P, RW, ANON | MAP_FIXED, null, 0);
        byte[] data = pattern(3 * (int) P, 1);
        assertEquals(0, mm.copyToUser(a, data, 0, data.length));
        assertEquals(0, mm.touch(b));
        Map<String, Long> objects = sys().objectCounts();
        Map<String, Long> machine = inst.machineSnapshot();
        String maps = mm.maps();
        int failures = 0;
        for (int k = 1; ; k++) {
            sys().failSlab().failNth(k);
            AddressSpace child = null;
            try {
                child = mm.dup(DupMode.APPEND);
            } catch (KernelException e) {
                assertEquals(Errno.ENOMEM, e.errno(), "k=" + k);
                failures++;
            }
            boolean done = sys().failSlab().armed();
            sys().failSlab().disarm();
            if (child != null) {
                assertArrayEquals(data, read(child, a, data.length), "k=" + k);
                child.mmput();
            }
            assertEquals(objects, sys().objectCounts(), "k=" + k + ": the half-built child's pages and tables went");
            assertEquals(machine, inst.machineSnapshot(), "k=" + k);
            assertEquals(maps, mm.maps());
            if (done) {
                break;
            }
        }
        assertTrue(failures >= 12, "mm, pgd, VMAs, anon_vmas, 6 tables and 4 pages: " + failures);
        assertArrayEquals(data, read(mm, a, data.length));
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void thousandsOfTouchForkWriteUnmapExitCyclesLeaveTheAllocatorsAtTheirBaseline(MmVariant v) {
        AddressSpace mm = start(v);
        Map<String, Long> objects = sys().objectCounts();
        Map<String, Long> machine = inst.machineSnapshot();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        long[] x = new long[1];
        for (int cycle = 0; cycle < 2000; cycle++) {
            long a = mm.mmap(0, (1 + rnd.nextInt(6)) * P, RW, ANON, null, 0);
            long len = mm.findVma(a).end() - a;
            long at = a + rnd.nextLong(len - 8);
            assertEquals(0, mm.putUser(cycle, at, 8));
            AddressSpace child = mm.dup(cycle % 2 == 0 ? DupMode.APPEND : DupMode.STRUCTURAL);
            assertEquals(0, child.getUser(x, at, 8));
            assertEquals(cycle, x[0]);
            assertEquals(0, child.putUser(-cycle, at, 8));
            assertEquals(0, mm.getUser(x, at, 8));
            assertEquals(cycle, x[0]);
            if (rnd.nextBoolean()) {
                assertEquals(0, child.munmap(a, len));
            }
            child.mmput();
            assertEquals(0, mm.munmap(a, len));
        }
        assertEquals(objects, sys().objectCounts());
        assertEquals(machine, inst.machineSnapshot());
        assertEquals(0, mm.pgtablesBytes());
        assertTrue(sys().log().lines().isEmpty(), "check_mm found nothing: " + sys().log().lines());
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void exitFreesEveryPageAndTableOfEveryVma(MmVariant v) {
        AddressSpace mm = start(v);
        long[] starts = {0x10000L, 0x40000000L, 0x7f0000000000L, 0x7ffffffde000L};
        for (long s : starts) {
            assertEquals(s, mm.mmap(s, 2 * P, RW, ANON | MAP_FIXED, null, 0));
            assertEquals(0, mm.copyToUser(s + P - 2, new byte[] {1, 2, 3, 4}, 0, 4));
        }
        assertEquals(8, mm.rss(Limits.MM_ANONPAGES));
        assertTrue(mm.pgtablesBytes() >= 8 * Pgtable.TABLE_BYTES);
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(mm.pgtablesBytes(), child.pgtablesBytes());
        child.mmput();
        mm.mmput(); // the leak check after the test counts pages and tables back at zero
        assertTrue(sys().log().lines().isEmpty(), "check_mm: " + sys().log().lines());
        assertEquals(Arrays.asList(0L, 0L), Arrays.asList(sys().objectCounts().get("page"),
            sys().objectCounts().get("pgtable")));
    }
}
