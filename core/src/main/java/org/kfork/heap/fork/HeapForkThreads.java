package org.kfork.heap.fork;

import static org.kfork.uapi.CloneFlags.CLONE_FILES;
import static org.kfork.uapi.CloneFlags.CLONE_FS;
import static org.kfork.uapi.CloneFlags.CLONE_IO;
import static org.kfork.uapi.CloneFlags.CLONE_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_UNTRACED;
import static org.kfork.uapi.CloneFlags.CLONE_VM;
import static org.kfork.uapi.CloneFlags.CSIGNAL;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.sched.HeapSchedCore;
import org.kfork.pid.PidRules;
import org.kfork.sched.WaitResult;

/**
 * The heap twin of org.kfork.kernel.fork.ForkThreads: fork_idle, kernel_thread, create_io_thread
 * and walk_process_tree (5.12 kernel/fork.c), the same steps on heap tasks.
 */
public final class HeapForkThreads {
    /** What walk_process_tree calls for each task it reaches (proc_visitor). */
    @FunctionalInterface
    public interface HeapProcVisitor {
        /** &gt; 0 to walk into {@code child}'s children, 0 to skip them, &lt; 0 to stop. */
        int visit(HeapTask child);
    }

    private HeapForkThreads() {
    }

    /** The kernel_clone_args of kernel_thread and create_io_thread. */
    private static HeapKernelCloneArgs kthreadArgs(long fn, long arg, long flags) {
        final HeapKernelCloneArgs args = new HeapKernelCloneArgs();
        final long low = flags & 0xffff_ffffL; // lower_32_bits
        args.flags = (low | CLONE_VM | CLONE_UNTRACED) & ~CSIGNAL;
        args.exitSignal = (int) (low & CSIGNAL);
        args.stack = fn;
        args.stackSize = arg;
        return args;
    }

    /** kernel_thread (see the off-heap twin): the new task's pid, or a negative errno. */
    public static int kernelThread(HeapGlobals g, HeapTask current, long fn, long arg, long flags) {
        return WaitResult.ret(HeapFork.kernelClone(g, current, WaitResult.NO_RCU, kthreadArgs(fn, arg, flags)));
    }

    /**
     * create_io_thread (see the off-heap twin): a PF_IO_WORKER thread of current's group, not yet
     * running; the new task or an {@link HeapTask#errPtr} sentinel.
     */
    public static HeapTask createIoThread(HeapGlobals g, HeapTask current, long fn, long arg, int node) {
        final HeapKernelCloneArgs args = kthreadArgs(fn, arg, CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_IO);
        args.ioThread = 1;
        return HeapFork.copyProcess(g, current, null, node, args);
    }

    /**
     * init_idle_pids (see the off-heap twin; the INIT_HLIST_NODE 5.12 calls "not really needed"
     * has no heap counterpart: a heap task's links start unhashed).
     */
    static void initIdlePids(HeapGlobals g, HeapTask idle) {
        for (int type = PidRules.PIDTYPE_PID; type < PidRules.PIDTYPE_MAX; type++) {
            HeapPids.initTaskPid(idle, type, g.initStructPid);
        }
    }

    /** fork_idle (see the off-heap twin): the idle task, or an {@link HeapTask#errPtr} sentinel. */
    public static HeapTask forkIdle(HeapGlobals g, HeapTask current, int cpu) {
        final HeapKernelCloneArgs args = new HeapKernelCloneArgs();
        args.flags = CLONE_VM;
        final HeapTask task = HeapFork.copyProcess(g, current, g.initStructPid, HeapForkTask.NUMA_NO_NODE, args);
        if (!ErrPtr.isErr(task)) {
            initIdlePids(g, task);
            HeapSchedCore.initIdle(g, task, cpu);
        }
        return task;
    }

    /** idle_threads_init (see the off-heap twin): 0 or the first errno. */
    public static int idleThreadsInit(HeapGlobals g) {
        synchronized (g.idleThreads) {
            for (int cpu = 1; cpu < g.idleThreads.length; cpu++) {
                if (g.idleThreads[cpu] == null) {
                    final HeapTask idle = forkIdle(g, g.initTask, cpu);
                    if (ErrPtr.isErr(idle)) {
                        return ErrPtr.ptrErr(idle);
                    }
                    g.idleThreads[cpu] = idle;
                }
            }
            return 0;
        }
    }

    /** idle_thread_get (see the off-heap twin). */
    public static HeapTask idleThreadGet(HeapGlobals g, int cpu) {
        if (cpu == 0) {
            return g.initTask;
        }
        synchronized (g.idleThreads) {
            return g.idleThreads[cpu];
        }
    }

    /** walk_process_tree (see the off-heap twin). */
    public static void walkProcessTree(HeapGlobals g, HeapTask top, HeapProcVisitor visitor) {
        g.tasklistLock.readLock().lock();
        try {
            HeapTask leader = top.groupLeader;
            top = leader;
            HeapIntrusiveList threads = leader.signal.threadHead;
            HeapIntrusiveList thread = threads.next(); // for_each_thread(leader, parent)
            HeapTask child = null; // null: start at the first child of the thread's list
            for (;;) {
                if (thread != threads) {
                    final HeapTask parent = ((HeapTask.Link) thread).task;
                    final HeapIntrusiveList children = parent.children;
                    final HeapIntrusiveList node = child == null ? children.next() : child.sibling.next();
                    if (node == children) {
                        thread = thread.next();
                        child = null;
                        continue;
                    }
                    child = ((HeapTask.Link) node).task;
                    final int res = visitor.visit(child);
                    if (res < 0) {
                        return;
                    }
                    if (res > 0) { // down: the child's group becomes the one walked
                        leader = child;
                        threads = leader.signal.threadHead;
                        thread = threads.next();
                        child = null;
                    }
                    continue;
                }
                if (leader == top) {
                    return;
                }
                // up: go on after this group's leader among its parent's children
                child = leader;
                final HeapTask parent = child.realParent;
                leader = parent.groupLeader;
                threads = leader.signal.threadHead;
                thread = parent.threadNode;
            }
        } finally {
            g.tasklistLock.readLock().unlock();
        }
    }
}
