package org.kfork.kernel.pid;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.pid.PidRules.PIDNS_ADDING;
import static org.kfork.pid.PidRules.PIDTYPE_MAX;
import static org.kfork.pid.PidRules.PIDTYPE_PID;
import static org.kfork.uapi.Errno.ENOMEM;
import static org.kfork.uapi.Errno.EPERM;

import java.util.function.BooleanSupplier;

import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.ds.HList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.fork.ForkFiles;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.locking.Refcount;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.HlistHead;
import org.kfork.kernel.struct.HlistNode;
import org.kfork.kernel.struct.ListHead;
import org.kfork.kernel.struct.NsCommon;
import org.kfork.kernel.struct.Pid;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.Upid;
import org.kfork.kernel.struct.WaitQueueHead;
import org.kfork.machine.Abi;
import org.kfork.machine.Kasan;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/**
 * kernel/pid.c (Linux 5.12): struct pid, its numbers in every pid namespace and the tasks that
 * use it. Pids and namespaces are modeled addresses; a task is a {@code task_struct} address. The
 * heap twin is {@code org.kfork.heap.pid.HeapPids}, with the same methods in the same order.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>A pid of level L has numbers[0..L]; numbers[i].ns is the namespace of level i on the way
 *       from init_pid_ns down to the namespace it was allocated in, and numbers[i].nr is reserved in
 *       that namespace's IDR from alloc_pid to free_pid.</li>
 *   <li>A number's IDR slot holds NULL while alloc_pid builds the pid, then the pid (idr_replace,
 *       under pidmap_lock), until free_pid removes it; find_pid_ns never sees a half-built pid.</li>
 *   <li>pid_allocated counts the published pids of a namespace, plus PIDNS_ADDING while the
 *       namespace accepts new ones. Both change only under pidmap_lock.</li>
 *   <li>pid->count: one reference per holder (the task lists do not count; a task's thread_pid is
 *       the reference alloc_pid returned). The last put_pid frees the struct to its level's cache
 *       and drops the pid's reference on its namespace. free_pid defers that put past a grace
 *       period (delayed_put_pid), so RCU readers that found the pid may still read it.</li>
 *   <li>pid->tasks[type] lists the tasks using the pid as that type, through
 *       task->pid_links[type]; they change under tasklist_lock (write), which the caller holds,
 *       and are read under RCU.</li>
 * </ul>
 *
 * <h2>Locks</h2>
 * pidmap_lock is a real spinlock (a {@code spinlock_t} static in the kernel image), the innermost
 * lock: alloc_pid and free_pid take it around each IDR change; no allocation other than the IDR's
 * own nodes happens under it. Lookups (find_pid_ns, pid_task) take no lock and must run under
 * rcu_read_lock, as in 5.12.
 *
 * <h2>Deviations</h2>
 * <ul>
 *   <li>checkpoint_restore_ns_capable is asked through a {@link BooleanSupplier} the caller
 *       passes to {@link #allocPid}, until the cred room's capable() is on main; it is asked exactly
 *       where 5.12 asks it (once per requested number, after the range and reaper checks).</li>
 *   <li>wake_up_process is {@code g.wakeUpProcess}, a hook the scheduler's room sets.</li>
 *   <li>pid_namespace.pid_cachep stays NULL: a kmem_cache has no struct in the model's RAM. The
 *       cache of a namespace is its level's ({@link #pidCachep}), which is what 5.12's pointer
 *       names (create_pid_cachep shares one cache per level).</li>
 *   <li>get_task_struct (fork.c) is done here on task->usage for get_pid_task and
 *       find_get_task_by_vpid, until the fork room's ForkTask lands.</li>
 *   <li>No pidfd (pidfd_open, pidfd_getfd, pidfd_create): the files room owns anonymous files.</li>
 * </ul>
 */
public final class Pids {
    private Pids() {
    }

    // ------------------------------------------------------------------------------------------
    // Boot: pid_idr_init, the statics init_struct_pid and init_pid_ns
    // ------------------------------------------------------------------------------------------

