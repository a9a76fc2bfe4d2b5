package org.kfork.kernel;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;

import org.kfork.api.ProcEventListener;

import org.kfork.alloc.Cpus;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.PerCpuCounter;
import org.kfork.ds.Idr;
import org.kfork.fs.Fdtables;
import org.kfork.kernel.crash.CrashCore;
import org.kfork.kernel.block.BlkIoc;
import org.kfork.kernel.cred.Creds;
import org.kfork.kernel.delayacct.Delayacct;
import org.kfork.kernel.exit.Exit;
import org.kfork.kernel.fork.ForkFiles;
import org.kfork.kernel.fork.ForkInit;
import org.kfork.kernel.fork.ForkSignal;
import org.kfork.kernel.fork.ForkTask;
import org.kfork.kernel.fs.AnonInodes;
import org.kfork.kernel.fs.FileTable;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.fs.FsStructs;
import org.kfork.kernel.fs.Inodes;
import org.kfork.kernel.fs.Paths;
import org.kfork.kernel.init.InitTask;
import org.kfork.kernel.lib.RadixTreeNodes;
import org.kfork.kernel.cgroup.Cgroups;
import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.kernel.nsproxy.Nsproxies;
import org.kfork.kernel.pid.PidNamespaces;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.rcu.Rcu;
import org.kfork.kernel.signal.Signal;
import org.kfork.kernel.signal.SignalExterns;
import org.kfork.kernel.sched.SchedCore;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.FailSlab;
import org.kfork.mm.KernelLog;
import org.kfork.mm.KmallocSizes;
import org.kfork.nsproxy.ProcInums;
import org.kfork.panic.Panic;
import org.kfork.sched.CallRcuToken;
import org.kfork.sched.IdleKick;
import org.kfork.sched.Limits;

/**
 * The kernel's global state on one machine: what 5.12 keeps in static variables, in .data and .bss,
 * gathered in one object that every ported function takes as its first parameter ({@code g}).
 *
 * <ul>
 *   <li>The machine underneath: its RAM, the slab allocator ({@link #kmem}) and the CPUs.</li>
 *   <li>The kernel image ({@link #image}): RAM holding the statics (init_task and its friends), so
 *       that they have modeled addresses like everything else.</li>
 *   <li>Each room's caches and statics, set once by the room's init step during {@link #boot}, in
 *       the order of 5.12's start_kernel.</li>
 *   <li>The locks that are globals in 5.12 ({@link #tasklistLock}) and the counters they guard.</li>
 * </ul>
 *
 * <p>Room state is in public fields named as the kernel names its globals (camelCase), each with
 * the lock that guards it; fields set at boot are written once, before any system call, and read
 * without a lock afterwards (boot happens-before every call through the thread that publishes the
 * kernel).
 */
public final class Globals implements AutoCloseable {
    /** The seed of {@link #random} when the caller gives none: runs are deterministic by default. */
    public static final long DEFAULT_SEED = 0x6b666f726bL; // "kfork"

