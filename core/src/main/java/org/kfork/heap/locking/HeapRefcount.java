package org.kfork.heap.locking;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The heap twin of {@code refcount_t} (include/linux/refcount.h, 5.12), embedded in the heap
 * object it counts, with the same rules as org.kfork.kernel.locking.Refcount: an increment from 0
 * and a decrement of 0 are refused with an exception and leave the count as it was.
 */
public final class HeapRefcount {
    private static final VarHandle REFS;

    static {
        try {
            REFS = MethodHandles.lookup().findVarHandle(HeapRefcount.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String what;
    private volatile int refs;

    /** A count of zero for the object named {@code what} (in reports). */
    public HeapRefcount(String what) {
        this.what = what;
    }

    /** refcount_set. */
    public void set(int n) {
        refs = n;
    }

    /** refcount_read. */
    public int read() {
        return refs;
    }

    /** refcount_inc; throws IllegalStateException from 0 or at the saturation value. */
    public void inc() {
        for (;;) {
            final int c = refs;
            if (c <= 0 || c == Integer.MAX_VALUE) {
                throw new IllegalStateException("refcount_t: increment of " + c + " (" + what + ")");
            }
            if (REFS.compareAndSet(this, c, c + 1)) {
                return;
            }
        }
    }

    /** refcount_dec_and_test: true when this call dropped the last reference. */
    public boolean decAndTest() {
        for (;;) {
            final int c = refs;
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: decrement of " + c + " (" + what + ")");
            }
            if (REFS.compareAndSet(this, c, c - 1)) {
                return c == 1;
            }
        }
    }

    /** refcount_dec_not_one: false, and nothing done, when the count is 1. */
    public boolean decNotOne() {
        for (;;) {
            final int c = refs;
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: decrement of " + c + " (" + what + ")");
            }
            if (c == 1) {
                return false;
            }
            if (REFS.compareAndSet(this, c, c - 1)) {
                return true;
            }
        }
    }

    /** refcount_dec_and_lock: true, with {@code lock} held, when this call dropped the last reference. */
    public boolean decAndLock(HeapSpinlock lock) {
        if (decNotOne()) {
            return false;
        }
        lock.lock();
        if (!decAndTest()) {
            lock.unlock();
            return false;
        }
        return true;
    }
}
