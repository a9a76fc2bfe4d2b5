package org.kfork.uapi;

/**
 * The flags of clone(), clone3() and unshare(), from include/uapi/linux/sched.h (5.12).
 *
 * <p>Every flag is a {@code long}. In C the 32 legacy flags are {@code int} constants and the
 * clone3-only ones are 64-bit; in Java an {@code int} 0x80000000 ({@link #CLONE_IO}) would
 * sign-extend to 0xffffffff80000000 when and-ed with a 64-bit flag word, so there are no
 * {@code int} flags here at all.
 *
 * <p>Legacy clone() packs the child's exit signal into the low byte ({@link #CSIGNAL}); kernel_clone
 * splits it off into kernel_clone_args.exit_signal. clone3() takes the exit signal in its own field
 * and rejects flags with any CSIGNAL bit set.
 */
public final class CloneFlags {
    /** Legacy clone(): the low byte of the flags is the signal sent to the parent when the child exits. */
    public static final long CSIGNAL = 0x000000ffL;
    /** The child shares the parent's address space (mm_struct); the mark of a thread. */
    public static final long CLONE_VM = 0x00000100L;
    /** The child shares root, cwd and umask (fs_struct). */
    public static final long CLONE_FS = 0x00000200L;
    /** The child shares the open file table (files_struct). */
    public static final long CLONE_FILES = 0x00000400L;
    /** The child shares the signal handlers (sighand_struct); needs CLONE_VM. */
    public static final long CLONE_SIGHAND = 0x00000800L;
    /** Return a pidfd for the child (same bit as the long-gone CLONE_PID). */
    public static final long CLONE_PIDFD = 0x00001000L;
    /** If the parent is traced, trace the child too. */
    public static final long CLONE_PTRACE = 0x00002000L;
    /** The parent sleeps until the child execs or exits (its mm is released). */
    public static final long CLONE_VFORK = 0x00004000L;
    /** The child gets the caller's parent as its parent. */
    public static final long CLONE_PARENT = 0x00008000L;
    /** The child joins the caller's thread group; needs CLONE_SIGHAND. */
    public static final long CLONE_THREAD = 0x00010000L;
    /** New mount namespace. */
    public static final long CLONE_NEWNS = 0x00020000L;
    /** The child shares System V semaphore undo values. */
    public static final long CLONE_SYSVSEM = 0x00040000L;
    /** Set the child's TLS (fs base) from the tls argument. */
    public static final long CLONE_SETTLS = 0x00080000L;
    /** Store the child's tid at parent_tid in the parent's memory. */
    public static final long CLONE_PARENT_SETTID = 0x00100000L;
    /** Clear the tid at child_tid in the child's memory when it exits, and futex-wake it. */
    public static final long CLONE_CHILD_CLEARTID = 0x00200000L;
    /** Obsolete: ignored by legacy clone(), rejected by clone3() with -EINVAL. */
    public static final long CLONE_DETACHED = 0x00400000L;
    /** A tracer cannot force CLONE_PTRACE onto this child. */
    public static final long CLONE_UNTRACED = 0x00800000L;
    /** Store the child's tid at child_tid in the child's memory. */
    public static final long CLONE_CHILD_SETTID = 0x01000000L;
    /** New cgroup namespace. */
    public static final long CLONE_NEWCGROUP = 0x02000000L;
    /** New UTS (host name) namespace. */
    public static final long CLONE_NEWUTS = 0x04000000L;
    /** New IPC namespace. */
    public static final long CLONE_NEWIPC = 0x08000000L;
    /** New user namespace. */
    public static final long CLONE_NEWUSER = 0x10000000L;
    /** New pid namespace. */
    public static final long CLONE_NEWPID = 0x20000000L;
    /** New network namespace. */
    public static final long CLONE_NEWNET = 0x40000000L;
    /** The child shares the I/O context. */
    public static final long CLONE_IO = 0x80000000L;
    /** clone3() only (bit 32): reset all signal handlers to default; not with CLONE_SIGHAND. */
    public static final long CLONE_CLEAR_SIGHAND = 0x100000000L;
    /** clone3() only (bit 33): start the child in the cgroup named by args.cgroup. */
    public static final long CLONE_INTO_CGROUP = 0x200000000L;
    /**
     * New time namespace. Its bit lies inside CSIGNAL, so only unshare() and setns() take it;
     * clone3() rejects it through the CSIGNAL check.
     */
    public static final long CLONE_NEWTIME = 0x00000080L;

