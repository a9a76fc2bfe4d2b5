package org.kfork.heap.fork;

import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.kfork.arch.X86_64;
import org.kfork.sched.Limits;

/**
 * Lincheck model checking of the heap twin's cached_stacks protocol. Each operation is a whole
 * task's life on a CPU: take a stack (alloc_thread_stack_node), stamp it with a token only this
 * operation uses, read the stamp back, mark it free and give it back (free_thread_stack). Lincheck
 * interleaves the steps of concurrent operations; if two of them ever hold the same stack, one
 * sees the other's stamp and throws. {@link #validate()} checks at most two stacks per CPU and no
 * stack cached twice.
 *
 * <p>The protocol is not linearizable as a two-slot set (a free may see both slots full one after
 * the other while they never were full together, and drops its stack, which the kernel accepts), so
 * operations return nothing: the properties are checked as exceptions and by validation.
 */
public class HeapThreadStacksLincheckTest {
    private static final byte FREE = 1;

    private final HeapThreadStacks stacks = new HeapThreadStacks(2, false);
    private final AtomicInteger tokens = new AtomicInteger(FREE);

    /** Both slots of CPU 0 start full, so the very first operations already race on them. */
    public HeapThreadStacksLincheckTest() {
        for (int i = 0; i < Limits.NR_CACHED_STACKS; i++) {
            byte[] s = new byte[X86_64.THREAD_SIZE];
            s[0] = FREE;
            stacks.putCached(0, s);
        }
    }

    /** One task's stack life on {@code cpu}. */
    @Operation
    public void cycle(@Param(gen = IntGen.class, conf = "0:1") int cpu) {
        HeapTask tsk = new HeapTask();
        byte[] s = stacks.allocThreadStackNode(tsk, cpu);
        if (s[0] != 0 && s[0] != FREE) {
            throw new IllegalStateException("stack handed out while owned by token " + s[0]);
        }
        byte token = (byte) tokens.incrementAndGet();
        s[0] = token;
        if (s[0] != token) {
            throw new IllegalStateException("stack taken over by token " + s[0]);
        }
        s[0] = FREE;
        stacks.freeThreadStack(tsk, cpu);
    }

    /** After each invocation: at most two stacks per CPU, none cached twice, all marked free. */
    @Validate
    public void validate() {
        for (int cpu = 0; cpu < 2; cpu++) {
            byte[] a = stacks.allocThreadStackNode(new HeapTask(), cpu);
            byte[] b = stacks.allocThreadStackNode(new HeapTask(), cpu);
            if (a == b) {
                throw new IllegalStateException("the same stack was cached twice on CPU " + cpu);
            }
            if (stacks.cachedCount(cpu) != 0) {
                throw new IllegalStateException("CPU " + cpu + " cached more than two stacks");
            }
            if ((a[0] != 0 && a[0] != FREE) || (b[0] != 0 && b[0] != FREE)) {
                throw new IllegalStateException("a cached stack is still owned");
            }
        }
    }

    @Test
    void modelCheck() {
        new ModelCheckingOptions()
            .threads(3)
            .actorsPerThread(2)
            .actorsBefore(0)
            .actorsAfter(1)
            .iterations(8)
            .invocationsPerIteration(200)
            .check(HeapThreadStacksLincheckTest.class);
    }
}
