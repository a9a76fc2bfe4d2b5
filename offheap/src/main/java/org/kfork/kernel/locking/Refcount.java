package org.kfork.kernel.locking;

import org.kfork.machine.Mem;

/**
 * refcount_t on a struct's 4-byte field (include/linux/refcount.h, 5.12), with the kernel's
 * rules where a count would leave its range: an increment from 0 (a use after free) and a
 * decrement of 0 (a double put) are refused and reported with an exception, never wrapped, and the
 * count is left as it was. The kernel warns and saturates instead; here the caller's bug stops the
 * test that made it.
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

    /**
     * refcount_inc.
     *
     * @param what the object's name, for the report
     * @throws IllegalStateException when the count is 0 or saturated
     */
    public static void inc(long r, String what) {
        for (;;) {
            final int c = Mem.getIntVolatile(r);
            if (c <= 0 || c == Integer.MAX_VALUE) {
                throw new IllegalStateException("refcount_t: increment of " + c + " (" + what + " at 0x"
                    + Long.toHexString(r) + ")");
            }
            if (Mem.compareAndSetInt(r, c, c + 1)) {
                return;
            }
        }
    }

    /**
     * refcount_dec_and_test.
     *
     * @return true when this call dropped the last reference
     * @throws IllegalStateException when the count is already 0
     */
    public static boolean decAndTest(long r, String what) {
        for (;;) {
            final int c = Mem.getIntVolatile(r);
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: decrement of " + c + " (" + what + " at 0x"
                    + Long.toHexString(r) + ")");
            }
            if (Mem.compareAndSetInt(r, c, c - 1)) {
                return c == 1;
            }
        }
    }

    /**
     * refcount_dec_not_one: drops a reference unless it is the last one.
     *
     * @return false when the count is 1 (the caller takes its lock and decrements under it)
     * @throws IllegalStateException when the count is already 0
     */
    public static boolean decNotOne(long r, String what) {
        for (;;) {
            final int c = Mem.getIntVolatile(r);
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: decrement of " + c + " (" + what + " at 0x"
                    + Long.toHexString(r) + ")");
            }
            if (c == 1) {
                return false;
            }
            if (Mem.compareAndSetInt(r, c, c - 1)) {
                return true;
            }
        }
    }

    /**
     * refcount_dec_and_lock: drops a reference; when it is the last one, takes the spinlock at
     * {@code lock} first and returns true with the lock held.
     */
    public static boolean decAndLock(long r, long lock, String what) {
        if (decNotOne(r, what)) {
            return false;
        }
        Spinlock.lock(lock);
        if (!decAndTest(r, what)) {
            Spinlock.unlock(lock);
            return false;
        }
        return true;
    }
}