    /** The machine this kernel runs on. */
    public final Machine machine;
    /** The slab allocator, per-CPU areas and CPUs of the machine. */
    public final Kmem kmem;
    /** The modeled CPUs. */
    public final Cpus cpus;
    /** RAM for the statics. */
    public final KernelImage image;
    /** VMCOREINFO (kernel/crash_core.c): what an image of this machine's RAM needs to be read. */
    public final CrashCore crash;
    /** The kmalloc caches (create_kmalloc_caches) and kmalloc_large's blocks: see {@link #kmalloc}. */
    public final Kmalloc kmallocCaches;
    /** fork_init and proc_caches_init: the task_struct cache, max_threads, fork.c's caches, the stacks. */
    public final ForkInit forkInit;
    /** fs/inode.c: the inode cache and get_next_ino. */
    public final Inodes inodes;
    /** fs/file_table.c: the filp cache, nr_files and files-max; the lifetime of every struct file. */
    public final FileTable fileTable;
    /** fs/namespace.c's rootfs mount (a {@code struct mount}): the mount of every path (see Paths). */
    public final long rootMount;
    /**
     * sysctl fs.nr_open (sysctl_nr_open): the most descriptors a table may have (1024 * 1024 by
     * default), so also the ceiling of RLIMIT_NOFILE's hard limit (do_prlimit).
     */
    public volatile int sysctlNrOpen = Fdtables.SYSCTL_NR_OPEN;
    /** The RCU token of the calling thread's call (the syscall layer's), for zap_pid_ns_processes' sleeps. */
    public volatile CallRcuToken callRcuToken = CallRcuToken.NONE;
    /** kernel/panic.c: whether the kernel panicked (then every call is refused). */
    public final Panic panic = new Panic();
    /** Whether a signal was sent since the last walk for tasks outside any call to exit (kick_process). */
    public final IdleKick idleKick = new IdleKick();
    /** free_fdtable_rcu's kernel-text address (call_rcu of a replaced fdtable). */
    public final long freeFdtableRcuFn;
    /** block/blk-ioc.c's iocontext_cachep. */
    public final KmemCache iocontextCachep;
    /** ioc_release_fn's kernel-text address (an io_context's release work). */
    public final long iocReleaseFn;
    /** fs/anon_inodes.c's anon_inode_inode: the one inode of every anonymous file. */
    public final long anonInodeInode;
    /** kernel/fork.c's pidfd_fops (release only). */
    public final long pidfdFops;
    /**
     * put_pid (kernel/pid.c), which pidfd_release calls: Pids.putPid from boot on; a test may put
     * an observer in its place.
     */
    public volatile LongConsumer putPid;
    /** The mm half: mm and VMA caches, anon_vma caches, overcommit, init_mm, the mm work queue. */
    public final OffHeapMmSystem mm;
    /** RCU: call_rcu, grace periods at system-call boundaries, rcu_barrier (one per machine). */
    public final Rcu rcu;
    /** The failslab injector every allocation of the kernel asks first (shared with the mm half). */
    public final FailSlab failSlab;
    /** The kernel log (printk). */
    public final KernelLog log;
    /**
     * The kernel's random source (get_random_canary...), seeded so that the same run gives the
     * same bytes. Boot-time and fork-time use only; each draw holds the source's monitor
     * (get_random_canary: InitTask.randomCanary).
     */
    public final SplittableRandom random;

    /**
     * tasklist_lock: 5.12's global rwlock over the process tree (tasks list, children and
     * sibling lists, thread groups, parents, pid attachment). It lives in .data in the kernel;
     * here it is a Java lock beside the other globals, fair so that a writer (fork, exit) is not
     * starved by readers (wait, kill).
     */
    public final ReentrantReadWriteLock tasklistLock = new ReentrantReadWriteLock(true);

    /** sigqueue_cachep (kernel/signal.c, signals_init). */
    public final KmemCache sigqueueCachep;
    /**
     * The functions of other files kernel/signal.c calls (pid.c, user.c, capability.c, the
     * scheduler's wake-ups, exit.c's __wake_up_parent), registered by whoever assembles the kernel
     * before the first signal is sent; null until then.
     */
    public volatile SignalExterns signalExterns;

    /** nr_threads: tasks in the system, the idle tasks excepted. Guarded by tasklist_lock (write). */
    public int nrThreads;
    /** total_forks: processes and threads created since boot. Guarded by tasklist_lock (write). */
    public long totalForks;

    // ---- the task core: init/init_task.c, kernel/fork.c's task lifetime, kernel/sched/core.c ----

