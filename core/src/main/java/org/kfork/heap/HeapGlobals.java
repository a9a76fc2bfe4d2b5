package org.kfork.heap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

import org.kfork.heap.ds.HeapIdr;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.lib.HeapRadixTreeNodes;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.heap.mm.HeapMmSystem;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.heap.pid.HeapPidNamespaces;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.rcu.HeapRcu;
import org.kfork.heap.rcu.HeapRcuCallback;
import org.kfork.lib.ProcInums;
import org.kfork.mm.FailSlab;
import org.kfork.mm.KernelLog;
import org.kfork.pid.PidNsUcounts;
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
    /** The mm half's twin: counts, overcommit, init_mm, the work queue. */
    public final HeapMmSystem mm;
    /** RCU's heap twin. */
    public final HeapRcu rcu;
    /** The failslab injector (shared with the mm half). */
    public final FailSlab failSlab;
    /** The kernel log. */
    public final KernelLog log;
    /** The seeded random source; same draws in the same order as the off-heap kernel's. */
    public final SplittableRandom random;
    /** tasklist_lock (see the off-heap twin). */
    public final ReentrantReadWriteLock tasklistLock = new ReentrantReadWriteLock(true);

    /** nr_threads. Guarded by tasklist_lock (write). */
    public int nrThreads;
    /** total_forks. Guarded by tasklist_lock (write). */
    public long totalForks;

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
    /** The ucount of pid namespaces (stand-in). */
    public PidNsUcounts pidNsUcounts;
    /** proc_alloc_inum's IDA. */
    public final ProcInums procInums = new ProcInums();

    private HeapGlobals(long totalramPages, int nrCpus, long seed) {
        this.totalramPages = totalramPages;
        this.nrCpus = nrCpus;
        this.random = new SplittableRandom(seed);
        this.rcu = new HeapRcu(nrCpus);
        this.radixTreeNodes = HeapRadixTreeNodes.radixTreeInit(this);
        this.idr = new HeapIdr(radixTreeNodes);
        this.mm = new HeapMmSystem(totalramPages);
        this.failSlab = mm.failSlab();
        this.log = mm.log();
        HeapPids.pidIdrInit(this);
        HeapPidNamespaces.pidNamespacesInit(this);
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
        mm.close();
    }
}
