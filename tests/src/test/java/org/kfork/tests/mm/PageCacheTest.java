package org.kfork.tests.mm;

import static org.junit.jupiter.api.Assertions.*;
import static org.kfork.mm.Mman.*;
import static org.kfork.tests.mm.UaccessTest.filled;
import static org.kfork.tests.mm.UaccessTest.pattern;
import static org.kfork.tests.mm.UaccessTest.read;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.MappedFile;
import org.kfork.mm.Overcommit;
import org.kfork.mm.Pgtable;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/**
 * Shared and file-backed memory through the page cache, on both variants with the leak check:
 * shared anonymous memory (its shmem file) and shared file mappings share their pages between
 * mms and across fork, a private file mapping reads the cache and copies a page on its first
 * write, and a file's pages go with its last reference.
 */
class PageCacheTest extends AddressSpaceSuite {
    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void sharedAnonymousMemoryIsSharedAcrossFork(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 3 * P, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        assertEquals(0, mm.copyToUser(a + P - 2, new byte[] {1, 2, 3, 4}, 0, 4));
        assertEquals(2, mm.rss(Limits.MM_SHMEMPAGES), "shmem pages");
        assertEquals(0, mm.rss(Limits.MM_ANONPAGES));
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(0, child.pte(a + P), "copy_page_range skips a VMA without anon_vma: faults refill it");
        assertArrayEquals(new byte[] {1, 2, 3, 4}, read(child, a + P - 2, 4), "the child sees the parent's bytes");
        assertEquals(Pgtable.ptePhys(mm.pte(a + P)), Pgtable.ptePhys(child.pte(a + P)), "the same page");
        assertEquals(0, child.putUser(0x77, a + 2 * P, 1));
        long[] x = new long[1];
        assertEquals(0, mm.getUser(x, a + 2 * P, 1));
        assertEquals(0x77, x[0], "and the parent the child's");
        assertEquals(3, sys().objectCounts().get("page"), "three pages in the shmem file, whoever maps them");
        assertEquals(0, mm.munmap(a, 3 * P));
        assertEquals(3, sys().objectCounts().get("page"), "the child's VMA still holds the file");
        assertEquals(0, child.getUser(x, a + P, 1));
        assertEquals(3, x[0]);
        child.mmput();
        assertEquals(0, sys().objectCounts().get("page"), "the last reference: truncate_inode_pages_final");
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void sharedFileMappingsShareThePageCacheWhichOutlivesThem(MmVariant v) {
        AddressSpace mm = start(v);
        MappedFile f = sys().openFile("/srv/shared.db", true, false);
        AddressSpace other = sys().mmAlloc();
        long a = mm.mmap(0, 4 * P, RW, MAP_SHARED, f, 2);
        long b = other.mmap(0, 2 * P, PROT_READ, MAP_SHARED, f, 3);
        byte[] data = pattern(100, 4);
        assertEquals(0, mm.copyToUser(a + P + 50, data, 0, 100), "file page 3");
        assertArrayEquals(data, read(other, b + 50, 100), "the other mm maps the same page at its pgoff");
        assertEquals(1, f.nrpages());
        assertEquals(1, mm.rss(Limits.MM_FILEPAGES));
        assertEquals(1, other.rss(Limits.MM_FILEPAGES));
        assertEquals(100, other.copyToUser(b, data, 0, 100), "read-only there");
        assertEquals(0, mm.munmap(a, 4 * P));
        other.mmput();
        assertEquals(1, f.nrpages(), "the cache outlives the mappings while the file is open");
        long c = mm.mmap(0, P, PROT_READ, MAP_PRIVATE, f, 3);
        assertArrayEquals(data, read(mm, c + 50, 100), "a later private mapping reads the cached page");
        assertEquals(0, mm.munmap(c, P));
        mm.mmput();
        f.fput();
        assertEquals(0, sys().objectCounts().get("page"));
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void aPrivateFileMappingCopiesAPageOnItsFirstWrite(MmVariant v) {
        AddressSpace mm = start(v);
        MappedFile f = sys().openFile("/usr/lib/libdata.so", true, false);
        long shared = mm.mmap(0, 2 * P, RW, MAP_SHARED, f, 0);
        long priv = mm.mmap(0, 2 * P, RW, MAP_PRIVATE, f, 0);
        assertEquals(0, mm.putUser(0x1111, shared + 16, 2));
        long[] x = new long[1];
        assertEquals(0, mm.getUser(x, priv + 16, 2));
        assertEquals(0x1111, x[0], "before its first write a private mapping reads the file");
        assertEquals(Pgtable.PAGE_COPY, mm.pte(priv) & ~Pgtable.PTE_PFN_MASK, "the page cache's page, read-only");
        assertEquals(Pgtable.ptePhys(mm.pte(shared)), Pgtable.ptePhys(mm.pte(priv)));
        assertEquals(2, mm.rss(Limits.MM_FILEPAGES));
        assertEquals(0, mm.putUser(0x2222, priv + 16, 2));
        assertNotEquals(Pgtable.ptePhys(mm.pte(shared)), Pgtable.ptePhys(mm.pte(priv)), "a private copy");
        assertEquals(1, mm.rss(Limits.MM_FILEPAGES));
        assertEquals(1, mm.rss(Limits.MM_ANONPAGES));
        assertTrue(mm.findVma(priv).hasAnonVma());
        assertEquals(0, mm.getUser(x, shared + 16, 2));
        assertEquals(0x1111, x[0], "the file does not see the private write");
        assertEquals(0, mm.putUser(0x3333, shared + 16, 2));
        assertEquals(0, mm.getUser(x, priv + 16, 2));
        assertEquals(0x2222, x[0], "nor the private copy later writes to the file");
        assertEquals(0, mm.putUser(0x4444, priv + P, 2), "a write to a page never read: do_cow_fault");
        assertEquals(2, mm.rss(Limits.MM_ANONPAGES));
        assertEquals(2, f.nrpages(), "do_cow_fault read the file's page first");
        AddressSpace child = mm.dup(DupMode.STRUCTURAL);
        assertEquals(0, child.getUser(x, priv + 16, 2));
        assertEquals(0x2222, x[0]);
        assertEquals(2, child.rss(Limits.MM_ANONPAGES), "the private copies are copied at fork");
        child.mmput();
        mm.mmput();
        assertEquals(2, sys().objectCounts().get("page"), "only the file's cache is left");
        f.fput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void aForkSharesThePageCachePagesOfAPrivateFileMapping(MmVariant v) {
        AddressSpace mm = start(v);
        MappedFile f = sys().openFile("/usr/lib/libc.so.6", false, false);
        long a = mm.mmap(0, 3 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, f, 0);
        assertEquals(0, mm.touch(a, false));
        assertEquals(0, mm.touch(a + P, true));
        assertEquals(0, mm.touch(a + 2 * P, false));
        AddressSpace child = mm.dup(DupMode.APPEND);
        assertEquals(2, child.rss(Limits.MM_FILEPAGES), "the cache's pages, mapped in both");
        assertEquals(1, child.rss(Limits.MM_ANONPAGES), "the private copy, copied");
        assertEquals(Pgtable.ptePhys(mm.pte(a)), Pgtable.ptePhys(child.pte(a)));
        assertNotEquals(Pgtable.ptePhys(mm.pte(a + P)), Pgtable.ptePhys(child.pte(a + P)));
        assertEquals(0, child.pte(a) & Pgtable._PAGE_ACCESSED, "copy_present_pte makes it old");
        assertEquals(0, child.touch(a, true), "the child's first write copies it");
        assertEquals(2, child.rss(Limits.MM_ANONPAGES));
        assertEquals(1, mm.rss(Limits.MM_ANONPAGES));
        child.mmput();
        mm.mmput();
        f.fput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void faultsPastThePageCachesIndexesAreSigbus(MmVariant v) {
        AddressSpace mm = start(v);
        MappedFile f = sys().openFile("/srv/huge", true, false);
        long a = mm.mmap(0, 2 * P, RW, MAP_SHARED, f, Integer.MAX_VALUE - 1L);
        assertEquals(0, mm.touch(a, true), "page INT_MAX - 1 is the last the cache holds");
        assertEquals(-Errno.EFAULT, mm.touch(a + P, true), "past it: VM_FAULT_SIGBUS");
        assertEquals(P, mm.copyToUser(a + P, new byte[(int) P], 0, P));
        mm.mmput();
        f.fput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void aNoreserveSharedAreaChargesEachPageItTouches(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 8 * P, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, null, 0);
        long committed = sys().overcommit().committedPages();
        assertEquals(0, mm.copyToUser(a, new byte[(int) (3 * P)], 0, 3 * P));
        assertEquals(committed + 3, sys().overcommit().committedPages(), "shmem_acct_block: a page at a time");
        sys().overcommit().mode(Overcommit.OVERCOMMIT_NEVER).ratio(0);
        assertEquals(-Errno.EFAULT, mm.touch(a + 5 * P, true), "refused: -ENOSPC, VM_FAULT_SIGBUS");
        sys().overcommit().mode(Overcommit.OVERCOMMIT_GUESS).ratio(50);
        assertEquals(0, mm.touch(a + 5 * P, true));
        mm.mmput();
        assertEquals(committed, sys().overcommit().committedPages(), "given back with the pages");
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void failslabAtEveryAllocationOfASharedFaultLeaksNothing(MmVariant v) {
        AddressSpace mm = start(v);
        Map<String, Long> objects = sys().objectCounts();
        MappedFile f = sys().openFile("/srv/data", true, false);
        int points = 0;
        for (int k = 1; ; k++) {
            long a = mm.mmap(0, P, RW, MAP_SHARED, f, 5);
            sys().failSlab().failNth(k);
            long left = mm.copyToUser(a, filled(8, 9), 0, 8);
            boolean fired = !sys().failSlab().armed();
            sys().failSlab().disarm();
            assertEquals(fired ? 8 : 0, left, "k=" + k);
            assertEquals(0, mm.munmap(a, P));
            long cached = f.nrpages();
            assertEquals(objects.get("page") + cached, sys().objectCounts().get("page"), "k=" + k);
            if (!fired) {
                break;
            }
            points++;
        }
        assertEquals(5, points, "pud, pmd, the page, a radix tree node, the pte table");
        assertEquals(1, f.nrpages());
        f.fput();
        assertEquals(objects, sys().objectCounts());
        mm.mmput();
    }
}
