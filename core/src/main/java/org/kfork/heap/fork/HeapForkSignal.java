package org.kfork.heap.fork;

import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.signal.HeapMultiprocessSignals;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.heap.signal.HeapSigpending;
import org.kfork.heap.time.HeapPosixCpuTimers;
import org.kfork.sched.Limits;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;

/**
 * The heap twin of org.kfork.kernel.fork.ForkSignal: the signal half of kernel/fork.c (5.12) and
 * init/init_task.c's init_sighand and init_signals over {@link HeapSighandStruct} and
 * {@link HeapSignalStruct}, with the same steps and invariants (see the off-heap class).
 */
public final class HeapForkSignal {
    private HeapForkSignal() {
    }

    // ---- init/init_task.c

    /** init_sighand: count 1, every action SIG_DFL. */
    public static HeapSighandStruct initSighand() {
        final HeapSighandStruct sighand = new HeapSighandStruct();
        sighand.count.set(1);
        for (int sig = 1; sig <= Signals._NSIG; sig++) {
            sighand.action[sig - 1].saHandler = Signals.SIG_DFL;
        }
        return sighand;
    }

    /** init_signals: nr_threads 1, INIT_RLIMITS, empty lists, every CPU timer base at U64_MAX. */
    public static HeapSignalStruct initSignals() {
        final HeapSignalStruct sig = new HeapSignalStruct();
        sig.nrThreads = 1;
        HeapIntrusiveList.init(sig.threadHead);
        initSigpending(sig.sharedPending);
        for (int r = 0; r < Limits.RLIM_NLIMITS; r++) {
            sig.rlimCur[r] = Resource.initRlimitCur(r);
            sig.rlimMax[r] = Resource.initRlimitMax(r);
        }
        sig.credGuardMutex = new ReentrantLock();
        sig.execUpdateLock = new ReentrantReadWriteLock();
        HeapIntrusiveList.init(sig.posixTimers);
        HeapPosixCpuTimers.posixCputimersInit(sig);
        return sig;
    }

    /** What fork_init writes into init_signals: RLIMIT_NPROC and RLIMIT_SIGPENDING at max_threads / 2. */
    public static void forkInitRlimits(HeapSignalStruct initSignals, int maxThreads) {
        initSignals.rlimCur[Resource.RLIMIT_NPROC] = maxThreads / 2;
        initSignals.rlimMax[Resource.RLIMIT_NPROC] = maxThreads / 2;
        initSignals.rlimCur[Resource.RLIMIT_SIGPENDING] = initSignals.rlimCur[Resource.RLIMIT_NPROC];
        initSignals.rlimMax[Resource.RLIMIT_SIGPENDING] = initSignals.rlimMax[Resource.RLIMIT_NPROC];
    }

    // ---- copy_sighand and __cleanup_sighand

    /** copy_sighand. */
    public static int copySighand(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask tsk) {
        final HeapSighandStruct cur = current.sighand;
        if ((cloneFlags & CloneFlags.CLONE_SIGHAND) != 0) {
            cur.count.inc();
            return 0;
        }
        final HeapSighandStruct sig = g.alloc(g.sighandKind) ? new HeapSighandStruct() : null;
        tsk.sighand = sig;
        if (sig == null) {
            return -Errno.ENOMEM;
        }
        sig.count.set(1);
        cur.siglock.lock();
        for (int i = 0; i < Signals._NSIG; i++) {
            sig.action[i].copyFrom(cur.action[i]);
        }
        cur.siglock.unlock();
        if ((cloneFlags & CloneFlags.CLONE_CLEAR_SIGHAND) != 0) {
            HeapSignal.flushSignalHandlers(tsk, false);
        }
        return 0;
    }

    /** __cleanup_sighand. */
    public static void __cleanupSighand(HeapGlobals g, HeapSighandStruct sighand) {
        if (sighand.count.decAndTest()) {
            g.free(g.sighandKind);
        }
    }

    // ---- copy_signal, free_signal_struct, put_signal_struct

