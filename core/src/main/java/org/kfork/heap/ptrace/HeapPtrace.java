package org.kfork.heap.ptrace;

import static org.kfork.ptrace.PtraceRules.PTRACE_MODE_FSCREDS;

import org.kfork.heap.HeapGlobals;
import org.kfork.heap.cred.HeapCapability;
import org.kfork.heap.cred.HeapCred;
import org.kfork.heap.cred.HeapUserNamespace;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.mm.MmFlags;
import org.kfork.ptrace.PtraceRules;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;

/**
 * The heap twin of org.kfork.kernel.ptrace.Ptrace: kernel/ptrace.c's ptrace_may_access (5.12)
 * with commoncap's cap_ptrace_access_check, the same steps on heap tasks. The heap mm keeps no
 * user namespace object of its own; with CONFIG_USER_NS off, the dumpability check asks
 * CAP_SYS_PTRACE in init_user_ns, as the off-heap mm's user_ns is.
 */
public final class HeapPtrace {
    private HeapPtrace() {
    }

    /** ptrace_has_cap. */
    private static boolean ptraceHasCap(HeapGlobals g, HeapTask current, HeapUserNamespace ns, int mode) {
        return HeapCapability.nsCapable(current, ns != null ? ns : g.initUserNs, Capabilities.CAP_SYS_PTRACE);
    }

    /** __ptrace_may_access (see the off-heap twin): 0 or -EPERM. */
    static int __ptraceMayAccess(HeapGlobals g, HeapTask current, HeapTask task, int mode) {
        if (!PtraceRules.credsModeValid(mode)) {
            return -Errno.EPERM;
        }
        if (task.signal == current.signal) {
            return 0;
        }
        final int rcu = g.rcu.rcuReadLock();
        final HeapCred cred = current.cred;
        final HeapCred tcred = task.realCred;
        final boolean fs = (mode & PTRACE_MODE_FSCREDS) != 0;
        final boolean ok = PtraceRules.idsMatch(fs ? cred.fsuid : cred.uid, fs ? cred.fsgid : cred.gid,
            tcred.uid, tcred.euid, tcred.suid, tcred.gid, tcred.egid, tcred.sgid)
            || ptraceHasCap(g, current, tcred.userNs, mode);
        g.rcu.rcuReadUnlock(rcu);
        if (!ok) {
            return -Errno.EPERM;
        }
        final HeapMmStruct mm = task.mm;
        if (mm != null && (mm.flags & MmFlags.MMF_DUMPABLE_MASK) != MmFlags.SUID_DUMP_USER
            && !ptraceHasCap(g, current, g.initUserNs, mode)) {
            return -Errno.EPERM;
        }
        return capPtraceAccessCheck(g, current, task, mode);
    }

    /** cap_ptrace_access_check (see the off-heap twin). */
    private static int capPtraceAccessCheck(HeapGlobals g, HeapTask current, HeapTask task, int mode) {
        final int rcu = g.rcu.rcuReadLock();
        try {
            final HeapCred cred = current.cred;
            final HeapCred tcred = task.realCred;
            final long callerCaps = (mode & PTRACE_MODE_FSCREDS) != 0 ? cred.capEffective : cred.capPermitted;
            if (cred.userNs == tcred.userNs && PtraceRules.capSubset(tcred.capPermitted, callerCaps)) {
                return 0;
            }
            return ptraceHasCap(g, current, tcred.userNs, mode) ? 0 : -Errno.EPERM;
        } finally {
            g.rcu.rcuReadUnlock(rcu);
        }
    }

    /** ptrace_may_access. */
    public static boolean ptraceMayAccess(HeapGlobals g, HeapTask current, HeapTask task, int mode) {
        task.allocLock.lock();
        try {
            return __ptraceMayAccess(g, current, task, mode) == 0;
        } finally {
            task.allocLock.unlock();
        }
    }
}
