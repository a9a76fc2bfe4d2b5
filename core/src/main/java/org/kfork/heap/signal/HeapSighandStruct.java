package org.kfork.heap.signal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.kfork.heap.HeapRefcount;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.uapi.Signals;

/**
 * The heap twin of {@code struct sighand_struct}: the 64 signal actions that CLONE_SIGHAND
 * threads share, their lock and the count of tasks sharing them. The signalfd wait queue is left
 * out: the model has no signalfd.
 */
public final class HeapSighandStruct {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(HeapSighandStruct.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@code spinlock_t siglock}: set up once per object, as sighand_ctor does. */
    public final HeapSpinlock siglock = new HeapSpinlock();
    /** {@code refcount_t count}: the tasks sharing the handlers; through {@link #COUNT}. */
    private volatile int count;
    /** {@code struct k_sigaction action[_NSIG]}: signal sig's action is {@code action[sig - 1]}. */
    public final HeapKSigaction[] action = new HeapKSigaction[Signals._NSIG];

    /** A sighand as the cache hands it out: lock initialized, the rest zero. */
    public HeapSighandStruct() {
        for (int i = 0; i < action.length; i++) {
            action[i] = new HeapKSigaction();
        }
    }

    /** {@code refcount_set(&sighand->count, n)}. */
    public void setCount(int n) {
        count = n;
    }

    /** {@code refcount_read(&sighand->count)}. */
    public int count() {
        return HeapRefcount.read(COUNT, this);
    }

    /** {@code refcount_inc(&sighand->count)}. */
    public void countInc() {
        HeapRefcount.inc(COUNT, this, "sighand_struct.count");
    }

    /** {@code refcount_dec_and_test(&sighand->count)}. */
    public boolean countDecAndTest() {
        return HeapRefcount.decAndTest(COUNT, this, "sighand_struct.count");
    }
}
