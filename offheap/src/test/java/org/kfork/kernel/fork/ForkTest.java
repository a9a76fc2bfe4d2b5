package org.kfork.kernel.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kfork.kernel.fork.ForkWorld.INIT;
import static org.kfork.kernel.fork.ForkWorld.USER_PAGE;
import static org.kfork.uapi.CloneFlags.CLONE_DETACHED;
import static org.kfork.uapi.CloneFlags.CLONE_FILES;
import static org.kfork.uapi.CloneFlags.CLONE_FS;
import static org.kfork.uapi.CloneFlags.CLONE_INTO_CGROUP;
import static org.kfork.uapi.CloneFlags.CLONE_NEWNS;
import static org.kfork.uapi.CloneFlags.CLONE_NEWPID;
import static org.kfork.uapi.CloneFlags.CLONE_NEWUSER;
import static org.kfork.uapi.CloneFlags.CLONE_NEWUTS;
import static org.kfork.uapi.CloneFlags.CLONE_PARENT;
import static org.kfork.uapi.CloneFlags.CLONE_PARENT_SETTID;
import static org.kfork.uapi.CloneFlags.CLONE_PIDFD;
import static org.kfork.uapi.CloneFlags.CLONE_SIGHAND;
import static org.kfork.uapi.CloneFlags.CLONE_SYSVSEM;
import static org.kfork.uapi.CloneFlags.CLONE_THREAD;
import static org.kfork.uapi.CloneFlags.CLONE_VFORK;
import static org.kfork.uapi.CloneFlags.CLONE_VM;
import static org.kfork.uapi.Signals.SIGCHLD;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.uapi.Errno;
import org.kfork.uapi.UapiCloneArgs;

/**
 * copy_process, kernel_clone, clone3 and unshare (kernel/fork.c, 5.12) on both kernels: what a
 * child copies and what it shares, the refusals and their errnos, the new pid namespace's init,
 * the limits, the pidfd, and a failure at every allocation point unwinding to the same counts.
 */
