package org.kfork.stress;

import static org.kfork.uapi.CloneFlags.*;

import java.util.SplittableRandom;

import org.kfork.api.Kernel;
import org.kfork.api.KernelConfig;
import org.kfork.mm.Mman;
import org.kfork.script.Scratch;
import org.kfork.script.ScriptRunner;
import org.kfork.uapi.Errno;
import org.kfork.uapi.UapiCloneArgs;
import org.kfork.uapi.Wait;

/**
 * Fuzzes the system-call boundary of both kernels with the same random inputs (syzkaller's job,
 * on a small scale): clone3 with random buffers and with one field at a time at an edge value,
 * clone and unshare with random 64-bit flag words, wait4 and waitid with random options and pids,
 * the mmap family with random arguments, kill with random pids and signals. Each call goes
 * through {@link KernelPair}: equal results, an errno 5.12 returns, no exception, no bad access.
 *
 * <p>A session boots a pair and forks three processes from init: P (root), U (uid 1000, no
 * capability) and L (root, a leaf that never gets a child, so that a wait4 without WNOHANG cannot
 * sleep). P and U make the calls; each maps a read-only page at {@link #RO}. A session ends after
 * {@link #SESSION_CALLS} calls, or as soon as a driver has died (a random signal can kill it); its
 * teardown is the leak check.
 */
public final class SyscallFuzzer {
    /** A read-only page each caller maps. */
    static final long RO = 0x200000;
    /** An address nothing maps. */
    static final long UNMAPPED = 0x300000;
    /** A kernel (direct-map) address: never a user address. */
    static final long KERNEL = 0xffff888000001000L;
    /** The top of the user address space (TASK_SIZE_MAX, 47 bits minus a page). */
    static final long TASK_SIZE = 0x7ffffffff000L;
    private static final int SESSION_CALLS = 400;
    private static final int P = 0;
    private static final int U = 1;

    /** The flags copy_process knows, which random words are built from. */
    private static final long[] FLAGS = {CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_PIDFD, CLONE_PTRACE,
        CLONE_VFORK, CLONE_PARENT, CLONE_THREAD, CLONE_NEWNS, CLONE_SYSVSEM, CLONE_SETTLS, CLONE_PARENT_SETTID,
        CLONE_CHILD_CLEARTID, CLONE_DETACHED, CLONE_UNTRACED, CLONE_CHILD_SETTID, CLONE_NEWCGROUP, CLONE_NEWUTS,
        CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_IO, CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP,
        CLONE_NEWTIME};
    /** The flag sets user space really passes: fork, a pthread, posix_spawn's vfork. */
    private static final long[] COMMON = {0, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD
        | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID, CLONE_VM | CLONE_VFORK,
        CLONE_NEWPID, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS, CLONE_PIDFD, CLONE_PARENT};

    private final Tally tally;
    private final long seed;
    private final KernelConfig config;
    private final SplittableRandom rnd;
    private final byte[] buf = new byte[Scratch.CLONE_ARGS_AREA];
    private long sessions;
    private KernelPair pair;
    private final int[] drivers = new int[3];
    private int leaf;
    private boolean driverDied;

    /** A fuzzer of seed {@code seed} reporting to {@code tally}. */
    public SyscallFuzzer(Tally tally, long seed) {
        this.tally = tally;
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
        this.config = ScriptRunner.config(64L << 20, 2);
    }

    /** Runs sessions until {@code deadlineNanos} (System.nanoTime) or {@code maxSessions}. */
    public void run(long deadlineNanos, long maxSessions) {
        while (System.nanoTime() < deadlineNanos && sessions < maxSessions) {
            session();
        }
    }

    /** Sessions run. */
    public long sessions() {
        return sessions;
    }

