package org.kfork.uapi;

/**
 * Signal numbers of Linux on x86_64 (arch/x86/include/uapi/asm/signal.h) and the sizes of the
 * kernel's sigset_t (arch/x86/include/asm/signal.h), as of 5.12.
 *
 * <p>Signals 1 to 31 are the standard ones; 32 ({@link #SIGRTMIN}) to 64 ({@link #SIGRTMAX}) are
 * real-time signals. 0 is not a signal but is valid where a signal is optional (an exit signal of
 * 0 means "tell the parent nothing").
 */
public final class Signals {
    /** Hangup of the controlling terminal. */
    public static final int SIGHUP = 1;
    /** Interrupt from the keyboard. */
    public static final int SIGINT = 2;
    /** Quit from the keyboard. */
    public static final int SIGQUIT = 3;
    /** Illegal instruction. */
    public static final int SIGILL = 4;
    /** Trace or breakpoint trap. */
    public static final int SIGTRAP = 5;
    /** Abort. */
    public static final int SIGABRT = 6;
    /** Alias of {@link #SIGABRT}. */
    public static final int SIGIOT = 6;
    /** Bus error. */
    public static final int SIGBUS = 7;
    /** Arithmetic exception. */
    public static final int SIGFPE = 8;
    /** Kill; cannot be caught, blocked or ignored. */
    public static final int SIGKILL = 9;
    /** User-defined signal 1. */
    public static final int SIGUSR1 = 10;
    /** Invalid memory reference. */
    public static final int SIGSEGV = 11;
    /** User-defined signal 2. */
    public static final int SIGUSR2 = 12;
    /** Write to a pipe with no reader. */
    public static final int SIGPIPE = 13;
    /** Timer from alarm(). */
    public static final int SIGALRM = 14;
    /** Termination request. */
    public static final int SIGTERM = 15;
    /** Coprocessor stack fault (unused on x86). */
    public static final int SIGSTKFLT = 16;
    /** A child stopped or exited: the usual exit signal of fork(). */
    public static final int SIGCHLD = 17;
    /** Continue if stopped. */
    public static final int SIGCONT = 18;
    /** Stop; cannot be caught, blocked or ignored. */
    public static final int SIGSTOP = 19;
    /** Stop typed at the terminal. */
    public static final int SIGTSTP = 20;
    /** Terminal input for a background process. */
    public static final int SIGTTIN = 21;
    /** Terminal output for a background process. */
    public static final int SIGTTOU = 22;
    /** Urgent condition on a socket. */
    public static final int SIGURG = 23;
    /** CPU time limit exceeded. */
    public static final int SIGXCPU = 24;
    /** File size limit exceeded. */
    public static final int SIGXFSZ = 25;
    /** Virtual alarm clock. */
    public static final int SIGVTALRM = 26;
    /** Profiling timer expired. */
    public static final int SIGPROF = 27;
    /** Window resize. */
    public static final int SIGWINCH = 28;
    /** I/O now possible. */
    public static final int SIGIO = 29;
    /** Alias of {@link #SIGIO}. */
    public static final int SIGPOLL = 29;
    /** Power failure. */
    public static final int SIGPWR = 30;
    /** Bad system call. */
    public static final int SIGSYS = 31;
    /** The first real-time signal (the kernel's view; libc reserves a few). */
    public static final int SIGRTMIN = 32;
    /** The last real-time signal, {@code _NSIG}. */
    public static final int SIGRTMAX = 64;

    /** The number of signals: the largest valid signal number. */
    public static final int _NSIG = 64;
    /** Bits per word of a sigset_t: BITS_PER_LONG on x86_64. */
    public static final int _NSIG_BPW = 64;
    /** Words in a sigset_t: {@code _NSIG / _NSIG_BPW}. */
    public static final int _NSIG_WORDS = _NSIG / _NSIG_BPW;

