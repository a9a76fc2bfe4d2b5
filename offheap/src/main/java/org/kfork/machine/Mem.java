package org.kfork.machine;

import org.agrona.UnsafeApi;

/**
 * The memory facade: every access to modeled memory goes through here, and nothing else in kfork
 * touches Unsafe. Addresses are modeled direct-map addresses ({@code PAGE_OFFSET + phys}); the
 * host address is that plus one constant, {@code DELTA}, which the JIT folds into the
 * instruction.
 *
 * <p>Orderings are named plainly: plain get/put; {@code getXAcquire}/{@code putXRelease};
 * {@code getXVolatile}/{@code putXVolatile}; and the read-modify-writes {@code compareAndSet},
 * {@code compareAndExchange}, {@code getAndSet} (xchg) and {@code getAndAdd}, which are full
 * fences as on x86.
 *
 * <p>In checked mode ({@link Kasan#ENABLED}) each access is checked first and a bad one throws
 * {@link BadAccessException}; with it off the check is dead code and the method is one load or
 * store. Nothing here allocates.
 */
public final class Mem {
    /**
     * Host address = modeled direct-map address + DELTA. A static final, so the JIT folds it into
     * the addressing of each load and store. The RAM is reserved here, lazily committed (a malloc
     * this large is an anonymous mmap), and page aligned; with {@code -Dkfork.ram.file=F} it is the
     * shared mapping of file F instead ({@link RamFile}), which changes the constant, not the code.
     */
    private static final long DELTA = reserveRam() - Abi.PAGE_OFFSET;

    /** Host block of zeroes that {@link #zero} copies from: a copy beats Unsafe.setMemory on JDK 17. */
    private static final int ZERO_BLOCK = 64 * 1024;
    private static final long ZERO_HOST = reserveZeroBlock();

    private Mem() {
    }

