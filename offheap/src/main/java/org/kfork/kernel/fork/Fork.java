package org.kfork.kernel.fork;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.uapi.CloneFlags.CLONE_NEWPID;
import static org.kfork.uapi.CloneFlags.CLONE_NEWUSER;
import static org.kfork.uapi.CloneFlags.CLONE_PARENT;
import static org.kfork.uapi.CloneFlags.CLONE_PARENT_SETTID;
import static org.kfork.uapi.CloneFlags.CLONE_PIDFD;
import static org.kfork.uapi.CloneFlags.CLONE_SETTLS;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_VFORK;
import static org.kfork.uapi.CloneFlags.CLONE_VM;

import java.util.function.BooleanSupplier;

import org.kfork.ds.HList;
import org.kfork.ds.IntrusiveList;
import org.kfork.fork.CloneRules;
import org.kfork.kernel.Globals;
import org.kfork.kernel.block.BlkIoc;
import org.kfork.kernel.cgroup.Cgroups;
import org.kfork.kernel.cred.Capability;
import org.kfork.kernel.cred.Creds;
import org.kfork.kernel.delayacct.Delayacct;
import org.kfork.kernel.exit.Exit;
import org.kfork.kernel.events.ProcConnector;
import org.kfork.kernel.fs.AnonInodes;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.fs.FsStructs;
import org.kfork.kernel.locking.Refcount;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.mm.Uaccess;
import org.kfork.kernel.nsproxy.Nsproxies;
import org.kfork.kernel.pid.PidNamespaces;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.sched.SchedCore;
import org.kfork.kernel.sched.Wait;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.HlistNode;
import org.kfork.kernel.struct.KernelCloneArgs;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.MultiprocessSignals;
import org.kfork.kernel.struct.Nsproxy;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.ThreadStruct;
import org.kfork.kernel.struct.UserStruct;
import org.kfork.kernel.struct.Vmacache;
import org.kfork.machine.Abi;
import org.kfork.machine.Mem;
import org.kfork.mm.DupMode;
import org.kfork.mm.MmFlags;
import org.kfork.mm.Pgtable;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;

/**
 * kernel/fork.c (5.12), the heart of it: copy_process with its bad_fork unwinding, copy_mm, and
 * kernel_clone with the vfork wait. The system-call entries (fork, vfork, clone, clone3) and
 * unshare are in {@link ForkCalls}.
 *
 * <p>copy_process builds the child in 5.12's order (dup_task_struct, the RLIMIT_NPROC check,
 * copy_creds, the thread count, sched_fork, copy_files, copy_fs, copy_sighand, copy_signal,
 * copy_mm, copy_namespaces, copy_io, copy_thread, alloc_pid, the pidfd) and makes it visible
 * under tasklist_lock and current's siglock. Each failure unwinds exactly the steps made, in
 * reverse, through the labels of 5.12 (one method per label below, each falling through to the
 * next), so that a failure at any allocation leaves every counter, cache and reference as it was.
 *
 * <p>Invariants kept:
 * <ul>
 *   <li>A task is visible (on init_task.tasks, its parent's children, its pids' lists, its
 *       group's thread lists) only once nothing can fail; nr_threads, total_forks and the CPU's
 *       process_counts change in the same critical section.</li>
 *   <li>A task's struct pid is attached as PIDTYPE_PID, and, for a group leader, as TGID; the
 *       leader's PGID and SID are its parent's.</li>
 *   <li>kernel_clone returns the child's pid in the caller's namespace, and for CLONE_VFORK only
 *       after the child released the parent's mm (exit or exec) or the parent was killed.</li>
 * </ul>
 *
 * <p>The kernel's on-stack locals of the clone path (kernel_clone_args, clone3's set_tid array,
 * copy_process's multiprocess_signals, kernel_clone's vfork completion) live in a fixed frame at
 * the bottom of current's thread stack, above the end magic: {@link #frame}. A task makes at most
 * one system call at a time, as on a CPU, so the frame is never shared; the child's vfork_done
 * points into its parent's stack, as in the kernel.
 */