    /** &init_task: the static task_struct of CPU 0's idle task, in the kernel image (InitTask). */
    public long initTask;
    /** init_stack: init_task's THREAD_SIZE stack, a static of the image (not a vmalloc area). */
    public long initStack;
    /**
     * kernel/smpboot.c's per-CPU idle_threads: the idle task fork_idle made for each CPU but the
     * boot CPU (whose idle task is init_task), 0 until made (ForkThreads.idleThreadsInit).
     */
    public final long[] idleThreads;
    /**
     * The five sched_class descriptors (kernel/sched/sched.h), one after the other in the image
     * in 5.12's link order, lowest class first: idle, fair, rt, dl, stop (SchedCore.schedInit).
     */
    public long idleSchedClass;
    /** &fair_sched_class. */
    public long fairSchedClass;
    /** &rt_sched_class. */
    public long rtSchedClass;
    /** &dl_sched_class. */
    public long dlSchedClass;
    /** &stop_sched_class. */
    public long stopSchedClass;
    /**
     * rq->nr_running of each CPU: the model has no run queues, only their counts
     * (activate_task / deactivate_task, SchedCore).
     */
    public PerCpuCounter nrRunning;
    /** delayacct_cache: the task_delay_info cache (kernel/delayacct.c, Delayacct.delayacctInit). */
    public KmemCache delayacctCache;
    /** __delayed_free_task's kernel-text address (the RCU callback of delayed_free_task). */
    public long delayedFreeTaskFn;
    /** delayed_put_task_struct's kernel-text address (kernel/exit.c, Exit.exitInit). */
    public long delayedPutTaskStructFn;
    /** free_task's WARN_ON_ONCE (a stack still referenced) has fired. */
    public volatile boolean freeTaskStackWarned;
    /**
     * sched.Wait's kernel-wide monitor: the one lock a sleeper parks on. It is the innermost
     * lock of the kernel: nothing is taken while it is held (see Wait).
     */
    public final Object waitMonitor = new Object();
    /** sched.Wait's wake-up sequence: bumped under {@link #waitMonitor} by every wake-up. */
    public volatile long waitWakeups;

    // ---- the statics of the other rooms init_task points at (set by their boot steps) ----

    /** &init_fs (fs/fs_struct.c): root and pwd at the root of {@link #rootMount} (FsStructs.initFs). */
    public long initFs;
    /** &init_files (fs/file.c): one user, the embedded table (Files.initFiles). */
    public long initFiles;
    /** &init_signals (init/init_task.c, the signal room). */
    public long initSignals;
    /** &init_sighand (init/init_task.c, the signal room). */
    public long initSighand;
    /** &init_struct_pid: the pid of init_task (number 0 in init_pid_ns), a static of kernel/pid.c. */
    public long initStructPid;

    // ---- kernel/fork.c's own globals (org.kfork.kernel.fork.Fork) ----

    /** oom_adj_mutex (copy_oom_score_adj): a mutex of .data, kept Java-side. */
    public final Object oomAdjMutex = new Object();
    /** The process-event listeners (drivers/connector/cn_proc.c), copy-on-write. */
    public volatile ProcEventListener[] procEventListeners = new ProcEventListener[0];
    /** The machine's boot, in System.nanoTime: ktime_get_ns counts from it. */
    private final long bootNanos = System.nanoTime();

    // ---- the steps of __put_task_struct other rooms implement (set by their boot steps) ----

    /** cgroup_free(tsk): put_css_set of the task's css_set (kernel/cgroup). */
    public LongConsumer cgroupFree;
    /** exit_creds(tsk) (kernel/cred.c; Creds.exitCreds, set at boot; tests may observe it). */
    public LongConsumer exitCreds;
    /** put_signal_struct(tsk->signal) (kernel/fork.c's signal half). */
    public LongConsumer putSignalStruct;

    // ---- kernel/cred.c, kernel/user.c, kernel/ucount.c (org.kfork.kernel.cred; Creds.credInit) ----

    /** cred_jar: the cache of struct cred. */
    public KmemCache credJar;
    /** put_cred_rcu's address in the kernel text (the RCU callback that frees a cred). */
    public long putCredRcu;
    /** &init_groups: the empty group_info of init_cred (static). */
    public long initGroups;
    /** &init_cred: the credentials of init_task (static). */
    public long initCred;
    /** &root_user: the user_struct of uid 0, INIT_USER (static). */
    public long rootUser;
    /** &init_user_ns: the only user namespace with CONFIG_USER_NS off (static). */
    public long initUserNs;
    /** uid_cachep: the cache of struct user_struct. */
    public KmemCache uidCachep;
    /** uidhash_table: 128 hlist_heads in the kernel image, guarded by {@link #uidhashLock}. */
    public long uidhashTable;
    /** &uidhash_lock: a spinlock_t in the kernel image. */
    public long uidhashLock;
    /** ucounts_hashtable: 1024 hlist_heads in the kernel image, guarded by {@link #ucountsLock}. */
    public long ucountsHashtable;
    /** &ucounts_lock: a spinlock_t in the kernel image. */
    public long ucountsLock;

