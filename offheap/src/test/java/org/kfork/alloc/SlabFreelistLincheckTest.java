package org.kfork.alloc;

import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/**
 * Lincheck (stress strategy) on the slab per-CPU freelists. Each operation allocates three objects
 * on one CPU and frees them on another (threads share CPUs, and cross-CPU frees fill one list while
 * allocations empty the other), with a per-CPU limit of 8 so that refill and drain run all the
 * time. Each object is stamped with a token no other operation uses and read back; the cache's ctor
 * marks every new object free, so an object handed out twice is seen. Two more operations keep
 * objects across operations and free them later on any CPU, so lists grow unevenly.
 * One more claims its CPU for its allocations and frees (the owner's plain paths), or keeps off
 * a CPU another operation holds. {@link #validate()} checks the per-CPU limit and that the
 * machine is back at its baseline.
 */
public class SlabFreelistLincheckTest {
    private static final long FREE = -1;
    private static final long HELD = -2;
    private static final int PER_OP = 3;
    static final Machine MACHINE = Machine.builder().ram(32 << 20).cpus(2).build();
    static final Kmem KMEM = Kmem.of(MACHINE);
    /** Objects over a page: the per-CPU limit is 8 and the batch 4. */
    static final KmemCache CACHE = KMEM.slabs().create("lincheck_obj", 4100, 0, 0, obj -> Mem.putLong(obj, FREE));
    static final Map<String, Long> BASELINE = LeakCheck.quiescedSnapshot(MACHINE);
    static final AtomicLong TOKENS = new AtomicLong(1);

    private final ConcurrentLinkedQueue<Long> held = new ConcurrentLinkedQueue<>();

    @AfterAll
    static void close() {
        CACHE.destroy();
        MACHINE.close();
    }

    /** kmem_cache_alloc of three objects on {@code allocCpu}, kmem_cache_free of them on {@code freeCpu}. */
    @Operation
    public void allocFree(@Param(gen = IntGen.class, conf = "0:1") int allocCpu,
                          @Param(gen = IntGen.class, conf = "0:1") int freeCpu) {
        long[] objs = new long[PER_OP];
        long[] tokens = new long[PER_OP];
        for (int i = 0; i < PER_OP; i++) {
            long o = CACHE.alloc(allocCpu);
            if (o == Abi.NULL) {
                throw new IllegalStateException("out of RAM");
            }
            long marker = Mem.getLong(o);
            if (marker != FREE) {
                throw new IllegalStateException("object 0x" + Long.toHexString(o) + " handed out while owned by " + marker);
            }
            tokens[i] = TOKENS.incrementAndGet();
            Mem.putLong(o, tokens[i]);
            objs[i] = o;
        }
        for (int i = 0; i < PER_OP; i++) {
            if (Mem.getLong(objs[i]) != tokens[i]) {
                throw new IllegalStateException("object 0x" + Long.toHexString(objs[i]) + " taken over");
            }
            Mem.putLong(objs[i], FREE);
            CACHE.free(freeCpu, objs[i]);
        }
    }

    /**
     * {@link #allocFree} on a CPU the thread claims for the operation ({@link Cpus#own}: plain
     * per-CPU paths), or, when another thread holds it, as a thread that keeps off its list.
     */
    @Operation
    public void ownedAllocFree(@Param(gen = IntGen.class, conf = "0:1") int cpu) {
        Cpus.Owned own;
        try {
            own = KMEM.cpus().own(cpu);
        } catch (IllegalStateException busy) {
            own = null;
        }
        try {
            allocFree(cpu, cpu);
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    /** kmem_cache_alloc of two objects on {@code cpu}, kept for a later {@link #freeHeld}. */
    @Operation
    public void allocHold(@Param(gen = IntGen.class, conf = "0:1") int cpu) {
        for (int i = 0; i < 2; i++) {
            long o = CACHE.alloc(cpu);
            if (o == Abi.NULL) {
                throw new IllegalStateException("out of RAM");
            }
            long marker = Mem.getLong(o);
            if (marker != FREE) {
                throw new IllegalStateException("object 0x" + Long.toHexString(o) + " handed out while owned by " + marker);
            }
            Mem.putLong(o, HELD);
            held.add(o);
        }
    }

    /** kmem_cache_free on {@code cpu} of up to three objects some operation kept. */
    @Operation
    public void freeHeld(@Param(gen = IntGen.class, conf = "0:1") int cpu) {
        for (int i = 0; i < 3; i++) {
            Long o = held.poll();
            if (o == null) {
                return;
            }
            if (Mem.getLong(o) != HELD) {
                throw new IllegalStateException("held object 0x" + Long.toHexString(o) + " taken over");
            }
            Mem.putLong(o, FREE);
            CACHE.free(cpu, o);
        }
    }

    /** The per-CPU lists stay within their limit; after freeing what is held, all is at baseline. */
    @Validate
    public void validate() {
        String overLimit = null;
        for (int cpu = 0; cpu < 2; cpu++) {
            if (CACHE.cpuCached(cpu) > CACHE.limit()) {
                overLimit = "CPU " + cpu + " caches " + CACHE.cpuCached(cpu) + " > limit " + CACHE.limit();
            }
        }
        Long o;
        while ((o = held.poll()) != null) {
            Mem.putLong(o, FREE);
            CACHE.free(0, o);
        }
        if (overLimit != null) {
            throw new IllegalStateException(overLimit);
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
            .check(SlabFreelistLincheckTest.class);
    }

    /**
     * The operations return nothing, so the sequential specification has nothing to compute; it
     * must not touch the shared machine (lincheck runs it on instances that are never validated).
     */
    public static class SequentialSpec {
        /** No-op twin of {@code allocFree}. */
        public void allocFree(int allocCpu, int freeCpu) {
        }

        /** No-op twin of {@code ownedAllocFree}. */
        public void ownedAllocFree(int cpu) {
        }

        /** No-op twin of {@code allocHold}. */
        public void allocHold(int cpu) {
        }

        /** No-op twin of {@code freeHeld}. */
        public void freeHeld(int cpu) {
        }
    }
}