    /** posix_cpu_timers_init_group. */
    static void posixCpuTimersInitGroup(HeapSignalStruct sig) {
        HeapPosixCpuTimers.posixCputimersGroupInit(sig, sig.rlimCur[Resource.RLIMIT_CPU]);
    }

    /** copy_signal. */
    public static int copySignal(HeapGlobals g, HeapTask current, long cloneFlags, HeapTask tsk) {
        if ((cloneFlags & CloneFlags.CLONE_THREAD) != 0) {
            return 0;
        }
        final HeapSignalStruct sig = g.alloc(g.signalKind) ? new HeapSignalStruct() : null;
        tsk.signal = sig;
        if (sig == null) {
            return -Errno.ENOMEM;
        }
        sig.nrThreads = 1;
        sig.live.set(1);
        sig.sigcnt.set(1);
        HeapIntrusiveList.init(sig.threadHead);
        HeapIntrusiveList.init(tsk.threadNode);
        HeapIntrusiveList.listAdd(tsk.threadNode, sig.threadHead);
        sig.currTarget = tsk;
        initSigpending(sig.sharedPending);
        HeapIntrusiveList.init(sig.posixTimers);
        final HeapSignalStruct curSignal = current.signal;
        final HeapTask leader = current.groupLeader;
        leader.allocLock.lock();
        System.arraycopy(curSignal.rlimCur, 0, sig.rlimCur, 0, Limits.RLIM_NLIMITS);
        System.arraycopy(curSignal.rlimMax, 0, sig.rlimMax, 0, Limits.RLIM_NLIMITS);
        leader.allocLock.unlock();
        posixCpuTimersInitGroup(sig);
        sig.auditTty = curSignal.auditTty;
        sig.oomScoreAdj = curSignal.oomScoreAdj;
        sig.oomScoreAdjMin = curSignal.oomScoreAdjMin;
        sig.credGuardMutex = new ReentrantLock();
        sig.execUpdateLock = new ReentrantReadWriteLock();
        return 0;
    }

    /** free_signal_struct. */
    public static void freeSignalStruct(HeapGlobals g, HeapSignalStruct sig) {
        if (sig.oomMm != null) {
            HeapForkMm.mmdropAsync(g.mm, sig.oomMm);
        }
        g.free(g.signalKind);
    }

    /** put_signal_struct. */
    public static void putSignalStruct(HeapGlobals g, HeapSignalStruct sig) {
        if (sig.sigcnt.decAndTest()) {
            freeSignalStruct(g, sig);
        }
    }

    // ---- copy_process's multiprocess signals

    /** The start of copy_process's signal handling (see the off-heap twin). */
    public static int forkDelaySignals(HeapGlobals g, HeapTask current, long cloneFlags,
                                       HeapMultiprocessSignals delayed) {
        delayed.signal = 0;
        HeapHList.delInit(delayed); // INIT_HLIST_NODE: the caller's node is unhashed by then
        final HeapSighandStruct sighand = current.sighand;
        sighand.siglock.lock();
        if ((cloneFlags & CloneFlags.CLONE_THREAD) == 0) {
            HeapHList.addHead(delayed, current.signal.multiprocess);
        }
        HeapSignal.recalcSigpending(current);
        sighand.siglock.unlock();
        return HeapSignal.taskSigpending(current) ? -Errno.ERESTARTNOINTR : 0;
    }

    /** The end of copy_process's signal handling (see the off-heap twin). */
    public static void forkSignalsDone(HeapTask current, HeapMultiprocessSignals delayed) {
        final HeapSighandStruct sighand = current.sighand;
        sighand.siglock.lock();
        HeapHList.delInit(delayed);
        sighand.siglock.unlock();
    }

    // ---- initializers of embedded kernel types

    /** init_sigpending. */
    static void initSigpending(HeapSigpending sigpending) {
        HeapIntrusiveList.init(sigpending.list);
        sigpending.signal = 0;
    }
}
