package org.kfork.kernel.signal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kfork.pid.PidRules;
import org.kfork.uapi.CloneFlags;

/**
 * One kernel (off-heap or heap) under the signal room's tests, behind an API of int task handles,
 * so that one suite drives both variants and compares them with the same expected values.
 *
 * <p>What the rooms beside this one do (pids, credentials, the process tree, the scheduler's
 * wake-ups) is played by {@link TaskModel}: every task has a global pid number, maybe a number in
 * one child pid namespace, a process group, capabilities and a running flag, and the model logs
 * the wake-ups and free_uid calls the signal code asks for. Task 0 is init_task: it uses the
 * kernel's init_sighand and init_signals. {@link #fork} does what copy_process does around
 * copy_sighand and copy_signal (the rest of a task is not built), and {@link #release} what
 * __exit_signal, release_task and the last put_task_struct do with the signal structs.
 *
 * <p>{@link #close} tears every task down (but init_task), asserts the object counts are back at
 * their baseline (the leak check off-heap, objectCounts on the heap) and closes the kernel.
 */
abstract class SignalWorld implements AutoCloseable {
    /** The model of the neighbours: pids, namespaces, groups, capabilities, running tasks. */
    static final class TaskModel {
        /** Global pid number (init_task 0). */
        final List<Integer> nr = new ArrayList<>();
        /** 0 in the initial pid namespace, 1 in the one child namespace. */
        final List<Integer> level = new ArrayList<>();
        /** The number in the child namespace (level 1 only). */
        final List<Integer> nsNr = new ArrayList<>();
        /** Index of the task that forked it (-1 for init_task). */
        final List<Integer> parent = new ArrayList<>();
        /** Index of the thread group leader. */
        final List<Integer> leader = new ArrayList<>();
        /** Index of the process group leader. */
        final List<Integer> pgrp = new ArrayList<>();
        /** Capability bits (1 << cap). */
        final List<Long> caps = new ArrayList<>();
        /** task_curr. */
        final List<Boolean> running = new ArrayList<>();
        /** Still hashed (not released). */
        final List<Boolean> hashed = new ArrayList<>();
        /** Wake-ups asked for: "task:state" (the stress test's threads add to it at once). */
        final List<String> wakeups = java.util.Collections.synchronizedList(new ArrayList<>());
        /** __wake_up_parent calls: "child->parent". */
        final List<String> parentWakeups = java.util.Collections.synchronizedList(new ArrayList<>());
        int nextNr = 1;
        int nextNsNr = 1;
        volatile int freeUids;

        int add(int parent, long flags, boolean thread) {
            int i = nr.size();
            int lvl = parent < 0 ? 0 : level.get(parent);
            if ((flags & CloneFlags.CLONE_NEWPID) != 0) {
                lvl = 1;
            }
            nr.add(parent < 0 ? 0 : nextNr++);
            level.add(lvl);
            nsNr.add(lvl == 1 ? nextNsNr++ : 0);
            this.parent.add(parent);
            leader.add(thread ? leader.get(parent) : i);
            pgrp.add(parent <= 0 ? i : pgrp.get(parent));
            caps.add(parent < 0 ? -1L : caps.get(parent));
            running.add(false);
            hashed.add(true);
            return i;
        }

        int findVpid(int current, int n) {
            for (int i = 1; i < nr.size(); i++) {
                if (!hashed.get(i)) {
                    continue;
                }
                if (level.get(current) == 0 ? nr.get(i) == n : level.get(i) == 1 && nsNr.get(i) == n) {
                    return i;
                }
            }
            return -1;
        }

        int byNr(int n) {
            for (int i = 0; i < nr.size(); i++) {
                if (nr.get(i) == n && hashed.get(i)) {
                    return i;
                }
            }
            return -1;
        }

        /** The first hashed group leader at or after {@code from} in process group {@code g}. */
        int pgrpMember(int g, int from) {
            for (int i = from; i < nr.size(); i++) {
                if (hashed.get(i) && leader.get(i) == i && pgrp.get(i) == g) {
                    return i;
                }
            }
            return -1;
        }

        int pidNrNs(int task, int type, int ns) {
            int j = type == PidRules.PIDTYPE_PID ? task : leader.get(task);
            if (ns == 1) {
                return nr.get(j);
            }
            return level.get(j) == 1 ? nsNr.get(j) : 0;
        }

        int activeNs(int task) {
            return level.get(task) == 0 ? 1 : 2;
        }

        /** next_task over the hashed group leaders in creation order, init_task (0) closing the circle. */
        int nextTask(int p) {
            for (int i = p + 1; i < nr.size(); i++) {
                if (hashed.get(i) && leader.get(i) == i) {
                    return i;
                }
            }
            return 0;
        }
    }

    final TaskModel model = new TaskModel();

    /** The task's index in the model. */
    final int count() {
        return model.nr.size();
    }

    // ---- building and tearing down tasks

