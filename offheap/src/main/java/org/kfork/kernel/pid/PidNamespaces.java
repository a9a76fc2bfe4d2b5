package org.kfork.kernel.pid;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOMEM;
import static org.kfork.uapi.Errno.ENOSPC;

import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Refcount;
import org.kfork.kernel.struct.NsCommon;
import org.kfork.kernel.struct.Pid;
import org.kfork.kernel.struct.PidNamespace;
import org.kfork.cred.UcountTypes;
import org.kfork.kernel.cred.Ucount;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.uapi.CloneFlags;

/**
 * kernel/pid_namespace.c (Linux 5.12): creating, sharing and freeing pid namespaces, and the
 * per-level pid caches. The heap twin is {@code org.kfork.heap.pid.HeapPidNamespaces}.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>A namespace's level is its parent's plus one, at most MAX_PID_NS_LEVEL (32); it holds a
 *       reference on its parent for its whole life, so a live namespace's ancestors are live.</li>
 *   <li>ns.count counts the namespace's holders: nsproxy's pid_ns_for_children, each struct pid
 *       allocated in it, each child namespace. init_pid_ns is a static and is never counted
 *       (get_pid_ns and put_pid_ns leave it alone).</li>
 *   <li>The last put_pid_ns destroys the namespace (its inode number and IDR at once, the struct
 *       after a grace period: delayed_free_pidns, which also gives back its ucount) and drops the
 *       reference on its parent, and so on up the chain.</li>
 *   <li>pid_cache[level - 1] is created once, on the first namespace of that level, and kept:
 *       /proc/slabinfo shows "pid_2", "pid_3"... as namespaces reach those levels.</li>
 * </ul>
 *
 * <h2>Deviations</h2>
 * <ul>
 *   <li>ns.ops stays NULL (nsfs and /proc/PID/ns are not modelled); ns.inum comes from
 *       {@code g.procInums}, whose IDA is Java-side.</li>
 *   <li>user_ns is stored as given and not counted: get_user_ns and put_user_ns do nothing with
 *       CONFIG_USER_NS off, and in_userns is always true there, so create_pid_namespace's -EINVAL
 *       for a user namespace outside the parent's cannot happen.</li>
 *   <li>zap_pid_ns_processes and reboot_pid_ns belong to the exit room; it walks a namespace with
 *       {@link Pids#findGePid} and waits on {@link Pids#pidAllocated}.</li>
 *   <li>No ns_last_pid sysctl: CONFIG_CHECKPOINT_RESTORE is off in the reference config.</li>
 * </ul>
 */
public final class PidNamespaces {
    private PidNamespaces() {
    }

    /**
     * pid_namespaces_init (an initcall): the "pid_namespace" cache, delayed_free_pidns in the
     * kernel text, and the pid-namespace ucount with fork_init's limit.
     */
    public static void pidNamespacesInit(Globals g) {
        // KMEM_CACHE(pid_namespace, SLAB_PANIC)
        g.pidNsCachep = g.kmem.slabs().createOrThrow("pid_namespace", (int) PidNamespace.SIZEOF,
            (int) PidNamespace.ALIGNOF, SlabFlags.SLAB_PANIC, null);
        g.delayedFreePidns = g.rcu.register("delayed_free_pidns",
            head -> delayedFreePidns(g, head - PidNamespace.RCU));
    }

    /**
     * create_pid_cachep: the cache of pids of namespaces at {@code level} (1..MAX_PID_NS_LEVEL),
     * "pid_{level + 1}", objects of 112 + 16 * level bytes, made on first use under
     * pid_caches_mutex and kept.
     *
     * @return the cache, or null if it could not be made
     */
    public static KmemCache createPidCachep(Globals g, int level) {
        final KmemCache kc = g.pidCache.get(level - 1);
        if (kc != null) {
            return kc;
        }
        synchronized (g.pidCachesMutex) {
            // a name collision forces the creation under the mutex
            if (g.pidCache.get(level - 1) == null) {
                g.pidCache.set(level - 1, g.kmem.slabs().create("pid_" + (level + 1),
                    (int) Pid.sizeofAtLevel(level), 0, SlabFlags.SLAB_HWCACHE_ALIGN, null));
            }
        }
        // this caller may have failed where another succeeded
        return g.pidCache.get(level - 1);
    }

