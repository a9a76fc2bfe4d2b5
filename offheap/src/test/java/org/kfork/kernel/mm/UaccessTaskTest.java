package org.kfork.kernel.mm;

import static org.junit.jupiter.api.Assertions.*;
import static org.kfork.mm.Mman.*;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapForkTask;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.mm.HeapMm;
import org.kfork.heap.mm.HeapUaccess;
import org.kfork.kernel.Globals;
import org.kfork.kernel.fork.ForkTask;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.sched.TaskState;
import org.kfork.smp.CurrentCpu;
import org.kfork.testing.HeapLeakCheck;
import org.kfork.testing.LeakCheck;
import org.kfork.uapi.Errno;

/**
 * Uaccess in the rooms' form, {@code (Globals g, long current, ...)} off-heap and
 * {@code (HeapGlobals g, HeapTask current, ...)} on the heap, on both booted kernels: the calls
 * reach the memory of current-&gt;mm (the same bytes its AddressSpace handle sees, another task's
 * mm not at all), give the same errors as the mm form, fault everywhere for a task without an mm,
 * and refuse a missing current. Each kernel is checked back at its baseline after each test (the
 * machine's leak check off-heap, the live objects per kind on the heap).
 */
class UaccessTaskTest {
    static final long P = PAGE_SIZE;
    static final int RW = PROT_READ | PROT_WRITE;
    static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;

    /** One booted kernel, its tasks as opaque handles, its uaccess through the task form. */
    interface Kernel extends AutoCloseable {
        AddressSpace mmAlloc();

        /** dup_task_struct of init_task with {@code mm} (null: none, as a kernel thread) as its mm. */
        Object newTask(AddressSpace mm);

        /** Clears the task's mm and frees it as copy_process's unwinding would. */
        void freeTask(Object t);

        long copyToUser(Object t, long to, byte[] from, int n);

        long copyFromUser(Object t, byte[] to, long from, int n);

        int getUser(Object t, long[] x, long ptr, int size);

        int putUser(Object t, long x, long ptr, int size);

        int checkZeroedUser(Object t, long from, long size);

        int copyStructFromUser(Object t, byte[] dst, int ksize, long src, long usize);

        long strncpyFromUser(Object t, byte[] dst, long src, int count);

        /** Any call with no current task. */
        void withoutCurrent();

        @Override
        void close();
    }

    enum Kind {
        OFFHEAP, HEAP;

        Kernel boot() {
            return this == OFFHEAP ? new OffHeap() : new Heap();
        }
    }

    /** The off-heap kernel; kernel buffers are a page of RAM the test owns. */
    static final class OffHeap implements Kernel {
        final Machine machine = Machine.builder().ram(64L << 20).cpus(2).build();
        final Globals g = Globals.boot(machine, 7);
        final Map<String, Long> baseline;
        final long buf;

        OffHeap() {
            assertTrue(Kasan.ENABLED, "checked mode must be on in off-heap tests");
            baseline = LeakCheck.quiescedSnapshot(machine);
            buf = machine.pages().allocPage();
        }

        @Override
        public AddressSpace mmAlloc() {
            return g.mm.mmAlloc();
        }

        @Override
        public Object newTask(AddressSpace mm) {
            long t = ForkTask.dupTaskStruct(g, g.initTask, ForkTask.NUMA_NO_NODE);
            assertNotEquals(0, t);
            Mem.putLong(t + TaskStruct.MM, mm == null ? 0 : ((Mm) mm).address());
            return t;
        }

        @Override
        public void freeTask(Object o) {
            long t = (Long) o;
            Mem.putLong(t + TaskStruct.MM, 0);
            Mem.putLong(t + TaskStruct.STATE, TaskState.TASK_DEAD);
            g.forkInit.stacks().putTaskStack(t, g.cpus.current());
            ForkTask.delayedFreeTask(g, t);
        }

        @Override
        public long copyToUser(Object t, long to, byte[] from, int n) {
            Mem.copyFromArray(from, 0, buf, n);
            return Uaccess.copyToUser(g, (Long) t, to, buf, n);
        }

        @Override
        public long copyFromUser(Object t, byte[] to, long from, int n) {
            byte[] poison = new byte[n];
            Arrays.fill(poison, (byte) 0x5a);
            Mem.copyFromArray(poison, 0, buf, n);
            long r = Uaccess.copyFromUser(g, (Long) t, buf, from, n);
            Mem.copyToArray(buf, to, 0, n);
            return r;
        }

        @Override
        public int getUser(Object t, long[] x, long ptr, int size) {
            Mem.putLong(buf, -1);
            int r = Uaccess.getUser(g, (Long) t, buf, ptr, size);
            x[0] = size == 8 ? Mem.getLong(buf) : Mem.getLong(buf) & ((1L << (8 * size)) - 1);
            return r;
        }

        @Override
        public int putUser(Object t, long x, long ptr, int size) {
            return Uaccess.putUser(g, (Long) t, x, ptr, size);
        }

        @Override
        public int checkZeroedUser(Object t, long from, long size) {
            return Uaccess.checkZeroedUser(g, (Long) t, from, size);
        }

