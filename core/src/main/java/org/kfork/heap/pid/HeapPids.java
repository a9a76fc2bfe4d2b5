package org.kfork.heap.pid;

import static org.kfork.pid.PidRules.PIDNS_ADDING;
import static org.kfork.pid.PidRules.PIDTYPE_MAX;
import static org.kfork.pid.PidRules.PIDTYPE_PID;
import static org.kfork.uapi.Errno.ENOMEM;
import static org.kfork.uapi.Errno.EPERM;

import java.util.function.BooleanSupplier;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIdrRoot;
import org.kfork.heap.fork.HeapForkFiles;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/**
 * The heap twin of org.kfork.kernel.pid.Pids (kernel/pid.c, Linux 5.12): the same functions in
 * the same order, the same steps, the same errnos, the same allocations counted at the same
 * points, over {@link HeapPid}, {@link HeapPidNamespace} and {@link HeapTask} objects. The
 * invariants, locks and deviations of the off-heap class hold here word for word; in addition:
 * <ul>
 *   <li>A pid's "free" is {@code g.free} of its level's kind: the count goes down when
 *       delayed_put_pid's last put runs, after a grace period, as the off-heap struct goes back to
 *       its cache then.</li>
 *   <li>alloc_pid and create_pid_namespace return the ERR_PTR sentinels of
 *       {@link HeapPid#errPtr} and {@link HeapPidNamespace#errPtr}; test with {@link ErrPtr#isErr}.</li>
 * </ul>
 */
public final class HeapPids {
    private HeapPids() {
    }

    // ------------------------------------------------------------------------------------------
    // Boot: pid_idr_init, the statics init_struct_pid and init_pid_ns
    // ------------------------------------------------------------------------------------------

    /** pid_idr_init (see the off-heap twin). */
    public static void pidIdrInit(HeapGlobals g) {
        final int cpus = g.nrCpus;
        g.pidMax = PidRules.pidMaxAtBoot(cpus);
        g.pidMaxMin = PidRules.pidMaxMinAtBoot(cpus);
        g.pidMaxMax = Limits.PID_MAX_LIMIT;
        g.log.info("pid_max: default: " + g.pidMax + " minimum: " + g.pidMaxMin);

        final HeapPidNamespace ns = new HeapPidNamespace();
        g.initPidNs = ns;
        ns.count.set(2);
        g.idr.idrInit(ns.idr);
        ns.pidAllocated = PIDNS_ADDING;
        ns.level = 0;
        ns.inum = Integer.toUnsignedLong(PidRules.PROC_PID_INIT_INO);

        final HeapPid pid = new HeapPid(0);
        g.initStructPid = pid;
        pid.count.set(1);
        for (int type = 0; type < PIDTYPE_MAX; type++) {
            pid.tasks[type] = new HeapHList.Head();
        }
        pid.numbers[0].nr = 0;
        pid.numbers[0].ns = ns;

        g.pidCachep = g.kind("pid");
        g.delayedPutPid = head -> putPid(g, (HeapPid) head);
    }

    /** The kind of pids allocated in a namespace of {@code level}, or -1 if not made yet. */
    public static int pidCachep(HeapGlobals g, int level) {
        return level == 0 ? g.pidCachep : g.pidCache.get(level - 1);
    }

    // ------------------------------------------------------------------------------------------
    // Lifetime: get_pid, put_pid, delayed_put_pid, free_pid, alloc_pid
    // ------------------------------------------------------------------------------------------

    /** get_pid. */
    public static HeapPid getPid(HeapPid pid) {
        if (pid != null) {
            pid.count.inc();
        }
        return pid;
    }

    /** put_pid. */
    public static void putPid(HeapGlobals g, HeapPid pid) {
        if (pid == null) {
            return;
        }
        final HeapPidNamespace ns = pid.numbers[pid.level].ns;
        if (pid.count.decAndTest()) {
            g.free(pidCachep(g, pid.level));
            HeapPidNamespaces.putPidNs(g, ns);
        }
    }

