package org.kfork.kernel.exit;

import static org.kfork.machine.Mem.putLong;

import org.kfork.exit.WaitOpts;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.sched.SchedCore;
import org.kfork.kernel.sched.Wait;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.signal.SignalCalls;
import org.kfork.kernel.struct.KSigaction;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.kernel.struct.SighandStruct;
import org.kfork.kernel.struct.Sigaction;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;

/**
 * kernel/pid_namespace.c (5.12), zap_pid_ns_processes: the death of a pid namespace's init takes
 * the namespace with it. It sits beside exit.c's code because it is exit's step (find_child_reaper
 * calls it) and waits with kernel_wait4.
 *
 * <p>Invariant: when it returns, the only pids left in the namespace are the dying init's own
 * (one, or two when the exiting thread is not the group leader), so nothing outlives the init's
 * reaping, and the namespace accepts no new pid.
 */
public final class PidNsExit {
    private PidNsExit() {
    }

    /**
     * zap_pid_ns_processes: no more pids in {@code ns}; the init ignores SIGCHLD (so that its
     * children autoreap from now on); every other task of the namespace gets SIGKILL (tasks
     * outside any call exit at once: {@link Exit#exitIdleTasks}); the zombies the init had are
     * reaped; then it sleeps until only its own pids are left (free_pid wakes it). (pid_ns->reboot:
     * reboot(2) is not modelled, so group_exit_code stays.)
     */
    public static void zapPidNsProcesses(Globals g, long me, long ns) {
        final int initPids = Exit.threadGroupLeader(me) ? 1 : 2;
        Pids.disablePidAllocation(g, ns);
        final long sighand = Mem.getLong(me + TaskStruct.SIGHAND);
        Spinlock.lock(sighand + SighandStruct.SIGLOCK);
        putLong(sighand + SighandStruct.ACTION + (Signals.SIGCHLD - 1) * KSigaction.SIZEOF + KSigaction.SA
            + Sigaction.SA_HANDLER, Signals.SIG_IGN);
        Spinlock.unlock(sighand + SighandStruct.SIGLOCK);
        final int rcu = g.rcu.rcuReadLock();
        g.tasklistLock.readLock().lock();
        for (int nr = 2;; nr++) {
            final long pid = Pids.findGePid(g, nr, ns);
            if (pid == 0) {
                break;
            }
            nr = Pids.pidNrNs(pid, ns);
            final long task = Pids.pidTask(pid, PidRules.PIDTYPE_PID);
            if (task != 0 && !Signal.__fatalSignalPending(task)) {
                SignalCalls.groupSendSigInfo(g, me, Signals.SIGKILL, Signal.SEND_SIG_PRIV, task, PidRules.PIDTYPE_MAX);
            }
        }
        g.tasklistLock.readLock().unlock();
        g.rcu.rcuReadUnlock(rcu);
        Exit.exitIdleTasksNow(g);
        // the sleeps below are context switches for RCU: with the call's token (read after the
        // exits above, which may have slept in a zap of their own), else the call stays inside
        // RCU's system-call section while it sleeps, and every grace period stalls behind it
        final WaitOpts wo = new WaitOpts();
        wo.rcuToken = g.callRcuToken.get();
        int rc;
        do {
            SchedCore.clearTskThreadFlag(me, ThreadInfoFlags.TIF_SIGPENDING);
            rc = ExitWait.kernelWait4(g, me, -1, org.kfork.uapi.Wait.__WALL, wo);
        } while (rc != -Errno.ECHILD);
        g.callRcuToken.set(Wait.waitEvent(g, wo.rcuToken, () -> Pids.pidAllocated(ns) == initPids));
    }
}
