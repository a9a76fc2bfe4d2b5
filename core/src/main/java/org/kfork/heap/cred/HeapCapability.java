package org.kfork.heap.cred;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;

/**
 * The heap twin of org.kfork.kernel.cred.Capability (kernel/capability.c over commoncap's
 * cap_capable, 5.12): same checks, same PF_SUPERPRIV rule, same deviation (no SELinux avc check).
 */
public final class HeapCapability {
    private HeapCapability() {
    }

    /** cap_capable: 0 or -EPERM. */
    static int capCapable(HeapCred cred, HeapUserNamespace targNs, int cap) {
        final HeapUserNamespace credNs = cred.userNs;
        HeapUserNamespace ns = targNs;
        for (;;) {
            if (ns == credNs) {
                return Capabilities.capRaised(cred.capEffective, cap) ? 0 : -Errno.EPERM;
            }
            if (ns.level <= credNs.level) {
                return -Errno.EPERM;
            }
            final HeapUserNamespace parent = ns.parent;
            if (parent == credNs && ns.owner == cred.euid) {
                return 0;
            }
            ns = parent;
        }
    }

    /** security_capable: commoncap's hook alone. */
    static int securityCapable(HeapCred cred, HeapUserNamespace ns, int cap) {
        return capCapable(cred, ns, cap);
    }

    /** has_ns_capability: task {@code t}'s objective cred, under rcu_read_lock. */
    public static boolean hasNsCapability(HeapGlobals g, HeapTask t, HeapUserNamespace ns, int cap) {
        final int rcu = g.rcu.rcuReadLock();
        try {
            return securityCapable(t.realCred, ns, cap) == 0;
        } finally {
            g.rcu.rcuReadUnlock(rcu);
        }
    }

    /** has_capability: in init_user_ns; does not set PF_SUPERPRIV. */
    public static boolean hasCapability(HeapGlobals g, HeapTask t, int cap) {
        return hasNsCapability(g, t, g.initUserNs, cap);
    }

    private static boolean nsCapableCommon(HeapTask current, HeapUserNamespace ns, int cap) {
        if (!Capabilities.capValid(cap)) {
            throw new IllegalArgumentException("capable() called with invalid cap=" + cap);
        }
        if (securityCapable(current.cred, ns, cap) == 0) {
            current.flags |= TaskFlags.PF_SUPERPRIV;
            return true;
        }
        return false;
    }

    /** ns_capable: sets PF_SUPERPRIV on success. */
    public static boolean nsCapable(HeapTask current, HeapUserNamespace ns, int cap) {
        return nsCapableCommon(current, ns, cap);
    }

    /** capable: in init_user_ns. */
    public static boolean capable(HeapGlobals g, HeapTask current, int cap) {
        return nsCapable(current, g.initUserNs, cap);
    }

    /** checkpoint_restore_ns_capable (see the off-heap twin). */
    public static boolean checkpointRestoreNsCapable(HeapTask current, HeapUserNamespace ns) {
        return nsCapable(current, ns, Capabilities.CAP_SYS_ADMIN)
            || nsCapable(current, ns, Capabilities.CAP_CHECKPOINT_RESTORE);
    }
}
