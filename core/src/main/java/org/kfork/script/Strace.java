package org.kfork.script;

import java.util.ArrayList;
import java.util.List;
import org.kfork.api.Kernel;
import org.kfork.mm.Mman;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.FlagNames;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/**
 * The transcript's forms, as strace prints a call: numbers, addresses ({@code NULL}, {@code 0x...}),
 * flag words ({@code CLONE_VM|CLONE_FS}, unknown bits as one trailing hex number), signals, wait
 * statuses ({@code [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]}), structs ({@code {flags=..., ...}})
 * and results ({@code 43}, {@code -1 EINVAL (Invalid argument)}, {@code ?}).
 *
 * <p>Deviations from strace, each to keep a line short or true to the model: clone3's struct leaves
 * out {@code stack} and {@code stack_size} when both are zero; execve shows the image's name for
 * the path; a signal without a name prints as its number, not {@code SIG_0} or {@code SIGRT_n};
 * sa_flags are named in ascending bit order.
 */
public final class Strace {
    private static final FlagNames PROT = new FlagNames(
        new long[] {Mman.PROT_READ, Mman.PROT_WRITE, Mman.PROT_EXEC, Mman.PROT_SEM, Mman.PROT_GROWSDOWN,
            Mman.PROT_GROWSUP},
        new String[] {"PROT_READ", "PROT_WRITE", "PROT_EXEC", "PROT_SEM", "PROT_GROWSDOWN", "PROT_GROWSUP"});

    /** The flags of mmap after its type (MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE). */
    private static final FlagNames MAP = new FlagNames(
        new long[] {Mman.MAP_FIXED, Mman.MAP_ANONYMOUS, Mman.MAP_32BIT, Mman.MAP_GROWSDOWN, Mman.MAP_DENYWRITE,
            Mman.MAP_EXECUTABLE, Mman.MAP_LOCKED, Mman.MAP_NORESERVE, Mman.MAP_POPULATE, Mman.MAP_NONBLOCK,
            Mman.MAP_STACK, Mman.MAP_HUGETLB, Mman.MAP_SYNC, Mman.MAP_FIXED_NOREPLACE, Mman.MAP_UNINITIALIZED},
        new String[] {"MAP_FIXED", "MAP_ANONYMOUS", "MAP_32BIT", "MAP_GROWSDOWN", "MAP_DENYWRITE", "MAP_EXECUTABLE",
            "MAP_LOCKED", "MAP_NORESERVE", "MAP_POPULATE", "MAP_NONBLOCK", "MAP_STACK", "MAP_HUGETLB",
            "MAP_SYNC", "MAP_FIXED_NOREPLACE", "MAP_UNINITIALIZED"});

    /** wait4's options: bit 1 is WUNTRACED there. */
    private static final FlagNames WAIT4 = waitNames("WUNTRACED");
    /** waitid's options: bit 1 is WSTOPPED there. */
    private static final FlagNames WAITID = waitNames("WSTOPPED");

    private static final FlagNames SA = new FlagNames(
        new long[] {Signals.SA_NOCLDSTOP, Signals.SA_NOCLDWAIT, Signals.SA_SIGINFO, Signals.SA_UNSUPPORTED,
            Signals.SA_EXPOSE_TAGBITS, Signals.SA_RESTORER, Signals.SA_ONSTACK, Signals.SA_RESTART,
            Signals.SA_NODEFER, Signals.SA_RESETHAND},
        new String[] {"SA_NOCLDSTOP", "SA_NOCLDWAIT", "SA_SIGINFO", "SA_UNSUPPORTED", "SA_EXPOSE_TAGBITS",
            "SA_RESTORER", "SA_ONSTACK", "SA_RESTART", "SA_NODEFER", "SA_RESETHAND"});

    private static final String[] IDTYPES = {"P_ALL", "P_PID", "P_PGID", "P_PIDFD"};

    private static final String[] CLD_CODES = {null, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED",
        "CLD_STOPPED", "CLD_CONTINUED"};

    private Strace() {
    }

    private static FlagNames waitNames(String bit1) {
        return new FlagNames(
            new long[] {Wait.WNOHANG, Wait.WUNTRACED, Wait.WEXITED, Wait.WCONTINUED, Wait.WNOWAIT,
                Wait.__WNOTHREAD, Wait.__WALL, Integer.toUnsignedLong(Wait.__WCLONE)},
            new String[] {"WNOHANG", bit1, "WEXITED", "WCONTINUED", "WNOWAIT", "__WNOTHREAD", "__WALL", "__WCLONE"});
    }

