package org.kfork.heap.fork;

import static org.kfork.uapi.CloneFlags.CLONE_NEWPID;
import static org.kfork.uapi.CloneFlags.CLONE_NEWUSER;
import static org.kfork.uapi.CloneFlags.CLONE_PARENT;
import static org.kfork.uapi.CloneFlags.CLONE_PARENT_SETTID;
import static org.kfork.uapi.CloneFlags.CLONE_PIDFD;
import static org.kfork.uapi.CloneFlags.CLONE_SETTLS;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_VFORK;
import static org.kfork.uapi.CloneFlags.CLONE_VM;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;

import org.kfork.fork.CloneRules;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.block.HeapBlkIoc;
import org.kfork.heap.cgroup.HeapCgroups;
import org.kfork.heap.cred.HeapCapability;
import org.kfork.heap.cred.HeapCreds;
import org.kfork.heap.delayacct.HeapDelayacct;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.events.HeapProcConnector;
import org.kfork.heap.fs.HeapAnonInodes;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.fs.HeapFsStructs;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.nsproxy.HeapNsproxies;
import org.kfork.heap.nsproxy.HeapNsproxy;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.sched.HeapSchedCore;
import org.kfork.heap.sched.HeapCompletion;
import org.kfork.heap.sched.HeapWait;
import org.kfork.heap.signal.HeapMultiprocessSignals;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.mm.DupMode;
import org.kfork.mm.MmFlags;
import org.kfork.mm.Pgtable;
import org.kfork.pid.PidRules;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.smp.CurrentCpu;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;

/**
 * The heap twin of {@code org.kfork.kernel.fork.Fork}: copy_process with its bad_fork unwinding,
 * copy_mm, kernel_clone and the vfork wait, in the same steps and the same order, so that both
 * kernels allocate the same objects in the same order (failslab's k-th allocation is the same
 * point on both). Its locals are Java objects where the off-heap kernel uses current's stack.
 */
public final class HeapFork {
    /** alloc_pid's capability question when no set_tid number is asked for: never asked. */
    private static final BooleanSupplier NO_SET_TID = () -> {
        throw new IllegalStateException("alloc_pid asked for checkpoint_restore_ns_capable without set_tid");
    };

    private HeapFork() {
    }

    /** copy_mm (see the off-heap twin). */
    static int copyMm(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask tsk) {
        tsk.minFlt = 0;
        tsk.majFlt = 0;
        tsk.nvcsw = 0;
        tsk.nivcsw = 0;
        tsk.mm = null;
        tsk.activeMm = null;
        final HeapMmStruct oldmm = current.mm;
        if (oldmm == null) {
            return 0;
        }
        final HeapMmStruct mm;
        if ((cloneFlags & CLONE_VM) != 0) {
            g.mm.bkl().lock(); // a plain count: the big lock guards it, as in HeapMm
            try {
                HeapForkMm.mmget(oldmm);
            } finally {
                g.mm.bkl().unlock();
            }
            mm = oldmm;
        } else {
            mm = HeapForkMm.dupMm(g.mm, oldmm, tsk, DupMode.APPEND);
            if (ErrPtr.isErr(mm)) {
                return -Errno.ENOMEM;
            }
        }
        tsk.mm = mm;
        tsk.activeMm = mm;
        return 0;
    }

    /** mm_clear_owner. */
    private static void mmClearOwner(HeapMmStruct mm, HeapTask p) {
        if (mm.owner == p) {
            mm.owner = null;
        }
    }

    /** copy_oom_score_adj (see the off-heap twin). */
    private static void copyOomScoreAdj(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p) {
        if (p.mm == null) {
            return;
        }
        if ((cloneFlags & (CLONE_VM | CLONE_THREAD | CLONE_VFORK)) != CLONE_VM) {
            return;
        }
        synchronized (g.oomAdjMutex) {
            p.mm.flags |= 1L << MmFlags.MMF_MULTIPROCESS;
            p.signal.oomScoreAdj = current.signal.oomScoreAdj;
            p.signal.oomScoreAdjMin = current.signal.oomScoreAdjMin;
        }
    }

