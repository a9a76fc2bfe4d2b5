package org.kfork.kernel.signal;

import static org.kfork.uapi.Signals.SIGCHLD;
import static org.kfork.uapi.Signals.SIG_IGN;

import org.kfork.arch.X86_64;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.KSigaction;
import org.kfork.kernel.struct.KernelSiginfo;
import org.kfork.kernel.struct.Sigaction;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Abi;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskState;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/**
 * kernel/signal.c (5.12), its entry points, off-heap: what the system calls and the other kernel
 * files call to send a signal on someone's behalf: kill(2) with its permission check
 * (check_kill_permission, group_send_sig_info, kill_pid_info, kill_proc_info,
 * kill_something_info, __kill_pgrp_info), the kernel's send_sig and send_sig_info, the parent's
 * exit signal (do_notify_parent) and sigaction(2) (do_sigaction). They stand on {@link Signal},
 * which keeps the pending sets and generates the signals, and keep its invariants.
 */
public final class SignalCalls {
    /** sizeof(struct pt_regs) on x86_64: the top of a kernel stack holds the user registers. */
    static final int PT_REGS_SIZE = 168;
    /** USER_HZ's clock ticks per nanosecond divisor: nsec_to_clock_t divides by NSEC_PER_SEC / USER_HZ. */
    private static final long NSEC_PER_CLOCK_T = 1_000_000_000L / 100;

    private SignalCalls() {
    }

    // ---- permission

    /** si_fromuser: sent from user space (kill's NOINFO, or a siginfo whose code says so). */
    static boolean siFromuser(long info) {
        return info == Signal.SEND_SIG_NOINFO
            || (!Signal.isSiSpecial(info) && Signals.siFromuser(Mem.getInt(info + KernelSiginfo.SI_CODE)));
    }

    /**
     * kill_ok_by_cred: the sender's real or effective uid is the target's real or saved uid, or
     * the sender has Capabilities.CAP_KILL. Called under rcu_read_lock.
     */
    static boolean killOkByCred(Globals g, long current, long t) {
        final long cred = Mem.getLong(current + TaskStruct.CRED);
        final long tcred = Mem.getLong(t + TaskStruct.REAL_CRED);
        final int euid = Mem.getInt(cred + Cred.EUID);
        final int uid = Mem.getInt(cred + Cred.UID);
        final int tsuid = Mem.getInt(tcred + Cred.SUID);
        final int tuid = Mem.getInt(tcred + Cred.UID);
        return euid == tsuid || euid == tuid || uid == tsuid || uid == tuid
            || g.signalExterns.capable(current, Capabilities.CAP_KILL);
    }

    /**
     * check_kill_permission: -EINVAL for a signal out of range; a signal from user space to another
     * thread group needs kill_ok_by_cred (SIGCONT within a session would do too: the model has one
     * session per tree and no setsid, so it is not special here), else -EPERM.
     */
    static int checkKillPermission(Globals g, long current, int sig, long info, long t) {
        if (!Signals.validSignal(sig)) {
            return -Errno.EINVAL;
        }
        if (!siFromuser(info)) {
            return 0;
        }
        if (!Signal.sameThreadGroup(current, t) && !killOkByCred(g, current, t)) {
            return -Errno.EPERM;
        }
        return 0;
    }

    // ---- sending on someone's behalf

    /** group_send_sig_info: the permission check, then the signal (signal 0 only checks). */
    public static int groupSendSigInfo(Globals g, long current, int sig, long info, long p, int type) {
        final int rcu = g.rcu.rcuReadLock();
        int ret = checkKillPermission(g, current, sig, info, p);
        g.rcu.rcuReadUnlock(rcu);
        if (ret == 0 && sig != 0) {
            ret = Signal.doSendSigInfo(g, current, sig, info, p, type);
        }
        return ret;
    }

