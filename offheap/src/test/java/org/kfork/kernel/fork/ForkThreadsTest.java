package org.kfork.kernel.fork;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

import org.junit.jupiter.api.Test;
import org.kfork.api.Kernel;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.HeapKernel;
import org.kfork.heap.fork.HeapFork;
import org.kfork.heap.fork.HeapForkThreads;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.proc.HeapProcArray;
import org.kfork.heap.sched.HeapSchedCore;
import org.kfork.kernel.Globals;
import org.kfork.kernel.KernelText;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.kernel.proc.ProcArray;
import org.kfork.kernel.sched.SchedCore;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.ThreadStruct;
import org.kfork.machine.Mem;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.TaskState;
import org.kfork.script.Scratch;
import org.kfork.script.ScriptRunner;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;

/**
 * kernel_thread, create_io_thread and walk_process_tree on both kernels (5.12 kernel/fork.c):
 * the flags, links and frame the seed gives the new tasks, and the walk's order, skips and stop.
 */
class ForkThreadsTest {
    private static final long RAM = 64L << 20;
    private static final long FN = 0xffff_ffff_8123_4560L;
    private static final long ARG = 0xffff_8880_0000_1000L;
    private static final long THREAD_FLAGS = CloneFlags.CLONE_VM | CloneFlags.CLONE_FS | CloneFlags.CLONE_FILES
        | CloneFlags.CLONE_SIGHAND | CloneFlags.CLONE_THREAD;

    @Test
    void bothKernelsKeepTheKthreadFrameAtTheSameOffsets() {
        assertEquals(Fork.FRAME_KTHREAD_FN, HeapFork.FRAME_KTHREAD_FN);
        assertEquals(Fork.FRAME_KTHREAD_ARG, HeapFork.FRAME_KTHREAD_ARG);
        assertTrue(Fork.FRAME_KTHREAD_FN >= Fork.FRAME_VFORK + 64, "after the vfork completion");
    }

    /**
     * The tree: 1 -> a, b; a -> a1, a2; a1 -> a11; a's second thread t -> c; b -> b1. Returns
     * {a, a1, a11, a2, t, c, b, b1}.
     */
    private static int[] buildTree(Kernel k) {
        final int a = (int) k.fork(1);
        final int b = (int) k.fork(1);
        final int a1 = (int) k.fork(a);
        final int a2 = (int) k.fork(a);
        final int a11 = (int) k.fork(a1);
        final int t = (int) k.clone(a, THREAD_FLAGS, 0, 0, 0, 0);
        final int c = (int) k.fork(t);
        final int b1 = (int) k.fork(b);
        for (int pid : new int[] {a, b, a1, a2, a11, t, c, b1}) {
            assertTrue(pid > 1, "forked: " + pid);
        }
        return new int[] {a, a1, a11, a2, t, c, b, b1};
    }

    /** Tears the tree down: every process exits and is reaped by its parent. */
    private static void reapTree(Kernel k, int[] p) {
        final int a = p[0], a1 = p[1], a11 = p[2], a2 = p[3], t = p[4], c = p[5], b = p[6], b1 = p[7];
        exitAndReap(k, a1, a11);
        exitAndReap(k, a, a1);
        exitAndReap(k, a, a2);
        exitAndReap(k, t, c);
        exitAndReap(k, b, b1);
        exitAndReap(k, 1, b);
        assertEquals(0, k.exitGroup(a, 0));
        assertEquals(a, k.wait4(1, a, Scratch.WSTATUS, 0, 0));
    }

    private static void exitAndReap(Kernel k, int parent, int child) {
        assertEquals(0, k.exit(child, 0));
        assertEquals(child, k.wait4(parent, child, Scratch.WSTATUS, 0, 0));
    }

