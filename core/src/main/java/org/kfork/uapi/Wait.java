package org.kfork.uapi;

/**
 * The wait4 and waitid ABI (include/uapi/linux/wait.h, the CLD_* codes of
 * include/uapi/asm-generic/siginfo.h, 5.12) and the encoding of a wait status, which the
 * W* macros of glibc's bits/waitstatus.h take apart: the exit code in bits 8-15 and the
 * terminating signal in bits 0-6 (bit 7 for a core dump), or 0x7f in the low byte for a stopped
 * child with its stop signal in bits 8-15, or 0xffff for a continued one.
 *
 * <p>Options are {@code int}s as in C; __WCLONE is bit 31, so it is negative here, which is what
 * the kernel's {@code int options} holds too.
 */
public final class Wait {
    /** Return at once if no child has changed state. */
    public static final int WNOHANG = 0x00000001;
    /** wait4: also report stopped children. */
    public static final int WUNTRACED = 0x00000002;
    /** waitid: report stopped children (same bit as {@link #WUNTRACED}). */
    public static final int WSTOPPED = WUNTRACED;
    /** waitid: report children that exited (wait4 always does). */
    public static final int WEXITED = 0x00000004;
    /** Report children continued by SIGCONT. */
    public static final int WCONTINUED = 0x00000008;
    /** waitid: leave the child waitable (do not reap). */
    public static final int WNOWAIT = 0x01000000;
    /** Wait only for children of the calling thread, not of its whole thread group. */
    public static final int __WNOTHREAD = 0x20000000;
    /** Wait for every child, whatever its exit signal. */
    public static final int __WALL = 0x40000000;
    /** Wait only for "clone" children: those whose exit signal is not SIGCHLD. */
    public static final int __WCLONE = 0x80000000;

    /** waitid idtype: any child. */
    public static final int P_ALL = 0;
    /** waitid idtype: the child whose pid is id. */
    public static final int P_PID = 1;
    /** waitid idtype: any child in process group id. */
    public static final int P_PGID = 2;
    /** waitid idtype: the child the pidfd id refers to (5.4). */
    public static final int P_PIDFD = 3;

    /** si_code of a SIGCHLD: the child exited. */
    public static final int CLD_EXITED = 1;
    /** si_code of a SIGCHLD: the child was killed by a signal. */
    public static final int CLD_KILLED = 2;
    /** si_code of a SIGCHLD: the child was killed and dumped core. */
    public static final int CLD_DUMPED = 3;
    /** si_code of a SIGCHLD: a traced child trapped. */
    public static final int CLD_TRAPPED = 4;
    /** si_code of a SIGCHLD: the child stopped. */
    public static final int CLD_STOPPED = 5;
    /** si_code of a SIGCHLD: a stopped child continued. */
    public static final int CLD_CONTINUED = 6;

    /** The core-dump bit of a status killed by a signal (WCOREFLAG). */
    public static final int WCOREFLAG = 0x80;

    /** sizeof(struct rusage) on x86_64 (include/uapi/linux/resource.h): what wait4 and waitid write at ru. */
    public static final int RUSAGE_SIZEOF = 144;

    private Wait() {
    }

    /** WIFEXITED: the child exited normally. */
    public static boolean ifExited(int status) {
        return (status & 0x7f) == 0;
    }

    /** WEXITSTATUS: its exit code, 0 to 255. */
    public static int exitStatus(int status) {
        return (status >> 8) & 0xff;
    }

    /** WIFSIGNALED: the child was killed by a signal. */
    public static boolean ifSignaled(int status) {
        // The low seven bits hold the signal, neither 0 (exited) nor 0x7f (stopped).
        return (byte) ((status & 0x7f) + 1) >> 1 > 0;
    }

    /** WTERMSIG: the signal that killed it. */
    public static int termSig(int status) {
        return status & 0x7f;
    }

    /** WCOREDUMP: it dumped core. */
    public static boolean coreDump(int status) {
        return (status & WCOREFLAG) != 0;
    }

    /** WIFSTOPPED: the child is stopped. */
    public static boolean ifStopped(int status) {
        return (status & 0xff) == 0x7f;
    }

    /** WSTOPSIG: the signal that stopped it. */
    public static int stopSig(int status) {
        return exitStatus(status);
    }

    /** W_EXITCODE(code, sig): the status of a child that exited with {@code code} or died of {@code sig}. */
    public static int exitCode(int code, int sig) {
        return (code << 8) | sig;
    }
}
