package org.kfork.kernel.init;

import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.Globals;
import org.kfork.kernel.KernelText;
import org.kfork.kernel.struct.Mutex;
import org.kfork.kernel.struct.PlistNode;
import org.kfork.kernel.struct.PosixCputimerBase;
import org.kfork.kernel.struct.PosixCputimers;
import org.kfork.kernel.struct.RestartBlock;
import org.kfork.kernel.struct.SchedEntity;
import org.kfork.kernel.struct.SchedRtEntity;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.Sigpending;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Abi;
import org.kfork.machine.Mem;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.sched.Prio;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.Errno;

/**
 * init/init_task.c (5.12): init_task, the task_struct of CPU 0's idle task (pid 0, "swapper"),
 * and its stack, init_stack, as statics of the kernel image; plus the two things start_kernel
 * does to them before anything else (set_task_stack_end_magic, boot_init_stack_canary).
 *
 * <p>init_task is built in two steps because it points at statics of other rooms that boot
 * creates later (init_mm, init_cred, init_fs, init_files, init_signals, init_sighand,
 * init_nsproxy, init_struct_pid): {@link #initTaskData} writes every field init_task.c sets that
 * needs nothing else, first thing at boot; {@link #initTaskLinks} writes the pointers, last thing
 * at boot. sched_init (SchedCore) and delayacct_init change it in between, as in 5.12: the
 * load weight, init_idle (PF_IDLE, the idle class, CPU 0 only, comm "swapper/0") and the
 * task_delay_info.
 *
 * <p>Invariants: init_task is never freed (its usage starts at 2, and nothing puts the last
 * reference); its stack is not a vmalloc area (stack_vm_area stays NULL) and has
 * STACK_END_MAGIC at its lowest word.
 */
public final class InitTask {
    /** INIT_TASK_COMM. */
    public static final String INIT_TASK_COMM = "swapper";
    /** init_task.timer_slack_ns: 50 microseconds. */
    public static final long INIT_TIMER_SLACK_NS = 50_000;
    /** INVALID_UID: init_task's loginuid (CONFIG_AUDIT). */
    public static final int INVALID_UID = -1;
    /** AUDIT_SID_UNSET: init_task's sessionid (an unsigned int). */
    public static final int AUDIT_SID_UNSET = -1;
    /** U64_MAX: a posix_cputimer_base that expires never. */
    public static final long U64_MAX = -1L;

    /** restart_block.fn: {@code long (*fn)(struct restart_block *)}, a kernel-text function. */
    @FunctionalInterface
    public interface RestartFn {
        /** Runs the restart of the system call described by the restart_block at {@code restart}. */
        long call(long restart);
    }

    private InitTask() {
    }

