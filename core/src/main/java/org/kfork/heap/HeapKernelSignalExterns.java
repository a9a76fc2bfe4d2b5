package org.kfork.heap;

import org.kfork.heap.cred.HeapCapability;
import org.kfork.heap.cred.HeapUserStruct;
import org.kfork.heap.cred.HeapUsers;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.exit.HeapExitWait;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.sched.HeapWait;
import org.kfork.heap.signal.HeapSignalExterns;
import org.kfork.pid.PidRules;

/** The heap twin of org.kfork.kernel.KernelSignalExterns: signal.c's neighbours in the assembled heap kernel. */
public final class HeapKernelSignalExterns implements HeapSignalExterns {
    private final HeapGlobals g;

    public HeapKernelSignalExterns(HeapGlobals g) {
        this.g = g;
    }

    @Override
    public Object findVpid(HeapTask current, int nr) {
        return HeapPids.findVpid(g, current, nr);
    }

    @Override
    public HeapTask pidTask(Object pid, int type) {
        return HeapPids.pidTask((HeapPid) pid, type);
    }

    @Override
    public HeapTask pidTaskNext(HeapTask task, int type) {
        final HeapHList.Node n = task.pidLink(type).next();
        return n == null ? null : ((HeapTask.PidLink) n).task();
    }

    @Override
    public int taskPidNrNs(HeapTask task, int type, Object ns) {
        return HeapPids.taskPidNrNs(g, task, task, type, (HeapPidNamespace) ns);
    }

    @Override
    public Object taskActivePidNs(HeapTask task) {
        return HeapPids.taskActivePidNs(task);
    }

    @Override
    public Object taskPgrp(HeapTask task) {
        return task.signal().pid(PidRules.PIDTYPE_PGID);
    }

    @Override
    public HeapTask initTask() {
        return g.initTask;
    }

    @Override
    public HeapTask nextTask(HeapTask p) {
        return ((HeapTask.Link) p.tasks.next()).task;
    }

    @Override
    public void freeUid(HeapUserStruct up) {
        HeapUsers.freeUid(g, up);
    }

    @Override
    public boolean capable(HeapTask current, int cap) {
        return HeapCapability.capable(g, current, cap);
    }

    @Override
    public boolean taskCurr(HeapTask p) {
        return p.onCpu != 0;
    }

    @Override
    public boolean wakeUpState(HeapTask p, int state) {
        HeapWait.wakeUpState(g, p, state);
        return true;
    }

    @Override
    public void wakeUpParent(HeapTask p, HeapTask parent) {
        HeapExitWait.wakeUpParent(g, p, parent);
    }
}