    /** sizeof the first published struct clone_args (flags to tls). */
    public static final int CLONE_ARGS_SIZE_VER0 = 64;
    /** sizeof struct clone_args with set_tid and set_tid_size (5.5). */
    public static final int CLONE_ARGS_SIZE_VER1 = 80;
    /** sizeof struct clone_args with cgroup (5.7), the 5.12 size. */
    public static final int CLONE_ARGS_SIZE_VER2 = 88;

    /**
     * include/linux/sched/task.h: every flag legacy clone() can express (the low 32 bits).
     * clone3() rejects {@code flags & ~(CLONE_LEGACY_FLAGS | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP)}.
     */
    public static final long CLONE_LEGACY_FLAGS = 0xffffffffL;

    /**
     * Every named bit of a clone3 or unshare flag word, in the order strace prints them: the
     * legacy flags by ascending bit, CLONE_NEWTIME (which lives in the CSIGNAL byte, so that
     * {@link #describe} never names it), then the clone3-only flags.
     */
    private static final FlagNames ALL_NAMES = new FlagNames(
        new long[] {
            CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_PIDFD, CLONE_PTRACE, CLONE_VFORK,
            CLONE_PARENT, CLONE_THREAD, CLONE_NEWNS, CLONE_SYSVSEM, CLONE_SETTLS, CLONE_PARENT_SETTID,
            CLONE_CHILD_CLEARTID, CLONE_DETACHED, CLONE_UNTRACED, CLONE_CHILD_SETTID, CLONE_NEWCGROUP,
            CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_IO,
            CLONE_NEWTIME, CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP,
        },
        new String[] {
            "CLONE_VM", "CLONE_FS", "CLONE_FILES", "CLONE_SIGHAND", "CLONE_PIDFD", "CLONE_PTRACE",
            "CLONE_VFORK", "CLONE_PARENT", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_SYSVSEM",
            "CLONE_SETTLS", "CLONE_PARENT_SETTID", "CLONE_CHILD_CLEARTID", "CLONE_DETACHED",
            "CLONE_UNTRACED", "CLONE_CHILD_SETTID", "CLONE_NEWCGROUP", "CLONE_NEWUTS",
            "CLONE_NEWIPC", "CLONE_NEWUSER", "CLONE_NEWPID", "CLONE_NEWNET", "CLONE_IO",
            "CLONE_NEWTIME", "CLONE_CLEAR_SIGHAND", "CLONE_INTO_CGROUP",
        });

    private CloneFlags() {
    }

    /**
     * Names the bits of a clone3 or unshare flag word, which has no exit signal in it:
     * {@code describeWord(CLONE_NEWPID | CLONE_NEWTIME)} is {@code "CLONE_NEWPID|CLONE_NEWTIME"}.
     * Unnamed bits come last as one hex number; zero gives {@code "0"}.
     *
     * @param flags a clone3 {@code flags} field or an unshare argument
     * @return the description, never empty
     */
    public static String describeWord(long flags) {
        return ALL_NAMES.describe(flags);
    }

    /**
     * Names the bits of a legacy clone() flag word, for logs and error messages:
     * {@code describe(CLONE_VM | CLONE_FS | SIGCHLD)} is {@code "CLONE_VM|CLONE_FS|SIGCHLD"}.
     *
     * <p>The flags come first in ascending bit order. The low byte ({@link #CSIGNAL}) follows as a
     * signal name when it is a valid signal (1 to _NSIG); any other bits that have no name,
     * including a low byte above _NSIG such as CLONE_NEWTIME's 0x80, come last as one hex number.
     * Zero gives {@code "0"}.
     *
     * @param flags a clone flag word, exit signal in the low byte
     * @return the description, never empty
     */
    public static String describe(long flags) {
        StringBuilder out = new StringBuilder();
        long left = ALL_NAMES.appendNames(flags & ~CSIGNAL, out);
        int signal = exitSignal(flags);
        if (signal != 0 && Signals.validSignal(signal)) {
            (out.length() == 0 ? out : out.append('|')).append(Signals.name(signal));
        } else {
            left |= signal;
        }
        FlagNames.appendLeftover(left, out);
        return out.length() == 0 ? "0" : out.toString();
    }

    /**
     * The exit signal packed into a legacy clone() flag word: {@code flags & CSIGNAL}.
     *
     * @param flags a clone flag word
     * @return the low byte, 0 to 255
     */
    public static int exitSignal(long flags) {
        return (int) (flags & CSIGNAL);
    }
}
