package org.kfork.heap.locking;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The heap twin of {@code spinlock_t} and of org.kfork.kernel.locking.Spinlock: the same word, the
 * same protocol (CAS 0 to {@link #LOCKED}, spin on reads, release store of 0), on a field of a
 * Java object embedded in the heap twin of each struct that has a spinlock.
 */
public final class HeapSpinlock {
    /** _Q_LOCKED_VAL. */
    public static final int LOCKED = 1;
    private static final int SPINS_BEFORE_YIELD = 64;
    private static final VarHandle VAL;

    static {
        try {
            VAL = MethodHandles.lookup().findVarHandle(HeapSpinlock.class, "val", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VAL
    private volatile int val;

    /** spin_lock. */
    public void lock() {
        if (VAL.compareAndSet(this, 0, LOCKED)) {
            return;
        }
        lockSlow();
    }

    private void lockSlow() {
        int spins = 0;
        for (;;) {
            if ((int) VAL.getVolatile(this) == 0 && VAL.compareAndSet(this, 0, LOCKED)) {
                return;
            }
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** spin_trylock. */
    public boolean tryLock() {
        return VAL.compareAndSet(this, 0, LOCKED);
    }

    /** spin_unlock. */
    public void unlock() {
        VAL.setRelease(this, 0);
    }

    /** spin_is_locked. */
    public boolean isLocked() {
        return (int) VAL.getVolatile(this) != 0;
    }

    /** lockdep_assert_held, reduced to "somebody holds it". */
    public void assertHeld() {
        if (!isLocked()) {
            throw new IllegalStateException("heap spinlock is not held");
        }
    }
}
