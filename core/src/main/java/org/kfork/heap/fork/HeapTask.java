package org.kfork.heap.fork;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.kfork.heap.cred.HeapCred;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.heap.signal.HeapSigpending;
import org.kfork.sched.TaskState;

/**
 * The heap twin of {@code struct task_struct}, with the fields fork.c's stack code reads and
 * writes ({@code state}, {@code stack} and {@code stack_refcount}) and those of kernel/signal.c
 * and the signal half of fork.c. The stack is the {@code byte[THREAD_SIZE]} itself, so it also
 * stands for {@code stack_vm_area}. The tasks issue adds the rest of the struct here.
 */
public final class HeapTask {
    static final VarHandle STACK_REFCOUNT;
    static final VarHandle THREAD_INFO_FLAGS;

    static {
        try {
            STACK_REFCOUNT = MethodHandles.lookup().findVarHandle(HeapTask.class, "stackRefcount", int.class);
            THREAD_INFO_FLAGS = MethodHandles.lookup().findVarHandle(HeapTask.class, "threadInfoFlags", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A {@code struct list_head} embedded in a task: container_of is {@link #task}. The task's
     * lists (thread_group, thread_node...) are each one of these.
     */
    public static final class Link extends HeapIntrusiveList {
        /** The task this node is embedded in. */
        public final HeapTask task;

        Link(HeapTask task) {
            this.task = task;
        }
    }

    /** {@code volatile long state}: a TASK_* value of {@link TaskState}. */
    volatile long state = TaskState.TASK_RUNNING;
    /** {@code void *stack}: the thread stack, or null. */
    byte[] stack;
    /** {@code refcount_t stack_refcount}; changed only through {@link #STACK_REFCOUNT}. */
    volatile int stackRefcount;

    // ---- the signal room's fields (kernel/signal.c, copy_sighand, copy_signal)

    /** {@code thread_info.flags}: TIF_* bits, changed atomically (set/clearTskThreadFlag). */
    volatile long threadInfoFlags;
    /** {@code unsigned int flags}: PF_*. */
    public volatile int flags;
    /** {@code unsigned int ptrace}: always 0 (ptrace is not modelled). */
    public int ptrace;
    /** {@code unsigned long jobctl}: JOBCTL_* bits, under siglock. */
    public long jobctl;
    /** {@code int exit_state}. */
    public volatile int exitState;
    /** {@code int exit_code}. */
    public int exitCode;
    /** {@code pid_t pid}. */
    public int pid;
    /** {@code pid_t tgid}. */
    public int tgid;
    /** {@code struct task_struct *real_parent}. */
    public HeapTask realParent;
    /** {@code struct task_struct *parent}: the task do_notify_parent signals. */
    public HeapTask parent;
    /** {@code struct task_struct *group_leader}. */
    public HeapTask groupLeader;
    /** {@code struct list_head thread_group}: the threads of the group (next_thread). */
    public final Link threadGroup = new Link(this);
    /** {@code struct list_head thread_node}: on signal->thread_head (for_each_thread). */
    public final Link threadNode = new Link(this);
    /** {@code u64 utime}. */
    public long utime;
    /** {@code u64 stime}. */
    public long stime;
    /** {@code const struct cred *real_cred}: the objective credentials (what others see). */
    public HeapCred realCred;
    /** {@code const struct cred *cred}: the subjective credentials (what the task acts with). */
    public HeapCred cred;
    /** {@code struct signal_struct *signal}. */
    public HeapSignalStruct signal;
    /** {@code struct sighand_struct *sighand} (RCU-published). */
    public volatile HeapSighandStruct sighand;
    /** {@code sigset_t blocked}. */
    public long blocked;
    /** {@code sigset_t real_blocked}. */
    public long realBlocked;
    /** {@code struct sigpending pending}: the signals sent to this thread alone. */
    public final HeapSigpending pending = new HeapSigpending();
    /** {@code u64 parent_exec_id}. */
    public long parentExecId;
    /** {@code u64 self_exec_id}. */
    public volatile long selfExecId;
    /** {@code spinlock_t alloc_lock}: task_lock. */
    public final HeapSpinlock allocLock = new HeapSpinlock();

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

    /** {@code thread_info.flags}, read volatile. */
    public long threadInfoFlags() {
        return threadInfoFlags;
    }

    /** set_tsk_thread_flag: an atomic set_bit. */
    public void setTskThreadFlag(int flag) {
        long old;
        do {
            old = threadInfoFlags;
        } while ((old & (1L << flag)) == 0 && !THREAD_INFO_FLAGS.compareAndSet(this, old, old | (1L << flag)));
    }

    /** clear_tsk_thread_flag: an atomic clear_bit. */
    public void clearTskThreadFlag(int flag) {
        long old;
        do {
            old = threadInfoFlags;
        } while ((old & (1L << flag)) != 0 && !THREAD_INFO_FLAGS.compareAndSet(this, old, old & ~(1L << flag)));
    }

    /** test_tsk_thread_flag. */
    public boolean testTskThreadFlag(int flag) {
        return (threadInfoFlags & (1L << flag)) != 0;
    }
}
