package org.kfork.kernel.locking;

import org.kfork.machine.Mem;

/**
 * spin_lock / spin_unlock on a {@code spinlock_t} in modeled RAM (5.12 kernel/locking/qspinlock.c,
 * reduced to its fast path and a polite spin).
 *
 * <p>The lock is the 4-byte {@code qspinlock.val} word at the spinlock's address: 0 unlocked,
 * {@link #LOCKED} held. 5.12 queues contended waiters in per-CPU MCS nodes; a modeled CPU may be
 * shared by several Java threads, which the MCS queue cannot express, so waiters spin on the word
 * instead ({@link Thread#onSpinWait}, then {@link Thread#yield} so that a holder descheduled by the
 * host gets to run). The word's value while held is the kernel's (locked byte set), so an image of
 * RAM shows held locks as the kernel would.
 *
 * <p>Invariant: only the holder writes the word while it is non-zero; release is a release store.
 * Not reentrant (nor is the kernel's): taking a lock twice on one thread spins forever, so
 * {@link #lock} checks the simplest case in debug builds through {@link #assertHeld}.
 */
public final class Spinlock {
    /** _Q_LOCKED_VAL: the locked byte set. */
    public static final int LOCKED = 1;
    /** Spins with onSpinWait before a waiter starts to yield. */
    private static final int SPINS_BEFORE_YIELD = 64;

    private Spinlock() {
    }

    /** spin_lock_init: an unlocked lock. */
    public static void init(long lock) {
        Mem.putIntRelease(lock, 0);
    }

    /** spin_lock. */
    public static void lock(long lock) {
        // Fast path: an uncontended CAS, as queued_spin_lock.
        if (Mem.compareAndSetInt(lock, 0, LOCKED)) {
            return;
        }
        lockSlow(lock);
    }

    private static void lockSlow(long lock) {
        int spins = 0;
        for (;;) {
            // Test before test-and-set: read until it looks free, so waiters do not bounce the line.
            if (Mem.getIntVolatile(lock) == 0 && Mem.compareAndSetInt(lock, 0, LOCKED)) {
                return;
            }
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** spin_trylock: true if taken. */
    public static boolean tryLock(long lock) {
        return Mem.compareAndSetInt(lock, 0, LOCKED);
    }

    /** spin_unlock: a release store of 0 (the holder is the only writer while it is held). */
    public static void unlock(long lock) {
        Mem.putIntRelease(lock, 0);
    }

    /** spin_is_locked. */
    public static boolean isLocked(long lock) {
        return Mem.getIntVolatile(lock) != 0;
    }

    /** lockdep_assert_held, reduced to "somebody holds it": throws if the lock is free. */
    public static void assertHeld(long lock) {
        if (!isLocked(lock)) {
            throw new IllegalStateException("spinlock at 0x" + Long.toHexString(lock) + " is not held");
        }
    }
}