public final class Fork {
    /** Frame offset of the call's struct kernel_clone_args (104 bytes). */
    public static final long FRAME_KARGS = 64;
    /** Frame offset of clone3's {@code pid_t set_tid[MAX_PID_NS_LEVEL]}. */
    public static final long FRAME_SET_TID = FRAME_KARGS + 128;
    /** Frame offset of clone3's copy of the user's struct clone_args (88 bytes). */
    public static final long FRAME_UARGS = FRAME_SET_TID + Integer.BYTES * Limits.MAX_PID_NS_LEVEL;
    /** Frame offset of copy_process's {@code struct multiprocess_signals delayed}. */
    public static final long FRAME_DELAYED = FRAME_UARGS + 128;
    /** Frame offset of kernel_clone's {@code struct completion vfork}. */
    public static final long FRAME_VFORK = FRAME_DELAYED + 64;
    /**
     * Frame offset of a kernel thread's or io thread's function, the register (bx) that x86's
     * kthread_frame_init loads for ret_from_fork; the model keeps it in the new task's frame.
     */
    public static final long FRAME_KTHREAD_FN = FRAME_VFORK + 64;
    /** Frame offset of that function's argument (r12 in kthread_frame_init). */
    public static final long FRAME_KTHREAD_ARG = FRAME_KTHREAD_FN + Long.BYTES;
    /** The end of the frame (bytes from the stack's lowest address). */
    public static final long FRAME_END = FRAME_KTHREAD_ARG + Long.BYTES;

    /** alloc_pid's capability question when no set_tid number is asked for: never asked. */
    private static final BooleanSupplier NO_SET_TID = () -> {
        throw new IllegalStateException("alloc_pid asked for checkpoint_restore_ns_capable without set_tid");
    };

    private Fork() {
    }

    /**
     * The direct-map address of {@code task}'s call frame, at the bottom of its thread stack: the
     * frame lies in the stack's first page, so the page table walk of that page's vmalloc address
     * (init_stack lies in the kernel image, already in the direct map) reaches all of it.
     */
    public static long frame(Globals g, long task) {
        final long stack = getLong(task + TaskStruct.STACK);
        return Long.compareUnsigned(stack, Abi.VMALLOC_START) >= 0 ? g.forkInit.stacks().translate(stack) : stack;
    }

    // ------------------------------------------------------------------------------------------
    // copy_mm
    // ------------------------------------------------------------------------------------------

    /**
     * copy_mm: the child's fault and switch counters start at 0; a kernel thread (no mm) gets
     * none; CLONE_VM shares current's mm (mm_users + 1); otherwise dup_mm copies it.
     *
     * @return 0 or -ENOMEM (tsk->mm and active_mm are then NULL)
     */
    static int copyMm(Globals g, long current, long cloneFlags, long tsk) {
        putLong(tsk + TaskStruct.MIN_FLT, 0);
        putLong(tsk + TaskStruct.MAJ_FLT, 0);
        putLong(tsk + TaskStruct.NVCSW, 0);
        putLong(tsk + TaskStruct.NIVCSW, 0);
        // (last_switch_count/time: CONFIG_DETECT_HUNG_TASK's fields are not in the reference layout)
        putLong(tsk + TaskStruct.MM, 0);
        putLong(tsk + TaskStruct.ACTIVE_MM, 0);
        final long oldmm = getLong(current + TaskStruct.MM);
        if (oldmm == 0) {
            return 0;
        }
        Mem.zero(tsk + TaskStruct.VMACACHE + Vmacache.VMAS, (long) Long.BYTES * Limits.VMACACHE_SIZE); // vmacache_flush
        final long mm;
        if ((cloneFlags & CLONE_VM) != 0) {
            ForkMm.mmget(oldmm);
            mm = oldmm;
        } else {
            mm = ForkMm.dupMm(g.mm, oldmm, tsk, DupMode.APPEND);
            if (Errno.isError(mm)) {
                return -Errno.ENOMEM; // dup_mm answers NULL for every failure
            }
        }
        putLong(tsk + TaskStruct.MM, mm);
        putLong(tsk + TaskStruct.ACTIVE_MM, mm);
        return 0;
    }

    /** mm_clear_owner (CONFIG_MEMCG): the mm forgets an owner that is going away. */
    private static void mmClearOwner(long mm, long p) {
        if (Mem.getLongAcquire(mm + MmStruct.OWNER) == p) {
            Mem.putLongRelease(mm + MmStruct.OWNER, 0);
        }
    }

