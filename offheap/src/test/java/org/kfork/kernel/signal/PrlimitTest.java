package org.kfork.kernel.signal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.uapi.CloneFlags.CLONE_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_VM;
import static org.kfork.uapi.Resource.RLIMIT_CPU;
import static org.kfork.uapi.Resource.RLIMIT_NOFILE;
import static org.kfork.uapi.Resource.RLIMIT_NPROC;
import static org.kfork.uapi.Resource.RLIMIT_STACK;
import static org.kfork.uapi.Resource.RLIM_INFINITY;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.kernel.sys.Sys;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.Errno;

/** kernel/sys.c's do_prlimit through prlimit64 on the caller, on both kernels: its errnos and effects. */
class PrlimitTest {

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void argumentErrnosComeFirstAndChangeNothing(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int p = w.fork(init, 0);
            long[] before = w.rlimit(p, RLIMIT_NOFILE);
            long[] old = new long[2];
            assertEquals(-Errno.EINVAL, w.prlimit(p, 16, false, 0, 0, old), "RLIM_NLIMITS is out of range");
            assertEquals(-Errno.EINVAL, w.prlimit(p, -1, false, 0, 0, old), "unsigned: -1 is huge");
            assertArrayEquals(new long[] {0x5a5a, 0x5a5a}, old, "nothing written back on failure");
            assertEquals(-Errno.EINVAL, w.prlimit(p, RLIMIT_NOFILE, true, 10, 9, null), "soft above hard");
            assertEquals(-Errno.EINVAL, w.prlimit(p, RLIMIT_STACK, true, RLIM_INFINITY, 9, null),
                "unsigned: RLIM_INFINITY is above every limit");
            w.setCap(p, Capabilities.CAP_SYS_RESOURCE, true);
            assertEquals(-Errno.EPERM, w.prlimit(p, RLIMIT_NOFILE, true, 10, 1024 * 1024 + 1, null),
                "RLIMIT_NOFILE above sysctl_nr_open, whatever the capabilities");
            assertEquals(0, w.prlimit(p, RLIMIT_NOFILE, true, 10, 1024 * 1024, null));
            w.setNrOpen(1000);
            assertEquals(-Errno.EPERM, w.prlimit(p, RLIMIT_NOFILE, true, 10, 1001, null));
            assertEquals(-Errno.EPERM, w.prlimit(p, RLIMIT_NOFILE, true, before[0], before[1], null),
                "the current hard limit itself is checked against the lower sysctl");
            w.setNrOpen(1024 * 1024);
            assertEquals(0, w.prlimit(p, RLIMIT_NOFILE, true, before[0], before[1], null));
            assertArrayEquals(before, w.rlimit(p, RLIMIT_NOFILE));
            w.withoutSighand(p, () -> assertEquals(-Errno.ESRCH, w.prlimit(p, RLIMIT_NOFILE, false, 0, 0, old)));
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void raisingAHardLimitNeedsCapSysResource(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int p = w.fork(init, 0);
            w.setCap(p, Capabilities.CAP_SYS_RESOURCE, false);
            long[] old = new long[2];
            assertEquals(0, w.prlimit(p, RLIMIT_NOFILE, true, 100, 200, old), "lowering needs nothing");
            assertArrayEquals(new long[] {1024, 4096}, old, "the old limit comes back");
            assertArrayEquals(new long[] {100, 200}, w.rlimit(p, RLIMIT_NOFILE));
            assertEquals(0, w.prlimit(p, RLIMIT_NOFILE, true, 200, 200, null), "the soft limit up to the hard one");
            assertEquals(-Errno.EPERM, w.prlimit(p, RLIMIT_NOFILE, true, 200, 201, old));
            assertArrayEquals(new long[] {200, 200}, w.rlimit(p, RLIMIT_NOFILE), "unchanged");
            w.setCap(p, Capabilities.CAP_SYS_RESOURCE, true);
            assertEquals(0, w.prlimit(p, RLIMIT_NOFILE, true, 200, 4096, null));
            assertEquals(0, w.prlimit(p, RLIMIT_NOFILE, false, 0, 0, old), "a read alone");
            assertArrayEquals(new long[] {200, 4096}, old);
            // signal->rlim is the thread group's
            int t = w.fork(p, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD);
            assertEquals(0, w.prlimit(t, RLIMIT_NPROC, true, 5, 5, null));
            assertArrayEquals(new long[] {5, 5}, w.rlimit(p, RLIMIT_NPROC));
            // a child inherits them at fork
            int c = w.fork(p, 0);
            assertArrayEquals(new long[] {5, 5}, w.rlimit(c, RLIMIT_NPROC));
            w.failNth(Long.MAX_VALUE);
            assertEquals(0, w.prlimit(c, RLIMIT_NPROC, true, 4, 4, null));
            assertEquals(0, w.allocations(), "prlimit allocates nothing");
            w.disarm();
        }
    }

    @ParameterizedTest
    @EnumSource(SignalVariant.class)
    void aFiniteRlimitCpuArmsTheGroupsProfTimer(SignalVariant v) {
        try (SignalWorld w = v.create()) {
            int init = w.fork(0, 0);
            int p = w.fork(init, 0);
            assertEquals(-1L, w.profNextevt(p));
            assertFalse(w.timersActive(p));
            assertEquals(0, w.prlimit(p, RLIMIT_CPU, true, RLIM_INFINITY, RLIM_INFINITY, null));
            assertEquals(-1L, w.profNextevt(p), "RLIM_INFINITY arms nothing");
            assertEquals(0, w.prlimit(p, RLIMIT_CPU, true, 30, RLIM_INFINITY, null));
            assertEquals(30_000_000_000L, w.profNextevt(p));
            assertTrue(w.timersActive(p), "the group's cputimer was started");
            assertEquals(0, w.prlimit(p, RLIMIT_CPU, true, 60, RLIM_INFINITY, null));
            assertEquals(30_000_000_000L, w.profNextevt(p), "the cache only moves earlier");
            assertEquals(0, w.prlimit(p, RLIMIT_CPU, true, 10, RLIM_INFINITY, null));
            assertEquals(10_000_000_000L, w.profNextevt(p));
            Map<String, Long> counts = w.counts();
            int c = w.fork(p, 0);
            assertEquals(10_000_000_000L, w.profNextevt(c), "copy_signal arms the child's from its RLIMIT_CPU");
            w.release(c);
            assertEquals(counts, w.counts());
        }
    }
}
