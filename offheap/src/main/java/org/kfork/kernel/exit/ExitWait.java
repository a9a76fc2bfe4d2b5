package org.kfork.kernel.exit;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import java.util.function.BooleanSupplier;
import org.kfork.ds.IntrusiveList;
import org.kfork.exit.WaitOpts;
import org.kfork.exit.WaitRules;
import org.kfork.kernel.Globals;
import org.kfork.kernel.fork.ForkTask;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.mm.Uaccess;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.sched.Wait;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.UapiSiginfo;

/**
 * kernel/exit.c (5.12), waiting for children, off-heap: do_wait with eligible_child,
 * wait_consider_task and wait_task_zombie, kernel_wait4 and kernel_waitid, and the system calls
 * that write their results to user memory (wait4's status, waitid's siginfo_t).
 *
 * <p>Invariants, as in 5.12:
 * <ul>
 *   <li>A zombie is reaped once: the waiter that moves its exit_state from EXIT_ZOMBIE to
 *       EXIT_DEAD (compare-and-set, tasklist_lock held for reading) releases it; WNOWAIT reads
 *       it and leaves it a zombie.</li>
 *   <li>A group leader whose threads still live is not reaped (delay_group_leader): the last
 *       thread's release announces the group.</li>
 *   <li>-ECHILD means no eligible child at all; with one that may change state later the wait
 *       sleeps (or returns 0 with WNOHANG). A signal for the waiter ends the sleep with
 *       -ERESTARTSYS.</li>
 *   <li>The status and siginfo are written after the child is released: a fault writing them
 *       gives -EFAULT, and the child is gone all the same.</li>
 * </ul>
 * WSTOPPED and WCONTINUED are accepted; the model has no job control, so no child is ever stopped
 * or continued and they find nothing to report. No ptrace: a task's ptrace is always 0, so
 * ptrace_do_wait has nothing to scan. getrusage: the model keeps no resource usage, so a wait's
 * rusage is not filled (the syscall layer reports zeros).
 */
public final class ExitWait {
    /** A scan that found nothing final: the waiter may sleep. */
    private static final int NOTHING = Integer.MIN_VALUE;

    private ExitWait() {
    }

    /** task_pid_type: the task's pid of {@code type} (its own, or its group's in signal->pids). */
    private static long taskPidType(long p, int type) {
        return type == PidRules.PIDTYPE_PID ? Mem.getLongAcquire(p + TaskStruct.THREAD_PID)
            : getLong(getLong(p + TaskStruct.SIGNAL) + SignalStruct.PIDS + (long) Long.BYTES * type);
    }

    /** eligible_child: p matches the wait's pid, and its exit signal the clone options. */
    static boolean eligibleChild(WaitOpts wo, long woPid, long p) {
        if (wo.woType != PidRules.PIDTYPE_MAX && taskPidType(p, wo.woType) != woPid) {
            return false;
        }
        return WaitRules.eligibleExitSignal(wo.woFlags, false, getInt(p + TaskStruct.EXIT_SIGNAL));
    }

    /** delay_group_leader: a zombie leader whose group still has threads. */
    static boolean delayGroupLeader(long p) {
        return Exit.threadGroupLeader(p) && !Signal.threadGroupEmpty(p);
    }

    /**
     * wait_task_zombie: p is a zombie the waiter may reap. tasklist_lock is held for reading on
     * entry; a non-zero result means it was released.
     *
     * @return p's pid as current sees it, or 0 to go on scanning (lock still held)
     */
    static int waitTaskZombie(Globals g, long current, WaitOpts wo, long p) {
        final int pid = Pids.taskPidVnr(g, current, p);
        final int uid = getInt(getLong(p + TaskStruct.REAL_CRED) + Cred.UID);
        if ((wo.woFlags & org.kfork.uapi.Wait.WEXITED) == 0) {
            return 0;
        }
        final int status;
        if ((wo.woFlags & org.kfork.uapi.Wait.WNOWAIT) != 0) {
            status = getInt(p + TaskStruct.EXIT_CODE);
            ForkTask.getTaskStruct(p);
            g.tasklistLock.readLock().unlock();
            ForkTask.putTaskStruct(g, p);
        } else {
            if (!Mem.compareAndSetInt(p + TaskStruct.EXIT_STATE, TaskState.EXIT_ZOMBIE, TaskState.EXIT_DEAD)) {
                return 0;
            }
            g.tasklistLock.readLock().unlock();
            final long sig = getLong(p + TaskStruct.SIGNAL);
            if (Exit.threadGroupLeader(p)) {
                accountChild(current, p, sig);
            }
            status = WaitRules.zombieStatus((getInt(sig + SignalStruct.FLAGS) & SignalFlags.SIGNAL_GROUP_EXIT) != 0,
                getInt(sig + SignalStruct.GROUP_EXIT_CODE), getInt(p + TaskStruct.EXIT_CODE));
            wo.woStat = status;
            Exit.releaseTask(g, current, p);
        }
        wo.fillInfo(pid, uid, status);
        return pid;
    }

