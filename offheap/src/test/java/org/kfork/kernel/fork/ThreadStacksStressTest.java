package org.kfork.kernel.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.VmStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskState;
import org.kfork.testing.CpuStress;
import org.kfork.testing.LeakCheck;

/**
 * Real threads on fork.c's per-CPU cached_stacks, more threads than CPUs so that threads share
 * CPUs, with invariants checked at the end: no stack held by two tasks, none lost, at most
 * NR_CACHED_STACKS cached per CPU, exact counts.
 */
class ThreadStacksStressTest {
    static final int CPUS = 2;
    static final int THREADS = 4;
    static final Machine MACHINE = Machine.builder().ram(64 << 20).cpus(CPUS).build();
    static final ForkInit FORK = ForkInit.boot(Kmem.of(MACHINE));

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    @AfterAll
    static void close() {
        FORK.close();
        MACHINE.close();
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
        CpuStress.run(THREADS, CPUS, (id, cpu, rnd) -> {
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
                Mem.putLong(tsk + TaskStruct.STACK_VM_AREA, vm);
                Mem.putLong(tsk + TaskStruct.STACK, VmStruct.addr(vm));
                Integer prev = owner.putIfAbsent(vm, id);
                if (prev != null) {
                    throw new AssertionError("stack vm 0x" + Long.toHexString(vm) + " held by " + prev + " and " + id);
                }
                stacks.vmalloc().putLong(VmStruct.addr(vm) + 64, id);
                assertEquals(id, stacks.vmalloc().getLong(VmStruct.addr(vm) + 64));
                owner.remove(vm);
                stacks.accountKernelStack(tsk, 1, c);
                Mem.putLong(tsk + TaskStruct.STATE, TaskState.TASK_DEAD);
                assertTrue(stacks.releaseTaskStack(tsk, c));
                Mem.putLong(tsk + TaskStruct.STATE, TaskState.TASK_RUNNING);
            }
            tasks.free(cpu, tsk);
        });
        stacks.flushDeferred();
        int cached = 0;
        for (int c = 0; c < CPUS; c++) {
            assertTrue(stacks.cachedCount(c) <= Limits.NR_CACHED_STACKS, "CPU " + c);
            cached += stacks.cachedCount(c);
        }
        long deferred = stacks.deferredFrees() - deferredBefore;
        assertEquals((long) THREADS * rounds, hits.get() + fresh.get());
        assertEquals(fresh.get() - deferred, cached, "every stack made is cached or was vfreed: none lost");
        assertEquals(areasBefore + cached, stacks.vmalloc().nrAreas());
        assertTrue(hits.get() > fresh.get(), "the cache serves most allocations: hits " + hits + ", fresh " + fresh);
    }
}
