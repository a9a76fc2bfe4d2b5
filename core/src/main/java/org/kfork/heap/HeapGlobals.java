package org.kfork.heap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

import org.kfork.cred.UcountTypes;
import org.kfork.fs.Fdtables;
import org.kfork.api.ProcEventListener;
import org.kfork.heap.cgroup.HeapCgroups;
import org.kfork.heap.cred.HeapCred;
import org.kfork.heap.cred.HeapCreds;
import org.kfork.heap.cred.HeapGroupInfo;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.heap.cred.HeapUserStruct;
import org.kfork.heap.delayacct.HeapDelayacct;
import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.ds.HeapIdr;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.fork.HeapForkFiles;
import org.kfork.heap.fork.HeapForkSignal;
import org.kfork.heap.fork.HeapForkTask;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.fork.HeapThreadStacks;
import org.kfork.heap.fs.HeapAnonInodes;
import org.kfork.heap.fs.HeapFdtable;
import org.kfork.heap.fs.HeapFileOperations;
import org.kfork.heap.fs.HeapFileTable;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.fs.HeapFilesStruct;
import org.kfork.heap.fs.HeapFsStruct;
import org.kfork.heap.fs.HeapFsStructs;
import org.kfork.heap.fs.HeapInode;
import org.kfork.heap.fs.HeapInodes;
import org.kfork.heap.fs.HeapPaths;
import org.kfork.heap.fs.HeapVfsmount;
import org.kfork.heap.init.HeapInitTask;
import org.kfork.heap.lib.HeapRadixTreeNodes;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.heap.mm.HeapMmSystem;
import org.kfork.heap.nsproxy.HeapCgroupNamespace;
import org.kfork.heap.nsproxy.HeapCssSet;
import org.kfork.heap.nsproxy.HeapIpcNamespace;
import org.kfork.heap.nsproxy.HeapNet;
import org.kfork.heap.nsproxy.HeapNsproxies;
import org.kfork.heap.nsproxy.HeapNsproxy;
import org.kfork.heap.nsproxy.HeapTimeNamespace;
import org.kfork.heap.nsproxy.HeapUtsNamespace;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.rcu.HeapRcu;
import org.kfork.heap.rcu.HeapRcuCallback;
import org.kfork.heap.sched.HeapNrRunning;
import org.kfork.heap.sched.HeapSchedCore;
import org.kfork.heap.signal.HeapSighandStruct;
import org.kfork.heap.signal.HeapSignal;
import org.kfork.heap.signal.HeapSignalExterns;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.mm.FailSlab;
import org.kfork.mm.KernelLog;
import org.kfork.mm.KmallocSizes;
import org.kfork.panic.Panic;
import org.kfork.sched.CallRcuToken;
import org.kfork.sched.IdleKick;
import org.kfork.smp.CurrentCpu;
import org.kfork.nsproxy.ProcInums;
import org.kfork.proc.Sysctls;
import org.kfork.sched.Limits;

/**
 * The heap twin of org.kfork.kernel.Globals: the kernel's global state as Java objects. The same
 * fields under the same names, the same boot order, the same locks; where the off-heap kernel keeps
 * a kmem_cache, the twin keeps a counter of live objects of that kind ({@link #alloc}/{@link #free}),
 * so that both kernels report the same object counts and the same leak check applies to both.
 */
public final class HeapGlobals implements AutoCloseable {
    /** The seed of {@link #random} when the caller gives none (the same as the off-heap kernel's). */
    public static final long DEFAULT_SEED = 0x6b666f726bL;

