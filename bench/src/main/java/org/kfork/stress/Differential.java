package org.kfork.stress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.api.Kernels;
import org.kfork.api.TaskView;
import org.kfork.script.RunResult;
import org.kfork.script.Script;
import org.kfork.script.ScriptError;
import org.kfork.script.ScriptParser;
import org.kfork.script.ScriptRunner;
import org.kfork.stress.Tally.Finding;

/**
 * The differential run: a generated scenario ({@link ScenarioGenerator}) runs on both kernels,
 * through the same script runner as {@code kfork run}, and everything user space and /proc can
 * see must be identical: the transcript and how the run ended, the process tree, every task's
 * status and maps, and the live objects by kind after rcu_barrier. A difference is shrunk (lines
 * removed while the difference stays) and reported as the minimal script.
 */
public final class Differential {
    /** The machine of every scenario: small, so that boot is cheap. */
    static final KernelConfig CONFIG = ScriptRunner.config(64L << 20, 2);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int SHRINK_RUNS = 300;
    /**
     * The rerun and the shrink of a difference together: inside the stress run's three-minute
     * watchdog, with room for one slow candidate after it.
     */
    static final Duration SHRINK_BUDGET = Duration.ofSeconds(60);

    private final Tally tally;
    /** Runs a script on a fresh kernel of one kind ("offheap", "heap"): {@link #run}, or a test's stand-in. */
    private final BiFunction<String, String, Outcome> runner;

    /** A differential runner reporting to {@code tally}. */
    public Differential(Tally tally) {
        this(tally, Differential::run);
    }

    /** One whose kernels are {@code runner}'s (kind, script) -> outcome: for the tests of the harness itself. */
    Differential(Tally tally, BiFunction<String, String, Outcome> runner) {
        this.tally = tally;
        this.runner = runner;
    }

    private static final long CLOSE_WAIT_MS = 20_000;