    /**
     * The dead group's times go into the waiter's group's c* fields (the whole
     * group is dead, so p->signal needs no lock; the waiter's takes its siglock).
     */
    private static void accountChild(long current, long p, long sig) {
        final long psig = getLong(current + TaskStruct.SIGNAL);
        final long siglock = Signal.siglock(current);
        Spinlock.lock(siglock);
        add(psig + SignalStruct.CUTIME, getLong(p + TaskStruct.UTIME) + getLong(sig + SignalStruct.UTIME)
            + getLong(sig + SignalStruct.CUTIME));
        add(psig + SignalStruct.CSTIME, getLong(p + TaskStruct.STIME) + getLong(sig + SignalStruct.STIME)
            + getLong(sig + SignalStruct.CSTIME));
        add(psig + SignalStruct.CGTIME, getLong(p + TaskStruct.GTIME) + getLong(sig + SignalStruct.GTIME)
            + getLong(sig + SignalStruct.CGTIME));
        Spinlock.unlock(siglock);
    }

    private static void add(long field, long delta) {
        putLong(field, getLong(field) + delta);
    }

    /**
     * wait_consider_task: p, a child of one of the waiter's threads. An EXIT_DEAD child is
     * skipped; an eligible zombie is reaped unless it is a leader with live threads; any other
     * eligible child clears notask_error (it may yet change state). Stopped and continued
     * children: none in the model.
     */
    static int waitConsiderTask(Globals g, long current, WaitOpts wo, long woPid, long p) {
        final int exitState = Mem.getIntVolatile(p + TaskStruct.EXIT_STATE);
        if (exitState == TaskState.EXIT_DEAD || !eligibleChild(wo, woPid, p)) {
            return 0;
        }
        if (exitState == TaskState.EXIT_ZOMBIE && !delayGroupLeader(p)) {
            final int ret = waitTaskZombie(g, current, wo, p);
            if (ret != 0) {
                return ret;
            }
        }
        wo.notaskError = 0;
        // (wait_task_stopped, wait_task_continued: no job control, nothing to report)
        return 0;
    }

    /**
     * One pass of do_wait over the children of every thread of current's group (or of current
     * alone with __WNOTHREAD).
     *
     * @return a final result (a pid, or 0 with nothing found and WNOHANG, or -ECHILD), or
     *     {@link #NOTHING} when the waiter should sleep
     */
    static int doWaitScan(Globals g, long current, WaitOpts wo, long woPid) {
        wo.notaskError = -Errno.ECHILD;
        if (wo.woType < PidRules.PIDTYPE_MAX && (woPid == 0 || !Pids.pidHasTask(woPid, wo.woType))) {
            return wo.notaskError;
        }
        g.tasklistLock.readLock().lock();
        long tsk = current;
        do {
            final long children = tsk + TaskStruct.CHILDREN;
            for (long n = IntrusiveList.next(children); n != children; n = IntrusiveList.next(n)) {
                final int ret = waitConsiderTask(g, current, wo, woPid, n - TaskStruct.SIBLING);
                if (ret != 0) {
                    return ret; // tasklist_lock released
                }
            }
            if ((wo.woFlags & org.kfork.uapi.Wait.__WNOTHREAD) != 0) {
                break;
            }
            tsk = Signal.nextThread(tsk);
        } while (tsk != current);
        g.tasklistLock.readLock().unlock();
        if (wo.notaskError != 0 || (wo.woFlags & org.kfork.uapi.Wait.WNOHANG) != 0) {
            return wo.notaskError;
        }
        return NOTHING;
    }

    /**
     * do_wait: scans; when nothing is final, sleeps (interruptibly) until a child changes state
     * (__wake_up_parent) and scans again. The sleep's token is kept in {@code wo.rcuToken}.
     *
     * @return a pid, 0 (WNOHANG), -ECHILD, or -ERESTARTSYS when a signal ended the sleep
     */
    static int doWait(Globals g, long current, WaitOpts wo, long woPid) {
        int ret = doWaitScan(g, current, wo, woPid);
        if (ret != NOTHING) {
            return ret;
        }
        if (Wait.signalPending(current)) {
            return -Errno.ERESTARTSYS;
        }
        // the slow path: allocating the condition costs nothing next to a sleep
        final BooleanSupplier found = () -> (wo.scanResult = doWaitScan(g, current, wo, woPid)) != NOTHING;
        final long r = Wait.waitEventInterruptible(g, current, wo.rcuToken, found);
        wo.rcuToken = WaitResult.token(r);
        return WaitResult.ret(r) != 0 ? -Errno.ERESTARTSYS : wo.scanResult;
    }

    /** The wait's struct pid, with a reference: find_get_pid, or current's own group for 0. */
    private static long waitPid(Globals g, long current, int type, int nr) {
        if (type == PidRules.PIDTYPE_MAX) {
            return 0;
        }
        return nr == 0 ? Pids.getTaskPid(g, current, PidRules.PIDTYPE_PGID) : Pids.findGetPid(g, current, nr);
    }