    /**
     * copy_oom_score_adj: a new process sharing its parent's mm (CLONE_VM without CLONE_THREAD or
     * CLONE_VFORK; not a kernel thread) marks the mm MMF_MULTIPROCESS and takes the parent's oom
     * scores as they are now (they may have changed since copy_signal).
     */
    private static void copyOomScoreAdj(Globals g, long current, long cloneFlags, long p) {
        final long mm = getLong(p + TaskStruct.MM);
        if (mm == 0) {
            return;
        }
        if ((cloneFlags & (CLONE_VM | CLONE_THREAD | CLONE_VFORK)) != CLONE_VM) {
            return;
        }
        synchronized (g.oomAdjMutex) { // oom_adj_mutex, against __set_oom_adj
            setBit(mm + MmStruct.FLAGS, MmFlags.MMF_MULTIPROCESS);
            final long psig = getLong(p + TaskStruct.SIGNAL);
            final long csig = getLong(current + TaskStruct.SIGNAL);
            Mem.putShort(psig + SignalStruct.OOM_SCORE_ADJ, Mem.getShort(csig + SignalStruct.OOM_SCORE_ADJ));
            Mem.putShort(psig + SignalStruct.OOM_SCORE_ADJ_MIN, Mem.getShort(csig + SignalStruct.OOM_SCORE_ADJ_MIN));
        }
    }

    // ------------------------------------------------------------------------------------------
    // copy_thread (arch/x86/kernel/process.c)
    // ------------------------------------------------------------------------------------------

