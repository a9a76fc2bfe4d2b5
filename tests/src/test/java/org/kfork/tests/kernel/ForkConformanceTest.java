package org.kfork.tests.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.mm.Mman.MAP_ANONYMOUS;
import static org.kfork.mm.Mman.MAP_FIXED;
import static org.kfork.mm.Mman.MAP_PRIVATE;
import static org.kfork.mm.Mman.PAGE_SIZE;
import static org.kfork.mm.Mman.PROT_NONE;
import static org.kfork.mm.Mman.PROT_READ;
import static org.kfork.mm.Mman.PROT_WRITE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kfork.api.Kernel;
import org.kfork.api.Kernels;
import org.kfork.script.Scratch;
import org.kfork.script.ScriptRunner;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.UapiCloneArgs;

/**
 * The clone family's checks that a script cannot express, through the Kernel API on both
 * kernels: struct clone_args and the pointers it carries in memory that is unmapped, read-only or
 * not user memory (copy_struct_from_user and check_zeroed_user, seed lines 2647-2649; the set_tid
 * copy, 2686; put_user of the pidfd, 2161, and of the parent's tid, 2518), each failing case next
 * to the nearest one that passes, and every refusal leaving the object counts as they were.
 * (The scripts under scenarios/conformance cover the rest; ScenarioTranscriptTest runs them.)
 */
class ForkConformanceTest {
    /** Two pages at a fixed address, away from the scratch area and the stack. */
    private static final long AREA = 0x40000;

    private static Kernel boot(String impl) {
        return Kernels.boot(impl, ScriptRunner.config(64L << 20, 2));
    }

    /** struct clone_args with {@code flags}, SIGCHLD, and the pointer fields given, little-endian. */
    private static byte[] cloneArgs(long flags, long pidfd, long parentTid, long setTid, long setTidSize) {
        ByteBuffer b = ByteBuffer.allocate(UapiCloneArgs.SIZEOF).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(UapiCloneArgs.FLAGS, flags);
        b.putLong(UapiCloneArgs.PIDFD, pidfd);
        b.putLong(UapiCloneArgs.PARENT_TID, parentTid);
        b.putLong(UapiCloneArgs.EXIT_SIGNAL, Signals.SIGCHLD);
        b.putLong(UapiCloneArgs.SET_TID, setTid);
        b.putLong(UapiCloneArgs.SET_TID_SIZE, setTidSize);
        return b.array();
    }

    private static byte[] plainArgs() {
        return cloneArgs(0, 0, 0, 0, 0);
    }

    private static void write(Kernel k, long addr, byte[] bytes) {
        assertEquals(0, k.writeUser(1, addr, bytes, 0, bytes.length), "write at 0x" + Long.toHexString(addr));
    }

