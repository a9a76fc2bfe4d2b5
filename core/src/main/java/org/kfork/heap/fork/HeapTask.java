package org.kfork.heap.fork;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.kfork.heap.block.HeapIoContext;
import org.kfork.heap.fs.HeapFilesStruct;
import org.kfork.heap.fs.HeapFsStruct;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.sched.TaskState;

/**
 * The heap twin of {@code struct task_struct}, with the fields fork.c's stack code reads and
 * writes ({@code state}, {@code stack} and {@code stack_refcount}) and those of the fs room
 * ({@code flags}, {@code fs}, {@code files}, {@code signal}'s rlimits, {@code alloc_lock},
 * {@code io_context}). The stack is the {@code byte[THREAD_SIZE]} itself, so it also stands for
 * {@code stack_vm_area}. The tasks issue adds the rest of the struct here.
 */
public final class HeapTask {
    static final VarHandle STACK_REFCOUNT;

    static {
        try {
            STACK_REFCOUNT = MethodHandles.lookup().findVarHandle(HeapTask.class, "stackRefcount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@code volatile long state}: a TASK_* value of {@link TaskState}. */
    volatile long state = TaskState.TASK_RUNNING;
    /** {@code void *stack}: the thread stack, or null. */
    byte[] stack;
    /** {@code refcount_t stack_refcount}; changed only through {@link #STACK_REFCOUNT}. */
    volatile int stackRefcount;

    /** {@code unsigned int flags}: PF_*. */
    public volatile int flags;
    /** {@code struct fs_struct *fs}. */
    public HeapFsStruct fs;
    /** {@code struct files_struct *files}. */
    public HeapFilesStruct files;
    /** {@code struct signal_struct *signal}. */
    public HeapSignalStruct signal;
    /** {@code spinlock_t alloc_lock}: task_lock. */
    public final HeapSpinlock allocLock = new HeapSpinlock();
    /** {@code struct io_context *io_context}. */
    public HeapIoContext ioContext;

    /** A zeroed task, as kmem_cache_zalloc would give: running, no stack, stack_refcount 0. */
    public HeapTask() {
    }

    /** {@code tsk->state}. */
    public long state() {
        return state;
    }

    /** Sets {@code tsk->state}. */
    public void setState(long state) {
        this.state = state;
    }

    /** {@code tsk->stack}: the stack, or null. */
    public byte[] stack() {
        return stack;
    }

    /** {@code refcount_read(&tsk->stack_refcount)}. */
    public int stackRefcount() {
        return stackRefcount;
    }

    /** {@code refcount_set(&tsk->stack_refcount, n)}. */
    public void setStackRefcount(int n) {
        stackRefcount = n;
    }
}
