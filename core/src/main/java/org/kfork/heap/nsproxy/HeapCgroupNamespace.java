package org.kfork.heap.nsproxy;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct cgroup_namespace}: its root css_set, the owner and the creator's ucounts.
 */
public class HeapCgroupNamespace {
    /** The kmalloc cache of a 48-byte struct cgroup_namespace (kzalloc), pinned to the layout by a test. */
    public static final String KMALLOC_CACHE = "kmalloc-64";

    /** {@code struct ns_common ns}. */
    public final HeapNsCommon ns = new HeapNsCommon("cgroup_namespace.ns.count");
    /** {@code struct user_namespace *user_ns}. */
    public HeapUserNamespace userNs;
    /** {@code struct ucounts *ucounts}. */
    public HeapUcounts ucounts;
    /** {@code struct css_set *root_cset}. */
    public HeapCssSet rootCset;

    /** A zeroed namespace. */
    public HeapCgroupNamespace() {
    }

    /** The sentinel that stands for ERR_PTR(-errno): never a live object. */
    private static final class Err extends HeapCgroupNamespace implements ErrPtr.Value {
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

    private static final ErrPtr.Sentinels<HeapCgroupNamespace> ERR = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR({@code err}) for the functions that return this type. */
    public static HeapCgroupNamespace errPtr(long err) {
        return ERR.of(err);
    }
}
