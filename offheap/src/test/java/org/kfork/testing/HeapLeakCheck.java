package org.kfork.testing;

import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.kfork.heap.HeapGlobals;

/**
 * The heap twin's leak check: before each test it runs RCU's pending callbacks and takes the heap
 * kernel's live objects per kind ({@link HeapGlobals#objectCounts}); after a test that passed, it
 * runs them again and fails unless every count is back at that baseline.
 *
 * <pre>{@code
 * final HeapGlobals hg = HeapGlobals.boot(pages, cpus);
 * @RegisterExtension final HeapLeakCheck heapLeaks = new HeapLeakCheck(() -> hg);
 * }</pre>
 */
public final class HeapLeakCheck implements BeforeEachCallback, AfterEachCallback {
    private final Supplier<HeapGlobals> kernel;
    private Map<String, Long> baseline;

    /** A leak check over the heap kernel the supplier returns at each test. */
    public HeapLeakCheck(Supplier<HeapGlobals> kernel) {
        this.kernel = Objects.requireNonNull(kernel);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        baseline = quiescedCounts(kernel.get());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isEmpty()) {
            assertNoLeak(baseline, quiescedCounts(kernel.get()));
        }
    }

    /** The live objects per kind once no RCU callback is pending. */
    public static Map<String, Long> quiescedCounts(HeapGlobals g) {
        g.rcu.quiesce();
        return g.objectCounts();
    }

    /** Fails with every kind whose count differs. */
    public static void assertNoLeak(Map<String, Long> before, Map<String, Long> after) {
        final StringBuilder diff = new StringBuilder();
        final TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String name : names) {
            final long b = before.getOrDefault(name, 0L);
            final long a = after.getOrDefault(name, 0L);
            if (a != b) {
                diff.append("\n  ").append(name).append(": ").append(b).append(" -> ").append(a);
            }
        }
        if (diff.length() > 0) {
            throw new AssertionError("heap leak check: live objects are not back at their baseline:" + diff);
        }
    }
}
