package org.kfork.heap.fork;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.IntSupplier;
import org.kfork.heap.block.HeapIoContext;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.cred.HeapCred;
import org.kfork.heap.delayacct.HeapTaskDelayInfo;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIntrusiveList;
import org.kfork.heap.ds.HeapRbRootCached;
import org.kfork.heap.fs.HeapFilesStruct;
import org.kfork.heap.fs.HeapFsStruct;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.nsproxy.HeapCssSet;
import org.kfork.heap.nsproxy.HeapNsproxy;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.rcu.HeapCallbackHead;
import org.kfork.heap.sched.HeapCompletion;
import org.kfork.heap.sched.HeapSchedClass;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.heap.signal.HeapSigpending;
import org.kfork.pid.PidRules;
import org.kfork.uapi.Errno;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskState;

/**
 * The heap twin of {@code struct task_struct} (include/linux/sched.h, 5.12): the fields the port
 * reads or writes, public, named as the C fields in camelCase, in the struct's order. A field of
 * an embedded struct is prefixed with that struct's name ({@code se.load.weight} is
 * {@link #seLoadWeight}); the stack is the {@code byte[THREAD_SIZE]} itself, so it also stands
 * for {@code stack_vm_area}.
 *
 * <p>What the representation changes:
 * <ul>
 *   <li>The task extends {@link HeapCallbackHead}: that is {@code struct callback_head rcu}, which
 *       in C shares a union with {@code rcu_users} (the head is only used once rcu_users has
 *       dropped to zero, by delayed_put_task_struct, or by delayed_free_task on a failed fork).</li>
 *   <li>Embedded list heads, locks and arrays are final objects of their own ({@link Link},
 *       {@link HeapSpinlock}, {@code long[]}); the rest are plain fields.</li>
 *   <li>arch_dup_task_struct's memcpy is {@link #copyFrom}: it copies every plain field and the
 *       contents of the embedded arrays. The embedded lists and locks keep their fresh state: in C
 *       they hold the parent's raw words until copy_process initializes each of them, and nothing
 *       reads them in between. A field added here must be added to {@link #copyFrom} as well
 *       (HeapForkTaskCopyTest fails otherwise).</li>
 *   <li>Pointers the port only ever clears (splice_pipe, task_frag.page, io_uring...) are
 *       {@code Object} fields that stay null.</li>
 *   <li>The class is not final for one reason: its ERR_PTR sentinels ({@link #errPtr}), which
 *       copy_process returns, are tasks.</li>
 * </ul>
 */
