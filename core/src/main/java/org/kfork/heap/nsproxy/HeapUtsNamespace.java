package org.kfork.heap.nsproxy;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.cred.HeapUcounts;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct uts_namespace}: the six uname strings (a {@code new_utsname} of 6 x 65 bytes), the
 * owner and the creator's ucounts.
 */
public class HeapUtsNamespace {
    /** {@code struct new_utsname name}: six NUL-padded 65-byte strings, sysname first. */
    public final byte[] name = new byte[6 * 65];
    /** {@code struct user_namespace *user_ns}. */
    public HeapUserNamespace userNs;
    /** {@code struct ucounts *ucounts}. */
    public HeapUcounts ucounts;
    /** {@code struct ns_common ns}. */
    public final HeapNsCommon ns = new HeapNsCommon("uts_namespace.ns.count");

    /** A zeroed namespace. */
    public HeapUtsNamespace() {
    }

    /** The sentinel that stands for ERR_PTR(-errno): never a live object. */
    private static final class Err extends HeapUtsNamespace implements ErrPtr.Value {
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

    private static final ErrPtr.Sentinels<HeapUtsNamespace> ERR = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR({@code err}) for the functions that return this type. */
    public static HeapUtsNamespace errPtr(long err) {
        return ERR.of(err);
    }
}
