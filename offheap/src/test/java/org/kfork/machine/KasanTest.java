package org.kfork.machine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.testing.LeakCheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checked mode catches bad accesses with an exception, and never lets them reach memory. */
class KasanTest {
    static final Machine MACHINE = Machine.create(8 << 20);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        MACHINE.close();
    }

    @Test
    void accessOutsideRamRaises() {
        final BadAccessException e = assertThrows(BadAccessException.class, () -> Mem.getLong(0x1000));
        assertEquals("wild-memory-access", e.bug());
        assertTrue(e.getMessage().contains("at addr 0x1000"), e.getMessage());
        assertTrue(e.getMessage().contains("read of size 8"), e.getMessage());
        assertThrows(BadAccessException.class, () -> Mem.putInt(Abi.PAGE_OFFSET + Ram.CAPACITY, 1));
        assertThrows(BadAccessException.class, () -> Mem.getLong(Abi.PAGE_OFFSET + Ram.CAPACITY - 4),
            "an access straddling the end of RAM");
        final BadAccessException v = assertThrows(BadAccessException.class, () -> Mem.getLong(Abi.VMALLOC_START));
        assertTrue(v.getMessage().contains("vmalloc"), v.getMessage());
    }

    @Test
    void misalignedAtomicsRaise() {
        final long p = MACHINE.pages().allocPage();
        try {
            final BadAccessException e = assertThrows(BadAccessException.class,
                () -> Mem.compareAndSetLong(p + 4, 0, 1));
            assertEquals("misaligned-access", e.bug());
            assertTrue(e.getMessage().contains("atomic rmw of size 8"), e.getMessage());
            assertThrows(BadAccessException.class, () -> Mem.getAndAddInt(p + 2, 1));
            assertThrows(BadAccessException.class, () -> Mem.getLongAcquire(p + 1));
            assertEquals(0, Mem.getLong(p + 4), "a plain misaligned read is fine, as on x86");
            assertTrue(Mem.compareAndSetLong(p + 8, 0, 1));
        } finally {
            MACHINE.pages().freePage(p);
        }
    }

    @Test
    void useAfterFreeOfAPageRaises() {
        final long p = MACHINE.pages().allocPage();
        Mem.putLong(p, 1);
        MACHINE.pages().freePage(p);
        final BadAccessException e = assertThrows(BadAccessException.class, () -> Mem.putLong(p, 2));
        assertEquals("use-after-free-page", e.bug());
        assertFalse(Kasan.isAccessible(p, 8));
    }

    @Test
    void memoryNoAllocatorHandedOutRaises() {
        // RAM beyond every live window has never been handed out.
        final long beyond = Abi.PAGE_OFFSET + Ram.CAPACITY - Abi.PAGE_SIZE;
        final BadAccessException e = assertThrows(BadAccessException.class, () -> Mem.getByte(beyond));
        assertEquals("use-of-unallocated-memory", e.bug());
    }

    @Test
    void partialGranulesAndPoisonCodes() {
        final long p = MACHINE.pages().allocPage();
        try {
            Kasan.poison(p, Abi.PAGE_SIZE, Kasan.SLAB_UNUSED);
            Kasan.unpoison(p, 13); // one full granule and 5 bytes of the next
            assertTrue(Kasan.isAccessible(p, 13));
            assertEquals(0, Mem.getByte(p + 12));
            final BadAccessException e = assertThrows(BadAccessException.class, () -> Mem.getByte(p + 13));
            assertEquals("out-of-bounds", e.bug());
            assertThrows(BadAccessException.class, () -> Mem.getLong(p + 8), "8 bytes from 8 cross byte 13");
            Kasan.poison(p, 16, Kasan.SLAB_FREE);
            assertEquals("use-after-free", assertThrows(BadAccessException.class, () -> Mem.getInt(p)).bug());
            assertThrows(BadAccessException.class, () -> Mem.copy(p, p + 64, 8), "copy checks its source");
        } finally {
            Kasan.unpoison(p, Abi.PAGE_SIZE);
            MACHINE.pages().freePage(p);
        }
    }

    @Test
    void describersNameWhatLiesThere() {
        final long p = MACHINE.pages().allocPage();
        final Kasan.Describer d = a -> a >= p && a < p + Abi.PAGE_SIZE ? "test object at 0x" + Long.toHexString(p) : null;
        Kasan.addDescriber(d);
        try {
            MACHINE.pages().freePage(p);
            final BadAccessException e = assertThrows(BadAccessException.class, () -> Mem.getLong(p + 8));
            assertTrue(e.getMessage().contains("test object"), e.getMessage());
        } finally {
            Kasan.removeDescriber(d);
        }
    }
}