    /** free_pid. */
    public static void freePid(HeapGlobals g, HeapPid pid) {
        g.pidmapLock.lock();
        try {
            for (int i = 0; i <= pid.level; i++) {
                final HeapUpid upid = pid.numbers[i];
                final HeapPidNamespace ns = upid.ns;
                final int allocated = ns.pidAllocated - 1;
                ns.pidAllocated = allocated;
                switch (PidRules.freePidAction(allocated)) {
                    case PidRules.FREE_PID_WAKE_REAPER:
                        g.wakeUpProcess.accept(ns.childReaper);
                        break;
                    case PidRules.FREE_PID_FIRST_FAILED:
                        if (ns.childReaper != null) {
                            g.log.warn("free_pid: the first pid of a namespace went, but it has a child reaper");
                        }
                        ns.pidAllocated = 0;
                        break;
                    default:
                        break;
                }
                g.idr.idrRemove(ns.idr, upid.nr);
            }
        } finally {
            g.pidmapLock.unlock();
        }
        g.rcu.callRcu(pid, g.delayedPutPid);
    }

    /**
     * alloc_pid (see the off-heap twin for the order of checks and errors).
     *
     * @param setTid the requested numbers, innermost level first; read only while requests remain
     * @return the pid, or {@link HeapPid#errPtr} of the errno
     */
    public static HeapPid allocPid(HeapGlobals g, HeapPidNamespace ns, int[] setTid, int setTidSize,
                                   BooleanSupplier checkpointRestoreNsCapable) {
        final int level = ns.level;
        final int bad = PidRules.setTidSizeCheck(setTidSize, level);
        if (bad != 0) {
            return HeapPid.errPtr(bad);
        }
        final int cachep = pidCachep(g, level);
        if (!g.alloc(cachep)) {
            return HeapPid.errPtr(-ENOMEM);
        }
        final HeapPid pid = new HeapPid(level);
        int requests = setTidSize;
        HeapPidNamespace tmp = ns;
        for (int i = level; i >= 0; i--) {
            int tid = 0;
            if (requests > 0) {
                tid = setTid[level - i];
                int err = PidRules.tidRangeCheck(tid, g.pidMax);
                if (err == 0) {
                    err = PidRules.tidReaperCheck(tid, tmp.childReaper != null);
                }
                if (err == 0 && !checkpointRestoreNsCapable.getAsBoolean()) {
                    err = -EPERM;
                }
                if (err != 0) {
                    return allocPidFail(g, ns, pid, cachep, i, err);
                }
                requests--;
            }
            final HeapIdrRoot<HeapPid> idr = tmp.idr;
            int nr;
            g.pidmapLock.lock();
            try {
                if (tid != 0) {
                    nr = PidRules.requestedNrError(g.idr.idrAlloc(idr, null, tid, tid + 1));
                } else {
                    nr = g.idr.idrAllocCyclic(idr, null, PidRules.pidMin(g.idr.idrGetCursor(idr)), g.pidMax);
                }
            } finally {
                g.pidmapLock.unlock();
            }
            if (nr < 0) {
                return allocPidFail(g, ns, pid, cachep, i, PidRules.allocNrError(nr));
            }
            pid.numbers[i].nr = nr;
            pid.numbers[i].ns = tmp;
            tmp = tmp.parent;
        }

        HeapPidNamespaces.getPidNs(g, ns);
        pid.count.set(1);
        for (int type = 0; type < PIDTYPE_MAX; ++type) {
            pid.tasks[type] = new HeapHList.Head();
        }

        g.pidmapLock.lock();
        if (!PidRules.adding(ns.pidAllocated)) {
            g.pidmapLock.unlock();
            HeapPidNamespaces.putPidNs(g, ns);
            return allocPidFail(g, ns, pid, cachep, -1, -ENOMEM);
        }
        for (int i = level; i >= 0; i--) {
            final HeapUpid upid = pid.numbers[i];
            g.idr.idrReplace(upid.ns.idr, pid, upid.nr);
            upid.ns.pidAllocated = upid.ns.pidAllocated + 1;
        }
        g.pidmapLock.unlock();
        return pid;
    }

