package org.kfork.stress;

import static org.kfork.uapi.CloneFlags.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.Kernels;
import org.kfork.heap.HeapKernel;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.machine.BadAccessException;
import org.kfork.mm.FailSlab;
import org.kfork.script.ScriptRunner;
import org.kfork.stress.Tally.Finding;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/**
 * A fork storm on one kernel shared by several Java threads: each thread drives a worker process
 * of its own (forked from init) that forks children and reaps them, starts threads that exit at
 * once, and now and then creates a pid namespace (an init with a child of its own), which it then
 * tears down by making that init exit. With failslab on, each allocation of the kernel fails with
 * a small probability ({@link FailSlab#failRandomly}), on every thread.
 *
 * <p>Every result is checked as it comes: a clone fails only with -ENOMEM or -EAGAIN (with no
 * fault injected, it does not fail); an exit returns 0; a reap finds the child it waits for. At
 * the end the workers exit, init reaps them, and {@link KernelCounters} (nr_threads, nr_processes,
 * init_pid_ns's pid numbers, vm_committed_as, every cache's objects, the page allocator) must be
 * back at their values after boot; then the kernel closes, which checks the off-heap machine again.
 */
public final class Storm {
    private static final long THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD
        | CLONE_SYSVSEM;

    private final Tally tally;
    private final long seed;

    /** A storm reporting to {@code tally}; {@code seed} seeds each thread's choice of operations. */
    public Storm(Tally tally, long seed) {
        this.tally = tally;
        this.seed = seed;
    }