    // ---- kernel/nsproxy.c and the namespaces (org.kfork.kernel.nsproxy; Nsproxies.nsproxyInit) ----

    /** proc_inum_ida: the inode numbers of namespaces made after boot. */
    public final ProcInums procInums = new ProcInums();
    /** nsproxy_cachep. */
    public KmemCache nsproxyCachep;
    /** uts_ns_cache. */
    public KmemCache utsNsCache;
    /** net_cachep ("net_namespace"). */
    public KmemCache netCachep;
    /** &init_nsproxy: init_task's namespaces (static). */
    public long initNsproxy;
    /** &init_uts_ns (static). */
    public long initUtsNs;
    /** &init_ipc_ns (static). */
    public long initIpcNs;
    /** &init_time_ns (static). */
    public long initTimeNs;
    /** &init_cgroup_ns (static). */
    public long initCgroupNs;
    /** &css_set_lock (kernel/cgroup/cgroup.c): a spinlock_t in the kernel image. */
    public long cssSetLock;
    /** &init_css_set: the css_set of every task in the model (static). */
    public long initCssSet;
    /** &init_net: the initial network namespace (static). */
    public long initNet;
    /** &offset_lock of kernel/time/namespace.c (a mutex in 5.12; nothing sleeps under it here). */
    public long timensOffsetLock;
    /** mnt_ns_seq: the sequence numbers of mount namespaces (atomic64, starts at 1). */
    public final AtomicLong mntNsSeq = new AtomicLong(1);
    /**
     * &init_pid_ns: the pid room's static (kernel/pid.c), set by its boot step before
     * Nsproxies.nsproxyInit reads it into init_nsproxy; 0 until that room is wired in.
     */
    public long initPidNs;
    private boolean closed;

    // ---- lib/radix-tree.c, lib/idr.c (radix_tree_init) ----

    /** The radix_tree_node cache and the RCU-deferred node free every IDR of the kernel uses. */
    public final RadixTreeNodes radixTreeNodes;
    /** The IDR implementation over {@link #radixTreeNodes}: one serves every {@code struct idr}. */
    public final Idr idr;

    // ---- kernel/pid.c (Pids.pidIdrInit) and kernel/pid_namespace.c (PidNamespaces.pidNamespacesInit) ----

    /**
     * pid_max: sysctl kernel.pid_max. Read without a lock by alloc_pid, as 5.12 reads the plain
     * global; written by the sysctl within [pid_max_min, pid_max_max].
     */
    public volatile int pidMax;
    /** pid_max_min: the sysctl's floor, set at boot. */
    public int pidMaxMin;
    /** pid_max_max: the sysctl's ceiling, PID_MAX_LIMIT. */
    public int pidMaxMax;
    /**
     * pidmap_lock: the spinlock_t static (cache-line aligned in the image) that guards every pid
     * namespace's IDR and pid_allocated. The innermost lock of the task half.
     */
    public long pidmapLock;
    /** init_pid_ns.pid_cachep: the "pid" cache (pids of level 0). */
    public KmemCache pidCachep;
    /**
     * pid_namespace.c's pid_cache[]: the "pid_N" cache of each level 1..MAX_PID_NS_LEVEL (index
     * level - 1), created on first use and never changed (write once, read with READ_ONCE).
     */
    public final AtomicReferenceArray<KmemCache> pidCache = new AtomicReferenceArray<>(Limits.MAX_PID_NS_LEVEL);
    /** pid_caches_mutex: serialises the creation of the pid_N caches. */
    public final Object pidCachesMutex = new Object();
    /** pid_ns_cachep: the "pid_namespace" cache. */
    public KmemCache pidNsCachep;
    /** delayed_put_pid's address in the kernel text (free_pid's call_rcu). */
    public long delayedPutPid;
    /** delayed_free_pidns's address in the kernel text (destroy_pid_namespace's call_rcu). */
    public long delayedFreePidns;
    /**
     * wake_up_process, as free_pid calls it on a namespace's child reaper when only the reaper is
     * left (it may sleep in zap_pid_ns_processes). The scheduler's room sets it; until then
     * nobody sleeps and it does nothing. Called with pidmap_lock held: it must not block.
     */
    public volatile LongConsumer wakeUpProcess = task -> { };

