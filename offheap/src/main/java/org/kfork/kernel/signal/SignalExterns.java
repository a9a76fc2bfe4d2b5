package org.kfork.kernel.signal;

/**
 * The functions of other kernel files that kernel/signal.c calls, as one interface the kernel's
 * globals hold ({@code Globals.signalExterns}). Their owners (pid.c and pid_namespace.c, user.c,
 * capability.c, sched/core.c, exit.c) are written beside this room; whoever assembles the kernel
 * registers an implementation that calls them, and the tests register a small model of their
 * own. Each method is named after the kernel function it stands for and keeps its contract.
 *
 * <p>Tasks are task_struct addresses. A {@code pid} is a {@code struct pid *} and an {@code ns} a
 * {@code struct pid_namespace *}: signal.c only passes them back here, never looks inside.
 */
public interface SignalExterns {
    /**
     * find_vpid (kernel/pid.c): the struct pid of number {@code nr} in {@code current}'s active
     * pid namespace, or 0. Called under rcu_read_lock.
     */
    long findVpid(long current, int nr);

    /** pid_task (kernel/pid.c): the first task attached to {@code pid} as {@code type}, or 0. */
    long pidTask(long pid, int type);

    /**
     * The task after {@code task} on the list of tasks attached to the same pid as {@code type}
     * (the step of do_each_pid_task, hlist_for_each_entry_rcu over pid->tasks[type]), or 0 at the end.
     */
    long pidTaskNext(long task, int type);

    /**
     * __task_pid_nr_ns (kernel/pid.c): the number of {@code task}'s pid of {@code type} in
     * {@code ns}, or 0 when the task is not visible there.
     */
    int taskPidNrNs(long task, int type, long ns);

    /** task_active_pid_ns (kernel/pid.c): the pid namespace {@code task} lives in. */
    long taskActivePidNs(long task);

    /** task_pgrp (include/linux/sched/signal.h): the struct pid of {@code task}'s process group. */
    long taskPgrp(long task);

    /** &init_task: the head of the tasks list for_each_process walks. */
    long initTask();

    /** next_task (include/linux/sched/signal.h): the task after {@code p} on the tasks list. */
    long nextTask(long p);

    /**
     * free_uid (kernel/user.c): drops a reference to a user_struct, freeing it with its uid hash
     * entry when it was the last.
     */
    void freeUid(long up);

    /**
     * ns_capable(ns, cap) (kernel/capability.c) for {@code current}: the reference config has
     * CONFIG_USER_NS off, so every user namespace is init_user_ns and this is capable(cap). True
     * also sets PF_SUPERPRIV on {@code current}.
     */
    boolean capable(long current, int cap);

    /** task_curr (kernel/sched/core.c): whether {@code p} is running on a CPU right now. */
    boolean taskCurr(long p);

    /**
     * wake_up_state (kernel/sched/core.c): wakes {@code p} if its state is in {@code state};
     * true if it was woken.
     */
    boolean wakeUpState(long p, int state);

    /**
     * __wake_up_parent (kernel/exit.c): wakes the tasks of {@code parent}'s thread group sleeping
     * in wait (signal->wait_chldexit), after {@code p} changed state.
     */
    void wakeUpParent(long p, long parent);
}
