package org.kfork.kernel;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;

import org.kfork.alloc.Cpus;
import org.kfork.ds.Idr;
import org.kfork.kernel.fork.ForkInit;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.kernel.lib.RadixTreeNodes;
import org.kfork.kernel.mm.OffHeapMmSystem;
import org.kfork.kernel.pid.PidNamespaces;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.rcu.Rcu;
import org.kfork.lib.ProcInums;
import org.kfork.machine.Machine;
import org.kfork.mm.FailSlab;
import org.kfork.mm.KernelLog;
import org.kfork.pid.PidNsUcounts;
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
    /** fork_init and proc_caches_init: the task_struct cache, max_threads, fork.c's caches, the stacks. */
    public final ForkInit forkInit;
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
     * same bytes. Boot-time and fork-time use only; guarded by {@link #tasklistLock}'s write side
     * or by single-threaded boot.
     */
    public final SplittableRandom random;

    /**
     * tasklist_lock: 5.12's global rwlock over the process tree (tasks list, children and
     * sibling lists, thread groups, parents, pid attachment). It lives in .data in the kernel;
     * here it is a Java lock beside the other globals, fair so that a writer (fork, exit) is not
     * starved by readers (wait, kill).
     */
    public final ReentrantReadWriteLock tasklistLock = new ReentrantReadWriteLock(true);

    /** nr_threads: tasks in the system, the idle tasks excepted. Guarded by tasklist_lock (write). */
    public int nrThreads;
    /** total_forks: processes and threads created since boot. Guarded by tasklist_lock (write). */
    public long totalForks;

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
    /** &init_struct_pid: the pid of init_task (number 0 in init_pid_ns), a static. */
    public long initStructPid;
    /** &init_pid_ns: the root pid namespace (level 0), a static. */
    public long initPidNs;
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
    /** The ucount of pid namespaces (a stand-in for kernel/ucount.c; see PidNsUcounts). */
    public PidNsUcounts pidNsUcounts;
    /** proc_alloc_inum's IDA: the inode numbers of namespaces. */
    public final ProcInums procInums = new ProcInums();

    private Globals(Machine machine, long seed) {
        this.machine = machine;
        this.kmem = Kmem.of(machine);
        this.cpus = kmem.cpus();
        this.random = new SplittableRandom(seed);
        this.image = new KernelImage(machine);
        this.rcu = Rcu.of(machine);
        this.radixTreeNodes = RadixTreeNodes.radixTreeInit(this);
        this.idr = new Idr(radixTreeNodes);
        this.forkInit = ForkInit.boot(kmem);
        this.mm = OffHeapMmSystem.on(machine, forkInit);
        this.failSlab = mm.failSlab();
        this.log = mm.log();
        // pid_idr_init runs before fork_init in 5.12; here it follows it, because the kernel log
        // it prints to is the mm half's. Neither reads what the other sets up.
        Pids.pidIdrInit(this);
        // an initcall in 5.12, after start_kernel: it reads fork_init's ucount limit
        PidNamespaces.pidNamespacesInit(this);
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
     * Tears down what boot built, in reverse order, after the RCU callbacks still queued, and those
     * they queue, have run (they free into the caches that are about to go).
     */
    @Override
    public void close() {
        // until nothing is pending: a pid's last put queues its namespaces' frees
        rcu.quiesce();
        PidNamespaces.close(this);
        Pids.close(this);
        mm.close();
        forkInit.close();
        radixTreeNodes.close();
        image.close();
    }
}
