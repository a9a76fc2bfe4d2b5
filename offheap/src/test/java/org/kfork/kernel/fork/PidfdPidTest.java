package org.kfork.kernel.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kfork.api.Kernel;
import org.kfork.api.Kernels;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.HeapKernel;
import org.kfork.heap.fork.HeapForkFiles;
import org.kfork.heap.fs.HeapAnonInodes;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.fs.HeapFileOperations;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.pid.HeapPid;
import org.kfork.heap.pid.HeapPids;
import org.kfork.heap.proc.HeapProcArray;
import org.kfork.kernel.Globals;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.kernel.fs.AnonInodes;
import org.kfork.kernel.fs.Files;
import org.kfork.kernel.pid.Pids;
import org.kfork.kernel.proc.ProcArray;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.script.Scratch;
import org.kfork.script.ScriptRunner;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;
import org.kfork.uapi.Signals;
import org.kfork.uapi.UapiSiginfo;
import org.kfork.uapi.Wait;

/**
 * pidfd_pid and its user, waitid's P_PIDFD, on both kernels: the id is a descriptor of the
 * caller's table, turned back into its pid (5.12 kernel/fork.c pidfd_pid, kernel/pid.c
 * pidfd_get_pid, kernel/exit.c kernel_waitid).
 */
class PidfdPidTest {
    private static final long RAM = 64L << 20;
    private static final long PIDFD_AT = Scratch.FREE;

    private static int readInt(Kernel k, int pid, long addr) {
        final byte[] b = new byte[4];
        assertEquals(0, k.readUser(pid, addr, b, 0, 4));
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void waitidPidfdTakesADescriptorOfTheCallersTable(String impl) {
        try (Kernel k = Kernels.boot(impl, ScriptRunner.config(RAM, 2))) {
            // clone's CLONE_PIDFD stores the pidfd where parent_tid points
            final int child = (int) k.clone(1, CloneFlags.CLONE_PIDFD | Signals.SIGCHLD, 0, PIDFD_AT, 0, 0);
            assertTrue(child > 1, "clone: " + child);
            final int pidfd = readInt(k, 1, PIDFD_AT);
            assertTrue(pidfd >= 0, "pidfd " + pidfd);
            final int other = (int) k.fork(1);

            assertEquals(-Errno.EINVAL, k.waitid(1, Wait.P_PIDFD, -1, Scratch.SIGINFO, Wait.WEXITED, 0));
            assertEquals(-Errno.EBADF, k.waitid(1, Wait.P_PIDFD, pidfd + 1, Scratch.SIGINFO, Wait.WEXITED, 0),
                "no such descriptor");
            assertEquals(-Errno.EBADF, k.waitid(1, Wait.P_PIDFD, 1 << 20, Scratch.SIGINFO, Wait.WEXITED, 0),
                "past the table");
            // the pid number is not a descriptor: child's pid as P_PIDFD names no open file
            assertEquals(-Errno.EBADF, k.waitid(1, Wait.P_PIDFD, child, Scratch.SIGINFO, Wait.WEXITED, 0));
            // the other child has exited, but the pidfd names this one: nothing to wait for yet
            assertEquals(0, k.exit(other, 0));
            assertEquals(0, k.waitid(1, Wait.P_PIDFD, pidfd, Scratch.SIGINFO, Wait.WEXITED | Wait.WNOHANG, 0));
            assertEquals(0, readInt(k, 1, Scratch.SIGINFO + UapiSiginfo.SI_PID), "WNOHANG found nothing");
            // the child forked after the pidfd has no pidfd of its own in init's table: it is
            // not init's descriptor to name, so it stays -EBADF in the child's table too
            assertEquals(-Errno.EBADF, k.waitid(child, Wait.P_PIDFD, pidfd, Scratch.SIGINFO, Wait.WEXITED, 0),
                "CLONE_PIDFD installs the fd in the parent's table only");

            assertEquals(0, k.exit(child, 7));
            assertEquals(0, k.waitid(1, Wait.P_PIDFD, pidfd, Scratch.SIGINFO, Wait.WEXITED, 0));
            assertEquals(child, readInt(k, 1, Scratch.SIGINFO + UapiSiginfo.SI_PID));
            assertEquals(7, readInt(k, 1, Scratch.SIGINFO + UapiSiginfo.SI_STATUS));
            // reaped: the pidfd still names the pid, which has no task any more
            assertEquals(-Errno.ECHILD, k.waitid(1, Wait.P_PIDFD, pidfd, Scratch.SIGINFO, Wait.WEXITED, 0));
            assertEquals(other, k.wait4(1, other, Scratch.WSTATUS, 0, 0));
        } // close: the pidfd's reference on the pid goes with init's files
    }

    @Test
    void pidfdPidRefusesAFileThatIsNotAPidfd() {
        try (OffHeapKernel k = OffHeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final Globals g = k.globals();
            final long init = ProcArray.findTask(g, 1);
            final long file = AnonInodes.anonInodeGetfile(g, init, "[other]", 0, 0, OpenFlags.O_RDWR);
            assertTrue(file > 0 || file < -4095L, "a file: " + file);
            assertEquals(-Errno.EBADF, ForkFiles.pidfdPid(g, file));
            g.fileTable.fput(file);
            // a real pidfd gives its pid back, and pidfd_get_pid takes a reference on it
            final int child = (int) k.clone(1, CloneFlags.CLONE_PIDFD | Signals.SIGCHLD, 0, PIDFD_AT, 0, 0);
            final int fd = readInt(k, 1, PIDFD_AT);
            final long pidfile = Files.lookupFd(Mem.getLong(init + TaskStruct.FILES), fd);
            final long pid = Pids.getTaskPid(g, ProcArray.findTask(g, child), org.kfork.pid.PidRules.PIDTYPE_PID);
            assertEquals(pid, ForkFiles.pidfdPid(g, pidfile));
            final long got = Pids.pidfdGetPid(g, init, fd);
            assertEquals(pid, got);
            Pids.putPid(g, got);
            Pids.putPid(g, pid);
            assertEquals(0, k.exit(child, 0));
            assertEquals(child, k.wait4(1, child, Scratch.WSTATUS, 0, 0));
        }
        try (HeapKernel k = HeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final HeapGlobals g = k.globals();
            final var init = HeapProcArray.findTask(g, 1);
            final HeapFile file = HeapAnonInodes.anonInodeGetfile(g, init, "[other]", new HeapFileOperations("other"),
                null, OpenFlags.O_RDWR);
            assertTrue(!ErrPtr.isErr(file));
            assertEquals(-Errno.EBADF, ErrPtr.ptrErr(HeapForkFiles.pidfdPid(g, file)));
            g.fileTable.fput(file);
            final int child = (int) k.clone(1, CloneFlags.CLONE_PIDFD | Signals.SIGCHLD, 0, PIDFD_AT, 0, 0);
            final int fd = readInt(k, 1, PIDFD_AT);
            final HeapFile pidfile = HeapFiles.lookupFd(init.files, fd);
            final HeapPid pid = HeapProcArray.findTask(g, child).threadPid();
            assertSame(pid, HeapForkFiles.pidfdPid(g, pidfile));
            final HeapPid got = HeapPids.pidfdGetPid(g, init, fd);
            assertSame(pid, got);
            HeapPids.putPid(g, got);
            assertEquals(0, k.exit(child, 0));
            assertEquals(child, k.wait4(1, child, Scratch.WSTATUS, 0, 0));
        }
    }
}
