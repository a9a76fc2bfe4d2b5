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
 *
 * <h2>Checked-mode options</h2>
 * Two builder options shape what checked mode ({@link Kasan}) catches in the slab caches:
 * {@link Builder#kasanRedzones} (off by default) puts KASAN's redzones after every object of every
 * cache, and {@link Builder#kasanQuarantine} bounds the quarantine in which freed objects wait
 * before they are reused (on by default in checked mode, at KASAN's 1/32 of RAM).
 *
 * <h2>Closing</h2>
 * {@link #close()} tears down the subsystems and gives the RAM window back, for the next machine
 * to reuse. From then on every entry point of this machine's objects (its page allocator, per-CPU
 * areas, slab caches...) throws {@link IllegalStateException}: each use of a window has its own
 * generation ({@link RamWindow}), and a closed generation's objects fail against it.
 */
public final class Machine implements AutoCloseable {
    /** The default RAM of a machine: 1 GiB. */
    public static final long DEFAULT_RAM = 1L << 30;

    /** KASAN's QUARANTINE_FRACTION: the quarantine may hold this fraction of RAM. */
    public static final int QUARANTINE_FRACTION = 32;

    private final RamWindow window;
    private final long physStart;
    private final long ramBytes;
    private final int nrCpus;
    private final boolean kasanRedzones;
    private final long kasanQuarantine;
    private final PageAllocator pages;
    private final Map<String, LongSupplier> accounting = new LinkedHashMap<>();
    private final Deque<AutoCloseable> teardown = new ArrayDeque<>();
    private boolean closed;

    private Machine(long ramBytes, int nrCpus, boolean kasanRedzones, long kasanQuarantine) {
        if (ramBytes < Abi.PAGE_SIZE) {
            throw new IllegalArgumentException("RAM must be at least one page: " + ramBytes);
        }
        if (nrCpus < 1 || nrCpus > Abi.NR_CPUS) {
            throw new IllegalArgumentException("nr_cpus must be 1.." + Abi.NR_CPUS + ": " + nrCpus);
        }
        this.ramBytes = Abi.alignUp(ramBytes, Abi.PAGE_SIZE);
        this.nrCpus = nrCpus;
        this.kasanRedzones = kasanRedzones;
        this.kasanQuarantine = !Kasan.ENABLED ? 0
            : kasanQuarantine < 0 ? this.ramBytes / QUARANTINE_FRACTION : kasanQuarantine;
        this.window = Ram.reserveWindow(this.ramBytes);
        this.physStart = window.physStart();
        this.pages = new PageAllocator(window, this.ramBytes, nrCpus);
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

    /** The use of a RAM window this machine holds; its objects check it to fail once it is closed. */
    public RamWindow window() {
        return window;
    }

    /** This machine's generation: a number no other machine of this JVM has. */
    public long generation() {
        return window.generation();
    }

    /**
     * Throws {@link IllegalStateException} when this machine has closed. Subsystems built on the
     * machine call it at their entry points.
     *
     * @param op the operation attempted, for the message
     */
    public void checkOpen(String op) {
        window.checkLive(op);
    }

    /** Whether slab caches get KASAN redzones after every object ({@link Builder#kasanRedzones}). */
    public boolean kasanRedzones() {
        return kasanRedzones;
    }

    /**
     * The bytes of freed slab objects the quarantine holds before the oldest are reused; 0 when
     * there is no quarantine (always, when checked mode is off).
     */
    public long kasanQuarantine() {
        return kasanQuarantine;
    }

    /**
     * Registers a named counter that must come back to its value after each test (free pages,
     * a slab cache's active objects...). The leak check compares snapshots of all of them.
     */
    public synchronized void registerAccounting(String name, LongSupplier counter) {
        checkOpen("registerAccounting(" + name + ")");
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
        checkOpen("snapshot");
        final Map<String, Long> snap = new TreeMap<>();
        accounting.forEach((name, counter) -> snap.put(name, counter.getAsLong()));
        return snap;
    }

    /** Registers a subsystem to be closed, in reverse order of registration, by {@link #close}. */
    public synchronized void onClose(AutoCloseable subsystem) {
        if (closed) {
            throw window.isReleased() ? window.closed("onClose")
                : new IllegalStateException("onClose: the machine is closing");
        }
        teardown.push(subsystem);
    }

    /** True once {@link #close} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Tears down the subsystems and releases the RAM window. Idempotent. From then on every entry
     * point of the machine's objects throws {@link IllegalStateException}, in both modes. Raw
     * memory of a closed machine must not be used again either: in checked mode an access to a
     * window no machine holds raises, but once another machine holds it, only its own shadow
     * speaks.
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
        Ram.releaseWindow(window);
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "Machine[generation " + window.generation() + ", ram=" + ramBytes + " bytes at 0x"
            + Long.toHexString(ramStart()) + ", cpus=" + nrCpus + (kasanRedzones ? ", KASAN redzones" : "")
            + (window.isReleased() ? ", closed" : "") + "]";
    }

    /** Builds a {@link Machine}. */
    public static final class Builder {
        private long ram = DEFAULT_RAM;
        private int cpus = Math.min(Runtime.getRuntime().availableProcessors(), Abi.NR_CPUS);
        private boolean kasanRedzones;
        private long kasanQuarantine = -1;

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

        /**
         * KASAN redzones (off by default): every slab cache puts generic KASAN's metadata and
         * redzone after each object (kasan_cache_create of 5.12: at least 16 bytes, growing with the
         * object size), so its stride is larger, fewer objects fit in a slab, and the cache's flags
         * show SLAB_KASAN. In checked mode an access that runs off the end of an object into the
         * redzone is caught even when the next object is allocated. Without checked mode the
         * redzones are plain padding.
         */
        public Builder kasanRedzones(boolean on) {
            this.kasanRedzones = on;
            return this;
        }

        /**
         * The quarantine's bound in bytes of freed slab objects (each counted at its cache's
         * stride, as KASAN counts them). By default {@code ram / }{@value #QUARANTINE_FRACTION}; 0
         * turns the quarantine off, so that a freed object is reused at once as without KASAN.
         * Has no effect when checked mode is off.
         */
        public Builder kasanQuarantine(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("quarantine bytes must be >= 0: " + bytes);
            }
            this.kasanQuarantine = bytes;
            return this;
        }

        /** Creates the machine. */
        public Machine build() {
            return new Machine(ram, cpus, kasanRedzones, kasanQuarantine);
        }
    }
}