    /** The pids a walk from {@code top} visits, with the visitor's answer for each pid. */
    private static List<Integer> walkOffHeap(Globals g, int top, IntUnaryOperator answer) {
        final List<Integer> seen = new ArrayList<>();
        ForkThreads.walkProcessTree(g, ProcArray.findTask(g, top), child -> {
            final int pid = Mem.getInt(child + TaskStruct.PID);
            seen.add(pid);
            return answer.applyAsInt(pid);
        });
        return seen;
    }

    private static List<Integer> walkHeap(HeapGlobals g, int top, IntUnaryOperator answer) {
        final List<Integer> seen = new ArrayList<>();
        HeapForkThreads.walkProcessTree(g, HeapProcArray.findTask(g, top), child -> {
            seen.add(child.pid());
            return answer.applyAsInt(child.pid());
        });
        return seen;
    }

    @Test
    void walkProcessTreeGoesDepthFirstSkipsAndStops() {
        try (OffHeapKernel off = OffHeapKernel.boot(ScriptRunner.config(RAM, 2));
             HeapKernel heap = HeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final int[] p = buildTree(off);
            assertArrayEquals(p, buildTree(heap), "the same pids on both kernels");
            final int a = p[0], a1 = p[1], a11 = p[2], a2 = p[3], c = p[5], b = p[6], b1 = p[7];
            final Globals g = off.globals();
            final HeapGlobals hg = heap.globals();
            // every child walked into: depth first, each thread's children in turn (t's child c
            // after a's own), processes only (the thread t is no one's child)
            final List<Integer> all = List.of(a, a1, a11, a2, c, b, b1);
            assertEquals(all, walkOffHeap(g, 1, pid -> 1));
            assertEquals(all, walkHeap(hg, 1, pid -> 1));
            // 0 skips a's subtree
            final List<Integer> skip = List.of(a, b, b1);
            assertEquals(skip, walkOffHeap(g, 1, pid -> pid == a ? 0 : 1));
            assertEquals(skip, walkHeap(hg, 1, pid -> pid == a ? 0 : 1));
            // < 0 stops the walk at once
            final List<Integer> stop = List.of(a, a1, a11);
            assertEquals(stop, walkOffHeap(g, 1, pid -> pid == a11 ? -1 : 1));
            assertEquals(stop, walkHeap(hg, 1, pid -> pid == a11 ? -1 : 1));
            // a walk from a thread is a walk from its group leader
            final List<Integer> fromThread = List.of(a1, a11, a2, c);
            assertEquals(fromThread, walkOffHeap(g, p[4], pid -> 1));
            assertEquals(fromThread, walkHeap(hg, p[4], pid -> 1));
            assertEquals(List.of(), walkOffHeap(g, a11, pid -> 1), "a leaf has no descendants");
            assertEquals(List.of(), walkHeap(hg, a11, pid -> 1));
            reapTree(off, p);
            reapTree(heap, p);
        }
    }

