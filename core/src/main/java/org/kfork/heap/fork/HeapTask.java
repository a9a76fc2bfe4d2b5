package org.kfork.heap.fork;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.kfork.heap.cred.HeapCred;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.nsproxy.HeapCssSet;
import org.kfork.heap.nsproxy.HeapNsproxy;
import org.kfork.sched.TaskState;

/**
 * The heap twin of {@code struct task_struct}, with the fields fork.c's stack code reads and
 * writes so far: {@code state}, {@code stack} and {@code stack_refcount}. The stack is the
 * {@code byte[THREAD_SIZE]} itself, so it also stands for {@code stack_vm_area}. The tasks issue
 * adds the rest of the struct here.
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

    // ---- the credentials and namespaces rooms (kernel/cred.c, capability.c, nsproxy.c) ----

    /** {@code unsigned int flags}: PF_* bits; written by the task itself (capable() sets PF_SUPERPRIV). */
    public int flags;
    /** {@code struct mm_struct *mm}: null for a kernel thread. */
    public HeapMmStruct mm;
    /** {@code int pdeath_signal}. */
    public int pdeathSignal;
    /** {@code const struct cred *real_cred}: the objective credentials (what others see). */
    public volatile HeapCred realCred;
    /** {@code const struct cred *cred}: the subjective credentials (what the task acts with). */
    public volatile HeapCred cred;
    /** {@code struct nsproxy *nsproxy}, changed under {@link #allocLock}. */
    public volatile HeapNsproxy nsproxy;
    /** {@code spinlock_t alloc_lock}: task_lock. */
    public final HeapSpinlock allocLock = new HeapSpinlock();
    /** {@code struct css_set *cgroups}. */
    public volatile HeapCssSet cgroups;

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