    /**
     * pid_idr_init: pid_max and pid_max_min from the possible CPUs, the statics pidmap_lock,
     * init_pid_ns and init_struct_pid in the kernel image, init_pid_ns's IDR, the "pid" cache, and
     * delayed_put_pid in the kernel text.
     */
    public static void pidIdrInit(Globals g) {
        final int cpus = g.cpus.nrCpus();
        g.pidMax = PidRules.pidMaxAtBoot(cpus);
        g.pidMaxMin = PidRules.pidMaxMinAtBoot(cpus);
        g.pidMaxMax = Limits.PID_MAX_LIMIT;
        g.log.info("pid_max: default: " + g.pidMax + " minimum: " + g.pidMaxMin);

        // static __cacheline_aligned_in_smp DEFINE_SPINLOCK(pidmap_lock)
        g.pidmapLock = g.image.alloc(org.kfork.kernel.struct.Spinlock.SIZEOF, Abi.L1_CACHE_BYTES);
        Spinlock.init(g.pidmapLock);

        final long ns = g.image.alloc(PidNamespace.SIZEOF, PidNamespace.ALIGNOF);
        g.initPidNs = ns;
        Refcount.set(ns + PidNamespace.NS + NsCommon.COUNT, 2); // REFCOUNT_INIT(2): never freed
        g.idr.idrInit(ns + PidNamespace.IDR);
        putInt(ns + PidNamespace.PID_ALLOCATED, PIDNS_ADDING);
        putInt(ns + PidNamespace.LEVEL, 0);
        // child_reaper = &init_task and user_ns = &init_user_ns: set by the rooms that declare
        // those statics (fork, cred); NULL until then.
        putInt(ns + PidNamespace.NS + NsCommon.INUM, PidRules.PROC_PID_INIT_INO);

        final long pid = g.image.alloc(Pid.SIZEOF, Pid.ALIGNOF);
        g.initStructPid = pid;
        Refcount.set(pid + Pid.COUNT, 1);
        putInt(pid + Pid.LEVEL, 0);
        putInt(pid + Pid.numbersAt(0) + Upid.NR, 0);
        putLong(pid + Pid.numbersAt(0) + Upid.NS, ns);

        // KMEM_CACHE(pid, SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_ACCOUNT)
        g.pidCachep = g.kmem.slabs().createOrThrow("pid", (int) Pid.SIZEOF, (int) Pid.ALIGNOF,
            SlabFlags.SLAB_HWCACHE_ALIGN | SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, null);
        g.delayedPutPid = g.rcu.register("delayed_put_pid", head -> putPid(g, head - Pid.RCU));
    }

    /**
     * The cache of pids allocated in a namespace of {@code level}: "pid" for level 0, else the
     * "pid_N" cache create_pid_cachep made for it (N = level + 1), or null if none was made yet.
     */
    public static KmemCache pidCachep(Globals g, int level) {
        return level == 0 ? g.pidCachep : g.pidCache.get(level - 1);
    }

    // ------------------------------------------------------------------------------------------
    // Lifetime: get_pid, put_pid, delayed_put_pid, free_pid, alloc_pid
    // ------------------------------------------------------------------------------------------

    /** get_pid: one more reference (NULL passes through). */
    public static long getPid(long pid) {
        if (pid != 0) {
            Refcount.inc(pid + Pid.COUNT, "struct pid");
        }
        return pid;
    }

    /**
     * put_pid: drops a reference; the last one frees the pid to its level's cache and drops its
     * reference on the namespace it was allocated in (which may free that namespace and its
     * ancestors).
     */
    public static void putPid(Globals g, long pid) {
        if (pid == 0) {
            return;
        }
        final int level = getInt(pid + Pid.LEVEL);
        final long ns = getLong(pid + Pid.numbersAt(level) + Upid.NS);
        if (Refcount.decAndTest(pid + Pid.COUNT, "struct pid")) {
            g.free(pidCachep(g, level), pid);
            PidNamespaces.putPidNs(g, ns);
        }
    }