    /** alloc_pid's out_free (see the off-heap twin). */
    private static HeapPid allocPidFail(HeapGlobals g, HeapPidNamespace ns, HeapPid pid, int cachep, int failedLevel,
                                        int err) {
        g.pidmapLock.lock();
        try {
            for (int i = failedLevel + 1; i <= ns.level; i++) {
                final HeapUpid upid = pid.numbers[i];
                g.idr.idrRemove(upid.ns.idr, upid.nr);
            }
            if (ns.pidAllocated == PIDNS_ADDING) {
                g.idr.idrSetCursor(ns.idr, 0);
            }
        } finally {
            g.pidmapLock.unlock();
        }
        g.free(cachep);
        return HeapPid.errPtr(err);
    }

    /** disable_pid_allocation. */
    public static void disablePidAllocation(HeapGlobals g, HeapPidNamespace ns) {
        g.pidmapLock.lock();
        ns.pidAllocated = ns.pidAllocated & ~PIDNS_ADDING;
        g.pidmapLock.unlock();
    }

    // ------------------------------------------------------------------------------------------
    // Lookups
    // ------------------------------------------------------------------------------------------

    /** find_pid_ns. */
    public static HeapPid findPidNs(HeapGlobals g, int nr, HeapPidNamespace ns) {
        return g.idr.idrFind(ns.idr, nr);
    }

    /** find_vpid. */
    public static HeapPid findVpid(HeapGlobals g, HeapTask current, int nr) {
        return findPidNs(g, nr, taskActivePidNs(current));
    }

    /** task_pid_ptr, read (rcu_dereference). */
    private static HeapPid taskPid(HeapTask task, int type) {
        return type == PIDTYPE_PID ? task.threadPid() : task.signal().pid(type);
    }

    /** task_pid_ptr, written. */
    private static void setTaskPid(HeapTask task, int type, HeapPid pid) {
        if (type == PIDTYPE_PID) {
            task.setThreadPid(pid);
        } else {
            task.signal().setPid(type, pid);
        }
    }

    /** init_task_pid: the new task's pid of {@code type} (copy_process, before attach_pid). */
    public static void initTaskPid(HeapTask task, int type, HeapPid pid) {
        setTaskPid(task, PidRules.checkType(type), pid);
    }

    /** task_pgrp: the process group of the task's thread group. */
    public static HeapPid taskPgrp(HeapTask task) {
        return task.signal().pid(PidRules.PIDTYPE_PGID);
    }

    /** task_session: the session of the task's thread group. */
    public static HeapPid taskSession(HeapTask task) {
        return task.signal().pid(PidRules.PIDTYPE_SID);
    }

    /** pid_has_task. */
    public static boolean pidHasTask(HeapPid pid, int type) {
        return !HeapHList.empty(pid.tasks[PidRules.checkType(type)]);
    }

    // ------------------------------------------------------------------------------------------
    // Tasks and their pids (the callers hold tasklist_lock for writing)
    // ------------------------------------------------------------------------------------------

    /** attach_pid. */
    public static void attachPid(HeapTask task, int type) {
        final HeapPid pid = taskPid(task, PidRules.checkType(type));
        HeapHList.addHeadRcu(task.pidLink(type), pid.tasks[type]);
    }

    /** __change_pid. */
    private static void changePidInternal(HeapGlobals g, HeapTask task, int type, HeapPid nw) {
        final HeapPid pid = taskPid(task, type);
        HeapHList.delRcu(task.pidLink(type));
        setTaskPid(task, type, nw);
        if (pid == g.initStructPid) {
            return; // a static 5.12 never frees (see the off-heap twin)
        }
        for (int tmp = PIDTYPE_MAX; --tmp >= 0;) {
            if (pidHasTask(pid, tmp)) {
                return;
            }
        }
        freePid(g, pid);
    }

    /** detach_pid. */
    public static void detachPid(HeapGlobals g, HeapTask task, int type) {
        changePidInternal(g, task, PidRules.checkType(type), null);
    }

