package org.kfork.kernel.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.VmStruct;
import org.kfork.alloc.VmallocArea;
import org.kfork.alloc.VmallocFault;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Abi;
import org.kfork.machine.BadAccessException;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskState;
import org.kfork.testing.LeakCheck;

/** The VMAP_STACK allocator: cached_stacks, deferred free, accounting, lifetime, overflow magic. */
class ThreadStacksTest {
    static final Machine MACHINE = Machine.builder().ram(64 << 20).cpus(4).build();
    static final Kmem KMEM = Kmem.of(MACHINE);
    static final ForkInit FORK = ForkInit.boot(KMEM);
    static final ThreadStacks STACKS = FORK.stacks();
    static final KmemCache TASKS = FORK.taskStructCachep();

    @RegisterExtension
    final LeakCheck leaks = new LeakCheck(() -> MACHINE);

    private final List<Long> tasks = new ArrayList<>();

    @AfterAll
    static void close() {
        FORK.close();
        MACHINE.close();
    }

    @AfterEach
    void freeTasks() {
        for (long t : tasks) {
            TASKS.free(0, t);
        }
    }

    private long task() {
        long t = TASKS.zalloc(0);
        assertNotEquals(0, t);
        tasks.add(t);
        return t;
    }

    private static void releaseDead(long tsk, int cpu) {
        Mem.putLong(tsk + TaskStruct.STATE, TaskState.TASK_DEAD);
        assertTrue(STACKS.releaseTaskStack(tsk, cpu));
    }

    @Test
    void freshStackIsAVmallocAreaThroughItsPageTable() {
        long t = task();
        long stack = STACKS.allocThreadStackNode(t, KmemCache.NUMA_NO_NODE, 0);
        assertTrue(Long.compareUnsigned(stack, Abi.VMALLOC_START) >= 0);
        assertEquals(0, stack % Abi.THREAD_SIZE, "THREAD_ALIGN");
        assertEquals(stack, Mem.getLong(t + TaskStruct.STACK));
        long vm = Mem.getLong(t + TaskStruct.STACK_VM_AREA);
        assertEquals(stack, VmStruct.addr(vm));
        assertEquals(vm, STACKS.vmalloc().findVmArea(stack + 100));
        assertEquals(4, VmStruct.nrPages(vm));
        VmallocArea va = STACKS.vmalloc();
        for (int i = 0; i < 4; i++) {
            long addr = stack + (long) i * Abi.PAGE_SIZE + 8;
            assertEquals(VmStruct.page(vm, i) + 8, va.translate(addr), "page " + i);
            assertEquals(0, va.getLong(addr), "a new stack is zeroed");
        }
        VmallocFault guard = assertThrows(VmallocFault.class, () -> va.getLong(stack + Abi.THREAD_SIZE));
        assertTrue(guard.getMessage().contains("guard page"), guard.getMessage());
        assertThrows(BadAccessException.class, () -> Mem.getLong(stack), "the facade never reaches vmalloc directly");
        STACKS.accountKernelStack(t, 1, 0);
        releaseDead(t, 0);
        assertEquals(0, Mem.getLong(t + TaskStruct.STACK));
    }

    @Test
    void freedStacksAreCachedTwoPerCpuAndReusedZeroed() {
        STACKS.quiesce();
        long[] t = {task(), task(), task()};
        long[] vms = new long[3];
        for (int i = 0; i < 3; i++) {
            STACKS.allocThreadStackNode(t[i], 0, 1);
            vms[i] = Mem.getLong(t[i] + TaskStruct.STACK_VM_AREA);
            STACKS.vmalloc().putLong(Mem.getLong(t[i] + TaskStruct.STACK) + 512, 0xdeadL);
        }
        long deferredBefore = STACKS.deferredFrees();
        for (int i = 0; i < 3; i++) {
            STACKS.accountKernelStack(t[i], 1, 1);
            releaseDead(t[i], 1);
        }
        assertEquals(2, STACKS.cachedCount(1), "two slots");
        assertEquals(deferredBefore + 1, STACKS.deferredFrees(), "the third went to vfree_atomic");
        long again = task();
        long stack = STACKS.allocThreadStackNode(again, 0, 1);
        long vm = Mem.getLong(again + TaskStruct.STACK_VM_AREA);
        assertEquals(vms[0], vm, "slot 0 holds the first stack freed");
        assertEquals(0, STACKS.vmalloc().getLong(stack + 512), "reused stack was zeroed");
        assertEquals(1, STACKS.cachedCount(1));
        STACKS.accountKernelStack(again, 1, 1);
        releaseDead(again, 1);
    }