    /**
     * Runs a storm on a fresh kernel {@code impl} with {@code threads} threads for {@code nanos},
     * failing allocations with probability {@code faultsPerMillion} / 10^6 (0: none).
     */
    public void run(String impl, int threads, long nanos, int faultsPerMillion) {
        final String repro = "storm " + impl + " seed " + seed + " threads " + threads + " faults " + faultsPerMillion + "ppm";
        final KernelConfig config = ScriptRunner.config(256L << 20, 2);
        final Kernel k = Kernels.boot(impl, config);
        boolean broken = false;
        try {
            final Map<String, Long> baseline = KernelCounters.of(k);
            final FailSlab failslab = failSlab(k);
            final long injectedBefore = failslab.injected();
            final int[] workers = new int[threads];
            for (int i = 0; i < threads; i++) {
                workers[i] = (int) k.fork(1);
                if (workers[i] <= 0) {
                    tally.finding(Finding.BAD_ERRNO, "storm worker fork = " + workers[i] + " (" + repro + ")");
                    return;
                }
            }
            failslab.failRandomly(faultsPerMillion);
            final long deadline = System.nanoTime() + nanos;
            final List<Thread> ts = new ArrayList<>();
            final boolean[] threw = new boolean[threads];
            for (int i = 0; i < threads; i++) {
                final int idx = i;
                final Thread t = new Thread(() -> {
                    try {
                        drive(k, workers[idx], new SplittableRandom(seed * 31 + idx), deadline, faultsPerMillion != 0, repro,
                            idx == 0);
                    } catch (Throwable e) {
                        threw[idx] = true;
                        record(e, repro);
                    }
                }, "storm-" + impl + "-" + i);
                t.setDaemon(true);
                ts.add(t);
                t.start();
            }
            for (Thread t : ts) {
                t.join(nanos / 1_000_000 + TimeUnit.SECONDS.toMillis(60));
                if (t.isAlive()) {
                    tally.finding(Finding.HANG, t.getName() + " still running a minute after its deadline (" + repro + ")");
                    broken = true;
                }
            }
            failslab.disarm();
            tally.faults(failslab.injected() - injectedBefore);
            for (boolean b : threw) {
                broken |= b;
            }
            if (broken) {
                return;
            }
            for (int w : workers) {
                k.exitGroup(w, 0);
            }
            long r;
            while ((r = k.wait4(1, -1, 0, Wait.WNOHANG | Wait.__WALL, 0)) > 0) {
                tally.calls("storm", 1);
            }
            tally.calls("storm", workers.length + 1);
            if (r != -Errno.ECHILD) {
                tally.finding(Finding.LEAK, "init still has children after the storm: wait4 = " + r + " (" + repro + ")");
            }
            final String d = KernelPair.leaks(baseline, KernelCounters.of(k));
            if (!d.isEmpty()) {
                tally.finding(Finding.LEAK, "counters not at boot's: " + d + " (" + repro + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            broken = true;
            record(e, repro);
        } finally {
            try {
                k.close();
            } catch (Throwable e) {
                if (!broken) {
                    tally.finding(Finding.LEAK, impl + " close: " + e + (e.getCause() == null ? "" : " <- " + e.getCause())
                        + " (" + repro + ")");
                }
            }
        }
    }

    private void record(Throwable e, String repro) {
        final boolean bad = e instanceof BadAccessException || e.getCause() instanceof BadAccessException;
        final java.io.StringWriter sw = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(sw));
        final String trace = sw.toString();
        tally.finding(bad ? Finding.BAD_ACCESS : Finding.EXCEPTION, e + " at " + trace.substring(0, Math.min(trace.length(), 1500))
            + " (" + repro + ")");
    }

    /** The kernel's failslab. */
    static FailSlab failSlab(Kernel k) {
        if (k instanceof OffHeapKernel off) {
            return off.globals().failSlab;
        }
        if (k instanceof HeapKernel heap) {
            return heap.globals().failSlab;
        }
        throw new IllegalArgumentException("no failslab in " + k.name());
    }

    /** One thread's storm: its worker's children, threads and pid namespaces, until the deadline. */
    private void drive(Kernel k, int worker, SplittableRandom rnd, long deadline, boolean faults, String repro,
        boolean namespaces) {
        long calls = 0;
        while (System.nanoTime() < deadline) {
            final int op = rnd.nextInt(100);
            if (op < 50) {
                final long c = k.fork(worker);
                calls++;
                if (checkClone("fork", c, faults, repro)) {
                    calls += 2;
                    expect0("exit", k.exit((int) c, 0), repro);
                    reap(k, worker, (int) c, repro);
                }
            } else if (op < 90) {
                final long t = k.clone(worker, THREAD_FLAGS, 0, 0, 0, 0);
                calls++;
                if (checkClone("clone(thread)", t, faults, repro)) {
                    calls++;
                    expect0("exit", k.exit((int) t, 0), repro); // exit_signal -1: autoreaped
                }
            } else if (namespaces || op >= 97) {
                calls += pidNamespace(k, worker, rnd, faults, repro);
            }
        }
        tally.calls("storm", calls);
    }

    /**
     * A pid namespace: its init (clone CLONE_NEWPID), a child of that init which may fork again,
     * then the init's exit, which kills the namespace (zap_pid_ns_processes); the worker reaps it.
     */
    private long pidNamespace(Kernel k, int worker, SplittableRandom rnd, boolean faults, String repro) {
        long calls = 1;
        final long nsInit = k.clone(worker, CLONE_NEWPID | Signals.SIGCHLD, 0, 0, 0, 0);
        if (nsInit == -Errno.ENOSPC) {
            // create_pid_namespace's inc_pid_namespaces: the user's count of pid namespaces is at its
            // ucount max (max_threads / 2). A 5.12 answer in that state; it arises here because the
            // namespaces reaped so far are freed by RCU callbacks (delayed_free_pidns), which lag
            // behind a storm. Counted on its own line of the report, not as a finding.
            tally.result("storm clone(CLONE_NEWPID) at the pid namespace ucount limit", nsInit);
            return calls;
        }
        if (!checkClone("clone(CLONE_NEWPID)", nsInit, faults, repro)) {
            return calls;
        }
        final int n = (int) nsInit;
        final int children = rnd.nextInt(3);
        for (int i = 0; i < children; i++) {
            final long c = k.fork(n);
            calls++;
            checkClone("fork in the namespace", c, faults, repro);
        }
        calls += 2;
        expect0("exit of the namespace's init", k.exit(n, 0), repro);
        reap(k, worker, n, repro);
        return calls;
    }

    /** True for a child; a failure must be -ENOMEM or -EAGAIN under faults, and none without. */
    private boolean checkClone(String what, long r, boolean faults, String repro) {
        tally.result("storm " + what, r);
        if (r > 0) {
            return true;
        }
        if (!faults || (r != -Errno.ENOMEM && r != -Errno.EAGAIN)) {
            tally.finding(Finding.BAD_ERRNO, what + " = " + (r < 0 && r >= -Errno.MAX_ERRNO ? Errno.name((int) -r) : r)
                + (faults ? " under injected faults (only ENOMEM or EAGAIN)" : " with no fault injected") + " (" + repro + ")");
        }
        return false;
    }

    private void expect0(String what, long r, String repro) {
        if (r != 0) {
            tally.finding(Finding.BAD_ERRNO, what + " = " + r + " (" + repro + ")");
        }
    }

    private void reap(Kernel k, int worker, int child, String repro) {
        final long r = k.wait4(worker, child, 0, Wait.__WALL, 0);
        tally.result("storm wait4", r);
        if (r != child) {
            tally.finding(Finding.BAD_ERRNO, "wait4(" + worker + ", " + child + ") = " + r + " (" + repro + ")");
        }
    }
}