    /** change_pid. */
    public static void changePid(HeapGlobals g, HeapTask task, int type, HeapPid pid) {
        changePidInternal(g, task, PidRules.checkType(type), pid);
        attachPid(task, type);
    }

    /** exchange_tids. */
    public static void exchangeTids(HeapTask left, HeapTask right) {
        final HeapPid pid1 = left.threadPid();
        final HeapPid pid2 = right.threadPid();
        HeapHList.swapHeadsRcu(pid1.tasks[PIDTYPE_PID], pid2.tasks[PIDTYPE_PID]);
        left.setThreadPid(pid2);
        right.setThreadPid(pid1);
        left.setPid(pidNr(pid2));
        right.setPid(pidNr(pid1));
    }

    /** transfer_pid. */
    public static void transferPid(HeapTask old, HeapTask nw, int type) {
        if (PidRules.checkType(type) == PIDTYPE_PID) {
            nw.setThreadPid(old.threadPid());
        }
        HeapHList.replaceRcu(old.pidLink(type), nw.pidLink(type));
    }

    /** pid_task. */
    public static HeapTask pidTask(HeapPid pid, int type) {
        if (pid == null) {
            return null;
        }
        final HeapHList.Node first = HeapHList.firstRcu(pid.tasks[PidRules.checkType(type)]);
        return first == null ? null : ((HeapTask.PidLink) first).task();
    }

    /** find_task_by_pid_ns. */
    public static HeapTask findTaskByPidNs(HeapGlobals g, int nr, HeapPidNamespace ns) {
        return pidTask(findPidNs(g, nr, ns), PIDTYPE_PID);
    }

    /** find_task_by_vpid. */
    public static HeapTask findTaskByVpid(HeapGlobals g, HeapTask current, int vnr) {
        return findTaskByPidNs(g, vnr, taskActivePidNs(current));
    }

    /** find_get_task_by_vpid. */
    public static HeapTask findGetTaskByVpid(HeapGlobals g, HeapTask current, int nr) {
        final int t = g.rcu.rcuReadLock();
        try {
            final HeapTask task = findTaskByVpid(g, current, nr);
            if (task != null) {
                getTaskStruct(task);
            }
            return task;
        } finally {
            g.rcu.rcuReadUnlock(t);
        }
    }

    /** get_task_struct (fork.c's, here until HeapForkTask lands). */
    private static void getTaskStruct(HeapTask task) {
        task.usageInc();
    }

    /** get_task_pid. */
    public static HeapPid getTaskPid(HeapGlobals g, HeapTask task, int type) {
        final int t = g.rcu.rcuReadLock();
        try {
            return getPid(taskPid(task, PidRules.checkType(type)));
        } finally {
            g.rcu.rcuReadUnlock(t);
        }
    }

    /** get_pid_task. */
    public static HeapTask getPidTask(HeapGlobals g, HeapPid pid, int type) {
        final int t = g.rcu.rcuReadLock();
        try {
            final HeapTask task = pidTask(pid, type);
            if (task != null) {
                getTaskStruct(task);
            }
            return task;
        } finally {
            g.rcu.rcuReadUnlock(t);
        }
    }

    /** pidfd_get_pid (see the off-heap twin): the pid with a reference, or {@link HeapPid#errPtr}(-EBADF). */
    public static HeapPid pidfdGetPid(HeapGlobals g, HeapTask current, int fd) {
        final HeapFile file = current.files == null ? null : HeapFiles.fget(current.files, fd);
        if (file == null) {
            return HeapPid.errPtr(-Errno.EBADF);
        }
        final HeapPid pid = HeapForkFiles.pidfdPid(g, file);
        if (!ErrPtr.isErr(pid)) {
            getPid(pid);
        }
        g.fileTable.fput(file);
        return pid;
    }

