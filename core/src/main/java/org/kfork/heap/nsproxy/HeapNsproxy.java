package org.kfork.heap.nsproxy;

import java.util.concurrent.atomic.AtomicInteger;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.pid.HeapPidNamespace;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct nsproxy}: the namespaces a task lives in, shared by reference count.
 */
public class HeapNsproxy {
    /** {@code atomic_t count}. */
    public final AtomicInteger count = new AtomicInteger();
    /** {@code struct uts_namespace *uts_ns}. */
    public HeapUtsNamespace utsNs;
    /** {@code struct ipc_namespace *ipc_ns}. */
    public HeapIpcNamespace ipcNs;
    /** {@code struct mnt_namespace *mnt_ns}. */
    public HeapMntNamespace mntNs;
    /** {@code struct pid_namespace *pid_ns_for_children}. */
    public HeapPidNamespace pidNsForChildren;
    /** {@code struct net *net_ns}. */
    public HeapNet netNs;
    /** {@code struct time_namespace *time_ns}. */
    public HeapTimeNamespace timeNs;
    /** {@code struct time_namespace *time_ns_for_children}. */
    public HeapTimeNamespace timeNsForChildren;
    /** {@code struct cgroup_namespace *cgroup_ns}. */
    public HeapCgroupNamespace cgroupNs;

    /** An nsproxy as kmem_cache_alloc gives it (create_nsproxy sets the count). */
    public HeapNsproxy() {
    }

    /** The sentinel that stands for ERR_PTR(-errno): never a live object. */
    private static final class Err extends HeapNsproxy implements ErrPtr.Value {
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

    private static final ErrPtr.Sentinels<HeapNsproxy> ERR = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR({@code err}) for the functions that return this type. */
    public static HeapNsproxy errPtr(long err) {
        return ERR.of(err);
    }
}
