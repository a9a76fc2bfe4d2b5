package org.kfork.heap.signal;

/**
 * The heap twin of {@code kernel_siginfo_t}: the fields of the layouts the model fills (kill, rt
 * and SIGCHLD: signo, errno, code, pid, uid, status, utime, stime).
 */
public final class HeapKernelSiginfo {
    /** si_signo. */
    public int siSigno;
    /** si_errno. */
    public int siErrno;
    /** si_code. */
    public int siCode;
    /** si_pid ({@code _kill._pid}, the same place in _rt and _sigchld). */
    public int siPid;
    /** si_uid. */
    public int siUid;
    /** si_status ({@code _sigchld._status}). */
    public int siStatus;
    /** si_utime ({@code _sigchld._utime}). */
    public long siUtime;
    /** si_stime ({@code _sigchld._stime}). */
    public long siStime;

    /** A cleared siginfo. */
    public HeapKernelSiginfo() {
    }

    /** clear_siginfo. */
    public void clear() {
        siSigno = siErrno = siCode = siPid = siUid = siStatus = 0;
        siUtime = siStime = 0;
    }

    /** copy_siginfo: {@code *this = *from}. */
    public void copyFrom(HeapKernelSiginfo from) {
        siSigno = from.siSigno;
        siErrno = from.siErrno;
        siCode = from.siCode;
        siPid = from.siPid;
        siUid = from.siUid;
        siStatus = from.siStatus;
        siUtime = from.siUtime;
        siStime = from.siStime;
    }
}
