package org.kfork.kernel.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.machine.Mem.getLong;

import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.Fpu;
import org.kfork.kernel.struct.ListHead;
import org.kfork.kernel.struct.PageFrag;
import org.kfork.kernel.struct.SchedClass;
import org.kfork.kernel.struct.Seccomp;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.ThreadInfo;
import org.kfork.kernel.struct.ThreadStruct;
import org.kfork.kernel.struct.WakeQNode;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.sched.TaskState;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.smp.CurrentCpu;
import org.kfork.testing.LeakCheck;

/**
 * What only the off-heap kernel can show: dup_task_struct is a copy of all 7040 bytes but for
 * exactly the fields the seed resets; the memcg charge of the stack failing unwinds; init_task and
 * init_stack are statics of the kernel image; init_task's links to the other rooms' statics; the
 * sched_class descriptors in link order.
 */
class OffHeapTaskStructTest {
    final Machine machine = Machine.builder().ram(64L << 20).cpus(2).build();
    final Globals g = Globals.boot(machine, 7);

    @RegisterExtension
    final LeakCheck leaks = LeakCheck.thenClose(() -> machine);

    @BeforeEach
    void bind() {
        CurrentCpu.bind(0);
    }

    @AfterEach
    void unbind() {
        CurrentCpu.unbind();
    }

    /** Every byte of the child equals the parent's, but in these fields (offset -> size). */
    private static TreeMap<Long, Long> resetFields() {
        TreeMap<Long, Long> m = new TreeMap<>();
        m.put(TaskStruct.THREAD_INFO + ThreadInfo.FLAGS, 8L);
        m.put(TaskStruct.THREAD_INFO + ThreadInfo.SYSCALL_WORK, 8L);
        m.put(TaskStruct.STACK, 8L);
        m.put(TaskStruct.USAGE, 4L);
        m.put(TaskStruct.BTRACE_SEQ, 4L);
        m.put(TaskStruct.CPUS_PTR, 8L);
        m.put(TaskStruct.STACK_CANARY, 8L);
        m.put(TaskStruct.SECCOMP + Seccomp.FILTER, 8L);
        m.put(TaskStruct.WAKE_Q + WakeQNode.NEXT, 8L);
        m.put(TaskStruct.PF_IO_WORKER, 8L);
        m.put(TaskStruct.RCU_USERS, 4L);
        m.put(TaskStruct.SPLICE_PIPE, 8L);
        m.put(TaskStruct.TASK_FRAG + PageFrag.PAGE, 8L);
        m.put(TaskStruct.ACTIVE_MEMCG, 8L);
        m.put(TaskStruct.STACK_VM_AREA, 8L);
        m.put(TaskStruct.STACK_REFCOUNT, 4L);
        m.put(TaskStruct.THREAD + ThreadStruct.FPU + Fpu.LAST_CPU, 4L);
        return m;
    }

    @Test
    void dupTaskStructCopiesEveryByteButTheOnesTheSeedResets() {
        final long parent = g.forkInit.taskStructCachep().alloc(0);
        final Random r = new Random(42);
        for (long off = 0; off < TaskStruct.SIZEOF; off++) {
            Mem.putByte(parent + off, (byte) r.nextInt());
        }
        Mem.putLong(parent + TaskStruct.CPUS_PTR, parent + TaskStruct.CPUS_MASK);
        final long child = ForkTask.dupTaskStruct(g, parent, ForkTask.NUMA_NO_NODE);
        assertNotEquals(0, child);
        final TreeMap<Long, Long> reset = resetFields();
        for (long off = 0; off < TaskStruct.SIZEOF; off++) {
            var f = reset.floorEntry(off);
            boolean inReset = f != null && off < f.getKey() + f.getValue();
            if (!inReset) {
                assertEquals(Mem.getByte(parent + off), Mem.getByte(child + off), "byte " + off + " is copied");
            }
        }
        final long pflags = getLong(parent + TaskStruct.THREAD_INFO + ThreadInfo.FLAGS);
        assertEquals((pflags & ~ThreadInfoFlags.bit(ThreadInfoFlags.TIF_NEED_RESCHED))
            | ThreadInfoFlags.bit(ThreadInfoFlags.TIF_NEED_FPU_LOAD), getLong(child + TaskStruct.THREAD_INFO + ThreadInfo.FLAGS));
        final long pwork = getLong(parent + TaskStruct.THREAD_INFO + ThreadInfo.SYSCALL_WORK);
        assertEquals(pwork & ~ThreadInfoFlags.bit(ThreadInfoFlags.SYSCALL_WORK_BIT_SYSCALL_USER_DISPATCH),
            getLong(child + TaskStruct.THREAD_INFO + ThreadInfo.SYSCALL_WORK));
        assertEquals(child + TaskStruct.CPUS_MASK, getLong(child + TaskStruct.CPUS_PTR));
        assertEquals(1, Mem.getInt(child + TaskStruct.USAGE));
        assertEquals(2, Mem.getInt(child + TaskStruct.RCU_USERS));
        assertEquals(1, Mem.getInt(child + TaskStruct.STACK_REFCOUNT));
        assertEquals(0, Mem.getInt(child + TaskStruct.BTRACE_SEQ));
        assertEquals(-1, Mem.getInt(child + TaskStruct.THREAD + ThreadStruct.FPU + Fpu.LAST_CPU));
        for (long off : new long[] {TaskStruct.SECCOMP + Seccomp.FILTER, TaskStruct.WAKE_Q + WakeQNode.NEXT,
            TaskStruct.PF_IO_WORKER, TaskStruct.SPLICE_PIPE, TaskStruct.TASK_FRAG + PageFrag.PAGE, TaskStruct.ACTIVE_MEMCG}) {
            assertEquals(0, getLong(child + off), "offset " + off + " is NULL");
        }
        assertEquals(getLong(child + TaskStruct.STACK), ThreadStacks.endOfStack(child));
        assertTrue(!g.forkInit.stacks().taskStackEndCorrupted(child));
        assertEquals(0, getLong(child + TaskStruct.STACK_CANARY) & 0xff);
        // give both back: the child as bad_fork_free would, the scratch parent to its cache
        Mem.putLong(child + TaskStruct.STATE, TaskState.TASK_DEAD);
        g.forkInit.stacks().putTaskStack(child, 0);
        ForkTask.freeTask(g, child);
        g.forkInit.taskStructCachep().free(0, parent);
        assertTrue(g.log.lines().stream().allMatch(l -> l.startsWith("pid_max:")), "only boot's pid_max line: "
            + g.log.lines());
    }

