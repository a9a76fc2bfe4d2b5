package org.kfork.kernel.signal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.uapi.CloneFlags.CLONE_NEWPID;
import static org.kfork.uapi.CloneFlags.CLONE_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_VM;
import static org.kfork.uapi.Signals.SIGCHLD;
import static org.kfork.uapi.Signals.SIGCONT;
import static org.kfork.uapi.Signals.SIGKILL;
import static org.kfork.uapi.Signals.SIGQUIT;
import static org.kfork.uapi.Signals.SIGRTMIN;
import static org.kfork.uapi.Signals.SIGSTOP;
import static org.kfork.uapi.Signals.SIGTERM;
import static org.kfork.uapi.Signals.SIGUSR1;
import static org.kfork.uapi.Signals.SIGUSR2;
import static org.kfork.uapi.Signals.rtSigmask;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.sched.Jobctl;
import org.kfork.sched.SignalFlags;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/**
 * kernel/signal.c on both kernels: kill and its permission check, what a signal does when it is
 * generated (ignored, queued once, the thread chosen, a fatal signal taking the group down),
 * the pending-signal flag, sigqueues and RLIMIT_SIGPENDING, do_notify_parent's autoreap decision
 * and its siginfo, zap_other_threads, and sigaction's rules.
 */
class SignalTest {
    static final long THREAD = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
    static final long HANDLER = 0x401000L;
    /** TASK_WAKEKILL | TASK_INTERRUPTIBLE: the wake-up of a fatal signal. */
    static final String FATAL_WAKE = ":" + (TaskState.TASK_WAKEKILL | TaskState.TASK_INTERRUPTIBLE);

