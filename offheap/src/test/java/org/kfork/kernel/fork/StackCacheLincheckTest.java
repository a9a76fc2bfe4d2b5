package org.kfork.kernel.fork;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.VmStruct;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.sched.Limits;
import org.kfork.testing.LeakCheck;

/**
 * Lincheck (stress strategy, real threads) on the off-heap cached_stacks: take = this_cpu_xchg,
 * return = this_cpu_cmpxchg, on the machine's per-CPU area. The off-heap atomics are native-memory
 * Unsafe operations that lincheck's model checker does not interleave, so this uses its stress
 * strategy; the heap twin gets model checking ({@code HeapThreadStacksLincheckTest}, in the tests module).
 *
 * <p>Each operation is one task's stack life: take a cached stack (or vmalloc a new one), stamp its
 * first word with a token no other operation uses, read it back, mark it free and give it back (or
 * vfree it when both slots are full). Two operations holding one stack would see each other's
 * stamp. {@link #validate()} checks at most two stacks per CPU, drains everything and checks that
 * the machine is back at its baseline (no stack lost, none freed twice).
 */
public class StackCacheLincheckTest {
    private static final long FREE = -1;
    static final Machine MACHINE = Machine.builder().ram(64 << 20).cpus(2).build();
    static final Kmem KMEM = Kmem.of(MACHINE);
    static final ThreadStacks STACKS = new ThreadStacks(KMEM, false);
    static final Map<String, Long> BASELINE = LeakCheck.quiescedSnapshot(MACHINE);
    static final AtomicLong TOKENS = new AtomicLong(1);

    @AfterAll
    static void close() {
        STACKS.close();
        MACHINE.close();
    }

    /** alloc_thread_stack_node + use + free_thread_stack on {@code cpu}. */
    @Operation
    public void cycle(@Param(gen = IntGen.class, conf = "0:1") int cpu) {
        long vm = STACKS.takeCached(cpu);
        if (vm == Abi.NULL) {
            vm = STACKS.vmalloc().vmalloc(ThreadStacks.STACK_PAGES, cpu);
            if (vm == Abi.NULL) {
                throw new IllegalStateException("out of RAM");
            }
        }
        long addr = VmStruct.addr(vm);
        long marker = STACKS.vmalloc().getLong(addr);
        if (marker != 0 && marker != FREE) {
            throw new IllegalStateException("stack 0x" + Long.toHexString(addr) + " handed out while owned by " + marker);
        }
        long token = TOKENS.incrementAndGet();
        STACKS.vmalloc().putLong(addr, token);
        Thread.onSpinWait();
        if (STACKS.vmalloc().getLong(addr) != token) {
            throw new IllegalStateException("stack 0x" + Long.toHexString(addr) + " taken over");
        }
        STACKS.vmalloc().putLong(addr, FREE);
        if (!STACKS.putCached(cpu, vm)) {
            STACKS.vmalloc().vfree(vm, cpu);
        }
    }

    /** At most two per CPU; then everything goes back and the machine is at its baseline. */
    @Validate
    public void validate() {
        for (int cpu = 0; cpu < 2; cpu++) {
            if (STACKS.cachedCount(cpu) > Limits.NR_CACHED_STACKS) {
                throw new IllegalStateException("CPU " + cpu + " caches " + STACKS.cachedCount(cpu));
            }
        }
        LeakCheck.assertNoLeak(BASELINE, LeakCheck.quiescedSnapshot(MACHINE));
    }

    @Test
    void stress() {
        new StressOptions()
            .threads(3)
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
        /** No-op twin of {@code cycle}. */
        public void cycle(int cpu) {
        }
    }
}
