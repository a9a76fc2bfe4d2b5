package org.kfork.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kfork.mm.Mman;

/**
 * The uapi values reference/constants-5.12.csv has no rows for (wait.h, resource.h,
 * capability.h, signal-defs.h, mman-common.h), pinned here to the 5.12 headers' values, and the
 * helpers that take them apart.
 */
class UapiTablesTest {
    /** name=value pairs as include/uapi writes them (5.12). */
    private static final String HEADERS = """
        WNOHANG=0x1 WUNTRACED=0x2 WSTOPPED=0x2 WEXITED=0x4 WCONTINUED=0x8 WNOWAIT=0x01000000
        __WNOTHREAD=0x20000000 __WALL=0x40000000 __WCLONE=0x80000000 P_ALL=0 P_PID=1 P_PGID=2 P_PIDFD=3
        CLD_EXITED=1 CLD_KILLED=2 CLD_DUMPED=3 CLD_TRAPPED=4 CLD_STOPPED=5 CLD_CONTINUED=6
        RLIMIT_CPU=0 RLIMIT_FSIZE=1 RLIMIT_DATA=2 RLIMIT_STACK=3 RLIMIT_CORE=4 RLIMIT_RSS=5 RLIMIT_NPROC=6
        RLIMIT_NOFILE=7 RLIMIT_MEMLOCK=8 RLIMIT_AS=9 RLIMIT_LOCKS=10 RLIMIT_SIGPENDING=11 RLIMIT_MSGQUEUE=12
        RLIMIT_NICE=13 RLIMIT_RTPRIO=14 RLIMIT_RTTIME=15 RLIM_INFINITY=0xffffffffffffffff
        CAP_CHOWN=0 CAP_KILL=5 CAP_SETUID=7 CAP_SYS_RAWIO=17 CAP_SYS_PTRACE=19 CAP_SYS_ADMIN=21
        CAP_SYS_RESOURCE=24 CAP_SETFCAP=31 CAP_AUDIT_READ=37 CAP_PERFMON=38 CAP_BPF=39
        CAP_CHECKPOINT_RESTORE=40 CAP_LAST_CAP=40
        SA_NOCLDSTOP=0x1 SA_NOCLDWAIT=0x2 SA_SIGINFO=0x4 SA_UNSUPPORTED=0x400 SA_EXPOSE_TAGBITS=0x800
        SA_RESTORER=0x04000000 SA_ONSTACK=0x08000000 SA_RESTART=0x10000000 SA_NODEFER=0x40000000
        SA_RESETHAND=0x80000000 SA_NOMASK=0x40000000 SA_ONESHOT=0x80000000 SIG_DFL=0 SIG_IGN=1
        MADV_NORMAL=0 MADV_RANDOM=1 MADV_SEQUENTIAL=2 MADV_WILLNEED=3 MADV_DONTNEED=4 MADV_FREE=8
        MADV_REMOVE=9 MADV_DONTFORK=10 MADV_DOFORK=11 MADV_MERGEABLE=12 MADV_UNMERGEABLE=13
        MADV_HUGEPAGE=14 MADV_NOHUGEPAGE=15 MADV_DONTDUMP=16 MADV_DODUMP=17 MADV_WIPEONFORK=18
        MADV_KEEPONFORK=19 MADV_COLD=20 MADV_PAGEOUT=21 MADV_HWPOISON=100 MADV_SOFT_OFFLINE=101
        EOVERFLOW=75
        """;

    @Test
    void everyValueEqualsTheHeaders() throws Exception {
        Map<String, Field> fields = new LinkedHashMap<>();
        for (Class<?> c : new Class<?>[] {Wait.class, Resource.class, Capabilities.class, Signals.class,
            Mman.class, Errno.class}) {
            for (Field f : c.getFields()) {
                fields.putIfAbsent(f.getName(), f);
            }
        }
        int n = 0;
        for (String pair : HEADERS.trim().split("\\s+")) {
            String[] kv = pair.split("=");
            Field f = fields.get(kv[0]);
            assertTrue(f != null, "no constant " + kv[0]);
            long expected = kv[1].startsWith("0x") ? Long.parseUnsignedLong(kv[1].substring(2), 16) : Long.parseLong(kv[1]);
            long actual = f.getType() == int.class ? Integer.toUnsignedLong(f.getInt(null)) : f.getLong(null);
            assertEquals(expected, actual, kv[0]);
            n++;
        }
        assertEquals(85, n);
    }