class ForkTest extends ForkSuite {
    private static final long THREAD = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void initIsPidOneTheReaperOfTheInitialNamespace(Kind kind) {
        ForkWorld w = w(kind);
        assertEquals(1, w.pid(INIT));
        assertEquals(1, w.tgid(INIT));
        assertEquals(0, w.realParentPid(INIT), "made by the idle task");
        assertTrue(w.isNamespaceInit(INIT), "child_reaper of init_pid_ns, SIGNAL_UNKILLABLE");
        assertEquals(1, w.nrThreads(), "the idle task is not counted");
        assertEquals(1, w.nrProcesses());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void forkCopiesEveryResourceAndSharesOnlyTheNamespaces(Kind kind) {
        ForkWorld w = w(kind);
        int processes = w.userProcesses(INIT);
        int c = w.clone(INIT, 0, SIGCHLD);
        assertTrue(c > 0, Errno.name(-c));
        assertEquals(2, w.pid(c));
        assertEquals(2, w.tgid(c), "a new thread group");
        assertEquals(1, w.realParentPid(c));
        assertEquals(SIGCHLD, w.exitSignal(c));
        for (String what : new String[] {"mm", "files", "fs", "sighand", "signal", "cred"}) {
            assertFalse(w.shares(INIT, c, what), what + " is copied");
        }
        assertTrue(w.shares(INIT, c, "nsproxy"), "no CLONE_NEW*: the namespaces are shared");
        assertEquals(2, w.nrThreads());
        assertEquals(2, w.nrProcesses());
        assertEquals(processes + 1, w.userProcesses(INIT), "one more process of root");
        assertEquals(1, w.groupThreads(c));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aThreadSharesEverythingAndJoinsItsGroup(Kind kind) {
        ForkWorld w = w(kind);
        int t = w.clone(INIT, THREAD, 0);
        assertTrue(t > 0, Errno.name(-t));
        assertEquals(1, w.tgid(t), "the group of its creator");
        assertEquals(-1, w.exitSignal(t), "a thread signals nobody");
        for (String what : new String[] {"mm", "files", "fs", "sighand", "signal", "cred", "nsproxy"}) {
            assertTrue(w.shares(INIT, t, what), what + " is shared");
        }
        assertEquals(2, w.groupThreads(INIT));
        assertEquals(2, w.nrThreads());
        assertEquals(1, w.nrProcesses(), "a thread is no process");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void refusedCombinationsAllocateNothing(Kind kind) {
        ForkWorld w = w(kind);
        Map<String, Long> before = w.counts();
        long[] einval = {CLONE_NEWNS | CLONE_FS, CLONE_NEWUSER | CLONE_FS, CLONE_THREAD, CLONE_SIGHAND,
            CLONE_THREAD | CLONE_SIGHAND, THREAD | CLONE_NEWPID, CLONE_PIDFD | CLONE_DETACHED,
            CLONE_PIDFD | THREAD, CLONE_PARENT};
        for (long flags : einval) {
            assertEquals(-Errno.EINVAL, w.clone(INIT, flags, 0), Long.toHexString(flags));
        }
        assertEquals(-Errno.EINVAL, w.clone(INIT, CLONE_PIDFD | CLONE_PARENT_SETTID, SIGCHLD, USER_PAGE, USER_PAGE),
            "pidfd and parent tid at one address");
        assertEquals(-Errno.EBADF, w.clone(INIT, CLONE_INTO_CGROUP, SIGCHLD), "no cgroup file to move into");
        assertEquals(before, w.counts());
        assertEquals(1, w.nrThreads());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void cloneNewpidMakesTheChildTheInitOfItsNamespace(Kind kind) {
        ForkWorld w = w(kind);
        int c = w.clone(INIT, CLONE_NEWPID, SIGCHLD);
        assertTrue(c > 0, Errno.name(-c));
        assertEquals(1, w.nsLevel(c));
        assertEquals(1, w.nsPid(c), "pid 1 of the new namespace");
        assertEquals(2, w.pid(c), "and pid 2 of the initial one");
        assertTrue(w.isNamespaceInit(c));
        assertFalse(w.shares(INIT, c, "nsproxy"));
        int gc = w.clone(c, 0, SIGCHLD);
        assertTrue(gc > 0, Errno.name(-gc));
        assertEquals(2, w.nsPid(gc));
        assertEquals(1, w.nsLevel(gc));
        assertFalse(w.isNamespaceInit(gc));
        assertEquals(-Errno.EINVAL, w.clone(c, CLONE_PARENT, SIGCHLD), "a namespace's init has no siblings");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rlimitNprocStopsAnUnprivilegedUser(Kind kind) {
        ForkWorld w = w(kind);
        int c = w.clone(INIT, 0, SIGCHLD);
        w.dropToUser(c, 1000);
        w.setNprocLimit(c, 1);
        Map<String, Long> before = w.counts();
        assertEquals(-Errno.EAGAIN, w.clone(c, 0, SIGCHLD), "user 1000 owns 1 process, its limit");
        assertEquals(before, w.counts());
        w.setNprocLimit(c, 2);
        int gc = w.clone(c, 0, SIGCHLD);
        assertTrue(gc > 0, Errno.name(-gc));
        assertEquals(2, w.userProcesses(c));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void threadsMaxStopsEvenRoot(Kind kind) {
        ForkWorld w = w(kind);
        w.setMaxThreads(20); // MIN_THREADS
        int made = 0;
        int r;
        while ((r = w.clone(INIT, 0, SIGCHLD)) > 0) {
            made++;
        }
        assertEquals(-Errno.EAGAIN, r);
        assertEquals(19, made, "nr_threads from 1 to max_threads");
        assertEquals(20, w.nrThreads());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void pidfdAndParentTidAreWrittenToTheParent(Kind kind) {
        ForkWorld w = w(kind);
        int c = w.clone(INIT, CLONE_PIDFD | CLONE_PARENT_SETTID, SIGCHLD, USER_PAGE, USER_PAGE + 8);
        assertTrue(c > 0, Errno.name(-c));
        int fd = w.readUserInt(INIT, USER_PAGE);
        assertTrue(w.fdOpen(INIT, fd), "the pidfd is installed in the parent's table");
        assertFalse(w.fdOpen(c, fd), "after the child's table was copied");
        assertEquals(w.pid(c), w.readUserInt(INIT, USER_PAGE + 8), "CLONE_PARENT_SETTID");
        assertEquals(0, w.closeFd(INIT, fd), "its last fput puts the pid");
    }

    private static byte[] cloneArgs(int size, long flags, long exitSignal, long setTid, long setTidSize) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(UapiCloneArgs.FLAGS, flags);
        b.putLong(UapiCloneArgs.EXIT_SIGNAL, exitSignal);
        if (size >= UapiCloneArgs.SET_TID_SIZE + 8) {
            b.putLong(UapiCloneArgs.SET_TID, setTid);
            b.putLong(UapiCloneArgs.SET_TID_SIZE, setTidSize);
        }
        return b.array();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void clone3ReadsItsArgumentsFromUserMemory(Kind kind) {
        ForkWorld w = w(kind);
        w.writeUser(INIT, USER_PAGE, cloneArgs(64, 0, SIGCHLD, 0, 0));
        int c = w.clone3(INIT, USER_PAGE, 64);
        assertTrue(c > 0, Errno.name(-c));
        assertEquals(SIGCHLD, w.exitSignal(c));
        assertEquals(-Errno.E2BIG, w.clone3(INIT, USER_PAGE, 4097), "larger than a page");
        assertEquals(-Errno.EINVAL, w.clone3(INIT, USER_PAGE, 56), "older than the first version");
        byte[] newer = cloneArgs(96, 0, SIGCHLD, 0, 0);
        newer[90] = 1;
        w.writeUser(INIT, USER_PAGE, newer);
        assertEquals(-Errno.E2BIG, w.clone3(INIT, USER_PAGE, 96), "a newer struct with a field 5.12 does not know");
        w.writeUser(INIT, USER_PAGE, cloneArgs(88, 0, 65, 0, 0));
        assertEquals(-Errno.EINVAL, w.clone3(INIT, USER_PAGE, 88), "exit signal 65");
        w.writeUser(INIT, USER_PAGE, cloneArgs(88, THREAD, SIGCHLD, 0, 0));
        assertEquals(-Errno.EINVAL, w.clone3(INIT, USER_PAGE, 88), "a thread with an exit signal");
        assertEquals(-Errno.EFAULT, w.clone3(INIT, 0x7000_0000L, 88), "unmapped");
        // set_tid: root picks pid 77 in init_pid_ns
        w.writeUser(INIT, USER_PAGE + 512, new byte[] {77, 0, 0, 0});
        w.writeUser(INIT, USER_PAGE, cloneArgs(88, 0, SIGCHLD, USER_PAGE + 512, 1));
        int s = w.clone3(INIT, USER_PAGE, 88);
        assertTrue(s > 0, Errno.name(-s));
        assertEquals(77, w.pid(s));
        assertEquals(-Errno.EEXIST, w.clone3(INIT, USER_PAGE, 88), "pid 77 is taken");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void unshareGivesTheCallerItsOwnCopies(Kind kind) {
        ForkWorld w = w(kind);
        int c = w.clone(INIT, 0, SIGCHLD);
        int sib = w.clone(c, CLONE_FILES | CLONE_FS, SIGCHLD);
        assertTrue(w.shares(c, sib, "files"));
        assertEquals(0, w.unshare(sib, CLONE_FILES | CLONE_FS));
        assertFalse(w.shares(c, sib, "files"));
        assertFalse(w.shares(c, sib, "fs"));
        assertEquals(0, w.unshare(sib, CLONE_NEWUTS));
        assertFalse(w.shares(c, sib, "nsproxy"));
        assertEquals(-Errno.EINVAL, w.unshare(sib, CLONE_NEWUSER), "no user namespaces in this config");
        assertEquals(-Errno.EINVAL, w.unshare(sib, CLONE_PIDFD), "not an unshare flag");
        int t = w.clone(c, THREAD, 0);
        assertTrue(t > 0);
        assertEquals(-Errno.EINVAL, w.unshare(t, CLONE_VM), "a thread cannot leave its group's VM");
    }

    /**
     * Every allocation point of a clone failed in turn: the errnos (0 where the kernel goes on
     * without the object, as delayacct_tsk_init does), with nothing left behind each time.
     */
    private static List<Integer> sweep(ForkWorld w, long flags, int exitSignal) {
        Map<String, Long> before = w.counts();
        int threads = w.nrThreads();
        int processes = w.userProcesses(INIT);
        List<Integer> errnos = new ArrayList<>();
        for (int k = 1; ; k++) {
            w.failSlab().failNth(k);
            int r = w.clone(INIT, flags, exitSignal);
            boolean injected = !w.failSlab().armed();
            w.failSlab().disarm();
            if (!injected) {
                assertTrue(r > 0, "k=" + k + ": " + Errno.name(-r));
                w.unfork(r);
                assertEquals(before, w.counts(), "unfork");
                return errnos;
            }
            if (r > 0) {
                errnos.add(0); // a failure the kernel tolerates
                w.unfork(r);
                assertEquals(before, w.counts(), "k=" + k + ": unfork");
                continue;
            }
            errnos.add(-r);
            assertEquals(before, w.counts(), "k=" + k + ": nothing leaked");
            assertEquals(threads, w.nrThreads(), "k=" + k);
            assertEquals(processes, w.userProcesses(INIT), "k=" + k);
        }
    }

    /**
     * vfork (CLONE_VFORK | CLONE_VM): kernel_clone returns only when the child has released the
     * mm (here, exec_mm_release, what execve does), and a fatal signal ends the wait early
     * (wait_for_vfork_done is killable; 5.12 returns the child's pid either way, and takes the
     * completion back from the child so that its later release completes nothing).
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void vforkBlocksTheParentUntilTheChildExecsOrAFatalSignal(Kind kind) throws Exception {
        ForkWorld w = w(kind);
        int p = w.clone(INIT, 0, SIGCHLD); // init cannot be killed: the vfork parent is its child
        assertTrue(p > 0, Errno.name(-p));
        ExecutorService parent = Executors.newSingleThreadExecutor();
        try {
            Thread thread = parent.submit(Thread::currentThread).get();
            Future<Integer> vfork = parent.submit(() -> w.clone(p, CLONE_VFORK | CLONE_VM, SIGCHLD));
            int c = awaitChild(w, w.pid(p) + 1, vfork);
            awaitVforkWait(w, c, thread);
            assertTrue(w.shares(p, c, "mm"), "the child runs in its parent's mm");
            Thread.sleep(50);
            assertFalse(vfork.isDone(), "the parent waits while the child holds the mm");
            w.execMmRelease(c);
            assertEquals(c, vfork.get(5, TimeUnit.SECONDS), "released by the child's exec");
            assertFalse(w.vforkDone(c));

            Future<Integer> killed = parent.submit(() -> w.clone(p, CLONE_VFORK | CLONE_VM, SIGCHLD));
            int c2 = awaitChild(w, w.pid(c) + 1, killed);
            awaitVforkWait(w, c2, thread);
            Thread.sleep(50);
            assertFalse(killed.isDone());
            w.sigkill(p);
            assertEquals(c2, killed.get(5, TimeUnit.SECONDS), "a fatal signal ends the wait; the pid is returned");
            assertFalse(w.vforkDone(c2), "the killed parent took its completion back");
            w.execMmRelease(c2); // completes nothing: the parent's frame is gone
            assertEquals(4, w.nrThreads(), "init, the parent and both children");
        } finally {
            parent.shutdownNow();
        }
    }

    /** Waits for the task with pid {@code pid} to exist (the vfork child), its handle. */
    private static int awaitChild(ForkWorld w, int pid, Future<Integer> call) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int h;
        while ((h = w.byPid(pid)) < 0) {
            if (call.isDone()) {
                throw new AssertionError("kernel_clone returned " + call.get() + " before its child appeared");
            }
            assertTrue(System.nanoTime() < deadline, "no task " + pid);
            Thread.sleep(1);
        }
        return h;
    }

    /**
     * Waits until the child holds its parent's completion (vfork_done) and the parent's Java
     * thread is blocked (the model's sleep is a monitor wait).
     */
    private static void awaitVforkWait(ForkWorld w, int child, Thread parent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!w.vforkDone(child) || parent.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "the vfork parent never slept: vfork_done "
                + w.vforkDone(child) + ", " + parent.getState());
            Thread.sleep(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void failslabAtEveryAllocationUnwinds(Kind kind) {
        ForkWorld w = w(kind);
        List<Integer> fork = sweep(w, 0, SIGCHLD);
        assertTrue(fork.size() >= 10, "fork allocates the task, stack, cred, files, fs, sighand, signal, mm, "
            + "VMAs, pid...: " + fork);
        assertTrue(fork.stream().allMatch(e -> e == Errno.ENOMEM || e == 0), fork.toString());
        List<Integer> thread = sweep(w, THREAD, 0);
        assertTrue(thread.size() < fork.size(), "a thread shares what a process copies");
        sweep(w, CLONE_NEWPID | CLONE_NEWUTS, SIGCHLD);
    }

    @Test
    void bothKernelsFailAtTheSameAllocationsWithTheSameErrnos() {
        for (long flags : new long[] {0, THREAD, CLONE_NEWPID | CLONE_NEWUTS, CLONE_FILES | CLONE_FS}) {
            int sig = (flags & CLONE_THREAD) != 0 ? 0 : SIGCHLD;
            assertEquals(sweep(offHeap, flags, sig), sweep(heap, flags, sig), Long.toHexString(flags));
        }
    }
}
