package org.kfork.nsproxy;

import java.util.BitSet;

import org.kfork.uapi.Errno;

/**
 * proc_alloc_inum and proc_free_inum (fs/proc/generic.c, 5.12): the inode numbers of namespaces
 * made after boot, PROC_DYNAMIC_FIRST plus the lowest free index of the proc_inum_ida, as
 * ns_alloc_inum hands them to each new namespace (what {@code /proc/PID/ns/*} shows).
 *
 * <p>One per kernel, shared in form by both representations. Deviations: 5.12's ida also numbers
 * every /proc entry, so there the first namespace after boot does not get PROC_DYNAMIC_FIRST; and
 * the ida's own bitmap allocations (a 128-byte ida_bitmap per 1024 numbers) are not modeled, so
 * this allocator never fails for want of memory. Thread-safe (the ida's lock is this object's).
 */
public final class ProcInums {
    /** The ida's range: [0, UINT_MAX - PROC_DYNAMIC_FIRST + 1). */
    private static final long LIMIT = 0xFFFFFFFFL - (NsRules.PROC_DYNAMIC_FIRST & 0xFFFFFFFFL) + 1;

    private final BitSet used = new BitSet();

    /**
     * proc_alloc_inum: the lowest free number.
     *
     * @return the inode number (an unsigned int in an int), or -ENOSPC when the range is full
     */
    public synchronized long alloc() {
        final int i = used.nextClearBit(0);
        if (i >= LIMIT) {
            return -Errno.ENOSPC;
        }
        used.set(i);
        return (NsRules.PROC_DYNAMIC_FIRST + i) & 0xFFFFFFFFL;
    }

    /** proc_free_inum: gives {@code inum} back. */
    public synchronized void free(int inum) {
        final long i = (inum & 0xFFFFFFFFL) - (NsRules.PROC_DYNAMIC_FIRST & 0xFFFFFFFFL);
        if (i < 0 || i >= LIMIT || !used.get((int) i)) {
            throw new IllegalStateException("proc_free_inum: 0x" + Integer.toHexString(inum) + " is not allocated");
        }
        used.clear((int) i);
    }

    /** The numbers in use. */
    public synchronized int inUse() {
        return used.cardinality();
    }
}