    /** A child of {@code parent} as copy_process builds its signal state, or a negative errno. */
    abstract int fork(int parent, long flags);

    /** __exit_signal, release_task and put_task_struct of the task's signal state (not task 0). */
    abstract void release(int t);

    /** Sets the task's uids (a new cred of its own, on that uid's user). */
    abstract void setCred(int t, int uid, int euid, int suid);

    /** Gives or takes capability {@code cap}. */
    final void setCap(int t, int cap, boolean on) {
        long c = model.caps.get(t);
        model.caps.set(t, on ? c | (1L << cap) : c & ~(1L << cap));
    }

    /** setpgid(t, leader): moves the task into the process group of {@code leader}. */
    final void setpgid(int t, int leader) {
        model.pgrp.set(t, leader);
    }

    final void setRunning(int t, boolean on) {
        model.running.set(t, on);
    }

    /** The index of the task that forked t. */
    final int parentIndex(int t) {
        return model.parent.get(t);
    }

    /** The global pid number. */
    final int nr(int t) {
        return model.nr.get(t);
    }

    // ---- calls

    abstract int kill(int caller, int pid, int sig);

    abstract int sendSig(int caller, int sig, int t, boolean priv);

    /** A signal from the kernel to a thread group (group_send_sig_info with SEND_SIG_PRIV). */
    abstract int groupSendPriv(int caller, int sig, int t);

    abstract int sigaction(int t, int sig, long handler, long flags, long mask);

    /** do_sigaction that also reads the old action into {@code old} (handler, flags, restorer, mask). */
    abstract int sigaction(int t, int sig, boolean hasAct, long handler, long flags, long restorer, long mask,
                           long[] old);

    abstract boolean notifyParent(int t, int sig);

    abstract int zapOtherThreads(int t);

    abstract void flushSignalHandlers(int t, boolean force);

    abstract void recalcSigpending(int t);

    abstract void calculateSigpending(int t);

    abstract void flushSignals(int t);

    abstract int prlimit(int t, long resource, boolean hasNew, long cur, long max, long[] old);

    /** forkDelaySignals with the task's one multiprocess_signals slot. */
    abstract int forkDelay(int t, long flags);

    /** The delayed set of the task's slot. */
    abstract long delayed(int t);

    abstract void forkDone(int t);

    // ---- state

    /** {handler, flags, restorer, mask} of the task's action for sig. */
    abstract long[] action(int t, int sig);

    abstract long pending(int t);

    abstract long sharedPending(int t);

    /** Each queued siginfo of the own (false) or shared (true) queue: {signo, code, pid, uid, status}. */
    abstract List<int[]> queued(int t, boolean shared);

    abstract boolean tifSigpending(int t);

    abstract boolean fatalSignalPending(int t);

    abstract void setBlocked(int t, long set);

    abstract void setFlags(int t, int pf);

    abstract void setExitCode(int t, int code);

    abstract void setExitState(int t, int state);

    abstract void setParentExecIds(int t, long parentExecId, long parentSelfExecId);

    abstract int signalFlags(int t);

    abstract void setSignalFlags(int t, int flags);

    abstract int groupExitCode(int t);

    abstract long jobctl(int t);

    abstract void setJobctl(int t, long jobctl);

    abstract int nrThreads(int t);

    abstract int live(int t);

    abstract int sigcnt(int t);

    abstract int sighandCount(int t);

    abstract boolean sameSighand(int a, int b);

    abstract boolean sameSignal(int a, int b);

    /** for_each_thread's order. */
    abstract List<Integer> threads(int t);

    abstract int currTarget(int t);

    abstract long[] rlimit(int t, int resource);

    abstract void setRlimit(int t, int resource, long cur, long max);

    abstract long profNextevt(int t);

    abstract boolean timersActive(int t);

    abstract void setOom(int t, short adj, short adjMin, int auditTty);

    /** {oom_score_adj, oom_score_adj_min, audit_tty, has_child_subreaper, is_child_subreaper}. */
    abstract int[] oom(int t);

    /** The user of this uid: {__count, sigpending}. */
    abstract int[] userCounts(int uid);

    /** Live objects of a cache ("sighand_cache", "signal_cache", "sigqueue"). */
    abstract long objects(String cache);

    /**
     * init_sighand and init_signals as booted: {count, every handler SIG_DFL ? 1 : 0, nr_threads, sigcnt,
     * every pids[] at init_struct_pid ? 1 : 0}.
     */
    abstract long[] initStatics();

    abstract long[] initRlimit(int resource);

    abstract int maxThreads();

    abstract void failNth(long k);

    abstract long allocations();

    abstract void disarm();

    abstract void setNrOpen(int n);

    /** Runs {@code r} with the task's sighand pointer NULL, as after release_task. */
    abstract void withoutSighand(int t, Runnable r);

    /** Object counts for the leak check, by cache. */
    abstract Map<String, Long> counts();

    /** Releases every task but init_task, checks for leaks, closes the kernel. */
    @Override
    public abstract void close();
}