    private Globals(Machine machine, long seed) {
        this.machine = machine;
        // the VMCOREINFO block first, so that it starts the RAM window where image readers look
        this.crash = CrashCore.reserve(machine);
        this.idleThreads = new long[machine.nrCpus()];
        this.kmem = Kmem.of(machine);
        this.cpus = kmem.cpus();
        this.random = new SplittableRandom(seed);
        this.image = new KernelImage(machine);
        // init_task, init_stack and the signal statics are data of the image, there before start_kernel runs
        InitTask.initTaskData(this);
        this.initSignals = ForkSignal.initSignals(image);
        this.initSighand = ForkSignal.initSighand(image);
        SchedCore.schedInit(this);
        this.failSlab = new FailSlab(); // every allocation site asks it, from the first cache on
        this.kmallocCaches = new Kmalloc(kmem);
        this.rcu = Rcu.of(machine);
        this.radixTreeNodes = RadixTreeNodes.radixTreeInit(this);
        this.idr = new Idr(radixTreeNodes);
        Creds.credInit(this);
        this.exitCreds = tsk -> Creds.exitCreds(this, tsk);
        this.forkInit = ForkInit.boot(kmem, initSignals, initUserNs);
        ForkTask.forkTaskInit(this);
        this.putSignalStruct = sig -> ForkSignal.putSignalStruct(this, sig);
        Exit.exitInit(this);
        // vfs_caches_init: inode_init, files_init, files_maxfiles_init, mnt_init's init_mount_tree
        // (before the mm model, whose shared anonymous maps and files stand on them)
        this.inodes = Inodes.inodeInit(kmem, failSlab);
        this.fileTable = FileTable.filesInit(kmem, failSlab, inodes);
        this.rootMount = Paths.initMountTree(this);
        this.initFs = FsStructs.initFs(this, rootMount);
        this.initFiles = Files.initFiles(this);
        this.freeFdtableRcuFn = rcu.register("free_fdtable_rcu", head -> Files.freeFdtableRcu(this, head));
        this.mm = OffHeapMmSystem.on(machine, forkInit, failSlab, fileTable);
        this.log = mm.log();
        this.sigqueueCachep = Signal.signalsInit(kmem);
        // pid_idr_init runs before fork_init in 5.12; here it follows it, because the kernel log
        // it prints to is the mm half's. Neither reads what the other sets up.
        Pids.pidIdrInit(this);
        Delayacct.delayacctInit(this);
        // an initcall in 5.12, after start_kernel: it reads fork_init's ucount limit
        PidNamespaces.pidNamespacesInit(this);
        Nsproxies.nsproxyInit(this);
        // initcalls: blk_ioc_init (subsys), anon_inode_init (fs); pidfd_fops is a static of fork.c
        this.iocontextCachep = BlkIoc.blkIocInit(this);
        this.iocReleaseFn = fileTable.text().register("ioc_release_fn", (BlkIoc.WorkFunc) BlkIoc::iocReleaseFn);
        this.anonInodeInode = AnonInodes.anonInodeInit(this);
        this.pidfdFops = ForkFiles.pidfdFopsInit(this);
        this.putPid = pid -> Pids.putPid(this, pid);
        Cgroups.cgroupInit(this);
        // last: init_task's pointers to the other rooms' statics, all set by now
        InitTask.initTaskLinks(this);
        crash.boot(this);
    }

