package org.kfork.heap.pid;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.ds.HeapIdrRoot;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.locking.HeapRefcount;
import org.kfork.heap.rcu.HeapCallbackHead;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct pid_namespace} (include/linux/pid_namespace.h): its IDR of
 * numbers, pid_allocated with PIDNS_ADDING, its child reaper, level and parent, its owner and
 * ucounts, {@code ns.count} and {@code ns.inum}, and the rcu_head ({@link HeapCallbackHead})
 * destroy_pid_namespace queues it on. {@code pid_cachep} has no twin: the cache of a namespace is
 * its level's, as off-heap. {@code bacct} and {@code reboot} are not used by the port.
 */
public class HeapPidNamespace extends HeapCallbackHead {
    /** {@code struct idr idr}: numbers to pids (null while a pid is being built). */
    final HeapIdrRoot<HeapPid> idr = new HeapIdrRoot<>();
    /** {@code unsigned int pid_allocated}: guarded by pidmap_lock; read outside it with volatile loads. */
    volatile int pidAllocated;
    /** {@code struct task_struct *child_reaper}. */
    volatile HeapTask childReaper;
    /** {@code unsigned int level}. */
    int level;
    /** {@code struct pid_namespace *parent}. */
    HeapPidNamespace parent;
    /**
     * {@code struct user_namespace *user_ns}: stored as given and never dereferenced here (the
     * cred room owns user namespaces; see HeapPidNamespaces).
     */
    HeapUserNamespace userNs;
    /** {@code struct ucounts *ucounts}: what create_pid_namespace charged. */
    HeapUcounts ucounts;
    /** {@code ns.inum}. */
    long inum;
    /** {@code ns.count}. */
    final HeapRefcount count = new HeapRefcount("pid_namespace");

    /** kmem_cache_zalloc: an all-zero namespace. */
    HeapPidNamespace() {
    }

    /** {@code ns->level}. */
    public int level() {
        return level;
    }

    /** {@code ns->parent}. */
    public HeapPidNamespace parent() {
        return parent;
    }

    /** {@code ns->child_reaper}. */
    public HeapTask childReaper() {
        return childReaper;
    }

    /** {@code READ_ONCE(ns->pid_allocated)}. */
    public int pidAllocated() {
        return pidAllocated;
    }

    /** {@code refcount_read(&ns->ns.count)}. */
    public int count() {
        return count.read();
    }

    /** {@code ns->ns.inum}. */
    public long inum() {
        return inum;
    }

    /** {@code ns->user_ns}. */
    public HeapUserNamespace userNs() {
        return userNs;
    }

    /** {@code &ns->idr}. */
    public HeapIdrRoot<HeapPid> idr() {
        return idr;
    }

    @Override
    public String toString() {
        return "pid_namespace{level=" + level + ", count=" + count.read() + "}";
    }

    /** The sentinel of one errno: never a live namespace. */
    private static final class Err extends HeapPidNamespace implements ErrPtr.Value {
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

    private static final ErrPtr.Sentinels<HeapPidNamespace> ERR_PTRS = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR for the functions that return a namespace (create_pid_namespace, copy_pid_ns): the sentinel of {@code err} (negative). */
    public static HeapPidNamespace errPtr(int err) {
        return ERR_PTRS.of(err);
    }
}