    private static int readInt(Kernel k, int caller, long addr) {
        byte[] w = new byte[4];
        assertEquals(0, k.readUser(caller, addr, w, 0, 4));
        return ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /**
     * Two writable pages at AREA, the second then unmapped: AREA + PAGE_SIZE is the hole. The
     * page left and the scratch area's clone_args page are written once, so that the counts taken
     * next already hold their pages and anon_vmas.
     */
    private static void pageThenHole(Kernel k) {
        assertEquals(AREA, k.mmap(1, AREA, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
        assertEquals(0, k.munmap(1, AREA + PAGE_SIZE, PAGE_SIZE));
        write(k, AREA, new byte[(int) PAGE_SIZE]);
        write(k, Scratch.CLONE_ARGS, plainArgs());
    }

    /** clone3 by init with CLONE_PIDFD, the fd to be stored at {@code pidfd}. */
    private static long clone3WithPidfd(Kernel k, long pidfd) {
        write(k, Scratch.CLONE_ARGS, cloneArgs(CloneFlags.CLONE_PIDFD, pidfd, 0, 0, 0));
        return k.clone3(1, Scratch.CLONE_ARGS, UapiCloneArgs.SIZEOF);
    }

    /** Reaps a child of init made by a successful call, so that the counts can go back. */
    private static void reap(Kernel k, long child) {
        assertTrue(child > 1, "a child: " + child);
        assertEquals(0, k.exit((int) child, 0));
        assertEquals(child, k.wait4(1, (int) child, Scratch.WSTATUS, 0, 0));
    }

    private static Map<String, Long> counts(Kernel k) {
        k.rcuBarrier();
        return k.objectCounts();
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void aStructThatStraddlesAHoleFaults(String impl) {
        try (Kernel k = boot(impl)) {
            pageThenHole(k);
            reap(k, k.fork(1)); // the first fork maps what every later one reuses
            Map<String, Long> base = counts(k);
            long end = AREA + PAGE_SIZE;
            // the whole struct before the hole: the nearest case that passes
            write(k, end - UapiCloneArgs.SIZEOF, plainArgs());
            reap(k, k.clone3(1, end - UapiCloneArgs.SIZEOF, UapiCloneArgs.SIZEOF));
            // 8 bytes of it in the hole
            byte[] a = plainArgs();
            write(k, end - 80, Arrays.copyOf(a, 80));
            assertEquals(-Errno.EFAULT, k.clone3(1, end - 80, UapiCloneArgs.SIZEOF));
            // a VER0 struct read as 64 bytes fits; as 88 it does not
            write(k, end - 64, Arrays.copyOf(a, 64));
            reap(k, k.clone3(1, end - 64, CloneFlags.CLONE_ARGS_SIZE_VER0));
            assertEquals(-Errno.EFAULT, k.clone3(1, end - 64, CloneFlags.CLONE_ARGS_SIZE_VER1));
            // the size is checked before anything is read: -E2BIG and -EINVAL, not -EFAULT
            assertEquals(-Errno.E2BIG, k.clone3(1, end, PAGE_SIZE + 1));
            assertEquals(-Errno.EINVAL, k.clone3(1, end, CloneFlags.CLONE_ARGS_SIZE_VER0 - 1));
            // a larger struct whose zero tail runs into the hole: check_zeroed_user faults
            write(k, end - UapiCloneArgs.SIZEOF, plainArgs());
            assertEquals(-Errno.EFAULT, k.clone3(1, end - UapiCloneArgs.SIZEOF, UapiCloneArgs.SIZEOF + 8));
            assertEquals(-Errno.EFAULT, k.clone3(1, end, UapiCloneArgs.SIZEOF));
            assertEquals(base, counts(k), "the refusals took nothing");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void aStructOutsideUserMemoryFaults(String impl) {
        try (Kernel k = boot(impl)) {
            reap(k, k.fork(1));
            Map<String, Long> base = counts(k);
            assertEquals(-Errno.EFAULT, k.clone3(1, 0, UapiCloneArgs.SIZEOF), "NULL");
            assertEquals(-Errno.EFAULT, k.clone3(1, 0xffff_8880_0000_0000L, UapiCloneArgs.SIZEOF), "a kernel address");
            assertEquals(-Errno.EFAULT, k.clone3(1, 0x7fff_ffff_f000L - 40, UapiCloneArgs.SIZEOF), "across TASK_SIZE_MAX");
            assertEquals(-Errno.EFAULT, k.clone3(1, -UapiCloneArgs.SIZEOF, UapiCloneArgs.SIZEOF), "at the top of the address space");
            assertEquals(base, counts(k));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void aReadOnlyStructIsReadAndANoAccessOneFaults(String impl) {
        try (Kernel k = boot(impl)) {
            assertEquals(AREA, k.mmap(1, AREA, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
            write(k, AREA, plainArgs());
            assertEquals(0, k.mprotect(1, AREA, PAGE_SIZE, PROT_READ));
            reap(k, k.clone3(1, AREA, UapiCloneArgs.SIZEOF));
            assertEquals(0, k.mprotect(1, AREA, PAGE_SIZE, PROT_NONE));
            assertEquals(-Errno.EFAULT, k.clone3(1, AREA, UapiCloneArgs.SIZEOF));
            assertEquals(0, k.mprotect(1, AREA, PAGE_SIZE, PROT_READ));
            reap(k, k.clone3(1, AREA, UapiCloneArgs.SIZEOF));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void aSetTidArrayAcrossAHoleFaultsAndAReadOnlyOneIsRead(String impl) {
        try (Kernel k = boot(impl)) {
            pageThenHole(k);
            reap(k, k.fork(1));
            Map<String, Long> base = counts(k);
            long end = AREA + PAGE_SIZE;
            byte[] tids = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 500).putInt(4, 501).array();
            write(k, end - 8, tids);
            write(k, Scratch.CLONE_ARGS, cloneArgs(0, 0, 0, end - 4, 2)); // its second entry in the hole
            assertEquals(-Errno.EFAULT, k.clone3(1, Scratch.CLONE_ARGS, UapiCloneArgs.SIZEOF));
            write(k, Scratch.CLONE_ARGS, cloneArgs(0, 0, 0, end - 4, 1)); // one entry: readable
            long c = k.clone3(1, Scratch.CLONE_ARGS, UapiCloneArgs.SIZEOF);
            assertEquals(501, c);
            reap(k, c);
            assertEquals(0, k.mprotect(1, AREA, PAGE_SIZE, PROT_READ));
            write(k, Scratch.CLONE_ARGS, cloneArgs(0, 0, 0, end - 8, 1));
            c = k.clone3(1, Scratch.CLONE_ARGS, UapiCloneArgs.SIZEOF);
            assertEquals(500, c);
            reap(k, c);
            assertEquals(base, counts(k));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void aPidfdThatCannotBeStoredUnwindsTheFork(String impl) {
        try (Kernel k = boot(impl)) {
            assertEquals(AREA, k.mmap(1, AREA, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
            long ok = clone3WithPidfd(k, AREA);
            reap(k, ok);
            assertEquals(0, readInt(k, 1, AREA), "fd 0: init has no other file");
            assertEquals(0, k.mprotect(1, AREA, PAGE_SIZE, PROT_READ));
            Map<String, Long> base = counts(k);
            String status = k.procStatus(1);
            // put_user of the fd into a read-only page (2161): bad_fork_put_pidfd, then every step back
            long pid = clone3WithPidfd(k, AREA);
            assertEquals(-Errno.EFAULT, pid);
            assertEquals(0, readInt(k, 1, AREA), "nothing was stored");
            assertEquals(status, k.procStatus(1), "init is as it was");
            assertEquals(base, counts(k), "no task, pid, file or fd left behind");
            assertEquals(0, k.mprotect(1, AREA, PAGE_SIZE, PROT_READ | PROT_WRITE));
            long again = clone3WithPidfd(k, AREA);
            assertEquals(1, readInt(k, 1, AREA), "fd 1: fd 0 is still the first child's pidfd, the failed one gave its fd back");
            reap(k, again);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void aParentTidThatCannotBeStoredIsIgnored(String impl) {
        try (Kernel k = boot(impl)) {
            assertEquals(AREA, k.mmap(1, AREA, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
            long flags = CloneFlags.CLONE_PARENT_SETTID | Signals.SIGCHLD;
            long c = k.clone(1, flags, 0, AREA, 0, 0);
            assertTrue(c > 1, "kernel_clone ignores put_user's fault: " + c);
            assertEquals(0, readInt(k, 1, AREA));
            reap(k, c);
            assertEquals(0, k.mprotect(1, AREA, PAGE_SIZE, PROT_READ | PROT_WRITE));
            c = k.clone(1, flags, 0, AREA, 0, 0);
            assertEquals(c, readInt(k, 1, AREA));
            reap(k, c);
        }
    }
}
