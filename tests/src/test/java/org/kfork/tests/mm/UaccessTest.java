package org.kfork.tests.mm;

import static org.junit.jupiter.api.Assertions.*;
import static org.kfork.mm.Mman.*;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.Pgtable;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/**
 * User memory through the kernel's accessors (copy_from_user, copy_to_user, get_user, put_user,
 * copy_struct_from_user, check_zeroed_user, strncpy_from_user), on both variants with the leak
 * check: what they copy, how far a copy gets before a fault, and the errno of each refusal.
 */
class UaccessTest extends AddressSpaceSuite {
    /** A pattern that differs in every byte of a few pages. */
    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed + (i >>> 8));
        }
        return b;
    }

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** {@code n} bytes at {@code addr}, which must all be readable. */
    static byte[] read(AddressSpace mm, long addr, int n) {
        byte[] b = new byte[n];
        assertEquals(0, mm.copyFromUser(b, 0, addr, n));
        return b;
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void readAfterWriteAcrossPages(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 3 * P, RW, ANON, null, 0);
        byte[] data = pattern(10000, 7);
        assertEquals(0, mm.copyToUser(a + 100, data, 0, data.length));
        byte[] back = filled(data.length, 0x55);
        assertEquals(0, mm.copyFromUser(back, 0, a + 100, back.length));
        assertArrayEquals(data, back);
        byte[] head = filled(100, 0x55);
        assertEquals(0, mm.copyFromUser(head, 0, a, 100));
        assertArrayEquals(new byte[100], head, "a new anonymous page is zeroed");
        assertEquals(3, mm.rss(Limits.MM_ANONPAGES));
        assertEquals(3 * Pgtable.TABLE_BYTES, mm.pgtablesBytes(), "a pud, a pmd and a pte table");
        assertEquals(2, sys().nrPagetable(), "PageTables counts the pmd and pte tables");
        assertEquals(3, sys().objectCounts().get("page"));
        assertEquals(3, sys().objectCounts().get("pgtable"));
        mm.validate();
        mm.mmput();
        assertEquals(0, sys().nrPagetable());
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void aReadMapsTheZeroPageAndAWriteGetsAPageOfItsOwn(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, P, RW, ANON, null, 0);
        assertEquals(0, mm.touch(a, false));
        long zero = mm.pte(a);
        assertEquals(Pgtable._PAGE_SPECIAL | Pgtable.PAGE_COPY, zero & ~Pgtable.PTE_PFN_MASK,
            "the zero page, special, read-only (PAGE_COPY)");
        assertEquals(0, mm.rss(Limits.MM_ANONPAGES));
        assertFalse(mm.vmas().get(0).hasAnonVma(), "a read needs no anon_vma");
        assertEquals(0, mm.putUser(0x1122334455667788L, a + 8, 8));
        long own = mm.pte(a);
        assertEquals(Pgtable.PAGE_COPY | Pgtable._PAGE_RW | Pgtable._PAGE_DIRTY, own & ~Pgtable.PTE_PFN_MASK,
            "wp_page_copy: a page of its own, dirty and writable");
        assertNotEquals(zero & Pgtable.PTE_PFN_MASK, own & Pgtable.PTE_PFN_MASK);
        assertTrue(mm.vmas().get(0).hasAnonVma());
        assertEquals(1, mm.rss(Limits.MM_ANONPAGES));
        long[] x = new long[1];
        assertEquals(0, mm.getUser(x, a, 8));
        assertEquals(0, x[0], "the rest of the copy of the zero page is zero");
        assertEquals(0, mm.getUser(x, a + 8, 8));
        assertEquals(0x1122334455667788L, x[0]);
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void efaultOutsideTheVmasAndWithoutPermission(MmVariant v) {
        AddressSpace mm = start(v);
        long rw = mm.mmap(0x10000000L, 2 * P, RW, ANON | MAP_FIXED, null, 0);
        long ro = mm.mmap(0x10100000L, P, PROT_READ, ANON | MAP_FIXED, null, 0);
        long none = mm.mmap(0x10200000L, P, PROT_NONE, ANON | MAP_FIXED, null, 0);
        long hole = 0x10300000L;
        byte[] buf = filled(64, 0x55);
        assertEquals(64, mm.copyFromUser(buf, 0, hole, 64), "nothing mapped");
        assertArrayEquals(new byte[64], buf, "copy_from_user zeroes what it could not copy");
        assertEquals(64, mm.copyToUser(hole, pattern(64, 1), 0, 64));
        assertEquals(64, mm.copyFromUser(buf, 0, none, 64), "PROT_NONE");
        assertEquals(64, mm.copyToUser(none, pattern(64, 1), 0, 64));
        assertEquals(-Errno.EFAULT, mm.touch(none, false));
        assertEquals(64, mm.copyToUser(ro, pattern(64, 1), 0, 64), "a read-only VMA for a write");
        assertEquals(0, mm.copyFromUser(buf, 0, ro, 64), "but it reads (the zero page)");
        assertEquals(-Errno.EFAULT, mm.putUser(1, ro, 4));
        long[] x = {42};
        assertEquals(-Errno.EFAULT, mm.getUser(x, hole, 4));
        assertEquals(0, x[0], "get_user clears its variable on a fault");
        assertEquals(-Errno.EFAULT, mm.touch(hole, true));
        assertEquals(0, mm.touch(rw, true));
        assertEquals(1, mm.rss(Limits.MM_ANONPAGES), "only the write to rw made a page");
        mm.validate();
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void aCopyAcrossAVmaBoundaryStopsAtThePageThatFaults(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0x20000000L, 2 * P, RW, ANON | MAP_FIXED, null, 0);
        mm.mmap(a + 2 * P, P, PROT_READ, ANON | MAP_FIXED, null, 0);
        byte[] data = pattern(3000, 3);
        long at = a + 2 * P - 1000;
        assertEquals(2000, mm.copyToUser(at, data, 0, data.length), "1000 bytes fit before the read-only VMA");
        byte[] back = filled(3000, 0x55);
        assertEquals(0, mm.copyFromUser(back, 0, at, 3000), "a read crosses into the read-only VMA");
        assertArrayEquals(Arrays.copyOf(data, 1000), Arrays.copyOf(back, 1000));
        assertArrayEquals(new byte[2000], Arrays.copyOfRange(back, 1000, 3000));
        assertEquals(0, mm.munmap(a + 2 * P, P));
        Arrays.fill(back, (byte) 0x55);
        assertEquals(2000, mm.copyFromUser(back, 0, at, 3000), "then into a hole");
        assertArrayEquals(Arrays.copyOf(data, 1000), Arrays.copyOf(back, 1000));
        assertArrayEquals(new byte[2000], Arrays.copyOfRange(back, 1000, 3000), "the tail is zeroed");
        long[] x = new long[1];
        assertEquals(-Errno.EFAULT, mm.getUser(x, a + 2 * P - 4, 8), "a value across into the hole");
        assertEquals(-Errno.EFAULT, mm.putUser(-1L, a + 2 * P - 4, 8));
        assertEquals(0, mm.getUser(x, a + 2 * P - 8, 8));
        long before = x[0];
        assertEquals(0, mm.getUser(x, a + 2 * P - 4, 4));
        assertEquals(before >>> 32, x[0], "put_user wrote nothing when its second page faulted");
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void valuesOfEverySizeCrossPagesLittleEndian(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, 2 * P, RW, ANON, null, 0);
        long[] x = new long[1];
        for (int size : new int[] {1, 2, 4, 8}) {
            for (long at : new long[] {a + 16, a + P - size / 2, a + 2 * P - size}) {
                long value = 0x8877665544332211L;
                assertEquals(0, mm.putUser(value, at, size), size + "@" + Long.toHexString(at));
                assertEquals(0, mm.getUser(x, at, size));
                long mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
                assertEquals(value & mask, x[0], "zero-extended");
                byte[] b = new byte[size];
                assertEquals(0, mm.copyFromUser(b, 0, at, size));
                for (int i = 0; i < size; i++) {
                    assertEquals((byte) (value >>> (8 * i)), b[i], "little-endian byte " + i);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> mm.getUser(x, a, 3));
        assertThrows(IllegalArgumentException.class, () -> mm.putUser(0, a, 16));
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void kernelAddressesAndWrappingRangesFailAccessOk(MmVariant v) {
        AddressSpace mm = start(v);
        long top = mm.mmap(Pgtable.TASK_SIZE_MAX - P, P, RW, ANON | MAP_FIXED, null, 0);
        assertEquals(Pgtable.TASK_SIZE_MAX - P, top);
        long[] x = new long[1];
        assertEquals(0, mm.putUser(7, Pgtable.TASK_SIZE_MAX - 8, 8), "the last word of user space");
        assertEquals(-Errno.EFAULT, mm.getUser(x, Pgtable.TASK_SIZE_MAX - 7, 8), "one byte past TASK_SIZE_MAX");
        assertEquals(-Errno.EFAULT, mm.getUser(x, Pgtable.TASK_SIZE_MAX, 1));
        assertEquals(-Errno.EFAULT, mm.getUser(x, 0xffff888000000000L, 8), "the direct map");
        assertEquals(-Errno.EFAULT, mm.putUser(1, -8, 8), "-8 + 8 wraps to 0");
        byte[] buf = filled(16, 0x55);
        assertEquals(16, mm.copyFromUser(buf, 0, 0xffffffffffff0000L, 16));
        assertArrayEquals(new byte[16], buf);
        assertEquals(-1L, mm.copyToUser(top, new byte[0], 0, -1L), "a length of 2^64 - 1: all of it not copied");
        assertEquals(Pgtable.TASK_SIZE_MAX, mm.copyToUser(top, new byte[0], 0, Pgtable.TASK_SIZE_MAX),
            "top + TASK_SIZE_MAX passes the limit");
        assertEquals(-Errno.EFAULT, mm.checkZeroedUser(top, -16L));
        assertEquals(-Errno.EFAULT, mm.strncpyFromUser(new byte[8], Pgtable.TASK_SIZE_MAX, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> mm.copyFromUser(new byte[8], 0, top, 9),
            "a Java buffer too small is the caller's bug, not an errno");
        assertEquals(0, mm.touch(top, true));
        assertEquals(-Errno.EFAULT, mm.touch(Pgtable.TASK_SIZE_MAX, false));
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void copyStructFromUserFollowsTheSizeRules(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0x30000000L, 2 * P, RW, ANON | MAP_FIXED, null, 0);
        byte[] user = pattern(24, 9);
        long src = a + 2 * P - 64;
        assertEquals(0, mm.copyToUser(src, user, 0, 24));
        byte[] k = filled(16, 0xaa);
        assertEquals(0, mm.copyStructFromUser(k, 16, src, 8), "an older, smaller user struct");
        assertArrayEquals(Arrays.copyOf(Arrays.copyOf(user, 8), 16), k, "zero-extended");
        Arrays.fill(k, (byte) 0xaa);
        assertEquals(0, mm.copyStructFromUser(k, 16, src, 16));
        assertArrayEquals(Arrays.copyOf(user, 16), k);
        Arrays.fill(k, (byte) 0xaa);
        assertEquals(-Errno.E2BIG, mm.copyStructFromUser(k, 16, src, 24), "a newer struct with a non-zero field");
        assertArrayEquals(filled(16, 0xaa), k, "nothing copied");
        assertEquals(0, mm.copyToUser(src + 16, new byte[48], 0, 48));
        assertEquals(0, mm.copyStructFromUser(k, 16, src, 64), "larger, with zeros up to the end of the page");
        assertArrayEquals(Arrays.copyOf(user, 16), k);
        assertEquals(-Errno.EFAULT, mm.copyStructFromUser(k, 16, src, 65), "its tail runs off the VMA");
        assertEquals(0, mm.putUser(1, src + 40, 1));
        assertEquals(-Errno.E2BIG, mm.copyStructFromUser(k, 16, src, 200),
            "check_zeroed_user stops at the first non-zero word, before the hole");
        assertEquals(-Errno.EFAULT, mm.copyStructFromUser(k, 16, 0x40000000L, 8), "unreadable");
        assertEquals(-Errno.EFAULT, mm.copyStructFromUser(k, 16, 0x40000000L, 32));
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void checkZeroedUserLooksOnlyAtItsBytes(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0, P, RW, ANON, null, 0);
        assertEquals(0, mm.putUser(0xff, a + 3, 1));
        assertEquals(0, mm.putUser(0xff, a + 21, 1));
        assertEquals(1, mm.checkZeroedUser(a + 4, 17), "from byte 4 up to byte 20, unaligned at both ends");
        assertEquals(0, mm.checkZeroedUser(a + 4, 18));
        assertEquals(0, mm.checkZeroedUser(a + 3, 1));
        assertEquals(1, mm.checkZeroedUser(a + 22, P - 22));
        assertEquals(1, mm.checkZeroedUser(a + 22, 0));
        assertEquals(-Errno.EFAULT, mm.checkZeroedUser(a + 22, P - 21), "one byte into the next page");
        mm.mmput();
    }

    @ParameterizedTest
    @EnumSource(MmVariant.class)
    void strncpyFromUserStopsAtTheNulTheCountOrTheFault(MmVariant v) {
        AddressSpace mm = start(v);
        long a = mm.mmap(0x50000000L, P, RW, ANON | MAP_FIXED, null, 0);
        byte[] s = "hello, kernel\0tail".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(0, mm.copyToUser(a + 5, s, 0, s.length));
        byte[] dst = filled(32, 0x55);
        assertEquals(13, mm.strncpyFromUser(dst, a + 5, 32));
        assertEquals("hello, kernel", new String(dst, 0, 13, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(0, dst[13]);
        assertEquals(0, dst[15], "the rest of the word holding the NUL is cleared");
        assertEquals(0x55, dst[16], "past that word nothing is written");
        dst = filled(32, 0x55);
        assertEquals(5, mm.strncpyFromUser(dst, a + 5, 5), "no NUL within count: count");
        assertEquals('o', dst[4]);
        assertEquals(0, mm.strncpyFromUser(dst, a + 5, 0));
        byte[] tail = filled(6, 'x');
        assertEquals(0, mm.copyToUser(a + P - 6, tail, 0, 6));
        assertEquals(-Errno.EFAULT, mm.strncpyFromUser(dst, a + P - 6, 32), "the string runs into a hole");
        assertEquals(6, mm.strncpyFromUser(dst, a + P - 6, 6), "count reached just before it");
        assertEquals(0, mm.putUser(0, a + P - 1, 1));
        assertEquals(5, mm.strncpyFromUser(dst, a + P - 6, 32), "the NUL is the page's last byte");
        mm.mmput();
    }
}
