package org.kfork.heap.locking;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.uapi.Errno;

/**
 * The heap twin of org.kfork.kernel.locking.Rwsem: down_read_killable and down_write_killable on
 * a heap rw_semaphore (a {@link ReentrantReadWriteLock}). A killable waiter polls for a fatal
 * signal between short timed tries, as the off-heap waiter checks it between spins.
 */
public final class HeapRwsem {
    /** How long one try waits before the waiter looks for a fatal signal again. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private HeapRwsem() {
    }

    /** down_read_killable for {@code current}: 0 once held, -EINTR on a fatal signal. */
    public static int downReadKillable(ReentrantReadWriteLock sem, HeapTask current) {
        return lockKillable(sem.readLock(), current);
    }

    /** down_write_killable for {@code current}: 0 once held, -EINTR on a fatal signal. */
    public static int downWriteKillable(ReentrantReadWriteLock sem, HeapTask current) {
        return lockKillable(sem.writeLock(), current);
    }

    private static int lockKillable(Lock lock, HeapTask current) {
        try {
            while (!lock.tryLock(POLL_NANOS, TimeUnit.NANOSECONDS)) {
                if (HeapSignal.fatalSignalPending(current)) {
                    return -Errno.EINTR;
                }
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -Errno.EINTR;
        }
    }
}