    private void session() {
        final long n = sessions++;
        pair = new KernelPair(config, tally, "fuzz", "fuzz seed " + seed + " session " + n);
        driverDied = false;
        try {
            drivers[P] = (int) pair.spawn(1);
            drivers[U] = (int) pair.spawn(1);
            leaf = (int) pair.spawn(1);
            drivers[2] = leaf;
            final int u = drivers[U];
            pair.call(SyscallErrnos.SETCRED, () -> "setCred(" + u + ", 1000)", k -> k.setCred(u, 1000, 1000, 0));
            for (int d = 0; d < 2; d++) {
                final int c = drivers[d];
                pair.call(SyscallErrnos.MMAP, () -> "mmap(" + c + ", RO)", k -> k.mmap(c, RO, Mman.PAGE_SIZE,
                    Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, -1, 0));
            }
            for (int i = 0; i < SESSION_CALLS && !pair.broken() && !driverDied; i++) {
                step(drivers[rnd.nextInt(2)]);
            }
        } finally {
            pair.close(drivers);
        }
    }

    private void step(int caller) {
        final int op = rnd.nextInt(100);
        final long r;
        if (op < 30) {
            r = clone3(caller);
        } else if (op < 45) {
            r = clone(caller);
        } else if (op < 53) {
            final long flags = flagWord();
            r = pair.call(SyscallErrnos.UNSHARE, () -> "unshare(" + caller + ", 0x" + Long.toHexString(flags) + ")",
                k -> k.unshare(caller, flags));
        } else if (op < 68) {
            r = waitCall(caller);
        } else if (op < 95) {
            r = mmCall(caller);
        } else {
            r = kill(caller);
        }
        if (r == -Errno.ESRCH || r == Kernel.KILLED) {
            // a random signal may have killed the caller (or a kill found no target): ask
            driverDied = pair.call(SyscallErrnos.GETPID, () -> "getpid(" + caller + ")", k -> k.getpid(caller)) < 0;
        }
        if (op < 45 && r > 0) {
            pair.reap(caller); // the child exited: a zombie for its parent, or for init (CLONE_PARENT)
            pair.reap(1);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // clone, clone3, unshare
    // ---------------------------------------------------------------------------------------------

    /** A random flag word: common sets, random sets of known flags, or any 64 bits. */
    private long flagWord() {
        final int kind = rnd.nextInt(10);
        if (kind < 3) {
            return COMMON[rnd.nextInt(COMMON.length)];
        }
        if (kind < 9) {
            long f = 0;
            final int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                f |= FLAGS[rnd.nextInt(FLAGS.length)];
            }
            return f;
        }
        return rnd.nextLong();
    }

    /** A user pointer: writable scratch, read-only, unmapped, NULL, kernel, or the edge of the space. */
    private long pointer() {
        switch (rnd.nextInt(8)) {
            case 0: return 0;
            case 1: return RO + 8 * rnd.nextInt(512);
            case 2: return UNMAPPED;
            case 3: return KERNEL;
            case 4: return TASK_SIZE - 4;
            case 5: return -1L;
            default: return Scratch.FREE + 8 * rnd.nextInt(64);
        }
    }

    private long clone(int caller) {
        final long flags = flagWord() & ~CSIGNAL_MASK | exitSignal();
        final long stack = rnd.nextInt(4) == 0 ? pointer() : 0;
        final long ptid = pointer();
        final long ctid = pointer();
        final long tls = rnd.nextInt(4) == 0 ? rnd.nextLong() : 0;
        return pair.call(SyscallErrnos.CLONE, () -> "clone(" + caller + ", flags=0x" + Long.toHexString(flags) + ", stack=0x"
            + Long.toHexString(stack) + ", ptid=0x" + Long.toHexString(ptid) + ", ctid=0x" + Long.toHexString(ctid)
            + ", tls=0x" + Long.toHexString(tls) + ")", k -> k.clone(caller, flags, stack, ptid, ctid, tls),
            (flags & CLONE_VFORK) != 0);
    }

    private static final long CSIGNAL_MASK = 0xff;

    /** An exit signal: mostly SIGCHLD or none, sometimes any byte. */
    private long exitSignal() {
        final int kind = rnd.nextInt(10);
        return kind < 6 ? 17 : kind < 9 ? 0 : rnd.nextInt(256);
    }

    /** An edge value for a 64-bit field. */
    private long edge() {
        switch (rnd.nextInt(12)) {
            case 0: return 0;
            case 1: return -1L;
            case 2: return Long.MIN_VALUE;
            case 3: return Long.MAX_VALUE;
            case 4: return 1;
            case 5: return 32;
            case 6: return 33;
            case 7: return 0xffffffffL;
            case 8: return 0x80000000L;
            case 9: return pointer();
            case 10: return rnd.nextInt(70);
            default: return rnd.nextLong();
        }
    }

    private long clone3(int caller) {
        final int kind = rnd.nextInt(10);
        final int size;
        if (kind < 2) {
            // random bytes of a random size, up to beyond a page
            size = rnd.nextInt(Scratch.CLONE_ARGS_AREA + 1);
            for (int i = 0; i < size; i++) {
                buf[i] = (byte) rnd.nextInt();
            }
        } else {
            // a plausible struct, one field at an edge value, maybe trailing bytes
            java.util.Arrays.fill(buf, 0, UapiCloneArgs.SIZEOF, (byte) 0);
            putLong(UapiCloneArgs.FLAGS, flagWord() & ~CSIGNAL_MASK);
            putLong(UapiCloneArgs.EXIT_SIGNAL, exitSignal());
            if (rnd.nextInt(3) == 0) {
                final long setTid = Scratch.SET_TID;
                final int n = 1 + rnd.nextInt(3);
                putLong(UapiCloneArgs.SET_TID, setTid);
                putLong(UapiCloneArgs.SET_TID_SIZE, n);
                writeSetTid(caller, n);
            }
            if (kind < 8) {
                final int field = rnd.nextInt(UapiCloneArgs.SIZEOF / 8);
                putLong(field * 8, field == UapiCloneArgs.SET_TID_SIZE / 8 && rnd.nextBoolean()
                    ? 1L << rnd.nextInt(64) : edge());
            }
            final int sizes = rnd.nextInt(10);
            size = sizes < 5 ? UapiCloneArgs.SIZEOF : sizes < 6 ? 64 : sizes < 7 ? 80 : sizes < 8 ? rnd.nextInt(100)
                : UapiCloneArgs.SIZEOF + rnd.nextInt(Scratch.CLONE_ARGS_AREA - UapiCloneArgs.SIZEOF + 1);
            for (int i = UapiCloneArgs.SIZEOF; i < size; i++) {
                buf[i] = rnd.nextInt(4) == 0 ? (byte) rnd.nextInt() : 0;
            }
        }
        final int len = Math.min(size, buf.length);
        pair.call(SyscallErrnos.USER_COPY, () -> "copy_to_user(" + caller + ", clone_args)",
            k -> k.writeUser(caller, Scratch.CLONE_ARGS, buf, 0, len));
        final int where = rnd.nextInt(10);
        final long uargs = where < 7 ? Scratch.CLONE_ARGS : where == 7 ? Scratch.BASE + Scratch.SIZE - 40 : pointer();
        final long sz = rnd.nextInt(20) == 0 ? edge() : size;
        final boolean vfork = len >= 8 && (getLong(0) & CLONE_VFORK) != 0;
        return pair.call(SyscallErrnos.CLONE3, () -> "clone3(" + caller + ", 0x" + Long.toHexString(uargs) + ", " + sz
            + ") with " + hex(len), k -> k.clone3(caller, uargs, sz), vfork);
    }

    private void writeSetTid(int caller, int n) {
        final byte[] tids = new byte[4 * n];
        for (int i = 0; i < n; i++) {
            final int v;
            switch (rnd.nextInt(6)) {
                case 0: v = 1; break;
                case 1: v = 2 + rnd.nextInt(20); break;
                case 2: v = 300 + rnd.nextInt(100); break;
                case 3: v = -rnd.nextInt(3); break;
                case 4: v = 32767 + rnd.nextInt(3); break;
                default: v = rnd.nextInt(); break;
            }
            for (int b = 0; b < 4; b++) {
                tids[4 * i + b] = (byte) (v >>> (8 * b));
            }
        }
        pair.call(SyscallErrnos.USER_COPY, () -> "copy_to_user(" + caller + ", set_tid)",
            k -> k.writeUser(caller, Scratch.SET_TID, tids, 0, tids.length));
    }

    private void putLong(int off, long v) {
        for (int b = 0; b < 8; b++) {
            buf[off + b] = (byte) (v >>> (8 * b));
        }
    }

    private long getLong(int off) {
        long v = 0;
        for (int b = 7; b >= 0; b--) {
            v = (v << 8) | (buf[off + b] & 0xff);
        }
        return v;
    }

    private String hex(int len) {
        final StringBuilder sb = new StringBuilder(2 * Math.min(len, 96));
        for (int i = 0; i < Math.min(len, 96); i++) {
            sb.append(Character.forDigit((buf[i] >> 4) & 0xf, 16)).append(Character.forDigit(buf[i] & 0xf, 16));
        }
        return sb.append(len > 96 ? "..." : "").toString();
    }

    // ---------------------------------------------------------------------------------------------
    // wait4, waitid, kill
    // ---------------------------------------------------------------------------------------------

    private static final int[] WAIT_BITS = {Wait.WNOHANG, Wait.WUNTRACED, Wait.WEXITED, Wait.WCONTINUED,
        Wait.WNOWAIT, Wait.__WNOTHREAD, Wait.__WALL, Wait.__WCLONE};

    private int waitOptions() {
        int o = 0;
        if (rnd.nextInt(8) == 0) {
            o = rnd.nextInt();
        } else {
            for (int i = 0; i < WAIT_BITS.length; i++) {
                if (rnd.nextBoolean()) {
                    o |= WAIT_BITS[i];
                }
            }
        }
        return o;
    }

    private int pidArg(int caller) {
        switch (rnd.nextInt(8)) {
            case 0: return -1;
            case 1: return 0;
            case 2: return caller;
            case 3: return -caller;
            case 4: return Integer.MIN_VALUE;
            case 5: return 1;
            case 6: return drivers[rnd.nextInt(3)];
            default: return rnd.nextInt();
        }
    }

    private long waitCall(int caller) {
        int opts = waitOptions();
        // without WNOHANG only the leaf waits: it has no child, so it cannot sleep
        final int who = (opts & Wait.WNOHANG) == 0 ? leaf : caller;
        final int pid = pidArg(who);
        final long status = pointer();
        final long rusage = rnd.nextInt(4) == 0 ? pointer() : 0;
        if (rnd.nextBoolean()) {
            final int o = opts;
            return pair.call(SyscallErrnos.WAIT4, () -> "wait4(" + who + ", " + pid + ", 0x" + Long.toHexString(status)
                + ", 0x" + Integer.toHexString(o) + ", 0x" + Long.toHexString(rusage) + ")",
                k -> k.wait4(who, pid, status, o, rusage));
        }
        final int idtype = rnd.nextInt(6) == 0 ? rnd.nextInt() : rnd.nextInt(4);
        final int o = opts;
        return pair.call(SyscallErrnos.WAITID, () -> "waitid(" + who + ", " + idtype + ", " + pid + ", 0x"
            + Long.toHexString(status) + ", 0x" + Integer.toHexString(o) + ")",
            k -> k.waitid(who, idtype, pid, status, o, rusage));
    }

    private long kill(int caller) {
        final int pid = pidArg(caller);
        final int sig = rnd.nextInt(10) == 0 ? rnd.nextInt() : rnd.nextInt(66);
        return pair.call(SyscallErrnos.KILL, () -> "kill(" + caller + ", " + pid + ", " + sig + ")",
            k -> k.kill(caller, pid, sig));
    }

    // ---------------------------------------------------------------------------------------------
    // mmap, munmap, mprotect, madvise, mlock, munlock
    // ---------------------------------------------------------------------------------------------

    /** An address: mostly in a window of its own, sometimes any edge. */
    private long address() {
        switch (rnd.nextInt(10)) {
            case 0: return 0;
            case 1: return edge();
            case 2: return TASK_SIZE - Mman.PAGE_SIZE * rnd.nextInt(4);
            case 3: return 0x400000 + rnd.nextInt(1 << 16); // not page aligned, mostly
            default: return 0x400000 + Mman.PAGE_SIZE * (long) rnd.nextInt(256);
        }
    }

    private long length() {
        switch (rnd.nextInt(10)) {
            case 0: return edge();
            case 1: return rnd.nextInt(1 << 14);
            case 2: return TASK_SIZE;
            default: return Mman.PAGE_SIZE * (1L + rnd.nextInt(16));
        }
    }

    private int prot() {
        return rnd.nextInt(10) == 0 ? rnd.nextInt() : rnd.nextInt(8) | (rnd.nextInt(8) == 0 ? Mman.PROT_GROWSDOWN : 0);
    }

    private int mapFlags() {
        if (rnd.nextInt(10) == 0) {
            return rnd.nextInt();
        }
        int f = rnd.nextInt(5) == 0 ? Mman.MAP_SHARED : Mman.MAP_PRIVATE;
        if (rnd.nextInt(10) != 0) {
            f |= Mman.MAP_ANONYMOUS;
        }
        final int[] extra = {Mman.MAP_FIXED, Mman.MAP_FIXED_NOREPLACE, Mman.MAP_NORESERVE, Mman.MAP_POPULATE,
            Mman.MAP_LOCKED, Mman.MAP_GROWSDOWN, Mman.MAP_STACK, Mman.MAP_32BIT, Mman.MAP_SHARED_VALIDATE,
            Mman.MAP_HUGETLB, Mman.MAP_SYNC};
        for (int i = rnd.nextInt(3); i > 0; i--) {
            f |= extra[rnd.nextInt(extra.length)];
        }
        return f;
    }

    private long mmCall(int caller) {
        final long addr = address();
        final long len = length();
        switch (rnd.nextInt(6)) {
            case 0: case 1: {
                final int prot = prot();
                final int flags = mapFlags();
                final int fd = rnd.nextInt(4) == 0 ? rnd.nextInt(8) - 1 : -1;
                final long off = rnd.nextInt(4) == 0 ? edge() : 0;
                return pair.call(SyscallErrnos.MMAP, () -> "mmap(" + caller + ", 0x" + Long.toHexString(addr) + ", 0x"
                    + Long.toHexString(len) + ", 0x" + Integer.toHexString(prot) + ", 0x" + Integer.toHexString(flags)
                    + ", " + fd + ", 0x" + Long.toHexString(off) + ")", k -> k.mmap(caller, addr, len, prot, flags, fd, off));
            }
            case 2:
                return pair.call(SyscallErrnos.MUNMAP, () -> "munmap(" + caller + ", 0x" + Long.toHexString(addr) + ", 0x"
                    + Long.toHexString(len) + ")", k -> k.munmap(caller, addr, len));
            case 3: {
                final int prot = prot();
                return pair.call(SyscallErrnos.MPROTECT, () -> "mprotect(" + caller + ", 0x" + Long.toHexString(addr)
                    + ", 0x" + Long.toHexString(len) + ", 0x" + Integer.toHexString(prot) + ")",
                    k -> k.mprotect(caller, addr, len, prot));
            }
            case 4: {
                final int advice = rnd.nextInt(8) == 0 ? rnd.nextInt() : rnd.nextInt(25) + (rnd.nextInt(5) == 0 ? 100 : 0);
                return pair.call(SyscallErrnos.MADVISE, () -> "madvise(" + caller + ", 0x" + Long.toHexString(addr) + ", 0x"
                    + Long.toHexString(len) + ", " + advice + ")", k -> k.madvise(caller, addr, len, advice));
            }
            default: {
                final boolean lock = rnd.nextBoolean();
                return pair.call(SyscallErrnos.MLOCK, () -> (lock ? "mlock(" : "munlock(") + caller + ", 0x"
                    + Long.toHexString(addr) + ", 0x" + Long.toHexString(len) + ")",
                    k -> lock ? k.mlock(caller, addr, len) : k.munlock(caller, addr, len));
            }
        }
    }
}
