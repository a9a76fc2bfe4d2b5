package org.kfork.heap.locking;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The heap twin of {@code refcount_t} and of org.kfork.kernel.locking.Refcount: a counter embedded
 * in the heap twin of each struct that has one, with the same never-wrap rules (an increment from
 * 0 or a decrement of 0 throws {@link IllegalStateException}, the count left as it was).
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

    private volatile int refs;

    /** REFCOUNT_INIT(n). */
    public HeapRefcount(int n) {
        refs = n;
    }

    /** refcount_set. */
    public void set(int n) {
        refs = n;
    }

    /** refcount_read. */
    public int read() {
        return refs;
    }

    /** refcount_inc: the object must already be referenced. */
    public void inc() {
        for (;;) {
            final int old = refs;
            if (old <= 0) {
                throw new IllegalStateException("refcount_t: increment of " + old);
            }
            if (REFS.compareAndSet(this, old, old + 1)) {
                return;
            }
        }
    }

    /** refcount_dec_and_test: true when this put dropped the last reference. */
    public boolean decAndTest() {
        for (;;) {
            final int old = refs;
            if (old <= 0) {
                throw new IllegalStateException("refcount_t: decrement of " + old);
            }
            if (REFS.compareAndSet(this, old, old - 1)) {
                return old == 1;
            }
        }
    }
}
