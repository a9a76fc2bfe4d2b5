package org.kfork.machine;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.testing.LeakCheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemTest {
    static final Machine MACHINE = Machine.create(16 << 20);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        MACHINE.close();
    }

    @Test
    void addressesAreInTheDirectMap() {
        final long page = MACHINE.pages().allocPage();
        try {
            assertTrue(Long.compareUnsigned(page, Abi.PAGE_OFFSET) >= 0);
            assertEquals(0, page & ~Abi.PAGE_MASK, "pages are page aligned");
            assertEquals(page, Ram.physToVirt(Ram.virtToPhys(page)));
        } finally {
            MACHINE.pages().freePage(page);
        }
    }

    @Test
    void plainAccessRoundTripsEverySize() {
        final long p = MACHINE.pages().allocPage();
        try {
            Mem.putByte(p, (byte) 0x81);
            Mem.putShort(p + 2, (short) 0xbeef);
            Mem.putInt(p + 4, 0xcafebabe);
            Mem.putLong(p + 8, 0x0123456789abcdefL);
            assertEquals((byte) 0x81, Mem.getByte(p));
            assertEquals((short) 0xbeef, Mem.getShort(p + 2));
            assertEquals(0xcafebabe, Mem.getInt(p + 4));
            assertEquals(0x0123456789abcdefL, Mem.getLong(p + 8));
            // little-endian, as on x86_64
            assertEquals((byte) 0xef, Mem.getByte(p + 8));
            assertEquals(0x89abcdef, Mem.getInt(p + 8));
        } finally {
            MACHINE.pages().freePage(p);
        }
    }

    @Test
    void orderedAndAtomicAccess() {
        final long p = MACHINE.pages().allocPage();
        try {
            Mem.putLongRelease(p, 5);
            assertEquals(5, Mem.getLongAcquire(p));
            Mem.putIntVolatile(p + 8, 7);
            assertEquals(7, Mem.getIntVolatile(p + 8));
            assertTrue(Mem.compareAndSetLong(p, 5, 6));
            assertFalse(Mem.compareAndSetLong(p, 5, 9));
            assertEquals(6, Mem.compareAndExchangeLong(p, 1, 2), "failed cmpxchg returns the witness");
            assertEquals(6, Mem.getAndSetLong(p, 10));
            assertEquals(10, Mem.getAndAddLong(p, 3));
            assertEquals(13, Mem.getLong(p));
            assertTrue(Mem.compareAndSetInt(p + 8, 7, 8));
            assertEquals(8, Mem.getAndAddInt(p + 8, -8));
            assertEquals(0, Mem.getAndSetInt(p + 8, 1));
        } finally {
            MACHINE.pages().freePage(p);
        }
    }

    @Test
    void copySetAndZero() {
        final long p = MACHINE.pages().allocPages(2);
        try {
            Mem.set(p, 3 * Abi.PAGE_SIZE, (byte) 0x5a);
            assertEquals(0x5a5a5a5a5a5a5a5aL, Mem.getLong(p + 3 * Abi.PAGE_SIZE - 8));
            Mem.copy(p, p + 3 * Abi.PAGE_SIZE, Abi.PAGE_SIZE);
            assertEquals(0x5a5a5a5a5a5a5a5aL, Mem.getLong(p + 4 * Abi.PAGE_SIZE - 8));
            Mem.zero(p + 8, 3 * Abi.PAGE_SIZE);
            assertEquals(0x5a5a5a5a5a5a5a5aL, Mem.getLong(p), "bytes before the range are kept");
            assertEquals(0, Mem.getLong(p + 8));
            assertEquals(0, Mem.getLong(p + 3 * Abi.PAGE_SIZE));
            assertEquals(0x5a5a5a5a5a5a5a5aL, Mem.getLong(p + 3 * Abi.PAGE_SIZE + 8), "bytes after are kept");
        } finally {
            MACHINE.pages().freePages(p, 2);
        }
    }

    @Test
    void sizesParse() {
        assertEquals(1L << 30, Ram.parseSize("1g"));
        assertEquals(512L << 20, Ram.parseSize("512M"));
        assertEquals(4096, Ram.parseSize("4096"));
        assertThrows(IllegalArgumentException.class, () -> Ram.parseSize("lots"));
        assertThrows(IllegalArgumentException.class, () -> Ram.parseSize("-1k"));
    }
}
