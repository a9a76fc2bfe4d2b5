package org.kfork.alloc;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.testing.LeakCheck;

import java.util.Map;

/**
 * Lincheck (stress strategy, real threads) on the off-heap cached_stacks: take = this_cpu_xchg,
 * return = this_cpu_cmpxchg, on the machine's per-CPU area. The off-heap atomics are native-memory
 * Unsafe operations that lincheck's model checker does not interleave, so this uses its stress
 * strategy; the heap twin gets model checking ({@code HeapStackCacheLincheckTest}).
 *
 * <p>Each stack carries an owner marker in its first word; taking a stack that another thread owns
 * throws. {@link #validate()} checks at most two stacks per CPU, then gives every held stack back
 * and drains the caches, and checks that no vmalloc area was lost.
 */
public class StackCacheLincheckTest {
    private static final long FREE = -1;
    private static final int THREADS = 3;
    static final Machine MACHINE = Machine.builder().ram(64 << 20).cpus(2).build();
    static final Kmem KMEM = Kmem.of(MACHINE);
    static final ThreadStacks STACKS = new ThreadStacks(KMEM, false);
    static final Map<String, Long> BASELINE = LeakCheck.quiescedSnapshot(MACHINE);

    private final long[] held = new long[THREADS + 2];

    @AfterAll
    static void close() {
        STACKS.close();
        MACHINE.close();
    }

    private static long fresh() {
        long vm = STACKS.vmalloc().vmalloc(ThreadStacks.STACK_PAGES, 0);
        if (vm == Abi.NULL) {
            throw new IllegalStateException("out of RAM");
        }
        return vm;
    }

    /** Take a cached stack of {@code cpu} (or a new one) into thread {@code tid}'s hand. */
    @Operation
    public void alloc(@Param(gen = ThreadIdGen.class) int tid, @Param(gen = IntGen.class, conf = "0:1") int cpu) {
        if (held[tid] != 0) {
            return;
        }
        long vm = STACKS.takeCached(cpu);
        if (vm == Abi.NULL) {
            vm = fresh();
        }
        long addr = VmStruct.addr(vm);
        long marker = STACKS.vmalloc().getLong(addr);
        if (marker != 0 && marker != FREE) {
            throw new IllegalStateException("stack 0x" + Long.toHexString(addr) + " handed out while owned by " + marker);
        }
        STACKS.vmalloc().putLong(addr, tid + 1);
        held[tid] = vm;
    }

    /** Give thread {@code tid}'s stack back on {@code cpu}; a full cache vfrees it. */
    @Operation
    public void free(@Param(gen = ThreadIdGen.class) int tid, @Param(gen = IntGen.class, conf = "0:1") int cpu) {
        long vm = held[tid];
        if (vm == 0) {
            return;
        }
        long addr = VmStruct.addr(vm);
        if (STACKS.vmalloc().getLong(addr) != tid + 1) {
            throw new IllegalStateException("held stack taken over");
        }
        held[tid] = 0;
        STACKS.vmalloc().putLong(addr, FREE);
        if (!STACKS.putCached(cpu, vm)) {
            STACKS.vmalloc().vfree(vm, cpu);
        }
    }

    /** At most two per CPU; then everything goes back and the machine is at its baseline. */
    @Validate
    public void validate() {
        for (int cpu = 0; cpu < 2; cpu++) {
            if (STACKS.cachedCount(cpu) > ThreadStacks.NR_CACHED_STACKS) {
                throw new IllegalStateException("CPU " + cpu + " caches " + STACKS.cachedCount(cpu));
            }
        }
        for (int t = 0; t < held.length; t++) {
            if (held[t] != 0) {
                STACKS.vmalloc().vfree(held[t], 0);
                held[t] = 0;
            }
        }
        LeakCheck.assertNoLeak(BASELINE, LeakCheck.quiescedSnapshot(MACHINE));
    }

    @Test
    void stress() {
        new StressOptions()
            .threads(THREADS)
            .actorsPerThread(4)
            .actorsBefore(1)
            .actorsAfter(1)
            .iterations(10)
            .invocationsPerIteration(200)
            .sequentialSpecification(SequentialSpec.class)
            // Minimizing replays scenarios on the shared machine after the first failure, which
            // then reports the leftovers instead of the failure; show the first failure as is.
            .minimizeFailedScenario(false)
            .check(StackCacheLincheckTest.class);
    }

    /**
     * The operations return nothing, so the sequential specification has nothing to compute; it
     * must not touch the shared machine (lincheck runs it on instances that are never validated).
     */
    public static class SequentialSpec {
        /** No-op twin of {@code alloc}. */
        public void alloc(int tid, int cpu) {
        }

        /** No-op twin of {@code free}. */
        public void free(int tid, int cpu) {
        }
    }
}