    /**
     * free_pid: the pid's numbers go back to their namespaces' IDRs at once (so that they may be
     * handed out again, set_tid included); the struct waits for a grace period (its reference is
     * dropped by delayed_put_pid). Each namespace's pid_allocated drops by one: when only the
     * reaper is left (2 or 1) the reaper is woken, and when a namespace's first pid goes before
     * its init existed, the namespace stops accepting pids.
     */
    public static void freePid(Globals g, long pid) {
        Spinlock.lock(g.pidmapLock);
        try {
            final int level = getInt(pid + Pid.LEVEL);
            for (int i = 0; i <= level; i++) {
                final long upid = pid + Pid.numbersAt(i);
                final long ns = getLong(upid + Upid.NS);
                final int allocated = getInt(ns + PidNamespace.PID_ALLOCATED) - 1;
                putInt(ns + PidNamespace.PID_ALLOCATED, allocated);
                switch (PidRules.freePidAction(allocated)) {
                    case PidRules.FREE_PID_WAKE_REAPER:
                        g.wakeUpProcess.accept(getLong(ns + PidNamespace.CHILD_REAPER));
                        break;
                    case PidRules.FREE_PID_FIRST_FAILED:
                        if (getLong(ns + PidNamespace.CHILD_REAPER) != 0) {
                            g.log.warn("free_pid: the first pid of a namespace went, but it has a child reaper");
                        }
                        putInt(ns + PidNamespace.PID_ALLOCATED, 0);
                        break;
                    default:
                        break;
                }
                g.idr.idrRemove(ns + PidNamespace.IDR, getInt(upid + Upid.NR));
            }
        } finally {
            Spinlock.unlock(g.pidmapLock);
        }
        g.rcu.callRcu(pid + Pid.RCU, g.delayedPutPid);
    }

