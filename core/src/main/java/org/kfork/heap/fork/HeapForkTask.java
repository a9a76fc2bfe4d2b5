package org.kfork.heap.fork;

import java.util.Arrays;
import java.util.function.Consumer;
import org.kfork.arch.X86_64;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.delayacct.HeapDelayacct;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.ds.HeapRbRootCached;
import org.kfork.heap.init.HeapInitTask;
import org.kfork.smp.CurrentCpu;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.CloneFlags;

/**
 * The heap twin of org.kfork.kernel.fork.ForkTask: kernel/fork.c (5.12), the task_struct's life
 * and copy_process's initialisation of the new task, in the same steps and the same order, with
 * the same allocations (so that failslab's k-th allocation is the same point in both kernels)
 * and the same draws from the random source.
 *
 * <p>What the representation changes: the task_struct allocation is a count of the
 * "task_struct" kind and a {@code new HeapTask}; the stack is a {@code byte[]} from
 * {@link HeapThreadStacks} with no memcg charge; the memcpy is {@link HeapTask#copyFrom}; the
 * locks are initialized by being new (see HeapTask); fpu__copy keeps only last_cpu and the
 * thread flag (the twin holds no FPU state).
 */
public final class HeapForkTask {
    /** NUMA_NO_NODE. */
    public static final int NUMA_NO_NODE = -1;
    /** U64_MAX: a timer base that expires never. */
    private static final long U64_MAX = -1L;

    private HeapForkTask() {
    }

    /** fork_init's part for the task: the kind of task_structs, the stacks, __delayed_free_task. */
    public static void forkTaskInit(HeapGlobals g) {
        g.taskStructKind = g.kind("task_struct");
        g.stacks = new HeapThreadStacks(g.nrCpus);
        g.delayedFreeTaskFn = head -> freeTask(g, (HeapTask) head);
    }

    // ------------------------------------------------------------------------------------------
    // Allocation
    // ------------------------------------------------------------------------------------------

    /** alloc_task_struct_node: a zeroed task, or null when the injector fails it. */
    static HeapTask allocTaskStructNode(HeapGlobals g, int node) {
        return g.alloc(g.taskStructKind) ? new HeapTask() : null;
    }

    /** free_task_struct. */
    static void freeTaskStruct(HeapGlobals g, HeapTask tsk) {
        g.free(g.taskStructKind);
    }

    /** arch_dup_task_struct: the copy, and fpu__copy. */
    public static int archDupTaskStruct(HeapTask dst, HeapTask src) {
        dst.copyFrom(src);
        return fpuCopy(dst, src);
    }

    /** fpu__copy: last_cpu -1 and TIF_NEED_FPU_LOAD (the heap twin holds no FPU registers). */
    static int fpuCopy(HeapTask dst, HeapTask src) {
        dst.fpuLastCpu = -1;
        dst.setTskThreadFlag(ThreadInfoFlags.TIF_NEED_FPU_LOAD);
        return 0;
    }

    /**
     * dup_task_struct: as the off-heap twin's.
     *
     * @return the new task, or null when an allocation failed, with nothing left allocated
     */
    public static HeapTask dupTaskStruct(HeapGlobals g, HeapTask orig, int node) {
        final HeapTask tsk = allocTaskStructNode(g, node);
        if (tsk == null) {
            return null;
        }
        final HeapThreadStacks stacks = g.stacks;
        final int cpu = CurrentCpu.current(g.nrCpus);
        final byte[] stack = stacks.allocThreadStackNode(tsk, cpu, g.failSlab);
        if (stack == null) {
            freeTaskStruct(g, tsk);
            return null;
        }
        // (memcg_charge_kernel_stack: the twin charges no memcg)
        final int err = archDupTaskStruct(tsk, orig);
        tsk.stack = stack;
        tsk.stackRefcount = 1;
        if (err != 0) {
            stacks.freeThreadStack(tsk, cpu);
            freeTaskStruct(g, tsk);
            return null;
        }
        tsk.seccompFilter = null;
        tsk.clearTskThreadFlag(ThreadInfoFlags.TIF_NEED_RESCHED);
        // the parent is inside its clone call; the child is in none until it makes one
        tsk.clearTskThreadFlag(org.kfork.heap.exit.HeapExit.TIF_IN_CALL);
        stacks.setTaskStackEndMagic(tsk);
        tsk.threadInfoSyscallWork &= ~ThreadInfoFlags.bit(ThreadInfoFlags.SYSCALL_WORK_BIT_SYSCALL_USER_DISPATCH);
        tsk.stackCanary = HeapInitTask.randomCanary(g);
        if (orig.cpusPtr == orig.cpusMask) {
            tsk.cpusPtr = tsk.cpusMask;
        }
        tsk.rcuUsers = 2;
        tsk.usage = 1;
        tsk.btraceSeq = 0;
        tsk.splicePipe = null;
        tsk.taskFragPage = null;
        tsk.wakeQNext = null;
        tsk.pfIoWorker = null;
        stacks.accountKernelStack(tsk, 1, cpu);
        tsk.activeMemcg = null;
        return tsk;
    }

    // ------------------------------------------------------------------------------------------
    // Freeing
    // ------------------------------------------------------------------------------------------

    /** free_task: as the off-heap twin's (WARN_ON_ONCE for a stack still referenced). */
    public static void freeTask(HeapGlobals g, HeapTask tsk) {
        final int stackRefs = tsk.stackRefcount;
        if (stackRefs != 0 && !g.freeTaskStackWarned) {
            g.freeTaskStackWarned = true;
            g.log.warn("free_task: stack_refcount is " + stackRefs + " (task " + tsk + ")");
        }
        freeTaskStruct(g, tsk);
    }

