package org.kfork.kernel.signal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.uapi.CloneFlags.CLONE_CLEAR_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_VM;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.sched.Limits;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;

/**
 * The signal half of fork.c on both kernels: init_sighand and init_signals as boot leaves them,
 * copy_sighand (sharing, copying, CLONE_CLEAR_SIGHAND), copy_signal's fields, the thread-group
 * sharing, the put paths, failslab at every allocation point, and the multiprocess list that
 * delays group signals sent during a fork.
 */
class ForkSignalTest {
    static final long THREAD = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
    static final long HANDLER = 0x401000L;

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void initStaticsAreInitTasksAsBootLeavesThem(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            assertArrayEquals(new long[] {1, 1, 1, 0, 1}, w.initStatics(),
                "init_sighand count 1 with every action SIG_DFL; init_signals nr_threads 1, sigcnt 0, every"
                    + " pids[] at init_struct_pid");
            int half = w.maxThreads() / 2;
            assertTrue(half > 0);
            assertArrayEquals(new long[] {half, half}, w.initRlimit(Resource.RLIMIT_NPROC), "fork_init's RLIMIT_NPROC");
            assertArrayEquals(new long[] {half, half}, w.initRlimit(Resource.RLIMIT_SIGPENDING));
            assertArrayEquals(new long[] {Resource._STK_LIM, Resource.RLIM_INFINITY}, w.initRlimit(Resource.RLIMIT_STACK));
            assertArrayEquals(new long[] {1024, 4096}, w.initRlimit(Resource.RLIMIT_NOFILE));
            assertArrayEquals(new long[] {65536, 65536}, w.initRlimit(Resource.RLIMIT_MEMLOCK));
            assertArrayEquals(new long[] {0, Resource.RLIM_INFINITY}, w.initRlimit(Resource.RLIMIT_CORE));
            assertArrayEquals(new long[] {819200, 819200}, w.initRlimit(Resource.RLIMIT_MSGQUEUE));
            assertArrayEquals(new long[] {0, 0}, w.initRlimit(Resource.RLIMIT_NICE));
            assertArrayEquals(new long[] {Resource.RLIM_INFINITY, Resource.RLIM_INFINITY},
                w.initRlimit(Resource.RLIMIT_CPU));
            // 64 MiB of RAM: 16384 pages * 4096 / (16384 * 8) = 512 threads
            assertEquals(512, w.maxThreads());
            assertEquals(List.of(0), w.threads(0), "init_task on init_signals' thread list");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void copySighandCopiesTheActionsAndCountsTheSharers(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            assertEquals(0, w.sigaction(init, Signals.SIGUSR1, HANDLER, Signals.SA_RESTART | Signals.SA_SIGINFO,
                Signals.rtSigmask(Signals.SIGUSR2)));
            assertEquals(0, w.sigaction(init, Signals.SIGPIPE, Signals.SIG_IGN, 0, 0));
            int child = w.fork(init, 0);
            assertFalse(w.sameSighand(init, child), "a process gets a sighand of its own");
            assertEquals(1, w.sighandCount(child));
            for (int sig = 1; sig <= Signals._NSIG; sig++) {
                assertArrayEquals(w.action(init, sig), w.action(child, sig), "action " + sig + " copied");
            }
            // the copy is independent
            assertEquals(0, w.sigaction(child, Signals.SIGUSR1, Signals.SIG_DFL, 0, 0));
            assertEquals(HANDLER, w.action(init, Signals.SIGUSR1)[0]);
            // CLONE_SIGHAND shares: count + 1, one struct
            int t1 = w.fork(child, THREAD);
            int t2 = w.fork(child, CLONE_VM | CLONE_SIGHAND);
            assertTrue(w.sameSighand(child, t1) && w.sameSighand(child, t2));
            assertEquals(3, w.sighandCount(child));
            assertEquals(0, w.sigaction(t1, Signals.SIGUSR2, HANDLER, 0, 0));
            assertEquals(HANDLER, w.action(t2, Signals.SIGUSR2)[0], "shared handlers: one table");
            long before = w.objects("sighand_cache");
            w.release(t1);
            assertEquals(2, w.sighandCount(child), "__cleanup_sighand: one reference fewer");
            assertEquals(before, w.objects("sighand_cache"), "not the last: nothing freed");
            w.release(t2);
            w.release(child);
            assertEquals(before - 1, w.objects("sighand_cache"), "the last reference frees");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void cloneClearSighandResetsHandlersButSigIgnAndClearsEveryEntry(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int p = w.fork(0, 0);
            for (int sig = 1; sig <= Signals._NSIG; sig++) {
                if (Signals.sigKernelOnly(sig)) {
                    continue;
                }
                long handler = sig % 3 == 0 ? Signals.SIG_IGN : sig % 3 == 1 ? HANDLER + sig : Signals.SIG_DFL;
                assertEquals(0, w.sigaction(p, sig, true, handler, Signals.SA_RESTART | Signals.SA_RESTORER,
                    0x7000L + sig, ~0L, null));
            }
            int c = w.fork(p, CLONE_CLEAR_SIGHAND);
            for (int sig = 1; sig <= Signals._NSIG; sig++) {
                long[] a = w.action(c, sig);
                long expected = w.action(p, sig)[0] == Signals.SIG_IGN ? Signals.SIG_IGN : Signals.SIG_DFL;
                assertArrayEquals(new long[] {expected, 0, 0, 0}, a, "signal " + sig);
            }
            assertEquals(Signals.SIG_IGN, w.action(c, 3)[0], "SIG_IGN is kept");
            assertEquals(Signals.SIG_DFL, w.action(c, 4)[0], "a handler address becomes SIG_DFL");
            assertEquals(HANDLER + 4, w.action(p, 4)[0], "the parent keeps its handlers");
            assertEquals(Signals.SA_RESTART | Signals.SA_RESTORER, w.action(p, 3)[1]);
            w.flushSignalHandlers(p, true);
            assertArrayEquals(new long[] {Signals.SIG_DFL, 0, 0, 0}, w.action(p, 3), "force_default resets SIG_IGN too");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void copySignalBuildsANewGroupFromTheParents(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int p = w.fork(0, 0);
            w.setRlimit(p, Resource.RLIMIT_NOFILE, 77, 99);
            w.setRlimit(p, Resource.RLIMIT_CPU, 5, 10);
            w.setOom(p, (short) -17, (short) -100, 1);
            int c = w.fork(p, 0);
            assertFalse(w.sameSignal(p, c));
            assertEquals(1, w.nrThreads(c));
            assertEquals(1, w.live(c));
            assertEquals(1, w.sigcnt(c));
            assertEquals(List.of(c), w.threads(c), "thread_head holds the child's thread_node alone");
            assertEquals(c, w.currTarget(c));
            assertEquals(0, w.sharedPending(c));
            assertEquals(0, w.signalFlags(c));
            for (int r = 0; r < Limits.RLIM_NLIMITS; r++) {
                assertArrayEquals(w.rlimit(p, r), w.rlimit(c, r), "rlimit " + r);
            }
            assertArrayEquals(new int[] {-17, -100, 1, 0, 0}, w.oom(c),
                "oom_score_adj, oom_score_adj_min and audit_tty copied; no subreaper bits");
            assertEquals(5_000_000_000L, w.profNextevt(c), "RLIMIT_CPU arms the PROF expiry in nanoseconds");
            assertTrue(w.timersActive(c));
            w.setRlimit(c, Resource.RLIMIT_CPU, Resource.RLIM_INFINITY, Resource.RLIM_INFINITY);
            int gc = w.fork(c, 0);
            assertEquals(-1L, w.profNextevt(gc), "no CPU limit: U64_MAX");
            assertFalse(w.timersActive(gc));
            // a thread shares the group
            int t = w.fork(c, THREAD);
            assertTrue(w.sameSignal(c, t));
            assertEquals(2, w.nrThreads(c));
            assertEquals(2, w.live(c));
            assertEquals(2, w.sigcnt(c));
            assertEquals(List.of(c, t), w.threads(c));
            w.release(t);
            assertEquals(1, w.sigcnt(c));
            long signals = w.objects("signal_cache");
            w.release(gc);
            assertEquals(signals - 1, w.objects("signal_cache"), "put_signal_struct: the last reference frees");
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void failslabAtEveryAllocationOfAForkLeavesNothingAndTheParentAsItWas(SignalVariant v) {
        for (long flags : new long[] {0, CLONE_CLEAR_SIGHAND, CLONE_VM | CLONE_SIGHAND, THREAD}) {
            try (SignalWorld w = v.create()) {
                int p = w.fork(0, 0);
                assertEquals(0, w.sigaction(p, Signals.SIGUSR1, HANDLER, 0, 0));
                w.failNth(Long.MAX_VALUE);
                int probe = w.fork(p, flags);
                long n = w.allocations();
                w.disarm();
                w.release(probe);
                long expected = (flags & CLONE_SIGHAND) != 0 ? (flags & CLONE_THREAD) != 0 ? 0 : 1 : 2;
                assertEquals(expected, n, "allocation points of copy_sighand and copy_signal for flags " + flags);
                for (long k = 1; k <= n; k++) {
                    Map<String, Long> before = w.counts();
                    int count = w.sighandCount(p);
                    w.failNth(k);
                    assertEquals(-Errno.ENOMEM, w.fork(p, flags), "failure " + k);
                    w.disarm();
                    assertEquals(before, w.counts(), "nothing leaks at failure " + k);
                    assertEquals(count, w.sighandCount(p), "the parent's sighand count is back");
                    assertEquals(HANDLER, w.action(p, Signals.SIGUSR1)[0]);
                    assertEquals(1, w.nrThreads(p));
                }
                int ok = w.fork(p, flags);
                assertTrue(ok > 0);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void groupSignalsSentDuringAForkAreCollectedForAfterIt(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            w.fork(0, 0); // pid 1, which kill(-1) passes over
            int p = w.fork(0, 0);
            int sibling = w.fork(p, 0); // same process group as p
            int killer = w.fork(0, 0);
            w.setCap(killer, Capabilities.CAP_KILL, true);
            assertEquals(0, w.sigaction(p, Signals.SIGUSR1, HANDLER, 0, 0));
            assertEquals(0, w.sigaction(p, Signals.SIGCONT, HANDLER, 0, 0));
            assertEquals(0, w.forkDelay(p, 0));
            assertEquals(0, w.kill(killer, w.nr(p), Signals.SIGUSR1));
            assertEquals(0, w.delayed(p), "a signal to the process alone is not a multiprocess one");
            assertEquals(0, w.kill(killer, -w.nr(p), Signals.SIGTSTP));
            assertEquals(Signals.rtSigmask(Signals.SIGTSTP), w.delayed(p), "a group signal is collected");
            assertEquals(0, w.kill(killer, -w.nr(p), Signals.SIGCONT));
            assertEquals(Signals.rtSigmask(Signals.SIGCONT), w.delayed(p), "SIGCONT takes the stop signals out");
            assertEquals(0, w.kill(killer, -1, Signals.SIGTTIN));
            assertEquals(Signals.rtSigmask(Signals.SIGTTIN), w.delayed(p), "and a stop signal takes SIGCONT out");
            w.forkDone(p);
            assertEquals(0, w.kill(killer, -w.nr(p), Signals.SIGUSR1));
            assertEquals(Signals.rtSigmask(Signals.SIGTTIN), w.delayed(p), "off the list after the fork");
            assertTrue(w.tifSigpending(p));
            // a pending signal makes the fork restart
            assertEquals(-Errno.ERESTARTNOINTR, w.forkDelay(p, 0));
            w.forkDone(p);
            assertTrue(w.tifSigpending(sibling));
            w.flushSignals(p);
            assertFalse(w.tifSigpending(p));
            assertEquals(0, w.forkDelay(p, 0), "nothing pending: the fork may go on");
            w.forkDone(p);
            // CLONE_THREAD forks do not collect
            assertEquals(0, w.forkDelay(p, THREAD));
            assertEquals(0, w.kill(killer, -w.nr(p), Signals.SIGUSR1));
            assertEquals(0, w.delayed(p));
            w.forkDone(p);
        }
    }
}
