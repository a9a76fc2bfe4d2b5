package org.kfork.kernel.fork;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.uapi.CloneFlags.CLONE_FILES;
import static org.kfork.uapi.CloneFlags.CLONE_FS;
import static org.kfork.uapi.CloneFlags.CLONE_IO;
import static org.kfork.uapi.CloneFlags.CLONE_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_UNTRACED;
import static org.kfork.uapi.CloneFlags.CLONE_VM;
import static org.kfork.uapi.CloneFlags.CSIGNAL;

import org.kfork.ds.HList;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.sched.SchedCore;
import org.kfork.kernel.struct.HlistNode;
import org.kfork.kernel.struct.KernelCloneArgs;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.sched.WaitResult;
import org.kfork.uapi.Errno;

/**
 * kernel/fork.c (5.12): the kernel's own ways to make a task, and the walk of a process tree
 * (seed lines 2401-2425 init_idle_pids and fork_idle, 2438-2452 create_io_thread, 2545-2556
 * kernel_thread, 2782-2812 walk_process_tree), with kernel/smpboot.c's idle_threads_init.
 *
 * <p>kernel_thread and create_io_thread carry the function and its argument as 5.12 does, in
 * kernel_clone_args' stack and stack_size; copy_thread ({@link Fork#copyThread}) puts them in the
 * new task's frame for ret_from_fork. No task of the model runs kernel code, so the function is
 * an address that is recorded, never called.
 *
 * <p>Invariants: the kernel_clone_args live in current's call frame ({@link Fork#FRAME_KARGS}),
 * so current must not be inside a clone of its own; walk_process_tree holds tasklist_lock (read)
 * for the whole walk, so the tree it sees does not change under it.
 */
public final class ForkThreads {
    /** What walk_process_tree calls for each task it reaches (proc_visitor). */
    @FunctionalInterface
    public interface ProcVisitor {
        /**
         * Visits {@code child} (a task_struct address) under tasklist_lock.
         *
         * @return &gt; 0 to walk into the child's own children, 0 to skip them, &lt; 0 to stop
         */
        int visit(long child);
    }

    private ForkThreads() {
    }

    /** The kernel_clone_args of kernel_thread and create_io_thread, in current's frame. */
    private static long kthreadArgs(Globals g, long current, long fn, long arg, long flags) {
        final long args = Fork.frame(g, current) + Fork.FRAME_KARGS;
        Mem.zero(args, KernelCloneArgs.SIZEOF);
        final long low = flags & 0xffff_ffffL; // lower_32_bits
        putLong(args + KernelCloneArgs.FLAGS, (low | CLONE_VM | CLONE_UNTRACED) & ~CSIGNAL);
        putInt(args + KernelCloneArgs.EXIT_SIGNAL, (int) (low & CSIGNAL));
        putLong(args + KernelCloneArgs.STACK, fn);
        putLong(args + KernelCloneArgs.STACK_SIZE, arg);
        return args;
    }

    /**
     * kernel_thread: a task that shares current's mm (CLONE_VM) and is never traced, made by
     * kernel_clone, running (wake_up_new_task) when this returns.
     *
     * @param fn the function the thread runs (an address in the kernel text)
     * @param arg its argument
     * @param flags clone flags; the low byte is the exit signal
     * @return the new task's pid in current's namespace, or a negative errno
     */
    public static int kernelThread(Globals g, long current, long fn, long arg, long flags) {
        final long args = kthreadArgs(g, current, fn, arg, flags);
        return WaitResult.ret(Fork.kernelClone(g, current, WaitResult.NO_RCU, args));
    }

    /**
     * create_io_thread: a thread of current's group (sharing its fs, files, signal handlers, io
     * context and mm; never traced) made by copy_process with io_thread set, so it is a
     * PF_IO_WORKER with every signal but SIGKILL and SIGSTOP blocked. It is not running yet: the
     * caller wakes it with wake_up_new_task. No io_uring is modelled; this is the function and
     * what it does to the task.
     *
     * @return the new task, or a negative errno
     */
    public static long createIoThread(Globals g, long current, long fn, long arg, int node) {
        final long flags = CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_IO;
        final long args = kthreadArgs(g, current, fn, arg, flags);
        Mem.putInt(args + KernelCloneArgs.IO_THREAD, 1);
        return Fork.copyProcess(g, current, 0, node, args);
    }

