package org.kfork.heap.nsproxy;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct time_namespace}: the clock offsets, whether they are frozen, the vvar page, the
 * owner and the creator's ucounts.
 */
public class HeapTimeNamespace {
    /** The kmalloc cache of an 88-byte struct time_namespace (kmalloc), pinned to the layout by a test. */
    public static final String KMALLOC_CACHE = "kmalloc-96";

    /** {@code struct user_namespace *user_ns}. */
    public HeapUserNamespace userNs;
    /** {@code struct ucounts *ucounts}. */
    public HeapUcounts ucounts;
    /** {@code struct ns_common ns}. */
    public final HeapNsCommon ns = new HeapNsCommon("time_namespace.ns.count");
    /** {@code struct timens_offsets offsets}: monotonic (sec, nsec), then boottime (sec, nsec). */
    public final long[] offsets = new long[4];
    /** {@code struct page *vvar_page}: the page itself. */
    public byte[] vvarPage;
    /** {@code bool frozen_offsets}. */
    public volatile boolean frozenOffsets;

    /** A namespace as kmalloc gives it (the creator sets every field). */
    public HeapTimeNamespace() {
    }

    /** The sentinel that stands for ERR_PTR(-errno): never a live object. */
    private static final class Err extends HeapTimeNamespace implements ErrPtr.Value {
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

    private static final ErrPtr.Sentinels<HeapTimeNamespace> ERR = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR({@code err}) for the functions that return this type. */
    public static HeapTimeNamespace errPtr(long err) {
        return ERR.of(err);
    }
}
