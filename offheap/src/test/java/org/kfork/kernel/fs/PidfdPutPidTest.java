package org.kfork.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.kfork.uapi.OpenFlags.O_CLOEXEC;
import static org.kfork.uapi.OpenFlags.O_RDWR;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fs.HeapAnonInodes;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPids;
import org.kfork.kernel.Globals;
import org.kfork.kernel.pid.Pids;
import org.kfork.machine.Machine;
import org.kfork.testing.HeapLeakCheck;
import org.kfork.testing.LeakCheck;
import org.kfork.uapi.Errno;

/**
 * A pidfd over a real struct pid, on both kernels: boot wires pidfd_release to the pid room's
 * put_pid, so the file's reference (taken with get_pid by the caller, as copy_process does) goes
 * back at the last fput, and the pid outlives the file only by its own references. (The pid is
 * init_pid_ns's: a namespace made here would leave its pid_N cache behind, as in 5.12.)
 */
class PidfdPutPidTest {
    static final int CPUS = 2;

    final Machine machine = Machine.builder().ram(64L << 20).cpus(CPUS).build();
    final Globals g = Globals.boot(machine);
    final HeapGlobals hg = HeapGlobals.boot(machine.pages().totalramPages(), CPUS);

    @RegisterExtension
    final LeakCheck leaks = LeakCheck.thenClose(() -> machine);
    @RegisterExtension
    final HeapLeakCheck heapLeaks = new HeapLeakCheck(() -> hg);

    @Test
    void offHeapPidfdReleasePutsThePid() {
        final long pid = Pids.allocPid(g, g.initPidNs, 0, 0, () -> true);
        assertFalse(Errno.isError(pid));
        assertEquals(1, Pids.pidCount(pid));
        final long file = AnonInodes.anonInodeGetfile(g, 0, "[pidfd]", g.pidfdFops, Pids.getPid(pid),
            O_RDWR | O_CLOEXEC);
        assertFalse(Errno.isError(file));
        assertEquals(2, Pids.pidCount(pid), "the file holds get_pid's reference");
        g.fileTable.fput(file);
        assertEquals(1, Pids.pidCount(pid), "pidfd_release: put_pid");
        Pids.freePid(g, pid);
        g.rcu.rcuBarrier();
        g.rcu.rcuBarrier();
    }

    @Test
    void heapPidfdReleasePutsThePid() {
        final HeapPid pid = HeapPids.allocPid(hg, hg.initPidNs, new int[0], 0, () -> true);
        assertFalse(ErrPtr.isErr(pid));
        assertEquals(1, pid.count());
        final HeapFile file = HeapAnonInodes.anonInodeGetfile(hg, null, "[pidfd]", hg.pidfdFops, HeapPids.getPid(pid),
            O_RDWR | O_CLOEXEC);
        assertFalse(ErrPtr.isErr(file));
        assertEquals(2, pid.count(), "the file holds get_pid's reference");
        hg.fileTable.fput(file);
        assertEquals(1, pid.count(), "pidfd_release: put_pid");
        HeapPids.freePid(hg, pid);
        hg.rcu.rcuBarrier();
        hg.rcu.rcuBarrier();
    }
}