    @Test
    void waitStatusMacros() {
        int exited = Wait.exitCode(3, 0);
        assertTrue(Wait.ifExited(exited));
        assertFalse(Wait.ifSignaled(exited));
        assertFalse(Wait.ifStopped(exited));
        assertEquals(3, Wait.exitStatus(exited));
        int killed = Wait.exitCode(0, Signals.SIGKILL);
        assertTrue(Wait.ifSignaled(killed));
        assertFalse(Wait.ifExited(killed));
        assertEquals(Signals.SIGKILL, Wait.termSig(killed));
        assertFalse(Wait.coreDump(killed));
        assertTrue(Wait.coreDump(killed | Wait.WCOREFLAG));
        int stopped = (Signals.SIGSTOP << 8) | 0x7f;
        assertTrue(Wait.ifStopped(stopped));
        assertFalse(Wait.ifSignaled(stopped));
        assertEquals(Signals.SIGSTOP, Wait.stopSig(stopped));
        assertFalse(Wait.ifSignaled(0xffff), "continued is neither exited nor signaled");
    }

    @Test
    void capabilitySets() {
        assertEquals(0x1ffffffffffL, Capabilities.CAP_FULL_SET);
        assertEquals(1L << 21, Capabilities.capToMask(Capabilities.CAP_SYS_ADMIN));
        assertThrows(IllegalArgumentException.class, () -> Capabilities.capToMask(41));
        assertEquals("none", Capabilities.describe(0));
        assertEquals("all", Capabilities.describe(Capabilities.CAP_FULL_SET));
        assertEquals("CAP_SYS_ADMIN|CAP_SYS_RESOURCE",
            Capabilities.describe(Capabilities.capToMask(Capabilities.CAP_SYS_RESOURCE) | Capabilities.capToMask(Capabilities.CAP_SYS_ADMIN)));
        assertEquals("CAP_CHOWN|0x20000000000", Capabilities.describe(1 | (1L << 41)));
        assertEquals("CAP_CHECKPOINT_RESTORE", Capabilities.name(40));
        assertThrows(IllegalArgumentException.class, () -> Capabilities.name(41));
    }

    @Test
    void resourceNames() {
        assertEquals("RLIMIT_NPROC", Resource.name(Resource.RLIMIT_NPROC));
        assertEquals("RLIMIT_RTTIME", Resource.name(15));
        assertNull(Resource.name(16));
        assertNull(Resource.name(-1));
    }

    @Test
    void cloneFlagWordsNameNewtimeAndTheClone3Flags() {
        assertEquals("CLONE_NEWPID|CLONE_NEWTIME", CloneFlags.describeWord(CloneFlags.CLONE_NEWPID | CloneFlags.CLONE_NEWTIME));
        assertEquals("CLONE_CLEAR_SIGHAND|CLONE_INTO_CGROUP|0x400000000",
            CloneFlags.describeWord(CloneFlags.CLONE_CLEAR_SIGHAND | CloneFlags.CLONE_INTO_CGROUP | (1L << 34)));
        assertEquals("0", CloneFlags.describeWord(0));
        assertEquals("CLONE_VM|0x1", CloneFlags.describeWord(CloneFlags.CLONE_VM | 1));
        // Legacy clone() still reads the low byte as the exit signal.
        assertEquals("CLONE_VM|SIGCHLD", CloneFlags.describe(CloneFlags.CLONE_VM | Signals.SIGCHLD));
        assertEquals("CLONE_VM|0x80", CloneFlags.describe(CloneFlags.CLONE_VM | CloneFlags.CLONE_NEWTIME));
    }
}
