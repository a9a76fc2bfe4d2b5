package org.kfork.heap.init;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.IntSupplier;
import org.kfork.arch.X86_64;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.fork.HeapTask;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.sched.Prio;
import org.kfork.sched.TaskFlags;
import org.kfork.sched.ThreadInfoFlags;
import org.kfork.uapi.Errno;

/**
 * The heap twin of org.kfork.kernel.init.InitTask: init/init_task.c (5.12), init_task and
 * init_stack, built in the same two steps with the same values (a static is an object the kernel's
 * globals hold, counted in no kind, as a static is in no cache).
 *
 * <p>The link step sets active_mm, real_cred and cred (init_cred), nsproxy, signal and sighand
 * (init_signals, init_sighand: init_task is the one entry of init_signals.thread_head, and
 * init_signals' pids[] point at init_struct_pid). The other
 * pointers of init_task (fs, files, thread_pid) are fields the other rooms add to HeapTask, with
 * their objects' types; their rooms' statics are linked here once those fields exist.
 */
public final class HeapInitTask {
    /** INIT_TASK_COMM. */
    public static final String INIT_TASK_COMM = "swapper";
    /** init_task.timer_slack_ns. */
    public static final long INIT_TIMER_SLACK_NS = 50_000;
    /** INVALID_UID. */
    public static final int INVALID_UID = -1;
    /** AUDIT_SID_UNSET. */
    public static final int AUDIT_SID_UNSET = -1;
    /** do_no_restart_syscall: init_task's restart_block.fn. */
    public static final IntSupplier DO_NO_RESTART_SYSCALL = () -> -Errno.EINTR;
    private static final VarHandle STACK_WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private HeapInitTask() {
    }

    /** init_task and init_stack with init_task.c's values, then start_kernel's first two steps. */
    public static void initTaskData(HeapGlobals g) {
        final HeapTask t = new HeapTask();
        final byte[] stack = new byte[X86_64.THREAD_SIZE];
        g.initTask = t;
        g.initStack = stack;
        t.setStackRefcount(1);
        t.setState(0);
        t.setStack(stack);
        t.setUsage(2);
        t.flags = TaskFlags.PF_KTHREAD;
        t.prio = Prio.MAX_PRIO - 20;
        t.staticPrio = Prio.MAX_PRIO - 20;
        t.normalPrio = Prio.MAX_PRIO - 20;
        t.policy = Prio.SCHED_NORMAL;
        t.cpusPtr = t.cpusMask;
        t.cpusMask[0] = Limits.NR_CPUS == Long.SIZE ? -1L : (1L << Limits.NR_CPUS) - 1;
        t.nrCpusAllowed = Limits.NR_CPUS;
        t.restartBlockFn = DO_NO_RESTART_SYSCALL;
        t.rtTimeSlice = Prio.RR_TIMESLICE;
        plistNodeInit(t, Prio.MAX_PRIO);
        t.realParent = t;
        t.parent = t;
        t.groupLeader = t;
        t.comm = INIT_TASK_COMM;
        Arrays.fill(t.posixCputimersNextevt, -1L);
        t.timerSlackNs = INIT_TIMER_SLACK_NS;
        t.loginuid = INVALID_UID;
        t.sessionid = AUDIT_SID_UNSET;
        // (the lists start empty and the locks unlocked in a new HeapTask: as init_task.c's
        // LIST_HEAD_INIT and __SPIN_LOCK_UNLOCKED)
        STACK_WORD.set(stack, 0, Limits.STACK_END_MAGIC);
        t.stackCanary = randomCanary(g);
    }

    /**
     * The link step: active_mm = &init_mm, real_cred and cred = &init_cred, fs = &init_fs,
     * files = &init_files, nsproxy = &init_nsproxy, the signal statics (see the class comment).
     */
    public static void initTaskLinks(HeapGlobals g) {
        if (g.initCred == null || g.initFs == null || g.initFiles == null || g.initSignals == null
            || g.initSighand == null || g.initNsproxy == null || g.initStructPid == null || g.initPidNs == null) {
            throw new IllegalStateException("init_task needs every room's static at the end of boot");
        }
        g.mm.initMm();
        g.initTask.activeMm = g.mm.initMmStruct();
        g.initTask.realCred = g.initCred;
        g.initTask.cred = g.initCred;
        g.initTask.fs = g.initFs;
        g.initTask.files = g.initFiles;
        g.initTask.nsproxy = g.initNsproxy;
        g.initTask.setThreadPid(g.initStructPid);
        g.initTask.signal = g.initSignals;
        g.initTask.sighand = g.initSighand;
        // .thread_node = LIST_HEAD_INIT(init_signals.thread_head): init_task is the one thread
        HeapIntrusiveList.listAdd(g.initTask.threadNode, g.initSignals.threadHead);
        // init_signals.pids[] = { [every type] = &init_struct_pid }: static pointers, no reference
        for (int type = 0; type < PidRules.PIDTYPE_MAX; type++) {
            g.initSignals.setPid(type, g.initStructPid);
        }
    }

    /** plist_node_init on pushable_tasks. */
    public static void plistNodeInit(HeapTask p, int prio) {
        p.pushableTasksPrio = prio;
        HeapIntrusiveList.init(p.pushableTasksPrioList);
        HeapIntrusiveList.init(p.pushableTasksNodeList);
    }

    /** get_random_canary, from the kernel's seeded source, as the off-heap twin draws it. */
    public static long randomCanary(HeapGlobals g) {
        synchronized (g.random) {
            return g.random.nextLong() & ThreadInfoFlags.CANARY_MASK;
        }
    }

    /** The stack end magic's word of a stack. */
    public static long stackEndWord(byte[] stack) {
        return (long) STACK_WORD.get(stack, 0);
    }
}