public class HeapTask extends HeapCallbackHead {
    static final VarHandle STACK_REFCOUNT;
    static final VarHandle THREAD_INFO_FLAGS;
    private static final VarHandle USAGE;
    static final VarHandle RCU_USERS;
    private static final VarHandle EXIT_STATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STACK_REFCOUNT = l.findVarHandle(HeapTask.class, "stackRefcount", int.class);
            THREAD_INFO_FLAGS = l.findVarHandle(HeapTask.class, "threadInfoFlags", long.class);
            USAGE = l.findVarHandle(HeapTask.class, "usage", int.class);
            RCU_USERS = l.findVarHandle(HeapTask.class, "rcuUsers", int.class);
            EXIT_STATE = l.findVarHandle(HeapTask.class, "exitState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The twin of one {@code struct hlist_node pid_links[type]}: a node of a pid's task list
     * that knows its task (container_of).
     */
    public static final class PidLink extends HeapHList.Node {
        private final HeapTask task;

        PidLink(HeapTask task) {
            this.task = task;
        }

        /** container_of(link, struct task_struct, pid_links[type]). */
        public HeapTask task() {
            return task;
        }
    }

    /**
     * A {@code struct list_head} embedded in a task: container_of is {@link #task}. The task's
     * lists (tasks, children, sibling, thread_group, thread_node...) are each one of these.
     */
    public static final class Link extends HeapIntrusiveList {
        /** The task this node is embedded in. */
        public final HeapTask task;

        Link(HeapTask task) {
            this.task = task;
        }
    }

    // ---- struct thread_info thread_info ----

    /** {@code thread_info.flags}: TIF_* bits, changed atomically (set/clearTskThreadFlag). */
    volatile long threadInfoFlags;
    /** {@code thread_info.syscall_work}: SYSCALL_WORK_* bits. */
    public long threadInfoSyscallWork;

    /** {@code volatile long state}: a TASK_* value of {@link TaskState}. */
    volatile long state = TaskState.TASK_RUNNING;
    /** {@code void *stack}: the thread stack, or null (also {@code stack_vm_area}). */
    byte[] stack;
    /** {@code refcount_t usage}: references to the task_struct; through {@link #USAGE}. */
    volatile int usage;
    /** {@code unsigned int flags}: PF_*. */
    public volatile int flags;
    /** {@code unsigned int ptrace}. */
    public int ptrace;
    /** {@code int on_cpu}. */
    public int onCpu;
    /** {@code wake_entry.u_flags}: the CSD type of the remote wake-up node. */
    public int wakeEntryUFlags;
    /** {@code unsigned int cpu}: the CPU the task is on (task_cpu). */
    public int cpu;
    /** {@code int recent_used_cpu}. */
    public int recentUsedCpu;
    /** {@code int wake_cpu}. */
    public int wakeCpu;
    /** {@code int on_rq}: 0 or TASK_ON_RQ_QUEUED. */
    public int onRq;
    /** {@code int prio}: the effective priority. */
    public int prio;
    /** {@code int static_prio}: the nice level's priority. */
    public int staticPrio;
    /** {@code int normal_prio}: what the policy gives. */
    public int normalPrio;
    /** {@code unsigned int rt_priority}. */
    public int rtPriority;
    /** {@code const struct sched_class *sched_class}. */
    public HeapSchedClass schedClass;

    // ---- struct sched_entity se ----

    /** {@code se.load.weight}. */
    public long seLoadWeight;
    /** {@code se.load.inv_weight}. */
    public int seLoadInvWeight;
    /** {@code se.group_node}. */
    public final HeapIntrusiveList seGroupNode = new HeapIntrusiveList();
    /** {@code se.on_rq}. */
    public int seOnRq;
    /** {@code se.exec_start}. */
    public long seExecStart;
    /** {@code se.sum_exec_runtime}. */
    public long seSumExecRuntime;
    /** {@code se.vruntime}. */
    public long seVruntime;
    /** {@code se.prev_sum_exec_runtime}. */
    public long sePrevSumExecRuntime;
    /** {@code se.nr_migrations}. */
    public long seNrMigrations;
    /** {@code se.cfs_rq}: no run queues in the model, so always null. */
    public Object seCfsRq;

    // ---- struct sched_rt_entity rt ----

    /** {@code rt.run_list}. */
    public final HeapIntrusiveList rtRunList = new HeapIntrusiveList();
    /** {@code rt.timeout}. */
    public long rtTimeout;
    /** {@code rt.time_slice}. */
    public int rtTimeSlice;
    /** {@code rt.on_rq}. */
    public int rtOnRq;
    /** {@code rt.on_list}. */
    public int rtOnList;

    // ---- struct sched_dl_entity dl ----

    /** {@code dl.dl_runtime}. */
    public long dlRuntime;
    /** {@code dl.dl_deadline}. */
    public long dlDeadline;
    /** {@code dl.dl_period}. */
    public long dlPeriod;
    /** {@code dl.dl_bw}. */
    public long dlBw;
    /** {@code dl.dl_density}. */
    public long dlDensity;
    /** {@code dl.flags}. */
    public int dlFlags;
    /** {@code dl.dl_throttled}. */
    public boolean dlThrottled;
    /** {@code dl.dl_yielded}. */
    public boolean dlYielded;
    /** {@code dl.dl_non_contending}. */
    public boolean dlNonContending;
    /** {@code dl.dl_overrun}. */
    public boolean dlOverrun;
    /** {@code dl.pi_se}: the task whose dl entity donates (its own when not boosted). */
    public HeapTask dlPiSe;
    /** {@code unsigned int btrace_seq}. */
    public int btraceSeq;

    /** {@code unsigned int policy}: SCHED_*. */
    public int policy;
    /** {@code int nr_cpus_allowed}. */
    public int nrCpusAllowed;
    /** {@code const cpumask_t *cpus_ptr}: {@link #cpusMask} itself, or another mask. */
    public long[] cpusPtr;
    /** {@code cpumask_t cpus_mask} (NR_CPUS 64: one word). */
    public final long[] cpusMask = new long[1];
    /** {@code void *migration_pending}. */
    public Object migrationPending;
    /** {@code unsigned short migration_disabled}. */
    public int migrationDisabled;

    // ---- struct sched_info sched_info ----

    /** {@code sched_info.pcount}. */
    public long schedInfoPcount;
    /** {@code sched_info.run_delay}. */
    public long schedInfoRunDelay;
    /** {@code sched_info.last_arrival}. */
    public long schedInfoLastArrival;
    /** {@code sched_info.last_queued}. */
    public long schedInfoLastQueued;

    /** {@code struct list_head tasks}: on init_task.tasks. */
    public final Link tasks = new Link(this);
    /** {@code pushable_tasks.prio}. */
    public int pushableTasksPrio;
    /** {@code pushable_tasks.prio_list}. */
    public final HeapIntrusiveList pushableTasksPrioList = new HeapIntrusiveList();
    /** {@code pushable_tasks.node_list}. */
    public final HeapIntrusiveList pushableTasksNodeList = new HeapIntrusiveList();
    /** {@code struct mm_struct *mm}: null for a kernel thread. */
    public HeapMmStruct mm;
    /** {@code struct mm_struct *active_mm}. */
    public HeapMmStruct activeMm;
    /** {@code rss_stat.events}. */
    public int rssStatEvents;
    /** {@code rss_stat.count[NR_MM_COUNTERS]}. */
    public final int[] rssStatCount = new int[Limits.NR_MM_COUNTERS];
    /** {@code int exit_state}. */
    public volatile int exitState;
    /** {@code int exit_code}. */
    public int exitCode;
    /** {@code int exit_signal}. */
    public int exitSignal;
    /** {@code int pdeath_signal}. */
    public int pdeathSignal;
    /** {@code unsigned long jobctl}. */
    public long jobctl;
    /** {@code unsigned sched_reset_on_fork:1}. */
    public boolean schedResetOnFork;
    /** {@code restart_block.fn}: what restart_syscall runs. */
    public IntSupplier restartBlockFn;
    /** {@code pid_t pid}. */
    public int pid;
    /** {@code pid_t tgid}. */
    public int tgid;
    /** {@code unsigned long stack_canary}. */
    public long stackCanary;
    /** {@code struct task_struct *real_parent}. */
    public HeapTask realParent;
    /** {@code struct task_struct *parent}. */
    public HeapTask parent;
    /** {@code struct list_head children}. */
    public final Link children = new Link(this);
    /** {@code struct list_head sibling}. */
    public final Link sibling = new Link(this);
    /** {@code struct task_struct *group_leader}. */
    public HeapTask groupLeader;
    /** {@code struct list_head ptraced}. */
    public final Link ptraced = new Link(this);
    /** {@code struct list_head ptrace_entry}. */
    public final Link ptraceEntry = new Link(this);
    /**
     * exit_notify's dead list threads through ptrace_entry in C; the twin keeps that list's next
     * pointer here (only exit.c uses it, between reparenting and release_task).
     */
    public HeapTask deadNext;
    /** {@code struct pid *thread_pid}: published with a volatile store (rcu_assign_pointer). */
    volatile HeapPid threadPid;
    /** {@code struct hlist_node pid_links[PIDTYPE_MAX]}. */
    public final PidLink[] pidLinks = new PidLink[PidRules.PIDTYPE_MAX];
    /** {@code struct list_head thread_group}. */
    public final Link threadGroup = new Link(this);
    /** {@code struct list_head thread_node}. */
    public final Link threadNode = new Link(this);
    /** {@code struct completion *vfork_done}. */
    public HeapCompletion vforkDone;
    /** {@code int __user *set_child_tid}: a user address. */
    public long setChildTid;
    /** {@code int __user *clear_child_tid}: a user address. */
    public long clearChildTid;
    /** {@code void *pf_io_worker}. */
    public Object pfIoWorker;
    /** {@code u64 utime}. */
    public long utime;
    /** {@code u64 stime}. */
    public long stime;
    /** {@code u64 gtime}. */
    public long gtime;
    /** {@code prev_cputime.utime}. */
    public long prevCputimeUtime;
    /** {@code prev_cputime.stime}. */
    public long prevCputimeStime;
    /** {@code prev_cputime.lock}. */
    public final HeapSpinlock prevCputimeLock = new HeapSpinlock();
    /** {@code posix_cputimers.bases[CPUCLOCK_MAX].nextevt}. */
    public final long[] posixCputimersNextevt = new long[3];
    /** {@code posix_cputimers.timers_active}. */
    public int posixCputimersTimersActive;
    /** {@code posix_cputimers.expiry_active}. */
    public int posixCputimersExpiryActive;
    /** {@code const struct cred *real_cred}: the objective credentials (what others see). */
    public volatile HeapCred realCred;
    /** {@code const struct cred *cred}: the subjective credentials (what the task acts with). */
    public volatile HeapCred cred;
    /** {@code char comm[TASK_COMM_LEN]}. */
    public String comm;
    /** {@code struct fs_struct *fs}. */
    public HeapFsStruct fs;
    /** {@code struct files_struct *files}. */
    public HeapFilesStruct files;
    /** {@code struct io_uring_task *io_uring}. */
    public Object ioUring;
    /** {@code struct nsproxy *nsproxy}, changed under {@link #allocLock}. */
    public volatile HeapNsproxy nsproxy;
    /**
     * {@code struct signal_struct *signal} (see {@link #signal()}): pid.c reads its pids, the fs
     * room its rlimits (alloc_fd's RLIMIT_NOFILE), the signal room the rest.
     */
    public HeapSignalStruct signal;
    /** {@code struct sighand_struct *sighand} (RCU-published: lock_task_sighand reads it again under the lock). */
    public volatile HeapSighandStruct sighand;
    /** {@code sigset_t blocked}. */
    public long blocked;
    /** {@code sigset_t real_blocked}. */
    public long realBlocked;
    /** {@code struct sigpending pending}: the signals sent to this thread alone. */
    public final HeapSigpending pending = new HeapSigpending();
    /** {@code struct callback_head *task_works}. */
    public Object taskWorks;
    /** {@code struct audit_context *audit_context}. */
    public Object auditContext;
    /** {@code kuid_t loginuid}. */
    public int loginuid;
    /** {@code unsigned int sessionid}. */
    public int sessionid;
    /** {@code seccomp.mode}. */
    public int seccompMode;
    /** {@code seccomp.filter}: no filters exist in the model. */
    public Object seccompFilter;
    /** {@code u64 parent_exec_id}. */
    public long parentExecId;
    /** {@code u64 self_exec_id}. */
    public volatile long selfExecId;
    /** {@code spinlock_t alloc_lock}: task_lock. */
    public final HeapSpinlock allocLock = new HeapSpinlock();
    /** {@code raw_spinlock_t pi_lock}. */
    public final HeapSpinlock piLock = new HeapSpinlock();
    /** {@code wake_q.next}. */
    public HeapTask wakeQNext;
    /** {@code struct rb_root_cached pi_waiters}. */
    public HeapRbRootCached piWaiters;
    /** {@code struct task_struct *pi_top_task}. */
    public HeapTask piTopTask;
    /** {@code struct rt_mutex_waiter *pi_blocked_on}. */
    public Object piBlockedOn;
    /** {@code void *journal_info}. */
    public Object journalInfo;
    /** {@code struct io_context *io_context}. */
    public HeapIoContext ioContext;
    /** {@code struct capture_control *capture_control}. */
    public Object captureControl;
    /** {@code ioac.rchar}. */
    public long ioacRchar;
    /** {@code ioac.wchar}. */
    public long ioacWchar;
    /** {@code ioac.syscr}. */
    public long ioacSyscr;
    /** {@code ioac.syscw}. */
    public long ioacSyscw;
    /** {@code ioac.read_bytes}. */
    public long ioacReadBytes;
    /** {@code ioac.write_bytes}. */
    public long ioacWriteBytes;
    /** {@code ioac.cancelled_write_bytes}. */
    public long ioacCancelledWriteBytes;
    /** {@code u64 acct_rss_mem1}. */
    public long acctRssMem1;
    /** {@code u64 acct_vm_mem1}. */
    public long acctVmMem1;
    /** {@code u64 acct_timexpd}. */
    public long acctTimexpd;
    /** {@code nodemask_t mems_allowed}. */
    public long memsAllowed;
    /** {@code mems_allowed_seq.seqcount.sequence}. */
    public int memsAllowedSeq;
    /** {@code int cpuset_mem_spread_rotor}. */
    public int cpusetMemSpreadRotor;
    /** {@code int cpuset_slab_spread_rotor}. */
    public int cpusetSlabSpreadRotor;
    /** {@code struct css_set *cgroups}. */
    public volatile HeapCssSet cgroups;
    /** {@code struct list_head cg_list}: on cgroups->tasks, under css_set_lock. */
    public final Link cgList = new Link(this);
    /** {@code struct list_head perf_event_list}. */
    public final HeapIntrusiveList perfEventList = new HeapIntrusiveList();
    /** {@code struct mempolicy *mempolicy}: no policies exist in the model. */
    public Object mempolicy;
    /** {@code struct rseq __user *rseq}: the registered rseq area, a user address (0: none). */
    public long rseq;
    /** {@code unsigned long rseq_event_mask}. */
    public long rseqEventMask;
    /** {@code u32 rseq_sig}. */
    public int rseqSig;
    /** {@code unsigned long min_flt}. */
    public long minFlt;
    /** {@code unsigned long maj_flt}. */
    public long majFlt;
    /** {@code unsigned long nvcsw}. */
    public long nvcsw;
    /** {@code unsigned long nivcsw}. */
    public long nivcsw;
    /** {@code u64 start_time}. */
    public long startTime;
    /** {@code u64 start_boottime}. */
    public long startBoottime;
    /** {@code unsigned long sas_ss_sp}. */
    public long sasSsSp;
    /** {@code size_t sas_ss_size}. */
    public long sasSsSize;
    /** {@code unsigned int sas_ss_flags}. */
    public int sasSsFlags;
    /** {@code thread.fsbase}. */
    public long threadFsbase;
    /** {@code refcount_t rcu_users} (in a union with {@code rcu}); through {@link #RCU_USERS}. */
    volatile int rcuUsers;
    /** {@code struct pipe_inode_info *splice_pipe}. */
    public Object splicePipe;
    /** {@code task_frag.page}. */
    public Object taskFragPage;
    /** {@code struct task_delay_info *delays}. */
    public HeapTaskDelayInfo delays;
    /** {@code int nr_dirtied}. */
    public int nrDirtied;
    /** {@code int nr_dirtied_pause}. */
    public int nrDirtiedPause;
    /** {@code unsigned long dirty_paused_when}. */
    public long dirtyPausedWhen;
    /** {@code u64 timer_slack_ns}. */
    public long timerSlackNs;
    /** {@code u64 default_timer_slack_ns}. */
    public long defaultTimerSlackNs;
    /** {@code struct mem_cgroup *active_memcg}. */
    public Object activeMemcg;
    /** {@code int pagefault_disabled}. */
    public int pagefaultDisabled;
    /** {@code refcount_t stack_refcount}; changed only through {@link #STACK_REFCOUNT}. */
    volatile int stackRefcount;
    /** {@code void *security}. */
    public Object security;
    /** {@code kretprobe_instances.first}. */
    public Object kretprobeInstances;
    /** {@code thread.fpu.last_cpu}. */
    public int fpuLastCpu;

    /** A zeroed task, as kmem_cache_zalloc would give: running, no stack, every count 0. */
    public HeapTask() {
        for (int type = 0; type < pidLinks.length; type++) {
            pidLinks[type] = new PidLink(this);
        }
    }

    /**
     * arch_dup_task_struct's {@code memcpy(dst, src, arch_task_struct_size)}: every plain field of
     * {@code src}, and the contents of the embedded arrays, into this task. The embedded lists and
     * locks are left as they are (see the class comment).
     */
    void copyFrom(HeapTask src) {
        // (the rcu head shares a union with rcu_users in C; it means something only once
        // rcu_users is zero, which the parent's is not, so the copy has nothing to carry)
        threadInfoFlags = src.threadInfoFlags;
        threadInfoSyscallWork = src.threadInfoSyscallWork;
        state = src.state;
        stack = src.stack;
        usage = src.usage;
        flags = src.flags;
        ptrace = src.ptrace;
        onCpu = src.onCpu;
        wakeEntryUFlags = src.wakeEntryUFlags;
        cpu = src.cpu;
        recentUsedCpu = src.recentUsedCpu;
        wakeCpu = src.wakeCpu;
        onRq = src.onRq;
        prio = src.prio;
        staticPrio = src.staticPrio;
        normalPrio = src.normalPrio;
        rtPriority = src.rtPriority;
        schedClass = src.schedClass;
        seLoadWeight = src.seLoadWeight;
        seLoadInvWeight = src.seLoadInvWeight;
        seOnRq = src.seOnRq;
        seExecStart = src.seExecStart;
        seSumExecRuntime = src.seSumExecRuntime;
        seVruntime = src.seVruntime;
        sePrevSumExecRuntime = src.sePrevSumExecRuntime;
        seNrMigrations = src.seNrMigrations;
        seCfsRq = src.seCfsRq;
        rtTimeout = src.rtTimeout;
        rtTimeSlice = src.rtTimeSlice;
        rtOnRq = src.rtOnRq;
        rtOnList = src.rtOnList;
        dlRuntime = src.dlRuntime;
        dlDeadline = src.dlDeadline;
        dlPeriod = src.dlPeriod;
        dlBw = src.dlBw;
        dlDensity = src.dlDensity;
        dlFlags = src.dlFlags;
        dlThrottled = src.dlThrottled;
        dlYielded = src.dlYielded;
        dlNonContending = src.dlNonContending;
        dlOverrun = src.dlOverrun;
        dlPiSe = src.dlPiSe;
        btraceSeq = src.btraceSeq;
        policy = src.policy;
        nrCpusAllowed = src.nrCpusAllowed;
        cpusPtr = src.cpusPtr;
        System.arraycopy(src.cpusMask, 0, cpusMask, 0, cpusMask.length);
        migrationPending = src.migrationPending;
        migrationDisabled = src.migrationDisabled;
        schedInfoPcount = src.schedInfoPcount;
        schedInfoRunDelay = src.schedInfoRunDelay;
        schedInfoLastArrival = src.schedInfoLastArrival;
        schedInfoLastQueued = src.schedInfoLastQueued;
        pushableTasksPrio = src.pushableTasksPrio;
        mm = src.mm;
        deadNext = src.deadNext; // ptrace_entry's words, copied as memcpy does (null in a live task)
        activeMm = src.activeMm;
        rssStatEvents = src.rssStatEvents;
        System.arraycopy(src.rssStatCount, 0, rssStatCount, 0, rssStatCount.length);
        exitState = src.exitState;
        exitCode = src.exitCode;
        exitSignal = src.exitSignal;
        pdeathSignal = src.pdeathSignal;
        jobctl = src.jobctl;
        schedResetOnFork = src.schedResetOnFork;
        restartBlockFn = src.restartBlockFn;
        pid = src.pid;
        threadPid = src.threadPid;
        tgid = src.tgid;
        stackCanary = src.stackCanary;
        realParent = src.realParent;
        parent = src.parent;
        groupLeader = src.groupLeader;
        vforkDone = src.vforkDone;
        setChildTid = src.setChildTid;
        clearChildTid = src.clearChildTid;
        pfIoWorker = src.pfIoWorker;
        utime = src.utime;
        stime = src.stime;
        gtime = src.gtime;
        prevCputimeUtime = src.prevCputimeUtime;
        prevCputimeStime = src.prevCputimeStime;
        System.arraycopy(src.posixCputimersNextevt, 0, posixCputimersNextevt, 0, posixCputimersNextevt.length);
        posixCputimersTimersActive = src.posixCputimersTimersActive;
        posixCputimersExpiryActive = src.posixCputimersExpiryActive;
        realCred = src.realCred;
        cred = src.cred;
        comm = src.comm;
        fs = src.fs;
        files = src.files;
        ioUring = src.ioUring;
        nsproxy = src.nsproxy;
        signal = src.signal;
        sighand = src.sighand;
        blocked = src.blocked;
        realBlocked = src.realBlocked;
        pending.signal = src.pending.signal;
        taskWorks = src.taskWorks;
        auditContext = src.auditContext;
        loginuid = src.loginuid;
        sessionid = src.sessionid;
        seccompMode = src.seccompMode;
        seccompFilter = src.seccompFilter;
        parentExecId = src.parentExecId;
        selfExecId = src.selfExecId;
        wakeQNext = src.wakeQNext;
        piWaiters = src.piWaiters;
        piTopTask = src.piTopTask;
        piBlockedOn = src.piBlockedOn;
        journalInfo = src.journalInfo;
        ioContext = src.ioContext;
        captureControl = src.captureControl;
        ioacRchar = src.ioacRchar;
        ioacWchar = src.ioacWchar;
        ioacSyscr = src.ioacSyscr;
        ioacSyscw = src.ioacSyscw;
        ioacReadBytes = src.ioacReadBytes;
        ioacWriteBytes = src.ioacWriteBytes;
        ioacCancelledWriteBytes = src.ioacCancelledWriteBytes;
        acctRssMem1 = src.acctRssMem1;
        acctVmMem1 = src.acctVmMem1;
        acctTimexpd = src.acctTimexpd;
        memsAllowed = src.memsAllowed;
        memsAllowedSeq = src.memsAllowedSeq;
        cpusetMemSpreadRotor = src.cpusetMemSpreadRotor;
        cpusetSlabSpreadRotor = src.cpusetSlabSpreadRotor;
        cgroups = src.cgroups;
        mempolicy = src.mempolicy;
        rseq = src.rseq;
        rseqEventMask = src.rseqEventMask;
        rseqSig = src.rseqSig;
        minFlt = src.minFlt;
        majFlt = src.majFlt;
        nvcsw = src.nvcsw;
        nivcsw = src.nivcsw;
        startTime = src.startTime;
        startBoottime = src.startBoottime;
        sasSsSp = src.sasSsSp;
        sasSsSize = src.sasSsSize;
        sasSsFlags = src.sasSsFlags;
        threadFsbase = src.threadFsbase;
        rcuUsers = src.rcuUsers;
        splicePipe = src.splicePipe;
        taskFragPage = src.taskFragPage;
        delays = src.delays;
        nrDirtied = src.nrDirtied;
        nrDirtiedPause = src.nrDirtiedPause;
        dirtyPausedWhen = src.dirtyPausedWhen;
        timerSlackNs = src.timerSlackNs;
        defaultTimerSlackNs = src.defaultTimerSlackNs;
        activeMemcg = src.activeMemcg;
        pagefaultDisabled = src.pagefaultDisabled;
        stackRefcount = src.stackRefcount;
        security = src.security;
        kretprobeInstances = src.kretprobeInstances;
        fpuLastCpu = src.fpuLastCpu;
    }

    /** {@code tsk->state}. */
    public long state() {
        return state;
    }

    /** Sets {@code tsk->state}. */
    public void setState(long state) {
        this.state = state;
    }

    /** {@code tsk->stack}: the stack, or null. */
    public byte[] stack() {
        return stack;
    }

    /** {@code refcount_read(&tsk->stack_refcount)}. */
    public int stackRefcount() {
        return stackRefcount;
    }

    /** {@code refcount_set(&tsk->stack_refcount, n)}. */
    public void setStackRefcount(int n) {
        stackRefcount = n;
    }

    /** Sets {@code tsk->stack} (a static's initializer: init_task's init_stack). */
    public void setStack(byte[] stack) {
        this.stack = stack;
    }

    /** {@code refcount_set(&tsk->usage, n)} (REFCOUNT_INIT of a static). */
    public void setUsage(int n) {
        usage = n;
    }

    /** {@code refcount_read(&tsk->usage)}. */
    public int usage() {
        return usage;
    }

    /** {@code refcount_read(&tsk->rcu_users)}. */
    public int rcuUsers() {
        return rcuUsers;
    }

    /**
     * refcount_inc(&tsk->usage) (get_task_struct).
     *
     * @throws IllegalStateException when usage is 0 (the task is being freed)
     */
    public void usageInc() {
        for (;;) {
            final int c = usage;
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: get_task_struct on usage " + c + " (task " + this + ")");
            }
            if (USAGE.compareAndSet(this, c, c + 1)) {
                return;
            }
        }
    }

