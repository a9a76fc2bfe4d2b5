package org.kfork.kernel.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.kfork.api.Kernel;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.HeapKernel;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fork.HeapForkThreads;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.proc.HeapProcArray;
import org.kfork.kernel.Globals;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.kernel.locking.Rwsem;
import org.kfork.kernel.proc.ProcArray;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.ptrace.PtraceRules;
import org.kfork.script.Scratch;
import org.kfork.script.ScriptImages;
import org.kfork.script.ScriptRunner;
import org.kfork.uapi.Capabilities;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;

/**
 * mm_access with kernel/ptrace.c's ptrace_may_access on both kernels (5.12 fork.c 1236-1254):
 * same uid and dumpable, another uid, CAP_SYS_PTRACE, the dumpability a change of creds takes
 * away and exec gives back, a task's own group, kernel threads and zombies (NULL), a mode without
 * its creds bit; and execve's exec_update_lock, which a reader holds off.
 */
class MmAccessTest {
    private static final long RAM = 64L << 20;
    private static final int READ = PtraceRules.PTRACE_MODE_READ_FSCREDS;
    private static final long PTRACE = 1L << Capabilities.CAP_SYS_PTRACE;

    /** The cast of the test: {a, b, c}: a (uid 1000) and its child b, c (uid 2000). */
    private static int[] cast(Kernel k) {
        final int a = (int) k.fork(1);
        assertEquals(0, k.setCred(a, 1000, 1000, 0));
        final int b = (int) k.fork(a);
        final int c = (int) k.fork(1);
        assertEquals(0, k.setCred(c, 2000, 2000, 0));
        return new int[] {a, b, c};
    }

    private static void teardown(Kernel k, int[] p) {
        assertEquals(0, k.exit(p[2], 0));
        assertEquals(p[2], k.wait4(1, p[2], Scratch.WSTATUS, 0, 0));
        assertEquals(0, k.exit(p[0], 0));
        assertEquals(p[0], k.wait4(1, p[0], Scratch.WSTATUS, 0, 0));
    }

    @Test
    void offHeap() throws Exception {
        try (OffHeapKernel k = OffHeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final Globals g = k.globals();
            final int[] p = cast(k);
            final long a = ProcArray.findTask(g, p[0]);
            final long b = ProcArray.findTask(g, p[1]);
            final long c = ProcArray.findTask(g, p[2]);
            final long init = ProcArray.findTask(g, 1);

            // b inherited the mm a's setuid made non-dumpable: only CAP_SYS_PTRACE may look
            assertEquals(-Errno.EACCES, ForkMm.mmAccess(g, a, b, READ));
            assertEquals(0, k.execve(p[1], ScriptImages.init()), "exec makes it dumpable again");
            final long bmm = Mem.getLong(b + TaskStruct.MM);
            final int users = Mem.getInt(bmm + MmStruct.MM_USERS);
            assertEquals(bmm, ForkMm.mmAccess(g, a, b, READ), "same uid and gid, dumpable");
            assertEquals(users + 1, Mem.getInt(bmm + MmStruct.MM_USERS));
            ForkMm.mmput(g.mm, bmm);
            assertEquals(users, Mem.getInt(bmm + MmStruct.MM_USERS));

            assertEquals(-Errno.EACCES, ForkMm.mmAccess(g, a, c, READ), "another uid");
            assertEquals(-Errno.EACCES, ForkMm.mmAccess(g, c, b, PtraceRules.PTRACE_MODE_ATTACH_REALCREDS));
            final long cmm = ForkMm.mmAccess(g, init, c, READ);
            assertEquals(Mem.getLong(c + TaskStruct.MM), cmm, "init has CAP_SYS_PTRACE");
            ForkMm.mmput(g.mm, cmm);
            assertEquals(-Errno.EACCES, ForkMm.mmAccess(g, init, c, PtraceRules.PTRACE_MODE_READ),
                "a mode without FSCREDS or REALCREDS is refused");
            assertEquals(0, k.setCred(p[0], 1000, 1000, PTRACE));
            final long cmm2 = ForkMm.mmAccess(g, a, c, READ);
            assertEquals(Mem.getLong(c + TaskStruct.MM), cmm2, "CAP_SYS_PTRACE");
            ForkMm.mmput(g.mm, cmm2);

            final long amm = ForkMm.mmAccess(g, a, a, READ);
            assertEquals(Mem.getLong(a + TaskStruct.MM), amm, "its own mm");
            ForkMm.mmput(g.mm, amm);

            final int kt = ForkThreads.kernelThread(g, g.initTask, 0, 0, CloneFlags.CLONE_FS);
            assertEquals(0, ForkMm.mmAccess(g, init, ProcArray.findTask(g, kt), READ), "a kernel thread: NULL");

            // execve takes exec_update_lock for write: a reader holds it off until it lets go
            final long lock = Mem.getLong(b + TaskStruct.SIGNAL) + SignalStruct.EXEC_UPDATE_LOCK;
            assertFalse(Rwsem.isLocked(lock));
            Rwsem.downRead(lock);
            final CompletableFuture<Long> exec = CompletableFuture.supplyAsync(() -> k.execve(p[1], ScriptImages.init()));
            Thread.sleep(200);
            assertFalse(exec.isDone(), "execve waits for the reader");
            Rwsem.upRead(lock);
            assertEquals(0L, exec.get(20, TimeUnit.SECONDS));
            assertFalse(Rwsem.isLocked(lock), "given back at the end of begin_new_exec");

            assertEquals(0, k.exit(p[1], 0));
            assertEquals(0, ForkMm.mmAccess(g, a, b, READ), "a zombie has no mm: NULL");
            assertEquals(p[1], k.wait4(p[0], p[1], Scratch.WSTATUS, 0, 0));
            teardown(k, p);
        }
    }

