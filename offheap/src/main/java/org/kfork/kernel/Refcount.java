package org.kfork.kernel;

import org.kfork.machine.Mem;

/**
 * include/linux/refcount.h on a {@code refcount_t} word in modeled RAM: the atomic reference
 * counts of struct pid, pid_namespace (ns.count) and their like. 5.12's refcount_t saturates and
 * warns instead of wrapping or reviving an object; here the same misuse (an increment from 0, a
 * decrement of 0) is refused with {@link IllegalStateException}, naming the counter and its
 * address, and the count is left as it was, so a freed object is never brought back.
 */
public final class Refcount {
    private Refcount() {
    }

    /** refcount_set (a plain store: the object is not shared yet). */
    public static void set(long r, int n) {
        Mem.putInt(r, n);
    }

    /** refcount_read. */
    public static int read(long r) {
        return Mem.getIntVolatile(r);
    }

    /**
     * refcount_inc: one more reference to an object somebody already holds.
     *
     * @throws IllegalStateException when the count is 0 (addition on 0: a use-after-free)
     */
    public static void inc(long r, String what) {
        for (;;) {
            final int c = Mem.getIntVolatile(r);
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: addition on " + c + " (use-after-free) of " + what
                    + " at 0x" + Long.toHexString(r));
            }
            if (Mem.compareAndSetInt(r, c, c + 1)) {
                return;
            }
        }
    }

    /**
     * refcount_dec_and_test: drops a reference.
     *
     * @return true when it was the last one (the caller frees the object)
     * @throws IllegalStateException when the count is already 0 (underflow: a double put)
     */
    public static boolean decAndTest(long r, String what) {
        for (;;) {
            final int c = Mem.getIntVolatile(r);
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: underflow (" + c + ") of " + what
                    + " at 0x" + Long.toHexString(r) + ": a put without a get");
            }
            if (Mem.compareAndSetInt(r, c, c - 1)) {
                return c == 1;
            }
        }
    }
}