    /**
     * Closes {@code k} on a daemon thread of its own and waits at most {@code ms}: a close that
     * does not end is a hang (the thread is abandoned), one that throws a leak. Null when clean.
     */
    static String closeWithin(Kernel k, long ms) {
        final String[] failure = new String[1];
        final Thread t = new Thread(() -> {
            try {
                k.close();
            } catch (RuntimeException e) {
                failure[0] = "close: " + e + (e.getCause() == null ? "" : " <- " + e.getCause());
            }
        }, "stress-close-" + k.name());
        t.setDaemon(true);
        t.start();
        try {
            t.join(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            return "close hang: " + k.name() + " did not close in " + ms + " ms";
        }
        return failure[0];
    }

    /** Everything one kernel showed of a run. */
    public record Outcome(List<String> transcript, String ended, List<TaskView> tasks, Map<Integer, String> status,
        Map<Integer, String> maps, Map<String, Long> objects, String failure) {
    }

    /** Runs {@code script} on a fresh kernel {@code impl} and collects what it shows. */
    public static Outcome run(String impl, String script) {
        final Script parsed;
        try {
            parsed = ScriptParser.parse("scenario", script);
        } catch (ScriptError e) {
            throw new IllegalArgumentException("the generator wrote a script that does not parse: " + e.describe("scenario"), e);
        }
        final List<String> transcript = new ArrayList<>();
        final Kernel k = Kernels.boot(impl, CONFIG);
        String failure = null;
        Outcome o = null;
        try {
            final RunResult r = new ScriptRunner(k, transcript::add, TIMEOUT).run(parsed);
            final String ended = r.status() + " " + r.line() + " " + r.message();
            // a panic (the script made init exit) is a defined end of the run, compared like any other
            if (r.cause() != null && r.status() != RunResult.Status.PANICKED) {
                failure = r.cause().toString();
            }
            final List<TaskView> tasks = k.tasks();
            final Map<Integer, String> status = new TreeMap<>();
            final Map<Integer, String> maps = new TreeMap<>();
            for (TaskView t : tasks) {
                status.put(t.pid(), k.procStatus(t.pid()));
                maps.put(t.pid(), k.procMaps(t.pid()));
            }
            o = new Outcome(transcript, ended, tasks, status, maps, k.objectCounts(), failure);
        } catch (RuntimeException e) {
            failure = e.toString();
            o = new Outcome(transcript, "threw", List.of(), Map.of(), Map.of(), Map.of(), failure);
        } finally {
            final String closeFailure = closeWithin(k, CLOSE_WAIT_MS);
            if (closeFailure != null) {
                o = new Outcome(o == null ? transcript : o.transcript(), o == null ? "close" : o.ended(), o == null ? List.of()
                    : o.tasks(), o == null ? Map.of() : o.status(), o == null ? Map.of() : o.maps(), o == null ? Map.of()
                    : o.objects(), closeFailure);
            }
        }
        return o;
    }

    /** The first difference between two outcomes, or null. Objects are compared on the kinds both count. */
    public static String difference(Outcome a, Outcome b) {
        if (!a.transcript().equals(b.transcript())) {
            for (int i = 0; i < Math.min(a.transcript().size(), b.transcript().size()); i++) {
                if (!a.transcript().get(i).equals(b.transcript().get(i))) {
                    return "transcript line " + (i + 1) + ": offheap '" + a.transcript().get(i) + "', heap '"
                        + b.transcript().get(i) + "'";
                }
            }
            return "transcript length: offheap " + a.transcript().size() + ", heap " + b.transcript().size();
        }
        if (!a.ended().equals(b.ended())) {
            return "run ended: offheap " + a.ended() + ", heap " + b.ended();
        }
        if (!namespacesNumbered(a.tasks()).equals(namespacesNumbered(b.tasks()))) {
            return "tasks: offheap " + a.tasks() + ", heap " + b.tasks();
        }
        if (!a.status().equals(b.status())) {
            for (Integer pid : a.status().keySet()) {
                if (!a.status().get(pid).equals(b.status().get(pid))) {
                    return "/proc/" + pid + "/status:\n" + a.status().get(pid) + "--- heap:\n" + b.status().get(pid);
                }
            }
        }
        if (!a.maps().equals(b.maps())) {
            return "maps: offheap " + a.maps() + ", heap " + b.maps();
        }
        final Map<String, Long> ao = new TreeMap<>(a.objects());
        final Map<String, Long> bo = new TreeMap<>(b.objects());
        ao.keySet().retainAll(b.objects().keySet());
        bo.keySet().retainAll(a.objects().keySet());
        if (!ao.equals(bo)) {
            return "objects: " + KernelPair.diff(ao, bo) + " (offheap -> heap)";
        }
        return null;
    }

    /** Runs one scenario on both kernels and records what it finds. True when it found nothing. */
    public boolean scenario(String script, String repro) {
        final Outcome a = runner.apply("offheap", script);
        final Outcome b = runner.apply("heap", script);
        tally.scenario();
        tally.calls("differential", a.transcript().size() + b.transcript().size());
        boolean clean = true;
        for (Outcome o : new Outcome[] {a, b}) {
            if (o.failure() != null) {
                clean = false;
                final Finding kind = o.failure().contains("BadAccessException") ? Finding.BAD_ACCESS
                    : o.failure().startsWith("close hang") ? Finding.HANG : o.failure().startsWith("close") ? Finding.LEAK
                    : Finding.EXCEPTION;
                tally.finding(kind, o.failure() + " (" + repro + ")\n" + script);
            }
        }
        final String d = difference(a, b);
        if (d != null) {
            clean = false;
            // a difference that a second run does not show is a race: shrinking it would chase noise.
            // The rerun spends from the shrinker's budget: neither counts calls for the watchdog.
            final long start = System.nanoTime();
            if (differs(script, runner)) {
                final long left = SHRINK_BUDGET.toNanos() - (System.nanoTime() - start);
                tally.finding(Finding.MISMATCH, d + " (" + repro + "); minimal script for kfork run:\n"
                    + shrink(script, s -> differs(s, runner), System::nanoTime, left));
            } else {
                tally.finding(Finding.MISMATCH, d + " (" + repro + "); not shown by a second run (a race), script:\n" + script);
            }
        }
        return clean;
    }

    /**
     * The tasks with each pid namespace's inode number replaced by its rank of first appearance
     * (tasks in pid order, levels outermost first). The numbers themselves are not the kernel's to
     * keep: a namespace gives its inum back only when its last reference goes, and that reference
     * is often a struct pid or a task_struct freed after an RCU grace period, so whether the next
     * namespace reuses the number races with the grace period, in 5.12 as here. What is compared
     * is which tasks share a namespace at which level.
     */
    static List<TaskView> namespacesNumbered(List<TaskView> tasks) {
        final Map<Long, Long> rank = new HashMap<>();
        final List<TaskView> out = new ArrayList<>(tasks.size());
        for (TaskView t : tasks) {
            final List<Long> ns = new ArrayList<>(t.nsInums().size());
            for (Long inum : t.nsInums()) {
                ns.add(rank.computeIfAbsent(inum, k -> (long) rank.size()));
            }
            out.add(new TaskView(t.pid(), t.tgid(), t.ppid(), t.state(), t.comm(), t.nsPids(), ns));
        }
        return out;
    }

    /** True if the two kernels differ on {@code script} (or either fails). */
    public static boolean differs(String script) {
        return differs(script, Differential::run);
    }

    private static boolean differs(String script, BiFunction<String, String, Outcome> runner) {
        try {
            ScriptParser.parse("scenario", script);
        } catch (ScriptError e) {
            return false; // a cut that leaves a variable unbound is no candidate
        }
        final Outcome a = runner.apply("offheap", script);
        final Outcome b = runner.apply("heap", script);
        return a.failure() != null || b.failure() != null || difference(a, b) != null;
    }

    /**
     * Delta debugging over lines (ddmin): removes chunks of lines, halving the chunk, as long as
     * {@code fails} still holds (the kernels still differ); at most {@link #SHRINK_RUNS} runs and
     * {@link #SHRINK_BUDGET} on the system clock.
     */
    public static String shrink(String script, Predicate<String> fails) {
        return shrink(script, fails, System::nanoTime, SHRINK_BUDGET.toNanos());
    }

    /**
     * {@link #shrink(String, Predicate)}, stopping once {@code budgetNanos} have passed on
     * {@code clock}. A candidate can take a call timeout per blocked line and a close wait per
     * kernel, and the runs count no calls, so without the budget a failure that shows only
     * sometimes (a race) keeps the shrinker trying for as long as the stress run's watchdog takes
     * to call it a hang. What the budget leaves is still a failing script, only longer.
     */
    static String shrink(String script, Predicate<String> fails, LongSupplier clock, long budgetNanos) {
        final long start = clock.getAsLong();
        final BooleanSupplier more = () -> clock.getAsLong() - start < budgetNanos;
        List<String> lines = new ArrayList<>(List.of(script.split("\n")));
        int runs = 0;
        for (int chunk = Math.max(1, lines.size() / 2); chunk >= 1 && runs < SHRINK_RUNS && more.getAsBoolean(); chunk /= 2) {
            boolean removed = true;
            while (removed && runs < SHRINK_RUNS && more.getAsBoolean()) {
                removed = false;
                for (int from = 0; from < lines.size() && runs < SHRINK_RUNS && more.getAsBoolean(); from += chunk) {
                    final List<String> cut = new ArrayList<>(lines.subList(0, from));
                    cut.addAll(lines.subList(Math.min(lines.size(), from + chunk), lines.size()));
                    if (cut.isEmpty()) {
                        continue;
                    }
                    runs++;
                    if (fails.test(String.join("\n", cut) + "\n")) {
                        lines = cut;
                        removed = true;
                        break;
                    }
                }
            }
        }
        return String.join("\n", lines) + "\n";
    }
}