    /** The modeled machine's RAM in pages (what set_max_threads and overcommit read). */
    public final long totalramPages;
    /** nr_cpu_ids. */
    public final int nrCpus;
    /** fs/inode.c's twin. */
    public final HeapInodes inodes;
    /** fs/file_table.c's twin: the lifetime of every file. */
    public final HeapFileTable fileTable;
    /** The rootfs mount (see HeapPaths). */
    public final HeapVfsmount rootMount;
    /** init_fs. */
    public final HeapFsStruct initFs;
    /** init_files. */
    public final HeapFilesStruct initFiles;
    /** sysctl fs.nr_open (sysctl_nr_open): alloc_fdtable's ceiling and RLIMIT_NOFILE's (do_prlimit). */
    public volatile int sysctlNrOpen = Fdtables.SYSCTL_NR_OPEN;
    /** The RCU token of the calling thread's call (the syscall layer's), for zap_pid_ns_processes' sleeps. */
    public volatile CallRcuToken callRcuToken = CallRcuToken.NONE;
    /** kernel/panic.c: whether the kernel panicked (then every call is refused). */
    public final Panic panic = new Panic();
    /** Whether a signal was sent since the last walk for tasks outside any call to exit (kick_process). */
    public final IdleKick idleKick = new IdleKick();
    /** free_fdtable_rcu. */
    public final HeapRcuCallback freeFdtableRcuFn;
    /** The anonymous inode. */
    public final HeapInode anonInodeInode;
    /** pidfd_fops. */
    public final HeapFileOperations pidfdFops;
    /** put_pid, which pidfd_release calls: HeapPids.putPid from boot on (a test may observe it instead). */
    public volatile Consumer<Object> putPid;
    /** The kinds of fork.c's and block's caches the fs room allocates from. */
    public final int filesCache;
    /** fs_cache. */
    public final int fsCache;
    /** io_context. */
    public final int iocontextCache;
    /** The mm half's twin: counts, overcommit, init_mm, the work queue. */
    public final HeapMmSystem mm;
    /** RCU's heap twin. */
    public final HeapRcu rcu;
    /** The failslab injector (shared with the mm half). */
    public final FailSlab failSlab;
    /** The kernel log. */
    public final KernelLog log;
    /**
     * The seeded random source; same draws in the same order as the off-heap kernel's, each under
     * the source's monitor (HeapInitTask.randomCanary).
     */
    public final SplittableRandom random;
    /** tasklist_lock (see the off-heap twin). */
    public final ReentrantReadWriteLock tasklistLock = new ReentrantReadWriteLock(true);

    /** init_signals (init/init_task.c, the signal room). */
    public HeapSignalStruct initSignals;
    /** init_sighand (init/init_task.c, the signal room). */
    public HeapSighandStruct initSighand;
    /** max_threads: fork_init sets it (set_max_threads on this RAM), sysctl kernel.threads-max writes it. */
    public volatile int maxThreads;
    /** The sighand_cache kind (proc_caches_init). */
    public final int sighandKind;
    /** The signal_cache kind (proc_caches_init). */
    public final int signalKind;
    /** The sigqueue kind (signals_init). */
    public final int sigqueueKind;
    /** The functions of other files kernel/signal.c calls; null until the kernel is assembled. */
    public volatile HeapSignalExterns signalExterns;

    /** nr_threads. Guarded by tasklist_lock (write). */
    public int nrThreads;
    /** total_forks. Guarded by tasklist_lock (write). */
    public long totalForks;

    // ---- the task core (see the off-heap twin) ----

    /** init_task. */
    public HeapTask initTask;
    /** init_stack. */
    public byte[] initStack;
    /** smpboot's idle_threads (see the off-heap twin). */
    public final HeapTask[] idleThreads;
    /** rq->nr_running of each CPU. */
    public HeapNrRunning nrRunning;
    /** The task_struct kind (fork_init). */
    public int taskStructKind;
    /** The thread stacks with their per-CPU cache (fork_init). */
    public HeapThreadStacks stacks;
    /** The task_delay_info kind (delayacct_init). */
    public int delayacctKind;
    /** __delayed_free_task. */
    public HeapRcuCallback delayedFreeTaskFn;
    /** delayed_put_task_struct. */
    public HeapRcuCallback delayedPutTaskStructFn;
    /** free_task's WARN_ON_ONCE has fired. */
    public volatile boolean freeTaskStackWarned;
    /** HeapWait's kernel-wide monitor, the innermost lock. */
    public final Object waitMonitor = new Object();
    /** HeapWait's wake-up sequence, bumped under {@link #waitMonitor}. */
    public volatile long waitWakeups;

    // ---- the steps of __put_task_struct other rooms implement (set by their boot steps) ----

    /** cgroup_free(tsk). */
    public Consumer<HeapTask> cgroupFree;
    /** exit_creds(tsk) (HeapCreds.exitCreds, set at boot; tests may observe it). */
    public Consumer<HeapTask> exitCreds;
    /** put_signal_struct(tsk->signal), given the task (HeapTask's signal field is the signal room's). */
    public Consumer<HeapTask> putSignalStruct;

    // ---- kernel/cred.c, kernel/user.c, kernel/ucount.c (org.kfork.heap.cred; HeapCreds.credInit) ----

