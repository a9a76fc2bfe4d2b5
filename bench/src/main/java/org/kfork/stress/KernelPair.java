package org.kfork.stress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import org.kfork.alloc.Kmem;
import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.Kernels;
import org.kfork.api.ProcEventListener;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.machine.BadAccessException;
import org.kfork.stress.Tally.Finding;
import org.kfork.uapi.Wait;

/**
 * The two kernels side by side, driven in lockstep by one Java thread: each call is made on the
 * off-heap kernel, then on the heap twin, with the same arguments; the results must be equal and
 * allowed for the call ({@link SyscallErrnos}). A kernel that throws is broken: the pair stops,
 * and the exception is a finding (checked mode's BadAccessException a bad access).
 *
 * <p><b>New tasks.</b> Every task a call creates is made to exit at once, so that random flag words
 * never leave work behind: a vfork child (its parent sleeps until it exits) by a helper thread
 * while the call runs, any other child by the driving thread when the call has returned.
 *
 * <p><b>Teardown</b> ({@link #close}): the tasks the driver made exit, init reaps every zombie, and
 * then both kernels' live objects by kind must be back at their values after boot, the off-heap
 * machine's counters (free pages per order, each slab's objects, stacks) too; then both close,
 * and the off-heap machine's own close fails if a cache is not empty. Any difference is a leak.
 */