    @Test
    void aFailedMemcgChargeOfTheStackUnwinds() {
        final long tasks = g.forkInit.taskStructCachep().activeObjects();
        final long usage = g.forkInit.stacks().memcg().usagePages();
        g.forkInit.stacks().memcg().setLimitPages(usage + 2); // a stack needs 4
        assertEquals(0, ForkTask.dupTaskStruct(g, g.initTask, ForkTask.NUMA_NO_NODE));
        assertEquals(tasks, g.forkInit.taskStructCachep().activeObjects());
        assertEquals(usage, g.forkInit.stacks().memcg().usagePages(), "the pages charged so far were uncharged");
        g.forkInit.stacks().memcg().setLimitPages(Long.MAX_VALUE);
        final long t = ForkTask.dupTaskStruct(g, g.initTask, ForkTask.NUMA_NO_NODE);
        assertNotEquals(0, t);
        Mem.putLong(t + TaskStruct.STATE, TaskState.TASK_DEAD);
        g.forkInit.stacks().putTaskStack(t, 0);
        ForkTask.delayedFreeTask(g, t);
    }

    @Test
    void initTaskAndItsStackAreStaticsOfTheImage() {
        assertTrue(g.image.contains(g.initTask));
        assertTrue(g.image.contains(g.initStack + org.kfork.machine.Abi.THREAD_SIZE - 1));
        assertEquals(0, g.initTask % 64, "__aligned(L1_CACHE_BYTES)");
        assertEquals(g.initStack, getLong(g.initTask + TaskStruct.STACK));
        assertEquals(0, getLong(g.initTask + TaskStruct.STACK_VM_AREA), "not a vmalloc area");
        assertEquals(org.kfork.sched.Limits.STACK_END_MAGIC, getLong(g.initStack));
        assertTrue(g.rcu.symbol(g.delayedFreeTaskFn).startsWith("__delayed_free_task"));
        assertTrue(g.rcu.symbol(g.delayedPutTaskStructFn).startsWith("delayed_put_task_struct"));
    }

    /**
     * init_task points at the static of each room the kernel boots (a room not merged yet leaves
     * its static, and so the pointer, NULL; once copy_process lands every one is required).
     */
    @Test
    void initTaskLinksToTheStaticOfEveryRoom() {
        final long t = g.initTask;
        assertNotEquals(0, g.initCred);
        assertNotEquals(0, g.initNsproxy);
        assertNotEquals(0, g.initStructPid);
        assertNotEquals(0, g.initFs);
        assertNotEquals(0, g.initFiles);
        assertNotEquals(0, g.initSignals);
        assertNotEquals(0, g.initSighand);
        assertEquals(g.initCred, getLong(t + TaskStruct.REAL_CRED));
        assertEquals(g.initCred, getLong(t + TaskStruct.CRED));
        assertEquals(g.initFs, getLong(t + TaskStruct.FS));
        assertEquals(g.initFiles, getLong(t + TaskStruct.FILES));
        assertEquals(g.initSignals, getLong(t + TaskStruct.SIGNAL));
        assertEquals(g.initSighand, getLong(t + TaskStruct.SIGHAND));
        assertEquals(g.initNsproxy, getLong(t + TaskStruct.NSPROXY));
        assertEquals(g.initStructPid, getLong(t + TaskStruct.THREAD_PID));
        assertEquals(g.mm.initMmAddress(), getLong(t + TaskStruct.ACTIVE_MM));
        // .thread_node = LIST_HEAD_INIT(init_signals.thread_head), and the head points back at it:
        // init_task is the one thread of init_signals
        final long head = g.initSignals + SignalStruct.THREAD_HEAD;
        assertEquals(head, IntrusiveList.next(t + TaskStruct.THREAD_NODE));
        assertEquals(head, getLong(t + TaskStruct.THREAD_NODE + ListHead.PREV));
        assertEquals(t + TaskStruct.THREAD_NODE, IntrusiveList.next(head));
        assertEquals(t + TaskStruct.THREAD_NODE, getLong(head + ListHead.PREV));
    }

    @Test
    void theSchedClassesLieInTheImageInLinkOrder() {
        final long[] order = {g.idleSchedClass, g.fairSchedClass, g.rtSchedClass, g.dlSchedClass, g.stopSchedClass};
        for (int i = 1; i < order.length; i++) {
            assertEquals(order[i - 1] + SchedClass.SIZEOF, order[i], "sched_class " + i + " follows " + (i - 1));
        }
        assertEquals(200, SchedClass.SIZEOF);
        assertTrue(g.image.contains(g.idleSchedClass) && g.image.contains(g.stopSchedClass + SchedClass.SIZEOF - 1));
        assertEquals(g.idleSchedClass, getLong(g.initTask + TaskStruct.SCHED_CLASS));
    }
}