    @Test
    void heap() throws Exception {
        try (HeapKernel k = HeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final HeapGlobals g = k.globals();
            final int[] p = cast(k);
            final HeapTask a = HeapProcArray.findTask(g, p[0]);
            final HeapTask b = HeapProcArray.findTask(g, p[1]);
            final HeapTask c = HeapProcArray.findTask(g, p[2]);
            final HeapTask init = HeapProcArray.findTask(g, 1);

            assertEquals(-Errno.EACCES, ErrPtr.ptrErr(HeapForkMm.mmAccess(g, a, b, READ)));
            assertEquals(0, k.execve(p[1], ScriptImages.init()));
            final HeapMmStruct bmm = b.mm;
            final int users = bmm.mmUsers;
            assertSame(bmm, HeapForkMm.mmAccess(g, a, b, READ));
            assertEquals(users + 1, bmm.mmUsers);
            HeapForkMm.mmput(g.mm, bmm);

            assertEquals(-Errno.EACCES, ErrPtr.ptrErr(HeapForkMm.mmAccess(g, a, c, READ)));
            assertEquals(-Errno.EACCES, ErrPtr.ptrErr(HeapForkMm.mmAccess(g, c, b, PtraceRules.PTRACE_MODE_ATTACH_REALCREDS)));
            final HeapMmStruct cmm = HeapForkMm.mmAccess(g, init, c, READ);
            assertSame(c.mm, cmm);
            HeapForkMm.mmput(g.mm, cmm);
            assertEquals(-Errno.EACCES, ErrPtr.ptrErr(HeapForkMm.mmAccess(g, init, c, PtraceRules.PTRACE_MODE_READ)));
            assertEquals(0, k.setCred(p[0], 1000, 1000, PTRACE));
            final HeapMmStruct cmm2 = HeapForkMm.mmAccess(g, a, c, READ);
            assertSame(c.mm, cmm2);
            HeapForkMm.mmput(g.mm, cmm2);

            final HeapMmStruct amm = HeapForkMm.mmAccess(g, a, a, READ);
            assertSame(a.mm, amm);
            HeapForkMm.mmput(g.mm, amm);

            final int kt = HeapForkThreads.kernelThread(g, g.initTask, 0, 0, CloneFlags.CLONE_FS);
            assertNull(HeapForkMm.mmAccess(g, init, HeapProcArray.findTask(g, kt), READ));

            final java.util.concurrent.locks.ReentrantReadWriteLock lock = b.signal.execUpdateLock;
            lock.readLock().lock();
            final CompletableFuture<Long> exec = CompletableFuture.supplyAsync(() -> k.execve(p[1], ScriptImages.init()));
            Thread.sleep(200);
            assertFalse(exec.isDone(), "execve waits for the reader");
            lock.readLock().unlock();
            assertEquals(0L, exec.get(20, TimeUnit.SECONDS));
            assertFalse(lock.isWriteLocked());
            assertTrue(lock.getReadLockCount() == 0);

            assertEquals(0, k.exit(p[1], 0));
            assertNull(HeapForkMm.mmAccess(g, a, b, READ));
            assertEquals(p[1], k.wait4(p[0], p[1], Scratch.WSTATUS, 0, 0));
            teardown(k, p);
        }
    }
}