    /**
     * alloc_pid: a new pid in {@code ns}, with a number in {@code ns} and in each of its ancestors,
     * in 5.12's order and with its errors:
     * <ol>
     *   <li>{@code setTidSize} greater than ns->level + 1: -EINVAL.</li>
     *   <li>The struct from the level's cache (-ENOMEM).</li>
     *   <li>For each level from ns down to init_pid_ns: the requested number
     *       {@code set_tid[ns->level - i]} while requests remain (outside [1, pid_max): -EINVAL; not
     *       1 in a namespace without a child reaper: -EINVAL; the caller not
     *       checkpoint_restore_ns_capable: -EPERM; taken: -EEXIST), else the next number after the
     *       namespace's cursor, from RESERVED_PIDS once the cursor has passed it (none free:
     *       -EAGAIN); a node allocation failure: -ENOMEM.</li>
     *   <li>A namespace whose init died (PIDNS_ADDING clear): -ENOMEM.</li>
     *   <li>The pid is published in every IDR and counted in pid_allocated.</li>
     * </ol>
     * On failure every number taken at the other levels is released and the struct freed; if the
     * namespace never had a pid, its cursor goes back to 0 so that its first pid is still 1.
     *
     * @param setTid the address of {@code setTidSize} pid_t values (kernel memory, as
     *     kernel_clone_args.set_tid), read only while requests remain
     * @param checkpointRestoreNsCapable asked once per requested number, where 5.12 calls
     *     checkpoint_restore_ns_capable(tmp->user_ns) (with CONFIG_USER_NS off every user_ns is
     *     init_user_ns, so one question serves every level)
     * @return the pid, or a negative errno (Errno.isError)
     */
    public static long allocPid(Globals g, long ns, long setTid, int setTidSize,
                                BooleanSupplier checkpointRestoreNsCapable) {
        final int level = getInt(ns + PidNamespace.LEVEL);
        final int bad = PidRules.setTidSizeCheck(setTidSize, level);
        if (bad != 0) {
            return bad;
        }
        final KmemCache cachep = pidCachep(g, level);
        final long pid = g.alloc(cachep);
        if (pid == 0) {
            return -ENOMEM;
        }
        putInt(pid + Pid.LEVEL, level);
        int requests = setTidSize;
        long tmp = ns;
        for (int i = level; i >= 0; i--) {
            int tid = 0;
            if (requests > 0) {
                tid = getInt(setTid + (long) Integer.BYTES * (level - i));
                int err = PidRules.tidRangeCheck(tid, g.pidMax);
                if (err == 0) {
                    err = PidRules.tidReaperCheck(tid, getLong(tmp + PidNamespace.CHILD_REAPER) != 0);
                }
                if (err == 0 && !checkpointRestoreNsCapable.getAsBoolean()) {
                    err = -EPERM;
                }
                if (err != 0) {
                    return allocPidFail(g, ns, pid, cachep, i, err);
                }
                requests--;
            }
            final long idr = tmp + PidNamespace.IDR;
            int nr;
            Spinlock.lock(g.pidmapLock);
            try {
                if (tid != 0) {
                    nr = PidRules.requestedNrError(g.idr.idrAlloc(idr, 0, tid, tid + 1));
                } else {
                    // NULL until the pid is complete, so find_pid_ns does not see it half-built
                    nr = g.idr.idrAllocCyclic(idr, 0, PidRules.pidMin(g.idr.idrGetCursor(idr)), g.pidMax);
                }
            } finally {
                Spinlock.unlock(g.pidmapLock);
            }
            if (nr < 0) {
                return allocPidFail(g, ns, pid, cachep, i, PidRules.allocNrError(nr));
            }
            putInt(pid + Pid.numbersAt(i) + Upid.NR, nr);
            putLong(pid + Pid.numbersAt(i) + Upid.NS, tmp);
            tmp = getLong(tmp + PidNamespace.PARENT);
        }

        PidNamespaces.getPidNs(g, ns);
        Refcount.set(pid + Pid.COUNT, 1);
        Spinlock.init(pid + Pid.LOCK);
        for (int type = 0; type < PIDTYPE_MAX; ++type) {
            HList.initHead(pidTasks(pid, type));
        }
        initWaitqueueHead(pid + Pid.WAIT_PIDFD);
        HList.initHead(pid + Pid.INODES);

        Spinlock.lock(g.pidmapLock);
        if (!PidRules.adding(getInt(ns + PidNamespace.PID_ALLOCATED))) {
            Spinlock.unlock(g.pidmapLock);
            PidNamespaces.putPidNs(g, ns);
            // -ENOMEM, as 5.12 has always told user space for a namespace whose init is gone
            return allocPidFail(g, ns, pid, cachep, -1, -ENOMEM);
        }
        for (int i = level; i >= 0; i--) {
            final long upid = pid + Pid.numbersAt(i);
            final long upidNs = getLong(upid + Upid.NS);
            // make the pid visible to find_pid_ns
            g.idr.idrReplace(upidNs + PidNamespace.IDR, pid, getInt(upid + Upid.NR));
            putInt(upidNs + PidNamespace.PID_ALLOCATED, getInt(upidNs + PidNamespace.PID_ALLOCATED) + 1);
        }
        Spinlock.unlock(g.pidmapLock);
        return pid;
    }

    /**
     * alloc_pid's out_free: releases the numbers taken at levels above {@code failedLevel} (those
     * of levels failedLevel + 1 .. ns->level), resets the cursor of a namespace that never had a
     * pid, and frees the struct.
     */
    private static long allocPidFail(Globals g, long ns, long pid, KmemCache cachep, int failedLevel, int err) {
        final int level = getInt(ns + PidNamespace.LEVEL);
        Spinlock.lock(g.pidmapLock);
        try {
            for (int i = failedLevel + 1; i <= level; i++) {
                final long upid = pid + Pid.numbersAt(i);
                g.idr.idrRemove(getLong(upid + Upid.NS) + PidNamespace.IDR, getInt(upid + Upid.NR));
            }
            // on failure to allocate the first pid, reset the state
            if (getInt(ns + PidNamespace.PID_ALLOCATED) == PIDNS_ADDING) {
                g.idr.idrSetCursor(ns + PidNamespace.IDR, 0);
            }
        } finally {
            Spinlock.unlock(g.pidmapLock);
        }
        g.free(cachep, pid);
        return err;
    }