    // ---------------------------------------------------------------------------------------------
    // A line
    // ---------------------------------------------------------------------------------------------

    /** {@code [pid] name(arg, arg) = result}: one transcript line. */
    public static String line(int pid, String name, List<String> args, String result) {
        return "[" + pid + "] " + name + "(" + String.join(", ", args) + ") = " + result;
    }

    /** {@code [pid] name(args) = result} with the arguments already joined. */
    public static String line(int pid, String name, String args, String result) {
        return "[" + pid + "] " + name + "(" + args + ") = " + result;
    }

    // ---------------------------------------------------------------------------------------------
    // Results
    // ---------------------------------------------------------------------------------------------

    /** A result printed in decimal (a pid, a count, 0), or the error it carries. */
    public static String result(long ret) {
        return isFailure(ret) ? failure(ret) : Long.toString(ret);
    }

    /**
     * A result printed in hex, as strace prints mmap's: {@code 0x7ffff7ff8000}. mmap never sleeps,
     * so {@link Kernel#KILLED} (2^63) is taken for the address it also is.
     */
    public static String resultHex(long ret) {
        return Errno.isError(ret) ? failure(ret) : hex(ret);
    }

    /**
     * The result of a call that does not return when it succeeds (exit, exit_group): {@code ?};
     * an error it returned instead still prints as one.
     */
    public static String resultNoReturn(long ret) {
        return ret == 0 ? "?" : result(ret);
    }

    /** Whether {@code ret} prints as something other than a plain value: an error, or a kill. */
    public static boolean isFailure(long ret) {
        return ret == Kernel.KILLED || Errno.isError(ret);
    }

    private static String failure(long ret) {
        if (ret == Kernel.KILLED) {
            return "?";
        }
        int e = (int) -ret;
        String name = Errno.name(e);
        if (name.startsWith("errno ")) {
            name = "ERRNO_" + e;
        }
        // The restart codes never reach user space: strace prints them with '?' for the value.
        boolean restart = e >= Errno.ERESTARTSYS && e <= Errno.ERESTART_RESTARTBLOCK;
        return (restart ? "? " : "-1 ") + name + " (" + Errno.strerror(e) + ")";
    }

    // ---------------------------------------------------------------------------------------------
    // Scalars
    // ---------------------------------------------------------------------------------------------

    /** An address: {@code NULL}, or {@code 0x} and its 64 bits in hex. */
    public static String addr(long a) {
        return a == 0 ? "NULL" : "0x" + Long.toHexString(a);
    }

    /** C's {@code %#lx}: {@code 0}, or {@code 0x} and the hex digits. */
    public static String hex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    /** An unsigned 64-bit number in decimal (a length). */
    public static String udec(long v) {
        return Long.toUnsignedString(v);
    }

    /** A signal: its name when it has one, else its number ({@code 0} for no signal). */
    public static String signal(long sig) {
        return sig >= 1 && sig <= Signals._NSIG ? Signals.name((int) sig) : Long.toUnsignedString(sig);
    }

    /** A C string, quoted. */
    public static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ---------------------------------------------------------------------------------------------
    // Flag words
    // ---------------------------------------------------------------------------------------------

    /** Legacy clone()'s flags: names, then the exit signal of the low byte. */
    public static String cloneFlags(long flags) {
        return CloneFlags.describe(flags);
    }

    /** A clone3 or unshare flag word, every bit a flag. */
    public static String cloneFlagsWord(long flags) {
        return CloneFlags.describeWord(flags);
    }

    /** mmap's and mprotect's protection: {@code PROT_NONE} for 0. */
    public static String prot(long prot) {
        return prot == 0 ? "PROT_NONE" : PROT.describe(prot);
    }

    /** mmap's flags: the mapping type first ({@code MAP_PRIVATE}), then the other flags. */
    public static String mapFlags(long flags) {
        long type = flags & Mman.MAP_TYPE;
        String name = type == Mman.MAP_SHARED ? "MAP_SHARED" : type == Mman.MAP_PRIVATE ? "MAP_PRIVATE"
            : type == Mman.MAP_SHARED_VALIDATE ? "MAP_SHARED_VALIDATE" : hex(type);
        // MAP_HUGE_2MB and MAP_HUGE_1GB are values of a 6-bit field (the page size's log), not bits,
        // and mean that only with MAP_HUGETLB (the field's low bit is MAP_UNINITIALIZED otherwise)
        long huge = (flags & Mman.MAP_HUGETLB) != 0 ? flags & (0x3fL << Mman.MAP_HUGE_SHIFT) : 0;
        long rest = flags & ~(long) Mman.MAP_TYPE & ~huge;
        String out = rest == 0 ? name : name + "|" + MAP.describe(rest);
        if (huge == Mman.MAP_HUGE_2MB) {
            out += "|MAP_HUGE_2MB";
        } else if (huge == Mman.MAP_HUGE_1GB) {
            out += "|MAP_HUGE_1GB";
        } else if (huge != 0) {
            out += "|" + (huge >>> Mman.MAP_HUGE_SHIFT) + "<<MAP_HUGE_SHIFT";
        }
        return out;
    }

