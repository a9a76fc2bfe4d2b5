package org.kfork.kernel.ptrace;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.ptrace.PtraceRules.PTRACE_MODE_FSCREDS;

import org.kfork.kernel.Globals;
import org.kfork.kernel.cred.Capability;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.mm.MmFlags;
import org.kfork.ptrace.PtraceRules;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;

/**
 * kernel/ptrace.c (5.12), the access check the rest of the kernel asks before it looks into
 * another task (mm_access, /proc): ptrace_may_access and __ptrace_may_access, with the one
 * security hook the reference config leaves to decide, commoncap's cap_ptrace_access_check. The
 * model has no tracers: ptrace itself (attach, requests, events) is not ported.
 *
 * <p>Invariants: the target's creds and mm are read under its task_lock, as 5.12 does, so an
 * exec or exit that changes them is seen whole; a check that names neither or both of
 * FSCREDS and REALCREDS is denied. CONFIG_USER_NS is off, so every user namespace is
 * init_user_ns and ns_capable is capable.
 */
public final class Ptrace {
    private Ptrace() {
    }

    /** ptrace_has_cap: CAP_SYS_PTRACE in {@code ns} (the NOAUDIT form audits nothing either way here). */
    private static boolean ptraceHasCap(Globals g, long current, long ns, int mode) {
        return Capability.nsCapable(current, ns != 0 ? ns : g.initUserNs, Capabilities.CAP_SYS_PTRACE);
    }

    /**
     * __ptrace_may_access: 0 when {@code current} may look at {@code task} in {@code mode}
     * (PtraceRules.PTRACE_MODE_*), else -EPERM. Called under task's task_lock.
     */
    static int __ptraceMayAccess(Globals g, long current, long task, int mode) {
        if (!PtraceRules.credsModeValid(mode)) {
            return -Errno.EPERM; // 5.12 WARNs: a caller bug, denied
        }
        // same_thread_group: a task may always look at its own group
        if (getLong(task + TaskStruct.SIGNAL) == getLong(current + TaskStruct.SIGNAL)) {
            return 0;
        }
        final int rcu = g.rcu.rcuReadLock();
        final long cred = getLong(current + TaskStruct.CRED);
        final long tcred = Mem.getLongAcquire(task + TaskStruct.REAL_CRED);
        final boolean fs = (mode & PTRACE_MODE_FSCREDS) != 0;
        final boolean ok = PtraceRules.idsMatch(getInt(cred + (fs ? Cred.FSUID : Cred.UID)),
            getInt(cred + (fs ? Cred.FSGID : Cred.GID)), getInt(tcred + Cred.UID), getInt(tcred + Cred.EUID),
            getInt(tcred + Cred.SUID), getInt(tcred + Cred.GID), getInt(tcred + Cred.EGID), getInt(tcred + Cred.SGID))
            || ptraceHasCap(g, current, getLong(tcred + Cred.USER_NS), mode);
        g.rcu.rcuReadUnlock(rcu);
        if (!ok) {
            return -Errno.EPERM;
        }
        // a task that dropped privileges is not dumpable: only CAP_SYS_PTRACE may look at it (in
        // mm->user_ns, which the mm room keeps as a counted token of init_user_ns: CONFIG_USER_NS
        // is off, so it is init_user_ns)
        final long mm = Mem.getLongVolatile(task + TaskStruct.MM);
        if (mm != 0 && (Mem.getLongVolatile(mm + MmStruct.FLAGS) & MmFlags.MMF_DUMPABLE_MASK) != MmFlags.SUID_DUMP_USER
            && !ptraceHasCap(g, current, g.initUserNs, mode)) {
            return -Errno.EPERM;
        }
        return capPtraceAccessCheck(g, current, task, mode);
    }

    /**
     * security_ptrace_access_check, commoncap's cap_ptrace_access_check: the target's permitted
     * capabilities within the caller's (effective for FSCREDS, else permitted) in the same user
     * namespace, or CAP_SYS_PTRACE there; else -EPERM.
     */
    private static int capPtraceAccessCheck(Globals g, long current, long task, int mode) {
        final int rcu = g.rcu.rcuReadLock();
        try {
            final long cred = getLong(current + TaskStruct.CRED);
            final long tcred = Mem.getLongAcquire(task + TaskStruct.REAL_CRED);
            final long callerCaps = getLong(cred + ((mode & PTRACE_MODE_FSCREDS) != 0 ? Cred.CAP_EFFECTIVE : Cred.CAP_PERMITTED));
            if (getLong(cred + Cred.USER_NS) == getLong(tcred + Cred.USER_NS)
                && PtraceRules.capSubset(getLong(tcred + Cred.CAP_PERMITTED), callerCaps)) {
                return 0;
            }
            return ptraceHasCap(g, current, getLong(tcred + Cred.USER_NS), mode) ? 0 : -Errno.EPERM;
        } finally {
            g.rcu.rcuReadUnlock(rcu);
        }
    }

    /** ptrace_may_access: whether {@code current} may look at {@code task} in {@code mode}. */
    public static boolean ptraceMayAccess(Globals g, long current, long task, int mode) {
        Spinlock.lock(task + TaskStruct.ALLOC_LOCK);
        try {
            return __ptraceMayAccess(g, current, task, mode) == 0;
        } finally {
            Spinlock.unlock(task + TaskStruct.ALLOC_LOCK);
        }
    }
}