    private static void initWaitqueueHead(long wq) {
        Spinlock.init(wq + WaitQueueHead.LOCK);
        final long head = wq + WaitQueueHead.HEAD;
        putLong(head + ListHead.NEXT, head);
        putLong(head + ListHead.PREV, head);
    }

    /**
     * disable_pid_allocation: the namespace accepts no more pids (its init is exiting:
     * zap_pid_ns_processes); alloc_pid gives -ENOMEM from now on.
     */
    public static void disablePidAllocation(Globals g, long ns) {
        Spinlock.lock(g.pidmapLock);
        putInt(ns + PidNamespace.PID_ALLOCATED, getInt(ns + PidNamespace.PID_ALLOCATED) & ~PIDNS_ADDING);
        Spinlock.unlock(g.pidmapLock);
    }

    // ------------------------------------------------------------------------------------------
    // Lookups (under rcu_read_lock, or inside a call, which RCU counts as a reader: as in 5.12)
    // ------------------------------------------------------------------------------------------

    /**
     * find_pid_ns: the pid numbered {@code nr} in {@code ns}, or NULL (also while it is being
     * built). The caller is inside rcu_read_lock or a call: the IDR's radix-tree nodes are freed
     * a grace period after they leave the tree, and alloc_pid's failure path removes numbers under
     * pidmap_lock alone, so tasklist_lock does not keep them. In checked mode a lookup outside
     * every read-side section throws, as 5.12's RCU_LOCKDEP_WARN in find_task_by_pid_ns warns.
     */
    public static long findPidNs(Globals g, int nr, long ns) {
        if (Kasan.ENABLED && g.rcu.state().inside() == 0) {
            throw new IllegalStateException("find_pid_ns(" + nr + ") outside rcu_read_lock: the tree's nodes may go");
        }
        return g.idr.idrFind(ns + PidNamespace.IDR, nr);
    }

    /** find_vpid: {@link #findPidNs} in the pid namespace of {@code current}. */
    public static long findVpid(Globals g, long current, int nr) {
        return findPidNs(g, nr, taskActivePidNs(current));
    }

    /** task_pid_ptr: where the task keeps its pid of {@code type} (its own, or its group's in signal). */
    private static long taskPidPtr(long task, int type) {
        return type == PIDTYPE_PID ? task + TaskStruct.THREAD_PID
            : getLong(task + TaskStruct.SIGNAL) + SignalStruct.PIDS + (long) Long.BYTES * type;
    }

    private static long pidTasks(long pid, int type) {
        return pid + Pid.TASKS + HlistHead.SIZEOF * type;
    }

    private static long pidLink(long task, int type) {
        return task + TaskStruct.PID_LINKS + HlistNode.SIZEOF * type;
    }

    /** init_task_pid: the new task's pid of {@code type} (copy_process, before attach_pid). */
    public static void initTaskPid(long task, int type, long pid) {
        Mem.putLongRelease(taskPidPtr(task, PidRules.checkType(type)), pid);
    }

    /** task_pgrp: the process group of the task's thread group. */
    public static long taskPgrp(long task) {
        return Mem.getLongAcquire(taskPidPtr(task, PidRules.PIDTYPE_PGID));
    }

    /** task_session: the session of the task's thread group. */
    public static long taskSession(long task) {
        return Mem.getLongAcquire(taskPidPtr(task, PidRules.PIDTYPE_SID));
    }

    /** pid_has_task: some task uses the pid as {@code type}. */
    public static boolean pidHasTask(long pid, int type) {
        return !HList.empty(pidTasks(pid, PidRules.checkType(type)));
    }

    // ------------------------------------------------------------------------------------------
    // Tasks and their pids (the callers hold tasklist_lock for writing)
    // ------------------------------------------------------------------------------------------

    /** attach_pid: links the task into the task list of its pid of {@code type}. */
    public static void attachPid(long task, int type) {
        final long pid = getLong(taskPidPtr(task, PidRules.checkType(type)));
        HList.addHeadRcu(pidLink(task, type), pidTasks(pid, type));
    }

