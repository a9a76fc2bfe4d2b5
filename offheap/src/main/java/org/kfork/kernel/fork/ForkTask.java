package org.kfork.kernel.fork;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import java.util.function.LongConsumer;
import org.kfork.alloc.KmemCache;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.delayacct.Delayacct;
import org.kfork.kernel.init.InitTask;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.sched.SchedCore;
import org.kfork.kernel.struct.Fpu;
import org.kfork.kernel.struct.PageFrag;
import org.kfork.kernel.struct.PosixCputimerBase;
import org.kfork.kernel.struct.PosixCputimers;
import org.kfork.kernel.struct.PrevCputime;
import org.kfork.kernel.struct.RbRootCached;
import org.kfork.kernel.struct.Seccomp;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.TaskIoAccounting;
import org.kfork.kernel.struct.TaskRssStat;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.ThreadInfo;
import org.kfork.kernel.struct.ThreadStruct;
import org.kfork.kernel.struct.WakeQNode;
import org.kfork.machine.Abi;
import org.kfork.machine.Mem;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.CloneFlags;

/**
 * kernel/fork.c (5.12), the task_struct's life: dup_task_struct (with arch_dup_task_struct and
 * x86's fpu__copy), free_task, __put_task_struct, put_task_struct, get_task_struct,
 * delayed_free_task, and the per-field initialisation copy_process gives the new task, in three
 * steps it calls in order ({@link #initTaskTidsAndPi}, {@link #initTaskState},
 * {@link #initTaskIdentity}).
 *
 * <p>Invariants:
 * <ul>
 *   <li>A task from dup_task_struct is the parent's 7040 bytes but for what the seed resets: its
 *       own stack (stack_refcount 1, STACK_END_MAGIC at its end), its own canary, cpus_ptr at its
 *       own cpus_mask when the parent's pointed at its own, usage 1, rcu_users 2, no seccomp
 *       filter, no splice pipe, no page fragment, off every wake queue, no io worker, no active
 *       memcg, no pending reschedule nor syscall user dispatch, TIF_NEED_FPU_LOAD set.</li>
 *   <li>usage counts references to the task_struct: the last put_task_struct runs
 *       __put_task_struct, which frees it (free_task). rcu_users counts the users that need a
 *       grace period (the reaper and the scheduler): the last put_task_struct_rcu_user queues
 *       delayed_put_task_struct (kernel/exit.c, Exit). A put of a count already at zero and a
 *       get of a zero count are refused with an exception, the count left as it was (refcount_t
 *       warns and saturates there).</li>
 *   <li>Every failure path frees exactly what it took, in reverse order.</li>
 * </ul>
 */
public final class ForkTask {
    /** NUMA_NO_NODE. */
    public static final int NUMA_NO_NODE = KmemCache.NUMA_NO_NODE;
    /** The number of posix_cputimer bases (CPUCLOCK_MAX). */
    private static final int CPUCLOCK_MAX = 3;
    /** U64_MAX: a timer base that expires never. */
    private static final long U64_MAX = -1L;

    private ForkTask() {
    }

    /** fork_init's part for the task: the RCU callback of delayed_free_task. */
    public static void forkTaskInit(Globals g) {
        g.delayedFreeTaskFn = g.rcu.register("__delayed_free_task", head -> delayedFreeTaskRcu(g, head));
    }

    // ------------------------------------------------------------------------------------------
    // Allocation
    // ------------------------------------------------------------------------------------------

    /** alloc_task_struct_node: a task_struct from its cache (the model has one node), or 0. */
    static long allocTaskStructNode(Globals g, int node) {
        return g.alloc(g.forkInit.taskStructCachep());
    }

    /** free_task_struct. */
    static void freeTaskStruct(Globals g, long tsk) {
        g.free(g.forkInit.taskStructCachep(), tsk);
    }

    /**
     * arch_dup_task_struct (x86): {@code memcpy(dst, src, arch_task_struct_size)} and fpu__copy.
     * (thread.vm86 exists on x86_32 only.)
     *
     * @return 0
     */
    public static int archDupTaskStruct(long dst, long src) {
        Mem.copy(src, dst, TaskStruct.SIZEOF);
        return fpuCopy(dst, src);
    }

