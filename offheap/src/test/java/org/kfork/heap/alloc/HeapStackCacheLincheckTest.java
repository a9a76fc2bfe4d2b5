package org.kfork.heap.alloc;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model checking of the heap twin's cached_stacks protocol: every interleaving of the
 * xchg/cmpxchg steps that lincheck explores must keep a stack with one owner at a time and at most
 * two stacks per CPU.
 *
 * <p>The protocol is not linearizable as a two-slot set (a free can see both slots full, one after
 * the other, while they never were full together, and then drops its stack, which the kernel
 * accepts), so the operations return nothing and the properties are checked as exceptions inside
 * the operations and by {@link #validate()} after each invocation.
 */
public class HeapStackCacheLincheckTest {
    private static final byte FREE = 1;
    private static final int THREADS = 3;

    private final HeapStackCache cache = new HeapStackCache(2, false);
    private final byte[][] held = new byte[THREADS + 2][];

    /** alloc_thread_stack_node on {@code cpu} by lincheck thread {@code tid}; holds at most one stack. */
    @Operation
    public void alloc(@Param(gen = ThreadIdGen.class) int tid, @Param(gen = IntGen.class, conf = "0:1") int cpu) {
        if (held[tid] != null) {
            return;
        }
        byte[] s = cache.allocStack(cpu);
        if (s[0] != 0 && s[0] != FREE) {
            throw new IllegalStateException("stack handed out while owned by thread " + (s[0] - 2));
        }
        s[0] = (byte) (tid + 2);
        held[tid] = s;
    }

    /** free_thread_stack on {@code cpu} of the stack thread {@code tid} holds. */
    @Operation
    public void free(@Param(gen = ThreadIdGen.class) int tid, @Param(gen = IntGen.class, conf = "0:1") int cpu) {
        byte[] s = held[tid];
        if (s == null) {
            return;
        }
        if (s[0] != tid + 2) {
            throw new IllegalStateException("held stack was taken over by thread " + (s[0] - 2));
        }
        held[tid] = null;
        s[0] = FREE;
        cache.freeStack(cpu, s);
    }

    /** After each invocation: at most two stacks per CPU, and no cached stack is also held. */
    @Validate
    public void validate() {
        for (int cpu = 0; cpu < 2; cpu++) {
            if (cache.cachedCount(cpu) > HeapStackCache.NR_CACHED_STACKS) {
                throw new IllegalStateException("CPU " + cpu + " caches " + cache.cachedCount(cpu));
            }
        }
        for (byte[] s : held) {
            if (s != null && s[0] == FREE) {
                throw new IllegalStateException("a held stack is marked free");
            }
        }
    }

    @Test
    void modelCheck() {
        new ModelCheckingOptions()
            .threads(THREADS)
            .actorsPerThread(3)
            .actorsBefore(1)
            .actorsAfter(1)
            .iterations(6)
            .invocationsPerIteration(150)
            .check(HeapStackCacheLincheckTest.class);
    }
}