    /**
     * __change_pid: unlinks the task from its pid of {@code type}, stores {@code nw} in its place,
     * and frees the old pid (free_pid) when no task uses it as any type any more.
     */
    private static void changePidInternal(Globals g, long task, int type, long nw) {
        final long pidPtr = taskPidPtr(task, type);
        final long pid = getLong(pidPtr);
        HList.delRcu(pidLink(task, type));
        putLong(pidPtr, nw);
        // init_struct_pid is a static that 5.12 never frees: kthreadd and the kernel threads stay
        // in its session and process group for good. The model has no kernel threads, so the
        // last task to leave it (init at its setsid) must not free it.
        if (pid == g.initStructPid) {
            return;
        }
        for (int tmp = PIDTYPE_MAX; --tmp >= 0;) {
            if (pidHasTask(pid, tmp)) {
                return;
            }
        }
        freePid(g, pid);
    }

    /** detach_pid: the task stops using its pid of {@code type} (which goes when unused). */
    public static void detachPid(Globals g, long task, int type) {
        changePidInternal(g, task, PidRules.checkType(type), 0);
    }

    /** change_pid: the task moves from its pid of {@code type} to {@code pid} (setsid, de_thread). */
    public static void changePid(Globals g, long task, int type, long pid) {
        changePidInternal(g, task, PidRules.checkType(type), pid);
        attachPid(task, type);
    }

    /**
     * exchange_tids: two tasks swap their own pids (de_thread, when a thread becomes the group
     * leader); each task's pid list holds exactly that task.
     */
    public static void exchangeTids(long left, long right) {
        final long pid1 = getLong(left + TaskStruct.THREAD_PID);
        final long pid2 = getLong(right + TaskStruct.THREAD_PID);
        HList.swapHeadsRcu(pidTasks(pid1, PIDTYPE_PID), pidTasks(pid2, PIDTYPE_PID));
        Mem.putLongRelease(left + TaskStruct.THREAD_PID, pid2);
        Mem.putLongRelease(right + TaskStruct.THREAD_PID, pid1);
        Mem.putIntVolatile(left + TaskStruct.PID, pidNr(pid2));
        Mem.putIntVolatile(right + TaskStruct.PID, pidNr(pid1));
    }

    /** transfer_pid: {@code nw} takes {@code old}'s place in a pid's list (attach new, detach old, in one). */
    public static void transferPid(long old, long nw, int type) {
        if (PidRules.checkType(type) == PIDTYPE_PID) {
            putLong(nw + TaskStruct.THREAD_PID, getLong(old + TaskStruct.THREAD_PID));
        }
        HList.replaceRcu(pidLink(old, type), pidLink(nw, type));
    }

    /** pid_task: the first task using {@code pid} as {@code type}, or NULL. */
    public static long pidTask(long pid, int type) {
        if (pid == 0) {
            return 0;
        }
        final long first = HList.firstRcu(pidTasks(pid, PidRules.checkType(type)));
        return first == 0 ? 0 : first - TaskStruct.PID_LINKS - HlistNode.SIZEOF * type;
    }

    /** find_task_by_pid_ns: the task numbered {@code nr} in {@code ns}, or NULL (under rcu_read_lock). */
    public static long findTaskByPidNs(Globals g, int nr, long ns) {
        return pidTask(findPidNs(g, nr, ns), PIDTYPE_PID);
    }

    /** find_task_by_vpid: the task numbered {@code vnr} in current's namespace, or NULL. */
    public static long findTaskByVpid(Globals g, long current, int vnr) {
        return findTaskByPidNs(g, vnr, taskActivePidNs(current));
    }

    /**
     * {@link #findTaskByVpid} in a read-side section of its own, for a caller outside any call
     * (boot, /proc, the benchmarks' and tests' drivers) that keeps the task by other means:
     * tasklist_lock held, or nothing else running.
     */
    public static long findTaskByVpidRcu(Globals g, long current, int vnr) {
        final int t = g.rcu.rcuReadLock();
        try {
            return findTaskByVpid(g, current, vnr);
        } finally {
            g.rcu.rcuReadUnlock(t);
        }
    }