    /**
     * fpu__copy: the child's FPU state is the parent's. Its last_cpu is -1 (its registers are
     * loaded nowhere), the xsave area is cleared first so that no "init optimized" area of it
     * leaks, then filled. The model has no live FPU registers: the parent's state is what its
     * task_struct holds, the case 5.12 handles with a memcpy (TIF_NEED_FPU_LOAD). The child
     * loads its registers on its way to user space (TIF_NEED_FPU_LOAD).
     */
    static int fpuCopy(long dst, long src) {
        final long dstFpu = dst + TaskStruct.THREAD + ThreadStruct.FPU;
        final long srcFpu = src + TaskStruct.THREAD + ThreadStruct.FPU;
        putInt(dstFpu + Fpu.LAST_CPU, -1);
        // static_cpu_has(X86_FEATURE_FPU): every x86_64 CPU has one
        Mem.zero(dstFpu + Fpu.STATE, ForkInit.TASK_USERSIZE); // fpu_kernel_xstate_size
        Mem.copy(srcFpu + Fpu.STATE, dstFpu + Fpu.STATE, ForkInit.TASK_USERSIZE);
        SchedCore.setTskThreadFlag(dst, ThreadInfoFlags.TIF_NEED_FPU_LOAD);
        return 0;
    }

    /**
     * dup_task_struct: a copy of {@code orig} with its own stack, in 5.12's order: the task_struct,
     * the stack (a cached one of this CPU, or a new vmalloc area), its memcg charge, the copy,
     * then the fields the copy must not share.
     *
     * @param node a NUMA node, or {@link #NUMA_NO_NODE} for the parent's (the model has one)
     * @return the new task, or 0 (NULL) when an allocation failed, with nothing left allocated
     */
    public static long dupTaskStruct(Globals g, long orig, int node) {
        // (tsk_fork_get_node: a kthread's pref_node_fork; one node in the model)
        final long tsk = allocTaskStructNode(g, node);
        if (tsk == 0) {
            return 0;
        }
        final ThreadStacks stacks = g.forkInit.stacks();
        final int cpu = g.cpus.current();
        final long stack = stacks.allocThreadStackNode(tsk, node, cpu, g.failSlab);
        if (stack == 0) {
            freeTaskStruct(g, tsk);
            return 0;
        }
        if (stacks.memcgChargeKernelStack(tsk) != 0) {
            stacks.freeThreadStack(tsk, cpu);
            freeTaskStruct(g, tsk);
            return 0;
        }
        final long stackVmArea = getLong(tsk + TaskStruct.STACK_VM_AREA);
        final int err = archDupTaskStruct(tsk, orig);
        // the copy clobbered the stack fields: put them back before anything uses the stack
        putLong(tsk + TaskStruct.STACK, stack);
        putLong(tsk + TaskStruct.STACK_VM_AREA, stackVmArea);
        putInt(tsk + TaskStruct.STACK_REFCOUNT, 1);
        if (err != 0) {
            stacks.freeThreadStack(tsk, cpu);
            freeTaskStruct(g, tsk);
            return 0;
        }
        // (scs_prepare: shadow call stacks are arm64's)
        // CONFIG_SECCOMP: the filter is taken under the sighand lock later (copy_seccomp); until
        // then NULL, so that a failed fork's free_task puts no filter it does not hold
        putLong(tsk + TaskStruct.SECCOMP + Seccomp.FILTER, 0);
        // (setup_thread_stack: nothing with CONFIG_THREAD_INFO_IN_TASK; clear_user_return_notifier:
        // nothing without CONFIG_USER_RETURN_NOTIFIER, which only KVM selects, off here)
        SchedCore.clearTskThreadFlag(tsk, ThreadInfoFlags.TIF_NEED_RESCHED);
        // the parent is inside its clone call; the child is in none until it makes one
        SchedCore.clearTskThreadFlag(tsk, org.kfork.kernel.exit.Exit.TIF_IN_CALL);
        stacks.setTaskStackEndMagic(tsk);
        // clear_syscall_work_syscall_user_dispatch (CONFIG_GENERIC_ENTRY)
        final long work = tsk + TaskStruct.THREAD_INFO + ThreadInfo.SYSCALL_WORK;
        putLong(work, getLong(work) & ~ThreadInfoFlags.bit(ThreadInfoFlags.SYSCALL_WORK_BIT_SYSCALL_USER_DISPATCH));
        putLong(tsk + TaskStruct.STACK_CANARY, InitTask.randomCanary(g)); // CONFIG_STACKPROTECTOR
        if (getLong(orig + TaskStruct.CPUS_PTR) == orig + TaskStruct.CPUS_MASK) {
            putLong(tsk + TaskStruct.CPUS_PTR, tsk + TaskStruct.CPUS_MASK);
        }
        // one for the user-space visible state, which goes away when reaped; one for the scheduler
        putInt(tsk + TaskStruct.RCU_USERS, 2);
        // one for the rcu users
        putInt(tsk + TaskStruct.USAGE, 1);
        putInt(tsk + TaskStruct.BTRACE_SEQ, 0); // CONFIG_BLK_DEV_IO_TRACE
        putLong(tsk + TaskStruct.SPLICE_PIPE, 0);
        putLong(tsk + TaskStruct.TASK_FRAG + PageFrag.PAGE, 0);
        putLong(tsk + TaskStruct.WAKE_Q + WakeQNode.NEXT, 0);
        putLong(tsk + TaskStruct.PF_IO_WORKER, 0);
        stacks.accountKernelStack(tsk, 1, cpu);
        // (kcov_task_init: CONFIG_KCOV off; kmap_local_fork: nothing without CONFIG_KMAP_LOCAL;
        // fail_nth: CONFIG_FAULT_INJECTION off; throttle_queue, use_memdelay: CONFIG_BLK_CGROUP off)
        putLong(tsk + TaskStruct.ACTIVE_MEMCG, 0); // CONFIG_MEMCG
        return tsk;
    }

