package org.kfork.heap.pid;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.locking.HeapRefcount;
import org.kfork.heap.rcu.HeapCallbackHead;
import org.kfork.pid.PidRules;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct pid} (include/linux/pid.h): the refcount, the level, the task
 * lists of each pid type, one {@link HeapUpid} per level from init_pid_ns down to the namespace of
 * allocation, and the rcu_head ({@link HeapCallbackHead}) free_pid queues it on. The off-heap
 * struct's {@code lock}, {@code inodes} and {@code wait_pidfd} have no twin: only pidfds and
 * procfs inodes use them, and neither is modelled.
 *
 * <p>Functions that return a pid return an error the kernel's way: {@link #errPtr} gives the
 * ERR_PTR sentinel of an errno, which {@link ErrPtr#isErr} recognizes.
 */
public class HeapPid extends HeapCallbackHead {
    /** {@code refcount_t count}. */
    final HeapRefcount count = new HeapRefcount("struct pid");
    /** {@code unsigned int level}. */
    final int level;
    /** {@code struct hlist_head tasks[PIDTYPE_MAX]}. */
    final HeapHList.Head[] tasks = new HeapHList.Head[PidRules.PIDTYPE_MAX];
    /** {@code struct upid numbers[level + 1]}. */
    final HeapUpid[] numbers;

    /** kmem_cache_alloc from the level's cache: a pid whose fields alloc_pid will set. */
    HeapPid(int level) {
        this.level = level;
        this.numbers = new HeapUpid[level + 1];
        for (int i = 0; i <= level; i++) {
            numbers[i] = new HeapUpid();
        }
    }

    /** {@code pid->level}. */
    public int level() {
        return level;
    }

    /** {@code &pid->numbers[i]}. */
    public HeapUpid number(int i) {
        return numbers[i];
    }

    /** {@code refcount_read(&pid->count)}. */
    public int count() {
        return count.read();
    }

    /** {@code &pid->tasks[type]}. */
    public HeapHList.Head tasks(int type) {
        return tasks[type];
    }

    @Override
    public String toString() {
        return "pid{nr=" + numbers[0].nr + ", level=" + level + ", count=" + count.read() + "}";
    }

    /** The sentinel of one errno: never a live pid. */
    private static final class Err extends HeapPid implements ErrPtr.Value {
        private final int errno;

        Err(int errno) {
            super(0);
            this.errno = errno;
        }

        @Override
        public int errno() {
            return errno;
        }

        @Override
        public String toString() {
            return "ERR_PTR(-" + Errno.name(errno) + ")";
        }
    }

    private static final ErrPtr.Sentinels<HeapPid> ERR_PTRS = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR for the functions that return a pid (alloc_pid): the sentinel of {@code err} (negative). */
    public static HeapPid errPtr(int err) {
        return ERR_PTRS.of(err);
    }
}
