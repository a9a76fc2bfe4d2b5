package org.kfork.machine;

import java.util.Map;
import java.util.TreeMap;

/**
 * The physical RAM of the modeled machines: one off-heap region per JVM, reserved once and
 * committed lazily by the host OS (pages are touched only when used).
 *
 * <p>Each {@link Machine} takes a window of it, so that several machines can live in one JVM
 * (tests create many). Physical offsets are global to the region: the direct-map address of
 * physical offset {@code p} is {@code PAGE_OFFSET + p} in every machine, and the host address is
 * that plus one constant (see {@link Mem}). Windows are handed out first-fit from the bottom, so the
 * same sequence of operations gives the same addresses in every run.
 *
 * <p>The region's size is set with {@code -Dkfork.ram.capacity=SIZE} (for example {@code 8g}); it
 * bounds the sum of the RAM of the machines alive at one time. It is address space only: the OS
 * commits a page when it is first touched.
 *
 * <p>Each use of a window is a {@link RamWindow} with its own generation, so that the objects of
 * a closed machine can tell that the range they were built on now serves another machine.
 */
public final class Ram {
    /** Windows start and end on a MAX_ORDER block, so buddy blocks are naturally aligned. */
    public static final long WINDOW_ALIGN = (long) Abi.PAGE_SIZE << (Abi.MAX_ORDER - 1);

    /** The bytes of physical address space reserved for all machines of this JVM. */
    public static final long CAPACITY = Abi.alignUp(parseSize(System.getProperty("kfork.ram.capacity", "4g")),
        WINDOW_ALIGN);

    /** Free physical ranges: start -> length. Guarded by the class lock. */
    private static final TreeMap<Long, Long> FREE = new TreeMap<>(Map.of(0L, CAPACITY));
    /** Windows in use: start -> window. Guarded by the class lock. */
    private static final TreeMap<Long, RamWindow> LIVE = new TreeMap<>();
    /** The generation of the last window handed out. Guarded by the class lock. */
    private static long lastGeneration;

    private Ram() {
    }

    /** __va: the direct-map address of a physical offset. */
    public static long physToVirt(long phys) {
        return Abi.PAGE_OFFSET + phys;
    }

    /** __pa: the physical offset of a direct-map address. */
    public static long virtToPhys(long addr) {
        return addr - Abi.PAGE_OFFSET;
    }

    /** True when {@code addr} lies in the direct map of the reserved RAM. */
    public static boolean inDirectMap(long addr) {
        return addr - Abi.PAGE_OFFSET >= 0 && addr - Abi.PAGE_OFFSET < CAPACITY
            && Long.compareUnsigned(addr, Abi.PAGE_OFFSET) >= 0;
    }

    /**
     * Reserves a window of {@code bytes} (rounded up to {@link #WINDOW_ALIGN}) under a new
     * generation.
     *
     * @throws IllegalStateException when the reserved region has no such free window; raise
     *                               {@code -Dkfork.ram.capacity}
     */
    static synchronized RamWindow reserveWindow(long bytes) {
        final long size = Abi.alignUp(bytes, WINDOW_ALIGN);
        for (Map.Entry<Long, Long> e : FREE.entrySet()) {
            if (e.getValue() >= size) {
                final long start = e.getKey();
                FREE.remove(start);
                if (e.getValue() > size) {
                    FREE.put(start + size, e.getValue() - size);
                }
                Kasan.resetShadow(physToVirt(start), size);
                final RamWindow w = new RamWindow(start, size, ++lastGeneration);
                LIVE.put(start, w);
                return w;
            }
        }
        throw new IllegalStateException("no free window of " + size + " bytes in the " + CAPACITY
            + "-byte RAM region; raise -Dkfork.ram.capacity");
    }

    /**
     * Ends a window's use: its objects fail from now on, and the range goes back to the free
     * ranges, merging with its neighbours.
     */
    static synchronized void releaseWindow(RamWindow w) {
        if (LIVE.remove(w.physStart()) != w) {
            throw new IllegalStateException("not a live window: " + w);
        }
        w.release();
        long s = w.physStart();
        long size = w.bytes();
        Kasan.resetShadow(physToVirt(s), size);
        final Map.Entry<Long, Long> below = FREE.floorEntry(s);
        if (below != null && below.getKey() + below.getValue() == s) {
            s = below.getKey();
            size += below.getValue();
            FREE.remove(below.getKey());
        }
        final Long aboveLen = FREE.remove(s + size);
        if (aboveLen != null) {
            size += aboveLen;
        }
        FREE.put(s, size);
    }

    /** The generation of the window in use at physical offset {@code phys}, or 0 when it is free. */
    static synchronized long generationAt(long phys) {
        final Map.Entry<Long, RamWindow> e = LIVE.floorEntry(phys);
        return e != null && phys - e.getKey() < e.getValue().bytes() ? e.getValue().generation() : 0;
    }

    /** Parses sizes such as {@code 1073741824}, {@code 512m}, {@code 1g}. */
    public static long parseSize(String text) {
        final String t = text.trim().toLowerCase();
        final char unit = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        final long mult;
        switch (unit) {
            case 'k': mult = 1L << 10; break;
            case 'm': mult = 1L << 20; break;
            case 'g': mult = 1L << 30; break;
            case 't': mult = 1L << 40; break;
            default: mult = 1;
        }
        final String digits = mult == 1 ? t : t.substring(0, t.length() - 1);
        try {
            final long v = Long.parseLong(digits);
            if (v <= 0) {
                throw new IllegalArgumentException("size must be positive: " + text);
            }
            return Math.multiplyExact(v, mult);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + text + "' (use e.g. 1g, 512m, 4096)", e);
        }
    }
}