    /** A world with pid 1 (global init) and a process P (pid 2) with two more threads. */
    static int[] group(SignalWorld w) {
        int init = w.fork(0, 0);
        int p = w.fork(init, 0);
        int t1 = w.fork(p, THREAD);
        int t2 = w.fork(p, THREAD);
        return new int[] {init, p, t1, t2};
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void aFatalSignalMarksTheGroupAndPutsSigkillInEveryThread(SignalVariant v) {
        for (int sig : new int[] {SIGKILL, SIGTERM, SIGUSR1, SIGRTMIN + 3}) {
            try (SignalWorld w = v.create()) {
                int[] g = group(w);
                int p = g[1];
                assertEquals(0, w.kill(g[0], w.nr(p), sig));
                assertEquals(SignalFlags.SIGNAL_GROUP_EXIT, w.signalFlags(p), Signals.name(sig));
                assertEquals(sig, w.groupExitCode(p));
                for (int t : new int[] {p, g[2], g[3]}) {
                    assertTrue(Signals.sigismember(w.pending(t), SIGKILL), "SIGKILL for thread " + t);
                    assertTrue(w.fatalSignalPending(t));
                    assertTrue(w.model.wakeups.contains(t + FATAL_WAKE), "woken killable: " + w.model.wakeups);
                }
                assertTrue(Signals.sigismember(w.sharedPending(p), sig), "the signal itself waits in the group's set");
                // a second fatal signal finds the group dying
                assertEquals(0, w.kill(g[0], w.nr(p), SIGTERM));
                assertEquals(sig, w.groupExitCode(p));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void nonFatalSignalsAreNotGroupExits(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int[] g = group(w);
            int p = g[1];
            // a core-dumping signal wakes one thread to dump, it does not start the group exit here
            assertEquals(0, w.kill(g[0], w.nr(p), SIGQUIT));
            assertEquals(0, w.signalFlags(p));
            assertEquals(0, w.pending(g[2]));
            assertTrue(Signals.sigismember(w.sharedPending(p), SIGQUIT));
            // a handled signal is queued for the group, no SIGKILL anywhere
            assertEquals(0, w.sigaction(p, SIGUSR1, HANDLER, 0, 0));
            assertEquals(0, w.kill(g[0], w.nr(p), SIGUSR1));
            assertEquals(0, w.signalFlags(p));
            assertTrue(Signals.sigismember(w.sharedPending(p), SIGUSR1));
            assertFalse(w.fatalSignalPending(p));
            // SIGCHLD is ignored by default: not even queued
            assertEquals(0, w.kill(g[0], w.nr(p), SIGCHLD));
            assertFalse(Signals.sigismember(w.sharedPending(p), SIGCHLD));
            // a fatal signal blocked in the chosen thread's real_blocked... blocked signals are never ignored
            int q = w.fork(g[0], 0);
            w.setBlocked(q, rtSigmask(SIGTERM));
            assertEquals(0, w.kill(g[0], w.nr(q), SIGTERM));
            assertEquals(0, w.signalFlags(q), "blocked everywhere: queued, not fatal yet");
            assertTrue(Signals.sigismember(w.sharedPending(q), SIGTERM));
            assertFalse(w.tifSigpending(q), "nobody wants it: nobody is woken");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void completeSignalPicksAThreadThatWantsTheSignal(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int[] g = group(w);
            int p = g[1];
            assertEquals(0, w.sigaction(p, SIGUSR1, HANDLER, 0, 0));
            w.setBlocked(p, rtSigmask(SIGUSR1)); // the main thread blocks it
            w.setBlocked(g[2], rtSigmask(SIGUSR1));
            w.model.wakeups.clear();
            assertEquals(0, w.kill(g[0], w.nr(p), SIGUSR1));
            assertEquals(g[3], w.currTarget(p), "curr_target moves to the thread that takes it");
            assertEquals(List.of(g[3] + ":" + TaskState.TASK_INTERRUPTIBLE), w.model.wakeups);
            assertTrue(w.tifSigpending(g[3]));
            assertFalse(w.tifSigpending(p));
            // the search goes round the group from curr_target: g3 blocks it now, so does p; g2 takes it
            long blocked = rtSigmask(SIGUSR1) | rtSigmask(SIGUSR2) | rtSigmask(SIGTERM) | rtSigmask(Signals.SIGHUP)
                | rtSigmask(SIGRTMIN);
            w.setBlocked(p, blocked);
            w.setBlocked(g[3], blocked);
            w.setBlocked(g[2], 0);
            for (int sig : new int[] {SIGUSR2, SIGTERM, Signals.SIGHUP, SIGRTMIN}) {
                assertEquals(0, w.sigaction(p, sig, HANDLER, 0, 0));
            }
            w.model.wakeups.clear();
            assertEquals(0, w.kill(g[0], w.nr(p), SIGUSR2));
            assertEquals(g[2], w.currTarget(p));
            assertEquals(List.of(g[2] + ":" + TaskState.TASK_INTERRUPTIBLE), w.model.wakeups);
            // g2 now has a signal pending: not running, it does not want another, and nobody is woken
            w.model.wakeups.clear();
            assertEquals(0, w.kill(g[0], w.nr(p), SIGTERM));
            assertEquals(List.of(), w.model.wakeups);
            assertTrue(Signals.sigismember(w.sharedPending(p), SIGTERM), "it waits in the queue");
            // running (task_curr), it does
            w.setRunning(g[2], true);
            assertEquals(0, w.kill(g[0], w.nr(p), Signals.SIGHUP));
            assertEquals(List.of(g[2] + ":" + TaskState.TASK_INTERRUPTIBLE), w.model.wakeups);
            // an exiting thread never takes one
            w.setFlags(g[2], TaskFlags.PF_EXITING);
            w.setBlocked(g[3], 0);
            w.setRunning(g[3], true); // (it has a signal pending since the first kill)
            w.model.wakeups.clear();
            assertEquals(0, w.kill(g[0], w.nr(p), SIGRTMIN));
            assertEquals(g[3], w.currTarget(p));
            assertEquals(List.of(g[3] + ":" + TaskState.TASK_INTERRUPTIBLE), w.model.wakeups);
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void killChecksPermissionByUidOrCapKill(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int a = w.fork(init, 0);
            int b = w.fork(init, 0);
            w.setCap(a, Capabilities.CAP_KILL, false);
            w.setCap(b, Capabilities.CAP_KILL, false);
            w.setCred(a, 1000, 1000, 1000);
            w.setCred(b, 2000, 2000, 2000);
            assertEquals(0, w.sigaction(b, SIGUSR1, HANDLER, 0, 0));
            assertEquals(-Errno.EPERM, w.kill(a, w.nr(b), SIGUSR1), "another user's process");
            assertEquals(-Errno.EPERM, w.kill(a, w.nr(b), 0), "signal 0 checks permission too");
            assertEquals(0, w.sharedPending(b));
            w.setCred(b, 2000, 2000, 1000);
            assertEquals(0, w.kill(a, w.nr(b), SIGUSR1), "the sender's uid is the target's saved uid");
            w.setCred(b, 2000, 1000, 2000);
            assertEquals(-Errno.EPERM, w.kill(a, w.nr(b), SIGUSR1), "the target's euid does not count");
            w.setCred(a, 3000, 2000, 3000);
            assertEquals(0, w.kill(a, w.nr(b), SIGUSR1), "the sender's euid is the target's uid");
            w.setCred(a, 3000, 3000, 3000);
            w.setCap(a, Capabilities.CAP_KILL, true);
            assertEquals(0, w.kill(a, w.nr(b), SIGUSR1), "CAP_KILL");
            w.setCap(a, Capabilities.CAP_KILL, false);
            int t = w.fork(b, THREAD);
            w.setCred(t, 4000, 4000, 4000);
            assertEquals(0, w.kill(t, w.nr(b), SIGUSR1), "its own thread group needs no permission");
            assertEquals(-Errno.ESRCH, w.kill(a, 999, SIGUSR1));
            assertEquals(-Errno.EINVAL, w.kill(a, w.nr(a), 65));
            assertEquals(-Errno.EINVAL, w.kill(a, w.nr(a), -1));
            assertEquals(-Errno.ESRCH, w.kill(a, Integer.MIN_VALUE, SIGUSR1));
            assertEquals(0, w.kill(a, w.nr(a), 0), "signal 0 to oneself: checked, not sent");
            assertEquals(0, w.sharedPending(a));
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void killFillsTheSiginfoAndQueuesAStandardSignalOnce(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int a = w.fork(init, 0);
            int b = w.fork(init, 0);
            w.setCred(a, 1000, 1000, 1000);
            w.setCred(b, 1000, 1000, 1000);
            assertEquals(0, w.sigaction(b, SIGUSR1, HANDLER, 0, 0));
            assertEquals(0, w.sigaction(b, SIGRTMIN, HANDLER, 0, 0));
            assertEquals(0, w.kill(a, w.nr(b), SIGUSR1));
            assertEquals(0, w.kill(a, w.nr(b), SIGUSR1));
            assertEquals(0, w.kill(a, w.nr(b), SIGRTMIN));
            assertEquals(0, w.kill(a, w.nr(b), SIGRTMIN));
            List<int[]> q = w.queued(b, true);
            assertEquals(3, q.size(), "a standard signal is queued once, a real-time one each time");
            assertArrayEquals(new int[] {SIGUSR1, Signals.SI_USER, w.nr(a), 1000, 0}, q.get(0));
            assertArrayEquals(new int[] {SIGRTMIN, Signals.SI_USER, w.nr(a), 1000, 0}, q.get(2));
            // __count: the world's reference, a's and b's creds, and one for the pending count
            assertArrayEquals(new int[] {4, 3}, w.userCounts(1000),
                "three sigqueues charged to the receiver's user, which holds one more reference for them");
            assertEquals(3, w.objects("sigqueue"));
            w.flushSignals(b);
            assertArrayEquals(new int[] {3, 0}, w.userCounts(1000),
                "uncharged, and the reference the count held is given back through free_uid");
            assertEquals(1, w.model.freeUids);
            assertEquals(0, w.objects("sigqueue"));
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void rlimitSigpendingAndFailslabLoseTheSiginfoNotTheSignal(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int b = w.fork(init, 0);
            assertEquals(0, w.sigaction(b, SIGRTMIN, HANDLER, 0, 0));
            assertEquals(0, w.sigaction(b, SIGUSR1, HANDLER, 0, 0));
            w.setRlimit(b, Resource.RLIMIT_SIGPENDING, 1, 1);
            assertEquals(0, w.kill(init, w.nr(b), SIGRTMIN));
            assertEquals(0, w.kill(init, w.nr(b), SIGRTMIN + 1), "kill never fails for lack of room");
            assertEquals(1, w.queued(b, true).size(), "over RLIMIT_SIGPENDING a real-time kill loses its siginfo");
            assertEquals(rtSigmask(SIGRTMIN) | rtSigmask(SIGRTMIN + 1), w.sharedPending(b));
            assertEquals(0, w.kill(init, w.nr(b), SIGUSR1));
            assertEquals(2, w.queued(b, true).size(), "a standard signal from kill goes past the limit");
            assertEquals(2, w.userCounts(0)[1]);
            // failslab at the sigqueue allocation: the signal is still delivered
            w.flushSignals(b);
            for (int sig : new int[] {SIGUSR1, SIGRTMIN}) {
                Map<String, Long> before = w.counts();
                w.failNth(1);
                assertEquals(0, w.kill(init, w.nr(b), sig));
                w.disarm();
                assertEquals(before, w.counts(), "no sigqueue");
                assertEquals(rtSigmask(sig), w.sharedPending(b));
                assertEquals(0, w.userCounts(0)[1], "the charge is undone");
                w.flushSignals(b);
            }
            // SIGKILL never queues a siginfo
            w.failNth(Long.MAX_VALUE);
            assertEquals(0, w.kill(init, w.nr(b), SIGKILL));
            assertEquals(0, w.allocations());
            w.disarm();
            assertEquals(0, w.queued(b, true).size());
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void globalInitAndNamespaceInitsAreProtected(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int other = w.fork(init, 0);
            assertEquals(0, w.kill(other, 1, SIGKILL), "kill(1, SIGKILL) succeeds...");
            assertEquals(0, w.pending(init));
            assertEquals(0, w.signalFlags(init), "...but the global init ignores it");
            // a namespace's init: SIGNAL_UNKILLABLE
            int nsInit = w.fork(init, CLONE_NEWPID);
            w.setSignalFlags(nsInit, SignalFlags.SIGNAL_UNKILLABLE);
            int inside = w.fork(nsInit, 0);
            assertEquals(1, w.model.nsNr.get(nsInit));
            assertEquals(0, w.kill(inside, 1, SIGTERM), "its pid is 1 inside");
            assertEquals(0, w.sharedPending(nsInit), "SIG_DFL from inside: ignored");
            assertEquals(0, w.kill(inside, 1, SIGKILL));
            assertEquals(SignalFlags.SIGNAL_UNKILLABLE, w.signalFlags(nsInit));
            assertEquals(0, w.kill(other, w.nr(nsInit), SIGKILL), "from an ancestor namespace it is forced");
            assertEquals(SignalFlags.SIGNAL_GROUP_EXIT, w.signalFlags(nsInit));
            // the siginfo pid is the sender's number in the receiver's namespace
            assertEquals(0, w.sigaction(inside, SIGUSR1, HANDLER, 0, 0));
            assertEquals(0, w.kill(other, w.nr(inside), SIGUSR1));
            assertEquals(0, w.queued(inside, true).get(0)[2], "a sender outside the namespace shows as pid 0");
            int sibling = w.fork(nsInit, 0);
            assertEquals(0, w.sigaction(sibling, SIGUSR1, HANDLER, 0, 0));
            assertEquals(0, w.kill(inside, w.model.nsNr.get(sibling), SIGUSR1), "numbers inside are the namespace's");
            assertEquals(w.model.nsNr.get(inside), w.queued(sibling, true).get(0)[2]);
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void killReachesProcessGroupsAndEveryone(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int leader = w.fork(init, 0);
            int m1 = w.fork(leader, 0);
            int m2 = w.fork(leader, 0);
            int thread = w.fork(m2, THREAD);
            int outsider = w.fork(init, 0);
            for (int t : new int[] {leader, m1, m2, thread}) {
                w.setpgid(t, leader);
            }
            w.setpgid(outsider, outsider);
            for (int t : new int[] {leader, m1, m2, outsider}) {
                assertEquals(0, w.sigaction(t, SIGUSR1, HANDLER, 0, 0));
            }
            assertEquals(0, w.kill(outsider, -w.nr(leader), SIGUSR1));
            for (int t : new int[] {leader, m1, m2}) {
                assertEquals(rtSigmask(SIGUSR1), w.sharedPending(t), "group member " + t);
            }
            assertEquals(0, w.pending(thread));
            assertEquals(0, w.sharedPending(outsider));
            assertEquals(0, w.kill(m1, 0, SIGUSR2), "pid 0: the caller's own group (default action: fatal)");
            assertEquals(SignalFlags.SIGNAL_GROUP_EXIT, w.signalFlags(m2));
            assertEquals(-Errno.ESRCH, w.kill(outsider, -999, SIGUSR1));
            // kill(-1): everyone but init and the caller's own group
            int quiet = w.fork(init, 0);
            assertEquals(0, w.sigaction(quiet, SIGUSR1, HANDLER, 0, 0));
            assertEquals(0, w.kill(outsider, -1, SIGUSR1));
            assertEquals(rtSigmask(SIGUSR1), w.sharedPending(quiet));
            assertEquals(0, w.sharedPending(outsider), "not the caller");
            assertEquals(0, w.sharedPending(init), "not init");
            // with no permission anywhere, -EPERM is not reported by kill(-1)...
            w.setCap(quiet, Capabilities.CAP_KILL, false);
            w.setCred(quiet, 5000, 5000, 5000);
            int lone = w.fork(0, 0);
            w.setCap(lone, Capabilities.CAP_KILL, false);
            w.setCred(lone, 6000, 6000, 6000);
            assertEquals(0, w.kill(lone, -1, SIGUSR1), "EPERM failures are not kill(-1)'s result");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void stopAndContinueSignalsFlushEachOther(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int[] g = group(w);
            int p = g[1];
            assertEquals(0, w.sigaction(p, SIGCONT, HANDLER, 0, 0));
            assertEquals(0, w.sendSig(g[0], SIGCONT, g[2], true));
            assertTrue(Signals.sigismember(w.pending(g[2]), SIGCONT));
            assertEquals(0, w.kill(g[0], w.nr(p), SIGSTOP));
            assertFalse(Signals.sigismember(w.pending(g[2]), SIGCONT), "a stop signal flushes SIGCONT everywhere");
            assertTrue(Signals.sigismember(w.sharedPending(p), SIGSTOP));
            w.setJobctl(g[3], Jobctl.JOBCTL_STOP_PENDING | Jobctl.JOBCTL_STOP_CONSUME | 19);
            w.model.wakeups.clear();
            assertEquals(0, w.kill(g[0], w.nr(p), SIGCONT));
            assertEquals(rtSigmask(SIGCONT), w.sharedPending(p), "SIGCONT flushes the stop signals");
            assertEquals(19, w.jobctl(g[3]), "and cancels the pending group stop");
            assertTrue(w.model.wakeups.contains(g[3] + ":" + TaskState.__TASK_STOPPED), "stopped threads are woken");
            // a stopped group that continues owes its parent a notification
            int q = w.fork(g[0], 0);
            w.setSignalFlags(q, SignalFlags.SIGNAL_STOP_STOPPED);
            assertEquals(0, w.kill(g[0], w.nr(q), SIGCONT));
            assertEquals(SignalFlags.SIGNAL_CLD_CONTINUED | SignalFlags.SIGNAL_STOP_CONTINUED, w.signalFlags(q));
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void theKernelsSignalsAndKernelThreads(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int p = w.fork(init, 0);
            assertEquals(0, w.sigaction(p, SIGUSR1, HANDLER, 0, 0));
            assertEquals(0, w.sendSig(init, SIGUSR1, p, true));
            assertArrayEquals(new int[] {SIGUSR1, Signals.SI_KERNEL, 0, 0, 0}, w.queued(p, false).get(0),
                "SEND_SIG_PRIV: SI_KERNEL, to the thread's own set");
            assertEquals(-Errno.EINVAL, w.sendSig(init, 65, p, true));
            assertEquals(0, w.groupSendPriv(init, SIGUSR1, p));
            assertEquals(1, w.queued(p, true).size(), "to the group's set");
            w.setFlags(p, TaskFlags.PF_KTHREAD);
            assertEquals(0, w.sigaction(p, SIGUSR2, HANDLER, 0, 0));
            w.failNth(Long.MAX_VALUE);
            assertEquals(0, w.sendSig(init, SIGUSR2, p, true));
            assertEquals(0, w.allocations(), "no siginfo for a kernel thread");
            w.disarm();
            assertTrue(Signals.sigismember(w.pending(p), SIGUSR2));
            assertEquals(0, w.sigaction(p, SIGTERM, Signals.SIG_KTHREAD_KERNEL, 0, 0));
            assertEquals(0, w.sendSig(init, SIGTERM, p, false));
            assertFalse(Signals.sigismember(w.pending(p), SIGTERM), "SIG_KTHREAD_KERNEL: user signals are ignored");
            assertEquals(0, w.sendSig(init, SIGTERM, p, true));
            assertTrue(Signals.sigismember(w.pending(p), SIGTERM), "the kernel's are not");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void sigpendingFlagFollowsWhatIsPendingAndUnblocked(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int p = w.fork(init, 0);
            assertEquals(0, w.sigaction(p, SIGUSR1, HANDLER, 0, 0));
            w.setBlocked(p, rtSigmask(SIGUSR1));
            assertEquals(0, w.kill(init, w.nr(p), SIGUSR1));
            assertFalse(w.tifSigpending(p));
            w.calculateSigpending(p);
            assertFalse(w.tifSigpending(p), "blocked: calculate_sigpending sets and recalc clears");
            w.setBlocked(p, 0);
            w.recalcSigpending(p);
            assertTrue(w.tifSigpending(p));
            w.flushSignals(p);
            assertFalse(w.tifSigpending(p));
            w.setJobctl(p, Jobctl.JOBCTL_TRAP_STOP);
            w.recalcSigpending(p);
            assertTrue(w.tifSigpending(p), "a pending trap counts");
            w.setJobctl(p, 0);
            w.recalcSigpending(p);
            assertFalse(w.tifSigpending(p));
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void zapOtherThreadsKillsTheRestOfTheGroup(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int[] g = group(w);
            int p = g[1];
            int dead = w.fork(p, THREAD);
            w.setExitState(dead, TaskState.EXIT_ZOMBIE);
            w.setJobctl(g[2], Jobctl.JOBCTL_TRAP_NOTIFY | Jobctl.JOBCTL_TRAPPING);
            assertEquals(3, w.zapOtherThreads(p), "every other thread counts, dead ones too");
            assertEquals(0, w.pending(p), "not the caller");
            assertEquals(rtSigmask(SIGKILL), w.pending(g[2]));
            assertEquals(rtSigmask(SIGKILL), w.pending(g[3]));
            assertEquals(0, w.pending(dead), "an exited thread gets nothing");
            assertEquals(0, w.jobctl(g[2]), "traps and trapping cleared");
            assertTrue(w.model.wakeups.contains(g[3] + FATAL_WAKE));
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void doNotifyParentDecidesAutoreapFromTheParentsSigchldAction(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int parent = w.fork(init, 0);
            int c1 = w.fork(parent, 0);
            w.setCred(c1, 1000, 1000, 1000);
            w.setExitCode(c1, 3 << 8);
            assertFalse(w.notifyParent(c1, SIGCHLD), "SIG_DFL: the child stays a zombie for wait");
            assertEquals(0, w.sharedPending(parent), "SIGCHLD's default is to ignore it: not even queued");
            assertEquals(List.of(c1 + "->" + parent), w.model.parentWakeups, "the parent's waiters are woken");
            // a handler gets the siginfo of each kind of death
            assertEquals(0, w.sigaction(parent, SIGCHLD, HANDLER, 0, 0));
            assertFalse(w.notifyParent(c1, SIGCHLD));
            assertArrayEquals(new int[] {SIGCHLD, Wait.CLD_EXITED, w.nr(c1), 1000, 3}, w.queued(parent, true).get(0));
            int c2 = w.fork(parent, 0);
            w.setExitCode(c2, SIGKILL);
            assertFalse(w.notifyParent(c2, SIGCHLD));
            assertEquals(1, w.queued(parent, true).size(), "SIGCHLD is a standard signal: queued once");
            w.flushSignals(parent);
            assertFalse(w.notifyParent(c2, SIGCHLD));
            assertArrayEquals(new int[] {SIGCHLD, Wait.CLD_KILLED, w.nr(c2), 0, SIGKILL}, w.queued(parent, true).get(0));
            w.flushSignals(parent);
            w.setExitCode(c2, 0x80 | Signals.SIGSEGV);
            assertFalse(w.notifyParent(c2, SIGCHLD));
            assertArrayEquals(new int[] {SIGCHLD, Wait.CLD_DUMPED, w.nr(c2), 0, Signals.SIGSEGV},
                w.queued(parent, true).get(0));
            w.flushSignals(parent);
            // SA_NOCLDWAIT: autoreap, and SIGCHLD is still sent
            assertEquals(0, w.sigaction(parent, SIGCHLD, HANDLER, Signals.SA_NOCLDWAIT, 0));
            assertTrue(w.notifyParent(c1, SIGCHLD));
            assertEquals(rtSigmask(SIGCHLD), w.sharedPending(parent));
            w.flushSignals(parent);
            // SIG_IGN: autoreap, and no signal at all (not even queued for a parent that blocks it,
            // which an ignored but blocked signal would be)
            assertEquals(0, w.sigaction(parent, SIGCHLD, Signals.SIG_IGN, 0, 0));
            w.setBlocked(parent, rtSigmask(SIGCHLD));
            w.model.parentWakeups.clear();
            assertTrue(w.notifyParent(c1, SIGCHLD));
            assertEquals(0, w.sharedPending(parent));
            w.setBlocked(parent, 0);
            assertEquals(List.of(c1 + "->" + parent), w.model.parentWakeups, "woken anyway: wait4 may now fail");
            // another exit signal is not SIGCHLD: no autoreap, the signal goes
            assertEquals(0, w.sigaction(parent, SIGUSR1, HANDLER, 0, 0));
            assertFalse(w.notifyParent(c1, SIGUSR1));
            assertEquals(rtSigmask(SIGUSR1), w.sharedPending(parent));
            w.flushSignals(parent);
            // unless the parent exec'd since the fork: then it is SIGCHLD, and SIG_IGN reaps
            w.setParentExecIds(c1, 0, 1);
            assertTrue(w.notifyParent(c1, SIGUSR1));
            assertEquals(0, w.sharedPending(parent));
            assertThrows(IllegalArgumentException.class, () -> w.notifyParent(c1, -1));
            int thread = w.fork(c1, THREAD);
            assertThrows(IllegalStateException.class, () -> w.notifyParent(c1, SIGCHLD), "a leader with threads");
            assertThrows(IllegalStateException.class, () -> w.notifyParent(thread, SIGCHLD), "a thread");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void doNotifyParentGivesTheChildsPidInTheParentsNamespace(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int parent = w.fork(init, 0);
            int nsInit = w.fork(parent, CLONE_NEWPID);
            int inner = w.fork(nsInit, 0);
            assertEquals(0, w.sigaction(parent, SIGCHLD, HANDLER, 0, 0));
            assertEquals(0, w.sigaction(nsInit, SIGCHLD, HANDLER, 0, 0));
            assertFalse(w.notifyParent(nsInit, SIGCHLD));
            assertEquals(w.nr(nsInit), w.queued(parent, true).get(0)[2], "the parent sees the global number");
            assertFalse(w.notifyParent(inner, SIGCHLD));
            assertEquals(2, w.queued(nsInit, true).get(0)[2], "inside, the namespace's own number");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void sigactionRulesAndErrnos(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int p = w.fork(init, 0);
            long[] old = new long[4];
            for (int sig : new int[] {0, 65, -1, Integer.MIN_VALUE}) {
                assertEquals(-Errno.EINVAL, w.sigaction(p, sig, HANDLER, 0, 0), "signal " + sig);
                assertEquals(-Errno.EINVAL, w.sigaction(p, sig, false, 0, 0, 0, 0, old), "reading signal " + sig);
            }
            assertEquals(-Errno.EINVAL, w.sigaction(p, SIGKILL, Signals.SIG_IGN, 0, 0));
            assertEquals(-Errno.EINVAL, w.sigaction(p, SIGSTOP, HANDLER, 0, 0));
            assertEquals(0, w.sigaction(p, SIGKILL, false, 0, 0, 0, 0, old), "SIGKILL's action may be read");
            assertArrayEquals(new long[] {Signals.SIG_DFL, 0, 0, 0}, old);
            long mask = rtSigmask(SIGKILL) | rtSigmask(SIGSTOP) | rtSigmask(SIGUSR2);
            assertEquals(0, w.sigaction(p, SIGUSR1, true, HANDLER,
                Signals.SA_RESTART | Signals.SA_UNSUPPORTED | Signals.SA_RESTORER | 0x1000L, 0x7000, mask, old));
            assertArrayEquals(new long[] {HANDLER, Signals.SA_RESTART | Signals.SA_RESTORER, 0x7000, rtSigmask(SIGUSR2)},
                w.action(p, SIGUSR1), "unknown flags cleared, SIGKILL and SIGSTOP never masked");
            assertEquals(0, w.sigaction(p, SIGUSR1, true, Signals.SIG_DFL, 0, 0, 0, old));
            assertArrayEquals(new long[] {HANDLER, Signals.SA_RESTART | Signals.SA_RESTORER, 0x7000, rtSigmask(SIGUSR2)},
                old, "the old action comes back");
            assertEquals(0, w.sigaction(p, 64, HANDLER, 0, 0), "SIGRTMAX is a signal");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void sigactionDiscardsPendingSignalsThatBecomeIgnored(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int p = w.fork(init, 0);
            int t = w.fork(p, THREAD);
            for (int sig : new int[] {SIGUSR1, SIGCHLD, SIGUSR2}) {
                assertEquals(0, w.sigaction(p, sig, HANDLER, 0, 0));
            }
            w.setBlocked(p, ~0L);
            w.setBlocked(t, ~0L);
            assertEquals(0, w.kill(init, w.nr(p), SIGUSR1));
            assertEquals(0, w.sendSig(init, SIGUSR1, t, true));
            assertEquals(0, w.kill(init, w.nr(p), SIGCHLD));
            assertEquals(0, w.kill(init, w.nr(p), SIGUSR2));
            assertEquals(4, w.objects("sigqueue"));
            assertEquals(0, w.sigaction(p, SIGUSR1, Signals.SIG_IGN, 0, 0));
            assertEquals(rtSigmask(SIGCHLD) | rtSigmask(SIGUSR2), w.sharedPending(p), "SIG_IGN discards it, blocked or not");
            assertEquals(0, w.pending(t), "from every thread");
            assertEquals(2, w.objects("sigqueue"));
            assertEquals(0, w.sigaction(p, SIGCHLD, Signals.SIG_DFL, 0, 0));
            assertEquals(rtSigmask(SIGUSR2), w.sharedPending(p), "SIG_DFL of a signal ignored by default too");
            assertEquals(0, w.sigaction(p, SIGUSR2, Signals.SIG_DFL, 0, 0));
            assertEquals(rtSigmask(SIGUSR2), w.sharedPending(p), "SIG_DFL of a fatal signal keeps it");
            assertEquals(1, w.objects("sigqueue"));
        }
    }

    /** The same seeded history of operations gives the same observations on both kernels. */
    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void randomHistoriesMatchTheOtherVariant(SignalVariant v) {
        for (long seed = 1; seed <= 20; seed++) {
            String mine;
            String other;
            try (SignalWorld w = v.create()) {
                mine = History.run(w, seed);
            }
            SignalVariant o = v == SignalVariant.HEAP ? SignalVariant.OFFHEAP : SignalVariant.HEAP;
            try (SignalWorld w = o.create()) {
                other = History.run(w, seed);
            }
            assertEquals(other, mine, "seed " + seed);
            assertTrue(mine.length() > 100, "the history observed something");
        }
    }
}
