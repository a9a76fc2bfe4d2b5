package org.kfork.kernel.locking;

import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.struct.RwSemaphore;
import org.kfork.machine.Mem;
import org.kfork.uapi.Errno;

/**
 * down_read / down_write and their killable forms on a {@code struct rw_semaphore} in modeled
 * RAM (5.12 kernel/locking/rwsem.c, reduced to its count word and a polite spin).
 *
 * <p>The count is the kernel's: {@link #WRITER_LOCKED} in bit 0 while a writer holds it, and
 * {@link #READER_BIAS} per reader from bit 8 up; the owner field holds the writing task. 5.12 queues
 * sleepers on wait_list; a modeled CPU may be shared by several Java threads, so waiters spin on
 * the count instead (onSpinWait, then yield), as {@link Spinlock} does, and a killable waiter gives
 * up with -EINTR once a fatal signal is pending for it.
 *
 * <p>Invariants: a reader adds its bias only while no writer holds the lock (a CAS on the count), so
 * the count is exactly {@link #WRITER_LOCKED} while written; only the writer clears it. Not
 * reentrant (nor is the kernel's).
 */
public final class Rwsem {
    /** RWSEM_WRITER_LOCKED. */
    public static final long WRITER_LOCKED = 1L;
    /** RWSEM_READER_BIAS: one reader (RWSEM_READER_SHIFT is 8). */
    public static final long READER_BIAS = 1L << 8;
    private static final int SPINS_BEFORE_YIELD = 64;

    private Rwsem() {
    }

    /** down_read. */
    public static void downRead(long sem) {
        downReadKillable(sem, 0);
    }

    /**
     * down_read_killable for {@code current}: 0 once held, -EINTR when a fatal signal is pending
     * for {@code current} while it waits (0 for current: a wait that cannot be killed).
     */
    public static int downReadKillable(long sem, long current) {
        final long count = sem + RwSemaphore.COUNT;
        int spins = 0;
        for (;;) {
            final long c = Mem.getLongVolatile(count);
            if ((c & WRITER_LOCKED) == 0 && Mem.compareAndSetLong(count, c, c + READER_BIAS)) {
                return 0;
            }
            if (current != 0 && Signal.fatalSignalPending(current)) {
                return -Errno.EINTR;
            }
            spins = pause(spins);
        }
    }

    /** up_read. */
    public static void upRead(long sem) {
        final long old = Mem.getAndAddLong(sem + RwSemaphore.COUNT, -READER_BIAS);
        if (old < READER_BIAS) {
            throw new IllegalStateException("up_read of rw_semaphore 0x" + Long.toHexString(sem) + " without a reader");
        }
    }

    /** down_write. */
    public static void downWrite(long sem, long current) {
        downWriteKillable(sem, current, false);
    }

    /**
     * down_write_killable: 0 once {@code current} holds it, -EINTR when a fatal signal is pending
     * for {@code current} while it waits.
     */
    public static int downWriteKillable(long sem, long current) {
        return downWriteKillable(sem, current, true);
    }

    private static int downWriteKillable(long sem, long current, boolean killable) {
        final long count = sem + RwSemaphore.COUNT;
        int spins = 0;
        while (!(Mem.getLongVolatile(count) == 0 && Mem.compareAndSetLong(count, 0, WRITER_LOCKED))) {
            if (killable && Signal.fatalSignalPending(current)) {
                return -Errno.EINTR;
            }
            spins = pause(spins);
        }
        Mem.putLongRelease(sem + RwSemaphore.OWNER, current);
        return 0;
    }

    /** up_write: only the writer writes the count while it holds it. */
    public static void upWrite(long sem) {
        final long count = sem + RwSemaphore.COUNT;
        if (Mem.getLongVolatile(count) != WRITER_LOCKED) {
            throw new IllegalStateException("up_write of rw_semaphore 0x" + Long.toHexString(sem) + " not held for write");
        }
        Mem.putLongRelease(sem + RwSemaphore.OWNER, 0);
        Mem.putLongRelease(count, 0);
    }

    /** rwsem_is_locked. */
    public static boolean isLocked(long sem) {
        return Mem.getLongVolatile(sem + RwSemaphore.COUNT) != 0;
    }

    private static int pause(int spins) {
        if (spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return spins + 1;
    }
}
