package org.kfork.machine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * A modeled 64-bit machine: a window of {@link Ram}, the page allocator over it, and the
 * subsystems built on top (slab caches, per-CPU areas, the kernel), which register their
 * accounting and their teardown here.
 *
 * <pre>{@code
 * try (Machine m = Machine.create()) {            // 1 GiB of RAM
 *     long page = m.pages().allocPage();          // a direct-map address, or 0 when out of RAM
 *     Mem.putLong(page, 42);
 *     m.pages().freePage(page);
 * }
 * }</pre>
 *
 * <p>A machine's addresses are deterministic: the same sequence of machine creations and
 * operations gives the same addresses in every run.
 */
public final class Machine implements AutoCloseable {
    /** The default RAM of a machine: 1 GiB. */
    public static final long DEFAULT_RAM = 1L << 30;

    private final long physStart;
    private final long ramBytes;
    private final int nrCpus;
    private final PageAllocator pages;
    private final Map<String, LongSupplier> accounting = new LinkedHashMap<>();
    private final Deque<AutoCloseable> teardown = new ArrayDeque<>();
    private boolean closed;

    private Machine(long ramBytes, int nrCpus) {
        if (ramBytes < Abi.PAGE_SIZE) {
            throw new IllegalArgumentException("RAM must be at least one page: " + ramBytes);
        }
        if (nrCpus < 1 || nrCpus > Abi.NR_CPUS) {
            throw new IllegalArgumentException("nr_cpus must be 1.." + Abi.NR_CPUS + ": " + nrCpus);
        }
        this.ramBytes = Abi.alignUp(ramBytes, Abi.PAGE_SIZE);
        this.nrCpus = nrCpus;
        this.physStart = Ram.reserveWindow(this.ramBytes);
        this.pages = new PageAllocator(physStart, this.ramBytes, nrCpus);
        registerAccounting("pages.free", pages::nrFreePages);
        for (int o = 0; o < Abi.MAX_ORDER; o++) {
            final int order = o;
            registerAccounting("pages.free.order" + o, () -> pages.nrFree(order));
        }
    }

    /** A machine with 1 GiB of RAM and the default number of CPUs. */
    public static Machine create() {
        return new Builder().build();
    }

    /** A machine with {@code ramBytes} of RAM and the default number of CPUs. */
    public static Machine create(long ramBytes) {
        return new Builder().ram(ramBytes).build();
    }

    /** A builder for RAM size and CPU count. */
    public static Builder builder() {
        return new Builder();
    }

    /** The page allocator over this machine's RAM. */
    public PageAllocator pages() {
        return pages;
    }

    /** The bytes of RAM. */
    public long ramBytes() {
        return ramBytes;
    }

    /** nr_cpu_ids: the number of modeled CPUs. */
    public int nrCpus() {
        return nrCpus;
    }

    /** The direct-map address of the first byte of this machine's RAM. */
    public long ramStart() {
        return Ram.physToVirt(physStart);
    }

    /**
     * Registers a named counter that must come back to its value after each test (free pages,
     * a slab cache's active objects...). The leak check compares snapshots of all of them.
     */
    public synchronized void registerAccounting(String name, LongSupplier counter) {
        if (accounting.putIfAbsent(name, counter) != null) {
            throw new IllegalArgumentException("accounting counter already registered: " + name);
        }
    }

    /** Removes a counter, when its subsystem is destroyed. */
    public synchronized void unregisterAccounting(String name) {
        accounting.remove(name);
    }

    /** The current value of every registered counter, by name. */
    public synchronized Map<String, Long> snapshot() {
        final Map<String, Long> snap = new TreeMap<>();
        accounting.forEach((name, counter) -> snap.put(name, counter.getAsLong()));
        return snap;
    }

    /** Registers a subsystem to be closed, in reverse order of registration, by {@link #close}. */
    public synchronized void onClose(AutoCloseable subsystem) {
        teardown.push(subsystem);
    }

    /** True once {@link #close} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Tears down the subsystems and releases the RAM window. Idempotent. Memory of a closed
     * machine must not be used again; in checked mode any access to it raises.
     */
    @Override
    public void close() {
        final Deque<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayDeque<>(teardown);
            teardown.clear();
        }
        RuntimeException failure = null;
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("machine teardown failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        Ram.releaseWindow(physStart, ramBytes);
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "Machine[ram=" + ramBytes + " bytes at 0x" + Long.toHexString(ramStart()) + ", cpus=" + nrCpus + "]";
    }

    /** Builds a {@link Machine}. */
    public static final class Builder {
        private long ram = DEFAULT_RAM;
        private int cpus = Math.min(Runtime.getRuntime().availableProcessors(), Abi.NR_CPUS);

        private Builder() {
        }

        /** The RAM size in bytes (rounded up to a page). */
        public Builder ram(long bytes) {
            this.ram = bytes;
            return this;
        }

        /** The number of modeled CPUs, 1 to {@link Abi#NR_CPUS}. */
        public Builder cpus(int n) {
            this.cpus = n;
            return this;
        }

        /** Creates the machine. */
        public Machine build() {
            return new Machine(ram, cpus);
        }
    }
}