    /**
     * create_pid_namespace: a child of {@code parentPidNs}, in 5.12's order: a level beyond
     * MAX_PID_NS_LEVEL is -ENOSPC; so is a uid that owns ucount_max pid namespaces already; then
     * the struct (zeroed, -ENOMEM), its IDR, its level's pid cache (-ENOMEM), its inode number.
     * The new namespace has count 1, a reference on its parent, and PIDNS_ADDING; it has no
     * child reaper until its first process (pid 1) is forked.
     *
     * @param userNs the user namespace that will own it (stored; see the class comment)
     * @param euid current_euid(), the uid the namespace is charged to
     * @return the namespace, or a negative errno (Errno.isError); on failure nothing is kept
     */
    public static long createPidNamespace(Globals g, long userNs, long parentPidNs, int euid) {
        final int level = getInt(parentPidNs + PidNamespace.LEVEL) + 1;
        if (level > Limits.MAX_PID_NS_LEVEL) {
            return -ENOSPC;
        }
        // inc_pid_namespaces: one more pid namespace charged to euid in the owning user namespace
        final long ucounts = Ucount.incUcount(g, userNs, euid, UcountTypes.UCOUNT_PID_NAMESPACES);
        if (ucounts == 0) {
            return -ENOSPC;
        }
        final long ns = g.zalloc(g.pidNsCachep);
        if (ns == 0) {
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_PID_NAMESPACES);
            return -ENOMEM;
        }
        g.idr.idrInit(ns + PidNamespace.IDR);
        long err = 0;
        if (createPidCachep(g, level) == null) {
            err = -ENOMEM;
        } else {
            final long inum = g.procInums.alloc(); // ns_alloc_inum
            if (inum < 0) {
                err = inum;
            } else {
                putInt(ns + PidNamespace.NS + NsCommon.INUM, (int) inum);
            }
        }
        if (err != 0) {
            g.idr.idrDestroy(ns + PidNamespace.IDR);
            g.free(g.pidNsCachep, ns);
            Ucount.decUcount(g, ucounts, UcountTypes.UCOUNT_PID_NAMESPACES);
            return err;
        }
        Refcount.set(ns + PidNamespace.NS + NsCommon.COUNT, 1);
        putInt(ns + PidNamespace.LEVEL, level);
        putLong(ns + PidNamespace.PARENT, getPidNs(g, parentPidNs));
        putLong(ns + PidNamespace.USER_NS, userNs);
        putLong(ns + PidNamespace.UCOUNTS, ucounts);
        putInt(ns + PidNamespace.PID_ALLOCATED, PidRules.PIDNS_ADDING);
        return ns;
    }

    /** delayed_free_pidns: after the grace period, the ucount goes back and the struct is freed. */
    private static void delayedFreePidns(Globals g, long ns) {
        Ucount.decUcount(g, getLong(ns + PidNamespace.UCOUNTS), UcountTypes.UCOUNT_PID_NAMESPACES);
        g.free(g.pidNsCachep, ns);
    }

    /** destroy_pid_namespace: the inode number and the IDR go now, the struct after a grace period. */
    private static void destroyPidNamespace(Globals g, long ns) {
        g.procInums.free(getInt(ns + PidNamespace.NS + NsCommon.INUM));
        g.idr.idrDestroy(ns + PidNamespace.IDR);
        g.rcu.callRcu(ns + PidNamespace.RCU, g.delayedFreePidns);
    }

    /**
     * copy_pid_ns: without CLONE_NEWPID the child shares {@code oldNs} (one more reference);
     * with it, a new child namespace of {@code oldNs}, which must be current's own pid namespace
     * (-EINVAL otherwise: after setns(CLONE_NEWPID) a task's children go elsewhere, and may not
     * nest a new namespace there).
     *
     * @return the namespace for the child's nsproxy, or a negative errno
     */
    public static long copyPidNs(Globals g, long current, long flags, long userNs, long oldNs, int euid) {
        if ((flags & CloneFlags.CLONE_NEWPID) == 0) {
            return getPidNs(g, oldNs);
        }
        if (Pids.taskActivePidNs(current) != oldNs) {
            return -EINVAL;
        }
        return createPidNamespace(g, userNs, oldNs, euid);
    }

    /** get_pid_ns: one more reference (none is counted on init_pid_ns). */
    public static long getPidNs(Globals g, long ns) {
        if (ns != g.initPidNs) {
            Refcount.inc(ns + PidNamespace.NS + NsCommon.COUNT, "pid_namespace");
        }
        return ns;
    }

    /**
     * put_pid_ns: drops a reference; the last one destroys the namespace and drops its reference
     * on the parent, up to init_pid_ns.
     */
    public static void putPidNs(Globals g, long ns) {
        long cur = ns;
        while (cur != g.initPidNs) {
            final long parent = getLong(cur + PidNamespace.PARENT);
            if (!Refcount.decAndTest(cur + PidNamespace.NS + NsCommon.COUNT, "pid_namespace")) {
                break;
            }
            destroyPidNamespace(g, cur);
            cur = parent;
        }
    }

    /** refcount_read(&ns->ns.count). */
    public static int nsCount(long ns) {
        return Refcount.read(ns + PidNamespace.NS + NsCommon.COUNT);
    }

    /**
     * Sets {@code ns->child_reaper}: copy_process does it for a namespace's first process, and the
     * exit room when the reaper changes (find_child_reaper). Callers hold tasklist_lock for writing.
     */
    public static void setChildReaper(long ns, long task) {
        putLong(ns + PidNamespace.CHILD_REAPER, task);
    }

    /** {@code ns->child_reaper}, or NULL. */
    public static long childReaper(long ns) {
        return getLong(ns + PidNamespace.CHILD_REAPER);
    }

    /**
     * Tears down pid_namespaces_init's work and the pid_N caches when the kernel closes; every
     * namespace must be gone (the caches refuse to go otherwise, listing what is left).
     */
    public static void close(Globals g) {
        for (int level = Limits.MAX_PID_NS_LEVEL; level >= 1; level--) {
            final KmemCache kc = g.pidCache.getAndSet(level - 1, null);
            if (kc != null) {
                kc.destroy();
            }
        }
        g.pidNsCachep.destroy();
    }
}
