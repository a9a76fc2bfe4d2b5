package org.kfork.heap.cred;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.kfork.cred.UcountTypes;
import org.kfork.heap.nsproxy.HeapNsCommon;

/**
 * The heap twin of {@code struct user_namespace}: with CONFIG_USER_NS off only init_user_ns
 * exists. The fields the port reads: the parent chain and owner (cap_capable), the ucounts chain
 * and limits (inc_ucount), ns_common. The id maps (identity maps in init_user_ns, read by nothing
 * here) and the keyring fields are not twinned.
 */
public final class HeapUserNamespace {
    /** {@code struct user_namespace *parent}. */
    public HeapUserNamespace parent;
    /** {@code int level}. */
    public int level;
    /** {@code kuid_t owner}. */
    public int owner;
    /** {@code kgid_t group}. */
    public int group;
    /** {@code struct ns_common ns}. */
    public final HeapNsCommon ns = new HeapNsCommon("user_namespace.ns.count");
    /** {@code unsigned long flags}. */
    public long flags;
    /** {@code struct ucounts *ucounts}: this namespace's count in its parent (NULL for init_user_ns). */
    public HeapUcounts ucounts;
    /** {@code int ucount_max[UCOUNT_COUNTS]}, read with READ_ONCE by inc_ucount. */
    public final AtomicIntegerArray ucountMax = new AtomicIntegerArray(UcountTypes.UCOUNT_COUNTS);

    /** A zeroed user namespace. */
    public HeapUserNamespace() {
    }
}