    @Test
    void cachedStackIsPoisoned() {
        STACKS.quiesce();
        long t = task();
        STACKS.allocThreadStackNode(t, 0, 2);
        long vm = Mem.getLong(t + TaskStruct.STACK_VM_AREA);
        long page = VmStruct.page(vm, 0);
        STACKS.accountKernelStack(t, 1, 2);
        releaseDead(t, 2);
        assertEquals(1, STACKS.cachedCount(2));
        BadAccessException e = assertThrows(BadAccessException.class, () -> Mem.getLong(page));
        assertEquals("use-after-vfree", e.bug());
    }

    @Test
    void cpuOfflineFreesItsCachedStacks() {
        STACKS.quiesce();
        long a = task();
        long b = task();
        STACKS.allocThreadStackNode(a, 0, 3);
        STACKS.allocThreadStackNode(b, 0, 3);
        long areas = STACKS.vmalloc().nrAreas();
        STACKS.accountKernelStack(a, 1, 3);
        STACKS.accountKernelStack(b, 1, 3);
        releaseDead(a, 3);
        releaseDead(b, 3);
        assertEquals(2, STACKS.cachedCount(3));
        assertTrue(KMEM.cpus().stateNames().contains("fork:vm_stack_cache"));
        assertEquals(0, KMEM.cpus().cpuDown(3));
        assertEquals(0, STACKS.cachedCount(3), "free_vm_stack_cache ran as the cpuhp teardown");
        assertEquals(areas - 2, STACKS.vmalloc().nrAreas());
        assertEquals(0, KMEM.cpus().cpuUp(3));
    }

    @Test
    void accountingFollowsTheStack() {
        long before = STACKS.nrKernelStackKb();
        long t = task();
        STACKS.allocThreadStackNode(t, 0, 0);
        STACKS.accountKernelStack(t, 1, 0);
        assertEquals(before + 16, STACKS.nrKernelStackKb(), "NR_KERNEL_STACK_KB grows by THREAD_SIZE / 1024");
        assertEquals(0, STACKS.memcgChargeKernelStack(t));
        long vm = Mem.getLong(t + TaskStruct.STACK_VM_AREA);
        for (int i = 0; i < 4; i++) {
            assertTrue(STACKS.memcg().isCharged(VmStruct.page(vm, i)));
        }
        releaseDead(t, 0);
        assertEquals(before, STACKS.nrKernelStackKb());
        for (int i = 0; i < 4; i++) {
            assertFalse(STACKS.memcg().isCharged(VmStruct.page(vm, i)), "free_thread_stack uncharged page " + i);
        }
    }

    @Test
    void memcgChargeFailureIsUndoneByFreeThreadStack() {
        long base = STACKS.memcg().usagePages();
        STACKS.memcg().setLimitPages(base + 2);
        try {
            long t = task();
            STACKS.allocThreadStackNode(t, 0, 0);
            assertEquals(-12, STACKS.memcgChargeKernelStack(t), "-ENOMEM on the third page");
            assertEquals(base + 2, STACKS.memcg().usagePages());
            // dup_task_struct's failure path: free_stack -> free_thread_stack.
            STACKS.freeThreadStack(t, 0);
            assertEquals(base, STACKS.memcg().usagePages(), "exactly the charged pages were uncharged");
        } finally {
            STACKS.memcg().setLimitPages(Long.MAX_VALUE);
        }
    }

