package org.kfork.machine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Checked mode, in the manner of the kernel's generic KASAN.
 *
 * <p>{@link #ENABLED} is a {@code static final} read from {@code -Dkfork.checked=true}: tests turn
 * it on, benchmarks leave it off, and when it is off every check folds away.
 *
 * <p>When on, one shadow byte describes each 8-byte granule of RAM:
 * <pre>
 *   0x00        never handed out by an allocator (the state of a fresh window)
 *   0x01..0x07  only the first k bytes of the granule are accessible
 *   0x08        all 8 bytes are accessible
 *   0xF0..0xFF  poisoned; the value says why (free page, freed object, redzone...)
 * </pre>
 * Allocators {@link #unpoison} what they hand out and {@link #poison} what they take back. Every
 * access through {@link Mem} is checked against the shadow; a bad one raises
 * {@link BadAccessException} before it touches memory, so a bug never crashes the JVM.
 */
public final class Kasan {
    /** Checked mode: {@code -Dkfork.checked=true}. */
    public static final boolean ENABLED = Boolean.getBoolean("kfork.checked");

    /** Shadow: never allocated. */
    public static final byte UNALLOCATED = 0x00;
    /** Shadow: fully accessible granule. */
    public static final byte ACCESSIBLE = 0x08;
    /** Shadow: a page on the buddy allocator's free lists. */
    public static final byte PAGE_FREE = (byte) 0xFF;
    /** Shadow: the unused tail of a slab, or padding between objects. */
    public static final byte SLAB_REDZONE = (byte) 0xFC;
    /** Shadow: a freed slab object. */
    public static final byte SLAB_FREE = (byte) 0xFB;
    /** Shadow: a slab object not yet handed out. */
    public static final byte SLAB_UNUSED = (byte) 0xFA;
    /** Shadow: a freed vmalloc area (a thread stack). */
    public static final byte VMALLOC_FREE = (byte) 0xF8;

    /** Access kind: plain read. */
    public static final int READ = 0;
    /** Access kind: plain write. */
    public static final int WRITE = 1;
    /** Access kind: ordered read (acquire or volatile); must be naturally aligned. */
    public static final int ORDERED_READ = 2;
    /** Access kind: ordered write (release or volatile); must be naturally aligned. */
    public static final int ORDERED_WRITE = 3;
    /** Access kind: atomic read-modify-write (CAS, xchg, add); must be naturally aligned. */
    public static final int RMW = 4;

    private static final String[] KIND_NAMES = {"read", "write", "ordered read", "ordered write", "atomic rmw"};

    private static final int GRANULE_SHIFT = 3;

    /** Host address of the shadow byte of physical offset 0; 0 when checked mode is off. */
    private static final long SHADOW_BASE = ENABLED ? Mem.reserveHost(Ram.CAPACITY >>> GRANULE_SHIFT) : 0;

    /**
     * Names what lies at an address, for reports: "object 0x... of cache vm_area_struct, offset
     * 80". Allocators register one; the first non-null answer wins.
     */
    @FunctionalInterface
    public interface Describer {
        /** A description of {@code addr}, or null when this describer does not own it. */
        String describe(long addr);
    }

    private static final List<Describer> DESCRIBERS = new CopyOnWriteArrayList<>();

    private Kasan() {
    }

    /** Registers a describer used in reports. */
    public static void addDescriber(Describer d) {
        DESCRIBERS.add(d);
    }

    /** Removes a describer (when its allocator goes away). */
    public static void removeDescriber(Describer d) {
        DESCRIBERS.remove(d);
    }

    /**
     * Marks {@code [addr, addr + size)} accessible. {@code addr} must be 8-byte aligned; a size
     * that is not a multiple of 8 leaves the last granule partly accessible.
     */
    public static void unpoison(long addr, long size) {
        if (!ENABLED || size <= 0) {
            return;
        }
        requireGranuleAligned(addr);
        final long full = size >>> GRANULE_SHIFT;
        final long shadow = shadowAddress(addr);
        Mem.hostSet(shadow, full, ACCESSIBLE);
        final int tail = (int) (size & 7);
        if (tail != 0) {
            Mem.hostPutByte(shadow + full, (byte) tail);
        }
    }

    /**
     * Marks {@code [addr, addr + size)}, rounded up to whole granules, poisoned with
     * {@code code}. {@code addr} must be 8-byte aligned.
     */
    public static void poison(long addr, long size, byte code) {
        if (!ENABLED || size <= 0) {
            return;
        }
        requireGranuleAligned(addr);
        Mem.hostSet(shadowAddress(addr), (size + 7) >>> GRANULE_SHIFT, code);
    }

    /** The shadow byte of the granule holding {@code addr} (checked mode only; 0 otherwise). */
    public static byte shadow(long addr) {
        if (!ENABLED || !Ram.inDirectMap(addr)) {
            return UNALLOCATED;
        }
        return Mem.hostGetByte(shadowAddress(addr));
    }

    /** True when every byte of {@code [addr, addr + size)} may be accessed (always, when off). */
    public static boolean isAccessible(long addr, long size) {
        if (!ENABLED) {
            return true;
        }
        return firstBadGranule(addr, size) == 0;
    }

    /** Resets a fresh or released window's shadow to {@link #UNALLOCATED}. */
    static void resetShadow(long addr, long size) {
        if (ENABLED) {
            Mem.hostSet(shadowAddress(addr), size >>> GRANULE_SHIFT, UNALLOCATED);
        }
    }

    /**
     * Checks one access; called by {@link Mem} only when {@link #ENABLED}.
     *
     * @throws BadAccessException when the access is outside RAM, touches memory that is not
     *                            accessible, or is a misaligned ordered or atomic access
     */
    static void check(long addr, long size, int kind) {
        if (size <= 0) {
            return;
        }
        if (!Ram.inDirectMap(addr) || !Ram.inDirectMap(addr + size - 1)) {
            throw report("wild-memory-access", addr, size, kind,
                "outside the RAM's direct map [0x" + Long.toHexString(Abi.PAGE_OFFSET) + ", 0x"
                    + Long.toHexString(Abi.PAGE_OFFSET + Ram.CAPACITY) + ")"
                    + (Long.compareUnsigned(addr, Abi.VMALLOC_START) >= 0
                    ? "; vmalloc addresses are reached through their page table, not the direct map" : ""));
        }
        if (kind >= ORDERED_READ && (addr & (size - 1)) != 0) {
            throw report("misaligned-access", addr, size, kind,
                "an ordered or atomic access of size " + size + " must be " + size + "-byte aligned");
        }
        final long bad = firstBadGranule(addr, size);
        if (bad != 0) {
            final byte s = Mem.hostGetByte(shadowAddress(bad));
            throw report(bugFor(s), addr, size, kind, "shadow byte 0x" + hex2(s) + " at granule 0x"
                + Long.toHexString(bad));
        }
    }

    /**
     * The modeled address of the first granule in the range that is not accessible, or 0 when all
     * are (0 is never a direct-map address; kernel addresses are negative as Java longs).
     */
    private static long firstBadGranule(long addr, long size) {
        final long end = addr + size - 1;
        for (long g = addr & ~7L; Long.compareUnsigned(g, end) <= 0; g += 8) {
            final byte s = Mem.hostGetByte(shadowAddress(g));
            if (s == ACCESSIBLE) {
                continue;
            }
            if (s >= 1 && s <= 7) {
                final long lastInGranule = Long.compareUnsigned(end, g + 7) < 0 ? end - g : 7;
                if (lastInGranule < s) {
                    continue;
                }
            }
            return g;
        }
        return 0;
    }

    private static String bugFor(byte s) {
        switch (s) {
            case UNALLOCATED: return "use-of-unallocated-memory";
            case PAGE_FREE: return "use-after-free-page";
            case SLAB_FREE: return "use-after-free";
            case VMALLOC_FREE: return "use-after-vfree";
            default: return "out-of-bounds";
        }
    }

    private static BadAccessException report(String bug, long addr, long size, int kind, String detail) {
        final StringBuilder sb = new StringBuilder(160)
            .append("BUG: KASAN: ").append(bug).append(": ").append(KIND_NAMES[kind])
            .append(" of size ").append(size).append(" at addr 0x").append(Long.toHexString(addr))
            .append(" (").append(detail).append(')');
        final String what = describe(addr);
        if (what != null) {
            sb.append("; ").append(what);
        }
        return new BadAccessException(bug, addr, size, sb.toString());
    }

    /** What the registered describers say about {@code addr}, or null. */
    public static String describe(long addr) {
        for (Describer d : DESCRIBERS) {
            final String s = d.describe(addr);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    private static long shadowAddress(long addr) {
        return SHADOW_BASE + ((addr - Abi.PAGE_OFFSET) >>> GRANULE_SHIFT);
    }

    private static void requireGranuleAligned(long addr) {
        if ((addr & 7) != 0 || !Ram.inDirectMap(addr)) {
            throw new IllegalArgumentException("shadow range must start on an 8-byte granule of RAM: 0x"
                + Long.toHexString(addr));
        }
    }

    private static String hex2(byte b) {
        return String.format("%02x", b & 0xff);
    }
}
