package org.kfork.script;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kfork.uapi.CloneFlags;
import org.kfork.uapi.Signals;

/**
 * The executor on a recording test double of the kernel ({@link FakeKernel}): which thread makes
 * each call, the order of the transcript, vfork's early binding and late line, the errors that
 * end a run (a deadlocked vfork, a call that never returns, a kernel that throws), and pids given
 * across pid namespaces.
 */
class ScriptRunnerTest {
    private static final Duration SHORT = Duration.ofMillis(300);

    /** What a run gave. */
    record Run(RunResult result, List<String> lines, FakeKernel kernel) {
        String transcript() {
            return String.join("\n", lines);
        }
    }

    static Run run(String script, Duration timeout) {
        FakeKernel k = new FakeKernel(ScriptRunner.config(1L << 30, 2));
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        RunResult r = new ScriptRunner(k, lines::add, timeout).run(ScriptParser.parse("t", script));
        k.close();
        return new Run(r, lines, k);
    }

    static Run run(String script) {
        return run(script, ScriptRunner.DEFAULT_TIMEOUT);
    }

    @AfterEach
    void noDriverThreadOutlivesItsRun() throws InterruptedException {
        // Every run ends its task threads (a blocked vfork parent is released by its child's exit).
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (liveDrivers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, liveDrivers(), "task threads left running");
    }