    /**
     * Offsets in the thread stack of a kernel thread's function and argument, as off-heap
     * (Fork.FRAME_KTHREAD_FN, FRAME_KTHREAD_ARG: the bottom-of-stack frame; a test pins both).
     */
    public static final int FRAME_KTHREAD_FN = 576;
    /** See {@link #FRAME_KTHREAD_FN}. */
    public static final int FRAME_KTHREAD_ARG = FRAME_KTHREAD_FN + Long.BYTES;
    /** Little-endian longs in a heap thread stack. */
    private static final VarHandle STACK_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * copy_thread (see the off-heap twin): a kernel or io thread's function and argument in its
     * stack's frame; otherwise CLONE_SETTLS's fs base, -EPERM outside user space.
     */
    static int copyThread(long cloneFlags, HeapTask p, HeapKernelCloneArgs args) {
        if ((p.flags & (TaskFlags.PF_KTHREAD | TaskFlags.PF_IO_WORKER)) != 0) {
            STACK_LONG.set(p.stack, FRAME_KTHREAD_FN, args.stack);
            STACK_LONG.set(p.stack, FRAME_KTHREAD_ARG, args.stackSize);
            return 0;
        }
        if ((cloneFlags & CLONE_SETTLS) != 0) {
            if (Long.compareUnsigned(args.tls, Pgtable.TASK_SIZE_MAX) >= 0) {
                return -Errno.EPERM;
            }
            p.threadFsbase = args.tls;
        }
        return 0;
    }

    /** The function a kernel or io thread was created to run (kthread_frame_init's bx). */
    public static long kthreadFn(HeapTask p) {
        return (long) STACK_LONG.get(p.stack, FRAME_KTHREAD_FN);
    }

    /** That function's argument (kthread_frame_init's r12). */
    public static long kthreadArg(HeapTask p) {
        return (long) STACK_LONG.get(p.stack, FRAME_KTHREAD_ARG);
    }

