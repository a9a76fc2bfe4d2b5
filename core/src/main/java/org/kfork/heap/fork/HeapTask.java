package org.kfork.heap.fork;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.pid.PidRules;
import org.kfork.sched.TaskState;

/**
 * The heap twin of {@code struct task_struct}, with the fields the ported code reads and writes
 * so far: {@code state}, {@code stack} and {@code stack_refcount} (fork.c's stack code),
 * {@code usage}, {@code pid}, {@code thread_pid}, {@code pid_links[]} and {@code signal} (pid.c).
 * The stack is the {@code byte[THREAD_SIZE]} itself, so it also stands for {@code stack_vm_area}.
 * The tasks issue adds the rest of the struct here.
 */
public final class HeapTask {
    static final VarHandle STACK_REFCOUNT;
    /** {@code usage} for HeapRefcount (get_task_struct, put_task_struct). */
    public static final VarHandle USAGE;

    static {
        try {
            STACK_REFCOUNT = MethodHandles.lookup().findVarHandle(HeapTask.class, "stackRefcount", int.class);
            USAGE = MethodHandles.lookup().findVarHandle(HeapTask.class, "usage", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The twin of one {@code struct hlist_node pid_links[type]}: a node of a pid's task list
     * that knows its task (container_of).
     */
    public static final class PidLink extends HeapHList.Node {
        private final HeapTask task;

        PidLink(HeapTask task) {
            this.task = task;
        }

        /** container_of(link, struct task_struct, pid_links[type]). */
        public HeapTask task() {
            return task;
        }
    }

    /** {@code volatile long state}: a TASK_* value of {@link TaskState}. */
    volatile long state = TaskState.TASK_RUNNING;
    /** {@code void *stack}: the thread stack, or null. */
    byte[] stack;
    /** {@code refcount_t stack_refcount}; changed only through {@link #STACK_REFCOUNT}. */
    volatile int stackRefcount;
    /** {@code refcount_t usage}; changed only through {@link #USAGE}. */
    volatile int usage;
    /** {@code pid_t pid}: the task's number in init_pid_ns, cached. */
    volatile int pid;
    /** {@code struct pid *thread_pid}: published with a volatile store (rcu_assign_pointer). */
    volatile HeapPid threadPid;
    /** {@code struct hlist_node pid_links[PIDTYPE_MAX]}. */
    private final PidLink[] pidLinks = new PidLink[PidRules.PIDTYPE_MAX];
    /** {@code struct signal_struct *signal}. */
    HeapSignalStruct signal;

    /** A zeroed task, as kmem_cache_zalloc would give: running, no stack, stack_refcount 0. */
    public HeapTask() {
        for (int type = 0; type < pidLinks.length; type++) {
            pidLinks[type] = new PidLink(this);
        }
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

    /** {@code refcount_read(&tsk->usage)}. */
    public int usage() {
        return usage;
    }

    /** {@code refcount_set(&tsk->usage, n)}. */
    public void setUsage(int n) {
        usage = n;
    }

    /** {@code tsk->pid}. */
    public int pid() {
        return pid;
    }

    /** {@code WRITE_ONCE(tsk->pid, nr)}. */
    public void setPid(int nr) {
        pid = nr;
    }

    /** {@code rcu_dereference(tsk->thread_pid)}. */
    public HeapPid threadPid() {
        return threadPid;
    }

    /** {@code rcu_assign_pointer(tsk->thread_pid, pid)}. */
    public void setThreadPid(HeapPid pid) {
        threadPid = pid;
    }

    /** {@code &tsk->pid_links[type]}. */
    public PidLink pidLink(int type) {
        return pidLinks[type];
    }

    /** {@code tsk->signal}. */
    public HeapSignalStruct signal() {
        return signal;
    }

    /** {@code tsk->signal = sig}. */
    public void setSignal(HeapSignalStruct sig) {
        signal = sig;
    }
}