final class KernelPair implements AutoCloseable {
    private final Kernel[] k = new Kernel[2];
    private final Tally tally;
    private final String phase;
    private final String repro;
    private final Map<String, Long>[] bootCounts;
    private final Map<String, Long> bootMachine;
    /** The children the current call created, per kernel (pids in init's namespace). */
    @SuppressWarnings("unchecked")
    private final List<Integer>[] created = new List[] {new ArrayList<Integer>(), new ArrayList<Integer>()};
    private final ExecutorService helper = Executors.newSingleThreadExecutor(r -> {
        final Thread t = new Thread(r, "stress-vfork-helper");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger helping = new AtomicInteger();
    private volatile boolean vforkCall;
    private volatile boolean keep;
    private volatile boolean broken;

    /** Boots both kernels on {@code config}; {@code repro} says how to reproduce (seed, session). */
    @SuppressWarnings("unchecked")
    KernelPair(KernelConfig config, Tally tally, String phase, String repro) {
        this.tally = tally;
        this.phase = phase;
        this.repro = repro;
        k[0] = Kernels.boot("offheap", config);
        try {
            k[1] = Kernels.boot("heap", config);
        } catch (RuntimeException | Error e) {
            k[0].close();
            throw e;
        }
        for (int i = 0; i < 2; i++) {
            final int side = i;
            k[i].addProcEventListener(new ProcEventListener() {
                @Override
                public void fork(int parentTid, int parentTgid, int childTid, int childTgid) {
                    onFork(side, childTid);
                }
            });
        }
        bootCounts = new Map[] {k[0].objectCounts(), k[1].objectCounts()};
        bootMachine = machineSnapshot();
    }

    /** The off-heap kernel (0) or its heap twin (1). */
    Kernel kernel(int side) {
        return k[side];
    }

    /** True once a kernel threw: the pair must not be used further. */
    boolean broken() {
        return broken;
    }

    /** fork by {@code parent} whose child stays (a driver of the run): its pid, or -errno. */
    long spawn(int parent) {
        keep = true;
        try {
            return call(SyscallErrnos.FORK, () -> "fork(" + parent + ")", kk -> kk.fork(parent));
        } finally {
            keep = false;
        }
    }

    private void onFork(int side, int child) {
        if (keep) {
            return;
        }
        synchronized (created[side]) {
            created[side].add(child);
        }
        if (vforkCall) {
            // the parent sleeps in the call until its vfork child exits: another thread must exit it
            helping.incrementAndGet();
            helper.execute(() -> {
                try {
                    k[side].exit(child, 0);
                } catch (Throwable e) {
                    thrown(e, k[side].name() + ": the vfork child " + child + "'s exit");
                } finally {
                    helping.decrementAndGet();
                }
            });
        }
    }

    /**
     * Makes {@code call} on both kernels and checks the results: equal, and allowed for
     * {@code kind}. Returns the off-heap kernel's result; {@link Long#MIN_VALUE} + 1 when a kernel threw.
     */
    long call(SyscallErrnos kind, Supplier<String> what, ToLongFunction<Kernel> call) {
        return call(kind, what, call, false);
    }

    /** As {@link #call(SyscallErrnos, Supplier, ToLongFunction)}, for a call that may block in vfork. */
    long call(SyscallErrnos kind, Supplier<String> what, ToLongFunction<Kernel> call, boolean mayVfork) {
        if (broken) {
            return THREW;
        }
        final long[] r = new long[2];
        @SuppressWarnings("unchecked")
        final List<Integer>[] made = new List[2];
        for (int i = 0; i < 2; i++) {
            vforkCall = mayVfork;
            try {
                r[i] = call.applyAsLong(k[i]);
                vforkCall = false;
                awaitHelper(what);
                made[i] = exitCreated(i);
            } catch (Throwable e) {
                vforkCall = false;
                thrown(e, k[i].name() + ": " + what.get());
                return THREW;
            }
        }
        tally.calls(phase, 2);
        if (!made[0].equals(made[1])) {
            tally.finding(Finding.MISMATCH, what.get() + ": created offheap " + made[0] + ", heap " + made[1] + " (" + repro + ")");
        }
        tally.result(kind.call(), r[0]);
        tally.result(kind.call(), r[1]);
        if (r[0] != r[1] && !(mayVfork && killedByTheChildsExitSignal(r[0], r[1]))) {
            tally.finding(Finding.MISMATCH, what.get() + ": offheap " + r[0] + ", heap " + r[1] + " (" + repro + ")");
        }
        for (long x : r) {
            if (!kind.allows(x)) {
                tally.finding(Finding.BAD_ERRNO, what.get() + " = " + x + " (" + repro + ")");
                break;
            }
        }
        return r[0];
    }

    /**
     * A vfork whose child's exit signal is fatal (an RT signal, say): the child's exit wakes the
     * parent in mm_release, then exit_notify sends the signal. Whether the parent is still inside
     * the call when it lands (the call returns KILLED) or has just returned the child's pid (and
     * is killed next, outside the call) is a race in 5.12 too; the parent dies either way, so the
     * two results are the same outcome.
     */
    private static boolean killedByTheChildsExitSignal(long a, long b) {
        return a == Kernel.KILLED && b > 0 || b == Kernel.KILLED && a > 0;
    }

    /** The value {@link #call} returns when a kernel threw. */
    static final long THREW = Long.MIN_VALUE + 1;

    private void awaitHelper(Supplier<String> what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (helping.get() != 0) {
            if (System.nanoTime() > deadline) {
                tally.finding(Finding.HANG, "a vfork child's exit did not end: " + what.get() + " (" + repro + ")");
                broken = true;
                return;
            }
            Thread.onSpinWait();
        }
    }

    /** The children the call made, made to exit (-ESRCH for those a vfork helper exited). */
    private List<Integer> exitCreated(int side) {
        final List<Integer> made;
        synchronized (created[side]) {
            made = new ArrayList<>(created[side]);
            created[side].clear();
        }
        for (int child : made) {
            k[side].exit(child, 0);
        }
        tally.calls(phase, made.size());
        return made;
    }

    /** Reaps what {@code reaper} can reap, on both kernels (zombies of any kind, WNOHANG). */
    void reap(int reaper) {
        for (int n = 0; n < 64; n++) {
            final long r = call(SyscallErrnos.WAIT4, () -> "wait4(" + reaper + ", -1, WNOHANG|__WALL)",
                kk -> kk.wait4(reaper, -1, 0, Wait.WNOHANG | Wait.__WALL, 0));
            if (r <= 0) {
                return;
            }
        }
    }

    private void thrown(Throwable e, String what) {
        broken = true;
        final boolean bad = e instanceof BadAccessException || e.getCause() instanceof BadAccessException;
        tally.finding(bad ? Finding.BAD_ACCESS : Finding.EXCEPTION, what + ": " + e + " (" + repro + ")");
    }

    private Map<String, Long> machineSnapshot() {
        final OffHeapKernel off = (OffHeapKernel) k[0];
        Kmem.quiesce(off.machine());
        return new TreeMap<>(off.machine().snapshot());
    }

    /**
     * Ends the pair: {@code drivers} exit_group, init (pid 1) reaps, the counts are compared with
     * their values after boot, and both kernels close. Differences are leaks.
     */
    void close(int... drivers) {
        try {
            if (!broken) {
                for (int d : drivers) {
                    call(SyscallErrnos.EXIT, () -> "exit_group(" + d + ")", kk -> kk.exitGroup(d, 0));
                }
                reap(1);
                if (!broken) {
                    checkBaseline();
                }
            }
        } finally {
            helper.shutdownNow();
            for (Kernel kk : k) {
                try {
                    kk.close();
                } catch (Throwable e) {
                    if (!broken) {
                        tally.finding(Finding.LEAK, kk.name() + " close: " + e + (e.getCause() == null ? "" : " <- " + e.getCause())
                            + " (" + repro + ")");
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        close(new int[0]);
    }

    private void checkBaseline() {
        for (int i = 0; i < 2; i++) {
            final String d = leaks(bootCounts[i], k[i].objectCounts());
            if (!d.isEmpty()) {
                tally.finding(Finding.LEAK, k[i].name() + " objects not at boot's: " + d + " (" + repro + ")");
            }
        }
        final String d = leaks(bootMachine, machineSnapshot());
        if (!d.isEmpty()) {
            tally.finding(Finding.LEAK, "offheap machine counters not at boot's: " + d + " (" + repro + ")");
        }
    }

    /**
     * The counters that are not back at their baseline. A cache created during the run (pid_N for
     * a pid namespace of a new depth: kmem_cache_create, kept as in the kernel) is no leak when it
     * is empty, and its creation accounts for the growth of slab.nr_caches and percpu.used_bytes.
     */
    static String leaks(Map<String, Long> before, Map<String, Long> after) {
        final Map<String, Long> a = new TreeMap<>(after);
        boolean created = false;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            if (!before.containsKey(e.getKey()) && e.getValue() == 0) {
                a.remove(e.getKey());
                created = true;
            }
        }
        if (created) {
            for (String key : before.keySet()) {
                if (key.endsWith("slab.nr_caches") || key.endsWith("percpu.used_bytes")) {
                    a.put(key, before.get(key));
                }
            }
        }
        return diff(before, a);
    }

    /** The entries that differ, "name: before -> after". */
    static String diff(Map<String, Long> before, Map<String, Long> after) {
        final StringBuilder sb = new StringBuilder();
        final TreeMap<String, Long> all = new TreeMap<>(before);
        after.forEach(all::putIfAbsent);
        for (String key : all.keySet()) {
            if (!Objects.equals(before.get(key), after.get(key))) {
                sb.append(sb.length() == 0 ? "" : ", ").append(key).append(": ").append(before.get(key)).append(" -> ")
                    .append(after.get(key));
            }
        }
        return sb.toString();
    }
}