    /**
     * copy_thread, what the model keeps of it. A kernel thread (PF_KTHREAD) or an io thread
     * (PF_IO_WORKER) gets kthread_frame_init's frame: the function and its argument, which
     * kernel_thread and create_io_thread pass in kernel_clone_args' stack and stack_size, go to
     * the child's frame ({@link #FRAME_KTHREAD_FN}, {@link #FRAME_KTHREAD_ARG}), and nothing else
     * is done (no TLS). Otherwise CLONE_SETTLS sets the child's fs base (do_arch_prctl_64's
     * ARCH_SET_FS check: a base at or above TASK_SIZE_MAX is -EPERM). The child's user registers
     * (pt_regs with ax = 0 and the new stack) are not modelled: no task runs user code.
     */
    static int copyThread(Globals g, long cloneFlags, long p, long args) {
        if ((getInt(p + TaskStruct.FLAGS) & (TaskFlags.PF_KTHREAD | TaskFlags.PF_IO_WORKER)) != 0) {
            final long frame = frame(g, p);
            putLong(frame + FRAME_KTHREAD_FN, getLong(args + KernelCloneArgs.STACK));
            putLong(frame + FRAME_KTHREAD_ARG, getLong(args + KernelCloneArgs.STACK_SIZE));
            return 0;
        }
        if ((cloneFlags & CLONE_SETTLS) != 0) {
            final long tls = getLong(args + KernelCloneArgs.TLS);
            if (Long.compareUnsigned(tls, Pgtable.TASK_SIZE_MAX) >= 0) {
                return -Errno.EPERM;
            }
            putLong(p + TaskStruct.THREAD + ThreadStruct.FSBASE, tls);
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------
    // copy_process
    // ------------------------------------------------------------------------------------------

    /**
     * copy_process: a new task, a copy of {@code current} as {@code args} ask, not yet running.
     *
     * @param pid 0 for a new struct pid, or init_struct_pid (fork_idle)
     * @param node a NUMA node or NUMA_NO_NODE
     * @param args a struct kernel_clone_args
     * @return the new task, or a negative errno with nothing left behind
     */
    public static long copyProcess(Globals g, long current, long pid, int node, long args) {
        final long cloneFlags = getLong(args + KernelCloneArgs.FLAGS);
        final long nsp = getLong(current + TaskStruct.NSPROXY);
        int retval = CloneRules.copyProcessFlags(cloneFlags);
        if (retval != 0) {
            return retval;
        }
        final long csig = getLong(current + TaskStruct.SIGNAL);
        if ((cloneFlags & CLONE_PARENT) != 0 && (getInt(csig + SignalStruct.FLAGS) & SignalFlags.SIGNAL_UNKILLABLE) != 0) {
            return -Errno.EINVAL; // an init may have no siblings
        }
        if ((cloneFlags & CLONE_THREAD) != 0
            && ((cloneFlags & (CLONE_NEWUSER | CLONE_NEWPID)) != 0
                || Pids.taskActivePidNs(current) != getLong(nsp + Nsproxy.PID_NS_FOR_CHILDREN))) {
            return -Errno.EINVAL; // a thread lives in its group's namespaces
        }
        if ((cloneFlags & (CLONE_THREAD | CLONE_VM)) != 0
            && getLong(nsp + Nsproxy.TIME_NS) != getLong(nsp + Nsproxy.TIME_NS_FOR_CHILDREN)) {
            return -Errno.EINVAL;
        }

        // Signals for the whole group that arrive during the fork are kept for the child too.
        final long delayed = frame(g, current) + FRAME_DELAYED;
        retval = ForkSignal.forkDelaySignals(g, current, cloneFlags, delayed);
        if (retval != 0) {
            return forkOut(current, delayed, retval);
        }
        final long p = ForkTask.dupTaskStruct(g, current, node);
        if (p == 0) {
            return forkOut(current, delayed, -Errno.ENOMEM);
        }
        if (getInt(args + KernelCloneArgs.IO_THREAD) != 0) {
            putInt(p + TaskStruct.FLAGS, getInt(p + TaskStruct.FLAGS) | TaskFlags.PF_IO_WORKER);
            putLong(p + TaskStruct.BLOCKED, ~(Signals.sigmask(Signals.SIGKILL) | Signals.sigmask(Signals.SIGSTOP)));
        }
        ForkTask.initTaskTidsAndPi(p, cloneFlags, getLong(args + KernelCloneArgs.CHILD_TID));

        // RLIMIT_NPROC: the new task's user may not own more processes, unless root or privileged
        final long user = getLong(getLong(p + TaskStruct.REAL_CRED) + Cred.USER);
        if (Integer.toUnsignedLong(getInt(user + UserStruct.PROCESSES))
            >= Signal.taskRlimit(p, Resource.RLIMIT_NPROC)) {
            if (user != g.rootUser && !Capability.capable(g, current, Capabilities.CAP_SYS_RESOURCE)
                && !Capability.capable(g, current, Capabilities.CAP_SYS_ADMIN)) {
                return badForkFree(g, current, p, delayed, -Errno.EAGAIN);
            }
        }
        putInt(current + TaskStruct.FLAGS, getInt(current + TaskStruct.FLAGS) & ~TaskFlags.PF_NPROC_EXCEEDED);

        retval = Creds.copyCreds(g, current, p, cloneFlags);
        if (retval < 0) {
            return badForkFree(g, current, p, delayed, retval);
        }
        // Racy by design (data_race): the check only stops root fork bombs.
        if (g.nrThreads >= g.forkInit.maxThreads()) {
            return badForkCleanupCount(g, current, p, delayed, -Errno.EAGAIN);
        }
        ForkTask.initTaskState(g, current, p);
        Cgroups.cgroupFork(g, p);
        retval = SchedCore.schedFork(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupPolicy(g, current, cloneFlags, p, delayed, retval);
        }
        // perf_event_init_task, audit_alloc, security_task_alloc and copy_semundo: no perf
        // events, audit contexts, LSM blobs or SysV semaphores in the model (all succeed, none
        // allocates).
        retval = ForkFiles.copyFiles(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupSemundo(g, current, cloneFlags, p, delayed, retval);
        }
        retval = ForkFiles.copyFs(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupFiles(g, current, cloneFlags, p, delayed, retval);
        }
        retval = ForkSignal.copySighand(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupFs(g, current, cloneFlags, p, delayed, retval);
        }
        retval = ForkSignal.copySignal(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupSighand(g, current, cloneFlags, p, delayed, retval);
        }
        retval = copyMm(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupSignal(g, current, cloneFlags, p, delayed, retval);
        }
        retval = Nsproxies.copyNamespaces(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupMm(g, current, cloneFlags, p, delayed, retval);
        }
        retval = ForkFiles.copyIo(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupNamespaces(g, current, cloneFlags, p, delayed, retval);
        }
        retval = copyThread(g, cloneFlags, p, args);
        if (retval != 0) {
            return badForkCleanupIo(g, current, cloneFlags, p, delayed, retval);
        }

        long newPid = pid;
        if (newPid != g.initStructPid) {
            final int setTidSize = (int) getLong(args + KernelCloneArgs.SET_TID_SIZE);
            newPid = Pids.allocPid(g, getLong(getLong(p + TaskStruct.NSPROXY) + Nsproxy.PID_NS_FOR_CHILDREN),
                getLong(args + KernelCloneArgs.SET_TID), setTidSize,
                setTidSize == 0 ? NO_SET_TID : () -> Capability.checkpointRestoreNsCapable(current, g.initUserNs));
            if (Errno.isError(newPid)) {
                return badForkCleanupThread(g, current, cloneFlags, p, delayed, (int) newPid);
            }
        }

        // The pidfd, after the fd table was copied, so that it does not leak into the child's.
        int pidfd = -1;
        long pidfile = 0;
        if ((cloneFlags & CLONE_PIDFD) != 0) {
            retval = Files.getUnusedFdFlags(g, current, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
            if (retval < 0) {
                return badForkFreePid(g, current, cloneFlags, p, newPid, delayed, retval);
            }
            pidfd = retval;
            pidfile = AnonInodes.anonInodeGetfile(g, current, "[pidfd]", g.pidfdFops, newPid,
                OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
            if (Errno.isError(pidfile)) {
                Files.putUnusedFd(current, pidfd);
                return badForkFreePid(g, current, cloneFlags, p, newPid, delayed, (int) pidfile);
            }
            Pids.getPid(newPid); // held by pidfile now
            retval = Uaccess.putUser(g, current, pidfd, getLong(args + KernelCloneArgs.PIDFD), Integer.BYTES);
            if (retval != 0) {
                return badForkPutPidfd(g, current, cloneFlags, p, newPid, pidfd, pidfile, delayed, retval);
            }
        }

        // sigaltstack is cleared when the child shares the VM (and is not a vfork child)
        if ((cloneFlags & (CLONE_VM | CLONE_VFORK)) == CLONE_VM) {
            putLong(p + TaskStruct.SAS_SS_SP, 0);
            putLong(p + TaskStruct.SAS_SS_SIZE, 0);
            putInt(p + TaskStruct.SAS_SS_FLAGS, Signals.SS_DISABLE);
        }
        // (user_disable_single_step, the syscall work bits, latency tracing: ptrace is not
        // modelled, so nothing sets them)
        ForkTask.initTaskIdentity(current, p, cloneFlags, Pids.pidNr(newPid));

        retval = Cgroups.cgroupCanFork(g, current, p, args);
        if (retval != 0) {
            return badForkPutPidfd(g, current, cloneFlags, p, newPid, pidfd, pidfile, delayed, retval);
        }
        // From here on nothing may wait for user space until the task is visible.
        putLong(p + TaskStruct.START_TIME, g.ktimeGetNs());
        putLong(p + TaskStruct.START_BOOTTIME, g.ktimeGetNs());

        g.tasklistLock.writeLock().lock();
        if ((cloneFlags & (CLONE_PARENT | CLONE_THREAD)) != 0) { // CLONE_PARENT re-uses the old parent
            putLong(p + TaskStruct.REAL_PARENT, getLong(current + TaskStruct.REAL_PARENT));
            putLong(p + TaskStruct.PARENT_EXEC_ID, getLong(current + TaskStruct.PARENT_EXEC_ID));
            putInt(p + TaskStruct.EXIT_SIGNAL, (cloneFlags & CLONE_THREAD) != 0 ? -1
                : getInt(getLong(current + TaskStruct.GROUP_LEADER) + TaskStruct.EXIT_SIGNAL));
        } else {
            putLong(p + TaskStruct.REAL_PARENT, current);
            putLong(p + TaskStruct.PARENT_EXEC_ID, getLong(current + TaskStruct.SELF_EXEC_ID));
            putInt(p + TaskStruct.EXIT_SIGNAL, getInt(args + KernelCloneArgs.EXIT_SIGNAL));
        }
        final long siglock = Signal.siglock(current);
        Spinlock.lock(siglock);
        // (copy_seccomp: no filters in the model; the copied mode is current's)
        rseqFork(p, cloneFlags);
        // Don't start children in a dying pid namespace.
        if (!PidRules.adding(Pids.pidAllocated(Pids.nsOfPid(newPid)))) {
            return badForkCancelCgroup(g, current, args, p, newPid, pidfd, pidfile, delayed, -Errno.ENOMEM);
        }
        // Let kill terminate clone/fork in the middle.
        if (Signal.fatalSignalPending(current)) {
            return badForkCancelCgroup(g, current, args, p, newPid, pidfd, pidfile, delayed, -Errno.EINTR);
        }

        // past the last point of failure
        if (pidfile != 0) {
            Files.fdInstall(current, pidfd, pidfile);
        }
        linkTask(g, current, cloneFlags, p, newPid, delayed);
        g.totalForks++;
        HList.delInit(delayed + MultiprocessSignals.NODE);
        Spinlock.unlock(siglock);
        g.tasklistLock.writeLock().unlock();

        ProcConnector.procForkConnector(g, p);
        Cgroups.cgroupPostFork(g, p, args);
        copyOomScoreAdj(g, current, cloneFlags, p);
        return p;
    }

    /**
     * The visible half of copy_process, under tasklist_lock and current's siglock: the pid links,
     * the child reaper of a new namespace, the delayed group signals, the subreaper flag, and the
     * lists and counters of a new process or a new thread.
     */
    private static void linkTask(Globals g, long current, long cloneFlags, long p, long pid, long delayed) {
        for (int type = 0; type < PidRules.PIDTYPE_MAX; type++) { // init_task_pid_links
            HList.initNode(p + TaskStruct.PID_LINKS + (long) HlistNode.SIZEOF * type);
        }
        if (getInt(p + TaskStruct.PID) == 0) {
            return; // an idle task (fork_idle) is on no list
        }
        ptraceInitTask(p);
        Pids.initTaskPid(p, PidRules.PIDTYPE_PID, pid);
        final long psig = getLong(p + TaskStruct.SIGNAL);
        if (getLong(p + TaskStruct.GROUP_LEADER) == p) {
            Pids.initTaskPid(p, PidRules.PIDTYPE_TGID, pid);
            Pids.initTaskPid(p, PidRules.PIDTYPE_PGID, Pids.taskPgrp(current));
            Pids.initTaskPid(p, PidRules.PIDTYPE_SID, Pids.taskSession(current));
            if (Pids.isChildReaper(pid)) {
                PidNamespaces.setChildReaper(Pids.nsOfPid(pid), p);
                putInt(psig + SignalStruct.FLAGS, getInt(psig + SignalStruct.FLAGS) | SignalFlags.SIGNAL_UNKILLABLE);
            }
            putLong(psig + SignalStruct.SHARED_PENDING + Sigpending.SIGNAL,
                getLong(delayed + MultiprocessSignals.SIGNAL));
            // (tty_kref_get: the model has no terminals; signal->tty stays NULL)
            final long rpsig = getLong(getLong(p + TaskStruct.REAL_PARENT) + TaskStruct.SIGNAL);
            Exit.setHasChildSubreaper(psig, Exit.hasChildSubreaper(rpsig) || Exit.isChildSubreaper(rpsig));
            IntrusiveList.addTail(p + TaskStruct.SIBLING, getLong(p + TaskStruct.REAL_PARENT) + TaskStruct.CHILDREN);
            IntrusiveList.addTailRcu(p + TaskStruct.TASKS, g.initTask + TaskStruct.TASKS);
            Pids.attachPid(p, PidRules.PIDTYPE_TGID);
            Pids.attachPid(p, PidRules.PIDTYPE_PGID);
            Pids.attachPid(p, PidRules.PIDTYPE_SID);
            g.forkInit.processCounts().inc(g.cpus.current()); // __this_cpu_inc
        } else {
            final long csig = getLong(current + TaskStruct.SIGNAL);
            putInt(csig + SignalStruct.NR_THREADS, getInt(csig + SignalStruct.NR_THREADS) + 1);
            Mem.getAndAddInt(csig + SignalStruct.LIVE, 1);
            Refcount.inc(csig + SignalStruct.SIGCNT, "signal_struct.sigcnt");
            // (task_join_group_stop: the model has no job control, so no group stop is pending)
            IntrusiveList.addTailRcu(p + TaskStruct.THREAD_GROUP,
                getLong(p + TaskStruct.GROUP_LEADER) + TaskStruct.THREAD_GROUP);
            IntrusiveList.addTailRcu(p + TaskStruct.THREAD_NODE, psig + SignalStruct.THREAD_HEAD);
        }
        Pids.attachPid(p, PidRules.PIDTYPE_PID);
        g.nrThreads++;
    }

    /** set_bit: an atomic OR of bit {@code nr} into the long at {@code addr}. */
    private static void setBit(long addr, int nr) {
        long old;
        do {
            old = Mem.getLongVolatile(addr);
        } while (!Mem.compareAndSetLong(addr, old, old | 1L << nr));
    }


    /** ptrace_init_task without a tracer: empty ptrace lists, no job control bits, parent = real_parent. */
    private static void ptraceInitTask(long p) {
        IntrusiveList.init(p + TaskStruct.PTRACE_ENTRY);
        IntrusiveList.init(p + TaskStruct.PTRACED);
        putLong(p + TaskStruct.JOBCTL, 0);
        putInt(p + TaskStruct.PTRACE, 0);
        putLong(p + TaskStruct.PARENT, getLong(p + TaskStruct.REAL_PARENT));
    }

    /** rseq_fork: a child sharing the VM starts unregistered; otherwise it keeps the parent's area. */
    private static void rseqFork(long p, long cloneFlags) {
        if ((cloneFlags & CLONE_VM) != 0) {
            putLong(p + TaskStruct.RSEQ, 0);
            putInt(p + TaskStruct.RSEQ_SIG, 0);
            putLong(p + TaskStruct.RSEQ_EVENT_MASK, 0);
        }
    }

    // ------------------------------------------------------------------------------------------
    // The bad_fork labels, each undoing one step and falling through to the next
    // ------------------------------------------------------------------------------------------

    private static long badForkCancelCgroup(Globals g, long current, long args, long p, long pid, int pidfd,
                                            long pidfile, long delayed, int retval) {
        Spinlock.unlock(Signal.siglock(current));
        g.tasklistLock.writeLock().unlock();
        Cgroups.cgroupCancelFork(g, p, args);
        return badForkPutPidfd(g, current, getLong(args + KernelCloneArgs.FLAGS), p, pid, pidfd, pidfile, delayed,
            retval);
    }

    private static long badForkPutPidfd(Globals g, long current, long cloneFlags, long p, long pid, int pidfd,
                                        long pidfile, long delayed, int retval) {
        if ((cloneFlags & CLONE_PIDFD) != 0) {
            g.fileTable.fput(pidfile); // its release puts the pid's extra reference
            Files.putUnusedFd(current, pidfd);
        }
        return badForkFreePid(g, current, cloneFlags, p, pid, delayed, retval);
    }

    private static long badForkFreePid(Globals g, long current, long cloneFlags, long p, long pid, long delayed,
                                       int retval) {
        if (pid != g.initStructPid) {
            Pids.freePid(g, pid);
        }
        return badForkCleanupThread(g, current, cloneFlags, p, delayed, retval);
    }

    private static long badForkCleanupThread(Globals g, long current, long cloneFlags, long p, long delayed,
                                             int retval) {
        // exit_thread: no io bitmap, and the FPU state lives in the task
        return badForkCleanupIo(g, current, cloneFlags, p, delayed, retval);
    }

    private static long badForkCleanupIo(Globals g, long current, long cloneFlags, long p, long delayed, int retval) {
        if (getLong(p + TaskStruct.IO_CONTEXT) != 0) {
            BlkIoc.exitIoContext(g, p);
        }
        return badForkCleanupNamespaces(g, current, cloneFlags, p, delayed, retval);
    }

    private static long badForkCleanupNamespaces(Globals g, long current, long cloneFlags, long p, long delayed,
                                                 int retval) {
        Nsproxies.exitTaskNamespaces(g, p);
        return badForkCleanupMm(g, current, cloneFlags, p, delayed, retval);
    }

    private static long badForkCleanupMm(Globals g, long current, long cloneFlags, long p, long delayed, int retval) {
        final long mm = getLong(p + TaskStruct.MM);
        if (mm != 0) {
            mmClearOwner(mm, p);
            ForkMm.mmput(g.mm, mm);
        }
        return badForkCleanupSignal(g, current, cloneFlags, p, delayed, retval);
    }

    private static long badForkCleanupSignal(Globals g, long current, long cloneFlags, long p, long delayed,
                                             int retval) {
        if ((cloneFlags & CLONE_THREAD) == 0) {
            ForkSignal.freeSignalStruct(g, getLong(p + TaskStruct.SIGNAL));
        }
        return badForkCleanupSighand(g, current, cloneFlags, p, delayed, retval);
    }

    private static long badForkCleanupSighand(Globals g, long current, long cloneFlags, long p, long delayed,
                                              int retval) {
        ForkSignal.__cleanupSighand(g, getLong(p + TaskStruct.SIGHAND));
        return badForkCleanupFs(g, current, cloneFlags, p, delayed, retval);
    }

    private static long badForkCleanupFs(Globals g, long current, long cloneFlags, long p, long delayed, int retval) {
        FsStructs.exitFs(g, p);
        return badForkCleanupFiles(g, current, cloneFlags, p, delayed, retval);
    }

    private static long badForkCleanupFiles(Globals g, long current, long cloneFlags, long p, long delayed,
                                            int retval) {
        Files.exitFiles(g, p);
        return badForkCleanupSemundo(g, current, cloneFlags, p, delayed, retval);
    }

    private static long badForkCleanupSemundo(Globals g, long current, long cloneFlags, long p, long delayed,
                                              int retval) {
        // exit_sem, security_task_free, audit_free, perf_event_free_task: nothing was made
        return badForkCleanupPolicy(g, current, cloneFlags, p, delayed, retval);
    }

    private static long badForkCleanupPolicy(Globals g, long current, long cloneFlags, long p, long delayed,
                                             int retval) {
        // lockdep_free_task; mpol_put(NULL); bad_fork_cleanup_threadgroup_lock:
        Delayacct.delayacctTskFree(g, p);
        return badForkCleanupCount(g, current, p, delayed, retval);
    }

    private static long badForkCleanupCount(Globals g, long current, long p, long delayed, int retval) {
        final long user = getLong(getLong(p + TaskStruct.CRED) + Cred.USER);
        Mem.getAndAddInt(user + UserStruct.PROCESSES, -1);
        Creds.exitCreds(g, p);
        return badForkFree(g, current, p, delayed, retval);
    }

    private static long badForkFree(Globals g, long current, long p, long delayed, int retval) {
        putLong(p + TaskStruct.STATE, TaskState.TASK_DEAD);
        g.forkInit.stacks().putTaskStack(p, g.cpus.current());
        ForkTask.delayedFreeTask(g, p);
        return forkOut(current, delayed, retval);
    }

    /** fork_out: {@code delayed} leaves current's multiprocess list. */
    private static long forkOut(long current, long delayed, int retval) {
        ForkSignal.forkSignalsDone(current, delayed);
        return retval;
    }

    // ------------------------------------------------------------------------------------------
    // kernel_clone
    // ------------------------------------------------------------------------------------------

    /**
     * kernel_clone: copy_process, then the parent's tid write, the vfork completion, the wake-up
     * of the child, and for CLONE_VFORK the wait until the child releases the mm.
     *
     * @param token current's RCU token (the vfork wait is a voluntary context switch)
     * @param args a struct kernel_clone_args
     * @return a packed {@link WaitResult}: current's token after the call, and the child's pid in
     *         current's pid namespace or a negative errno
     */
    public static long kernelClone(Globals g, long current, int token, long args) {
        final long cloneFlags = getLong(args + KernelCloneArgs.FLAGS);
        if (CloneRules.pidfdAndParentTidCollide(cloneFlags, getLong(args + KernelCloneArgs.PIDFD),
            getLong(args + KernelCloneArgs.PARENT_TID))) {
            return WaitResult.of(token, -Errno.EINVAL);
        }
        // (the ptrace event for the fork: no tracer in the model, so there is none to report)
        final long p = copyProcess(g, current, 0, ForkTask.NUMA_NO_NODE, args);
        if (Errno.isError(p)) {
            return WaitResult.of(token, (int) p);
        }
        final long pid = Pids.getTaskPid(g, p, PidRules.PIDTYPE_PID);
        final int nr = Pids.pidVnr(current, pid);
        if ((cloneFlags & CLONE_PARENT_SETTID) != 0) {
            // a fault is ignored, as in 5.12: the child exists either way
            Uaccess.putUser(g, current, nr, getLong(args + KernelCloneArgs.PARENT_TID), Integer.BYTES);
        }
        final long vfork = frame(g, current) + FRAME_VFORK;
        if ((cloneFlags & CLONE_VFORK) != 0) {
            putLong(p + TaskStruct.VFORK_DONE, vfork);
            Wait.initCompletion(vfork);
            ForkTask.getTaskStruct(p);
        }
        SchedCore.scheduleTail(g, p); // the child's first step, done before it can run or be seen
        SchedCore.wakeUpNewTask(g, p);
        int t = token;
        if ((cloneFlags & CLONE_VFORK) != 0) {
            t = WaitResult.token(waitForVforkDone(g, current, t, p, vfork));
        }
        Pids.putPid(g, pid);
        return WaitResult.of(t, nr);
    }

    /**
     * wait_for_vfork_done: the parent sleeps (killable) until the child completes {@code vfork}
     * (mm_release, at exit or exec). Killed first, it takes the pointer back from the child under
     * the child's task_lock, so that a late mm_release completes nothing on a dead frame.
     *
     * @return a packed {@link WaitResult}: the token, and 0 or -ERESTARTSYS when killed
     */
    static long waitForVforkDone(Globals g, long current, int token, long child, long vfork) {
        final long r = Wait.waitForCompletionKillable(g, current, token, vfork);
        if (WaitResult.ret(r) != 0) {
            Spinlock.lock(child + TaskStruct.ALLOC_LOCK);
            putLong(child + TaskStruct.VFORK_DONE, 0);
            Spinlock.unlock(child + TaskStruct.ALLOC_LOCK);
        }
        ForkTask.putTaskStruct(g, child);
        return r;
    }
}