    /** find_get_task_by_vpid: {@link #findTaskByVpid} with a reference on the task. */
    public static long findGetTaskByVpid(Globals g, long current, int nr) {
        final int t = g.rcu.rcuReadLock();
        try {
            final long task = findTaskByVpid(g, current, nr);
            if (task != 0) {
                getTaskStruct(task);
            }
            return task;
        } finally {
            g.rcu.rcuReadUnlock(t);
        }
    }

    /** get_task_struct (fork.c's, here until ForkTask lands): task->usage + 1. */
    private static void getTaskStruct(long task) {
        Refcount.inc(task + TaskStruct.USAGE, "task_struct.usage");
    }

    /** get_task_pid: the task's pid of {@code type}, with a reference (NULL if it has none). */
    public static long getTaskPid(Globals g, long task, int type) {
        final int t = g.rcu.rcuReadLock();
        try {
            return getPid(Mem.getLongAcquire(taskPidPtr(task, PidRules.checkType(type))));
        } finally {
            g.rcu.rcuReadUnlock(t);
        }
    }

    /** get_pid_task: the first task using {@code pid} as {@code type}, with a reference, or NULL. */
    public static long getPidTask(Globals g, long pid, int type) {
        final int t = g.rcu.rcuReadLock();
        try {
            final long task = pidTask(pid, type);
            if (task != 0) {
                getTaskStruct(task);
            }
            return task;
        } finally {
            g.rcu.rcuReadUnlock(t);
        }
    }

    /**
     * pidfd_get_pid: the struct pid of current's pidfd {@code fd}, with a reference, or -EBADF
     * when {@code fd} is no open file of current's table or not a pidfd (pidfd_pid's answer).
     * (The file's O_NONBLOCK, which 5.12 hands back too, is never set: the model's pidfds come
     * from CLONE_PIDFD, whose files are O_RDWR | O_CLOEXEC, and there is no pidfd_open.)
     */
    public static long pidfdGetPid(Globals g, long current, int fd) {
        final long files = getLong(current + TaskStruct.FILES);
        final long file = files == 0 ? 0 : Files.fget(files, fd); // fdget
        if (file == 0) {
            return -Errno.EBADF;
        }
        final long pid = ForkFiles.pidfdPid(g, file);
        if (!Errno.isError(pid)) {
            getPid(pid);
        }
        g.fileTable.fput(file); // fdput
        return pid;
    }

