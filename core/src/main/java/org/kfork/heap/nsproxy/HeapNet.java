package org.kfork.heap.nsproxy;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.heap.locking.HeapRefcount;
import org.kfork.uapi.Errno;

/**
 * The heap twin of the model's {@code struct net}: an opaque refcounted object, its head only (see
 * org.kfork.kernel.struct.Net).
 */
public class HeapNet {
    /** {@code refcount_t passive}: the references that keep the memory. */
    public final HeapRefcount passive = new HeapRefcount("net.passive");
    /** {@code unsigned int dev_base_seq}. */
    public int devBaseSeq;
    /** {@code struct user_namespace *user_ns}. */
    public HeapUserNamespace userNs;
    /** {@code struct ucounts *ucounts}. */
    public HeapUcounts ucounts;
    /** {@code struct ns_common ns}. */
    public final HeapNsCommon ns = new HeapNsCommon("net.ns.count");

    /** A zeroed namespace. */
    public HeapNet() {
    }

    /** The sentinel that stands for ERR_PTR(-errno): never a live object. */
    private static final class Err extends HeapNet implements ErrPtr.Value {
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

    private static final ErrPtr.Sentinels<HeapNet> ERR = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR({@code err}) for the functions that return this type. */
    public static HeapNet errPtr(long err) {
        return ERR.of(err);
    }
}