    /**
     * refcount_dec_and_test(&tsk->usage).
     *
     * @throws IllegalStateException when usage is already 0
     */
    public boolean usageDecAndTest() {
        return decAndTest(USAGE, "usage");
    }

    /**
     * refcount_dec_and_test(&tsk->rcu_users).
     *
     * @throws IllegalStateException when rcu_users is already 0
     */
    public boolean rcuUsersDecAndTest() {
        return decAndTest(RCU_USERS, "rcu_users");
    }

    private boolean decAndTest(VarHandle h, String what) {
        for (;;) {
            final int c = (int) h.getVolatile(this);
            if (c <= 0) {
                throw new IllegalStateException("refcount_t: put of " + what + " " + c + " (task " + this + ")");
            }
            if (h.compareAndSet(this, c, c - 1)) {
                return c == 1;
            }
        }
    }

    /** {@code thread_info.flags}, read volatile. */
    public long threadInfoFlags() {
        return threadInfoFlags;
    }

    /** set_tsk_thread_flag: an atomic set_bit. */
    public void setTskThreadFlag(int flag) {
        long old;
        do {
            old = threadInfoFlags;
        } while ((old & (1L << flag)) == 0 && !THREAD_INFO_FLAGS.compareAndSet(this, old, old | (1L << flag)));
    }