    @Test
    void kernelThreadMakesAKthreadWithItsFunctionInTheFrame() {
        try (OffHeapKernel k = OffHeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final Globals g = k.globals();
            // pid 1 was started by kernel_thread(kernel_init, NULL, CLONE_FS)
            final long init = ProcArray.findTask(g, 1);
            assertEquals("kernel_init+0x0/0x10", KernelText.of(g.machine).symbol(
                Mem.getLong(Fork.frame(g, init) + Fork.FRAME_KTHREAD_FN)));
            assertEquals(0, Mem.getLong(Fork.frame(g, init) + Fork.FRAME_KTHREAD_ARG));

            final int nr = ForkThreads.kernelThread(g, g.initTask, FN, ARG, CloneFlags.CLONE_FS | Signals.SIGCHLD);
            assertTrue(nr > 1, "pid " + nr);
            final long p = ProcArray.findTask(g, nr);
            assertNotEquals(0, Mem.getInt(p + TaskStruct.FLAGS) & TaskFlags.PF_KTHREAD, "inherited from init_task");
            assertEquals(FN, Mem.getLong(Fork.frame(g, p) + Fork.FRAME_KTHREAD_FN));
            assertEquals(ARG, Mem.getLong(Fork.frame(g, p) + Fork.FRAME_KTHREAD_ARG));
            assertEquals(Signals.SIGCHLD, Mem.getInt(p + TaskStruct.EXIT_SIGNAL), "the low byte of the flags");
            assertEquals(0, Mem.getLong(p + TaskStruct.MM), "CLONE_VM of a task without an mm");
            assertEquals(Mem.getLong(g.initTask + TaskStruct.FS), Mem.getLong(p + TaskStruct.FS), "CLONE_FS");
            assertEquals(g.initTask, Mem.getLong(p + TaskStruct.REAL_PARENT));
            assertEquals(TaskState.TASK_RUNNING, Mem.getLongVolatile(p + TaskStruct.STATE), "woken by kernel_clone");
        } // close tears the kernel thread down with the rest
        try (HeapKernel k = HeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final HeapGlobals g = k.globals();
            final HeapTask init = HeapProcArray.findTask(g, 1);
            assertEquals(HeapKernel.KERNEL_INIT, HeapFork.kthreadFn(init));
            assertEquals(0, HeapFork.kthreadArg(init));
            final int nr = HeapForkThreads.kernelThread(g, g.initTask, FN, ARG, CloneFlags.CLONE_FS | Signals.SIGCHLD);
            final HeapTask p = HeapProcArray.findTask(g, nr);
            assertNotEquals(0, p.flags & TaskFlags.PF_KTHREAD);
            assertEquals(FN, HeapFork.kthreadFn(p));
            assertEquals(ARG, HeapFork.kthreadArg(p));
            assertEquals(Signals.SIGCHLD, p.exitSignal);
            assertNull(p.mm);
            assertSame(g.initTask.fs, p.fs);
            assertSame(g.initTask, p.realParent);
            assertEquals(TaskState.TASK_RUNNING, p.state());
        }
    }

    @Test
    void createIoThreadMakesAnIoWorkerOfTheCallersGroup() {
        final long blocked = ~(Signals.sigmask(Signals.SIGKILL) | Signals.sigmask(Signals.SIGSTOP));
        try (OffHeapKernel k = OffHeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final Globals g = k.globals();
            final int proc = (int) k.fork(1);
            final long cur = ProcArray.findTask(g, proc);
            final long p = ForkThreads.createIoThread(g, cur, FN, ARG, ForkTask.NUMA_NO_NODE);
            assertTrue(p > 0 || p < -4095L, "a task, not an errno: " + p);
            final int flags = Mem.getInt(p + TaskStruct.FLAGS);
            assertNotEquals(0, flags & TaskFlags.PF_IO_WORKER);
            assertEquals(0, flags & TaskFlags.PF_KTHREAD);
            assertEquals(blocked, Mem.getLong(p + TaskStruct.BLOCKED), "every signal but SIGKILL and SIGSTOP");
            assertEquals(TaskState.TASK_NEW, Mem.getLongVolatile(p + TaskStruct.STATE), "not running yet");
            for (long f : new long[] {TaskStruct.MM, TaskStruct.FS, TaskStruct.FILES, TaskStruct.SIGHAND,
                TaskStruct.SIGNAL, TaskStruct.IO_CONTEXT}) {
                assertEquals(Mem.getLong(cur + f), Mem.getLong(p + f), "shared with the caller at " + f);
            }
            assertEquals(cur, Mem.getLong(p + TaskStruct.GROUP_LEADER), "a thread of the caller's group");
            assertEquals(proc, Mem.getInt(p + TaskStruct.TGID));
            assertEquals(-1, Mem.getInt(p + TaskStruct.EXIT_SIGNAL));
            assertEquals(FN, Mem.getLong(Fork.frame(g, p) + Fork.FRAME_KTHREAD_FN));
            assertEquals(ARG, Mem.getLong(Fork.frame(g, p) + Fork.FRAME_KTHREAD_ARG));
            assertEquals(0, Mem.getLong(p + TaskStruct.THREAD + ThreadStruct.FSBASE), "no TLS for an io thread");
            // the caller starts it; it is a thread like any other to the rest of the kernel
            SchedCore.wakeUpNewTask(g, p);
            final int tid = Mem.getInt(p + TaskStruct.PID);
            assertEquals(proc, k.getpid(tid));
            assertEquals(0, k.exit(tid, 0));
            assertEquals(0, k.exit(proc, 0));
            assertEquals(proc, k.wait4(1, proc, Scratch.WSTATUS, 0, 0));
        }
        try (HeapKernel k = HeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final HeapGlobals g = k.globals();
            final int proc = (int) k.fork(1);
            final HeapTask cur = HeapProcArray.findTask(g, proc);
            final HeapTask p = HeapForkThreads.createIoThread(g, cur, FN, ARG, ForkTask.NUMA_NO_NODE);
            assertTrue(!ErrPtr.isErr(p));
            assertNotEquals(0, p.flags & TaskFlags.PF_IO_WORKER);
            assertEquals(0, p.flags & TaskFlags.PF_KTHREAD);
            assertEquals(blocked, p.blocked);
            assertEquals(TaskState.TASK_NEW, p.state());
            assertSame(cur.mm, p.mm);
            assertSame(cur.fs, p.fs);
            assertSame(cur.files, p.files);
            assertSame(cur.sighand, p.sighand);
            assertSame(cur.signal, p.signal);
            assertSame(cur.ioContext, p.ioContext);
            assertSame(cur, p.groupLeader);
            assertEquals(-1, p.exitSignal);
            assertEquals(FN, HeapFork.kthreadFn(p));
            assertEquals(ARG, HeapFork.kthreadArg(p));
            assertEquals(0, p.threadFsbase);
            HeapSchedCore.wakeUpNewTask(g, p);
            assertEquals(proc, k.getpid(p.pid()));
            assertEquals(0, k.exit(p.pid(), 0));
            assertEquals(0, k.exit(proc, 0));
            assertEquals(proc, k.wait4(1, proc, Scratch.WSTATUS, 0, 0));
        }
    }

