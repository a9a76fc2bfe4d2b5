package org.kfork.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kfork.api.Kernel;
import org.kfork.mm.Mman;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Resource;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/** The transcript's forms, as golden strings (strace's output for the same call, where strace has one). */
class StraceTest {
    private static long[] args(long flags, long exitSignal, long setTid, long setTidSize) {
        return new long[] {flags, 0, 0, 0, exitSignal, 0, 0, 0, setTid, setTidSize, 0};
    }

    @Test
    void theIssuesClone3Line() {
        String args = Strace.clone3Args(0x10000, args(CloneFlags.CLONE_NEWPID, Signals.SIGCHLD, 0x12000, 2), 88,
            new int[] {1, 42}, null);
        assertEquals("[2] clone3({flags=CLONE_NEWPID, exit_signal=SIGCHLD, set_tid=[1, 42], set_tid_size=2}, 88) = 43",
            Strace.line(2, "clone3", args, Strace.result(43)));
        assertEquals("[2] clone3({flags=CLONE_NEWPID, exit_signal=SIGCHLD, set_tid=[1, 42], set_tid_size=2}, 88) "
            + "= -1 EINVAL (Invalid argument)", Strace.line(2, "clone3", args, Strace.result(-Errno.EINVAL)));
    }

    @Test
    void clone3FieldsAsStracePrintsThem() {
        long[] f = {CloneFlags.CLONE_PIDFD | CloneFlags.CLONE_CHILD_SETTID | CloneFlags.CLONE_PARENT_SETTID
            | CloneFlags.CLONE_SETTLS | CloneFlags.CLONE_INTO_CGROUP, 0x13100, 0, 0x13200, 0xdeadc0deL,
            0x7f0000000000L, 0x2000, 0x7f0000100000L, 0x12000, 33, 7};
        assertEquals("{flags=CLONE_PIDFD|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_SETTID|CLONE_INTO_CGROUP, "
            + "pidfd=0x13100, child_tid=NULL, parent_tid=0x13200, exit_signal=3735929054, stack=0x7f0000000000, "
            + "stack_size=0x2000, tls=0x7f0000100000, set_tid=0x12000, set_tid_size=33, cgroup=7}, 88",
            Strace.clone3Args(0x10000, f, 88, null, null));
        // Below 64 bytes strace prints the address; from 64, the struct (cgroup only past 80).
        assertEquals("0x10000, 63", Strace.clone3Args(0x10000, f, 63, null, null));
        long[] v0 = args(CloneFlags.CLONE_INTO_CGROUP, 0, 0, 0);
        assertEquals("{flags=CLONE_INTO_CGROUP, exit_signal=0}, 64", Strace.clone3Args(0x10000, v0, 64, null, null));
        assertEquals("{flags=CLONE_INTO_CGROUP, exit_signal=0, cgroup=0}, 88", Strace.clone3Args(0x10000, v0, 88, null, null));
        // A set_tid_size without a pointer, or a pointer without a size, prints the pointer.
        assertEquals("{flags=0, exit_signal=0, set_tid=NULL, set_tid_size=1}, 88",
            Strace.clone3Args(0x10000, args(0, 0, 0, 1), 88, null, null));
        assertEquals("{flags=0, exit_signal=SIGCHLD, set_tid=0x12000, set_tid_size=0}, 88",
            Strace.clone3Args(0x10000, args(0, Signals.SIGCHLD, 0x12000, 0), 88, null, null));
        // Unknown flags as one hex number; exit_signal past _NSIG as its number.
        assertEquals("{flags=CLONE_VM|CLONE_NEWTIME|0x400000000, exit_signal=65}, 88",
            Strace.clone3Args(0x10000, args(CloneFlags.CLONE_VM | CloneFlags.CLONE_NEWTIME | (1L << 34), 65, 0, 0), 88,
                null, null));
    }

