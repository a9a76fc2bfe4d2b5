package org.kfork.heap.exit;

import org.kfork.exit.WaitOpts;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.sched.HeapWait;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalCalls;
import org.kfork.pid.PidRules;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/**
 * The heap twin of org.kfork.kernel.exit.PidNsExit: kernel/pid_namespace.c (5.12),
 * zap_pid_ns_processes, with the same invariant.
 */
public final class HeapPidNsExit {
    private HeapPidNsExit() {
    }

    /** zap_pid_ns_processes. */
    public static void zapPidNsProcesses(HeapGlobals g, HeapTask me, HeapPidNamespace ns) {
        final int initPids = HeapExit.threadGroupLeader(me) ? 1 : 2;
        HeapPids.disablePidAllocation(g, ns);
        final HeapSighandStruct sighand = me.sighand;
        sighand.siglock.lock();
        sighand.action[Signals.SIGCHLD - 1].saHandler = Signals.SIG_IGN;
        sighand.siglock.unlock();
        final int rcu = g.rcu.rcuReadLock();
        g.tasklistLock.readLock().lock();
        for (int nr = 2;; nr++) {
            final HeapPid pid = HeapPids.findGePid(g, nr, ns);
            if (pid == null) {
                break;
            }
            nr = HeapPids.pidNrNs(pid, ns);
            final HeapTask task = HeapPids.pidTask(pid, PidRules.PIDTYPE_PID);
            if (task != null && !HeapSignal.__fatalSignalPending(task)) {
                HeapSignalCalls.groupSendSigInfo(g, me, Signals.SIGKILL, HeapSignal.SEND_SIG_PRIV, task,
                    PidRules.PIDTYPE_MAX);
            }
        }
        g.tasklistLock.readLock().unlock();
        g.rcu.rcuReadUnlock(rcu);
        HeapExit.exitIdleTasksNow(g);
        // the sleeps report the call's token to RCU (see PidNsExit)
        final WaitOpts wo = new WaitOpts();
        wo.rcuToken = g.callRcuToken.get();
        int rc;
        do {
            me.clearTskThreadFlag(ThreadInfoFlags.TIF_SIGPENDING);
            rc = HeapExitWait.kernelWait4(g, me, -1, Wait.__WALL, wo);
        } while (rc != -Errno.ECHILD);
        g.callRcuToken.set(HeapWait.waitEvent(g, wo.rcuToken, () -> HeapPids.pidAllocated(ns) == initPids));
    }
}
