package org.kfork.kernel.fork;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The test-side adapter through which one suite drives both kernels' task core: the off-heap one
 * ({@link OffHeapTaskCore}: task_struct addresses in RAM) and the heap twin ({@link HeapTaskCore}:
 * HeapTask objects). A task is an opaque handle (a Long or a HeapTask) compared with equals; a
 * field is one of {@link TaskField}, read and written as a long.
 *
 * <p>Each variant boots its own kernel on 2 CPUs with a fixed seed, hooks __put_task_struct's
 * steps of other rooms to a recorder, and checks at {@link #close} that the kernel is back at
 * the baseline it took after boot (the off-heap machine's counters after quiescing, checked mode
 * on; the heap twin's live objects per kind).
 */
public interface TaskCoreVariant extends AutoCloseable {
    /** The seed both kernels boot with. */
    long SEED = 20_210_602L;
    /** The modeled CPUs. */
    int CPUS = 2;

    /** The two kernels, for @EnumSource. */
    enum Kind {
        OFFHEAP, HEAP;

        /** Boots a kernel of this kind. */
        public TaskCoreVariant make() {
            return this == OFFHEAP ? new OffHeapTaskCore() : new HeapTaskCore();
        }
    }

    /** The fields the suite reads and writes. */
    enum TaskField {
        USAGE, RCU_USERS, STACK_REFCOUNT, STATE, EXIT_STATE, FLAGS, PRIO, STATIC_PRIO, NORMAL_PRIO,
        RT_PRIORITY, POLICY, SCHED_RESET_ON_FORK, CPU, WAKE_CPU, RECENT_USED_CPU, ON_RQ, ON_CPU,
        NR_CPUS_ALLOWED, CPUS_MASK, TI_FLAGS, SYSCALL_WORK, STACK_CANARY, TIMER_SLACK_NS,
        DEFAULT_TIMER_SLACK_NS, SET_CHILD_TID, CLEAR_CHILD_TID, PID, TGID, PDEATH_SIGNAL, NR_DIRTIED,
        NR_DIRTIED_PAUSE, DIRTY_PAUSED_WHEN, CPUSET_MEM_SPREAD_ROTOR, CPUSET_SLAB_SPREAD_ROTOR,
        PAGEFAULT_DISABLED, LOAD_WEIGHT, LOAD_INV_WEIGHT, RT_TIME_SLICE, WAKE_ENTRY_U_FLAGS,
        LOGINUID, SESSIONID, PUSHABLE_PRIO, PENDING_SIGNAL, UTIME, STIME, GTIME, PREV_UTIME,
        RSEQ_EVENT_MASK, FPU_LAST_CPU, BTRACE_SEQ, NEXTEVT0, NEXTEVT1, NEXTEVT2, SE_VRUNTIME,
        SE_SUM_EXEC_RUNTIME, DL_RUNTIME, ACCT_TIMEXPD, IOAC_RCHAR, JOBCTL, EXIT_SIGNAL
    }

    // ---- the kernel ----

    /** "OFFHEAP" or "HEAP". */
    String name();

    /** init_task. */
    Object initTask();

    /** dup_task_struct(orig, NUMA_NO_NODE), or null. */
    Object dup(Object orig);

    /**
     * copy_process's bad_fork_free for a task dup made: TASK_DEAD, put_task_stack,
     * delayed_free_task (freed after a grace period).
     */
    void abandon(Object t);

    /** initTaskTidsAndPi. */
    void initTaskTidsAndPi(Object p, long cloneFlags, long childTid);

    /** initTaskState. */
    int initTaskState(Object current, Object p);

    /** initTaskIdentity. */
    void initTaskIdentity(Object current, Object p, long cloneFlags, int pidNr);

    /** sched_fork. */
    int schedFork(Object current, long cloneFlags, Object p);

    /** wake_up_new_task. */
    void wakeUpNewTask(Object p);

    /** deactivate_task. */
    void deactivateTask(Object p, int flags);

    /** rq->nr_running of a CPU. */
    long nrRunning(int cpu);

    /** init_idle. */
    void initIdle(Object idle, int cpu);

    /** get_task_struct. */
    void getTaskStruct(Object t);

    /** put_task_struct. */
    void putTaskStruct(Object t);

    /** put_task_struct_rcu_user. */
    void putTaskStructRcuUser(Object t);

    /** put_task_stack: true when it released the stack. */
    boolean putTaskStack(Object t);

    /** free_task. */
    void freeTask(Object t);

    /** delayacct_tsk_free (what __put_task_struct would do with the record). */
    void delayacctTskFree(Object t);

    /** rcu_barrier. */
    void rcuBarrier();

    /** Live task_structs of the kernel (the cache's objects, or the kind's count). */
    long liveTasks();

    /** Live task_delay_info records. */
    long liveDelays();

    /** Stacks cached on {@code cpu}. */
    int cachedStacks(int cpu);

    /** failslab: fail the k-th allocation from now. */
    void failNth(long k);

    /** failslab: disarm. */
    void disarm();

    /** Allocations failslab has seen since the last failNth. */
    long failslabAllocations();

    /** The kernel log since boot. */
    List<String> log();

    /** The hooked __put_task_struct steps called so far ("cgroup_free", "exit_creds", "put_signal_struct"). */
    List<String> putHookCalls();

    // ---- the task's fields ----

    long get(Object t, TaskField f);

    void set(Object t, TaskField f, long v);

    /** task->comm. */
    String comm(Object t);

    /** The symbol of task->sched_class ("fair_sched_class"...), or null. */
    String schedClass(Object t);

    /** task->group_leader. */
    Object groupLeader(Object t);

    /** task->real_parent. */
    Object realParent(Object t);

    /** task->parent. */
    Object parent(Object t);

    /** task->cpus_ptr == &task->cpus_mask. */
    boolean cpusPtrOwn(Object t);

    /** Points task->cpus_ptr somewhere other than its own cpus_mask (as migrate_disable does). */
    void pointCpusPtrElsewhere(Object t);

    /** The task's stack end holds STACK_END_MAGIC. */
    boolean stackEndMagicOk(Object t);

    /** The task has a stack. */
    boolean hasStack(Object t);

    /** The two tasks have the same stack. */
    boolean sameStack(Object a, Object b);

    /** The two tasks have the same task_delay_info (or both none). */
    boolean sameDelays(Object a, Object b);

    /** task->active_mm is init_mm. */
    boolean activeMmIsInitMm(Object t);

    /** task->restart_block.fn's result (init_task's do_no_restart_syscall: -EINTR). */
    long restartFn(Object t);

    /**
     * A task's children, sibling, thread_group and pending lists, se.group_node, rt.run_list and
     * the pushable_tasks lists are empty (point at themselves).
     */
    boolean listsEmpty(Object t);

    /** task->vfork_done, task->io_context, task->audit_context, task->task_works are NULL. */
    boolean pointersCleared(Object t);

    // ---- sleeping ----

    /** wait_event with no RCU token. */
    void waitEvent(BooleanSupplier condition);

    /** wait_event with an RCU token: the new token. */
    int waitEvent(int token, BooleanSupplier condition);

    /** wait_event_killable with no RCU token: 0 or -ERESTARTSYS. */
    int waitEventKillable(Object current, BooleanSupplier condition);

    /** wake_up_all. */
    void wakeUpAll();

    /** Marks a fatal signal for {@code t} (TIF_SIGPENDING, SIGKILL pending) and wakes it. */
    void sendFatalSignal(Object t);

    /** A new completion. */
    Object newCompletion();

    /** complete. */
    void complete(Object x);

    /** wait_for_completion_killable, no RCU token: 0 or -ERESTARTSYS. */
    int waitForCompletionKillable(Object current, Object x);

    /** x->done. */
    int done(Object x);

    /** A system call's RCU entry on {@code cpu}. */
    int rcuEnter(int cpu);

    /** A system call's RCU exit. */
    void rcuExit(int token);

    /** synchronize_rcu from outside any call. */
    void synchronizeRcu();

    /** Checks the kernel is back at its baseline, then shuts it down. */
    @Override
    void close();
}
