package org.kfork.heap;

import java.lang.invoke.VarHandle;

/**
 * The heap twin of org.kfork.kernel.Refcount: include/linux/refcount.h on an {@code int} field
 * reached through a VarHandle, with the same refusals (an increment from 0, a decrement of 0)
 * and the same messages, so both kernels fail alike on the same misuse.
 */
public final class HeapRefcount {
    private HeapRefcount() {
    }

    /** refcount_read. */
    public static int read(VarHandle count, Object obj) {
        return (int) count.getVolatile(obj);
    }

    /**
     * refcount_inc.
     *
     * @throws IllegalStateException when the count is 0 (a use-after-free)
     */
    public static void inc(VarHandle count, Object obj, String what) {
        for (;;) {
            final int c = (int) count.getVolatile(obj);
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: addition on " + c + " (use-after-free) of " + what);
            }
            if (count.compareAndSet(obj, c, c + 1)) {
                return;
            }
        }
    }

    /**
     * refcount_dec_and_test.
     *
     * @return true when it was the last reference
     * @throws IllegalStateException when the count is already 0 (a put without a get)
     */
    public static boolean decAndTest(VarHandle count, Object obj, String what) {
        for (;;) {
            final int c = (int) count.getVolatile(obj);
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: underflow (" + c + ") of " + what + ": a put without a get");
            }
            if (count.compareAndSet(obj, c, c - 1)) {
                return c == 1;
            }
        }
    }
}