    /**
     * init_idle_pids: every pid of an idle task is init_struct_pid (pid 0), attached to nothing.
     */
    static void initIdlePids(Globals g, long idle) {
        for (int type = PidRules.PIDTYPE_PID; type < PidRules.PIDTYPE_MAX; type++) {
            HList.initNode(idle + TaskStruct.PID_LINKS + (long) HlistNode.SIZEOF * type); // not really needed
            Pids.initTaskPid(idle, type, g.initStructPid);
        }
    }

    /**
     * fork_idle: the idle task of {@code cpu}, a copy of {@code current} sharing its (absent) mm,
     * with init_struct_pid for a pid, so that copy_process leaves it off every list and counter
     * but total_forks; then init_idle_pids and sched's init_idle for that CPU (PF_IDLE, running,
     * on that CPU only, "swapper/N").
     *
     * @return the idle task, or a negative errno
     */
    public static long forkIdle(Globals g, long current, int cpu) {
        final long args = Fork.frame(g, current) + Fork.FRAME_KARGS;
        Mem.zero(args, KernelCloneArgs.SIZEOF);
        putLong(args + KernelCloneArgs.FLAGS, CLONE_VM);
        final long task = Fork.copyProcess(g, current, g.initStructPid, ForkTask.NUMA_NO_NODE, args); // cpu_to_node: one node
        if (!Errno.isError(task)) {
            initIdlePids(g, task);
            SchedCore.initIdle(g, task, cpu);
        }
        return task;
    }

    /**
     * kernel/smpboot.c's idle_threads_init: an idle task for each CPU but the boot CPU, made by
     * fork_idle from init_task (5.12 runs it in pid 1 before its exec, a kernel thread without an
     * mm as init_task is). The model makes them on demand rather than at boot, so that a boot
     * stays as cheap as before; a CPU that has one keeps it until kernel_power_off.
     *
     * @return 0, or the first errno of a fork_idle that failed (the CPUs done before keep theirs)
     */
    public static int idleThreadsInit(Globals g) {
        synchronized (g.idleThreads) { // one caller at a time uses init_task's frame
            for (int cpu = 1; cpu < g.idleThreads.length; cpu++) {
                if (g.idleThreads[cpu] == 0) {
                    final long idle = forkIdle(g, g.initTask, cpu);
                    if (Errno.isError(idle)) {
                        return (int) idle;
                    }
                    g.idleThreads[cpu] = idle;
                }
            }
            return 0;
        }
    }

    /** smpboot's idle_thread_get: the idle task of {@code cpu} (init_task for CPU 0), or 0. */
    public static long idleThreadGet(Globals g, int cpu) {
        if (cpu == 0) {
            return g.initTask;
        }
        synchronized (g.idleThreads) {
            return g.idleThreads[cpu];
        }
    }

    /**
     * walk_process_tree: a depth-first walk of the descendants of {@code top}'s thread group
     * (the children of each of its threads, in list order), under tasklist_lock. The visitor
     * decides at each child: walk into it, skip its subtree, or stop the walk.
     */
    public static void walkProcessTree(Globals g, long top, ProcVisitor visitor) {
        g.tasklistLock.readLock().lock();
        try {
            long leader = getLong(top + TaskStruct.GROUP_LEADER);
            top = leader;
            long threads = getLong(leader + TaskStruct.SIGNAL) + SignalStruct.THREAD_HEAD;
            long thread = IntrusiveList.next(threads); // for_each_thread(leader, parent)
            long child = 0; // 0: start at the first child of the thread's list
            for (;;) {
                if (thread != threads) {
                    final long parent = thread - TaskStruct.THREAD_NODE;
                    final long children = parent + TaskStruct.CHILDREN;
                    final long node = child == 0 ? IntrusiveList.next(children)
                        : IntrusiveList.next(child + TaskStruct.SIBLING);
                    if (node == children) {
                        thread = IntrusiveList.next(thread);
                        child = 0;
                        continue;
                    }
                    child = node - TaskStruct.SIBLING;
                    final int res = visitor.visit(child);
                    if (res < 0) {
                        return;
                    }
                    if (res > 0) { // down: the child's group becomes the one walked
                        leader = child;
                        threads = getLong(leader + TaskStruct.SIGNAL) + SignalStruct.THREAD_HEAD;
                        thread = IntrusiveList.next(threads);
                        child = 0;
                    }
                    continue;
                }
                if (leader == top) {
                    return;
                }
                // up: go on after this group's leader among its parent's children
                child = leader;
                final long parent = getLong(child + TaskStruct.REAL_PARENT);
                leader = getLong(parent + TaskStruct.GROUP_LEADER);
                threads = getLong(leader + TaskStruct.SIGNAL) + SignalStruct.THREAD_HEAD;
                thread = parent + TaskStruct.THREAD_NODE;
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }
}