    /** The cred_jar kind. */
    public int credJar;
    /** put_cred_rcu, the RCU callback that frees a cred. */
    public HeapRcuCallback putCredRcu;
    /** init_groups. */
    public HeapGroupInfo initGroups;
    /** init_cred. */
    public HeapCred initCred;
    /** root_user (INIT_USER). */
    public HeapUserStruct rootUser;
    /** init_user_ns. */
    public HeapUserNamespace initUserNs;
    /** The uid_cache kind. */
    public int uidCache;
    /** uidhash_table, guarded by {@link #uidhashLock}. */
    public HeapHList.Head[] uidhashTable;
    /** uidhash_lock. */
    public final HeapSpinlock uidhashLock = new HeapSpinlock();
    /** ucounts_hashtable, guarded by {@link #ucountsLock}. */
    public HeapHList.Head[] ucountsHashtable;
    /** ucounts_lock. */
    public final HeapSpinlock ucountsLock = new HeapSpinlock();

    // ---- kernel/nsproxy.c and the namespaces (org.kfork.heap.nsproxy; HeapNsproxies.nsproxyInit) ----

    /** proc_inum_ida. */
    public final ProcInums procInums = new ProcInums();
    /** The nsproxy kind. */
    public int nsproxyCachep;
    /** The uts_namespace kind. */
    public int utsNsCache;
    /** The net_namespace kind. */
    public int netCachep;
    /** The kind of a time namespace's vvar page (a page from the page allocator, off-heap). */
    public int vvarPage;
    /** init_nsproxy. */
    public HeapNsproxy initNsproxy;
    /** init_uts_ns. */
    public HeapUtsNamespace initUtsNs;
    /** init_ipc_ns. */
    public HeapIpcNamespace initIpcNs;
    /** init_time_ns. */
    public HeapTimeNamespace initTimeNs;
    /** init_cgroup_ns. */
    public HeapCgroupNamespace initCgroupNs;
    /** init_css_set. */
    public HeapCssSet initCssSet;
    /** init_net. */
    public HeapNet initNet;
    /** offset_lock of kernel/time/namespace.c. */
    public final HeapSpinlock timensOffsetLock = new HeapSpinlock();
    /** oom_adj_mutex (copy_oom_score_adj). */
    public final Object oomAdjMutex = new Object();
    /** The process-event listeners (drivers/connector/cn_proc.c), copy-on-write. */
    public volatile ProcEventListener[] procEventListeners = new ProcEventListener[0];
    /** process_counts: the processes forked on each CPU. */
    public final AtomicLongArray processCounts = new AtomicLongArray(CurrentCpu.MAX_CPUS);
    private final long bootNanos = System.nanoTime();
    /** css_set_lock (kernel/cgroup/cgroup.c). */
    public final HeapSpinlock cssSetLock = new HeapSpinlock();
    /** mnt_ns_seq. */
    public final AtomicLong mntNsSeq = new AtomicLong(1);
    private final Map<String, Integer> kmallocKinds = new TreeMap<>();

    /** The most kinds a kernel declares (the counters never move, so kinds may be added at run time). */
    public static final int MAX_KINDS = 256;
    private final List<String> kinds = new ArrayList<>();
    private final AtomicLongArray live = new AtomicLongArray(MAX_KINDS);

    // ---- lib/radix-tree.c, lib/idr.c (radix_tree_init) ----

    /** The radix_tree_node kind and the RCU-deferred node free every IDR of the kernel uses. */
    public final HeapRadixTreeNodes radixTreeNodes;
    /** The IDR implementation over {@link #radixTreeNodes}. */
    public final HeapIdr idr;

    // ---- kernel/pid.c (HeapPids.pidIdrInit) and kernel/pid_namespace.c (HeapPidNamespaces.pidNamespacesInit) ----

    /** pid_max (see the off-heap twin). */
    public volatile int pidMax;
    /** pid_max_min. */
    public int pidMaxMin;
    /** pid_max_max. */
    public int pidMaxMax;
    /** pidmap_lock. */
    public final HeapSpinlock pidmapLock = new HeapSpinlock();
    /** init_struct_pid. */
    public HeapPid initStructPid;
    /** init_pid_ns. */
    public HeapPidNamespace initPidNs;
    /** init_pid_ns.pid_cachep: the "pid" kind. */
    public int pidCachep;
    /** pid_cache[]: the "pid_N" kind of each level 1..MAX_PID_NS_LEVEL (index level - 1), -1 until made. */
    public final AtomicIntegerArray pidCache = new AtomicIntegerArray(Limits.MAX_PID_NS_LEVEL);
    /** pid_caches_mutex. */
    public final Object pidCachesMutex = new Object();
    /** pid_ns_cachep: the "pid_namespace" kind. */
    public int pidNsCachep;
    /** delayed_put_pid. */
    public HeapRcuCallback delayedPutPid;
    /** delayed_free_pidns. */
    public HeapRcuCallback delayedFreePidns;
    /** wake_up_process as free_pid calls it (see the off-heap twin); does nothing until the scheduler's room sets it. */
    public volatile Consumer<HeapTask> wakeUpProcess = task -> { };