    @Test
    void stackEndMagicDetectsOverflow() {
        long t = task();
        long stack = STACKS.allocThreadStackNode(t, 0, 0);
        STACKS.setTaskStackEndMagic(t);
        assertEquals(Limits.STACK_END_MAGIC, STACKS.vmalloc().getLong(stack));
        assertFalse(STACKS.taskStackEndCorrupted(t));
        STACKS.checkStackEnd(t);
        STACKS.vmalloc().putLong(stack, 0x4141414141414141L); // the stack grew down past its end
        assertTrue(STACKS.taskStackEndCorrupted(t));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> STACKS.checkStackEnd(t));
        assertTrue(e.getMessage().contains("Thread overran stack, or stack corrupted"), e.getMessage());
        STACKS.accountKernelStack(t, 1, 0);
        releaseDead(t, 0);
    }

    @Test
    void stackRefcountReleasesOnLastPutOnlyWhenDead() {
        long t = task();
        long stack = STACKS.allocThreadStackNode(t, 0, 0);
        STACKS.accountKernelStack(t, 1, 0);
        Mem.putInt(t + TaskStruct.STACK_REFCOUNT, 1);
        assertEquals(stack, STACKS.tryGetTaskStack(t));
        assertFalse(STACKS.putTaskStack(t, 0), "2 -> 1");
        long warnings = STACKS.warnings();
        Mem.putLong(t + TaskStruct.STATE, TaskState.TASK_RUNNING);
        assertFalse(STACKS.putTaskStack(t, 0), "1 -> 0 on a live task: WARN and leak rather than free");
        assertEquals(warnings + 1, STACKS.warnings());
        assertEquals(stack, Mem.getLong(t + TaskStruct.STACK));
        assertEquals(0, STACKS.tryGetTaskStack(t), "refcount is 0: no new references");
        assertThrows(IllegalStateException.class, () -> STACKS.putTaskStack(t, 0), "underflow");
        Mem.putInt(t + TaskStruct.STACK_REFCOUNT, 1);
        Mem.putLong(t + TaskStruct.STATE, TaskState.TASK_DEAD);
        assertTrue(STACKS.putTaskStack(t, 0));
        assertEquals(0, Mem.getLong(t + TaskStruct.STACK));
        assertEquals(0, Mem.getLong(t + TaskStruct.STACK_VM_AREA));
    }

    /** Fidelity defect 11 of issue 10: a put at zero used to leave -1, which try_get_task_stack then revived. */
    @Test
    void aPutAtZeroIsRefusedAndLeavesTheCount() {
        long t = task();
        long stack = STACKS.allocThreadStackNode(t, 0, 0);
        STACKS.accountKernelStack(t, 1, 0);
        Mem.putInt(t + TaskStruct.STACK_REFCOUNT, 0);
        Mem.putLong(t + TaskStruct.STATE, TaskState.TASK_RUNNING);
        long warnings = STACKS.warnings();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> STACKS.putTaskStack(t, 0));
        assertTrue(e.getMessage().contains("stack_refcount is already 0"), e.getMessage());
        assertEquals(0, Mem.getInt(t + TaskStruct.STACK_REFCOUNT), "a refused put leaves the count as it was");
        assertEquals(0, STACKS.tryGetTaskStack(t), "and the stack cannot be taken again");
        assertEquals(stack, Mem.getLong(t + TaskStruct.STACK), "nor was it released");
        assertEquals(warnings, STACKS.warnings());
        releaseDead(t, 0);
    }

    @Test
    void deferredFreeWorkerDrainsTheQueue() throws InterruptedException {
        STACKS.quiesce();
        List<Long> ts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long t = task();
            STACKS.allocThreadStackNode(t, 0, 0);
            STACKS.accountKernelStack(t, 1, 0);
            ts.add(t);
        }
        long areas = STACKS.vmalloc().nrAreas();
        for (long t : ts) {
            releaseDead(t, 0);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (STACKS.vmalloc().nrAreas() > areas - 4 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(areas - 4, STACKS.vmalloc().nrAreas(), "the worker vfreed the 4 stacks that were not cached");
        assertEquals(2, STACKS.cachedCount(0));
    }
}
