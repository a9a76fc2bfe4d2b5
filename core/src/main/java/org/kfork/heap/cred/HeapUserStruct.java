package org.kfork.heap.cred;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import org.kfork.heap.HeapRefcount;

/**
 * The heap twin of {@code struct user_struct}, reduced to what kernel/signal.c uses: the
 * reference count and the count of signals queued on the user's behalf. (The credentials room
 * owns this class and its other fields: uid, processes, the uid hash node.)
 */
public class HeapUserStruct {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(HeapUserStruct.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@code refcount_t __count}; through {@link #COUNT}. */
    private volatile int count = 1;
    /** {@code atomic_t sigpending}: sigqueues charged to this user (RLIMIT_SIGPENDING). */
    public final AtomicInteger sigpending = new AtomicInteger();

    /** {@code refcount_read(&up->__count)}. */
    public int count() {
        return HeapRefcount.read(COUNT, this);
    }

    /** get_uid: {@code refcount_inc(&up->__count)}. */
    public void countInc() {
        HeapRefcount.inc(COUNT, this, "user_struct.__count");
    }

    /** {@code refcount_dec_and_test(&up->__count)}. */
    public boolean countDecAndTest() {
        return HeapRefcount.decAndTest(COUNT, this, "user_struct.__count");
    }
}