    /** madvise's advice: its name, else its number. */
    public static String madvise(long advice) {
        for (var s : Symbols.all().values()) {
            if (s.family() == Family.MADV && s.value() == advice) {
                return s.name();
            }
        }
        return Long.toString(advice);
    }

    /** wait4's options ({@code waitid} false) or waitid's. */
    public static String waitOptions(int options, boolean waitid) {
        return (waitid ? WAITID : WAIT4).describe(Integer.toUnsignedLong(options));
    }

    /** waitid's idtype. */
    public static String idtype(int idtype) {
        return idtype >= 0 && idtype < IDTYPES.length ? IDTYPES[idtype] : Integer.toString(idtype);
    }

    /** sigaction's sa_flags. */
    public static String saFlags(long flags) {
        return SA.describe(flags);
    }

    /** A resource of prlimit64. */
    public static String resource(long resource) {
        String name = Resource.name(resource);
        return name != null ? name : Long.toString(resource);
    }

    /** A limit as strace prints it: {@code RLIM64_INFINITY}, {@code 8192*1024}, or the number. */
    public static String rlim(long lim) {
        if (lim == Resource.RLIM_INFINITY) {
            return "RLIM64_INFINITY";
        }
        if (Long.compareUnsigned(lim, 1024) > 0 && lim % 1024 == 0) {
            return Long.toUnsignedString(lim / 1024) + "*1024";
        }
        return Long.toUnsignedString(lim);
    }

    /** A signal set: {@code []}, {@code [CHLD USR1]}, or {@code ~[KILL STOP]} when most signals are in. */
    public static String sigset(long set) {
        boolean inverted = Long.bitCount(set) > Signals._NSIG / 2;
        long bits = inverted ? ~set : set;
        List<String> names = new ArrayList<>();
        for (int sig = 1; sig <= Signals._NSIG; sig++) {
            if ((bits & Signals.sigmask(sig)) != 0) {
                names.add(Signals.name(sig).substring(3));
            }
        }
        return (inverted ? "~[" : "[") + String.join(" ", names) + "]";
    }

    /** A handler: {@code SIG_DFL}, {@code SIG_IGN}, or its address. */
    public static String handler(long handler) {
        return handler == Signals.SIG_DFL ? "SIG_DFL" : handler == Signals.SIG_IGN ? "SIG_IGN" : hex(handler);
    }

    // ---------------------------------------------------------------------------------------------
    // Structs
    // ---------------------------------------------------------------------------------------------

    /** rt_sigaction's new action: {@code {sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}}. */
    public static String sigaction(long handler, long flags, long mask) {
        return "{sa_handler=" + handler(handler) + ", sa_mask=" + sigset(mask) + ", sa_flags=" + saFlags(flags) + "}";
    }

    /** prlimit64's new limit: {@code {rlim_cur=1, rlim_max=1}}. */
    public static String rlimit(long cur, long max) {
        return "{rlim_cur=" + rlim(cur) + ", rlim_max=" + rlim(max) + "}";
    }

    /**
     * A wait status as strace decodes it: {@code [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]},
     * {@code [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]}, any bits left over as {@code | 0x..}.
     */
    public static String waitStatus(int status) {
        StringBuilder out = new StringBuilder();
        int rest = status;
        if (Wait.ifStopped(status)) {
            int sig = Wait.stopSig(status);
            out.append("[{WIFSTOPPED(s) && WSTOPSIG(s) == ").append(signal(sig & 0x7f))
                .append((sig & 0x80) != 0 ? " | 0x80" : "").append('}');
            rest &= ~((sig << 8) | 0x7f);
        } else if (Wait.ifSignaled(status)) {
            out.append("[{WIFSIGNALED(s) && WTERMSIG(s) == ").append(signal(Wait.termSig(status)))
                .append(Wait.coreDump(status) ? " && WCOREDUMP(s)" : "").append('}');
            rest &= ~(Wait.termSig(status) | Wait.WCOREFLAG);
        } else if (Wait.ifExited(status)) {
            out.append("[{WIFEXITED(s) && WEXITSTATUS(s) == ").append(Wait.exitStatus(status)).append('}');
            rest &= ~Wait.exitCode(Wait.exitStatus(status), 0);
        } else {
            return "[" + hex(Integer.toUnsignedLong(status)) + "]";
        }
        if (rest != 0) {
            out.append(" | ").append(hex(Integer.toUnsignedLong(rest)));
        }
        return out.append(']').toString();
    }