    /**
     * __kill_pgrp_info: the signal to every process of a group (tasklist_lock held for reading):
     * 0 if any got it, else the last error, -ESRCH for an empty group.
     */
    static int __killPgrpInfo(Globals g, long current, int sig, long info, long pgrp) {
        boolean success = false;
        int retval = -Errno.ESRCH;
        final SignalExterns x = g.signalExterns;
        for (long p = pgrp == 0 ? 0 : x.pidTask(pgrp, PidRules.PIDTYPE_PGID); p != 0;
             p = x.pidTaskNext(p, PidRules.PIDTYPE_PGID)) {
            final int err = groupSendSigInfo(g, current, sig, info, p, PidRules.PIDTYPE_PGID);
            success |= err == 0;
            retval = err;
        }
        return success ? 0 : retval;
    }

    /** kill_pid_info: the signal to the thread group of pid's task; -ESRCH when none. */
    public static int killPidInfo(Globals g, long current, int sig, long info, long pid) {
        for (;;) {
            final int rcu = g.rcu.rcuReadLock();
            final long p = pid == 0 ? 0 : g.signalExterns.pidTask(pid, PidRules.PIDTYPE_PID);
            int error = -Errno.ESRCH;
            if (p != 0) {
                error = groupSendSigInfo(g, current, sig, info, p, PidRules.PIDTYPE_TGID);
            }
            g.rcu.rcuReadUnlock(rcu);
            if (p == 0 || error != -Errno.ESRCH) {
                return error;
            }
            // the task was released in between: look the pid up again (de_thread may have a new leader)
        }
    }

    /** kill_proc_info: kill_pid_info on the pid numbered {@code nr} in current's namespace. */
    static int killProcInfo(Globals g, long current, int sig, long info, int nr) {
        final int rcu = g.rcu.rcuReadLock();
        final int error = killPidInfo(g, current, sig, info, g.signalExterns.findVpid(current, nr));
        g.rcu.rcuReadUnlock(rcu);
        return error;
    }