    private HeapGlobals(long totalramPages, int nrCpus, long seed) {
        this.totalramPages = totalramPages;
        this.nrCpus = nrCpus;
        this.idleThreads = new HeapTask[nrCpus];
        this.random = new SplittableRandom(seed);
        HeapInitTask.initTaskData(this);
        // init_signals and init_sighand: data of the image
        this.initSignals = HeapForkSignal.initSignals();
        this.initSighand = HeapForkSignal.initSighand();
        HeapSchedCore.schedInit(this);
        this.rcu = new HeapRcu(nrCpus);
        this.failSlab = new FailSlab(); // every allocation site asks it, from the first cache on
        for (int i = 0; i < KmallocSizes.count(); i++) {
            kmallocKinds.put(KmallocSizes.name(i), kind(KmallocSizes.name(i))); // create_kmalloc_caches
        }
        kmallocKinds.put(KmallocSizes.LARGE, kind(KmallocSizes.LARGE)); // kmalloc_large's blocks
        this.radixTreeNodes = HeapRadixTreeNodes.radixTreeInit(this);
        this.idr = new HeapIdr(radixTreeNodes);
        HeapCreds.credInit(this);
        this.exitCreds = tsk -> HeapCreds.exitCreds(this, tsk);
        // fork_init's part that reaches the statics: max_threads, init_task's rlimits, and every
        // ucount_max[] of init_user_ns at max_threads / 2
        this.maxThreads = Limits.maxThreads(totalramPages, Limits.MAX_THREADS);
        HeapForkSignal.forkInitRlimits(initSignals, maxThreads);
        for (int i = 0; i < UcountTypes.UCOUNT_COUNTS; i++) {
            initUserNs.ucountMax.set(i, maxThreads / 2);
        }
        this.filesCache = kind("files_cache");
        this.fsCache = kind("fs_cache");
        HeapForkTask.forkTaskInit(this);
        // proc_caches_init's kinds of the signal room, and its step of __put_task_struct
        this.sighandKind = kind("sighand_cache");
        this.signalKind = kind("signal_cache");
        this.putSignalStruct = tsk -> HeapForkSignal.putSignalStruct(this, tsk.signal);
        HeapExit.exitInit(this);
        // vfs_caches_init: inode_init, files_init, files_maxfiles_init
        this.inodes = HeapInodes.inodeInit(failSlab);
        this.fileTable = HeapFileTable.filesInit(totalramPages, failSlab, inodes);
        this.rootMount = HeapPaths.initMountTree(this);
        this.initFs = HeapFsStructs.initFs(this, rootMount);
        this.initFiles = HeapFiles.initFiles(this);
        this.freeFdtableRcuFn = head -> HeapFiles.freeFdtableRcu(this, (HeapFdtable) head);
        this.mm = new HeapMmSystem(totalramPages, failSlab, fileTable);
        this.log = mm.log();
        this.sigqueueKind = HeapSignal.signalsInit(this);
        HeapPids.pidIdrInit(this);
        HeapDelayacct.delayacctInit(this);
        this.vvarPage = kind("vvar_page");
        HeapPidNamespaces.pidNamespacesInit(this);
        HeapNsproxies.nsproxyInit(this);
        this.iocontextCache = kind("io_context");
        this.anonInodeInode = HeapAnonInodes.anonInodeInit(this);
        this.pidfdFops = HeapForkFiles.pidfdFopsInit(this);
        this.putPid = pid -> HeapPids.putPid(this, (HeapPid) pid);
        HeapCgroups.cgroupInit(this);
        HeapInitTask.initTaskLinks(this);
    }

    /** Boots the heap kernel of a machine with this RAM (in pages) and CPU count, default seed. */
    public static HeapGlobals boot(long totalramPages, int nrCpus) {
        return boot(totalramPages, nrCpus, DEFAULT_SEED);
    }