    /** test_and_set_tsk_thread_flag: an atomic test_and_set_bit; true if the flag was set already. */
    public boolean testAndSetTskThreadFlag(int flag) {
        long old;
        do {
            old = threadInfoFlags;
            if ((old & (1L << flag)) != 0) {
                return true;
            }
        } while (!THREAD_INFO_FLAGS.compareAndSet(this, old, old | (1L << flag)));
        return false;
    }

    /** clear_tsk_thread_flag: an atomic clear_bit. */
    public void clearTskThreadFlag(int flag) {
        long old;
        do {
            old = threadInfoFlags;
        } while ((old & (1L << flag)) != 0 && !THREAD_INFO_FLAGS.compareAndSet(this, old, old & ~(1L << flag)));
    }

    /** test_tsk_thread_flag. */
    public boolean testTskThreadFlag(int flag) {
        return (threadInfoFlags & (1L << flag)) != 0;
    }

    /** {@code tsk->pid}. */
    public int pid() {
        return pid;
    }

    /** {@code WRITE_ONCE(tsk->pid, nr)}. */
    public void setPid(int nr) {
        pid = nr;
    }

    /** cmpxchg(&amp;exit_state, expected, update): wait_task_zombie's claim on a zombie. */
    public boolean compareAndSetExitState(int expected, int update) {
        return EXIT_STATE.compareAndSet(this, expected, update);
    }

