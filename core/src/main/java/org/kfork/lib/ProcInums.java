package org.kfork.lib;

import static org.kfork.uapi.Errno.ENOSPC;

import java.util.BitSet;

/**
 * fs/proc/generic.c's proc_alloc_inum and proc_free_inum (what ns_alloc_inum and ns_free_inum
 * call): the inode numbers of namespaces, the lowest free one from PROC_DYNAMIC_FIRST up, from an
 * IDA in 5.12. Both kernels keep one, so their namespaces get the same numbers.
 *
 * <p>Deviation: 5.12's IDA keeps its bitmaps in kmalloc'ed memory, an allocation failslab could
 * hit; here the bitmap is Java-side and allocation never fails for lack of memory. Thread-safe.
 */
public final class ProcInums {
    /** PROC_DYNAMIC_FIRST: the first inode number handed out dynamically (0xF0000000). */
    public static final long PROC_DYNAMIC_FIRST = 0xF0000000L;
    /** The last one: UINT_MAX. */
    private static final long LAST = 0xFFFFFFFFL;

    private final BitSet used = new BitSet();

    /**
     * proc_alloc_inum: the lowest free inode number.
     *
     * @return it (an unsigned int, as a long), or -ENOSPC when all are taken
     */
    public synchronized long alloc() {
        final int i = used.nextClearBit(0);
        if (i > LAST - PROC_DYNAMIC_FIRST) {
            return -ENOSPC;
        }
        used.set(i);
        return PROC_DYNAMIC_FIRST + i;
    }

    /** proc_free_inum. */
    public synchronized void free(long inum) {
        final long i = inum - PROC_DYNAMIC_FIRST;
        if (i < 0 || i > LAST - PROC_DYNAMIC_FIRST || !used.get((int) i)) {
            throw new IllegalStateException("proc_free_inum: 0x" + Long.toHexString(inum) + " is not allocated");
        }
        used.clear((int) i);
    }

    /** Inode numbers in use. */
    public synchronized int inUse() {
        return used.cardinality();
    }
}