    /**
     * copy_process (see the off-heap twin).
     *
     * @return the new task, or an {@link HeapTask#errPtr} sentinel
     */
    public static HeapTask copyProcess(HeapGlobals g, HeapTask current, HeapPid pid, int node,
                                       HeapKernelCloneArgs args) {
        final long cloneFlags = args.flags;
        final HeapNsproxy nsp = current.nsproxy;
        int retval = CloneRules.copyProcessFlags(cloneFlags);
        if (retval != 0) {
            return HeapTask.errPtr(retval);
        }
        if ((cloneFlags & CLONE_PARENT) != 0 && (current.signal.flags & SignalFlags.SIGNAL_UNKILLABLE) != 0) {
            return HeapTask.errPtr(-Errno.EINVAL);
        }
        if ((cloneFlags & CLONE_THREAD) != 0 && ((cloneFlags & (CLONE_NEWUSER | CLONE_NEWPID)) != 0
            || HeapPids.taskActivePidNs(current) != nsp.pidNsForChildren)) {
            return HeapTask.errPtr(-Errno.EINVAL);
        }
        if ((cloneFlags & (CLONE_THREAD | CLONE_VM)) != 0 && nsp.timeNs != nsp.timeNsForChildren) {
            return HeapTask.errPtr(-Errno.EINVAL);
        }

        final HeapMultiprocessSignals delayed = new HeapMultiprocessSignals();
        retval = HeapForkSignal.forkDelaySignals(g, current, cloneFlags, delayed);
        if (retval != 0) {
            return forkOut(current, delayed, retval);
        }
        final HeapTask p = HeapForkTask.dupTaskStruct(g, current, node);
        if (p == null) {
            return forkOut(current, delayed, -Errno.ENOMEM);
        }
        if (args.ioThread != 0) {
            p.flags |= TaskFlags.PF_IO_WORKER;
            p.blocked = ~(Signals.sigmask(Signals.SIGKILL) | Signals.sigmask(Signals.SIGSTOP));
        }
        HeapForkTask.initTaskTidsAndPi(p, cloneFlags, args.childTid);

        final var user = p.realCred.user;
        if (Integer.toUnsignedLong(user.processes.get()) >= HeapSignal.taskRlimit(p, Resource.RLIMIT_NPROC)) {
            if (user != g.rootUser && !HeapCapability.capable(g, current, Capabilities.CAP_SYS_RESOURCE)
                && !HeapCapability.capable(g, current, Capabilities.CAP_SYS_ADMIN)) {
                return badForkFree(g, current, p, delayed, -Errno.EAGAIN);
            }
        }
        current.flags &= ~TaskFlags.PF_NPROC_EXCEEDED;

        retval = HeapCreds.copyCreds(g, current, p, cloneFlags);
        if (retval < 0) {
            return badForkFree(g, current, p, delayed, retval);
        }
        if (g.nrThreads >= g.maxThreads) {
            return badForkCleanupCount(g, current, p, delayed, -Errno.EAGAIN);
        }
        HeapForkTask.initTaskState(g, current, p);
        HeapCgroups.cgroupFork(g, p);
        retval = HeapSchedCore.schedFork(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupPolicy(g, current, cloneFlags, p, delayed, retval);
        }
        retval = HeapForkFiles.copyFiles(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupSemundo(g, current, cloneFlags, p, delayed, retval);
        }
        retval = HeapForkFiles.copyFs(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupFiles(g, current, cloneFlags, p, delayed, retval);
        }
        retval = HeapForkSignal.copySighand(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupFs(g, current, cloneFlags, p, delayed, retval);
        }
        retval = HeapForkSignal.copySignal(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupSighand(g, current, cloneFlags, p, delayed, retval);
        }
        retval = copyMm(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupSignal(g, current, cloneFlags, p, delayed, retval);
        }
        retval = HeapNsproxies.copyNamespaces(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupMm(g, current, cloneFlags, p, delayed, retval);
        }
        retval = HeapForkFiles.copyIo(g, current, cloneFlags, p);
        if (retval != 0) {
            return badForkCleanupNamespaces(g, current, cloneFlags, p, delayed, retval);
        }
        retval = copyThread(cloneFlags, p, args);
        if (retval != 0) {
            return badForkCleanupIo(g, current, cloneFlags, p, delayed, retval);
        }

        HeapPid newPid = pid;
        if (newPid != g.initStructPid) {
            newPid = HeapPids.allocPid(g, p.nsproxy.pidNsForChildren, args.setTid, args.setTidSize,
                args.setTidSize == 0 ? NO_SET_TID : () -> HeapCapability.checkpointRestoreNsCapable(current, g.initUserNs));
            if (ErrPtr.isErr(newPid)) {
                return badForkCleanupThread(g, current, cloneFlags, p, delayed, ErrPtr.ptrErr(newPid));
            }
        }

        int pidfd = -1;
        HeapFile pidfile = null;
        if ((cloneFlags & CLONE_PIDFD) != 0) {
            retval = HeapFiles.getUnusedFdFlags(g, current, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
            if (retval < 0) {
                return badForkFreePid(g, current, cloneFlags, p, newPid, delayed, retval);
            }
            pidfd = retval;
            pidfile = HeapAnonInodes.anonInodeGetfile(g, current, "[pidfd]", g.pidfdFops, newPid,
                OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);
            if (ErrPtr.isErr(pidfile)) {
                HeapFiles.putUnusedFd(current, pidfd);
                return badForkFreePid(g, current, cloneFlags, p, newPid, delayed, ErrPtr.ptrErr(pidfile));
            }
            HeapPids.getPid(newPid);
            retval = HeapUaccess.putUser(g, current, pidfd, args.pidfd, Integer.BYTES);
            if (retval != 0) {
                return badForkPutPidfd(g, current, cloneFlags, p, newPid, pidfd, pidfile, delayed, retval);
            }
        }

        if ((cloneFlags & (CLONE_VM | CLONE_VFORK)) == CLONE_VM) {
            p.sasSsSp = 0;
            p.sasSsSize = 0;
            p.sasSsFlags = Signals.SS_DISABLE;
        }
        HeapForkTask.initTaskIdentity(current, p, cloneFlags, HeapPids.pidNr(newPid));

        retval = HeapCgroups.cgroupCanFork(g, current, p, args);
        if (retval != 0) {
            return badForkPutPidfd(g, current, cloneFlags, p, newPid, pidfd, pidfile, delayed, retval);
        }
        p.startTime = g.ktimeGetNs();
        p.startBoottime = g.ktimeGetNs();

        g.tasklistLock.writeLock().lock();
        if ((cloneFlags & (CLONE_PARENT | CLONE_THREAD)) != 0) {
            p.realParent = current.realParent;
            p.parentExecId = current.parentExecId;
            p.exitSignal = (cloneFlags & CLONE_THREAD) != 0 ? -1 : current.groupLeader.exitSignal;
        } else {
            p.realParent = current;
            p.parentExecId = current.selfExecId;
            p.exitSignal = args.exitSignal;
        }
        current.sighand.siglock.lock();
        rseqFork(p, cloneFlags);
        if (!PidRules.adding(HeapPids.pidAllocated(HeapPids.nsOfPid(newPid)))) {
            return badForkCancelCgroup(g, current, args, p, newPid, pidfd, pidfile, delayed, -Errno.ENOMEM);
        }
        if (HeapSignal.fatalSignalPending(current)) {
            return badForkCancelCgroup(g, current, args, p, newPid, pidfd, pidfile, delayed, -Errno.EINTR);
        }
        if (pidfile != null) {
            HeapFiles.fdInstall(current, pidfd, pidfile);
        }
        linkTask(g, current, p, newPid, delayed);
        g.totalForks++;
        HeapHList.delInit(delayed);
        current.sighand.siglock.unlock();
        g.tasklistLock.writeLock().unlock();

        HeapProcConnector.procForkConnector(g, p);
        HeapCgroups.cgroupPostFork(g, p, args);
        copyOomScoreAdj(g, current, cloneFlags, p);
        return p;
    }

    /** The visible half of copy_process (see the off-heap twin). */
    private static void linkTask(HeapGlobals g, HeapTask current, HeapTask p, HeapPid pid,
                                 HeapMultiprocessSignals delayed) {
        for (int type = 0; type < PidRules.PIDTYPE_MAX; type++) {
            HeapHList.delInit(p.pidLink(type)); // INIT_HLIST_NODE
        }
        if (p.pid == 0) {
            return;
        }
        ptraceInitTask(p);
        HeapPids.initTaskPid(p, PidRules.PIDTYPE_PID, pid);
        final HeapSignalStruct psig = p.signal;
        if (p.groupLeader == p) {
            HeapPids.initTaskPid(p, PidRules.PIDTYPE_TGID, pid);
            HeapPids.initTaskPid(p, PidRules.PIDTYPE_PGID, HeapPids.taskPgrp(current));
            HeapPids.initTaskPid(p, PidRules.PIDTYPE_SID, HeapPids.taskSession(current));
            if (HeapPids.isChildReaper(pid)) {
                HeapPidNamespaces.setChildReaper(HeapPids.nsOfPid(pid), p);
                psig.flags |= SignalFlags.SIGNAL_UNKILLABLE;
            }
            psig.sharedPending.signal = delayed.signal;
            final HeapSignalStruct rpsig = p.realParent.signal;
            psig.hasChildSubreaper = rpsig.hasChildSubreaper || rpsig.isChildSubreaper;
            HeapIntrusiveList.listAddTail(p.sibling, p.realParent.children);
            HeapIntrusiveList.listAddTail(p.tasks, g.initTask.tasks);
            HeapPids.attachPid(p, PidRules.PIDTYPE_TGID);
            HeapPids.attachPid(p, PidRules.PIDTYPE_PGID);
            HeapPids.attachPid(p, PidRules.PIDTYPE_SID);
            g.processCounts.incrementAndGet(CurrentCpu.current(g.nrCpus)); // __this_cpu_inc
        } else {
            final HeapSignalStruct csig = current.signal;
            csig.nrThreads++;
            csig.live.incrementAndGet();
            csig.sigcnt.inc();
            HeapIntrusiveList.listAddTail(p.threadGroup, p.groupLeader.threadGroup);
            HeapIntrusiveList.listAddTail(p.threadNode, psig.threadHead);
        }
        HeapPids.attachPid(p, PidRules.PIDTYPE_PID);
        g.nrThreads++;
    }

    /** ptrace_init_task without a tracer. */
    private static void ptraceInitTask(HeapTask p) {
        HeapIntrusiveList.init(p.ptraceEntry);
        HeapIntrusiveList.init(p.ptraced);
        p.jobctl = 0;
        p.ptrace = 0;
        p.parent = p.realParent;
    }

    /** rseq_fork. */
    private static void rseqFork(HeapTask p, long cloneFlags) {
        if ((cloneFlags & CLONE_VM) != 0) {
            p.rseq = 0;
            p.rseqSig = 0;
            p.rseqEventMask = 0;
        }
    }

    // ---- the bad_fork labels

    private static HeapTask badForkCancelCgroup(HeapGlobals g, HeapTask current, HeapKernelCloneArgs args, HeapTask p,
                                                HeapPid pid, int pidfd, HeapFile pidfile,
                                                HeapMultiprocessSignals delayed, int retval) {
        current.sighand.siglock.unlock();
        g.tasklistLock.writeLock().unlock();
        HeapCgroups.cgroupCancelFork(g, p, args);
        return badForkPutPidfd(g, current, args.flags, p, pid, pidfd, pidfile, delayed, retval);
    }

    private static HeapTask badForkPutPidfd(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p, HeapPid pid,
                                            int pidfd, HeapFile pidfile, HeapMultiprocessSignals delayed,
                                            int retval) {
        if ((cloneFlags & CLONE_PIDFD) != 0) {
            g.fileTable.fput(pidfile);
            HeapFiles.putUnusedFd(current, pidfd);
        }
        return badForkFreePid(g, current, cloneFlags, p, pid, delayed, retval);
    }

    private static HeapTask badForkFreePid(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p, HeapPid pid,
                                           HeapMultiprocessSignals delayed, int retval) {
        if (pid != g.initStructPid) {
            HeapPids.freePid(g, pid);
        }
        return badForkCleanupThread(g, current, cloneFlags, p, delayed, retval);
    }

    private static HeapTask badForkCleanupThread(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p,
                                                 HeapMultiprocessSignals delayed, int retval) {
        return badForkCleanupIo(g, current, cloneFlags, p, delayed, retval);
    }

    private static HeapTask badForkCleanupIo(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p,
                                             HeapMultiprocessSignals delayed, int retval) {
        if (p.ioContext != null) {
            HeapBlkIoc.exitIoContext(g, p);
        }
        return badForkCleanupNamespaces(g, current, cloneFlags, p, delayed, retval);
    }

    private static HeapTask badForkCleanupNamespaces(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p,
                                                     HeapMultiprocessSignals delayed, int retval) {
        HeapNsproxies.exitTaskNamespaces(g, p);
        return badForkCleanupMm(g, current, cloneFlags, p, delayed, retval);
    }

    private static HeapTask badForkCleanupMm(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p,
                                             HeapMultiprocessSignals delayed, int retval) {
        if (p.mm != null) {
            mmClearOwner(p.mm, p);
            HeapForkMm.mmput(g.mm, p.mm);
        }
        return badForkCleanupSignal(g, current, cloneFlags, p, delayed, retval);
    }

    private static HeapTask badForkCleanupSignal(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p,
                                                 HeapMultiprocessSignals delayed, int retval) {
        if ((cloneFlags & CLONE_THREAD) == 0) {
            HeapForkSignal.freeSignalStruct(g, p.signal);
        }
        return badForkCleanupSighand(g, current, cloneFlags, p, delayed, retval);
    }

    private static HeapTask badForkCleanupSighand(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p,
                                                  HeapMultiprocessSignals delayed, int retval) {
        HeapForkSignal.__cleanupSighand(g, p.sighand);
        return badForkCleanupFs(g, current, cloneFlags, p, delayed, retval);
    }

    private static HeapTask badForkCleanupFs(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p,
                                             HeapMultiprocessSignals delayed, int retval) {
        HeapFsStructs.exitFs(g, p);
        return badForkCleanupFiles(g, current, cloneFlags, p, delayed, retval);
    }

    private static HeapTask badForkCleanupFiles(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p,
                                                HeapMultiprocessSignals delayed, int retval) {
        HeapFiles.exitFiles(g, p);
        return badForkCleanupSemundo(g, current, cloneFlags, p, delayed, retval);
    }

    private static HeapTask badForkCleanupSemundo(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p,
                                                  HeapMultiprocessSignals delayed, int retval) {
        return badForkCleanupPolicy(g, current, cloneFlags, p, delayed, retval);
    }

    private static HeapTask badForkCleanupPolicy(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask p,
                                                 HeapMultiprocessSignals delayed, int retval) {
        HeapDelayacct.delayacctTskFree(g, p);
        return badForkCleanupCount(g, current, p, delayed, retval);
    }

    private static HeapTask badForkCleanupCount(HeapGlobals g, HeapTask current, HeapTask p,
                                                HeapMultiprocessSignals delayed, int retval) {
        p.cred.user.processes.decrementAndGet();
        HeapCreds.exitCreds(g, p);
        return badForkFree(g, current, p, delayed, retval);
    }

    private static HeapTask badForkFree(HeapGlobals g, HeapTask current, HeapTask p, HeapMultiprocessSignals delayed,
                                        int retval) {
        p.state = TaskState.TASK_DEAD;
        g.stacks.putTaskStack(p, CurrentCpu.current(g.nrCpus));
        HeapForkTask.delayedFreeTask(g, p);
        return forkOut(current, delayed, retval);
    }

    private static HeapTask forkOut(HeapTask current, HeapMultiprocessSignals delayed, int retval) {
        HeapForkSignal.forkSignalsDone(current, delayed);
        return HeapTask.errPtr(retval);
    }

    // ---- kernel_clone

    /**
     * kernel_clone (see the off-heap twin).
     *
     * @return a packed {@link WaitResult}: the token, and the child's pid or a negative errno
     */
    public static long kernelClone(HeapGlobals g, HeapTask current, int token, HeapKernelCloneArgs args) {
        final long cloneFlags = args.flags;
        if (CloneRules.pidfdAndParentTidCollide(cloneFlags, args.pidfd, args.parentTid)) {
            return WaitResult.of(token, -Errno.EINVAL);
        }
        final HeapTask p = copyProcess(g, current, null, HeapForkTask.NUMA_NO_NODE, args);
        if (ErrPtr.isErr(p)) {
            return WaitResult.of(token, ErrPtr.ptrErr(p));
        }
        final HeapPid pid = HeapPids.getTaskPid(g, p, PidRules.PIDTYPE_PID);
        final int nr = HeapPids.pidVnr(current, pid);
        if ((cloneFlags & CLONE_PARENT_SETTID) != 0) {
            HeapUaccess.putUser(g, current, nr, args.parentTid, Integer.BYTES);
        }
        final HeapCompletion vfork = (cloneFlags & CLONE_VFORK) != 0 ? new HeapCompletion() : null;
        if (vfork != null) {
            p.vforkDone = vfork;
            HeapWait.initCompletion(vfork);
            HeapForkTask.getTaskStruct(p);
        }
        HeapSchedCore.scheduleTail(g, p); // the child's first step, done before it can run or be seen
        HeapSchedCore.wakeUpNewTask(g, p);
        int t = token;
        if (vfork != null) {
            t = WaitResult.token(waitForVforkDone(g, current, t, p, vfork));
        }
        HeapPids.putPid(g, pid);
        return WaitResult.of(t, nr);
    }

    /** wait_for_vfork_done (see the off-heap twin). */
    static long waitForVforkDone(HeapGlobals g, HeapTask current, int token, HeapTask child, HeapCompletion vfork) {
        final long r = HeapWait.waitForCompletionKillable(g, current, token, vfork);
        if (WaitResult.ret(r) != 0) {
            child.allocLock.lock();
            child.vforkDone = null;
            child.allocLock.unlock();
        }
        HeapForkTask.putTaskStruct(g, child);
        return r;
    }
}
