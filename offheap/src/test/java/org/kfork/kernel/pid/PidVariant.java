package org.kfork.kernel.pid;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * The test-side adapter through which one suite drives both ports of kernel/pid.c and
 * kernel/pid_namespace.c: the off-heap one ({@link OffHeapPidVariant}, over Pids and
 * PidNamespaces) and the heap twin ({@link HeapPidVariant}, over HeapPids and
 * HeapPidNamespaces).
 *
 * <p>Pids, namespaces and tasks are named by int handles: 0 is NULL, a positive int names an
 * object (the same object always gets the same handle), a negative int is an errno. Both variants
 * hand out handles in the order objects first appear, so a sequence of calls gives the same
 * handles on both.
 */
interface PidVariant extends AutoCloseable {
    /** Capability answers for alloc_pid's checkpoint_restore_ns_capable. */
    BooleanSupplier CAPABLE = () -> true;
    /** ... and its refusal. */
    BooleanSupplier NOT_CAPABLE = () -> false;

    String name();

    // ---- statics and sysctl ----
    int initPidNs();

    int initStructPid();

    int sysctlPidMax(boolean write, long value);

    int pidMaxMin();

    // ---- pids ----
    /** alloc_pid with set_tid = {@code setTid[0..setTidSize)} (the array may be longer or null when the size is 0). */
    int allocPid(int ns, int[] setTid, int setTidSize, BooleanSupplier capable);

    default int allocPid(int ns) {
        return allocPid(ns, null, 0, CAPABLE);
    }

    default int allocPid(int ns, int... setTid) {
        return allocPid(ns, setTid, setTid.length, CAPABLE);
    }

    void freePid(int pid);

    int getPid(int pid);

    void putPid(int pid);

    int pidCount(int pid);

    int pidLevel(int pid);

    int pidNr(int pid);

    /** numbers[level].nr. */
    int upidNr(int pid, int level);

    /** numbers[level].ns. */
    int upidNs(int pid, int level);

    int pidNrNs(int pid, int ns);

    int nsOfPid(int pid);

    boolean isChildReaper(int pid);

    int findPidNs(int nr, int ns);

    int findGePid(int nr, int ns);

    void disablePidAllocation(int ns);

    // ---- namespaces ----
    int createPidNamespace(int parent, int euid);

    int copyPidNs(long flags, int current, int oldNs, int euid);

    int getPidNs(int ns);

    void putPidNs(int ns);

    int nsCount(int ns);

    int nsLevel(int ns);

    int nsParent(int ns);

    long nsInum(int ns);

    int pidAllocated(int ns);

    int idrCursor(int ns);

    void setIdrCursor(int ns, int cursor);

    /** Ids the namespace's IDR holds (NULL entries included), after checking its invariants. */
    long validateIdr(int ns);

    void setChildReaper(int ns, int task);

    int childReaper(int ns);

    int pidNsUcount(int euid);

    int pidNsUcountMax();

    // ---- tasks ----
    /** A zeroed task with a zeroed signal_struct and usage 1. */
    int newTask();

    /** Frees a task made by {@link #newTask} (its pids must be detached). */
    void freeTask(int task);

    /** init_task_pid: task->thread_pid (PIDTYPE_PID) or task->signal->pids[type] = pid. */
    void initTaskPid(int task, int type, int pid);

    /** *task_pid_ptr(task, type). */
    int taskPid(int task, int type);

    /** task->pid. */
    int taskPidField(int task);

    void setTaskPidField(int task, int nr);

    int taskUsage(int task);

    /** put_task_struct's count down, for tests that took a reference (no free). */
    void dropTaskUsage(int task);

    void attachPid(int task, int type);

    void detachPid(int task, int type);

    void changePid(int task, int type, int pid);

    void transferPid(int old, int nw, int type);

    void exchangeTids(int left, int right);

    boolean pidHasTask(int pid, int type);

    int pidTask(int pid, int type);

    int findTaskByPidNs(int nr, int ns);

    int findTaskByVpid(int current, int vnr);

    int findGetTaskByVpid(int current, int vnr);

    int getTaskPid(int task, int type);

    int getPidTask(int pid, int type);

    int findGetPid(int current, int nr);

    /** __task_pid_nr_ns (ns 0: current's). */
    int taskPidNrNs(int current, int task, int type, int ns);

    int taskPidVnr(int current, int task);

    int taskTgidVnr(int current, int task);

    int pidVnr(int current, int pid);

    int taskActivePidNs(int task);

    /** Number of hlist nodes on pid->tasks[type], after checking the list. */
    int pidTasksLength(int pid, int type);

    // ---- the machine ----
    void failNth(long k);

    void disarm();

    long allocationsSinceArmed();

    boolean failArmed();

    void rcuBarrier();

    long callbacksPending();

    /** Whether a cache (off-heap) or kind (heap) of that name exists. */
    boolean cacheExists(String name);

    /** Live objects per cache of the pid room: pid, pid_N, pid_namespace, radix_tree_node. */
    Map<String, Long> liveObjects();

    /** wake_up_process as free_pid calls it: {@code hook} gets the woken task's handle. */
    void onWakeUpProcess(IntConsumer hook);

    List<String> log();

    @Override
    void close();
}