    /**
     * kernel_wait4: the option checks, the pid to wait for (-1 any child, &lt; -1 a process group,
     * 0 the caller's group, &gt; 0 one child), then do_wait with WEXITED. The status is in
     * {@code wo.woStat}.
     *
     * @param wo reused by the caller, or null
     * @return the reaped child's pid, 0 (WNOHANG), or -EINVAL, -ESRCH, -ECHILD, -ERESTARTSYS
     */
    public static int kernelWait4(Globals g, long current, int upid, int options, WaitOpts wo) {
        final int bad = WaitRules.wait4Check(upid, options);
        if (bad != 0) {
            return bad;
        }
        final WaitOpts w = wo != null ? wo : new WaitOpts();
        final int type = WaitRules.wait4Type(upid);
        final long pid = waitPid(g, current, type, WaitRules.wait4Nr(upid));
        w.reset(type, options | org.kfork.uapi.Wait.WEXITED, false);
        final int ret = doWait(g, current, w, pid);
        Pids.putPid(g, pid);
        return ret;
    }

    /**
     * kernel_waitid: the option and idtype checks, the pid to wait for (P_PIDFD: {@code upid} is
     * a pidfd of current's table, turned into its pid by pidfd_get_pid), then do_wait. The
     * result is in {@code wo}'s info fields.
     *
     * @return the child's pid, 0 (WNOHANG, nothing found), or -EINVAL, -EBADF (P_PIDFD of a
     *         descriptor that is not an open pidfd), -ECHILD, -ERESTARTSYS
     */
    public static int kernelWaitid(Globals g, long current, int which, int upid, int options, WaitOpts wo) {
        final int bad = WaitRules.waitidCheck(which, upid, options);
        if (bad != 0) {
            return bad;
        }
        final WaitOpts w = wo != null ? wo : new WaitOpts();
        final int type = WaitRules.waitidType(which);
        final long pid = which == org.kfork.uapi.Wait.P_PIDFD ? Pids.pidfdGetPid(g, current, upid)
            : waitPid(g, current, type, upid);
        if (Errno.isError(pid)) {
            return (int) pid;
        }
        w.reset(type, options, true);
        final int ret = doWait(g, current, w, pid);
        Pids.putPid(g, pid);
        return ret;
    }

    /**
     * sys_wait4: kernel_wait4, then the status written with put_user to {@code statAddr} (when
     * not NULL) in current's mm. A fault gives -EFAULT, after the child was reaped.
     */
    public static int sysWait4(Globals g, long current, int upid, long statAddr, int options, WaitOpts wo) {
        final WaitOpts w = wo != null ? wo : new WaitOpts();
        final int ret = kernelWait4(g, current, upid, options, w);
        if (ret > 0 && statAddr != 0
            && Uaccess.putUser(g.mm, getLong(current + TaskStruct.MM), w.woStat, statAddr, Integer.BYTES) != 0) {
            return -Errno.EFAULT;
        }
        return ret;
    }

    /**
     * sys_waitid: kernel_waitid, then the siginfo_t fields written to {@code infop} (when not
     * NULL): si_signo SIGCHLD when a child was found (0 otherwise), si_errno 0, si_code,
     * si_pid, si_uid and si_status. Returns 0 on success; a fault gives -EFAULT.
     */
    public static int sysWaitid(Globals g, long current, int which, int upid, long infop, int options, WaitOpts wo) {
        final WaitOpts w = wo != null ? wo : new WaitOpts();
        int err = kernelWaitid(g, current, which, upid, options, w);
        int signo = 0;
        if (err > 0) {
            signo = Signals.SIGCHLD;
            err = 0;
        }
        if (infop == 0) {
            return err;
        }
        final long mm = getLong(current + TaskStruct.MM);
        if (Uaccess.putUser(g.mm, mm, signo, infop + UapiSiginfo.SI_SIGNO, Integer.BYTES) != 0
            || Uaccess.putUser(g.mm, mm, 0, infop + UapiSiginfo.SI_ERRNO, Integer.BYTES) != 0
            || Uaccess.putUser(g.mm, mm, w.infoCause, infop + UapiSiginfo.SI_CODE, Integer.BYTES) != 0
            || Uaccess.putUser(g.mm, mm, w.infoPid, infop + UapiSiginfo.SI_PID, Integer.BYTES) != 0
            || Uaccess.putUser(g.mm, mm, w.infoUid, infop + UapiSiginfo.SI_UID, Integer.BYTES) != 0
            || Uaccess.putUser(g.mm, mm, w.infoStatus, infop + UapiSiginfo.SI_STATUS, Integer.BYTES) != 0) {
            return -Errno.EFAULT;
        }
        return err;
    }

    /**
     * __wake_up_parent: wakes the waiters of parent's group after p changed state (one
     * kernel-wide queue: every sleeper re-checks its own condition).
     */
    public static void wakeUpParent(Globals g, long p, long parent) {
        Wait.wakeUpAll(g);
    }
}
