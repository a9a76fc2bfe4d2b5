package org.kfork.kernel.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.HeapKernel;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.mm.HeapMmStruct;
import org.kfork.heap.proc.HeapProcArray;
import org.kfork.kernel.Globals;
import org.kfork.kernel.OffHeapKernel;
import org.kfork.kernel.proc.ProcArray;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Mem;
import org.kfork.mm.MappedFile;
import org.kfork.sched.Limits;
import org.kfork.sched.TaskFlags;
import org.kfork.script.Scratch;
import org.kfork.script.ScriptRunner;
import org.kfork.uapi.Errno;

/**
 * fork.c's task-to-mm helpers (get_task_mm, get_task_exe_file), copy_init_mm, nr_processes and
 * sysctl_max_threads on both kernels: the same references taken and given back, kernel threads
 * refused, zombies without an mm, and each kernel's close as the leak check.
 */
class TaskMmTest {
    private static final long RAM = 64L << 20;

    @Test
    void offHeapGetTaskMmTakesAUserReference() {
        try (OffHeapKernel k = OffHeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final Globals g = k.globals();
            final int child = (int) k.fork(1);
            final long t = ProcArray.findTask(g, child);
            final long own = Mem.getLong(t + TaskStruct.MM);
            final int users = Mem.getInt(own + MmStruct.MM_USERS);
            final long mm = ForkMm.getTaskMm(t);
            assertEquals(own, mm);
            assertEquals(users + 1, Mem.getInt(own + MmStruct.MM_USERS), "mmget");
            ForkMm.mmput(g.mm, mm);
            assertEquals(users, Mem.getInt(own + MmStruct.MM_USERS));

            // a kernel thread's mm is borrowed: neither helper hands it out
            final int flags = Mem.getInt(t + TaskStruct.FLAGS);
            Mem.putInt(t + TaskStruct.FLAGS, flags | TaskFlags.PF_KTHREAD);
            assertEquals(0, ForkMm.getTaskMm(t));
            assertEquals(0, ForkMm.getTaskExeFile(g.mm, t));
            Mem.putInt(t + TaskStruct.FLAGS, flags);
            assertEquals(users, Mem.getInt(own + MmStruct.MM_USERS));

            // get_task_exe_file: none yet, then a counted reference on the one set
            assertEquals(0, ForkMm.getTaskExeFile(g.mm, t));
            final MappedFile exe = g.mm.openFile("/sbin/child", false, false);
            g.mm.handle(own).setExeFile(exe);
            final long refs = exe.refcount();
            final long f = ForkMm.getTaskExeFile(g.mm, t);
            assertNotEquals(0, f);
            assertEquals(refs + 1, exe.refcount(), "get_file");
            g.mm.fput(f);
            exe.fput(); // the opener's reference; the mm keeps its own until __mmput

            assertEquals(0, k.exit(child, 0));
            assertEquals(0, ForkMm.getTaskMm(t), "a zombie has no mm");
            assertEquals(child, k.wait4(1, child, Scratch.WSTATUS, 0, 0));
        }
    }

    @Test
    void heapGetTaskMmTakesAUserReference() {
        try (HeapKernel k = HeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final HeapGlobals g = k.globals();
            final int child = (int) k.fork(1);
            final HeapTask t = HeapProcArray.findTask(g, child);
            final HeapMmStruct own = t.mm;
            final int users = own.mmUsers;
            assertSame(own, HeapForkMm.getTaskMm(t));
            assertEquals(users + 1, own.mmUsers, "mmget");
            HeapForkMm.mmput(g.mm, own);
            assertEquals(users, own.mmUsers);

            final int flags = t.flags;
            t.flags = flags | TaskFlags.PF_KTHREAD;
            assertNull(HeapForkMm.getTaskMm(t));
            assertNull(HeapForkMm.getTaskExeFile(g.mm, t));
            t.flags = flags;
            assertEquals(users, own.mmUsers);

            assertNull(HeapForkMm.getTaskExeFile(g.mm, t));
            final MappedFile exe = g.mm.openFile("/sbin/child", false, false);
            g.mm.handle(own).setExeFile(exe);
            final long refs = exe.refcount();
            final HeapFile f = HeapForkMm.getTaskExeFile(g.mm, t);
            assertNotNull(f);
            assertEquals(refs + 1, exe.refcount(), "get_file");
            g.mm.fput(f);
            exe.fput();

            assertEquals(0, k.exit(child, 0));
            assertNull(HeapForkMm.getTaskMm(t), "a zombie has no mm");
            assertEquals(child, k.wait4(1, child, Scratch.WSTATUS, 0, 0));
        }
    }

    @Test
    void copyInitMmIsAnEmptyMmThatMmputFrees() {
        try (OffHeapKernel k = OffHeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final long mm = ForkMm.copyInitMm(k.globals().mm);
            assertTrue(mm > 0 || mm < -4095L, "an mm, not an errno: " + mm);
            assertEquals(1, Mem.getInt(mm + MmStruct.MM_USERS));
            assertEquals(0, Mem.getInt(mm + MmStruct.MAP_COUNT), "init_mm has no VMAs");
            assertEquals(0, Mem.getLong(mm + MmStruct.OWNER), "no task owns it");
            ForkMm.mmput(k.globals().mm, mm);
        }
        try (HeapKernel k = HeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final HeapMmStruct mm = HeapForkMm.copyInitMm(k.globals().mm);
            assertEquals(1, mm.mmUsers);
            assertEquals(0, mm.mapCount);
            assertNull(mm.owner);
            HeapForkMm.mmput(k.globals().mm, mm);
        }
    }

    @Test
    void nrProcessesAndThreadsMaxAgreeOnBothKernels() {
        try (OffHeapKernel off = OffHeapKernel.boot(ScriptRunner.config(RAM, 2));
             HeapKernel heap = HeapKernel.boot(ScriptRunner.config(RAM, 2))) {
            final ForkInit fi = off.globals().forkInit;
            final HeapGlobals hg = heap.globals();
            assertEquals(fi.nrProcesses(), hg.nrProcesses(), "after boot");
            final int a = (int) off.fork(1);
            final int b = (int) heap.fork(1);
            assertEquals(a, b);
            assertEquals(fi.nrProcesses(), hg.nrProcesses());
            assertEquals(2, hg.nrProcesses(), "init and the child (the idle task is not counted)");

            assertEquals(fi.maxThreads(), hg.sysctlMaxThreads(false, 0));
            for (long v : new long[] {0, -1, Limits.MAX_THREADS + 1L, 1, 77, Limits.MAX_THREADS}) {
                final int want = v < 1 || v > Limits.MAX_THREADS ? -Errno.EINVAL : (int) v;
                assertEquals(want, fi.sysctlMaxThreads(true, v), "off-heap write " + v);
                assertEquals(want, hg.sysctlMaxThreads(true, v), "heap write " + v);
                assertEquals(fi.maxThreads(), hg.maxThreads);
            }
        }
    }
}