    /**
     * ktime_get_ns: nanoseconds since boot, from the host's monotonic clock (the model has no
     * timer interrupt). Task start times only are stamped with it; nothing the model decides
     * depends on it, so runs stay deterministic.
     */
    public long ktimeGetNs() {
        return System.nanoTime() - bootNanos;
    }

    /** Boots a kernel on {@code machine} with the default seed. */
    public static Globals boot(Machine machine) {
        return boot(machine, DEFAULT_SEED);
    }

    /**
     * Boots a kernel on {@code machine}: the init steps of each room in 5.12's order. The machine
     * closes the kernel with itself, in reverse order of what boot created.
     */
    public static Globals boot(Machine machine, long seed) {
        Globals g = new Globals(machine, seed);
        machine.onClose(g);
        return g;
    }

    /**
     * kmem_cache_alloc on the caller's CPU, after asking the failslab injector: 0 when either
     * says no (callers turn that into -ENOMEM). The object is not zeroed.
     */
    public long alloc(KmemCache cachep) {
        return failSlab.shouldFail() ? 0 : cachep.alloc(cpus.current());
    }

    /** kmem_cache_zalloc: {@link #alloc}, zeroed. */
    public long zalloc(KmemCache cachep) {
        return failSlab.shouldFail() ? 0 : cachep.zalloc(cpus.current());
    }

    /** kmem_cache_free on the caller's CPU. */
    public void free(KmemCache cachep, long obj) {
        cachep.free(cpus.current(), obj);
    }

    /**
     * kmalloc: an object of at least {@code size} bytes from the smallest kmalloc cache that holds
     * it, or above 8 KiB a block of whole pages (kmalloc_large), after asking the failslab injector
     * (which stands for fail_page_alloc too); 0 on failure. Not zeroed.
     */
    public long kmalloc(long size) {
        if (size > KmallocSizes.KMALLOC_MAX_CACHE_SIZE) {
            return failSlab.shouldFail() ? 0 : kmallocCaches.kmallocLarge(size);
        }
        return alloc(kmallocCaches.cacheFor(size));
    }

    /** kzalloc: {@link #kmalloc}, zeroed. */
    public long kzalloc(long size) {
        if (size > KmallocSizes.KMALLOC_MAX_CACHE_SIZE) {
            final long p = kmalloc(size);
            if (p != 0) {
                Mem.zero(p, size);
            }
            return p;
        }
        return zalloc(kmallocCaches.cacheFor(size));
    }

    /**
     * kfree: gives a kmalloc'ed object back to its cache, or a kmalloc_large block to the page
     * allocator; NULL is fine. Anything else is an IllegalArgumentException and frees nothing.
     */
    public void kfree(long obj) {
        kmallocCaches.kfree(cpus.current(), obj);
    }

    /**
     * Tears down what boot built, in reverse order, after the RCU callbacks still queued, and those
     * they queue, have run (they free into the caches that are about to go: a pid's last put
     * queues its namespaces' frees). A second close does nothing (the machine closes its kernel too).
     *
     * <p>Every step runs even when an earlier one throws (a cache that still has objects reports a
     * leak): the first failure is thrown at the end, the later ones suppressed in it. A step left
     * out would leave its part running after the machine is gone, as the vfree_atomic worker did,
     * which then read RAM the next machine had taken.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        final Runnable[] steps = {
            rcu::quiesce,
            () -> AnonInodes.close(this),
            iocontextCachep::destroy,
            () -> Nsproxies.nsproxyClose(this),
            () -> PidNamespaces.close(this),
            () -> Delayacct.delayacctClose(this),
            () -> Pids.close(this),
            sigqueueCachep::destroy,
            mm::close,
            () -> FsStructs.closeInitFs(this, initFs),
            () -> Paths.closeMountTree(this, rootMount),
            fileTable::close,
            inodes::close,
            forkInit::close,
            () -> SchedCore.schedClose(this),
            () -> Creds.credClose(this),
            radixTreeNodes::close,
            kmallocCaches::close,
            image::close,
            crash::close,
        };
        RuntimeException first = null;
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
