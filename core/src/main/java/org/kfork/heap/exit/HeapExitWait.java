package org.kfork.heap.exit;

import java.util.function.BooleanSupplier;
import org.kfork.exit.WaitOpts;
import org.kfork.exit.WaitRules;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.fork.HeapForkTask;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.sched.HeapWait;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.pid.PidRules;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.heap.ErrPtr;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.UapiSiginfo;
import org.kfork.uapi.Wait;

/**
 * The heap twin of org.kfork.kernel.exit.ExitWait: kernel/exit.c (5.12), do_wait,
 * kernel_wait4, kernel_waitid and their system calls, with the same steps and invariants.
 */
public final class HeapExitWait {
    private static final int NOTHING = Integer.MIN_VALUE;

    private HeapExitWait() {
    }

    /** task_pid_type. */
    private static HeapPid taskPidType(HeapTask p, int type) {
        return type == PidRules.PIDTYPE_PID ? p.threadPid() : p.signal.pid(type);
    }

    /** eligible_child. */
    static boolean eligibleChild(WaitOpts wo, HeapPid woPid, HeapTask p) {
        if (wo.woType != PidRules.PIDTYPE_MAX && taskPidType(p, wo.woType) != woPid) {
            return false;
        }
        return WaitRules.eligibleExitSignal(wo.woFlags, false, p.exitSignal);
    }

    /** delay_group_leader. */
    static boolean delayGroupLeader(HeapTask p) {
        return HeapExit.threadGroupLeader(p) && !HeapSignal.threadGroupEmpty(p);
    }

    /** wait_task_zombie. */
    static int waitTaskZombie(HeapGlobals g, HeapTask current, WaitOpts wo, HeapTask p) {
        final int pid = HeapPids.taskPidVnr(g, current, p);
        final int uid = p.realCred.uid;
        if ((wo.woFlags & Wait.WEXITED) == 0) {
            return 0;
        }
        final int status;
        if ((wo.woFlags & Wait.WNOWAIT) != 0) {
            status = p.exitCode;
            HeapForkTask.getTaskStruct(p);
            g.tasklistLock.readLock().unlock();
            HeapForkTask.putTaskStruct(g, p);
        } else {
            if (!p.compareAndSetExitState(TaskState.EXIT_ZOMBIE, TaskState.EXIT_DEAD)) {
                return 0;
            }
            g.tasklistLock.readLock().unlock();
            final HeapSignalStruct sig = p.signal;
            if (HeapExit.threadGroupLeader(p)) {
                accountChild(current, p, sig);
            }
            status = WaitRules.zombieStatus((sig.flags & SignalFlags.SIGNAL_GROUP_EXIT) != 0, sig.groupExitCode,
                p.exitCode);
            wo.woStat = status;
            HeapExit.releaseTask(g, current, p);
        }
        wo.fillInfo(pid, uid, status);
        return pid;
    }

    /** The dead group's times go into the waiter's group's c* fields. */
    private static void accountChild(HeapTask current, HeapTask p, HeapSignalStruct sig) {
        final HeapSignalStruct psig = current.signal;
        final HeapSighandStruct sighand = current.sighand;
        sighand.siglock.lock();
        psig.cutime += p.utime + sig.utime + sig.cutime;
        psig.cstime += p.stime + sig.stime + sig.cstime;
        psig.cgtime += p.gtime + sig.gtime + sig.cgtime;
        sighand.siglock.unlock();
    }

    /** wait_consider_task. */
    static int waitConsiderTask(HeapGlobals g, HeapTask current, WaitOpts wo, HeapPid woPid, HeapTask p) {
        final int exitState = p.exitState;
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
        return 0;
    }

    /** One pass of do_wait. */
    static int doWaitScan(HeapGlobals g, HeapTask current, WaitOpts wo, HeapPid woPid) {
        wo.notaskError = -Errno.ECHILD;
        if (wo.woType < PidRules.PIDTYPE_MAX && (woPid == null || !HeapPids.pidHasTask(woPid, wo.woType))) {
            return wo.notaskError;
        }
        g.tasklistLock.readLock().lock();
        HeapTask tsk = current;
        do {
            final HeapIntrusiveList children = tsk.children;
            for (HeapIntrusiveList n = children.next(); n != children; n = n.next()) {
                final int ret = waitConsiderTask(g, current, wo, woPid, ((HeapTask.Link) n).task);
                if (ret != 0) {
                    return ret;
                }
            }
            if ((wo.woFlags & Wait.__WNOTHREAD) != 0) {
                break;
            }
            tsk = HeapSignal.nextThread(tsk);
        } while (tsk != current);
        g.tasklistLock.readLock().unlock();
        if (wo.notaskError != 0 || (wo.woFlags & Wait.WNOHANG) != 0) {
            return wo.notaskError;
        }
        return NOTHING;
    }