        @Override
        public int copyStructFromUser(Object t, byte[] dst, int ksize, long src, long usize) {
            Mem.copyFromArray(dst, 0, buf, ksize);
            int r = Uaccess.copyStructFromUser(g, (Long) t, buf, ksize, src, usize);
            Mem.copyToArray(buf, dst, 0, ksize);
            return r;
        }

        @Override
        public long strncpyFromUser(Object t, byte[] dst, long src, int count) {
            long r = Uaccess.strncpyFromUser(g, (Long) t, buf, src, count);
            Mem.copyToArray(buf, dst, 0, count);
            return r;
        }

        @Override
        public void withoutCurrent() {
            Uaccess.putUser(g, 0, 1, 0x10000, 4);
        }

        @Override
        public void close() {
            try {
                machine.pages().freePage(buf);
                LeakCheck.assertNoLeak(baseline, LeakCheck.quiescedSnapshot(machine));
            } finally {
                machine.close();
            }
        }
    }

    /** The heap kernel; kernel buffers are Java arrays. */
    static final class Heap implements Kernel {
        final HeapGlobals g = HeapGlobals.boot((64L << 20) / P, 2, 7);
        final Map<String, Long> baseline = HeapLeakCheck.quiescedCounts(g);

        private static HeapTask h(Object t) {
            return (HeapTask) t;
        }

        @Override
        public AddressSpace mmAlloc() {
            return g.mm.mmAlloc();
        }

        @Override
        public Object newTask(AddressSpace mm) {
            HeapTask t = HeapForkTask.dupTaskStruct(g, g.initTask, HeapForkTask.NUMA_NO_NODE);
            assertNotNull(t);
            t.mm = mm == null ? null : ((HeapMm) mm).mmStruct();
            return t;
        }

        @Override
        public void freeTask(Object o) {
            HeapTask t = h(o);
            t.mm = null;
            t.setState(TaskState.TASK_DEAD);
            g.stacks.putTaskStack(t, CurrentCpu.current(g.nrCpus));
            HeapForkTask.delayedFreeTask(g, t);
        }

        @Override
        public long copyToUser(Object t, long to, byte[] from, int n) {
            return HeapUaccess.copyToUser(g, h(t), to, from, 0, n);
        }

        @Override
        public long copyFromUser(Object t, byte[] to, long from, int n) {
            Arrays.fill(to, 0, n, (byte) 0x5a);
            return HeapUaccess.copyFromUser(g, h(t), to, 0, from, n);
        }

        @Override
        public int getUser(Object t, long[] x, long ptr, int size) {
            x[0] = -1;
            return HeapUaccess.getUser(g, h(t), x, ptr, size);
        }

        @Override
        public int putUser(Object t, long x, long ptr, int size) {
            return HeapUaccess.putUser(g, h(t), x, ptr, size);
        }

        @Override
        public int checkZeroedUser(Object t, long from, long size) {
            return HeapUaccess.checkZeroedUser(g, h(t), from, size);
        }

        @Override
        public int copyStructFromUser(Object t, byte[] dst, int ksize, long src, long usize) {
            return HeapUaccess.copyStructFromUser(g, h(t), dst, ksize, src, usize);
        }

        @Override
        public long strncpyFromUser(Object t, byte[] dst, long src, int count) {
            return HeapUaccess.strncpyFromUser(g, h(t), dst, src, count);
        }

        @Override
        public void withoutCurrent() {
            HeapUaccess.putUser(g, null, 1, 0x10000, 4);
        }

