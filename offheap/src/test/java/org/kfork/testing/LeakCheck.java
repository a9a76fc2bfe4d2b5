package org.kfork.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.kfork.alloc.Kmem;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;

import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The leak check every off-heap test uses: before each test it snapshots every accounting
 * counter of the machine (free pages per order, each slab cache's objects...), and after the test
 * it fails unless all of them are back at that baseline. It also insists that checked mode is on.
 *
 * <pre>{@code
 * final Machine machine = Machine.create(64 << 20);
 * @RegisterExtension final LeakCheck leaks = new LeakCheck(() -> machine);
 * }</pre>
 *
 * <p>A test with a machine of its own per test uses {@link #thenClose}, which closes the machine
 * after the check: an {@code @AfterEach} that closes it would run before the check, and a closed
 * machine refuses to be counted.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
    private final Supplier<Machine> machine;
    private final boolean close;
    private Map<String, Long> baseline;

    /** A leak check over the machine the supplier returns at each test. */
    public LeakCheck(Supplier<Machine> machine) {
        this(machine, false);
    }

    private LeakCheck(Supplier<Machine> machine, boolean close) {
        this.machine = Objects.requireNonNull(machine);
        this.close = close;
    }

    /** A leak check that closes the machine after each test, once it has counted. */
    public static LeakCheck thenClose(Supplier<Machine> machine) {
        return new LeakCheck(machine, true);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!Kasan.ENABLED) {
            throw new AssertionError("checked mode must be on in off-heap tests: run with -Dkfork.checked=true "
                + "(the surefire argLine from jvm-flags.properties sets it)");
        }
        baseline = quiescedSnapshot(machine.get());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (context.getExecutionException().isEmpty()) {
                // (on a failure, the test's own report says more than a leak report would)
                assertNoLeak(baseline, quiescedSnapshot(machine.get()));
            }
        } finally {
            if (close) {
                machine.get().close();
            }
        }
    }

    /**
     * The machine's counters after its kernel-memory caches are quiesced: RCU callbacks run first
     * (rcu_barrier until none is pending, so objects waiting for a grace period are freed), then
     * per-CPU slab freelists flushed, empty slabs released, cached thread stacks and deferred frees
     * drained, and then the CPUs' page lists drained into the buddy lists. Otherwise a cached object
     * would read as a leaked page. No thread may be inside a system call (RCU would stall).
     */
    public static Map<String, Long> quiescedSnapshot(Machine m) {
        Kmem.quiesce(m);
        return m.snapshot();
    }

    /** Fails with every counter that differs between the two snapshots. */
    public static void assertNoLeak(Map<String, Long> before, Map<String, Long> after) {
        final StringBuilder diff = new StringBuilder();
        for (String name : new TreeSet<>(union(before, after))) {
            final Long b = before.get(name);
            final Long a = after.get(name);
            if (!Objects.equals(a, b)) {
                diff.append("\n  ").append(name).append(": ").append(b).append(" -> ").append(a);
            }
        }
        if (diff.length() > 0) {
            throw new AssertionError("leak check: counters are not back at their baseline:" + diff);
        }
    }

    private static TreeSet<String> union(Map<String, Long> a, Map<String, Long> b) {
        final TreeSet<String> s = new TreeSet<>(a.keySet());
        s.addAll(b.keySet());
        return s;
    }
}
