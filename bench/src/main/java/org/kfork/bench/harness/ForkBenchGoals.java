package org.kfork.bench.harness;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * ForkBench's goals, each worked out as a ratio of figures measured in the same run, for the
 * report's "ForkBench goals" table (issue 12):
 * <ol>
 *   <li>the fork call of a 10-VMA process, OFFHEAP: at most 3x the C copy limit;</li>
 *   <li>fork + exit + wait4 of a 10-VMA process, OFFHEAP: at least 30x faster than the real
 *       kernel (fork's and forkExit's scores against the kernel's fork call and teardown);</li>
 *   <li>OFFHEAP no slower than HEAP for each method at every n;</li>
 *   <li>0 B/op on the Java heap for OFFHEAP once warm (when {@code -prof gc} ran);</li>
 *   <li>the thread-creating clone call, OFFHEAP: at most 2x the C per-CPU stack pair + task_struct
 *       memcpy + stack memset.</li>
 * </ol>
 * The names come from {@link AnchorMap}; a goal whose figures are missing says which.
 */
final class ForkBenchGoals {
    /** The n of the small-fork goals. */
    static final long SMALL_N = 10;
    /** Goal 1: the fork call against the C copy limit. */
    static final double MAX_OVER_COPY = 3;
    /** Goal 2: how many times faster than the real kernel fork + exit + wait must be. */
    static final double MIN_SPEEDUP = 30;
    /** Goal 5: the thread-creating call against its C limit. */
    static final double MAX_THREAD_OVER_LIMIT = 2;
    /** Goal 4: below this many bytes per op, JMH's gc.alloc.rate.norm counts as 0 (its own noise). */
    static final double ZERO_BYTES = 1;

    static final List<String> HEADER = List.of("goal", "measured", "target", "met");

    private ForkBenchGoals() {
    }

    /** The goals table, or null when the run has no ForkBench result. */
    static Report.Table table(List<JmhResult> results, NativeAnchors anchors) {
        List<JmhResult> rs = results.stream().filter(r -> r.suite().equals(AnchorMap.FORK_BENCH)).toList();
        if (rs.isEmpty()) {
            return null;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(forkOverCopy(rs, anchors));
        rows.add(speedup(rs, anchors));
        rows.add(offheapNoSlower(rs));
        rows.add(zeroAlloc(rs));
        rows.add(threadOverLimit(rs, anchors));
        return new Report.Table(AnchorMap.FORK_BENCH + " goals", HEADER, rows);
    }

    private static List<String> forkOverCopy(List<JmhResult> rs, NativeAnchors anchors) {
        String goal = "fork call, n=" + SMALL_N + ", OFFHEAP / " + AnchorMap.COPY_LIMIT;
        String target = "≤ " + times(MAX_OVER_COPY);
        JmhResult fork = find(rs, AnchorMap.FORK, Report.OFFHEAP, SMALL_N);
        AnchorMap.Match copy = fork == null ? null : match(fork, anchors, AnchorMap.COPY_LIMIT);
        if (copy == null) {
            return missing(goal, target, fork == null ? "OFFHEAP fork n=" + SMALL_N : "forkcopy fork_copy");
        }
        double ratio = fork.nsPerOp() / copy.nsPerJavaOp();
        return row(goal, Report.fmt(fork.nsPerOp()) + " / " + anchorText(copy) + " = " + Report.ratioText(ratio),
            target, ratio <= MAX_OVER_COPY);
    }

    private static List<String> speedup(List<JmhResult> rs, NativeAnchors anchors) {
        String goal = "fork + exit + wait4, n=" + SMALL_N + ", " + AnchorMap.KERNEL + " / OFFHEAP";
        String target = "≥ " + times(MIN_SPEEDUP);
        JmhResult fork = find(rs, AnchorMap.FORK, Report.OFFHEAP, SMALL_N);
        JmhResult exit = find(rs, AnchorMap.FORK_EXIT, Report.OFFHEAP, SMALL_N);
        if (fork == null || exit == null) {
            return missing(goal, target, "OFFHEAP " + (fork == null ? AnchorMap.FORK : AnchorMap.FORK_EXIT)
                + " n=" + SMALL_N);
        }
        AnchorMap.Match kFork = match(fork, anchors, AnchorMap.KERNEL);
        AnchorMap.Match kExit = match(exit, anchors, AnchorMap.KERNEL);
        if (kFork == null || kExit == null) {
            return missing(goal, target, "clone " + (kFork == null ? "fork_call" : "fork_teardown"));
        }
        double java = fork.nsPerOp() + exit.nsPerOp();
        double kernel = kFork.nsPerJavaOp() + kExit.nsPerJavaOp();
        boolean measured = kFork.anchor().measured() && kExit.anchor().measured();
        double ratio = kernel / java;
        return row(goal, Report.fmt(kernel) + (measured ? "" : Report.REF_MARK) + " / " + Report.fmt(java) + " = "
            + Report.ratioText(ratio), target, ratio >= MIN_SPEEDUP);
    }

    private static List<String> offheapNoSlower(List<JmhResult> rs) {
        String goal = "OFFHEAP / HEAP, every method and n";
        String target = "≤ 1.00x each";
        Map<String, JmhResult> heap = new TreeMap<>();
        rs.stream().filter(r -> Report.HEAP.equals(Report.variantOf(r))).forEach(r -> heap.put(key(r), r));
        int pairs = 0;
        int met = 0;
        double worst = 0;
        String worstRow = "";
        for (JmhResult off : rs) {
            JmhResult h = Report.OFFHEAP.equals(Report.variantOf(off)) ? heap.get(key(off)) : null;
            if (h == null) {
                continue;
            }
            double ratio = off.nsPerOp() / h.nsPerOp();
            pairs++;
            met += ratio <= 1 ? 1 : 0;
            if (ratio > worst) {
                worst = ratio;
                worstRow = off.method() + (Report.paramText(off).isEmpty() ? "" : " " + Report.paramText(off));
            }
        }
        if (pairs == 0) {
            return missing(goal, target, "OFFHEAP and HEAP of the same method and n");
        }
        return row(goal, met + " of " + pairs + " met; highest " + Report.ratioText(worst) + " (" + worstRow + ")",
            target, met == pairs);
    }

    private static List<String> zeroAlloc(List<JmhResult> rs) {
        String goal = "OFFHEAP heap allocation, B/op (gc.alloc.rate.norm)";
        String target = "0 (< " + Report.fmt(ZERO_BYTES) + ")";
        double most = Double.NaN;
        String where = "";
        for (JmhResult r : rs) {
            double b = r.gcAllocBytesPerOp();
            if (Report.OFFHEAP.equals(Report.variantOf(r)) && !Double.isNaN(b) && (Double.isNaN(most) || b > most)) {
                most = b;
                where = r.method() + (Report.paramText(r).isEmpty() ? "" : " " + Report.paramText(r));
            }
        }
        if (Double.isNaN(most)) {
            return missing(goal, target, "-prof gc figures");
        }
        return row(goal, "at most " + Report.fmt(most) + " (" + where + ")", target, most < ZERO_BYTES);
    }

    private static List<String> threadOverLimit(List<JmhResult> rs, NativeAnchors anchors) {
        String goal = "thread-creating clone call, OFFHEAP / " + AnchorMap.COPY_LIMIT + " (pair + memcpy + memset)";
        String target = "≤ " + times(MAX_THREAD_OVER_LIMIT);
        // The thread shares the mm, so n hardly matters: n=10 when ForkBench has it, else the smallest.
        JmhResult thread = find(rs, AnchorMap.THREAD, Report.OFFHEAP, SMALL_N);
        if (thread == null) {
            thread = rs.stream().filter(r -> r.method().equals(AnchorMap.THREAD)
                && Report.OFFHEAP.equals(Report.variantOf(r))).min(Comparator.comparingLong(JmhResult::n)).orElse(null);
        }
        AnchorMap.Match limit = thread == null ? null : match(thread, anchors, AnchorMap.COPY_LIMIT);
        if (limit == null) {
            return missing(goal, target, thread == null ? "OFFHEAP thread" : "forkcopy thread_copy");
        }
        double ratio = thread.nsPerOp() / limit.nsPerJavaOp();
        return row(goal, Report.fmt(thread.nsPerOp()) + " / " + anchorText(limit) + " = " + Report.ratioText(ratio),
            target, ratio <= MAX_THREAD_OVER_LIMIT);
    }

    /** The result of {@code method} for {@code variant} at {@code n}, or null. */
    private static JmhResult find(List<JmhResult> rs, String method, String variant, long n) {
        return rs.stream().filter(r -> r.method().equals(method) && variant.equals(Report.variantOf(r)) && r.n() == n)
            .findFirst().orElse(null);
    }

    private static AnchorMap.Match match(JmhResult r, NativeAnchors anchors, String label) {
        return AnchorMap.matches(r, anchors).stream().filter(m -> m.rule().label().equals(label)).findFirst()
            .orElse(null);
    }

    /** Method and params other than the variant: pairs OFFHEAP with HEAP. */
    private static String key(JmhResult r) {
        return r.method() + "|" + Report.paramText(r);
    }

    private static String anchorText(AnchorMap.Match m) {
        return Report.fmt(m.nsPerJavaOp()) + (m.anchor().measured() ? "" : Report.REF_MARK);
    }

    private static String times(double x) {
        return String.format(Locale.ROOT, "%.0fx", x);
    }

    private static List<String> row(String goal, String measured, String target, boolean met) {
        return List.of(goal, measured, target, met ? "yes" : "NO");
    }

    private static List<String> missing(String goal, String target, String what) {
        return List.of(goal, "not measured: no " + what + " in this run", target, "-");
    }
}