    @Test
    void clone3TailOnlyWhenItHasANonZeroByte() {
        byte[] tail = new byte[8];
        assertEquals("{flags=0, exit_signal=SIGCHLD}, 96",
            Strace.clone3Args(0x10000, args(0, Signals.SIGCHLD, 0, 0), 96, null, tail));
        tail[7] = (byte) 0xfa;
        tail[0] = 0x01;
        assertEquals("{flags=0, exit_signal=SIGCHLD, /* bytes 88..95 */ \"\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\xfa\"}, 96",
            Strace.clone3Args(0x10000, args(0, Signals.SIGCHLD, 0, 0), 96, null, tail));
    }

    @Test
    void results() {
        assertEquals("43", Strace.result(43));
        assertEquals("0", Strace.result(0));
        assertEquals("-1 EAGAIN (Resource temporarily unavailable)", Strace.result(-Errno.EAGAIN));
        assertEquals("-1 ENOMEM (Cannot allocate memory)", Strace.resultHex(-Errno.ENOMEM));
        assertEquals("-1 EOVERFLOW (Value too large for defined data type)", Strace.result(-Errno.EOVERFLOW));
        assertEquals("-1 ERRNO_200 (Unknown error 200)", Strace.result(-200));
        assertEquals("? ERESTARTNOINTR (To be restarted)", Strace.result(-Errno.ERESTARTNOINTR));
        assertEquals("?", Strace.result(Kernel.KILLED));
        assertEquals("?", Strace.resultNoReturn(0));
        assertEquals("-1 ESRCH (No such process)", Strace.resultNoReturn(-Errno.ESRCH));
        assertEquals("0x7ffff7ff8000", Strace.resultHex(0x7ffff7ff8000L));
        assertEquals("0x8000000000000000", Strace.resultHex(Long.MIN_VALUE + 0), "2^63 is an address, not an error");
        assertEquals("-4096", Strace.result(-4096), "below the errno range: a value");
        assertTrue(Strace.isFailure(-1));
        assertFalse(Strace.isFailure(-4096));
    }

    @Test
    void waitStatusesAsStraceDecodesThem() {
        assertEquals("[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]", Strace.waitStatus(0));
        assertEquals("[{WIFEXITED(s) && WEXITSTATUS(s) == 255}]", Strace.waitStatus(Wait.exitCode(255, 0)));
        assertEquals("[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]", Strace.waitStatus(Signals.SIGKILL));
        assertEquals("[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]",
            Strace.waitStatus(Signals.SIGSEGV | Wait.WCOREFLAG));
        assertEquals("[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]", Strace.waitStatus((Signals.SIGSTOP << 8) | 0x7f));
        assertEquals("[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP | 0x80}]",
            Strace.waitStatus(((Signals.SIGTRAP | 0x80) << 8) | 0x7f));
        assertEquals("[{WIFEXITED(s) && WEXITSTATUS(s) == 0} | 0x10000]", Strace.waitStatus(0x10000));
        assertEquals("[0xffff]", Strace.waitStatus(0xffff));
    }