    @Test
    void kernelThreadRefusesWhatKernelCloneRefuses() {
        try (OffHeapKernel k = OffHeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            // CLONE_SIGHAND without CLONE_VM is fine, CLONE_THREAD without CLONE_SIGHAND is not
            assertEquals(-Errno.EINVAL, ForkThreads.kernelThread(k.globals(), k.globals().initTask, FN, 0,
                CloneFlags.CLONE_THREAD));
        }
        try (HeapKernel k = HeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            assertEquals(-Errno.EINVAL, HeapForkThreads.kernelThread(k.globals(), k.globals().initTask, FN, 0,
                CloneFlags.CLONE_THREAD));
        }
    }

    @Test
    void forkIdleMakesAnIdleTaskForEachCpuButTheBootCpu() {
        final int cpus = 4;
        try (OffHeapKernel k = OffHeapKernel.boot(ScriptRunner.config(RAM, cpus))) {
            final Globals g = k.globals();
            assertEquals(0, ForkThreads.idleThreadGet(g, 1), "made on demand, not at boot");
            final int nrThreads = g.nrThreads;
            final long forks = g.totalForks;
            final int tasks = k.tasks().size();
            assertEquals(0, ForkThreads.idleThreadsInit(g));
            assertEquals(g.initTask, ForkThreads.idleThreadGet(g, 0), "the boot CPU's is init_task");
            for (int cpu = 1; cpu < cpus; cpu++) {
                final long idle = ForkThreads.idleThreadGet(g, cpu);
                assertTrue(idle != 0, "cpu " + cpu);
                final int flags = Mem.getInt(idle + TaskStruct.FLAGS);
                assertNotEquals(0, flags & TaskFlags.PF_IDLE);
                assertNotEquals(0, flags & TaskFlags.PF_KTHREAD, "a copy of init_task");
                assertEquals(cpu, SchedCore.taskCpu(idle), "on its CPU");
                assertEquals(1L << cpu, Mem.getLong(idle + TaskStruct.CPUS_MASK), "and allowed there only");
                assertEquals("swapper/" + cpu, org.kfork.kernel.init.InitTask.comm(idle));
                assertEquals(TaskState.TASK_RUNNING, Mem.getLongVolatile(idle + TaskStruct.STATE));
                assertEquals(0, Mem.getInt(idle + TaskStruct.PID));
                assertEquals(0, Mem.getLong(idle + TaskStruct.MM));
                assertEquals(g.initStructPid, Mem.getLong(idle + TaskStruct.THREAD_PID));
                final long sig = Mem.getLong(idle + TaskStruct.SIGNAL);
                for (int type = org.kfork.pid.PidRules.PIDTYPE_TGID; type < org.kfork.pid.PidRules.PIDTYPE_MAX; type++) {
                    assertEquals(g.initStructPid, Mem.getLong(sig + org.kfork.kernel.struct.SignalStruct.PIDS
                        + (long) Long.BYTES * type), "pid type " + type);
                }
                final long head = g.initTask + TaskStruct.TASKS;
                for (long n = org.kfork.ds.IntrusiveList.next(head); n != head; n = org.kfork.ds.IntrusiveList.next(n)) {
                    assertNotEquals(idle, n - TaskStruct.TASKS, "not on the tasks list");
                }
            }
            assertEquals(nrThreads, g.nrThreads, "nr_threads does not count idle tasks");
            assertEquals(forks + cpus - 1, g.totalForks, "total_forks does");
            assertEquals(tasks, k.tasks().size());
            final long first = ForkThreads.idleThreadGet(g, 1);
            assertEquals(0, ForkThreads.idleThreadsInit(g));
            assertEquals(first, ForkThreads.idleThreadGet(g, 1), "made once");
            // the kernel goes on as before
            final int child = (int) k.fork(1);
            assertTrue(child > 1);
            assertEquals(0, k.exit(child, 0));
            assertEquals(child, k.wait4(1, child, Scratch.WSTATUS, 0, 0));
        } // kernel_power_off gives the idle tasks back: a leak fails here
        try (HeapKernel k = HeapKernel.boot(ScriptRunner.config(RAM, cpus))) {
            final HeapGlobals g = k.globals();
            assertNull(HeapForkThreads.idleThreadGet(g, 1));
            final int nrThreads = g.nrThreads;
            assertEquals(0, HeapForkThreads.idleThreadsInit(g));
            assertSame(g.initTask, HeapForkThreads.idleThreadGet(g, 0));
            for (int cpu = 1; cpu < cpus; cpu++) {
                final HeapTask idle = HeapForkThreads.idleThreadGet(g, cpu);
                assertNotEquals(0, idle.flags & TaskFlags.PF_IDLE);
                assertNotEquals(0, idle.flags & TaskFlags.PF_KTHREAD);
                assertEquals(cpu, idle.cpu);
                assertEquals(1L << cpu, idle.cpusMask[0]);
                assertEquals("swapper/" + cpu, idle.comm);
                assertEquals(TaskState.TASK_RUNNING, idle.state());
                assertEquals(0, idle.pid());
                assertNull(idle.mm);
                assertSame(g.initStructPid, idle.threadPid());
                for (int type = org.kfork.pid.PidRules.PIDTYPE_TGID; type < org.kfork.pid.PidRules.PIDTYPE_MAX; type++) {
                    assertSame(g.initStructPid, idle.signal.pid(type));
                }
                for (var t : k.tasks()) {
                    assertNotEquals(0, t.pid(), "no pid 0 on the tasks list");
                }
            }
            assertEquals(nrThreads, g.nrThreads);
            final int child = (int) k.fork(1);
            assertEquals(0, k.exit(child, 0));
            assertEquals(child, k.wait4(1, child, Scratch.WSTATUS, 0, 0));
        }
    }
}