    /** do_wait. */
    static int doWait(HeapGlobals g, HeapTask current, WaitOpts wo, HeapPid woPid) {
        final int ret = doWaitScan(g, current, wo, woPid);
        if (ret != NOTHING) {
            return ret;
        }
        if (HeapWait.signalPending(current)) {
            return -Errno.ERESTARTSYS;
        }
        final BooleanSupplier found = () -> (wo.scanResult = doWaitScan(g, current, wo, woPid)) != NOTHING;
        final long r = HeapWait.waitEventInterruptible(g, current, wo.rcuToken, found);
        wo.rcuToken = WaitResult.token(r);
        return WaitResult.ret(r) != 0 ? -Errno.ERESTARTSYS : wo.scanResult;
    }

    private static HeapPid waitPid(HeapGlobals g, HeapTask current, int type, int nr) {
        if (type == PidRules.PIDTYPE_MAX) {
            return null;
        }
        return nr == 0 ? HeapPids.getTaskPid(g, current, PidRules.PIDTYPE_PGID) : HeapPids.findGetPid(g, current, nr);
    }

    /** kernel_wait4. */
    public static int kernelWait4(HeapGlobals g, HeapTask current, int upid, int options, WaitOpts wo) {
        final int bad = WaitRules.wait4Check(upid, options);
        if (bad != 0) {
            return bad;
        }
        final WaitOpts w = wo != null ? wo : new WaitOpts();
        final int type = WaitRules.wait4Type(upid);
        final HeapPid pid = waitPid(g, current, type, WaitRules.wait4Nr(upid));
        w.reset(type, options | Wait.WEXITED, false);
        final int ret = doWait(g, current, w, pid);
        HeapPids.putPid(g, pid);
        return ret;
    }

    /** kernel_waitid. */
    public static int kernelWaitid(HeapGlobals g, HeapTask current, int which, int upid, int options, WaitOpts wo) {
        final int bad = WaitRules.waitidCheck(which, upid, options);
        if (bad != 0) {
            return bad;
        }
        final WaitOpts w = wo != null ? wo : new WaitOpts();
        final int type = WaitRules.waitidType(which);
        final HeapPid pid = which == org.kfork.uapi.Wait.P_PIDFD ? HeapPids.pidfdGetPid(g, current, upid)
            : waitPid(g, current, type, upid);
        if (ErrPtr.isErr(pid)) {
            return ErrPtr.ptrErr(pid);
        }
        w.reset(type, options, true);
        final int ret = doWait(g, current, w, pid);
        HeapPids.putPid(g, pid);
        return ret;
    }

    /** sys_wait4. */
    public static int sysWait4(HeapGlobals g, HeapTask current, int upid, long statAddr, int options, WaitOpts wo) {
        final WaitOpts w = wo != null ? wo : new WaitOpts();
        final int ret = kernelWait4(g, current, upid, options, w);
        if (ret > 0 && statAddr != 0 && HeapUaccess.putUser(g.mm, current.mm, w.woStat, statAddr, Integer.BYTES) != 0) {
            return -Errno.EFAULT;
        }
        return ret;
    }

    /** sys_waitid. */
    public static int sysWaitid(HeapGlobals g, HeapTask current, int which, int upid, long infop, int options,
                                WaitOpts wo) {
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
        if (HeapUaccess.putUser(g.mm, current.mm, signo, infop + UapiSiginfo.SI_SIGNO, Integer.BYTES) != 0
            || HeapUaccess.putUser(g.mm, current.mm, 0, infop + UapiSiginfo.SI_ERRNO, Integer.BYTES) != 0
            || HeapUaccess.putUser(g.mm, current.mm, w.infoCause, infop + UapiSiginfo.SI_CODE, Integer.BYTES) != 0
            || HeapUaccess.putUser(g.mm, current.mm, w.infoPid, infop + UapiSiginfo.SI_PID, Integer.BYTES) != 0
            || HeapUaccess.putUser(g.mm, current.mm, w.infoUid, infop + UapiSiginfo.SI_UID, Integer.BYTES) != 0
            || HeapUaccess.putUser(g.mm, current.mm, w.infoStatus, infop + UapiSiginfo.SI_STATUS, Integer.BYTES) != 0) {
            return -Errno.EFAULT;
        }
        return err;
    }

    /** __wake_up_parent. */
    public static void wakeUpParent(HeapGlobals g, HeapTask p, HeapTask parent) {
        HeapWait.wakeUpAll(g);
    }
}