    /** find_get_pid: the pid numbered {@code nr} in current's namespace, with a reference, or NULL. */
    public static long findGetPid(Globals g, long current, int nr) {
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

    /** pid_nr: the pid's number in init_pid_ns (0 for NULL). */
    public static int pidNr(long pid) {
        return pid == 0 ? 0 : getInt(pid + Pid.numbersAt(0) + Upid.NR);
    }

    /**
     * pid_nr_ns: the pid's number in {@code ns}, or 0 when the pid is NULL or not visible there
     * (allocated in a namespace that is not {@code ns} or below it).
     */
    public static int pidNrNs(long pid, long ns) {
        if (pid != 0) {
            final int nsLevel = getInt(ns + PidNamespace.LEVEL);
            if (nsLevel <= getInt(pid + Pid.LEVEL)) {
                final long upid = pid + Pid.numbersAt(nsLevel);
                if (getLong(upid + Upid.NS) == ns) {
                    return getInt(upid + Upid.NR);
                }
            }
        }
        return 0;
    }

    /** pid_vnr: the pid's number in current's namespace. */
    public static int pidVnr(long current, long pid) {
        return pidNrNs(pid, taskActivePidNs(current));
    }

    /**
     * __task_pid_nr_ns: the number of the task's pid of {@code type} in {@code ns} (current's
     * namespace when {@code ns} is NULL), under rcu_read_lock.
     */
    public static int taskPidNrNs(Globals g, long current, long task, int type, long ns) {
        final int t = g.rcu.rcuReadLock();
        try {
            final long where = ns != 0 ? ns : taskActivePidNs(current);
            return pidNrNs(Mem.getLongAcquire(taskPidPtr(task, PidRules.checkType(type))), where);
        } finally {
            g.rcu.rcuReadUnlock(t);
        }
    }

    /** task_pid_nr_ns. */
    public static int taskPidNrNs(Globals g, long current, long task, long ns) {
        return taskPidNrNs(g, current, task, PIDTYPE_PID, ns);
    }

    /** task_pid_vnr: the task's own number as current sees it. */
    public static int taskPidVnr(Globals g, long current, long task) {
        return taskPidNrNs(g, current, task, PIDTYPE_PID, 0);
    }

    /** task_tgid_nr_ns. */
    public static int taskTgidNrNs(Globals g, long current, long task, long ns) {
        return taskPidNrNs(g, current, task, PidRules.PIDTYPE_TGID, ns);
    }

    /** task_tgid_vnr: the task's thread-group number as current sees it (getpid). */
    public static int taskTgidVnr(Globals g, long current, long task) {
        return taskPidNrNs(g, current, task, PidRules.PIDTYPE_TGID, 0);
    }

    /** task_active_pid_ns: the namespace the task's own pid was allocated in (NULL once detached). */
    public static long taskActivePidNs(long task) {
        return nsOfPid(Mem.getLongAcquire(task + TaskStruct.THREAD_PID));
    }

    /** ns_of_pid: the namespace {@code pid} was allocated in (NULL for NULL). */
    public static long nsOfPid(long pid) {
        return pid == 0 ? 0 : getLong(pid + Pid.numbersAt(getInt(pid + Pid.LEVEL)) + Upid.NS);
    }

    /** is_child_reaper: the pid is number 1 of its own namespace (its init). */
    public static boolean isChildReaper(long pid) {
        return getInt(pid + Pid.numbersAt(getInt(pid + Pid.LEVEL)) + Upid.NR) == 1;
    }

    /**
     * find_ge_pid: the published pid with the lowest number at or above {@code nr} in {@code ns},
     * or NULL (what /proc's readdir and zap_pid_ns_processes walk with). A number freed between
     * the two IDR lookups is skipped.
     */
    public static long findGePid(Globals g, int nr, long ns) {
        final long idr = ns + PidNamespace.IDR;
        int next = nr;
        for (;;) {
            final int id = g.idr.idrGetNext(idr, next);
            if (id < 0) {
                return 0;
            }
            final long pid = g.idr.idrFind(idr, id);
            if (pid != 0) {
                return pid;
            }
            if (id == Integer.MAX_VALUE) {
                return 0;
            }
            next = id + 1;
        }
    }

    // ------------------------------------------------------------------------------------------
    // sysctl kernel.pid_max
    // ------------------------------------------------------------------------------------------

    /**
     * sysctl kernel.pid_max: a read returns pid_max; a write stores a value within [pid_max_min,
     * pid_max_max] (proc_dointvec_minmax). Numbers already handed out above a lowered pid_max
     * stay; the cyclic search wraps at the new one.
     *
     * @return pid_max after the call, or -EINVAL
     */
    public static int sysctlPidMax(Globals g, boolean write, long value) {
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
    // Inspection and teardown
    // ------------------------------------------------------------------------------------------

    /** refcount_read(&pid->count). */
    public static int pidCount(long pid) {
        return Refcount.read(pid + Pid.COUNT);
    }

    /** ns->pid_allocated as it stands (READ_ONCE; PIDNS_ADDING included). */
    public static int pidAllocated(long ns) {
        return Mem.getIntVolatile(ns + PidNamespace.PID_ALLOCATED);
    }

    /**
     * Tears down pid_idr_init's work when the kernel closes: init_pid_ns's IDR nodes (after a
     * grace period) and the "pid" cache, which must be empty.
     */
    public static void close(Globals g) {
        g.idr.idrDestroy(g.initPidNs + PidNamespace.IDR);
        g.rcu.rcuBarrier();
        g.pidCachep.destroy();
    }
}