    private static long liveDrivers() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("kfork-task-") && t.isAlive()).count();
    }

    @Test
    void forkAndReapOnTheTasksOwnThreads() {
        Run r = run("""
            $c = fork => >0
            as $c
            getpid => $c
            exit 3 => ?
            as 1
            wait4 $c => $c
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        assertEquals("""
            [1] fork() = 2
            [2] getpid() = 2
            [2] exit(3) = ?
            [1] wait4(2, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 2""", r.transcript());
        Map<Integer, List<String>> threads = r.kernel.threadsByTask();
        assertEquals(1, threads.get(1).size(), "init's calls come from one thread: " + threads);
        assertEquals(1, threads.get(2).size(), "the child's calls come from one thread: " + threads);
        assertNotEquals(threads.get(1), threads.get(2), "each task has a thread of its own");
        assertEquals(List.of("kfork-task-1"), threads.get(1));
    }

    @Test
    void vforkBindsWhenTheChildExistsAndPrintsWhenTheParentResumes() {
        Run r = run("""
            $c = vfork => >0
            as $c
            getppid => 1
            execve true => 0
            as 1
            getpid
            wait4 $c WNOHANG => 0
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        assertEquals("""
            [2] getppid() = 1
            [2] execve("true", ["true"], NULL) = 0
            [1] vfork() = 2
            [1] getpid() = 1
            [1] wait4(2, 0x13000, WNOHANG, NULL) = 0""", r.transcript());
        // The child's calls ran while init's thread was still inside vfork.
        assertEquals(List.of("1:clone", "2:getppid", "2:execve", "1:getpid", "1:wait4"), r.kernel.callNames());
    }

    @Test
    void vforkWhoseChildNeverExitsIsAScriptErrorNotAHang() {
        long start = System.nanoTime();
        Run r = run("""
            $c = vfork
            getpid
            """, SHORT);
        assertEquals(RunResult.Status.SCRIPT_ERROR, r.result.status());
        assertEquals(2, r.result.line());
        assertEquals(1, r.result.column());
        assertTrue(r.result.message().contains("[1] is still inside vfork (line 1)"), r.result.message());
        assertTrue(r.result.message().contains("child [2]"), r.result.message());
        assertEquals(2, r.result.exitCode());
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "took too long");
        // Cleanup made the child exit so that init's vfork returned: its line is never printed.
        assertEquals(List.of(), r.lines);
        assertTrue(r.kernel.callNames().contains("2:exit_group"), r.kernel.callNames().toString());
    }

    @Test
    void aScriptThatEndsWithAParentStillInVforkIsAScriptError() {
        Run r = run("""
            as 1
            $c = vfork
            as $c
            getpid
            """, SHORT);
        assertEquals(RunResult.Status.SCRIPT_ERROR, r.result.status());
        assertEquals(2, r.result.line());
        assertTrue(r.result.message().startsWith("the script ended while [1] is still inside vfork"),
            r.result.message());
        assertEquals(List.of("[2] getpid() = 2"), r.lines);
    }

    @Test
    void aVforkParentKilledInTheCallPrintsQuestionMarkAfterTheKill() {
        Run r = run("""
            $a = fork
            as $a
            $b = vfork
            as $b
            kill 1 0
            as 1
            kill $a SIGKILL => 0
            wait4 $a => $a
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        assertEquals("""
            [1] fork() = 2
            [3] kill(1, 0) = 0
            [1] kill(2, SIGKILL) = 0
            [2] vfork() = ?
            [1] wait4(2, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL) = 2""", r.transcript());
    }

    @Test
    void aCallThatNeverReturnsIsAScriptErrorNamingItsLine() {
        Run r = run("""
            $c = fork
            # the child never exits, so this wait never returns
            wait4 $c
            """, SHORT);
        assertEquals(RunResult.Status.SCRIPT_ERROR, r.result.status());
        assertEquals(3, r.result.line());
        assertTrue(r.result.message().startsWith("wait4 by [1] did not return within 300 ms"), r.result.message());
    }

    @Test
    void aFailedExpectationStopsTheRunWithExitCode1() {
        Run r = run("""
            getpid => 1
            fork => -EAGAIN
            getpid
            """);
        assertEquals(RunResult.Status.EXPECTATION_FAILED, r.result.status());
        assertEquals(1, r.result.exitCode());
        assertEquals(2, r.result.line());
        assertEquals("fork: expected -EAGAIN, got 2", r.result.message());
        assertEquals("t:2: fork: expected -EAGAIN, got 2", r.result.describe("t"));
        assertEquals(List.of("[1] getpid() = 1", "[1] fork() = 2"), r.lines);
    }

    @Test
    void everyExpectationForm() {
        Run ok = run("""
            $c = fork => >0
            getpid => 1
            kill 999 0 => -ESRCH
            as $c
            exit 0 => ?
            """);
        assertEquals(RunResult.Status.RAN, ok.result.status(), ok.result.message());
        for (String[] bad : new String[][] {
            {"getpid => >0\nkill 999 0 => >0", "kill: expected >0, got -1 ESRCH (No such process)"},
            {"exit 0 => 0", "exit: expected 0, got ?"},
            {"getpid => ?", "getpid: expected ?, got 1"},
            {"getpid => -EPERM", "getpid: expected -EPERM, got 1"},
        }) {
            Run r = run(bad[0]);
            assertEquals(RunResult.Status.EXPECTATION_FAILED, r.result.status(), bad[0]);
            assertEquals(bad[1], r.result.message());
        }
    }

    @Test
    void anExceptionFromTheKernelIsABugReportedWithItsLine() {
        FakeKernel k = new FakeKernel(ScriptRunner.config(1L << 30, 2));
        k.throwOn = "getppid";
        List<String> lines = new ArrayList<>();
        RunResult r = new ScriptRunner(k, lines::add, SHORT).run(ScriptParser.parse("t", "getpid\ngetppid\ngetpid\n"));
        assertEquals(RunResult.Status.KERNEL_FAILED, r.status());
        assertEquals(1, r.exitCode());
        assertEquals(2, r.line());
        assertTrue(r.message().contains("IllegalStateException: injected failure in getppid"), r.message());
        assertTrue(r.cause() instanceof IllegalStateException);
        assertEquals(List.of("[1] getpid() = 1"), lines);
    }

    @Test
    void clone3WritesTheStructAndTheSetTidArrayIntoTheScratchArea() {
        Run r = run("""
            $a = clone3 flags=CLONE_NEWPID exit_signal=SIGCHLD set_tid=1,42 => 42
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        assertEquals("[1] clone3({flags=CLONE_NEWPID, exit_signal=SIGCHLD, set_tid=[1, 42], set_tid_size=2}, 88) = 42",
            r.transcript());
        long[] f = r.kernel.lastCloneArgs;
        assertArrayEquals(new long[] {CloneFlags.CLONE_NEWPID, 0, 0, 0, Signals.SIGCHLD, 0, 0, 0, Scratch.SET_TID, 2, 0}, f);
    }

    @Test
    void clone3TailAndSizeGoThroughMemory() {
        Run r = run("""
            clone3 exit_signal=SIGCHLD size=96 tail=0000000000000001 => -E2BIG
            clone3 exit_signal=SIGCHLD size=96 => >0
            clone3 size=4097 => -E2BIG
            clone3 size=63 => -EINVAL
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        assertEquals("""
            [1] clone3({flags=0, exit_signal=SIGCHLD, /* bytes 88..95 */ "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01"}, 96) = -1 E2BIG (Argument list too long)
            [1] clone3({flags=0, exit_signal=SIGCHLD}, 96) = 2
            [1] clone3({flags=0, exit_signal=0}, 4097) = -1 E2BIG (Argument list too long)
            [1] clone3(0x10000, 63) = -1 EINVAL (Invalid argument)""", r.transcript());
    }

    @Test
    void aTaskVariableIsThePidInTheCallersNamespace() {
        Run r = run("""
            $a = clone3 flags=CLONE_NEWPID exit_signal=SIGCHLD set_tid=1,42 => 42
            as $a
            $b = fork => 2
            getpid => 1
            as 1
            cat /proc/$b/status
            kill $b SIGKILL => 0
            as $a
            wait4 $b => 2
            wait4 -1 WNOHANG => -ECHILD
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        List<String> l = r.lines;
        assertEquals("[42] fork() = 2", l.get(1));
        assertEquals("[42] getpid() = 1", l.get(2));
        // cat prints its call line with the file's size, then the file's lines from the first column.
        assertEquals("[1] cat(\"/proc/43/status\") = " + (l.subList(4, 10).stream().mapToInt(s -> s.length() + 1).sum()),
            l.get(3));
        assertEquals("Name:\tinit", l.get(4));
        assertEquals("NSpid:\t43\t2", l.get(8));
        assertEquals("[1] kill(43, SIGKILL) = 0", l.get(10));
        assertEquals("[42] wait4(2, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL) = 2", l.get(11));
        assertEquals("[42] wait4(-1, 0x13000, WNOHANG, NULL) = -1 ECHILD (No child processes)", l.get(12));
    }

    @Test
    void aTaskOutsideTheCallersNamespaceIsAScriptError() {
        Run r = run("""
            $a = clone3 flags=CLONE_NEWPID exit_signal=SIGCHLD
            $b = fork
            as $a
            kill $b 0
            """);
        assertEquals(RunResult.Status.SCRIPT_ERROR, r.result.status());
        assertEquals(4, r.result.line());
        assertEquals(6, r.result.column());
        assertEquals("$b ([3]) is in no pid namespace [2] can see; write a number to pass one", r.result.message());
    }

    @Test
    void unshareNewPidPutsTheNextChildIntoANewNamespace() {
        Run r = run("""
            unshare CLONE_NEWPID => 0
            $c = fork => 2
            getpid => 1
            as $c
            getpid => 1
            exit 0
            as 1
            wait4 $c => 2
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        assertEquals("[1] wait4(2, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 2", r.lines.get(r.lines.size() - 1));
    }

    @Test
    void asRejectsAVariableThatNamesNoTask() {
        Run r = run("""
            $x = kill 999 0
            as $x
            """);
        assertEquals(RunResult.Status.SCRIPT_ERROR, r.result.status());
        assertEquals(2, r.result.line());
        assertEquals(4, r.result.column());
        assertEquals("$x is -1 ESRCH (No such process), not a task (a pid is 1 to 4194304)", r.result.message());
    }

    @Test
    void anExitedTaskGetsEsrchFromTheKernel() {
        Run r = run("""
            $c = fork
            as $c
            exit 0
            getpid => -ESRCH
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        Map<Integer, List<String>> threads = r.kernel.threadsByTask();
        assertEquals(2, threads.get(2).size(), "a new thread drives the call after exit: " + threads);
    }

    @Test
    void scriptCommands() {
        Run r = run("""
            sysctl kernel.threads-max => 7890
            sysctl vm.overcommit_memory=2 => 0
            $m = sysctl vm.overcommit_memory => 2
            cred uid=1000 caps=CAP_SYS_ADMIN|CAP_SYS_RESOURCE => 0
            cred uid=0
            cat /proc/99/status => -ENOENT
            cat /proc/self/maps
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        assertEquals("""
            [1] sysctl("kernel.threads-max") = 7890
            [1] sysctl("vm.overcommit_memory", 2) = 0
            [1] sysctl("vm.overcommit_memory") = 2
            [1] cred(uid=1000, gid=1000, caps=CAP_SYS_ADMIN|CAP_SYS_RESOURCE) = 0
            [1] cred(uid=0, gid=0, caps=all) = 0
            [1] cat("/proc/99/status") = -1 ENOENT (No such file or directory)
            [1] cat("/proc/self/maps") = 40
            00010000-00014000 rw-p 00000000 00:00 0""", r.transcript());
        FakeKernel.Call cred = r.kernel.calls.get(0);
        assertEquals("cred", cred.name());
        assertArrayEquals(new long[] {1000, 1000, (1L << 21) | (1L << 24)}, cred.args());
    }

    @Test
    void everyCallOfTheTablePrintsOneLine() {
        Run r = run("""
            $a = mmap 0 8192 PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS -1 0 => >0
            mprotect $a 4096 PROT_READ
            madvise $a 4096 MADV_DONTFORK
            mlock $a 4096
            munlock $a 4096
            munmap $a+4096 4096
            sigaction SIGCHLD SIG_IGN SA_NOCLDWAIT SIGUSR1|SIGUSR2
            setrlimit RLIMIT_NPROC 1
            setrlimit RLIMIT_STACK 8388608 RLIM_INFINITY
            set_tid_address $scratch+0x3800
            gettid
            waitid P_ALL 0 WEXITED|WNOHANG => -ECHILD
            $t = clone CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID 0x7f0000100000 $scratch+0x3900 $scratch+0x3a00 0x7f0000200000
            unshare flags=CLONE_NEWNS
            as $t
            exit 5
            as 1
            $p = fork
            as $p
            exit_group 1
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        assertEquals("""
            [1] mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000100000
            [1] mprotect(0x7f0000100000, 4096, PROT_READ) = 0
            [1] madvise(0x7f0000100000, 4096, MADV_DONTFORK) = 0
            [1] mlock(0x7f0000100000, 4096) = 0
            [1] munlock(0x7f0000100000, 4096) = 0
            [1] munmap(0x7f0000101000, 4096) = 0
            [1] rt_sigaction(SIGCHLD, {sa_handler=SIG_IGN, sa_mask=[USR1 USR2], sa_flags=SA_NOCLDWAIT}, NULL, 8) = 0
            [1] prlimit64(0, RLIMIT_NPROC, {rlim_cur=1, rlim_max=1}, NULL) = 0
            [1] prlimit64(0, RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}, NULL) = 0
            [1] set_tid_address(0x13800) = 0
            [1] gettid() = 1
            [1] waitid(P_ALL, 0, 0x13080, WNOHANG|WEXITED, NULL) = -1 ECHILD (No child processes)
            [1] clone(child_stack=0x7f0000100000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|\
            CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[2], \
            tls=0x7f0000200000, child_tidptr=0x13a00) = 2
            [1] unshare(CLONE_NEWNS) = 0
            [2] exit(5) = ?
            [1] fork() = 3
            [3] exit_group(1) = ?""", r.transcript());
    }

    @Test
    void waitidDecodesTheSiginfo() {
        Run r = run("""
            $c = fork
            as $c
            exit 7
            as 1
            waitid P_PID $c WEXITED => 0
            """);
        assertEquals(RunResult.Status.RAN, r.result.status(), r.result.message());
        assertEquals("[1] waitid(P_PID, 2, {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, si_status=7, "
            + "si_utime=0, si_stime=0}, WEXITED, NULL) = 0", r.lines.get(2));
    }

    @Test
    void peekReadsAWordOfTheCallersMemory() {
        Run r = run("""
            clone3 exit_signal=SIGCHLD set_tid=7,4294967295 => >0
            peek 0x12000 => 7
            peek 0x12004 => 0xffffffff
            peek 0x1000 => -EFAULT
            peek 0x12000 => 8
            """);
        assertEquals(RunResult.Status.EXPECTATION_FAILED, r.result.status(), r.result.message());
        assertEquals(5, r.result.line());
        assertEquals(List.of("[1] peek(0x12000) = 7", "[1] peek(0x12004) = 4294967295",
            "[1] peek(0x1000) = -1 EFAULT (Bad address)", "[1] peek(0x12000) = 7"), r.lines.subList(1, 5));
        assertEquals(Set.of(1), r.kernel.threadsByTask().keySet(), "peek is read by the task's own thread");
    }

    @Test
    void catOfAStatusFieldGivesItsValue() {
        Run r = run("""
            $c = fork
            cat /proc/$c/status PPid => 1
            cat /proc/$c/status ShdPnd => 0
            cat /proc/$c/status Nothing => -ENOENT
            cat /proc/99/status PPid => -ENOENT
            cat /proc/$c/status Name => 0
            """);
        assertEquals(RunResult.Status.SCRIPT_ERROR, r.result.status(), r.result.message());
        assertTrue(r.result.message().contains("Name of /proc/2/status holds no number"), r.result.message());
        assertEquals(List.of("[1] cat(\"/proc/2/status\", \"PPid\") = 1", "PPid:\t1",
            "[1] cat(\"/proc/2/status\", \"ShdPnd\") = 0", "ShdPnd:\t0000000000000000",
            "[1] cat(\"/proc/2/status\", \"Nothing\") = -1 ENOENT (No such file or directory)",
            "[1] cat(\"/proc/99/status\", \"PPid\") = -1 ENOENT (No such file or directory)"), r.lines.subList(1, 7));
    }

    @Test
    void aRunnerRunsOneScript() {
        FakeKernel k = new FakeKernel(ScriptRunner.config(1L << 30, 2));
        ScriptRunner runner = new ScriptRunner(k, s -> { }, SHORT);
        assertEquals(RunResult.Status.RAN, runner.run(ScriptParser.parse("t", "getpid")).status());
        assertFalse(org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> runner.run(ScriptParser.parse("t", "getpid"))).getMessage().isEmpty());
        assertNull(RunResult.RAN.describe("t"));
    }
}
