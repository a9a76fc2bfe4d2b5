package org.kfork.heap.pid;

import static org.kfork.uapi.Errno.EINVAL;
import static org.kfork.uapi.Errno.ENOMEM;
import static org.kfork.uapi.Errno.ENOSPC;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.cred.UcountTypes;
import org.kfork.heap.cred.HeapUcount;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.pid.PidRules;
import org.kfork.sched.Limits;
import org.kfork.uapi.CloneFlags;

/**
 * The heap twin of org.kfork.kernel.pid.PidNamespaces (kernel/pid_namespace.c, Linux 5.12): the
 * same functions in the same order and the same steps over {@link HeapPidNamespace} objects; the
 * invariants and deviations of the off-heap class hold here. A namespace's "free" is
 * {@code g.free} of the "pid_namespace" kind, after a grace period (delayed_free_pidns).
 */
public final class HeapPidNamespaces {
    private HeapPidNamespaces() {
    }

    /**
     * pid_namespaces_init: the "pid_namespace" kind, delayed_free_pidns, and the ucount with
     * fork_init's limit (max_threads / 2 of this machine's RAM, as off-heap).
     */
    public static void pidNamespacesInit(HeapGlobals g) {
        for (int i = 0; i < Limits.MAX_PID_NS_LEVEL; i++) {
            g.pidCache.set(i, -1);
        }
        g.pidNsCachep = g.kind("pid_namespace");
        g.delayedFreePidns = head -> delayedFreePidns(g, (HeapPidNamespace) head);
    }

    /** create_pid_cachep: the "pid_N" kind of {@code level}, declared on first use. */
    public static int createPidCachep(HeapGlobals g, int level) {
        final int kc = g.pidCache.get(level - 1);
        if (kc >= 0) {
            return kc;
        }
        synchronized (g.pidCachesMutex) {
            if (g.pidCache.get(level - 1) < 0) {
                g.pidCache.set(level - 1, g.kind("pid_" + (level + 1)));
            }
        }
        return g.pidCache.get(level - 1);
    }

    /**
     * create_pid_namespace (see the off-heap twin).
     *
     * @return the namespace, or {@link HeapPidNamespace#errPtr} of the errno
     */
    public static HeapPidNamespace createPidNamespace(HeapGlobals g, HeapUserNamespace userNs, HeapPidNamespace parentPidNs,
                                                      int euid) {
        final int level = parentPidNs.level + 1;
        if (level > Limits.MAX_PID_NS_LEVEL) {
            return HeapPidNamespace.errPtr(-ENOSPC);
        }
        final HeapUcounts ucounts = HeapUcount.incUcount(g, userNs, euid, UcountTypes.UCOUNT_PID_NAMESPACES);
        if (ucounts == null) {
            return HeapPidNamespace.errPtr(-ENOSPC);
        }
        if (!g.alloc(g.pidNsCachep)) {
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_PID_NAMESPACES);
            return HeapPidNamespace.errPtr(-ENOMEM);
        }
        final HeapPidNamespace ns = new HeapPidNamespace();
        g.idr.idrInit(ns.idr);
        long err = 0;
        if (createPidCachep(g, level) < 0) {
            err = -ENOMEM;
        } else {
            final long inum = g.procInums.alloc();
            if (inum < 0) {
                err = inum;
            } else {
                ns.inum = inum;
            }
        }
        if (err != 0) {
            g.idr.idrDestroy(ns.idr);
            g.free(g.pidNsCachep);
            HeapUcount.decUcount(g, ucounts, UcountTypes.UCOUNT_PID_NAMESPACES);
            return HeapPidNamespace.errPtr((int) err);
        }
        ns.count.set(1);
        ns.level = level;
        ns.parent = getPidNs(g, parentPidNs);
        ns.userNs = userNs;
        ns.ucounts = ucounts;
        ns.pidAllocated = PidRules.PIDNS_ADDING;
        return ns;
    }

    /** delayed_free_pidns. */
    private static void delayedFreePidns(HeapGlobals g, HeapPidNamespace ns) {
        HeapUcount.decUcount(g, ns.ucounts, UcountTypes.UCOUNT_PID_NAMESPACES);
        g.free(g.pidNsCachep);
    }

    /** destroy_pid_namespace. */
    private static void destroyPidNamespace(HeapGlobals g, HeapPidNamespace ns) {
        g.procInums.free((int) ns.inum);
        g.idr.idrDestroy(ns.idr);
        g.rcu.callRcu(ns, g.delayedFreePidns);
    }

    /** copy_pid_ns (see the off-heap twin). */
    public static HeapPidNamespace copyPidNs(HeapGlobals g, HeapTask current, long flags, HeapUserNamespace userNs,
                                             HeapPidNamespace oldNs, int euid) {
        if ((flags & CloneFlags.CLONE_NEWPID) == 0) {
            return getPidNs(g, oldNs);
        }
        if (HeapPids.taskActivePidNs(current) != oldNs) {
            return HeapPidNamespace.errPtr(-EINVAL);
        }
        return createPidNamespace(g, userNs, oldNs, euid);
    }

    /** get_pid_ns. */
    public static HeapPidNamespace getPidNs(HeapGlobals g, HeapPidNamespace ns) {
        if (ns != g.initPidNs) {
            ns.count.inc();
        }
        return ns;
    }

    /** put_pid_ns. */
    public static void putPidNs(HeapGlobals g, HeapPidNamespace ns) {
        HeapPidNamespace cur = ns;
        while (cur != g.initPidNs) {
            final HeapPidNamespace parent = cur.parent;
            if (!cur.count.decAndTest()) {
                break;
            }
            destroyPidNamespace(g, cur);
            cur = parent;
        }
    }

    /** refcount_read(&ns->ns.count). */
    public static int nsCount(HeapPidNamespace ns) {
        return ns.count.read();
    }

    /** ns->child_reaper = task (see the off-heap twin). */
    public static void setChildReaper(HeapPidNamespace ns, HeapTask task) {
        ns.childReaper = task;
    }

    /** ns->child_reaper. */
    public static HeapTask childReaper(HeapPidNamespace ns) {
        return ns.childReaper;
    }
}
