package org.kfork.ptrace;

/**
 * The representation-free half of kernel/ptrace.c's __ptrace_may_access (5.12) and of
 * security/commoncap.c's cap_ptrace_access_check: the PTRACE_MODE_* bits
 * (include/linux/ptrace.h) and the id and capability comparisons both kernels make the same way.
 */
public final class PtraceRules {
    /** PTRACE_MODE_READ: a read-only look (/proc/PID/mem read, process_vm_readv...). */
    public static final int PTRACE_MODE_READ = 0x01;
    /** PTRACE_MODE_ATTACH: what PTRACE_ATTACH needs. */
    public static final int PTRACE_MODE_ATTACH = 0x02;
    /** PTRACE_MODE_NOAUDIT: no audit record for the capability check. */
    public static final int PTRACE_MODE_NOAUDIT = 0x04;
    /** PTRACE_MODE_FSCREDS: compare the caller's fs uid and gid. */
    public static final int PTRACE_MODE_FSCREDS = 0x08;
    /** PTRACE_MODE_REALCREDS: compare the caller's real uid and gid. */
    public static final int PTRACE_MODE_REALCREDS = 0x10;
    /** PTRACE_MODE_READ_FSCREDS. */
    public static final int PTRACE_MODE_READ_FSCREDS = PTRACE_MODE_READ | PTRACE_MODE_FSCREDS;
    /** PTRACE_MODE_READ_REALCREDS. */
    public static final int PTRACE_MODE_READ_REALCREDS = PTRACE_MODE_READ | PTRACE_MODE_REALCREDS;
    /** PTRACE_MODE_ATTACH_FSCREDS. */
    public static final int PTRACE_MODE_ATTACH_FSCREDS = PTRACE_MODE_ATTACH | PTRACE_MODE_FSCREDS;
    /** PTRACE_MODE_ATTACH_REALCREDS. */
    public static final int PTRACE_MODE_ATTACH_REALCREDS = PTRACE_MODE_ATTACH | PTRACE_MODE_REALCREDS;

    private PtraceRules() {
    }

    /**
     * Exactly one of FSCREDS and REALCREDS: 5.12 WARNs and denies (-EPERM) a check that names
     * neither or both.
     */
    public static boolean credsModeValid(int mode) {
        return ((mode & PTRACE_MODE_FSCREDS) == 0) != ((mode & PTRACE_MODE_REALCREDS) == 0);
    }

    /** Whether the check compares the caller's fs ids (else its real ids). */
    public static boolean useFsCreds(int mode) {
        return (mode & PTRACE_MODE_FSCREDS) != 0;
    }

    /**
     * __ptrace_may_access's id test: the caller's uid is the target's real, effective and saved
     * uid, and its gid the target's real, effective and saved gid.
     */
    public static boolean idsMatch(int callerUid, int callerGid, int uid, int euid, int suid, int gid, int egid,
        int sgid) {
        return callerUid == euid && callerUid == suid && callerUid == uid
            && callerGid == egid && callerGid == sgid && callerGid == gid;
    }

    /**
     * cap_ptrace_access_check's subset test: the target's permitted capabilities are all in the
     * caller's set (effective for FSCREDS, permitted otherwise).
     */
    public static boolean capSubset(long targetPermitted, long callerCaps) {
        return (targetPermitted & ~callerCaps) == 0;
    }
}