    /** __put_task_struct: as the off-heap twin's; put_signal_struct's hook is given the task. */
    static void putTaskStructFinal(HeapGlobals g, HeapTask tsk) {
        if (tsk.exitState == 0) {
            g.log.warn("__put_task_struct: exit_state is 0 (task " + tsk + ")");
        }
        if (tsk.usage != 0) {
            g.log.warn("__put_task_struct: usage is not 0 (task " + tsk + ")");
        }
        required(g.cgroupFree, "cgroup_free").accept(tsk);
        required(g.exitCreds, "exit_creds").accept(tsk);
        HeapDelayacct.delayacctTskFree(g, tsk);
        required(g.putSignalStruct, "put_signal_struct").accept(tsk);
        freeTask(g, tsk);
    }

    private static Consumer<HeapTask> required(Consumer<HeapTask> f, String name) {
        if (f == null) {
            throw new IllegalStateException("__put_task_struct: " + name + " is not wired into the kernel's globals");
        }
        return f;
    }

    /** get_task_struct. */
    public static HeapTask getTaskStruct(HeapTask t) {
        t.usageInc();
        return t;
    }

    /** put_task_struct: the last reference frees the task. */
    public static void putTaskStruct(HeapGlobals g, HeapTask t) {
        if (t.usageDecAndTest()) {
            putTaskStructFinal(g, t);
        }
    }

    /** delayed_free_task: free_task after a grace period. */
    public static void delayedFreeTask(HeapGlobals g, HeapTask tsk) {
        g.rcu.callRcu(tsk, g.delayedFreeTaskFn);
    }

    // ------------------------------------------------------------------------------------------
    // copy_process's initialisation of the new task
    // ------------------------------------------------------------------------------------------

    /** copy_process, seed lines 1965-1973. */
    public static void initTaskTidsAndPi(HeapTask p, long cloneFlags, long childTid) {
        p.setChildTid = (cloneFlags & CloneFlags.CLONE_CHILD_SETTID) != 0 ? childTid : 0;
        p.clearChildTid = (cloneFlags & CloneFlags.CLONE_CHILD_CLEARTID) != 0 ? childTid : 0;
        // rt_mutex_init_task (pi_lock: see HeapTask on locks)
        p.piWaiters = new HeapRbRootCached();
        p.piTopTask = null;
        p.piBlockedOn = null;
    }

    /** copy_process, seed lines 2001-2084. */
    public static int initTaskState(HeapGlobals g, HeapTask current, HeapTask p) {
        HeapDelayacct.delayacctTskInit(g, p);
        p.flags = p.flags & ~(TaskFlags.PF_SUPERPRIV | TaskFlags.PF_WQ_WORKER | TaskFlags.PF_IDLE)
            | TaskFlags.PF_FORKNOEXEC;
        HeapIntrusiveList.init(p.children);
        HeapIntrusiveList.init(p.sibling);
        p.vforkDone = null;
        HeapIntrusiveList.init(p.pending.list);
        p.pending.signal = 0;
        p.utime = 0;
        p.stime = 0;
        p.gtime = 0;
        p.prevCputimeUtime = 0;
        p.prevCputimeStime = 0;
        p.ioUring = null;
        p.rssStatEvents = 0;
        Arrays.fill(p.rssStatCount, 0);
        p.defaultTimerSlackNs = current.timerSlackNs;
        p.ioacRchar = 0;
        p.ioacWchar = 0;
        p.ioacSyscr = 0;
        p.ioacSyscw = 0;
        p.ioacReadBytes = 0;
        p.ioacWriteBytes = 0;
        p.ioacCancelledWriteBytes = 0;
        p.acctTimexpd = 0;
        p.acctRssMem1 = 0;
        p.acctVmMem1 = 0;
        posixCputimersInit(p);
        p.ioContext = null;
        p.auditContext = null;
        if (p.mempolicy != null) {
            throw new IllegalStateException("mpol_dup: the model has no memory policies, yet task " + p + " has one");
        }
        p.cpusetMemSpreadRotor = NUMA_NO_NODE;
        p.cpusetSlabSpreadRotor = NUMA_NO_NODE;
        p.memsAllowedSeq = 0;
        p.pagefaultDisabled = 0;
        return 0;
    }

    /** posix_cputimers_init. */
    static void posixCputimersInit(HeapTask p) {
        Arrays.fill(p.posixCputimersNextevt, U64_MAX);
        p.posixCputimersTimersActive = 0;
        p.posixCputimersExpiryActive = 0;
    }

    /** copy_process, seed lines 2188-2207. */
    public static void initTaskIdentity(HeapTask current, HeapTask p, long cloneFlags, int pidNr) {
        p.pid = pidNr;
        if ((cloneFlags & CloneFlags.CLONE_THREAD) != 0) {
            p.groupLeader = current.groupLeader;
            p.tgid = current.tgid;
        } else {
            p.groupLeader = p;
            p.tgid = pidNr;
        }
        p.nrDirtied = 0;
        p.nrDirtiedPause = 128 >> (X86_64.PAGE_SHIFT - 10);
        p.dirtyPausedWhen = 0;
        p.pdeathSignal = 0;
        HeapIntrusiveList.init(p.threadGroup);
        p.taskWorks = null;
        p.kretprobeInstances = null;
    }
}
