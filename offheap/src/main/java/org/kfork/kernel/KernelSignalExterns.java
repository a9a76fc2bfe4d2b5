package org.kfork.kernel;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;

import org.kfork.ds.HList;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.cred.Capability;
import org.kfork.kernel.cred.Users;
import org.kfork.kernel.exit.ExitWait;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.sched.Wait;
import org.kfork.kernel.signal.SignalExterns;
import org.kfork.kernel.struct.HlistNode;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;

/**
 * The functions of other kernel files that kernel/signal.c calls, as the assembled kernel
 * provides them ({@link Globals#signalExterns}): pid.c's lookups, user.c's free_uid,
 * capability.c's capable, the scheduler's wake-ups and exit.c's __wake_up_parent. Each forwards
 * to its room; none allocates on the Java heap.
 */
public final class KernelSignalExterns implements SignalExterns {
    private final Globals g;

    public KernelSignalExterns(Globals g) {
        this.g = g;
    }

    @Override
    public long findVpid(long current, int nr) {
        return Pids.findVpid(g, current, nr);
    }

    @Override
    public long pidTask(long pid, int type) {
        return Pids.pidTask(pid, type);
    }

    @Override
    public long pidTaskNext(long task, int type) {
        // hlist_for_each_entry_rcu over pid->tasks[type]: the next node of the task's pid_links[type]
        final long n = HList.nextRcu(task + TaskStruct.PID_LINKS + HlistNode.SIZEOF * type);
        return n == 0 ? 0 : n - TaskStruct.PID_LINKS - HlistNode.SIZEOF * type;
    }

    @Override
    public int taskPidNrNs(long task, int type, long ns) {
        // __task_pid_nr_ns with a NULL ns means the caller's; signal.c always passes one
        return Pids.taskPidNrNs(g, task, task, type, ns);
    }

    @Override
    public long taskActivePidNs(long task) {
        return Pids.taskActivePidNs(task);
    }

    @Override
    public long taskPgrp(long task) {
        return Mem.getLongAcquire(getLong(task + TaskStruct.SIGNAL) + SignalStruct.PIDS
            + (long) Long.BYTES * PidRules.PIDTYPE_PGID);
    }

    @Override
    public long initTask() {
        return g.initTask;
    }

    @Override
    public long nextTask(long p) {
        return IntrusiveList.nextRcu(p + TaskStruct.TASKS) - TaskStruct.TASKS;
    }

    @Override
    public void freeUid(long up) {
        Users.freeUid(g, up);
    }

    @Override
    public boolean capable(long current, int cap) {
        return Capability.capable(g, current, cap);
    }

    @Override
    public boolean taskCurr(long p) {
        return getInt(p + TaskStruct.ON_CPU) != 0;
    }

    @Override
    public boolean wakeUpState(long p, int state) {
        Wait.wakeUpState(g, p, state);
        return true;
    }

    @Override
    public void wakeUpParent(long p, long parent) {
        ExitWait.wakeUpParent(g, p, parent);
    }
}