    /**
     * The statics init_task and init_stack, in the kernel image, with every field init_task.c
     * sets that points at nothing of another room; then start_kernel's first two steps on them.
     * Sets {@code g.initTask} and {@code g.initStack}.
     */
    public static void initTaskData(Globals g) {
        final long t = g.image.alloc(TaskStruct.SIZEOF, Abi.L1_CACHE_BYTES);
        // init_stack: THREAD_SIZE bytes of .data (the image aligns slots to a page at most)
        final long stack = g.image.alloc(Abi.THREAD_SIZE, Abi.PAGE_SIZE);
        g.initTask = t;
        g.initStack = stack;
        // (the image is zeroed: thread_info (INIT_THREAD_INFO: flags 0), state 0 (TASK_RUNNING),
        // mm NULL, io_uring NULL, blocked, alloc_lock and pi_lock unlocked, journal_info NULL,
        // pi_waiters RB_ROOT_CACHED, pi_top_task NULL, prev_cputime.lock, mems_allowed_seq 0,
        // security NULL and seccomp.filter_count 0 need no store)
        putInt(t + TaskStruct.STACK_REFCOUNT, 1);
        putLong(t + TaskStruct.STACK, stack);
        putInt(t + TaskStruct.USAGE, 2);
        putInt(t + TaskStruct.FLAGS, TaskFlags.PF_KTHREAD);
        putInt(t + TaskStruct.PRIO, Prio.MAX_PRIO - 20);
        putInt(t + TaskStruct.STATIC_PRIO, Prio.MAX_PRIO - 20);
        putInt(t + TaskStruct.NORMAL_PRIO, Prio.MAX_PRIO - 20);
        putInt(t + TaskStruct.POLICY, Prio.SCHED_NORMAL);
        putLong(t + TaskStruct.CPUS_PTR, t + TaskStruct.CPUS_MASK);
        putLong(t + TaskStruct.CPUS_MASK, cpuMaskAll());
        putInt(t + TaskStruct.NR_CPUS_ALLOWED, Limits.NR_CPUS);
        final long noRestart = KernelText.of(g.machine).register("do_no_restart_syscall",
            (RestartFn) restart -> -Errno.EINTR);
        putLong(t + TaskStruct.RESTART_BLOCK + RestartBlock.FN, noRestart);
        IntrusiveList.init(t + TaskStruct.SE + SchedEntity.GROUP_NODE);
        IntrusiveList.init(t + TaskStruct.RT + SchedRtEntity.RUN_LIST);
        putInt(t + TaskStruct.RT + SchedRtEntity.TIME_SLICE, Prio.RR_TIMESLICE);
        IntrusiveList.init(t + TaskStruct.TASKS);
        plistNodeInit(t + TaskStruct.PUSHABLE_TASKS, Prio.MAX_PRIO);
        // .sched_task_group = &root_task_group: the model has no task groups (NULL)
        IntrusiveList.init(t + TaskStruct.PTRACED);
        IntrusiveList.init(t + TaskStruct.PTRACE_ENTRY);
        putLong(t + TaskStruct.REAL_PARENT, t);
        putLong(t + TaskStruct.PARENT, t);
        IntrusiveList.init(t + TaskStruct.CHILDREN);
        IntrusiveList.init(t + TaskStruct.SIBLING);
        putLong(t + TaskStruct.GROUP_LEADER, t);
        setComm(t, INIT_TASK_COMM);
        // .thread = INIT_THREAD: empty on x86_64
        IntrusiveList.init(t + TaskStruct.PENDING + Sigpending.LIST);
        // INIT_CPU_TIMERS: every base expires never
        for (int i = 0; i < 3; i++) {
            putLong(t + TaskStruct.POSIX_CPUTIMERS + PosixCputimers.BASES + i * PosixCputimerBase.SIZEOF
                + PosixCputimerBase.NEXTEVT, U64_MAX);
        }
        putLong(t + TaskStruct.TIMER_SLACK_NS, INIT_TIMER_SLACK_NS);
        IntrusiveList.init(t + TaskStruct.THREAD_GROUP);
        putInt(t + TaskStruct.LOGINUID, INVALID_UID);
        putInt(t + TaskStruct.SESSIONID, AUDIT_SID_UNSET);
        // __MUTEX_INITIALIZER: owner 0, wait_lock unlocked, osq empty, an empty wait_list
        IntrusiveList.init(t + TaskStruct.PERF_EVENT_MUTEX + Mutex.WAIT_LIST);
        IntrusiveList.init(t + TaskStruct.PERF_EVENT_LIST);

        // start_kernel: set_task_stack_end_magic(&init_task), for overflow detection
        putLong(stack, Limits.STACK_END_MAGIC);
        // boot_init_stack_canary: a random canary (the model adds no TSC, so that runs repeat)
        putLong(t + TaskStruct.STACK_CANARY, randomCanary(g));
    }

