package org.kfork.heap.rcu;

import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model checking of the heap twin's RCU protocol through its classic use: an RCU-protected
 * pointer. A reader enters a system call, loads the pointer, reads the object and checks, before
 * it leaves, that the object has not been freed; a writer enters, swaps in a new object and frees
 * the old one with call_rcu, then leaves (its exit runs the CPU's done callbacks). Lincheck
 * interleaves the steps of the boundaries, the grace-period start, the quiescent-state reports
 * and the callback processing; a reader that sees its object freed throws, which fails the check.
 * Two CPUs for three threads, so CPUs are shared too.
 *
 * <p>Sequentially the object is a register: read returns the last value written (0 at first).
 */
@Param(name = "cpu", gen = IntGen.class, conf = "0:1")
public class HeapRcuLincheckTest {
    /** An RCU-protected object. */
    static final class Cell extends HeapCallbackHead {
        final int value;
        volatile boolean freed;

        Cell(int value) {
            this.value = value;
        }
    }

    private static final HeapRcuCallback FREE = h -> ((Cell) h).freed = true;

    private final HeapRcu rcu = new HeapRcu(2);
    private final AtomicReference<Cell> cell = new AtomicReference<>(new Cell(0));

    /** rcu_dereference inside a system call. */
    @Operation
    public int read(@Param(name = "cpu") int cpu) {
        int t = rcu.rcuSyscallEnter(cpu);
        Cell c = cell.get();
        int v = c.value;
        if (c.freed) {
            throw new IllegalStateException("use after free: cell " + v + " freed inside a grace period");
        }
        rcu.rcuSyscallExit(t);
        return v;
    }

    /** rcu_assign_pointer, then call_rcu of the old object, inside a system call. */
    @Operation
    public void write(@Param(name = "cpu") int cpu, @Param(gen = IntGen.class, conf = "1:3") int value) {
        int t = rcu.rcuSyscallEnter(cpu);
        Cell old = cell.getAndSet(new Cell(value));
        rcu.callRcu(old, FREE, cpu);
        rcu.rcuSyscallExit(t);
    }

    /** Afterwards every replaced object is freed (rcu_barrier) and nobody is inside. */
    @Validate
    public void validate() {
        rcu.rcuBarrier();
        if (rcu.callbacksPending() != 0 || rcu.callbacksInvoked() != rcu.callbacksQueued()) {
            throw new IllegalStateException("callbacks left: " + rcu.callbacksPending());
        }
        if (cell.get().freed) {
            throw new IllegalStateException("the current object was freed");
        }
        for (int cpu = 0; cpu < 2; cpu++) {
            if (rcu.state().readers(cpu) != 0) {
                throw new IllegalStateException("CPU " + cpu + " still has someone inside");
            }
        }
    }

    @Test
    void modelCheck() {
        new ModelCheckingOptions()
            .threads(3)
            .actorsPerThread(2)
            .actorsBefore(0)
            .actorsAfter(0)
            .iterations(6)
            .invocationsPerIteration(150)
            .sequentialSpecification(Register.class)
            .check(HeapRcuLincheckTest.class);
    }

    /** The sequential specification: a register holding the last value written. */
    public static class Register {
        private int value;

        /** Twin of {@code read}. */
        public int read(int cpu) {
            return value;
        }

        /** Twin of {@code write}. */
        public void write(int cpu, int v) {
            value = v;
        }
    }
}
