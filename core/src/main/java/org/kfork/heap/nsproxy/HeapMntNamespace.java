package org.kfork.heap.nsproxy;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct mnt_namespace}, without mounts (see Namespaces): the owner, the creator's ucounts
 * and the sequence number (0 for an anonymous namespace).
 */
public class HeapMntNamespace {
    /** The kmalloc cache of a 120-byte struct mnt_namespace (kzalloc), pinned to the layout by a test. */
    public static final String KMALLOC_CACHE = "kmalloc-128";

    /** {@code struct ns_common ns}. */
    public final HeapNsCommon ns = new HeapNsCommon("mnt_namespace.ns.count");
    /** {@code struct user_namespace *user_ns}. */
    public HeapUserNamespace userNs;
    /** {@code struct ucounts *ucounts}. */
    public HeapUcounts ucounts;
    /** {@code u64 seq}. */
    public long seq;

    /** A zeroed namespace. */
    public HeapMntNamespace() {
    }

    /** The sentinel that stands for ERR_PTR(-errno): never a live object. */
    private static final class Err extends HeapMntNamespace implements ErrPtr.Value {
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

    private static final ErrPtr.Sentinels<HeapMntNamespace> ERR = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR({@code err}) for the functions that return this type. */
    public static HeapMntNamespace errPtr(long err) {
        return ERR.of(err);
    }
}
