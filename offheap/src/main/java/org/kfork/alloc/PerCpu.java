package org.kfork.alloc;

import java.util.Map;
import java.util.TreeMap;
import org.kfork.machine.Abi;
import org.kfork.machine.Mem;
import org.kfork.machine.PageAllocator;
import org.kfork.machine.RamWindow;

/**
 * The per-CPU areas of one machine (mm/percpu.c in miniature), off-heap in the machine's RAM.
 *
 * <pre>
 *   base                         base + UNIT                   base + 2 * UNIT
 *   | CPU 0's unit               | CPU 1's unit                | ...
 *   | var a | var b |  ...       | var a | var b |  ...        |
 *   ^ off(a) is the same in every unit: per_cpu_ptr(a, cpu) = base + cpu * UNIT + off(a)
 * </pre>
 *
 * A per-CPU variable is an offset into the unit (the "__percpu pointer"); its copy for a CPU is at
 * {@code base + cpu * unitSize + offset}. Units are {@value #UNIT_SIZE} bytes apart, so two CPUs'
 * copies of anything are far more than 128 bytes apart and never share or prefetch-pair a cache
 * line. Inside a unit, variables are packed (they belong to one CPU).
 *
 * <p>The this_cpu operations are real atomics on the CPU's copy (LOCK xchg, LOCK cmpxchg, LOCK
 * xadd), not the kernel's interrupt-free local forms: a Java thread can be preempted and another
 * can run on the same modeled CPU, so only an atomic keeps the copy consistent.
 *
 * <p>Once the machine has closed, every operation throws {@link IllegalStateException} (one read
 * of the {@link RamWindow}'s flag), since the units now lie in another machine's RAM.
 * {@link #ptr} only computes an address and is not checked.
 */
public final class PerCpu implements AutoCloseable {
    /** Bytes of each CPU's unit: 8 pages. */
    public static final int UNIT_SIZE = 8 * Abi.PAGE_SIZE;

    private final PageAllocator pages;
    private final RamWindow window;
    private final int nrCpus;
    private final int order;
    private final long base;
    /** Free ranges of the unit: offset -> length, first fit (pcpu_alloc_area in miniature). */
    private final TreeMap<Integer, Integer> free = new TreeMap<>();
    private long usedBytes;

    /**
     * Allocates the first chunk: one unit per possible CPU.
     *
     * @throws IllegalStateException when the machine has no room for it
     */
    public PerCpu(PageAllocator pages, int nrCpus) {
        this.pages = pages;
        this.window = pages.window();
        this.nrCpus = nrCpus;
        int pagesNeeded = nrCpus * (UNIT_SIZE / Abi.PAGE_SIZE);
        this.order = 32 - Integer.numberOfLeadingZeros(pagesNeeded - 1);
        this.base = pages.allocPages(order);
        if (base == Abi.NULL) {
            throw new IllegalStateException("no RAM for the per-CPU areas (" + pagesNeeded + " pages)");
        }
        Mem.zero(base, (long) Abi.PAGE_SIZE << order);
        free.put(0, UNIT_SIZE);
    }

    /** Number of possible CPUs. */
    public int nrCpus() {
        return nrCpus;
    }

    /**
     * alloc_percpu: reserves {@code size} bytes aligned to {@code align} in every CPU's unit,
     * zeroed.
     *
     * @return the variable's offset, or -1 when the units are full
     */
    public synchronized int alloc(int size, int align) {
        window.checkLive("alloc_percpu");
        if (size <= 0 || !Abi.isPowerOfTwo(align)) {
            throw new IllegalArgumentException("size " + size + ", align " + align);
        }
        for (Map.Entry<Integer, Integer> e : free.entrySet()) {
            int start = e.getKey();
            int end = start + e.getValue();
            int off = (int) Abi.alignUp(start, align);
            if (off + size <= end) {
                free.remove(start);
                if (off > start) {
                    free.put(start, off - start);
                }
                if (off + size < end) {
                    free.put(off + size, end - off - size);
                }
                usedBytes += size;
                for (int cpu = 0; cpu < nrCpus; cpu++) {
                    Mem.zero(ptr(cpu, off), size);
                }
                return off;
            }
        }
        return -1;
    }

    /** free_percpu: returns a variable's range in every unit. */
    public synchronized void free(int off, int size) {
        window.checkLive("free_percpu");
        if (off < 0 || off + size > UNIT_SIZE) {
            throw new IllegalArgumentException("bad per-CPU range " + off + "+" + size);
        }
        Map.Entry<Integer, Integer> below = free.floorEntry(off);
        if (below != null && below.getKey() + below.getValue() > off) {
            throw new IllegalStateException("per-CPU range " + off + "+" + size + " is already free");
        }
        usedBytes -= size;
        int start = off;
        int len = size;
        if (below != null && below.getKey() + below.getValue() == off) {
            start = below.getKey();
            len += below.getValue();
            free.remove(start);
        }
        Integer above = free.remove(off + size);
        if (above != null) {
            len += above;
        }
        free.put(start, len);
    }

    /** Bytes of each unit in use (an accounting counter for the leak check). */
    public synchronized long usedBytes() {
        window.checkLive("percpu used bytes");
        return usedBytes;
    }

    /** per_cpu_ptr: the address of {@code cpu}'s copy of the variable at {@code off}. */
    public long ptr(int cpu, int off) {
        return base + (long) cpu * UNIT_SIZE + off;
    }

    /** this_cpu_read of a long (an acquire load: it pairs with the atomics that write it). */
    public long read(int cpu, int off) {
        window.checkLive("this_cpu_read");
        return Mem.getLongAcquire(ptr(cpu, off));
    }

    /** this_cpu_write of a long (a release store). */
    public void write(int cpu, int off, long value) {
        window.checkLive("this_cpu_write");
        Mem.putLongRelease(ptr(cpu, off), value);
    }

    /** this_cpu_add: atomically adds {@code delta} to {@code cpu}'s copy. */
    public void add(int cpu, int off, long delta) {
        window.checkLive("this_cpu_add");
        Mem.getAndAddLong(ptr(cpu, off), delta);
    }

    /** this_cpu_xchg: stores {@code value} in {@code cpu}'s copy, returns the old value. */
    public long xchg(int cpu, int off, long value) {
        window.checkLive("this_cpu_xchg");
        return Mem.getAndSetLong(ptr(cpu, off), value);
    }

    /**
     * this_cpu_cmpxchg: if {@code cpu}'s copy holds {@code expected}, stores {@code update}.
     *
     * @return the value held before (equal to {@code expected} when the store happened)
     */
    public long cmpxchg(int cpu, int off, long expected, long update) {
        window.checkLive("this_cpu_cmpxchg");
        return Mem.compareAndExchangeLong(ptr(cpu, off), expected, update);
    }

    /** The sum of every possible CPU's copy: how per-CPU counters are read (nr_processes). */
    public long sum(int off) {
        window.checkLive("per-CPU sum");
        long s = 0;
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            s += Mem.getLongVolatile(ptr(cpu, off));
        }
        return s;
    }

    /** Releases the units' pages. */
    @Override
    public void close() {
        pages.freePages(base, order); // throws once the machine has closed
    }
}
