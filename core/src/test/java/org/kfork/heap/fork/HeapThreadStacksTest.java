package org.kfork.heap.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.kfork.arch.X86_64;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskState;

/** The heap twin of the VMAP_STACK allocator: cached_stacks, accounting, lifetime, overflow magic. */
class HeapThreadStacksTest {
    private static void releaseDead(HeapThreadStacks stacks, HeapTask tsk, int cpu) {
        tsk.setState(TaskState.TASK_DEAD);
        assertTrue(stacks.releaseTaskStack(tsk, cpu));
    }

    @Test
    void freedStacksAreCachedTwoPerCpuAndReusedZeroed() {
        HeapThreadStacks stacks = new HeapThreadStacks(2, true);
        HeapTask[] t = {new HeapTask(), new HeapTask(), new HeapTask()};
        byte[][] s = new byte[3][];
        for (int i = 0; i < 3; i++) {
            s[i] = stacks.allocThreadStackNode(t[i], 0);
            assertSame(s[i], t[i].stack());
            assertEquals(X86_64.THREAD_SIZE, s[i].length);
            s[i][512] = 7;
            stacks.accountKernelStack(t[i], 1, 0);
        }
        for (int i = 0; i < 3; i++) {
            releaseDead(stacks, t[i], 0);
            assertNull(t[i].stack());
        }
        assertEquals(2, stacks.cachedCount(0), "both slots full: the third went to the GC");
        assertEquals(0, stacks.cachedCount(1));
        HeapTask again = new HeapTask();
        assertSame(s[0], stacks.allocThreadStackNode(again, 0), "slot 0 holds the first stack freed");
        assertEquals(0, s[0][512], "a reused stack is zeroed");
        assertNotSame(s[1], stacks.allocThreadStackNode(new HeapTask(), 1), "CPU 1 does not see CPU 0's stacks");
        assertEquals(0, stacks.freeVmStackCache(0));
        assertEquals(0, stacks.cachedCount(0), "free_vm_stack_cache dropped CPU 0's stacks");
    }

    @Test
    void withoutZeroingTheContentSurvives() {
        HeapThreadStacks stacks = new HeapThreadStacks(1, false);
        byte[] a = stacks.allocThreadStackNode(new HeapTask(), 0);
        a[5] = 9;
        assertTrue(stacks.putCached(0, a));
        assertEquals(9, stacks.takeCached(0)[5]);
        assertNull(stacks.takeCached(0));
        assertThrows(IllegalArgumentException.class, () -> stacks.putCached(0, new byte[16]));
    }

    @Test
    void accountingFollowsTheStack() {
        HeapThreadStacks stacks = new HeapThreadStacks(2);
        HeapTask t = new HeapTask();
        stacks.allocThreadStackNode(t, 1);
        stacks.accountKernelStack(t, 1, 1);
        assertEquals(16, stacks.nrKernelStackKb(), "NR_KERNEL_STACK_KB grows by THREAD_SIZE / 1024");
        releaseDead(stacks, t, 0); // freed on another CPU than the one that charged it
        assertEquals(0, stacks.nrKernelStackKb());
    }

    @Test
    void stackEndMagicDetectsOverflow() {
        HeapThreadStacks stacks = new HeapThreadStacks(1);
        HeapTask t = new HeapTask();
        byte[] s = stacks.allocThreadStackNode(t, 0);
        stacks.setTaskStackEndMagic(t);
        assertEquals((byte) Limits.STACK_END_MAGIC, s[0], "little-endian, at the lowest address");
        assertFalse(stacks.taskStackEndCorrupted(t));
        stacks.checkStackEnd(t);
        s[3] = 0x41; // the stack grew down past its end
        assertTrue(stacks.taskStackEndCorrupted(t));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stacks.checkStackEnd(t));
        assertTrue(e.getMessage().contains("Thread overran stack, or stack corrupted"), e.getMessage());
    }

    @Test
    void stackRefcountReleasesOnLastPutOnlyWhenDead() {
        HeapThreadStacks stacks = new HeapThreadStacks(1);
        HeapTask t = new HeapTask();
        byte[] stack = stacks.allocThreadStackNode(t, 0);
        stacks.accountKernelStack(t, 1, 0);
        t.setStackRefcount(1);
        assertSame(stack, stacks.tryGetTaskStack(t));
        assertFalse(stacks.putTaskStack(t, 0), "2 -> 1");
        assertFalse(stacks.putTaskStack(t, 0), "1 -> 0 on a live task: WARN and leak rather than free");
        assertEquals(1, stacks.warnings());
        assertSame(stack, t.stack());
        assertNull(stacks.tryGetTaskStack(t), "refcount is 0: no new references");
        t.setStackRefcount(1);
        t.setState(TaskState.TASK_DEAD);
        assertTrue(stacks.putTaskStack(t, 0));
        assertNull(t.stack());
        assertEquals(1, stacks.cachedCount(0));
    }

    /** Fidelity defect 11 of issue 10, on the heap twin: a put at zero is refused and changes nothing. */
    @Test
    void aPutAtZeroIsRefusedAndLeavesTheCount() {
        HeapThreadStacks stacks = new HeapThreadStacks(1);
        HeapTask t = new HeapTask();
        byte[] stack = stacks.allocThreadStackNode(t, 0);
        stacks.accountKernelStack(t, 1, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stacks.putTaskStack(t, 0));
        assertTrue(e.getMessage().contains("stack_refcount is already 0"), e.getMessage());
        assertEquals(0, t.stackRefcount(), "a refused put leaves the count as it was");
        assertNull(stacks.tryGetTaskStack(t), "and the stack cannot be taken again");
        assertSame(stack, t.stack(), "nor was it released");
        assertEquals(0, stacks.warnings());
    }

    /** Threads sharing CPUs: no stack is ever held by two threads, and at most 2 stay cached. */
    @Test
    void stressNoStackHandedOutTwice() throws Exception {
        int nrCpus = 2;
        int threads = 4;
        int rounds = 20_000;
        HeapThreadStacks stacks = new HeapThreadStacks(nrCpus, false);
        Map<byte[], Thread> owners = Collections.synchronizedMap(new IdentityHashMap<>());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int cpu = t % nrCpus;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    HeapTask tsk = new HeapTask();
                    for (int i = 0; i < rounds; i++) {
                        byte[] s = stacks.allocThreadStackNode(tsk, cpu);
                        if (owners.put(s, Thread.currentThread()) != null) {
                            throw new AssertionError("stack handed out twice");
                        }
                        owners.remove(s);
                        stacks.freeThreadStack(tsk, cpu);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        assertTrue(errors.isEmpty(), errors.toString());
        for (int c = 0; c < nrCpus; c++) {
            assertTrue(stacks.cachedCount(c) <= Limits.NR_CACHED_STACKS);
            assertTrue(stacks.cachedCount(c) >= 1, "the last free on each CPU leaves a stack cached");
        }
    }
}