    @Test
    void siginfo() {
        assertEquals("{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=43, si_uid=0, si_status=3, si_utime=0, si_stime=0}",
            Strace.siginfo(Signals.SIGCHLD, Wait.CLD_EXITED, 43, 0, 3, 0, 0));
        assertEquals("{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=43, si_uid=1000, si_status=SIGKILL, si_utime=0, "
            + "si_stime=0}", Strace.siginfo(Signals.SIGCHLD, Wait.CLD_KILLED, 43, 1000, Signals.SIGKILL, 0, 0));
        assertEquals("{}", Strace.siginfo(0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void flagWords() {
        assertEquals("PROT_NONE", Strace.prot(0));
        assertEquals("PROT_READ|PROT_WRITE|PROT_EXEC", Strace.prot(7));
        assertEquals("PROT_READ|0x10", Strace.prot(0x11));
        assertEquals("MAP_PRIVATE|MAP_ANONYMOUS", Strace.mapFlags(Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS));
        assertEquals("MAP_SHARED|MAP_FIXED|MAP_ANONYMOUS|MAP_NORESERVE",
            Strace.mapFlags(Mman.MAP_SHARED | Mman.MAP_FIXED | Mman.MAP_ANONYMOUS | Mman.MAP_NORESERVE));
        assertEquals("MAP_SHARED_VALIDATE|MAP_ANONYMOUS|0x800000", Strace.mapFlags(0x03 | 0x20 | 0x800000));
        assertEquals("0|MAP_ANONYMOUS", Strace.mapFlags(Mman.MAP_ANONYMOUS));
        assertEquals("0xf", Strace.mapFlags(0xf));
        assertEquals("MADV_DONTFORK", Strace.madvise(Mman.MADV_DONTFORK));
        assertEquals("MADV_SOFT_OFFLINE", Strace.madvise(101));
        assertEquals("1234", Strace.madvise(1234));
        assertEquals("0", Strace.waitOptions(0, false));
        assertEquals("WNOHANG|WUNTRACED|__WALL", Strace.waitOptions(Wait.WNOHANG | Wait.WUNTRACED | Wait.__WALL, false));
        assertEquals("WSTOPPED|WEXITED|__WCLONE", Strace.waitOptions(Wait.WSTOPPED | Wait.WEXITED | Wait.__WCLONE, true));
        assertEquals("P_PIDFD", Strace.idtype(3));
        assertEquals("7", Strace.idtype(7));
        assertEquals("SA_NOCLDSTOP|SA_RESTART|SA_RESETHAND", Strace.saFlags(Signals.SA_RESTART | Signals.SA_NOCLDSTOP
            | Signals.SA_RESETHAND));
        assertEquals("CLONE_VM|CLONE_VFORK|SIGCHLD", Strace.cloneFlags(CloneFlags.CLONE_VM | CloneFlags.CLONE_VFORK | 17));
        assertEquals("CLONE_NEWPID", Strace.cloneFlagsWord(CloneFlags.CLONE_NEWPID));
    }

    @Test
    void scalarsAndStructs() {
        assertEquals("NULL", Strace.addr(0));
        assertEquals("0x10000", Strace.addr(0x10000));
        assertEquals("0xfffffffffffff000", Strace.addr(-4096));
        assertEquals("0", Strace.hex(0));
        assertEquals("0x1000", Strace.hex(4096));
        assertEquals("18446744073709547520", Strace.udec(-4096));
        assertEquals("0", Strace.signal(0));
        assertEquals("SIGKILL", Strace.signal(9));
        assertEquals("SIGRTMIN+3", Strace.signal(35));
        assertEquals("65", Strace.signal(65));
        assertEquals("\"a.out\"", Strace.quoted("a.out"));
        assertEquals("\"a\\\"b\\\\\"", Strace.quoted("a\"b\\"));
        assertEquals("{sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}", Strace.sigaction(1, 0, 0));
        assertEquals("{sa_handler=0x401000, sa_mask=[HUP CHLD], sa_flags=SA_RESTART}",
            Strace.sigaction(0x401000, Signals.SA_RESTART, Signals.sigmask(1) | Signals.sigmask(17)));
        assertEquals("~[KILL STOP]", Strace.sigset(~(Signals.sigmask(9) | Signals.sigmask(19))));
        assertEquals("[RTMIN RTMAX]", Strace.sigset(Signals.sigmask(32) | Signals.sigmask(64)));
        assertEquals("{rlim_cur=1, rlim_max=1}", Strace.rlimit(1, 1));
        assertEquals("{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}", Strace.rlimit(8L << 20, Resource.RLIM_INFINITY));
        assertEquals("{rlim_cur=1024, rlim_max=2048*1024}", Strace.rlimit(1024, 2048 * 1024));
        assertEquals("RLIMIT_NPROC", Strace.resource(6));
        assertEquals("99", Strace.resource(99));
        assertEquals("[1, -2]", Strace.intArray(new int[] {1, -2}));
        assertEquals("[]", Strace.intArray(new int[0]));
        assertEquals("[3] exit_group(0) = ?", Strace.line(3, "exit_group", List.of("0"), Strace.resultNoReturn(0)));
        assertEquals("[1] getpid() = 1", Strace.line(1, "getpid", List.of(), Strace.result(1)));
    }
}