    /** find_get_pid. */
    public static HeapPid findGetPid(HeapGlobals g, HeapTask current, int nr) {
        final int t = g.rcu.rcuReadLock();
        try {
            return getPid(findVpid(g, current, nr));
        } finally {
            g.rcu.rcuReadUnlock(t);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Numbers as a namespace sees them
    // ------------------------------------------------------------------------------------------

    /** pid_nr. */
    public static int pidNr(HeapPid pid) {
        return pid == null ? 0 : pid.numbers[0].nr;
    }

    /** pid_nr_ns. */
    public static int pidNrNs(HeapPid pid, HeapPidNamespace ns) {
        if (pid != null && ns.level <= pid.level) {
            final HeapUpid upid = pid.numbers[ns.level];
            if (upid.ns == ns) {
                return upid.nr;
            }
        }
        return 0;
    }

    /** pid_vnr. */
    public static int pidVnr(HeapTask current, HeapPid pid) {
        return pidNrNs(pid, taskActivePidNs(current));
    }

    /** __task_pid_nr_ns. */
    public static int taskPidNrNs(HeapGlobals g, HeapTask current, HeapTask task, int type, HeapPidNamespace ns) {
        final int t = g.rcu.rcuReadLock();
        try {
            final HeapPidNamespace where = ns != null ? ns : taskActivePidNs(current);
            return pidNrNs(taskPid(task, PidRules.checkType(type)), where);
        } finally {
            g.rcu.rcuReadUnlock(t);
        }
    }

    /** task_pid_nr_ns. */
    public static int taskPidNrNs(HeapGlobals g, HeapTask current, HeapTask task, HeapPidNamespace ns) {
        return taskPidNrNs(g, current, task, PIDTYPE_PID, ns);
    }

    /** task_pid_vnr. */
    public static int taskPidVnr(HeapGlobals g, HeapTask current, HeapTask task) {
        return taskPidNrNs(g, current, task, PIDTYPE_PID, null);
    }

    /** task_tgid_nr_ns. */
    public static int taskTgidNrNs(HeapGlobals g, HeapTask current, HeapTask task, HeapPidNamespace ns) {
        return taskPidNrNs(g, current, task, PidRules.PIDTYPE_TGID, ns);
    }

    /** task_tgid_vnr. */
    public static int taskTgidVnr(HeapGlobals g, HeapTask current, HeapTask task) {
        return taskPidNrNs(g, current, task, PidRules.PIDTYPE_TGID, null);
    }

    /** task_active_pid_ns. */
    public static HeapPidNamespace taskActivePidNs(HeapTask task) {
        return nsOfPid(task.threadPid());
    }

    /** ns_of_pid. */
    public static HeapPidNamespace nsOfPid(HeapPid pid) {
        return pid == null ? null : pid.numbers[pid.level].ns;
    }

    /** is_child_reaper. */
    public static boolean isChildReaper(HeapPid pid) {
        return pid.numbers[pid.level].nr == 1;
    }

    /** find_ge_pid. */
    public static HeapPid findGePid(HeapGlobals g, int nr, HeapPidNamespace ns) {
        int next = nr;
        for (;;) {
            final int id = g.idr.idrGetNext(ns.idr, next);
            if (id < 0) {
                return null;
            }
            final HeapPid pid = g.idr.idrFind(ns.idr, id);
            if (pid != null) {
                return pid;
            }
            if (id == Integer.MAX_VALUE) {
                return null;
            }
            next = id + 1;
        }
    }

    // ------------------------------------------------------------------------------------------
    // sysctl kernel.pid_max
    // ------------------------------------------------------------------------------------------

    /** sysctl kernel.pid_max (see the off-heap twin). */
    public static int sysctlPidMax(HeapGlobals g, boolean write, long value) {
        if (!write) {
            return g.pidMax;
        }
        final int err = PidRules.pidMaxWriteCheck(value, g.pidMaxMin, g.pidMaxMax);
        if (err != 0) {
            return err;
        }
        g.pidMax = (int) value;
        return g.pidMax;
    }

    // ------------------------------------------------------------------------------------------
    // Inspection
    // ------------------------------------------------------------------------------------------

    /** refcount_read(&pid->count). */
    public static int pidCount(HeapPid pid) {
        return pid.count.read();
    }

    /** READ_ONCE(ns->pid_allocated). */
    public static int pidAllocated(HeapPidNamespace ns) {
        return ns.pidAllocated;
    }
}
