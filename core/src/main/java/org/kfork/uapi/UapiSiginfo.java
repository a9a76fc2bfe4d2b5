package org.kfork.uapi;

/**
 * The part of {@code siginfo_t} (include/uapi/asm-generic/siginfo.h, x86_64, 5.12) that waitid
 * fills for a child: the three leading ints, then the {@code _sigchld} member of the union at 16.
 * The off-heap layout ({@code org.kfork.kernel.struct.Siginfo}) places the same struct, and a test
 * in {@code tests/} pins the two together; code without the layout engine (the heap kernel, the
 * script runner) takes the offsets from here.
 */
public final class UapiSiginfo {
    /** {@code int si_signo}: SIGCHLD, or 0 when waitid with WNOHANG found nothing. */
    public static final int SI_SIGNO = 0;
    /** {@code int si_errno}. */
    public static final int SI_ERRNO = 4;
    /** {@code int si_code}: a CLD_* code ({@link Wait#CLD_EXITED}...). */
    public static final int SI_CODE = 8;
    /** {@code pid_t si_pid}: the child, in the waiter's pid namespace. */
    public static final int SI_PID = 16;
    /** {@code uid_t si_uid}: the child's real uid. */
    public static final int SI_UID = 20;
    /** {@code int si_status}: the exit code, or the signal. */
    public static final int SI_STATUS = 24;
    /** {@code clock_t si_utime}. */
    public static final int SI_UTIME = 32;
    /** {@code clock_t si_stime}. */
    public static final int SI_STIME = 40;
    /** sizeof(siginfo_t): SI_MAX_SIZE, 128. */
    public static final int SIZEOF = 128;

    private UapiSiginfo() {
    }
}