    /**
     * waitid's siginfo for a child: {@code {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=43, si_uid=0,
     * si_status=0, si_utime=0, si_stime=0}}, or {@code {}} when si_signo is 0 (WNOHANG found nothing).
     */
    public static String siginfo(int signo, int code, int pid, int uid, int status, long utime, long stime) {
        if (signo == 0) {
            return "{}";
        }
        String codeName = code >= 1 && code < CLD_CODES.length ? CLD_CODES[code] : Integer.toString(code);
        String st = code == Wait.CLD_EXITED ? Integer.toString(status) : signal(status);
        return "{si_signo=" + signal(signo) + ", si_code=" + codeName + ", si_pid=" + pid + ", si_uid="
            + Integer.toUnsignedString(uid) + ", si_status=" + st + ", si_utime=" + Long.toUnsignedString(utime)
            + ", si_stime=" + Long.toUnsignedString(stime) + "}";
    }

    /**
     * clone3's argument as strace prints it on entry: the struct when {@code size} covers at least
     * up to tls, else its address.
     *
     * @param addr     where the struct is
     * @param f        the 11 fields as the kernel reads them (zero past {@code size})
     * @param size     clone3's size argument
     * @param setTid   the set_tid array's contents, or null when it is not printed as an array
     *                 (no set_tid, a size out of 1 to 32, or memory that cannot be read)
     * @param tail     the bytes after the 88-byte struct up to {@code min(size, 4096)}, or null
     * @return {@code {flags=..., ...}, size} without the call's name
     */
    public static String clone3Args(long addr, long[] f, long size, int[] setTid, byte[] tail) {
        if (Long.compareUnsigned(size, CloneFlags.CLONE_ARGS_SIZE_VER0) < 0) {
            return addr(addr) + ", " + udec(size);
        }
        long flags = f[0];
        List<String> parts = new ArrayList<>();
        parts.add("flags=" + cloneFlagsWord(flags));
        if ((flags & CloneFlags.CLONE_PIDFD) != 0) {
            parts.add("pidfd=" + addr(f[1]));
        }
        if ((flags & (CloneFlags.CLONE_CHILD_SETTID | CloneFlags.CLONE_CHILD_CLEARTID)) != 0) {
            parts.add("child_tid=" + addr(f[2]));
        }
        if ((flags & CloneFlags.CLONE_PARENT_SETTID) != 0) {
            parts.add("parent_tid=" + addr(f[3]));
        }
        parts.add("exit_signal=" + (Long.compareUnsigned(f[4], Integer.MAX_VALUE) < 0 ? signal(f[4]) : udec(f[4])));
        if (f[5] != 0 || f[6] != 0) {
            parts.add("stack=" + addr(f[5]));
            parts.add("stack_size=" + hex(f[6]));
        }
        if ((flags & CloneFlags.CLONE_SETTLS) != 0) {
            parts.add("tls=" + addr(f[7]));
        }
        if (f[8] != 0 || f[9] != 0) {
            parts.add("set_tid=" + (setTid != null ? intArray(setTid) : addr(f[8])));
            parts.add("set_tid_size=" + udec(f[9]));
        }
        if (Long.compareUnsigned(size, 80) > 0 && (f[10] != 0 || (flags & CloneFlags.CLONE_INTO_CGROUP) != 0)) {
            parts.add("cgroup=" + udec(f[10]));
        }
        if (tail != null && nonZero(tail)) {
            StringBuilder q = new StringBuilder("/* bytes 88..").append(88 + tail.length - 1).append(" */ \"");
            for (byte b : tail) {
                q.append("\\x").append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            parts.add(q.append('"').toString());
        }
        return "{" + String.join(", ", parts) + "}, " + udec(size);
    }

    /** {@code [1, 42]}. */
    public static String intArray(int[] values) {
        List<String> s = new ArrayList<>();
        for (int v : values) {
            s.add(Integer.toString(v));
        }
        return "[" + String.join(", ", s) + "]";
    }

    private static boolean nonZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }
}