    /** sa_handler SIG_DFL (include/uapi/asm-generic/signal-defs.h): the signal's default action. */
    public static final long SIG_DFL = 0;
    /** sa_handler SIG_IGN: the signal is ignored. */
    public static final long SIG_IGN = 1;

    /** sa_flags SA_NOCLDSTOP: no SIGCHLD when a child stops or continues. */
    public static final long SA_NOCLDSTOP = 0x00000001L;
    /** sa_flags SA_NOCLDWAIT: children are reaped at exit, never zombies (SIGCHLD only). */
    public static final long SA_NOCLDWAIT = 0x00000002L;
    /** sa_flags SA_SIGINFO: the handler takes a siginfo_t. */
    public static final long SA_SIGINFO = 0x00000004L;
    /** sa_flags SA_UNSUPPORTED (5.11): a bit the kernel always clears, to probe for flag support. */
    public static final long SA_UNSUPPORTED = 0x00000400L;
    /** sa_flags SA_EXPOSE_TAGBITS (5.11): keep the address tag bits in si_addr. */
    public static final long SA_EXPOSE_TAGBITS = 0x00000800L;
    /** sa_flags SA_RESTORER (arch/x86/include/uapi/asm/signal.h): sa_restorer is valid. */
    public static final long SA_RESTORER = 0x04000000L;
    /** sa_flags SA_ONSTACK: run the handler on the alternate signal stack. */
    public static final long SA_ONSTACK = 0x08000000L;
    /** sa_flags SA_RESTART: restart an interrupted system call (-ERESTARTSYS). */
    public static final long SA_RESTART = 0x10000000L;
    /** sa_flags SA_NODEFER: do not block the signal while its handler runs. */
    public static final long SA_NODEFER = 0x40000000L;
    /** sa_flags SA_RESETHAND: back to SIG_DFL once the handler has run. */
    public static final long SA_RESETHAND = 0x80000000L;
    /** The old name of {@link #SA_NODEFER}. */
    public static final long SA_NOMASK = SA_NODEFER;
    /** The old name of {@link #SA_RESETHAND}. */
    public static final long SA_ONESHOT = SA_RESETHAND;

    /** Names of signals 1 to 31, by number; index 0 is unused. Aliases give way to the first name. */
    private static final String[] NAMES = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    };

    private Signals() {
    }

    /**
     * valid_signal(): true for 0 to {@link #_NSIG}. The kernel takes an unsigned long, so a
     * negative number is a huge one and is not valid.
     *
     * @param sig a signal number as the caller passed it
     * @return whether {@code sig} may be used as a signal (0 included)
     */
    public static boolean validSignal(long sig) {
        return Long.compareUnsigned(sig, _NSIG) <= 0;
    }

    /**
     * The name of a signal: {@code "SIGCHLD"} for 17, {@code "SIGRTMIN+3"} for 35,
     * {@code "SIGRTMAX"} for 64. Anything else, 0 included, gives {@code "signal N"}.
     *
     * @param sig a signal number
     * @return its name, never null
     */
    public static String name(int sig) {
        if (sig >= 1 && sig < NAMES.length) {
            return NAMES[sig];
        }
        if (sig == SIGRTMIN) {
            return "SIGRTMIN";
        }
        if (sig == SIGRTMAX) {
            return "SIGRTMAX";
        }
        if (sig > SIGRTMIN && sig < SIGRTMAX) {
            return "SIGRTMIN+" + (sig - SIGRTMIN);
        }
        return "signal " + sig;
    }

    /**
     * sigmask(): the bit of {@code sig} in word 0 of a sigset_t (x86_64 has one word).
     *
     * @param sig a signal, 1 to {@link #_NSIG}
     * @return {@code 1L << (sig - 1)}
     */
    public static long sigmask(int sig) {
        if (sig < 1 || sig > _NSIG) {
            throw new IllegalArgumentException("not a signal: " + sig);
        }
        return 1L << (sig - 1);
    }
}
