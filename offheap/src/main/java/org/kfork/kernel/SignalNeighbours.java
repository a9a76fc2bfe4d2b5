package org.kfork.kernel;

import static org.kfork.machine.Mem.getLong;

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
 * The neighbours signal.c calls (pid.c, user.c, capability.c, sched/core.c, exit.c), wired to this
 * kernel's rooms: what whoever assembles a kernel sets as {@code g.signalExterns} (boot leaves it
 * unset, so that the signal room's tests can put a model there). There is no scheduler, so no task
 * is ever running on a CPU (task_curr is false).
 */
public final class SignalNeighbours implements SignalExterns {
    private final Globals g;

    /** The neighbours of {@code g}'s signal.c. */
    public SignalNeighbours(Globals g) {
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
        final long next = Mem.getLongAcquire(task + TaskStruct.PID_LINKS + HlistNode.SIZEOF * type + HlistNode.NEXT);
        return next == 0 ? 0 : next - TaskStruct.PID_LINKS - HlistNode.SIZEOF * type;
    }

    @Override
    public int taskPidNrNs(long task, int type, long ns) {
        return Pids.taskPidNrNs(g, task, task, type, ns);
    }

    @Override
    public long taskActivePidNs(long task) {
        return Pids.taskActivePidNs(task);
    }

    @Override
    public long taskPgrp(long task) {
        return getLong(getLong(task + TaskStruct.SIGNAL) + SignalStruct.PIDS + (long) Long.BYTES * PidRules.PIDTYPE_PGID);
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
        return false;
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