    /**
     * The pointers of init_task to the statics of the other rooms, last thing at boot: active_mm
     * (init_mm), real_cred and cred (init_cred), fs, files, signal, sighand, nsproxy, thread_pid
     * (init_struct_pid), and thread_node, linked as the one entry of init_signals.thread_head;
     * init_signals' pids[] point at init_struct_pid.
     */
    public static void initTaskLinks(Globals g) {
        requireStatics(new String[] {"init_cred", "init_fs", "init_files", "init_signals", "init_sighand",
            "init_nsproxy", "init_struct_pid", "init_pid_ns"}, new long[] {g.initCred, g.initFs, g.initFiles,
            g.initSignals, g.initSighand, g.initNsproxy, g.initStructPid, g.initPidNs});
        final long t = g.initTask;
        putLong(t + TaskStruct.ACTIVE_MM, g.mm.initMmAddress());
        putLong(t + TaskStruct.REAL_CRED, g.initCred);
        putLong(t + TaskStruct.CRED, g.initCred);
        putLong(t + TaskStruct.FS, g.initFs);
        putLong(t + TaskStruct.FILES, g.initFiles);
        putLong(t + TaskStruct.SIGNAL, g.initSignals);
        putLong(t + TaskStruct.SIGHAND, g.initSighand);
        putLong(t + TaskStruct.NSPROXY, g.initNsproxy);
        putLong(t + TaskStruct.THREAD_PID, g.initStructPid);
        // .thread_node = LIST_HEAD_INIT(init_signals.thread_head), and init_signals' thread_head
        // = LIST_HEAD_INIT(init_task.thread_node): init_task is the one thread
        final long head = g.initSignals + SignalStruct.THREAD_HEAD;
        final long node = t + TaskStruct.THREAD_NODE;
        putLong(node + IntrusiveList.NEXT, head);
        putLong(node + IntrusiveList.PREV, head);
        putLong(head + IntrusiveList.NEXT, node);
        putLong(head + IntrusiveList.PREV, node);
        // init_signals.pids[] = { [every type] = &init_struct_pid }: static pointers, no reference
        for (int type = 0; type < PidRules.PIDTYPE_MAX; type++) {
            putLong(g.initSignals + SignalStruct.PIDS + (long) Long.BYTES * type, g.initStructPid);
        }
    }

    /** Boot stops, naming every room static still NULL at its end. */
    private static void requireStatics(String[] names, long[] addresses) {
        final StringBuilder missing = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if (addresses[i] == 0) {
                missing.append(missing.length() == 0 ? "" : ", ").append(names[i]);
            }
        }
        if (missing.length() > 0) {
            throw new IllegalStateException("init_task needs " + missing + ", still NULL at the end of boot");
        }
    }

    /** CPU_MASK_ALL: every one of NR_CPUS bits. */
    public static long cpuMaskAll() {
        return Limits.NR_CPUS == Long.SIZE ? -1L : (1L << Limits.NR_CPUS) - 1;
    }

    /** plist_node_init: a node of priority {@code prio} on no list. */
    public static void plistNodeInit(long node, int prio) {
        putInt(node + PlistNode.PRIO, prio);
        IntrusiveList.init(node + PlistNode.PRIO_LIST);
        IntrusiveList.init(node + PlistNode.NODE_LIST);
    }

    /** Copies {@code comm} into task->comm, NUL-padded (strscpy_pad into char[TASK_COMM_LEN]). */
    public static void setComm(long t, String comm) {
        final long c = t + TaskStruct.COMM;
        Mem.zero(c, Limits.TASK_COMM_LEN);
        final int n = Math.min(comm.length(), Limits.TASK_COMM_LEN - 1);
        for (int i = 0; i < n; i++) {
            Mem.putByte(c + i, (byte) comm.charAt(i));
        }
    }

    /** task->comm as a string (up to its NUL). */
    public static String comm(long t) {
        final StringBuilder b = new StringBuilder(Limits.TASK_COMM_LEN);
        for (int i = 0; i < Limits.TASK_COMM_LEN; i++) {
            final byte c = Mem.getByte(t + TaskStruct.COMM + i);
            if (c == 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    /**
     * get_random_canary: a random word from the kernel's seeded source with its low byte clear
     * (CANARY_MASK). get_random_long has its own lock in 5.12; here the source's monitor.
     */
    public static long randomCanary(Globals g) {
        synchronized (g.random) {
            return g.random.nextLong() & ThreadInfoFlags.CANARY_MASK;
        }
    }
}
