package org.kfork.heap.signal;

import org.kfork.heap.cred.HeapUserStruct;
import org.kfork.heap.fork.HeapTask;

/**
 * The heap twin of org.kfork.kernel.signal.SignalExterns: the functions of other kernel files that
 * kernel/signal.c calls, registered in {@code HeapGlobals.signalExterns} by whoever assembles the
 * kernel (the tests register a model of their own). A {@code pid} stands for a struct pid and an
 * {@code ns} for a pid namespace: signal.c only passes them back here, so they are plain objects.
 */
public interface HeapSignalExterns {
    /** find_vpid: the pid numbered {@code nr} in {@code current}'s active namespace, or null. */
    Object findVpid(HeapTask current, int nr);

    /** pid_task: the first task attached to {@code pid} as {@code type}, or null. */
    HeapTask pidTask(Object pid, int type);

    /** The next task attached to the same pid as {@code type} (do_each_pid_task's step), or null. */
    HeapTask pidTaskNext(HeapTask task, int type);

    /** __task_pid_nr_ns: {@code task}'s number of {@code type} in {@code ns}, or 0 when not visible there. */
    int taskPidNrNs(HeapTask task, int type, Object ns);

    /** task_active_pid_ns. */
    Object taskActivePidNs(HeapTask task);

    /** task_pgrp. */
    Object taskPgrp(HeapTask task);

    /** &init_task. */
    HeapTask initTask();

    /** next_task. */
    HeapTask nextTask(HeapTask p);

    /** free_uid: drops a reference to a user_struct. */
    void freeUid(HeapUserStruct up);

    /** ns_capable(ns, cap), which is capable(cap) without CONFIG_USER_NS; true sets PF_SUPERPRIV. */
    boolean capable(HeapTask current, int cap);

    /** task_curr. */
    boolean taskCurr(HeapTask p);

    /** wake_up_state. */
    boolean wakeUpState(HeapTask p, int state);

    /** __wake_up_parent. */
    void wakeUpParent(HeapTask p, HeapTask parent);
}
