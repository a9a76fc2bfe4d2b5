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
    /** SS_DISABLE (uapi/asm-generic/signal-defs.h): sigaltstack's flag for no alternate stack. */
    public static final int SS_DISABLE = 2;
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

    // ---- more of sigaction (include/uapi/asm-generic/signal-defs.h, include/linux/signal.h)

    /** {@code SIG_ERR}: what signal(2) returns on error. */
    public static final long SIG_ERR = -1;

    /** {@code SIG_KTHREAD} (include/linux/signal.h): a kernel thread takes the signal (allow_signal). */
    public static final long SIG_KTHREAD = 2;
    /** {@code SIG_KTHREAD_KERNEL}: a kernel thread takes the signal only from the kernel. */
    public static final long SIG_KTHREAD_KERNEL = 3;

    /**
     * {@code UAPI_SA_FLAGS} (include/linux/signal_types.h): the flag bits sigaction keeps; the
     * rest are cleared so that user space can see what the kernel does not know. x86 adds
     * SA_RESTORER.
     */
    public static final long UAPI_SA_FLAGS = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK
        | SA_RESTART | SA_NODEFER | SA_RESETHAND | SA_EXPOSE_TAGBITS | SA_RESTORER;

    // ---- default actions (include/linux/signal.h): one bit per signal, rt_sigmask(sig)

    /** Signals that cannot be caught, blocked or ignored: SIGKILL, SIGSTOP. */
    public static final long SIG_KERNEL_ONLY_MASK = (1L << (SIGKILL - 1)) | (1L << (SIGSTOP - 1));
    /** Signals whose default action stops the process. */
    public static final long SIG_KERNEL_STOP_MASK = (1L << (SIGSTOP - 1)) | (1L << (SIGTSTP - 1))
        | (1L << (SIGTTIN - 1)) | (1L << (SIGTTOU - 1));
    /** Signals whose default action dumps core (x86 has no SIGEMT). */
    public static final long SIG_KERNEL_COREDUMP_MASK = (1L << (SIGQUIT - 1)) | (1L << (SIGILL - 1))
        | (1L << (SIGTRAP - 1)) | (1L << (SIGABRT - 1)) | (1L << (SIGFPE - 1)) | (1L << (SIGSEGV - 1))
        | (1L << (SIGBUS - 1)) | (1L << (SIGSYS - 1)) | (1L << (SIGXCPU - 1)) | (1L << (SIGXFSZ - 1));
    /** Signals whose default action is to ignore them. */
    public static final long SIG_KERNEL_IGNORE_MASK = (1L << (SIGCONT - 1)) | (1L << (SIGCHLD - 1))
        | (1L << (SIGWINCH - 1)) | (1L << (SIGURG - 1));
    /** Signals with si_codes of their own (their siginfo layout depends on the code). */
    public static final long SIG_SPECIFIC_SICODES_MASK = (1L << (SIGILL - 1)) | (1L << (SIGFPE - 1))
        | (1L << (SIGSEGV - 1)) | (1L << (SIGBUS - 1)) | (1L << (SIGTRAP - 1)) | (1L << (SIGCHLD - 1))
        | (1L << (SIGPOLL - 1)) | (1L << (SIGSYS - 1));

    // ---- si_code (include/uapi/asm-generic/siginfo.h)

    /** Sent by kill, sigsend or raise. */
    public static final int SI_USER = 0;
    /** Sent by the kernel. */
    public static final int SI_KERNEL = 0x80;
    /** Sent by sigqueue. */
    public static final int SI_QUEUE = -1;
    /** Sent by a POSIX timer's expiry. */
    public static final int SI_TIMER = -2;
    /** Sent by a message queue's state change. */
    public static final int SI_MESGQ = -3;
    /** Sent by an AIO completion. */
    public static final int SI_ASYNCIO = -4;
    /** Sent by a queued SIGIO. */
    public static final int SI_SIGIO = -5;
    /** Sent by tkill or tgkill. */
    public static final int SI_TKILL = -6;
    /** Sent by execve killing the other threads. */
    public static final int SI_DETHREAD = -7;
    /** Sent by glibc's asynchronous name lookup. */
    public static final int SI_ASYNCNL = -60;
    /** The si_codes of each signal with codes of its own (NSIG* of siginfo.h); 0 for the others. */
    private static final int[] NSIG_CODES = new int[SIGSYS + 1];
    /** siginfo_layout() results: which union member of _sifields a siginfo uses. */
    public static final int SIL_KILL = 0;
    /** The POSIX timer layout. */
    public static final int SIL_TIMER = 1;
    /** The SIGPOLL/SIGIO layout. */
    public static final int SIL_POLL = 2;
    /** A fault: si_addr. */
    public static final int SIL_FAULT = 3;
    /** A machine-check fault: si_addr and si_addr_lsb. */
    public static final int SIL_FAULT_MCEERR = 4;
    /** A bound-check fault. */
    public static final int SIL_FAULT_BNDERR = 5;
    /** A protection-key fault. */
    public static final int SIL_FAULT_PKUERR = 6;
    /** SIGCHLD: pid, uid, status, utime, stime. */
    public static final int SIL_CHLD = 7;
    /** sigqueue and friends: pid, uid, value. */
    public static final int SIL_RT = 8;
    /** SIGSYS from seccomp. */
    public static final int SIL_SYS = 9;
    private static final int[] SIL_OF_SPECIFIC = new int[SIGSYS + 1];

    static {
        NSIG_CODES[SIGILL] = 11;
        NSIG_CODES[SIGFPE] = 15;
        NSIG_CODES[SIGSEGV] = 9;
        NSIG_CODES[SIGBUS] = 5;
        NSIG_CODES[SIGTRAP] = 5;
        NSIG_CODES[SIGCHLD] = 6;
        NSIG_CODES[SIGPOLL] = 6;
        NSIG_CODES[SIGSYS] = 2;
        for (int sig : new int[] {SIGILL, SIGFPE, SIGSEGV, SIGBUS, SIGTRAP}) {
            SIL_OF_SPECIFIC[sig] = SIL_FAULT;
        }
        SIL_OF_SPECIFIC[SIGCHLD] = SIL_CHLD;
        SIL_OF_SPECIFIC[SIGPOLL] = SIL_POLL;
        SIL_OF_SPECIFIC[SIGSYS] = SIL_SYS;
    }

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

    // ---- sigset_t arithmetic: x86_64's sigset_t is one unsigned long, bit sig-1 for signal sig

    /**
     * rt_sigmask(): the bit of {@code sig} (1 to 64) in a sigset_t word. Unchecked, for the
     * kernel's own use on numbers it has already validated.
     */
    public static long rtSigmask(int sig) {
        return 1L << (sig - 1);
    }

    /** sigaddset: {@code set} with {@code sig} added. */
    public static long sigaddset(long set, int sig) {
        return set | rtSigmask(sig);
    }

    /** sigdelset: {@code set} without {@code sig}. */
    public static long sigdelset(long set, int sig) {
        return set & ~rtSigmask(sig);
    }

    /** sigismember. */
    public static boolean sigismember(long set, int sig) {
        return (set & rtSigmask(sig)) != 0;
    }

    /**
     * siginmask(sig, mask): a standard signal (1 to 31) whose bit is in {@code mask}; real-time
     * signals are never in the kernel's class masks.
     */
    public static boolean siginmask(int sig, long mask) {
        return sig > 0 && sig < SIGRTMIN && (rtSigmask(sig) & mask) != 0;
    }

    /** sig_kernel_only: SIGKILL or SIGSTOP. */
    public static boolean sigKernelOnly(int sig) {
        return siginmask(sig, SIG_KERNEL_ONLY_MASK);
    }

    /** sig_kernel_coredump: the default action dumps core. */
    public static boolean sigKernelCoredump(int sig) {
        return siginmask(sig, SIG_KERNEL_COREDUMP_MASK);
    }

    /** sig_kernel_ignore: the default action ignores the signal. */
    public static boolean sigKernelIgnore(int sig) {
        return siginmask(sig, SIG_KERNEL_IGNORE_MASK);
    }

    /** sig_kernel_stop: the default action stops the process. */
    public static boolean sigKernelStop(int sig) {
        return siginmask(sig, SIG_KERNEL_STOP_MASK);
    }

    /** sig_specific_sicodes. */
    public static boolean sigSpecificSicodes(int sig) {
        return siginmask(sig, SIG_SPECIFIC_SICODES_MASK);
    }

    /**
     * sig_handler_ignored: whether a signal with this handler is ignored, explicitly (SIG_IGN)
     * or by default (SIG_DFL of a signal whose default is to ignore).
     */
    public static boolean sigHandlerIgnored(long handler, int sig) {
        return handler == SIG_IGN || (handler == SIG_DFL && sigKernelIgnore(sig));
    }

    /**
     * sig_fatal(t, sig) given t's handler for sig: the default action of a signal that neither
     * ignores nor stops, so it terminates the thread group.
     */
    public static boolean sigFatal(long handler, int sig) {
        return !siginmask(sig, SIG_KERNEL_IGNORE_MASK | SIG_KERNEL_STOP_MASK) && handler == SIG_DFL;
    }

    /**
     * Whether get_signal, dequeuing {@code sig} with this handler, ends the thread group: the
     * default action kills ({@link #sigFatal}), and an unkillable init (SIGNAL_UNKILLABLE) only
     * dies of SIGKILL or SIGSTOP's kind.
     */
    public static boolean sigKillsGroup(long handler, int sig, boolean unkillable) {
        return sigFatal(handler, sig) && (!unkillable || sigKernelOnly(sig));
    }

    /** SI_FROMUSER: a siginfo whose code says user space sent it (si_code <= 0). */
    public static boolean siFromuser(int siCode) {
        return siCode <= 0;
    }

    /**
     * siginfo_layout(sig, si_code) of kernel/signal.c: which member of the siginfo union a
     * signal with this code fills (one of the SIL_* values).
     */
    public static int siginfoLayout(int sig, int siCode) {
        int layout = SIL_KILL;
        if (siCode > SI_USER && siCode < SI_KERNEL) {
            if (sig >= 0 && sig < NSIG_CODES.length && siCode <= NSIG_CODES[sig]) {
                layout = SIL_OF_SPECIFIC[sig];
                // the codes with a layout of their own (BUS_MCEERR_AR/AO, SEGV_BNDERR, SEGV_PKUERR)
                if (sig == SIGBUS && siCode >= 4 && siCode <= 5) {
                    layout = SIL_FAULT_MCEERR;
                } else if (sig == SIGSEGV && siCode == 3) {
                    layout = SIL_FAULT_BNDERR;
                } else if (sig == SIGSEGV && siCode == 4) {
                    layout = SIL_FAULT_PKUERR;
                }
            } else if (siCode <= NSIG_CODES[SIGPOLL]) {
                layout = SIL_POLL;
            }
        } else if (siCode == SI_TIMER) {
            layout = SIL_TIMER;
        } else if (siCode == SI_SIGIO) {
            layout = SIL_POLL;
        } else if (siCode < 0) {
            layout = SIL_RT;
        }
        return layout;
    }

    /**
     * has_si_pid_and_uid of kernel/signal.c: whether a siginfo of this signal and code carries a
     * sender's pid and uid (the kill, SIGCHLD and rt layouts), which send_signal translates into
     * the receiver's namespaces.
     */
    public static boolean hasSiPidAndUid(int sig, int siCode) {
        int layout = siginfoLayout(sig, siCode);
        return layout == SIL_KILL || layout == SIL_CHLD || layout == SIL_RT;
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
