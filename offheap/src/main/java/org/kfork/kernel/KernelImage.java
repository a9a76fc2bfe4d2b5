package org.kfork.kernel;

import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;

/**
 * The kernel image's data: the RAM that holds what 5.12 declares as static variables (init_task,
 * init_struct_pid, init_pid_ns, init_cred, init_nsproxy, the init namespaces, init_files, init_fs,
 * init_sighand, init_signals...). Each static gets its own zeroed, aligned slot from pages taken
 * from the page allocator at boot, so its address is an ordinary modeled kernel address that a
 * memory image or a debugger can follow like any other.
 *
 * <p>Invariants: slots never move and are never freed one by one; {@link #close} gives every page
 * back at once, when the kernel is torn down. Boot is single-threaded, so allocation is plain.
 */
public final class KernelImage implements AutoCloseable {
    /** Pages are taken this many at a time (order 2: 16 KiB, enough for init_task and its friends). */
    private static final int CHUNK_ORDER = 2;
    private static final long CHUNK_BYTES = (long) Abi.PAGE_SIZE << CHUNK_ORDER;
    private static final int MAX_CHUNKS = 64;

    private final Machine machine;
    private final long[] chunks = new long[MAX_CHUNKS];
    private int nrChunks;
    private long cursor;
    private long limit;
    private long bytes;

    /** An empty image on {@code machine}. */
    public KernelImage(Machine machine) {
        this.machine = machine;
    }

    /**
     * A zeroed slot of {@code size} bytes aligned to {@code align} (a power of two up to a page).
     *
     * @throws IllegalStateException when RAM cannot hold the kernel's statics (boot cannot go on,
     *         as a kernel too large for its RAM would not boot)
     */
    public long alloc(long size, long align) {
        if (size <= 0 || size > CHUNK_BYTES || !Abi.isPowerOfTwo(align) || align > Abi.PAGE_SIZE) {
            throw new IllegalArgumentException("kernel image slot of " + size + " bytes aligned " + align);
        }
        long at = Abi.alignUp(cursor, align);
        if (cursor == 0 || at + size > limit) {
            if (nrChunks == MAX_CHUNKS) {
                throw new IllegalStateException("kernel image: more than " + MAX_CHUNKS + " chunks of statics");
            }
            long chunk = machine.pages().allocPages(CHUNK_ORDER);
            if (chunk == 0) {
                throw new IllegalStateException("kernel image: no RAM for the kernel's statics ("
                    + machine.ramBytes() + " bytes of RAM)");
            }
            Mem.zero(chunk, CHUNK_BYTES);
            chunks[nrChunks++] = chunk;
            at = chunk;
            limit = chunk + CHUNK_BYTES;
        }
        cursor = at + size;
        bytes += size;
        return at;
    }

    /** The bytes handed out so far. */
    public long bytes() {
        return bytes;
    }

    /** True if {@code addr} lies in one of the image's pages. */
    public boolean contains(long addr) {
        for (int i = 0; i < nrChunks; i++) {
            if (addr >= chunks[i] && addr < chunks[i] + CHUNK_BYTES) {
                return true;
            }
        }
        return false;
    }

    /** Gives every page back to the page allocator. */
    @Override
    public void close() {
        for (int i = nrChunks - 1; i >= 0; i--) {
            machine.pages().freePages(chunks[i], CHUNK_ORDER);
            chunks[i] = 0;
        }
        nrChunks = 0;
        cursor = limit = 0;
    }
}