        @Override
        public void close() {
            try {
                HeapLeakCheck.assertNoLeak(baseline, HeapLeakCheck.quiescedCounts(g));
            } finally {
                g.close();
            }
        }
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theCallsReachCurrentsMm(Kind kind) {
        try (Kernel k = kind.boot()) {
            AddressSpace mm = k.mmAlloc();
            long a = mm.mmap(0, 2 * P, RW, ANON, null, 0);
            Object t = k.newTask(mm);
            byte[] data = pattern(100);
            assertEquals(0, k.copyToUser(t, a + P - 40, data, 100), "across the page boundary");
            byte[] seen = new byte[100];
            assertEquals(0, mm.copyFromUser(seen, 0, a + P - 40, 100));
            assertArrayEquals(data, seen, "the mm's own handle sees the task's write");
            byte[] back = new byte[100];
            assertEquals(0, k.copyFromUser(t, back, a + P - 40, 100));
            assertArrayEquals(data, back);
            long[] x = new long[1];
            for (int size : new int[] {1, 2, 4, 8}) {
                long v = 0x8877665544332211L;
                assertEquals(0, k.putUser(t, v, a + P - 3, size), "size " + size);
                assertEquals(0, k.getUser(t, x, a + P - 3, size));
                assertEquals(size == 8 ? v : v & ((1L << (8 * size)) - 1), x[0], "size " + size);
            }
            assertEquals(0, k.copyToUser(t, a + 16, "fork\0".getBytes(), 5));
            byte[] s = new byte[16];
            assertEquals(4, k.strncpyFromUser(t, s, a + 16, 16));
            assertEquals("fork", new String(s, 0, 4));
            assertEquals(1, k.checkZeroedUser(t, a + 8, 8));
            assertEquals(0, k.checkZeroedUser(t, a + 8, 16));
            k.freeTask(t);
            mm.mmput();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eachTaskSeesItsOwnMm(Kind kind) {
        try (Kernel k = kind.boot()) {
            AddressSpace parentMm = k.mmAlloc();
            long a = parentMm.mmap(0, P, RW, ANON, null, 0);
            Object parent = k.newTask(parentMm);
            assertEquals(0, k.putUser(parent, 0x1111, a, 8));
            AddressSpace childMm = parentMm.dup(DupMode.APPEND);
            Object child = k.newTask(childMm);
            assertEquals(0, k.putUser(child, 0x2222, a, 8));
            long[] x = new long[1];
            assertEquals(0, k.getUser(parent, x, a, 8));
            assertEquals(0x1111, x[0], "the child's write went to the child's copy");
            assertEquals(0, k.getUser(child, x, a, 8));
            assertEquals(0x2222, x[0]);
            k.freeTask(child);
            k.freeTask(parent);
            childMm.mmput();
            parentMm.mmput();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void refusalsAreTheMmForms(Kind kind) {
        try (Kernel k = kind.boot()) {
            AddressSpace mm = k.mmAlloc();
            long a = mm.mmap(0, 2 * P, RW, ANON, null, 0);
            assertEquals(0, mm.mprotect(a + P, P, PROT_READ));
            Object t = k.newTask(mm);
            long[] x = new long[1];
            assertEquals(-Errno.EFAULT, k.putUser(t, 1, a + P, 4), "a read-only VMA");
            assertEquals(40, k.copyToUser(t, a + P - 60, pattern(100), 100), "60 bytes written, then the fault");
            byte[] b = new byte[100];
            assertEquals(40, k.copyFromUser(t, b, a + 2 * P - 60, 100), "a read stops where the VMAs end");
            assertEquals(0, b[99], "the uncopied tail is zeroed");
            assertEquals(-Errno.EFAULT, k.getUser(t, x, a + 2 * P, 8), "no VMA");
            assertEquals(0, x[0], "get_user zeroes its variable on a fault");
            assertEquals(-Errno.EFAULT, k.getUser(t, x, 0xffff_8880_0000_0000L, 8), "a kernel address");
            assertEquals(8, k.copyToUser(t, -8, pattern(8), 8), "a range that wraps");
            assertEquals(-Errno.EFAULT, k.strncpyFromUser(t, new byte[8], a + 2 * P, 8));
            k.freeTask(t);
            mm.mmput();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void copyStructFromUserFollowsTheSizeRules(Kind kind) {
        try (Kernel k = kind.boot()) {
            AddressSpace mm = k.mmAlloc();
            long a = mm.mmap(0, P, RW, ANON, null, 0);
            Object t = k.newTask(mm);
            long src = a + P - 64;
            assertEquals(0, k.copyToUser(t, src, pattern(8), 8));
            byte[] ks = new byte[16];
            Arrays.fill(ks, (byte) -1);
            assertEquals(0, k.copyStructFromUser(t, ks, 16, src, 8), "an older, smaller user struct");
            assertArrayEquals(Arrays.copyOf(pattern(8), 16), ks, "zero-extended");
            assertEquals(0, k.copyStructFromUser(t, ks, 16, src, 64), "larger, zeros up to the page's end");
            assertEquals(-Errno.EFAULT, k.copyStructFromUser(t, ks, 16, src, 65), "its tail runs off the VMA");
            assertEquals(0, k.putUser(t, 1, src + 40, 1));
            assertEquals(-Errno.E2BIG, k.copyStructFromUser(t, ks, 16, src, 48), "a non-zero byte past ksize");
            assertEquals(-Errno.EFAULT, k.copyStructFromUser(t, ks, 16, a + P, 8), "unreadable");
            k.freeTask(t);
            mm.mmput();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aTaskWithoutAnMmFaultsEverywhere(Kind kind) {
        try (Kernel k = kind.boot()) {
            Object kthread = k.newTask(null);
            long[] x = new long[1];
            assertEquals(-Errno.EFAULT, k.getUser(kthread, x, 0x10000, 4));
            assertEquals(0, x[0]);
            assertEquals(-Errno.EFAULT, k.putUser(kthread, 1, 0x10000, 4));
            assertEquals(16, k.copyToUser(kthread, 0x10000, pattern(16), 16));
            assertEquals(16, k.copyFromUser(kthread, new byte[16], 0x10000, 16));
            assertEquals(-Errno.EFAULT, k.copyStructFromUser(kthread, new byte[8], 8, 0x10000, 8));
            k.freeTask(kthread);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void noCurrentTaskIsAMisuse(Kind kind) {
        try (Kernel k = kind.boot()) {
            RuntimeException e = assertThrows(RuntimeException.class, k::withoutCurrent);
            assertTrue(e.getMessage().contains("without a current task"), e.getMessage());
        }
    }
}