    /** {@code rcu_dereference(tsk->thread_pid)}. */
    public HeapPid threadPid() {
        return threadPid;
    }

    /** {@code rcu_assign_pointer(tsk->thread_pid, pid)}. */
    public void setThreadPid(HeapPid pid) {
        threadPid = pid;
    }

    /** {@code &tsk->pid_links[type]}. */
    public PidLink pidLink(int type) {
        return pidLinks[type];
    }

    /** {@code tsk->signal}. */
    public HeapSignalStruct signal() {
        return signal;
    }

    /** {@code tsk->signal = sig}. */
    public void setSignal(HeapSignalStruct sig) {
        signal = sig;
    }

    /** The ERR_PTR sentinels of the functions that return a task (copy_process). */
    private static final class Err extends HeapTask implements ErrPtr.Value {
        private final int errno;

        Err(int errno) {
            this.errno = errno;
        }

        @Override
        public int errno() {
            return errno;
        }

        @Override
        public String toString() {
            return "ERR_PTR(-" + Errno.name(errno) + ")";
        }
    }

    private static final ErrPtr.Sentinels<HeapTask> ERR_PTRS = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR for the functions that return a task: the sentinel of {@code err} (negative). */
    public static HeapTask errPtr(int err) {
        return ERR_PTRS.of(err);
    }
}
