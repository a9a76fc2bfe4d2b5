package org.kfork.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.sched.TaskState;
import org.kfork.smp.CpuThread;
import org.kfork.testing.LeakCheck;

/**
 * Real threads on the lock-free per-CPU paths, more threads than CPUs so that threads share CPUs,
 * with invariants checked at the end: nothing handed out twice, nothing lost, at most two stacks
 * cached per CPU, exact counts.
 */
class AllocStressTest {
    static final int CPUS = 2;
    static final int THREADS = 4;
    static final Machine MACHINE = Machine.builder().ram(64 << 20).cpus(CPUS).build();
    static final Kmem KMEM = Kmem.of(MACHINE);
    static final ForkInit FORK = ForkInit.boot(KMEM);

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        FORK.close();
        MACHINE.close();
    }

    interface Body {
        void run(int thread, int cpu, Random rnd) throws Exception;
    }

    private static void runThreads(Body body) throws Exception {
        long seed = System.nanoTime();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            final int id = t;
            final int cpu = t % CPUS;
            Thread th = new CpuThread(cpu, () -> {
                try {
                    start.await();
                    body.run(id, cpu, new Random(seed + id));
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "stress-" + t);
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError("seed " + seed + ": " + errors.get(0), errors.get(0));
            throw e;
        }
    }

    @Test
    void stackCacheNeverHandsAStackToTwoTasks() throws Exception {
        ThreadStacks stacks = FORK.stacks();
        KmemCache tasks = FORK.taskStructCachep();
        stacks.quiesce();
        long areasBefore = stacks.vmalloc().nrAreas();
        long deferredBefore = stacks.deferredFrees();
        ConcurrentHashMap<Long, Integer> owner = new ConcurrentHashMap<>();
        AtomicLong hits = new AtomicLong();
        AtomicLong fresh = new AtomicLong();
        int rounds = 3000;
        runThreads((id, cpu, rnd) -> {
            long tsk = tasks.zalloc(cpu);
            for (int i = 0; i < rounds; i++) {
                // Mostly this thread's CPU; sometimes the other one, as a migrated task would.
                int c = rnd.nextInt(8) == 0 ? (cpu + 1) % CPUS : cpu;
                // alloc_thread_stack_node, split to count hits and fresh areas exactly.
                long vm = stacks.takeCached(c);
                if (vm != Abi.NULL) {
                    hits.incrementAndGet();
                } else {
                    vm = stacks.vmalloc().vmalloc(ThreadStacks.STACK_PAGES, c);
                    assertTrue(vm != 0);
                    fresh.incrementAndGet();
                }
                Mem.putLong(tsk + TaskFields.STACK_VM_AREA, vm);
                Mem.putLong(tsk + TaskFields.STACK, VmStruct.addr(vm));
                Integer prev = owner.putIfAbsent(vm, id);
                if (prev != null) {
                    throw new AssertionError("stack vm 0x" + Long.toHexString(vm) + " held by " + prev + " and " + id);
                }
                stacks.vmalloc().putLong(VmStruct.addr(vm) + 64, id);
                assertEquals(id, stacks.vmalloc().getLong(VmStruct.addr(vm) + 64));
                owner.remove(vm);
                stacks.accountKernelStack(tsk, 1, c);
                Mem.putLong(tsk + TaskFields.STATE, TaskState.TASK_DEAD);
                assertTrue(stacks.releaseTaskStack(tsk, c));
                Mem.putLong(tsk + TaskFields.STATE, TaskState.TASK_RUNNING);
            }
            tasks.free(cpu, tsk);
        });
        stacks.flushDeferred();
        int cached = 0;
        for (int c = 0; c < CPUS; c++) {
            assertTrue(stacks.cachedCount(c) <= ThreadStacks.NR_CACHED_STACKS, "CPU " + c);
            cached += stacks.cachedCount(c);
        }
        long deferred = stacks.deferredFrees() - deferredBefore;
        assertEquals((long) THREADS * rounds, hits.get() + fresh.get());
        assertEquals(fresh.get() - deferred, cached, "every stack made is cached or was vfreed: none lost");
        assertEquals(areasBefore + cached, stacks.vmalloc().nrAreas());
        assertTrue(hits.get() > fresh.get(), "the cache serves most allocations: hits " + hits + ", fresh " + fresh);
    }

    @Test
    void slabFreelistsNeverHandAnObjectOutTwice() throws Exception {
        KmemCache c = KMEM.slabs().create("stress_obj", 4100, 0, 0, null);
        ConcurrentHashMap<Long, Integer> owner = new ConcurrentHashMap<>();
        AtomicLong allocs = new AtomicLong();
        AtomicLong frees = new AtomicLong();
        runThreads((id, cpu, rnd) -> {
            List<Long> mine = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                if (mine.size() < 12 && (mine.isEmpty() || rnd.nextBoolean())) {
                    long o = c.alloc(cpu);
                    allocs.incrementAndGet();
                    Integer prev = owner.putIfAbsent(o, id);
                    if (prev != null) {
                        throw new AssertionError("object 0x" + Long.toHexString(o) + " held by " + prev + " and " + id);
                    }
                    Mem.putLong(o + 4088, id);
                    mine.add(o);
                } else {
                    long o = mine.remove(rnd.nextInt(mine.size()));
                    assertEquals(id, Mem.getLong(o + 4088));
                    owner.remove(o);
                    // Free on either CPU: cross-CPU frees fill one list and drain it into the slabs.
                    int fc = rnd.nextInt(CPUS);
                    c.free(fc, o);
                    frees.incrementAndGet();
                    int cached = c.cpuCached(fc);
                    if (cached > c.limit()) {
                        throw new AssertionError("CPU " + fc + " caches " + cached + " > limit " + c.limit());
                    }
                }
            }
            for (long o : mine) {
                owner.remove(o);
                c.free(cpu, o);
                frees.incrementAndGet();
            }
        });
        assertEquals(allocs.get(), frees.get());
        SlabInfo info = c.info();
        assertEquals(0, info.activeObjs(), "exact count: every object came back");
        for (int cpu = 0; cpu < CPUS; cpu++) {
            assertTrue(c.cpuCached(cpu) <= c.limit());
        }
        c.shrink();
        assertEquals(0, c.info().numSlabs(), "all slabs empty and released: none lost");
        c.destroy();
    }
}