    /** Boots the heap kernel: the same init steps as the off-heap kernel, in the same order. */
    public static HeapGlobals boot(long totalramPages, int nrCpus, long seed) {
        return new HeapGlobals(totalramPages, nrCpus, seed);
    }

    /**
     * Declares a kind of object (the twin of kmem_cache_create, by the cache's name), at boot or
     * later (create_pid_cachep makes the "pid_N" kinds on demand); counters never move, so a
     * declaration does not race with alloc and free of other kinds.
     *
     * @return the kind's index for {@link #alloc} and {@link #free}
     */
    public synchronized int kind(String cacheName) {
        int k = kinds.indexOf(cacheName);
        if (k >= 0) {
            return k;
        }
        if (kinds.size() == MAX_KINDS) {
            throw new IllegalStateException("more than " + MAX_KINDS + " kinds of object: " + cacheName);
        }
        kinds.add(cacheName);
        return kinds.size() - 1;
    }

    /** Whether a kind of this name was declared (the twin of a cache in /proc/slabinfo). */
    public synchronized boolean hasKind(String cacheName) {
        return kinds.contains(cacheName);
    }

    /**
     * The twin of {@code g.alloc(cachep)}: asks the failslab injector, then counts one more live
     * object of {@code kind}. False means the allocation failed (the caller returns -ENOMEM).
     */
    public boolean alloc(int kind) {
        if (failSlab.shouldFail()) {
            return false;
        }
        live.incrementAndGet(kind);
        return true;
    }

    /** The twin of kmem_cache_free: one fewer live object; a count below zero is a double free. */
    public void free(int kind) {
        if (live.decrementAndGet(kind) < 0) {
            live.incrementAndGet(kind);
            throw new IllegalStateException("double free of a " + kinds.get(kind));
        }
    }

    /**
     * The twin of {@code kmalloc} from the cache named {@code cache} ({@code "kmalloc-96"}, as
     * KmallocSizes names the cache of a size; {@link KmallocSizes#LARGE} for kmalloc_large, see
     * KmallocSizes.countedAs): failslab, then one more live object of that kind.
     */
    public boolean kmalloc(String cache) {
        return alloc(kmallocKind(cache));
    }

    /** The twin of {@code kfree} of an object of the kmalloc cache named {@code cache} (or a large block). */
    public void kfree(String cache) {
        free(kmallocKind(cache));
    }

    private int kmallocKind(String cache) {
        final Integer k = kmallocKinds.get(cache);
        if (k == null) {
            throw new IllegalArgumentException("no kmalloc cache named " + cache);
        }
        return k;
    }

    /** nr_processes: process_counts summed over the CPUs (every CPU is possible and online here). */
    public long nrProcesses() {
        long total = 0;
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            total += processCounts.get(cpu);
        }
        return total;
    }

    /**
     * sysctl_max_threads (kernel.threads-max): reads max_threads, or sets it within [1,
     * MAX_THREADS] (-EINVAL outside), as ForkInit.sysctlMaxThreads.
     */
    public int sysctlMaxThreads(boolean write, long value) {
        if (!write) {
            return maxThreads;
        }
        final int err = Sysctls.checkThreadsMax(value);
        if (err != 0) {
            return err;
        }
        maxThreads = (int) value;
        return maxThreads;
    }

    /** set_max_threads (the sysctl kernel.threads-max): clamped as ForkInit.setMaxThreads. */
    public void setMaxThreads(long maxThreadsSuggested) {
        maxThreads = Limits.maxThreads(totalramPages, maxThreadsSuggested);
    }

    /** ktime_get_ns (see org.kfork.kernel.Globals#ktimeGetNs). */
    public long ktimeGetNs() {
        return System.nanoTime() - bootNanos;
    }

    /** Live objects per kind (cache name), for leak checks and the differential tests. */
    public synchronized Map<String, Long> objectCounts() {
        Map<String, Long> m = new TreeMap<>(mm.objectCounts());
        for (int i = 0; i < kinds.size(); i++) {
            m.put(kinds.get(i), live.get(i));
        }
        return m;
    }

    @Override
    public void close() {
        rcu.rcuBarrier();
        HeapAnonInodes.close(this);
        HeapDelayacct.delayacctClose(this);
        mm.close();
        HeapFsStructs.closeInitFs(this, initFs);
        HeapPaths.closeMountTree(this, rootMount);
    }
}