    // ------------------------------------------------------------------------------------------
    // Freeing
    // ------------------------------------------------------------------------------------------

    /**
     * free_task: the task_struct goes back to its cache. With CONFIG_THREAD_INFO_IN_TASK the stack
     * was released earlier (put_task_stack); one still referenced here is reported (WARN_ON_ONCE)
     * and left as it is. (scs_release, rt_mutex_debug_task_free, ftrace_graph_exit_task,
     * arch_release_task_struct: nothing in this config; free_kthread_struct: the model has no
     * struct kthread.)
     */
    public static void freeTask(Globals g, long tsk) {
        final int stackRefs = Mem.getIntVolatile(tsk + TaskStruct.STACK_REFCOUNT);
        if (stackRefs != 0 && !g.freeTaskStackWarned) {
            g.freeTaskStackWarned = true;
            g.log.warn("free_task: stack_refcount is " + stackRefs + " (task 0x" + Long.toHexString(tsk) + ")");
        }
        freeTaskStruct(g, tsk);
    }

    /**
     * __put_task_struct: the last reference is gone. The task must be dead and not current (the
     * model's put has no current to check). In 5.12's order: cgroup_free, exit_creds, the delay
     * accounting, put_signal_struct, free_task. (io_uring_free: no io_uring contexts in the
     * model; task_numa_free, security_task_free, bpf_task_storage_free: off in this config;
     * profile_handoff_task: no profiling notifier.) cgroup_free, exit_creds and put_signal_struct
     * belong to other rooms, which give them to {@code g} at boot.
     *
     * @throws IllegalStateException when one of those is not wired in
     */
    static void putTaskStructFinal(Globals g, long tsk) {
        if (Mem.getIntVolatile(tsk + TaskStruct.EXIT_STATE) == 0) {
            g.log.warn("__put_task_struct: exit_state is 0 (task 0x" + Long.toHexString(tsk) + ")");
        }
        if (Mem.getIntVolatile(tsk + TaskStruct.USAGE) != 0) {
            g.log.warn("__put_task_struct: usage is not 0 (task 0x" + Long.toHexString(tsk) + ")");
        }
        required(g.cgroupFree, "cgroup_free").accept(tsk);
        required(g.exitCreds, "exit_creds").accept(tsk);
        Delayacct.delayacctTskFree(g, tsk);
        required(g.putSignalStruct, "put_signal_struct").accept(getLong(tsk + TaskStruct.SIGNAL));
        freeTask(g, tsk);
    }

    private static LongConsumer required(LongConsumer f, String name) {
        if (f == null) {
            throw new IllegalStateException("__put_task_struct: " + name + " is not wired into the kernel's globals");
        }
        return f;
    }

