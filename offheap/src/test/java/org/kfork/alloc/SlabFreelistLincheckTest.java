package org.kfork.alloc;

import java.util.Map;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/**
 * Lincheck (stress strategy) on the slab per-CPU freelists: threads allocate and free on two CPUs
 * (threads share CPUs, and free on a CPU other than the one they allocated on), with a small
 * per-CPU limit so that refill and drain run all the time. Each object carries its owner (the
 * cache's ctor marks every new object free); an object handed out twice throws. {@link #validate()} frees everything held and checks the cache is empty.
 */
public class SlabFreelistLincheckTest {
    private static final long FREE = -1;
    private static final int THREADS = 3;
    private static final int HOLD = 3;
    static final Machine MACHINE = Machine.builder().ram(16 << 20).cpus(2).build();
    static final Kmem KMEM = Kmem.of(MACHINE);
    /** 2000-byte objects: the limit is 24 and the batch 12, so a few operations cross them. */
    static final KmemCache CACHE = KMEM.slabs().create("lincheck_obj", 2000, 0, 0, obj -> Mem.putLong(obj, FREE));
    static final Map<String, Long> BASELINE = LeakCheck.quiescedSnapshot(MACHINE);

    private final long[][] held = new long[THREADS + 2][HOLD];
    private final int[] nheld = new int[THREADS + 2];

    @AfterAll
    static void close() {
        CACHE.destroy();
        MACHINE.close();
    }

    /** kmem_cache_alloc on {@code cpu}, twice, keeping the objects. */
    @Operation
    public void alloc(@Param(gen = ThreadIdGen.class) int tid, @Param(gen = IntGen.class, conf = "0:1") int cpu) {
        for (int k = 0; k < 2 && nheld[tid] < HOLD; k++) {
            long o = CACHE.alloc(cpu);
            long marker = Mem.getLong(o);
            if (marker != FREE) { // the ctor marks every object free once; a slab's old pages hold junk
                throw new IllegalStateException("object 0x" + Long.toHexString(o) + " handed out while owned by " + marker);
            }
            Mem.putLong(o, tid + 1);
            held[tid][nheld[tid]++] = o;
        }
    }

    /** kmem_cache_free on {@code cpu} of every object the thread holds. */
    @Operation
    public void free(@Param(gen = ThreadIdGen.class) int tid, @Param(gen = IntGen.class, conf = "0:1") int cpu) {
        while (nheld[tid] > 0) {
            long o = held[tid][--nheld[tid]];
            if (Mem.getLong(o) != tid + 1) {
                throw new IllegalStateException("held object taken over");
            }
            Mem.putLong(o, FREE);
            CACHE.free(cpu, o);
        }
    }

    /** Frees what is held; the cache is then empty and the machine back at its baseline. */
    @Validate
    public void validate() {
        String overLimit = null;
        for (int cpu = 0; cpu < 2; cpu++) {
            if (CACHE.cpuCached(cpu) > CACHE.limit()) {
                overLimit = "CPU " + cpu + " caches " + CACHE.cpuCached(cpu) + " > limit " + CACHE.limit();
            }
        }
        for (int t = 0; t < held.length; t++) {
            while (nheld[t] > 0) {
                long o = held[t][--nheld[t]];
                Mem.putLong(o, FREE);
                CACHE.free(0, o);
            }
        }
        if (overLimit != null) {
            throw new IllegalStateException(overLimit);
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
            .check(SlabFreelistLincheckTest.class);
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
