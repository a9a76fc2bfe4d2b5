package org.kfork.kernel.locking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/**
 * spin_lock on a spinlock_t word in RAM and its heap twin: mutual exclusion under contention from
 * more threads than cores (a lost update would show in the plain counter), trylock, and the word's
 * value while held.
 */
class SpinlockTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 20_000;

    private final Machine machine = Machine.create(8 << 20);
    @RegisterExtension
    final LeakCheck leaks = LeakCheck.thenClose(() -> machine);

    @Test
    void offHeapLockExcludesAndCountsExactly() throws Exception {
        long page = machine.pages().allocPage();
        try {
            long lock = page;
            long counter = page + 64; // another cache line, updated with plain reads and writes
            Spinlock.init(lock);
            Mem.putLong(counter, 0);
            hammer(i -> {
                Spinlock.lock(lock);
                try {
                    Mem.putLong(counter, Mem.getLong(counter) + 1); // racy without the lock
                } finally {
                    Spinlock.unlock(lock);
                }
            });
            assertEquals((long) THREADS * ROUNDS, Mem.getLong(counter));
            assertFalse(Spinlock.isLocked(lock));
        } finally {
            machine.pages().freePage(page);
        }
    }

    @Test
    void offHeapTryLockAndHeldWord() {
        long page = machine.pages().allocPage();
        try {
            Spinlock.init(page);
            assertThrows(IllegalStateException.class, () -> Spinlock.assertHeld(page));
            assertTrue(Spinlock.tryLock(page));
            assertEquals(Spinlock.LOCKED, Mem.getInt(page), "the locked byte, as the kernel's qspinlock");
            assertFalse(Spinlock.tryLock(page));
            Spinlock.assertHeld(page);
            Spinlock.unlock(page);
            assertEquals(0, Mem.getInt(page));
        } finally {
            machine.pages().freePage(page);
        }
    }

    @Test
    void heapTwinExcludesAndCountsExactly() throws Exception {
        HeapSpinlock lock = new HeapSpinlock();
        long[] counter = new long[1];
        hammer(i -> {
            lock.lock();
            try {
                counter[0]++;
            } finally {
                lock.unlock();
            }
        });
        assertEquals((long) THREADS * ROUNDS, counter[0]);
        assertTrue(lock.tryLock());
        assertFalse(lock.tryLock());
        lock.unlock();
        assertFalse(lock.isLocked());
    }

    private static void hammer(IntConsumer body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < ROUNDS; i++) {
                        body.accept(i);
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
    }
}
