package org.kfork.kernel.cred;

import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.UserNamespace;
import org.kfork.machine.Mem;
import org.kfork.sched.TaskFlags;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;

/**
 * kernel/capability.c (5.12), the checks fork and mm make: capable, ns_capable and
 * has_capability, over security/commoncap.c's cap_capable.
 *
 * <p>capable() and ns_capable() look at the current task's subjective cred (current->cred) and
 * set PF_SUPERPRIV on success, on the assumption that the privilege is about to be used;
 * has_capability() looks at another task's objective cred (real_cred) under rcu_read_lock and sets
 * nothing. Deviation: the reference config stacks SELinux on commoncap, and its avc check is not
 * modeled: a capability in the effective set is granted. With CONFIG_USER_NS off, every user
 * namespace passed here is init_user_ns.
 */
public final class Capability {
    private Capability() {
    }

    /**
     * cap_capable: whether {@code cred} has {@code cap} in {@code targNs}: in its own user
     * namespace, the effective set decides; in a descendant namespace owned by its euid, it has
     * every capability.
     *
     * @return 0, or -EPERM
     */
    static int capCapable(long cred, long targNs, int cap) {
        final long credNs = Mem.getLong(cred + Cred.USER_NS);
        long ns = targNs;
        for (;;) {
            if (ns == credNs) {
                return Capabilities.capRaised(Mem.getLong(cred + Cred.CAP_EFFECTIVE), cap) ? 0 : -Errno.EPERM;
            }
            // a namespace at or above the cred's level cannot be one of its descendants
            if (Mem.getInt(ns + UserNamespace.LEVEL) <= Mem.getInt(credNs + UserNamespace.LEVEL)) {
                return -Errno.EPERM;
            }
            final long parent = Mem.getLong(ns + UserNamespace.PARENT);
            if (parent == credNs && Mem.getInt(ns + UserNamespace.OWNER) == Mem.getInt(cred + Cred.EUID)) {
                return 0;
            }
            ns = parent;
        }
    }

    /** security_capable: the capability hook of the LSMs; commoncap's alone in the model. */
    static int securityCapable(long cred, long ns, int cap) {
        return capCapable(cred, ns, cap);
    }

    /** has_ns_capability: whether task {@code t}'s objective cred has {@code cap} in {@code ns}. */
    public static boolean hasNsCapability(Globals g, long t, long ns, int cap) {
        final int rcu = g.rcu.rcuReadLock(g.cpus.current());
        try {
            return securityCapable(Mem.getLongAcquire(t + TaskStruct.REAL_CRED), ns, cap) == 0;
        } finally {
            g.rcu.rcuReadUnlock(rcu);
        }
    }

    /** has_capability: {@link #hasNsCapability} in init_user_ns. Does not set PF_SUPERPRIV. */
    public static boolean hasCapability(Globals g, long t, int cap) {
        return hasNsCapability(g, t, g.initUserNs, cap);
    }

    /** ns_capable_common: the check on current's subjective cred, and PF_SUPERPRIV when it passes. */
    private static boolean nsCapableCommon(long current, long ns, int cap) {
        if (!Capabilities.capValid(cap)) {
            // 5.12: pr_crit and BUG(); a caller bug, so a Java exception here
            throw new IllegalArgumentException("capable() called with invalid cap=" + cap);
        }
        if (securityCapable(Mem.getLong(current + TaskStruct.CRED), ns, cap) == 0) {
            // only current writes its own flags
            Mem.putInt(current + TaskStruct.FLAGS, Mem.getInt(current + TaskStruct.FLAGS) | TaskFlags.PF_SUPERPRIV);
            return true;
        }
        return false;
    }

    /** ns_capable: whether {@code current} may use {@code cap} in {@code ns}; sets PF_SUPERPRIV if so. */
    public static boolean nsCapable(long current, long ns, int cap) {
        return nsCapableCommon(current, ns, cap);
    }

    /** capable: {@link #nsCapable} in init_user_ns. */
    public static boolean capable(Globals g, long current, int cap) {
        return nsCapable(current, g.initUserNs, cap);
    }

    /**
     * checkpoint_restore_ns_capable: CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in {@code ns}
     * (alloc_pid asks it before it hands out a number chosen through set_tid).
     */
    public static boolean checkpointRestoreNsCapable(long current, long ns) {
        return nsCapable(current, ns, Capabilities.CAP_SYS_ADMIN)
            || nsCapable(current, ns, Capabilities.CAP_CHECKPOINT_RESTORE);
    }
}
