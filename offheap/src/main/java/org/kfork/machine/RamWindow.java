package org.kfork.machine;

/**
 * One use of a window of {@link Ram} by one {@link Machine}.
 *
 * <p>The RAM region holds few windows and tests create thousands of machines, so the same physical
 * range serves machine after machine. Each use gets a generation, a serial number that no other use
 * in this JVM shares. A machine's objects (its page allocator, per-CPU areas, slab caches, vmalloc
 * area) keep the window they were built on and check it at their entry points: once the machine
 * has closed and the window is released, every one of them throws {@link IllegalStateException}
 * naming the closed generation and the one that holds the range now, instead of reading or
 * writing the next machine's memory. The check is one read of a field that is written once.
 *
 * <p>A use that happens after {@link Machine#close()} always sees the release; a call racing with
 * the close may not, which is the caller's race (as using memory while it is being freed is).
 */
public final class RamWindow {
    private final long physStart;
    private final long bytes;
    private final long generation;
    private volatile boolean released;

    RamWindow(long physStart, long bytes, long generation) {
        this.physStart = physStart;
        this.bytes = bytes;
        this.generation = generation;
    }

    /** The physical offset of the window's first byte. */
    public long physStart() {
        return physStart;
    }

    /** The window's bytes (the machine's RAM, rounded up to {@link Ram#WINDOW_ALIGN}). */
    public long bytes() {
        return bytes;
    }

    /** This use's generation: 1 for the first machine of the JVM, then counting up. */
    public long generation() {
        return generation;
    }

    /** True once the machine has closed and given the window back. */
    public boolean isReleased() {
        return released;
    }

    /**
     * Throws unless the window is still in use by its machine.
     *
     * @param op the operation attempted, for the message (e.g. "kmem_cache_alloc(vm_area_struct)")
     * @throws IllegalStateException when the machine has closed
     */
    public void checkLive(String op) {
        if (released) {
            throw closed(op);
        }
    }

    /** The exception for {@code op} on this released window (callers with their own check use it). */
    public IllegalStateException closed(String op) {
        final long now = Ram.generationAt(physStart);
        return new IllegalStateException(op + ": the machine of generation " + generation + " is closed; its RAM"
            + " window [0x" + Long.toHexString(Ram.physToVirt(physStart)) + ", 0x"
            + Long.toHexString(Ram.physToVirt(physStart + bytes)) + ") " + (now == 0 ? "is free" : "now belongs to generation " + now)
            + ". A closed machine's page allocator, per-CPU areas and slab caches must not be used again.");
    }

    void release() {
        released = true;
    }

    @Override
    public String toString() {
        return "RAM window of generation " + generation + " at phys 0x" + Long.toHexString(physStart) + " (" + bytes
            + " bytes" + (released ? ", released" : "") + ")";
    }
}
