package org.kfork.kernel.exit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.kfork.api.ExecImage;
import org.kfork.exit.WaitRules;
import org.kfork.mm.Mman;
import org.kfork.sched.TaskState;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Errno;
import org.kfork.uapi.Signals;
import org.kfork.uapi.Wait;

/** kernel/exit.c on both kernels: exit, zombies, reaping, reparenting, wait4/waitid, exit_group, zap_pid_ns. */
@Timeout(60)
class ExitTest {
    static final long THREAD = CloneFlags.CLONE_VM | CloneFlags.CLONE_FS | CloneFlags.CLONE_FILES
        | CloneFlags.CLONE_SIGHAND | CloneFlags.CLONE_THREAD;
    static final int CHLD = Signals.SIGCHLD;

    enum Variant {
        OFFHEAP(OffHeapExitWorld::new), HEAP(HeapExitWorld::new);

        final Supplier<ExitWorld> boot;

        Variant(Supplier<ExitWorld> boot) {
            this.boot = boot;
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void exitMakesAZombieThatWait4ReapsWithItsStatus(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int threads = w.nrThreads();
            final long procs = w.nrProcesses();
            final int c = w.spawn(ExitWorld.INIT, 0, CHLD);
            assertEquals(threads + 1, w.nrThreads());
            assertEquals(procs + 1, w.nrProcesses());
            w.doExit(c, WaitRules.exitCode(42));
            assertEquals(TaskState.EXIT_ZOMBIE, w.exitState(c));
            assertEquals(threads + 1, w.nrThreads(), "a zombie is still hashed");
            final int pid = w.pid(c);
            assertEquals(pid, w.wait4(ExitWorld.INIT, pid, 0));
            assertEquals(0x2a00, w.stat());
            assertEquals(threads, w.nrThreads());
            assertEquals(procs, w.nrProcesses());
            assertEquals(-Errno.ECHILD, w.wait4(ExitWorld.INIT, pid, 0));
            assertEquals(-Errno.ECHILD, w.wait4(ExitWorld.INIT, -1, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void wnohangGivesZeroWhileAChildLivesAndEchildWithoutChildren(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            assertEquals(-Errno.ECHILD, w.wait4(p, -1, Wait.WNOHANG));
            final int c = w.spawn(p, 0, CHLD);
            assertEquals(0, w.wait4(p, -1, Wait.WNOHANG));
            assertEquals(0, w.waitid(p, Wait.P_ALL, 0, Wait.WEXITED | Wait.WNOHANG));
            assertArrayEquals(new int[] {0, 0, 0, 0}, w.info());
            assertEquals(-Errno.ECHILD, w.wait4(p, w.pid(c) + 1000, Wait.WNOHANG), "no such pid");
            w.doExit(c, 0);
            assertEquals(w.pid(c), w.wait4(p, -1, Wait.WNOHANG));
            assertEquals(0, w.stat());
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void badOptionsAreEinvalBeforeAnythingElse(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            assertEquals(-Errno.EINVAL, w.wait4(ExitWorld.INIT, -1, Wait.WNOWAIT));
            assertEquals(-Errno.EINVAL, w.wait4(ExitWorld.INIT, -1, 0x100));
            assertEquals(-Errno.ESRCH, w.wait4(ExitWorld.INIT, Integer.MIN_VALUE, 0));
            assertEquals(-Errno.EINVAL, w.waitid(ExitWorld.INIT, Wait.P_ALL, 0, Wait.WNOHANG));
            assertEquals(-Errno.EINVAL, w.waitid(ExitWorld.INIT, Wait.P_PID, 0, Wait.WEXITED));
            assertEquals(-Errno.EINVAL, w.waitid(ExitWorld.INIT, 7, 1, Wait.WEXITED));
            assertEquals(-Errno.EINVAL, w.waitid(ExitWorld.INIT, Wait.P_PGID, -1, Wait.WEXITED));
            // the job-control options are accepted, and find nothing to report
            final int c = w.spawn(ExitWorld.INIT, 0, CHLD);
            assertEquals(0, w.waitid(ExitWorld.INIT, Wait.P_ALL, 0, Wait.WSTOPPED | Wait.WCONTINUED | Wait.WNOHANG));
            assertEquals(0, w.wait4(ExitWorld.INIT, -1, Wait.WUNTRACED | Wait.WCONTINUED | Wait.WNOHANG));
            w.doExit(c, 0);
            assertEquals(0, w.waitid(ExitWorld.INIT, Wait.P_ALL, 0, Wait.WSTOPPED | Wait.WNOHANG),
                "a zombie is no stop, yet a child to wait for");
            assertEquals(w.pid(c), w.wait4(ExitWorld.INIT, -1, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void waitidReportsTheCauseAndWnowaitLeavesTheZombie(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int c = w.spawn(ExitWorld.INIT, 0, CHLD);
            final int pid = w.pid(c);
            w.doExit(c, WaitRules.exitCode(3));
            assertEquals(pid, w.waitid(ExitWorld.INIT, Wait.P_PID, pid, Wait.WEXITED | Wait.WNOWAIT));
            assertArrayEquals(new int[] {pid, 0, 3, Wait.CLD_EXITED}, w.info());
            assertEquals(TaskState.EXIT_ZOMBIE, w.exitState(c));
            assertEquals(pid, w.waitid(ExitWorld.INIT, Wait.P_ALL, 0, Wait.WEXITED));
            assertArrayEquals(new int[] {pid, 0, 3, Wait.CLD_EXITED}, w.info());
            assertEquals(-Errno.ECHILD, w.waitid(ExitWorld.INIT, Wait.P_PID, pid, Wait.WEXITED));
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aKilledIdleTaskExitsAtOnceWithTheSignalAsStatus(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int c = w.spawn(ExitWorld.INIT, 0, CHLD);
            w.setInCall(c, true);
            w.kill(c);
            assertEquals(0, w.exitIdleTasks(), "a task inside a call exits there, not here");
            assertEquals(0, w.exitState(c));
            w.setInCall(c, false);
            assertEquals(1, w.exitIdleTasks());
            assertEquals(TaskState.EXIT_ZOMBIE, w.exitState(c));
            assertEquals(w.pid(c), w.waitid(ExitWorld.INIT, Wait.P_ALL, 0, Wait.WEXITED));
            assertArrayEquals(new int[] {w.pid(c), 0, Signals.SIGKILL, Wait.CLD_KILLED}, w.info());
            assertEquals(0, w.exitIdleTasks());
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void cloneChildrenNeedWcloneOrWall(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int c = w.spawn(ExitWorld.INIT, 0, Signals.SIGUSR1);
            w.doExit(c, 0);
            assertEquals(-Errno.ECHILD, w.wait4(ExitWorld.INIT, -1, Wait.WNOHANG));
            final int d = w.spawn(ExitWorld.INIT, 0, CHLD);
            w.doExit(d, 0);
            assertEquals(w.pid(c), w.wait4(ExitWorld.INIT, -1, Wait.__WCLONE));
            assertEquals(-Errno.ECHILD, w.wait4(ExitWorld.INIT, -1, Wait.__WCLONE | Wait.WNOHANG));
            assertEquals(w.pid(d), w.wait4(ExitWorld.INIT, -1, Wait.__WALL));
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aParentIgnoringSigchldGetsNoZombie(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            w.sigchld(p, Signals.SIG_IGN, 0);
            final int c = w.spawn(p, 0, CHLD);
            final int threads = w.nrThreads();
            w.doExit(c, 0);
            assertEquals(threads - 1, w.nrThreads(), "released at once");
            assertFalse(w.sigPending(p, CHLD), "SIG_IGN: no SIGCHLD is sent");
            assertEquals(-Errno.ECHILD, w.wait4(p, -1, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void saNocldwaitAutoreapsYetSendsSigchld(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            w.sigchld(p, 0x400000, Signals.SA_NOCLDWAIT); // a handler address
            final int c = w.spawn(p, 0, CHLD);
            final int threads = w.nrThreads();
            w.doExit(c, 0);
            assertEquals(threads - 1, w.nrThreads());
            assertTrue(w.sigPending(p, CHLD));
            assertEquals(-Errno.ECHILD, w.wait4(p, -1, Wait.WNOHANG));
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aThreadAutoreapsAndALeaderWaitsForItsThreads(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            final int t1 = w.spawn(p, THREAD, 0);
            final int t2 = w.spawn(p, THREAD, 0);
            final int threads = w.nrThreads();
            w.doExit(t1, 0);
            assertEquals(threads - 1, w.nrThreads(), "a thread is released by its own exit");
            w.doExit(p, WaitRules.exitCode(9));
            assertEquals(TaskState.EXIT_ZOMBIE, w.exitState(p));
            assertEquals(0, w.wait4(ExitWorld.INIT, w.pid(p), Wait.WNOHANG), "delay_group_leader");
            w.doExit(t2, 0);
            assertEquals(w.pid(p), w.wait4(ExitWorld.INIT, w.pid(p), Wait.WNOHANG));
            assertEquals(0x0900, w.stat());
            assertEquals(threads - 3, w.nrThreads());
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void orphansGoToALiveThreadThenASubreaperThenInit(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int s = w.spawn(ExitWorld.INIT, 0, CHLD);
            w.setChildSubreaper(s);
            final int m = w.spawn(s, 0, CHLD);
            final int t = w.spawn(m, THREAD, 0);
            final int c = w.spawn(m, 0, CHLD);
            final int z = w.spawn(m, 0, CHLD);
            w.doExit(z, WaitRules.exitCode(4));
            w.doExit(m, 0);
            assertEquals(w.pid(t), w.realParentPid(c), "the next live thread of the group");
            w.doExit(t, 0);
            assertEquals(w.pid(s), w.realParentPid(c), "the subreaper");
            assertEquals(w.pid(s), w.realParentPid(z));
            assertEquals(w.pid(z), w.wait4(s, w.pid(z), Wait.WNOHANG), "the zombie was handed over");
            assertEquals(0x0400, w.stat());
            assertEquals(w.pid(m), w.wait4(s, w.pid(m), 0));
            final int o = w.spawn(ExitWorld.INIT, 0, CHLD);
            final int oc = w.spawn(o, 0, CHLD);
            w.doExit(o, 0);
            assertEquals(1, w.realParentPid(oc), "no subreaper above: the namespace's init");
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void aDeadParentSendsThePdeathSignal(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int m = w.spawn(ExitWorld.INIT, 0, CHLD);
            final int c = w.spawn(m, 0, CHLD);
            w.setInCall(c, true);
            w.setPdeathSignal(c, Signals.SIGKILL);
            w.doExit(m, 0);
            assertTrue(w.sigPending(c, Signals.SIGKILL));
            w.setInCall(c, false);
            assertEquals(1, w.exitIdleTasks());
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void exitGroupKillsTheIdleThreadsWithTheGroupCode(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            final int t1 = w.spawn(p, THREAD, 0);
            final int t2 = w.spawn(p, THREAD, 0);
            w.exitGroup(t1, 5);
            assertTrue(w.sigPending(p, Signals.SIGKILL));
            assertTrue(w.sigPending(t2, Signals.SIGKILL));
            assertEquals(0, w.exitState(p), "the leader dies when it next leaves user space");
            assertEquals(2, w.exitIdleTasks());
            assertEquals(w.pid(p), w.wait4(ExitWorld.INIT, -1, 0));
            assertEquals(0x0500, w.stat(), "the group's code, whoever called exit_group");
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void exitGroupWakesAThreadBlockedInWait4(Variant v) throws Exception {
        try (ExitWorld w = v.boot.get()) {
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            final int t = w.spawn(p, THREAD, 0);
            final int c = w.spawn(p, 0, CHLD);
            w.setInCall(t, true);
            final CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
                final int r = w.wait4(t, -1, 0);
                w.fatalSignalExit(t); // the syscall layer, on the way out of the call
                return r;
            });
            Thread.sleep(50);
            assertFalse(waiter.isDone(), "wait4 sleeps while the child lives");
            w.exitGroup(p, 6);
            assertEquals(-Errno.ERESTARTSYS, waiter.get(10, TimeUnit.SECONDS));
            assertEquals(w.pid(p), w.wait4(ExitWorld.INIT, w.pid(p), 0));
            assertEquals(0x0600, w.stat());
            assertEquals(1, w.realParentPid(c));
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void wait4SleepsUntilTheChildExits(Variant v) throws Exception {
        try (ExitWorld w = v.boot.get()) {
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            final int c = w.spawn(p, 0, CHLD);
            w.setInCall(p, true);
            final CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> w.wait4(p, -1, 0));
            Thread.sleep(50);
            assertFalse(waiter.isDone());
            w.doExit(c, WaitRules.exitCode(1));
            assertEquals(w.pid(c), waiter.get(10, TimeUnit.SECONDS));
            assertEquals(0x0100, w.stat());
            w.setInCall(p, false);
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void theDeathOfANamespaceInitTakesTheNamespaceWithIt(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int threads = w.nrThreads();
            final int n = w.spawn(ExitWorld.INIT, CloneFlags.CLONE_NEWPID, CHLD);
            assertEquals(1, w.vpid(n, n));
            final int a = w.spawn(n, 0, CHLD);
            final int b = w.spawn(n, 0, CHLD);
            final int ga = w.spawn(a, 0, CHLD);
            assertEquals(4, w.vpid(n, ga));
            w.doExit(b, WaitRules.exitCode(2)); // a zombie the init had not reaped
            w.doExit(n, 0);
            assertEquals(threads + 1, w.nrThreads(), "only the namespace's init is left, a zombie");
            assertEquals(w.pid(n), w.wait4(ExitWorld.INIT, w.pid(n), 0));
            assertEquals(threads, w.nrThreads());
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void clearChildTidIsWrittenOnlyWhenOthersShareTheMm(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            final long tid = 0x10000;
            w.mapWord(p, tid, 77);
            final int t = w.spawn(p, THREAD, 0);
            w.setClearChildTid(t, tid);
            w.doExit(t, 0);
            assertEquals(0, w.readWord(p, tid), "written: the group still uses the mm");
            w.mapWord(p, tid, 78);
            final int t2 = w.spawn(p, THREAD, 0);
            w.setClearChildTid(t2, tid + 0x100000); // not mapped: the fault is ignored
            w.doExit(t2, 0);
            final int t3 = w.spawn(p, THREAD, 0);
            w.setClearChildTid(t3, tid);
            w.setGroupCoredump(t3);
            w.doExit(t3, 0);
            assertEquals(78, w.readWord(p, tid), "not written during a core dump");
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void exitCompletesTheVforkParentsWait(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            final int c = w.spawn(p, CloneFlags.CLONE_VM | CloneFlags.CLONE_VFORK, CHLD);
            assertTrue(w.vforkWaiting(c), "kernel_clone waits for the child");
            w.doExit(c, 0);
            assertEquals(w.pid(c), w.vforkReturned(c), "mm_release at exit completed the parent's wait");
            assertEquals(w.pid(c), w.wait4(p, -1, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void statusAndSiginfoGoToUserMemoryAndAFaultIsEfaultAfterTheReap(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final long buf = 0x20000;
            w.mapWord(ExitWorld.INIT, buf, -1);
            final int c = w.spawn(ExitWorld.INIT, 0, CHLD);
            w.doExit(c, WaitRules.exitCode(3));
            assertEquals(w.pid(c), w.sysWait4(ExitWorld.INIT, -1, buf, 0));
            assertEquals(0x0300, w.readWord(ExitWorld.INIT, buf));
            final int d = w.spawn(ExitWorld.INIT, 0, CHLD);
            w.doExit(d, WaitRules.exitCode(8));
            assertEquals(0, w.sysWaitid(ExitWorld.INIT, Wait.P_ALL, 0, buf, Wait.WEXITED));
            assertEquals(Signals.SIGCHLD, w.readWord(ExitWorld.INIT, buf));
            assertEquals(Wait.CLD_EXITED, w.readWord(ExitWorld.INIT, buf + 8));
            assertEquals(w.pid(d), w.readWord(ExitWorld.INIT, buf + 16));
            assertEquals(8, w.readWord(ExitWorld.INIT, buf + 24));
            final int e = w.spawn(ExitWorld.INIT, 0, CHLD);
            w.doExit(e, 0);
            assertEquals(-Errno.EFAULT, w.sysWait4(ExitWorld.INIT, -1, 0x7000_0000L, 0));
            assertEquals(-Errno.ECHILD, w.wait4(ExitWorld.INIT, -1, Wait.WNOHANG), "reaped all the same");
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void theGlobalInitAndTheIdleTaskCannotExit(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            // 5.12's panic, a defined outcome (the machine is dead), before any step of the exit
            final org.kfork.api.KernelPanicException p = assertThrows(org.kfork.api.KernelPanicException.class,
                () -> w.doExit(ExitWorld.INIT, 0));
            assertEquals("Attempted to kill init! exitcode=0x00000000", p.panic());
            assertThrows(IllegalStateException.class, () -> w.doExit(0, 0));
            assertEquals(0, w.exitState(ExitWorld.INIT));
        }
    }

    static ExecImage image(String name) {
        return new ExecImage(name, List.of(new ExecImage.Mapping(0x400000, 0x2000,
            Mman.PROT_READ | Mman.PROT_EXEC, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0)));
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void execReleasesTheVforkParentAndGivesAFreshMm(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            final int c = w.spawn(p, CloneFlags.CLONE_VM | CloneFlags.CLONE_VFORK, CHLD);
            assertTrue(w.vforkWaiting(c));
            assertEquals(2, w.mmUsers(p));
            assertEquals(0, w.execve(c, "/usr/bin/a-rather-long-program-name"));
            assertEquals(w.pid(c), w.vforkReturned(c), "exec_mm_release completed the parent's wait");
            assertEquals(1, w.mmUsers(p), "the parent's mm is its own again");
            assertEquals(1, w.mmUsers(c));
            assertEquals("a-rather-long-p", w.comm(c));
            w.doExit(c, WaitRules.exitCode(7));
            assertEquals(w.pid(c), w.wait4(p, -1, 0));
            assertEquals(0x0700, w.stat());
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void execByAThreadKillsTheOthersAndTakesTheLeadersPid(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            final int threads = w.nrThreads();
            final int p = w.spawn(ExitWorld.INIT, 0, CHLD);
            final int t1 = w.spawn(p, THREAD, 0);
            final int t2 = w.spawn(p, THREAD, 0);
            w.setInCall(t2, true);
            assertEquals(0, w.execve(t2, "sh"));
            w.setInCall(t2, false);
            assertEquals(threads + 1, w.nrThreads(), "the leader and the other thread are gone");
            assertEquals(w.pid(p), w.vpid(ExitWorld.INIT, t2), "the exec'ing thread has the leader's pid");
            assertEquals(1, w.realParentPid(t2));
            assertEquals(0, w.wait4(ExitWorld.INIT, w.pid(p), Wait.WNOHANG), "no zombie for the old leader");
            w.doExit(t2, WaitRules.exitCode(1));
            assertEquals(w.pid(p), w.wait4(ExitWorld.INIT, w.pid(p), 0));
            assertEquals(0x0100, w.stat());
            assertEquals(threads, w.nrThreads());
            assertEquals(-Errno.ECHILD, w.wait4(ExitWorld.INIT, w.pid(t1), Wait.WNOHANG));
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void thousandsOfCyclesLeaveNothingBehind(Variant v) {
        try (ExitWorld w = v.boot.get()) {
            w.rcuBarrier();
            final int threads = w.nrThreads();
            final long procs = w.nrProcesses();
            final long structs = w.taskStructs();
            for (int i = 0; i < 2000; i++) {
                final int c = w.spawn(ExitWorld.INIT, 0, CHLD);
                final int t = w.spawn(c, THREAD, 0);
                w.doExit(t, 0);
                w.doExit(c, WaitRules.exitCode(i));
                assertEquals(w.pid(c), w.wait4(ExitWorld.INIT, -1, 0));
                assertEquals(WaitRules.exitCode(i), w.stat());
            }
            w.rcuBarrier();
            assertEquals(threads, w.nrThreads());
            assertEquals(procs, w.nrProcesses());
            assertEquals(structs, w.taskStructs());
        }
    }
}
