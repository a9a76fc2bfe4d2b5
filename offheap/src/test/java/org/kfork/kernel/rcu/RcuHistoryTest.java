package org.kfork.kernel.rcu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random histories, driven by one thread playing several CPUs (system calls entered,
 * nested, left, blocked and resumed; readers; callbacks queued inside and outside calls; barriers
 * and synchronize_rcu when nobody is inside), checked after every step against the rules:
 * <ul>
 *   <li>a callback never runs while a call or reader that was inside when it was queued is
 *       still inside (blocking counts as leaving);</li>
 *   <li>every callback runs exactly once, and a CPU's callbacks run in the order they were
 *       queued;</li>
 *   <li>an exit after which nobody is inside runs every callback its CPU had;</li>
 *   <li>rcu_barrier leaves nothing pending, and every list passes its validator.</li>
 * </ul>
 * The same history gives the same trace (which callbacks ran at which step, and gp_seq) twice on
 * one variant, and on the heap twin and the off-heap port alike. A failure names its seed and step.
 */
class RcuHistoryTest {
    private static final int CPUS = 4;

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void randomHistoriesFollowTheRules(RcuVariant v) {
        for (long seed = 1; seed <= 40; seed++) {
            try (RcuVariant.Instance r = v.create(CPUS)) {
                new History(seed, r).run(400);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RcuVariant.class)
    void theSameHistoryFreesTheSameObjectsAtTheSameStepTwice(RcuVariant v) {
        for (long seed : new long[] {7, 42, 0xC0FFEE}) {
            List<String> first;
            List<String> second;
            try (RcuVariant.Instance r = v.create(CPUS)) {
                first = new History(seed, r).run(600);
            }
            try (RcuVariant.Instance r = v.create(CPUS)) {
                second = new History(seed, r).run(600);
            }
            assertEquals(first, second, "seed " + seed);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 11, 2026})
    void theHeapTwinAndTheOffHeapPortGiveTheSameTrace(long seed) {
        List<String> heap;
        List<String> off;
        try (RcuVariant.Instance r = RcuVariant.HEAP.create(CPUS)) {
            heap = new History(seed, r).run(600);
        }
        try (RcuVariant.Instance r = RcuVariant.OFFHEAP.create(CPUS)) {
            off = new History(seed, r).run(600);
        }
        assertEquals(heap, off);
    }

    @Test
    void theTraceIsNotTrivial() {
        try (RcuVariant.Instance r = RcuVariant.HEAP.create(CPUS)) {
            History h = new History(42, r);
            List<String> trace = h.run(600);
            long steps = trace.stream().filter(s -> s.contains("-> [") && !s.contains("-> []")).count();
            // callbacks ran at many different steps, and some waited across several grace periods
            assertEquals(true, steps > 20, "steps that ran callbacks: " + steps);
            assertEquals(true, h.maxWaitSteps > 10, "longest wait: " + h.maxWaitSteps);
            assertEquals(true, r.gps() > 10, "grace periods: " + r.gps());
        }
    }

    /** One random history on one instance. */
    static final class History {
        /** A task inside a call, or a reader. */
        static final class Section {
            final int id;
            final int token;
            final int cpu;
            final boolean reader;

            Section(int id, int token, int cpu, boolean reader) {
                this.id = id;
                this.token = token;
                this.cpu = cpu;
                this.reader = reader;
            }
        }

        final long seed;
        final SplittableRandom rnd;
        final RcuVariant.Instance r;
        final List<Section> running = new ArrayList<>();
        final List<Section> blocked = new ArrayList<>();
        final Map<Integer, Set<Integer>> insideWhenQueued = new HashMap<>();
        final Map<Integer, Integer> queuedAtStep = new HashMap<>();
        final Map<Integer, Integer> cpuOf = new HashMap<>();
        final List<List<Integer>> queueOrder = new ArrayList<>();
        final Set<Integer> ran = new HashSet<>();
        final List<String> trace = new ArrayList<>();
        int nextSection;
        int nextCallback;
        int seen;
        int step;
        int maxWaitSteps;

        History(long seed, RcuVariant.Instance r) {
            this.seed = seed;
            this.rnd = new SplittableRandom(seed);
            this.r = r;
            for (int c = 0; c < CPUS; c++) {
                queueOrder.add(new ArrayList<>());
            }
        }

        List<String> run(int steps) {
            try {
                for (step = 0; step < steps; step++) {
                    String op = act();
                    check(op);
                }
                // let everyone out, then drain
                while (!blocked.isEmpty()) {
                    Section s = blocked.remove(0);
                    Section again = new Section(nextSection++, r.resume(s.cpu), s.cpu, false);
                    running.add(again);
                    check("resume " + s.id + " as " + again.id);
                    step++;
                }
                while (!running.isEmpty()) {
                    leave(running.get(running.size() - 1));
                    check("leave");
                    step++;
                }
                r.barrier();
                check("barrier");
                assertEquals(nextCallback, ran.size(), "every callback ran");
                assertEquals(0, r.pending());
                return trace;
            } catch (AssertionError | RuntimeException e) {
                letEveryoneOut();
                List<String> tail = trace.subList(Math.max(0, trace.size() - 40), trace.size());
                throw new AssertionError("seed " + seed + ", step " + step + ": " + e.getMessage()
                    + "\n  last steps:\n  " + String.join("\n  ", tail), e);
            }
        }

        /** After a failure: every section leaves, so that closing the instance does not stall. */
        private void letEveryoneOut() {
            try {
                for (Section s : blocked) {
                    r.exit(r.resume(s.cpu));
                }
                for (Section s : running) {
                    if (s.reader) {
                        r.readUnlock(s.token);
                    } else {
                        r.exit(s.token);
                    }
                }
            } catch (RuntimeException | AssertionError ignored) {
                // the failure being reported says more
            }
            blocked.clear();
            running.clear();
        }

        private String act() {
            int k = rnd.nextInt(100);
            if (k < 20 && running.size() < 8) {
                int cpu = rnd.nextInt(CPUS);
                Section s = new Section(nextSection++, r.enter(cpu), cpu, false);
                running.add(s);
                return "enter " + s.id + " cpu " + cpu;
            }
            if (k < 42 && !running.isEmpty()) {
                Section s = running.get(rnd.nextInt(running.size()));
                leave(s);
                return "leave " + s.id;
            }
            if (k < 48 && hasCall()) {
                Section s = randomCall();
                running.remove(s);
                r.contextSwitch(s.token);
                blocked.add(s);
                return "block " + s.id;
            }
            if (k < 55 && !blocked.isEmpty()) {
                Section s = blocked.remove(rnd.nextInt(blocked.size()));
                // it runs again: a new section, on the CPU it slept on
                Section again = new Section(nextSection++, r.resume(s.cpu), s.cpu, false);
                running.add(again);
                return "resume " + s.id + " as " + again.id;
            }
            if (k < 62 && running.size() < 8) {
                int cpu = rnd.nextInt(CPUS);
                Section s = new Section(nextSection++, r.readLock(cpu), cpu, true);
                running.add(s);
                return "rcu_read_lock " + s.id + " cpu " + cpu;
            }
            if (k < 95) {
                int cpu = rnd.nextInt(CPUS);
                int id = nextCallback++;
                Set<Integer> inside = new HashSet<>();
                for (Section s : running) {
                    inside.add(s.id);
                }
                insideWhenQueued.put(id, inside);
                queuedAtStep.put(id, step);
                cpuOf.put(id, cpu);
                queueOrder.get(cpu).add(id);
                r.queue(id, cpu);
                return "call_rcu " + id + " cpu " + cpu;
            }
            if (running.isEmpty()) {
                if (rnd.nextBoolean()) {
                    r.barrier();
                    for (List<Integer> q : queueOrder) {
                        for (int id : q) {
                            if (!ranSoFar(id)) {
                                throw new AssertionError("rcu_barrier returned before callback " + id + " ran");
                            }
                        }
                    }
                    return "rcu_barrier";
                }
                long gps = r.gps();
                r.synchronize();
                if (r.gps() <= gps) {
                    throw new AssertionError("synchronize_rcu returned without a grace period");
                }
                return "synchronize_rcu";
            }
            return "nop";
        }

        private boolean ranSoFar(int id) {
            return r.invokedIds().contains(id);
        }

        private void leave(Section s) {
            running.remove(s);
            if (s.reader) {
                r.readUnlock(s.token);
            } else {
                r.exit(s.token);
                if (running.isEmpty()) {
                    // nobody inside: this exit ran every callback its CPU had
                    for (int id : queueOrder.get(s.cpu)) {
                        if (!r.invokedIds().contains(id)) {
                            throw new AssertionError("exit on CPU " + s.cpu + " with nobody inside left callback " + id);
                        }
                    }
                }
            }
        }

        private boolean hasCall() {
            for (Section s : running) {
                if (!s.reader) {
                    return true;
                }
            }
            return false;
        }

        private Section randomCall() {
            List<Section> calls = new ArrayList<>();
            for (Section s : running) {
                if (!s.reader) {
                    calls.add(s);
                }
            }
            return calls.get(rnd.nextInt(calls.size()));
        }

        private void check(String op) {
            List<Integer> all = r.invokedIds();
            List<Integer> fresh = all.subList(seen, all.size());
            Set<Integer> inside = new HashSet<>();
            for (Section s : running) {
                inside.add(s.id);
            }
            for (int id : fresh) {
                if (!ran.add(id)) {
                    throw new AssertionError("callback " + id + " ran twice");
                }
                for (int sec : insideWhenQueued.get(id)) {
                    if (inside.contains(sec)) {
                        throw new AssertionError("callback " + id + " ran while section " + sec
                            + ", inside when it was queued, is still inside");
                    }
                }
                maxWaitSteps = Math.max(maxWaitSteps, step - queuedAtStep.get(id));
            }
            // per CPU, callbacks run in queue order
            int[] next = new int[CPUS];
            for (int id : all) {
                int cpu = cpuOf.get(id);
                int expected = queueOrder.get(cpu).get(next[cpu]++);
                if (expected != id) {
                    throw new AssertionError("CPU " + cpu + " ran " + id + " before " + expected);
                }
            }
            seen = all.size();
            r.validate();
            trace.add(step + ": " + op + " -> " + fresh + " gp_seq " + r.state().gpSeq());
        }
    }
}
