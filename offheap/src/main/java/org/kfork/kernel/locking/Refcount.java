package org.kfork.kernel.locking;

import org.kfork.machine.Mem;

/**
 * refcount_t (include/linux/refcount.h, lib/refcount.c) on the 4-byte counter at an address in
 * modeled RAM: atomic increments and decrements that never wrap. Where the kernel warns and
 * saturates (an increment from 0, which would resurrect a freed object, or a decrement of 0), the
 * model throws {@link IllegalStateException} with the count left as it was: either is a caller bug.
 */
public final class Refcount {
    private Refcount() {
    }

    /** refcount_set. */
    public static void set(long r, int n) {
        Mem.putIntVolatile(r, n);
    }

    /** refcount_read. */
    public static int read(long r) {
        return Mem.getIntVolatile(r);
    }

    /** refcount_inc: the object must already be referenced. */
    public static void inc(long r) {
        for (;;) {
            final int old = Mem.getIntVolatile(r);
            if (old <= 0) {
                throw new IllegalStateException("refcount_t at 0x" + Long.toHexString(r) + ": increment of " + old);
            }
            if (Mem.compareAndSetInt(r, old, old + 1)) {
                return;
            }
        }
    }

    /** refcount_dec_and_test: true when this put dropped the last reference. */
    public static boolean decAndTest(long r) {
        for (;;) {
            final int old = Mem.getIntVolatile(r);
            if (old <= 0) {
                throw new IllegalStateException("refcount_t at 0x" + Long.toHexString(r) + ": decrement of " + old);
            }
            if (Mem.compareAndSetInt(r, old, old - 1)) {
                return old == 1;
            }
        }
    }
}