    /** Plain read of a byte (1 byte). */
    public static byte getByte(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 1, Kasan.READ);
        }
        return UnsafeApi.getByte(addr + DELTA);
    }

    /** Plain write of a byte. */
    public static void putByte(long addr, byte value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 1, Kasan.WRITE);
        }
        UnsafeApi.putByte(addr + DELTA, value);
    }

    /** Plain read of a short (2 bytes). */
    public static short getShort(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 2, Kasan.READ);
        }
        return UnsafeApi.getShort(addr + DELTA);
    }

    /** Plain write of a short. */
    public static void putShort(long addr, short value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 2, Kasan.WRITE);
        }
        UnsafeApi.putShort(addr + DELTA, value);
    }

    /** Plain read of a int (4 bytes). */
    public static int getInt(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 4, Kasan.READ);
        }
        return UnsafeApi.getInt(addr + DELTA);
    }

    /** Plain write of a int. */
    public static void putInt(long addr, int value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 4, Kasan.WRITE);
        }
        UnsafeApi.putInt(addr + DELTA, value);
    }

    /** Plain read of a long (8 bytes). */
    public static long getLong(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 8, Kasan.READ);
        }
        return UnsafeApi.getLong(addr + DELTA);
    }

    /** Plain write of a long. */
    public static void putLong(long addr, long value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 8, Kasan.WRITE);
        }
        UnsafeApi.putLong(addr + DELTA, value);
    }

    /** Acquire read of a byte: later accesses are not reordered before it. */
    public static byte getByteAcquire(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 1, Kasan.ORDERED_READ);
        }
        return UnsafeApi.getByteAcquire(null, addr + DELTA);
    }

    /** Volatile read of a byte: later accesses are not reordered before it. */
    public static byte getByteVolatile(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 1, Kasan.ORDERED_READ);
        }
        return UnsafeApi.getByteVolatile(null, addr + DELTA);
    }

    /** Release write of a byte: earlier accesses are not reordered after it. */
    public static void putByteRelease(long addr, byte value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 1, Kasan.ORDERED_WRITE);
        }
        UnsafeApi.putByteRelease(null, addr + DELTA, value);
    }

    /** Volatile write of a byte: earlier accesses are not reordered after it. */
    public static void putByteVolatile(long addr, byte value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 1, Kasan.ORDERED_WRITE);
        }
        UnsafeApi.putByteVolatile(null, addr + DELTA, value);
    }

    /** Acquire read of a short: later accesses are not reordered before it. */
    public static short getShortAcquire(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 2, Kasan.ORDERED_READ);
        }
        return UnsafeApi.getShortAcquire(null, addr + DELTA);
    }

    /** Volatile read of a short: later accesses are not reordered before it. */
    public static short getShortVolatile(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 2, Kasan.ORDERED_READ);
        }
        return UnsafeApi.getShortVolatile(null, addr + DELTA);
    }

    /** Release write of a short: earlier accesses are not reordered after it. */
    public static void putShortRelease(long addr, short value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 2, Kasan.ORDERED_WRITE);
        }
        UnsafeApi.putShortRelease(null, addr + DELTA, value);
    }

    /** Volatile write of a short: earlier accesses are not reordered after it. */
    public static void putShortVolatile(long addr, short value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 2, Kasan.ORDERED_WRITE);
        }
        UnsafeApi.putShortVolatile(null, addr + DELTA, value);
    }

    /** Acquire read of a int: later accesses are not reordered before it. */
    public static int getIntAcquire(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 4, Kasan.ORDERED_READ);
        }
        return UnsafeApi.getIntAcquire(null, addr + DELTA);
    }

    /** Volatile read of a int: later accesses are not reordered before it. */
    public static int getIntVolatile(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 4, Kasan.ORDERED_READ);
        }
        return UnsafeApi.getIntVolatile(null, addr + DELTA);
    }

    /** Release write of a int: earlier accesses are not reordered after it. */
    public static void putIntRelease(long addr, int value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 4, Kasan.ORDERED_WRITE);
        }
        UnsafeApi.putIntRelease(null, addr + DELTA, value);
    }

    /** Volatile write of a int: earlier accesses are not reordered after it. */
    public static void putIntVolatile(long addr, int value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 4, Kasan.ORDERED_WRITE);
        }
        UnsafeApi.putIntVolatile(null, addr + DELTA, value);
    }

    /** Acquire read of a long: later accesses are not reordered before it. */
    public static long getLongAcquire(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 8, Kasan.ORDERED_READ);
        }
        return UnsafeApi.getLongAcquire(null, addr + DELTA);
    }

    /** Volatile read of a long: later accesses are not reordered before it. */
    public static long getLongVolatile(long addr) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 8, Kasan.ORDERED_READ);
        }
        return UnsafeApi.getLongVolatile(null, addr + DELTA);
    }

    /** Release write of a long: earlier accesses are not reordered after it. */
    public static void putLongRelease(long addr, long value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 8, Kasan.ORDERED_WRITE);
        }
        UnsafeApi.putLongRelease(null, addr + DELTA, value);
    }

    /** Volatile write of a long: earlier accesses are not reordered after it. */
    public static void putLongVolatile(long addr, long value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 8, Kasan.ORDERED_WRITE);
        }
        UnsafeApi.putLongVolatile(null, addr + DELTA, value);
    }

    /** cmpxchg: sets the int to {@code update} if it holds {@code expected}; true on success. Full fence. */
    public static boolean compareAndSetInt(long addr, int expected, int update) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 4, Kasan.RMW);
        }
        return UnsafeApi.compareAndSetInt(null, addr + DELTA, expected, update);
    }

    /** cmpxchg returning the witness value: the int held before (equal to {@code expected} on success). */
    public static int compareAndExchangeInt(long addr, int expected, int update) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 4, Kasan.RMW);
        }
        return UnsafeApi.compareAndExchangeInt(null, addr + DELTA, expected, update);
    }

    /** xchg: stores {@code value} and returns the int held before. Full fence. */
    public static int getAndSetInt(long addr, int value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 4, Kasan.RMW);
        }
        return UnsafeApi.getAndSetInt(null, addr + DELTA, value);
    }

    /** Atomic add (lock xadd): adds {@code delta} and returns the int held before. Full fence. */
    public static int getAndAddInt(long addr, int delta) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 4, Kasan.RMW);
        }
        return UnsafeApi.getAndAddInt(null, addr + DELTA, delta);
    }

    /** cmpxchg: sets the long to {@code update} if it holds {@code expected}; true on success. Full fence. */
    public static boolean compareAndSetLong(long addr, long expected, long update) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 8, Kasan.RMW);
        }
        return UnsafeApi.compareAndSetLong(null, addr + DELTA, expected, update);
    }

    /** cmpxchg returning the witness value: the long held before (equal to {@code expected} on success). */
    public static long compareAndExchangeLong(long addr, long expected, long update) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 8, Kasan.RMW);
        }
        return UnsafeApi.compareAndExchangeLong(null, addr + DELTA, expected, update);
    }

    /** xchg: stores {@code value} and returns the long held before. Full fence. */
    public static long getAndSetLong(long addr, long value) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 8, Kasan.RMW);
        }
        return UnsafeApi.getAndSetLong(null, addr + DELTA, value);
    }

    /** Atomic add (lock xadd): adds {@code delta} and returns the long held before. Full fence. */
    public static long getAndAddLong(long addr, long delta) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, 8, Kasan.RMW);
        }
        return UnsafeApi.getAndAddLong(null, addr + DELTA, delta);
    }

    /**
     * Plain read of a long that skips the shadow check: the model of the kernel's
     * copy_from_kernel_nofault, for lock-free allocator code that reads a free pointer of an
     * object another CPU may have freed (and its slab released) meanwhile. Such a stale value is
     * always discarded by the compare-and-set that follows; only the read itself must not trap.
     * Addresses outside RAM still raise in checked mode.
     */
    public static long getLongNofault(long addr) {
        if (Kasan.ENABLED && (!Ram.inDirectMap(addr) || !Ram.inDirectMap(addr + 7))) {
            Kasan.check(addr, 8, Kasan.READ);
        }
        return UnsafeApi.getLongVolatile(null, addr + DELTA);
    }

    /**
     * Copies {@code len} bytes of RAM at {@code src} into {@code dst} without the shadow check
     * (copy_from_kernel_nofault): for a dump of the machine's memory, which reads free and
     * poisoned memory as it is. The range must lie in RAM; in checked mode one outside raises.
     */
    public static void copyToArrayNofault(long src, byte[] dst, int off, int len) {
        if (Kasan.ENABLED && (!Ram.inDirectMap(src) || !Ram.inDirectMap(src + len - 1))) {
            Kasan.check(src, len, Kasan.READ);
        }
        UnsafeApi.copyMemory(null, src + DELTA, dst, BYTE_ARRAY_BASE + off, len);
    }

    /**
     * Plain write of a long that skips the shadow check (copy_to_kernel_nofault): for allocator
     * metadata kept in poisoned memory, such as a slab object's free pointer, which checked mode
     * must report when anyone but the allocator touches it. Addresses outside RAM still raise.
     */
    public static void putLongNofault(long addr, long value) {
        if (Kasan.ENABLED && (!Ram.inDirectMap(addr) || !Ram.inDirectMap(addr + 7))) {
            Kasan.check(addr, 8, Kasan.WRITE);
        }
        UnsafeApi.putLong(addr + DELTA, value);
    }

    /**
     * memcpy: copies {@code bytes} from {@code src} to {@code dst}. The ranges must not overlap
     * (use {@link #move} when they may).
     */
    public static void copy(long src, long dst, long bytes) {
        if (Kasan.ENABLED) {
            Kasan.check(src, bytes, Kasan.READ);
            Kasan.check(dst, bytes, Kasan.WRITE);
        }
        UnsafeApi.copyMemory(src + DELTA, dst + DELTA, bytes);
    }

    /** Offset of a byte[]'s first element, for copies between modeled memory and the Java heap. */
    private static final long BYTE_ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    /**
     * Copies {@code len} bytes of modeled memory at {@code src} into {@code dst[off..off+len)}:
     * how a caller on the Java heap reads modeled memory (a kernel buffer, a user page).
     *
     * @throws IndexOutOfBoundsException when the array range is out of bounds
     */
    public static void copyToArray(long src, byte[] dst, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        if (Kasan.ENABLED) {
            Kasan.check(src, len, Kasan.READ);
        }
        UnsafeApi.copyMemory(null, src + DELTA, dst, BYTE_ARRAY_BASE + off, len);
    }

    /**
     * Copies {@code src[off..off+len)} into modeled memory at {@code dst}.
     *
     * @throws IndexOutOfBoundsException when the array range is out of bounds
     */
    public static void copyFromArray(byte[] src, int off, long dst, int len) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        if (Kasan.ENABLED) {
            Kasan.check(dst, len, Kasan.WRITE);
        }
        UnsafeApi.copyMemory(src, BYTE_ARRAY_BASE + off, null, dst + DELTA, len);
    }

    /** memmove: copies {@code bytes} from {@code src} to {@code dst}; the ranges may overlap. */
    public static void move(long src, long dst, long bytes) {
        // Unsafe.copyMemory is memmove-safe for overlapping native ranges.
        copy(src, dst, bytes);
    }

    /** memset: fills {@code bytes} at {@code addr} with {@code value}. */
    public static void set(long addr, long bytes, byte value) {
        if (value == 0) {
            zero(addr, bytes);
            return;
        }
        if (Kasan.ENABLED) {
            Kasan.check(addr, bytes, Kasan.WRITE);
        }
        UnsafeApi.setMemory(addr + DELTA, bytes, value);
    }

    /**
     * Zeroes {@code bytes} at {@code addr} by copying from a block of zeroes, which runs at
     * memset speed where Unsafe.setMemory does not (JDK 17: about 2.6x slower for 16 KiB).
     */
    public static void zero(long addr, long bytes) {
        if (Kasan.ENABLED) {
            Kasan.check(addr, bytes, Kasan.WRITE);
        }
        long host = addr + DELTA;
        long left = bytes;
        while (left > 0) {
            final long chunk = Math.min(left, ZERO_BLOCK);
            UnsafeApi.copyMemory(ZERO_HOST, host, chunk);
            host += chunk;
            left -= chunk;
        }
    }

    /**
     * The host address behind a modeled direct-map address. For diagnostics and for benchmark
     * baselines that measure a raw read at the same place; kfork code never needs it.
     */
    public static long toHost(long addr) {
        return addr + DELTA;
    }

    // ---------------------------------------------------------------------------------------
    // Host-side memory of the machine model itself (the RAM reservation, the KASAN shadow).
    // These take host addresses and are not checked; they stay package-private.
    // ---------------------------------------------------------------------------------------

    /** Reserves {@code bytes} of host memory, committed lazily by the OS. */
    static long reserveHost(long bytes) {
        return UnsafeApi.allocateMemory(bytes);
    }

    static void hostSet(long host, long bytes, byte value) {
        UnsafeApi.setMemory(host, bytes, value);
    }

    static byte hostGetByte(long host) {
        return UnsafeApi.getByte(host);
    }

    static void hostPutByte(long host, byte value) {
        UnsafeApi.putByte(host, value);
    }

    /**
     * The host address of physical offset 0: a page-aligned anonymous reservation of
     * {@link Ram#CAPACITY} bytes, or the mapping of the RAM file when {@code kfork.ram.file} names one.
     */
    private static long reserveRam() {
        final String file = System.getProperty(RamFile.PROPERTY, "");
        if (!file.isEmpty()) {
            return RamFile.map(file, Ram.CAPACITY);
        }
        return Abi.alignUp(UnsafeApi.allocateMemory(Ram.CAPACITY + Abi.PAGE_SIZE), Abi.PAGE_SIZE);
    }

    /** The file that holds RAM ({@code -Dkfork.ram.file}), or null when RAM is anonymous memory. */
    public static java.io.File ramFile() {
        return System.getProperty(RamFile.PROPERTY, "").isEmpty() ? null : RamFile.file();
    }

    /**
     * Writes RAM's dirty pages to the RAM file (msync), so that the file is a consistent image of
     * memory as it is now; nothing to do when RAM is anonymous memory.
     */
    public static void syncRamFile() {
        if (ramFile() != null) {
            RamFile.sync();
        }
    }

    private static long reserveZeroBlock() {
        // Page aligned, so that the copy's vector loads never straddle a cache line.
        final long host = Abi.alignUp(UnsafeApi.allocateMemory(ZERO_BLOCK + Abi.PAGE_SIZE), Abi.PAGE_SIZE);
        UnsafeApi.setMemory(host, ZERO_BLOCK, (byte) 0);
        return host;
    }
}