    /**
     * kill_something_info: pid > 0 is a process; 0 current's process group; -1 every process but
     * init and current's own group (0 if any got it through, -EPERM failures aside); below -1 the
     * process group -pid.
     */
    public static int killSomethingInfo(Globals g, long current, int sig, long info, int pid) {
        if (pid > 0) {
            return killProcInfo(g, current, sig, info, pid);
        }
        if (pid == Integer.MIN_VALUE) {
            return -Errno.ESRCH; // -INT_MIN is undefined
        }
        final SignalExterns x = g.signalExterns;
        int ret;
        g.tasklistLock.readLock().lock();
        try {
            if (pid != -1) {
                ret = __killPgrpInfo(g, current, sig, info, pid != 0 ? x.findVpid(current, -pid) : x.taskPgrp(current));
            } else {
                int retval = 0;
                int count = 0;
                final long init = x.initTask();
                for (long p = x.nextTask(init); p != init; p = x.nextTask(p)) {
                    final int vnr = x.taskPidNrNs(p, PidRules.PIDTYPE_PID, x.taskActivePidNs(current));
                    if (vnr > 1 && !Signal.sameThreadGroup(p, current)) {
                        final int err = groupSendSigInfo(g, current, sig, info, p, Limits.PIDTYPE_MAX);
                        ++count;
                        if (err != -Errno.EPERM) {
                            retval = err;
                        }
                    }
                }
                ret = count != 0 ? retval : -Errno.ESRCH;
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        return ret;
    }

    /** send_sig_info: a signal from the kernel to one thread; -EINVAL for a bad number. */
    public static int sendSigInfo(Globals g, long current, int sig, long info, long p) {
        if (!Signals.validSignal(sig)) {
            return -Errno.EINVAL;
        }
        return Signal.doSendSigInfo(g, current, sig, info, p, PidRules.PIDTYPE_PID);
    }

    /** send_sig: send_sig_info with Signal.SEND_SIG_PRIV when {@code priv}, else Signal.SEND_SIG_NOINFO. */
    public static int sendSig(Globals g, long current, int sig, long p, boolean priv) {
        return sendSigInfo(g, current, sig, priv ? Signal.SEND_SIG_PRIV : Signal.SEND_SIG_NOINFO, p);
    }

    // ---- the parent's exit signal

    /**
     * The kernel stack slot where a system call keeps a {@code struct kernel_siginfo} local (sys_kill's
     * and do_notify_parent's): the 48 bytes below pt_regs at the top of the task's stack, 16-byte
     * aligned, so within the stack's last page. A task's stack is a vmalloc area, whose direct-map
     * address comes from the page-table walk; init_task's is init_stack, a static of the image in
     * the direct map. The two locals never nest on one task.
     */
    static long stackSiginfo(Globals g, long task) {
        final long stack = Mem.getLong(task + TaskStruct.STACK);
        if (stack == 0) {
            throw new IllegalStateException("task 0x" + Long.toHexString(task) + " has no kernel stack");
        }
        final long vaddr = (stack + X86_64.THREAD_SIZE - PT_REGS_SIZE - KernelSiginfo.SIZEOF) & ~15L;
        return vaddr >= Abi.VMALLOC_START ? g.forkInit.stacks().vmalloc().translate(vaddr) : vaddr;
    }

    /**
     * do_notify_parent: tsk died, tell its parent. The exit signal goes with a SIGCHLD siginfo
     * (the child's pid in the parent's namespace, its uid, status and times); a signal other than
     * SIGCHLD becomes SIGCHLD if the parent exec'd since the fork. When the parent ignores
     * SIGCHLD (SIG_IGN) or set SA_NOCLDWAIT, the child will be reaped by itself: the function
     * returns true, and with SIG_IGN no signal is sent at all. The parent's waiters are woken
     * either way (a blocked wait4 may now return -ECHILD). tasklist_lock is held.
     *
     * @return whether tsk should autoreap instead of becoming a zombie
     * @throws IllegalArgumentException for sig -1 (BUG_ON: a thread autoreaps without telling)
     * @throws IllegalStateException for a stopped task, or one that is not its group's last thread
     */
    public static boolean doNotifyParent(Globals g, long tsk, int sig) {
        return doNotifyParent(g, tsk, tsk, sig);
    }

    /**
     * do_notify_parent with the siginfo on {@code current}'s kernel stack, as 5.12 has it: the
     * caller may be another task than tsk (release_task of a zombie leader by its last thread or
     * by a waiter, whose stack tsk no longer has).
     */
    public static boolean doNotifyParent(Globals g, long current, long tsk, int sig) {
        if (sig == -1) {
            throw new IllegalArgumentException("do_notify_parent of a thread that autoreaps (exit_signal -1)");
        }
        // the BUG_ONs: a stop goes through do_notify_parent_cldstop; only a lone leader reports its death
        if ((Mem.getLongVolatile(tsk + TaskStruct.STATE) & (TaskState.__TASK_STOPPED | TaskState.__TASK_TRACED)) != 0
            || (Mem.getInt(tsk + TaskStruct.PTRACE) == 0
                && (Mem.getLong(tsk + TaskStruct.GROUP_LEADER) != tsk || !Signal.threadGroupEmpty(tsk)))) {
            throw new IllegalStateException("do_notify_parent: task 0x" + Long.toHexString(tsk)
                + " is stopped, or not the last thread of its group");
        }
        final long parent = Mem.getLong(tsk + TaskStruct.PARENT);
        // (do_notify_pidfd: nobody polls a pidfd in the model)
        if (sig != SIGCHLD && Mem.getLong(tsk + TaskStruct.PARENT_EXEC_ID)
            != Mem.getLongVolatile(parent + TaskStruct.SELF_EXEC_ID)) {
            sig = SIGCHLD; // the parent changed security domain: only SIGCHLD may go
        }
        final long info = stackSiginfo(g, current);
        Mem.zero(info, KernelSiginfo.SIZEOF);
        Mem.putInt(info + KernelSiginfo.SI_SIGNO, sig);
        final SignalExterns x = g.signalExterns;
        final int rcu = g.rcu.rcuReadLock();
        Mem.putInt(info + KernelSiginfo.SI_PID, x.taskPidNrNs(tsk, PidRules.PIDTYPE_PID, x.taskActivePidNs(parent)));
        Mem.putInt(info + KernelSiginfo.SI_UID, Mem.getInt(Mem.getLong(tsk + TaskStruct.REAL_CRED) + Cred.UID));
        g.rcu.rcuReadUnlock(rcu);
        final long sig0 = Signal.signal(tsk);
        Mem.putLong(info + KernelSiginfo.SI_UTIME,
            (Mem.getLong(tsk + TaskStruct.UTIME) + Mem.getLong(sig0 + SignalStruct.UTIME)) / NSEC_PER_CLOCK_T);
        Mem.putLong(info + KernelSiginfo.SI_STIME,
            (Mem.getLong(tsk + TaskStruct.STIME) + Mem.getLong(sig0 + SignalStruct.STIME)) / NSEC_PER_CLOCK_T);
        final int exitCode = Mem.getInt(tsk + TaskStruct.EXIT_CODE);
        Mem.putInt(info + KernelSiginfo.SI_STATUS, exitCode & 0x7f);
        if ((exitCode & 0x80) != 0) {
            Mem.putInt(info + KernelSiginfo.SI_CODE, Wait.CLD_DUMPED);
        } else if ((exitCode & 0x7f) != 0) {
            Mem.putInt(info + KernelSiginfo.SI_CODE, Wait.CLD_KILLED);
        } else {
            Mem.putInt(info + KernelSiginfo.SI_CODE, Wait.CLD_EXITED);
            Mem.putInt(info + KernelSiginfo.SI_STATUS, exitCode >> 8);
        }
        final long psig = Signal.sighand(parent);
        Spinlock.lock(psig + SighandStruct.SIGLOCK);
        boolean autoreap = false;
        final long chld = Signal.action(psig, SIGCHLD);
        if (Mem.getInt(tsk + TaskStruct.PTRACE) == 0 && sig == SIGCHLD
            && (Mem.getLong(chld + Sigaction.SA_HANDLER) == SIG_IGN
                || (Mem.getLong(chld + Sigaction.SA_FLAGS) & Signals.SA_NOCLDWAIT) != 0)) {
            // POSIX: the parent does not care, so the child is reaped without being a zombie;
            // SA_NOCLDWAIT still gets its SIGCHLD (implementation-defined), SIG_IGN does not
            autoreap = true;
            if (Mem.getLong(chld + Sigaction.SA_HANDLER) == SIG_IGN) {
                sig = 0;
            }
        }
        // __send_signal directly: si_pid and si_uid are already in the parent's namespaces
        if (Signals.validSignal(sig) && sig != 0) {
            Signal.__sendSignal(g, tsk, sig, info, parent, PidRules.PIDTYPE_TGID, false);
        }
        x.wakeUpParent(tsk, parent);
        Spinlock.unlock(psig + SighandStruct.SIGLOCK);
        return autoreap;
    }

    // ---- system calls

    /**
     * sys_kill: the siginfo of kill(2) (SI_USER, current's tgid and uid), built on current's
     * kernel stack, then kill_something_info.
     */
    public static int sysKill(Globals g, long current, int pid, int sig) {
        final long info = stackSiginfo(g, current);
        // prepare_kill_siginfo
        Mem.zero(info, KernelSiginfo.SIZEOF);
        Mem.putInt(info + KernelSiginfo.SI_SIGNO, sig);
        Mem.putInt(info + KernelSiginfo.SI_CODE, Signals.SI_USER);
        final SignalExterns x = g.signalExterns;
        Mem.putInt(info + KernelSiginfo.SI_PID, x.taskPidNrNs(current, PidRules.PIDTYPE_TGID, x.taskActivePidNs(current)));
        Mem.putInt(info + KernelSiginfo.SI_UID, Mem.getInt(Mem.getLong(current + TaskStruct.CRED) + Cred.UID));
        return killSomethingInfo(g, current, sig, info, pid);
    }

    /**
     * do_sigaction with a {@code struct k_sigaction} in kernel memory for the new action
     * ({@code act}, 0 for none) and for the old one ({@code oact}, 0 for none): see
     * {@link #doSigaction(Globals, long, int, boolean, long, long, long, long, long)}.
     */
    public static int doSigaction(Globals g, long current, int sig, long act, long oact) {
        if (act == 0) {
            return doSigaction(g, current, sig, false, 0, 0, 0, 0, oact);
        }
        final long sa = act + KSigaction.SA;
        return doSigaction(g, current, sig, true, Mem.getLong(sa + Sigaction.SA_HANDLER),
            Mem.getLong(sa + Sigaction.SA_FLAGS), Mem.getLong(sa + Sigaction.SA_RESTORER),
            Mem.getLong(sa + Sigaction.SA_MASK), oact);
    }

    /**
     * do_sigaction: -EINVAL for a signal out of [1, 64], or for a new action on SIGKILL or SIGSTOP.
     * Under the siglock: the old action is copied out (its flags masked to UAPI_SA_FLAGS); the new
     * one, its unknown flags cleared and SIGKILL/SIGSTOP taken out of its mask, replaces it; and
     * when the new disposition ignores the signal (SIG_IGN, or SIG_DFL of a signal ignored by
     * default) the signal is discarded from the group's and every thread's pending sets (POSIX
     * 3.3.1.3).
     *
     * @param hasAct whether a new action is given (the C act != NULL)
     * @param oact a {@code struct k_sigaction} to receive the old action, or 0
     */
    public static int doSigaction(Globals g, long current, int sig, boolean hasAct, long handler, long flags,
                                  long restorer, long mask, long oact) {
        if (!Signals.validSignal(sig) || sig < 1 || (hasAct && Signals.sigKernelOnly(sig))) {
            return -Errno.EINVAL;
        }
        final long p = current;
        final long sighand = Signal.sighand(p);
        final long k = Signal.action(sighand, sig);
        Spinlock.lock(sighand + SighandStruct.SIGLOCK);
        if (oact != 0) {
            Mem.copy(k, oact + KSigaction.SA, Sigaction.SIZEOF);
            final long of = oact + KSigaction.SA + Sigaction.SA_FLAGS;
            Mem.putLong(of, Mem.getLong(of) & Signals.UAPI_SA_FLAGS);
        }
        if (hasAct) {
            Mem.putLong(k + Sigaction.SA_HANDLER, handler);
            Mem.putLong(k + Sigaction.SA_FLAGS, flags & Signals.UAPI_SA_FLAGS);
            Mem.putLong(k + Sigaction.SA_RESTORER, restorer);
            Mem.putLong(k + Sigaction.SA_MASK, mask & ~Signals.SIG_KERNEL_ONLY_MASK);
            if (Signals.sigHandlerIgnored(Signal.sigHandler(p, sig), sig)) {
                final long m = Signals.rtSigmask(sig);
                final long signal = Signal.signal(p);
                Signal.flushSigqueueMask(g, m, signal + SignalStruct.SHARED_PENDING);
                for (long t = Signal.firstThread(signal); t != 0; t = Signal.nextThreadNode(signal, t)) {
                    Signal.flushSigqueueMask(g, m, t + TaskStruct.PENDING);
                }
            }
        }
        Spinlock.unlock(sighand + SighandStruct.SIGLOCK);
        return 0;
    }
}