    /**
     * get_task_struct: one more reference.
     *
     * @throws IllegalStateException when usage is 0 (the task is being freed)
     */
    public static long getTaskStruct(long t) {
        final long r = t + TaskStruct.USAGE;
        for (;;) {
            final int c = Mem.getIntVolatile(r);
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: get_task_struct on usage " + c + " (task 0x"
                    + Long.toHexString(t) + ")");
            }
            if (Mem.compareAndSetInt(r, c, c + 1)) {
                return t;
            }
        }
    }

    /**
     * put_task_struct: one reference less; the last one frees the task (__put_task_struct).
     *
     * @throws IllegalStateException when usage is already 0
     */
    public static void putTaskStruct(Globals g, long t) {
        if (refcountDecAndTest(t + TaskStruct.USAGE, "usage", t)) {
            putTaskStructFinal(g, t);
        }
    }

    /** refcount_dec_and_test, refusing a decrement of 0. */
    public static boolean refcountDecAndTest(long r, String what, long t) {
        for (;;) {
            final int c = Mem.getIntVolatile(r);
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: put of " + what + " " + c + " (task 0x"
                    + Long.toHexString(t) + ")");
            }
            if (Mem.compareAndSetInt(r, c, c - 1)) {
                return c == 1;
            }
        }
    }

    /**
     * delayed_free_task: free_task after a grace period (CONFIG_MEMCG: a memcg iterator may still
     * look at the task under RCU). copy_process's failure path frees the half-built task so.
     */
    public static void delayedFreeTask(Globals g, long tsk) {
        g.rcu.callRcu(tsk + TaskStruct.RCU, g.delayedFreeTaskFn);
    }

    /** __delayed_free_task: the callback, with the task's rcu head. */
    static void delayedFreeTaskRcu(Globals g, long head) {
        freeTask(g, head - TaskStruct.RCU);
    }

    // ------------------------------------------------------------------------------------------
    // copy_process's initialisation of the new task (seed lines 1965-2084, 2188-2207)
    // ------------------------------------------------------------------------------------------

    /**
     * copy_process, seed lines 1965-1973, right after dup_task_struct and before any bad_fork
     * label (free_task must see these): the tid pointers and the priority-inheritance state.
     *
     * @param childTid args->child_tid, a user address
     */
    public static void initTaskTidsAndPi(long p, long cloneFlags, long childTid) {
        // 1965: set_child_tid, written by the child on its way to user space (CLONE_CHILD_SETTID)
        putLong(p + TaskStruct.SET_CHILD_TID, (cloneFlags & CloneFlags.CLONE_CHILD_SETTID) != 0 ? childTid : 0);
        // 1969: clear_child_tid, cleared and woken at mm_release (CLONE_CHILD_CLEARTID)
        putLong(p + TaskStruct.CLEAR_CHILD_TID, (cloneFlags & CloneFlags.CLONE_CHILD_CLEARTID) != 0 ? childTid : 0);
        // 1971: ftrace_graph_init_task: CONFIG_FUNCTION_GRAPH_TRACER off
        // 1973: rt_mutex_init_task
        Spinlock.init(p + TaskStruct.PI_LOCK);
        Mem.zero(p + TaskStruct.PI_WAITERS, RbRootCached.SIZEOF); // RB_ROOT_CACHED
        putLong(p + TaskStruct.PI_TOP_TASK, 0);
        putLong(p + TaskStruct.PI_BLOCKED_ON, 0);
    }

    /**
     * copy_process, seed lines 2001-2084: the state a new task starts with, after copy_creds and
     * the thread-count check. (cgroup_fork, between audit_set_context and mpol_dup in 5.12, is
     * copy_process's: it needs init_css_set.)
     *
     * @return 0 (mpol_dup of a NULL policy cannot fail, and the model has no other policies)
     */
    public static int initTaskState(Globals g, long current, long p) {
        Delayacct.delayacctTskInit(g, p); // 2001: must remain after dup_task_struct
        // 2002-2003
        putInt(p + TaskStruct.FLAGS, getInt(p + TaskStruct.FLAGS)
            & ~(TaskFlags.PF_SUPERPRIV | TaskFlags.PF_WQ_WORKER | TaskFlags.PF_IDLE) | TaskFlags.PF_FORKNOEXEC);
        IntrusiveList.init(p + TaskStruct.CHILDREN); // 2004
        IntrusiveList.init(p + TaskStruct.SIBLING); // 2005
        // 2006 rcu_copy_process: no preemptible RCU, no tasks RCU in this config
        putLong(p + TaskStruct.VFORK_DONE, 0); // 2007
        Spinlock.init(p + TaskStruct.ALLOC_LOCK); // 2008
        // 2010 init_sigpending
        IntrusiveList.init(p + TaskStruct.PENDING + Sigpending.LIST);
        putLong(p + TaskStruct.PENDING + Sigpending.SIGNAL, 0);
        // (2011 p->sigqueue_cache = NULL: 5.12.9's task_struct has no such field)
        putLong(p + TaskStruct.UTIME, 0); // 2013
        putLong(p + TaskStruct.STIME, 0);
        putLong(p + TaskStruct.GTIME, 0);
        // 2017 prev_cputime_init
        putLong(p + TaskStruct.PREV_CPUTIME + PrevCputime.UTIME, 0);
        putLong(p + TaskStruct.PREV_CPUTIME + PrevCputime.STIME, 0);
        Spinlock.init(p + TaskStruct.PREV_CPUTIME + PrevCputime.LOCK);
        putLong(p + TaskStruct.IO_URING, 0); // 2026, CONFIG_IO_URING
        Mem.zero(p + TaskStruct.RSS_STAT, TaskRssStat.SIZEOF); // 2030, SPLIT_RSS_COUNTING
        putLong(p + TaskStruct.DEFAULT_TIMER_SLACK_NS, getLong(current + TaskStruct.TIMER_SLACK_NS)); // 2033
        Mem.zero(p + TaskStruct.IOAC, TaskIoAccounting.SIZEOF); // 2039 task_io_accounting_init
        // 2040 acct_clear_integrals (CONFIG_TASK_XACCT)
        putLong(p + TaskStruct.ACCT_TIMEXPD, 0);
        putLong(p + TaskStruct.ACCT_RSS_MEM1, 0);
        putLong(p + TaskStruct.ACCT_VM_MEM1, 0);
        posixCputimersInit(p + TaskStruct.POSIX_CPUTIMERS); // 2042
        putLong(p + TaskStruct.IO_CONTEXT, 0); // 2044
        putLong(p + TaskStruct.AUDIT_CONTEXT, 0); // 2045 audit_set_context(p, NULL)
        // 2048 mpol_dup (CONFIG_NUMA): a NULL policy stays NULL
        if (getLong(p + TaskStruct.MEMPOLICY) != 0) {
            throw new IllegalStateException("mpol_dup: the model has no memory policies, yet task 0x"
                + Long.toHexString(p) + " has one");
        }
        // 2056-2058 CONFIG_CPUSETS
        putInt(p + TaskStruct.CPUSET_MEM_SPREAD_ROTOR, NUMA_NO_NODE);
        putInt(p + TaskStruct.CPUSET_SLAB_SPREAD_ROTOR, NUMA_NO_NODE);
        putInt(p + TaskStruct.MEMS_ALLOWED_SEQ, 0); // seqcount_spinlock_init
        // 2060-2065 irqtrace: CONFIG_TRACE_IRQFLAGS off
        putInt(p + TaskStruct.PAGEFAULT_DISABLED, 0); // 2068
        // 2071 lockdep_init_task, 2075 blocked_on, 2078 sequential_io, 2082 bpf_storage: off
        return 0;
    }

    /**
     * posix_cputimers_init (include/linux/posix-timers.h): zeroed, every base expiring never.
     * (The signal room's kernel/time port has the same for thread groups.)
     */
    static void posixCputimersInit(long pct) {
        Mem.zero(pct, PosixCputimers.SIZEOF);
        for (int i = 0; i < CPUCLOCK_MAX; i++) {
            putLong(pct + PosixCputimers.BASES + i * PosixCputimerBase.SIZEOF + PosixCputimerBase.NEXTEVT, U64_MAX);
        }
    }

    /**
     * copy_process, seed lines 2188-2207, once the pid exists ("ok, now we should be set up"):
     * the task's ids and leader, and the last resets.
     *
     * @param pidNr pid_nr(pid): the number in the initial pid namespace
     */
    public static void initTaskIdentity(long current, long p, long cloneFlags, int pidNr) {
        putInt(p + TaskStruct.PID, pidNr); // 2189
        if ((cloneFlags & CloneFlags.CLONE_THREAD) != 0) { // 2190-2192
            putLong(p + TaskStruct.GROUP_LEADER, getLong(current + TaskStruct.GROUP_LEADER));
            putInt(p + TaskStruct.TGID, getInt(current + TaskStruct.TGID));
        } else { // 2194-2195
            putLong(p + TaskStruct.GROUP_LEADER, p);
            putInt(p + TaskStruct.TGID, pidNr);
        }
        putInt(p + TaskStruct.NR_DIRTIED, 0); // 2198
        putInt(p + TaskStruct.NR_DIRTIED_PAUSE, 128 >> (Abi.PAGE_SHIFT - 10)); // 2199
        putLong(p + TaskStruct.DIRTY_PAUSED_WHEN, 0); // 2200
        putInt(p + TaskStruct.PDEATH_SIGNAL, 0); // 2202
        IntrusiveList.init(p + TaskStruct.THREAD_GROUP); // 2203
        putLong(p + TaskStruct.TASK_WORKS, 0); // 2204
        putLong(p + TaskStruct.KRETPROBE_INSTANCES, 0); // 2207 kretprobe_instances.first, its only member
    }
}
