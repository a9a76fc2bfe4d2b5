package org.kfork.tests.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
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
import org.kfork.uapi.Wait;

/**
 * The lifetime of tasks through the Kernel API, on both kernels: fork, exit and wait leave every
 * object count where it was; vfork blocks its caller until the child exits; a killed task's call
 * returns KILLED; clone3 reads its arguments from user memory; /proc/PID/status of a thread and
 * of a process in a new pid namespace.
 */
class KernelLifecycleTest {
    private static Kernel boot(String impl) {
        return Kernels.boot(impl, ScriptRunner.config(64L << 20, 2));
    }

    /** wait4's status word, read back from init's scratch area. */
    private static int status(Kernel k, int caller) {
        byte[] b = new byte[4];
        assertEquals(0, k.readUser(caller, Scratch.WSTATUS, b, 0, 4));
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /**
     * Waits, for up to 5 s, until task {@code pid} sleeps inside a call as /proc shows it: S
     * (TASK_INTERRUPTIBLE, wait4) or D (TASK_KILLABLE, vfork).
     */
    private static void awaitState(Kernel k, int pid, String state) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!field(k.procStatus(pid), "State").startsWith(state)) {
            assertTrue(System.nanoTime() < deadline,
                "task " + pid + " never went to " + state + ": " + field(k.procStatus(pid), "State"));
            Thread.sleep(1);
        }
    }

    private static String field(String status, String name) {
        for (String l : status.split("\n")) {
            if (l.startsWith(name + ":")) {
                return l.substring(name.length() + 1).strip();
            }
        }
        throw new AssertionError(name + " not in\n" + status);
    }

    /** Thousands of processes and threads made, exited and reaped: every count back where it was. */
    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void thousandsOfCyclesLeaveEveryCountAtItsBaseline(String impl) {
        final long thread = CloneFlags.CLONE_VM | CloneFlags.CLONE_FS | CloneFlags.CLONE_FILES
            | CloneFlags.CLONE_SIGHAND | CloneFlags.CLONE_THREAD | CloneFlags.CLONE_SYSVSEM;
        try (Kernel k = boot(impl)) {
            long c = k.fork(1);
            assertEquals(0, k.exit((int) c, 0));
            assertEquals(c, k.wait4(1, (int) c, Scratch.WSTATUS, 0, 0));
            k.rcuBarrier();
            Map<String, Long> base = k.objectCounts();
            for (int i = 0; i < 2000; i++) {
                c = k.fork(1);
                assertTrue(c > 1, "fork #" + i + ": " + c);
                long t = k.clone((int) c, thread, 0, 0, 0, 0);
                assertTrue(t > 1, "thread #" + i + ": " + t);
                assertEquals(0, k.exit((int) t, 0), "a thread autoreaps");
                assertEquals(0, k.exit((int) c, i & 0xff));
                assertEquals(c, k.wait4(1, (int) c, Scratch.WSTATUS, 0, 0));
            }
            k.rcuBarrier();
            assertEquals(base, k.objectCounts());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void forkExitWaitCyclesLeaveEveryCountAtItsBaseline(String impl) {
        try (Kernel k = boot(impl)) {
            assertEquals("init", field(k.procStatus(1), "Name"));
            // a first cycle touches init's status word (its page is then resident for good)
            long c = k.fork(1);
            assertEquals(0, k.exit((int) c, 0));
            assertEquals(c, k.wait4(1, (int) c, Scratch.WSTATUS, 0, 0));
            Map<String, Long> base = k.objectCounts();
            for (int i = 0; i < 5; i++) {
                c = k.fork(1);
                assertTrue(c > 1, "fork " + c);
                assertEquals(1, k.getppid((int) c));
                assertEquals(0, k.exit((int) c, 7));
                assertEquals("Z", field(k.procStatus((int) c), "State").substring(0, 1));
                assertEquals(c, k.wait4(1, (int) c, Scratch.WSTATUS, 0, 0));
                assertEquals(7 << 8, status(k, 1), "WIFEXITED, WEXITSTATUS 7");
                assertNull(k.procStatus((int) c), "reaped");
                assertEquals(-Errno.ESRCH, k.getpid((int) c), "an exited caller");
                assertEquals(-Errno.ECHILD, k.wait4(1, -1, 0, Wait.WNOHANG, 0));
            }
            assertEquals(base, k.objectCounts());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void vforkBlocksItsCallerUntilTheChildExits(String impl) throws Exception {
        try (Kernel k = boot(impl)) {
            CompletableFuture<Long> parent = CompletableFuture.supplyAsync(() -> k.vfork(1));
            int child = 0;
            for (int i = 0; i < 5000 && child == 0; i++) {
                child = k.tasks().stream().filter(t -> t.pid() != 1).mapToInt(t -> t.pid()).findFirst().orElse(0);
                Thread.sleep(1);
            }
            assertTrue(child > 1, "the vfork child exists");
            awaitState(k, 1, "D (disk sleep)"); // wait_for_vfork_done: killable, uninterruptible
            assertFalse(parent.isDone(), "the parent waits for its child");
            assertEquals(1, k.getppid(child));
            assertEquals(0, k.exit(child, 3));
            assertEquals(child, parent.get(5, TimeUnit.SECONDS));
            assertEquals(child, k.wait4(1, child, Scratch.WSTATUS, 0, 0));
            assertEquals(3 << 8, status(k, 1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void aKilledTaskExitsAndItsCallReturnsKilled(String impl) throws Exception {
        try (Kernel k = boot(impl)) {
            // outside any call: it exits at once
            long idle = k.fork(1);
            assertEquals(0, k.kill(1, (int) idle, Signals.SIGKILL));
            assertEquals("Z", field(k.procStatus((int) idle), "State").substring(0, 1));
            assertEquals(idle, k.wait4(1, (int) idle, Scratch.WSTATUS, 0, 0));
            assertEquals(Signals.SIGKILL, status(k, 1), "WIFSIGNALED, WTERMSIG SIGKILL");
            // asleep in wait4 for a child of its own: the call ends with KILLED
            long p = k.fork(1);
            long c = k.fork((int) p);
            assertEquals("R", field(k.procStatus((int) p), "State").substring(0, 1), "between calls p runs");
            CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> k.wait4((int) p, (int) c, 0, 0, 0));
            // The kill must find p asleep inside wait4 (on a loaded host the thread may start late:
            // killed before its call, p would exit at once and the call would get -ESRCH).
            awaitState(k, (int) p, "S (sleeping)");
            assertFalse(waiting.isDone());
            assertEquals(0, k.kill(1, (int) p, Signals.SIGKILL));
            assertEquals(Kernel.KILLED, waiting.get(5, TimeUnit.SECONDS));
            assertEquals(p, k.wait4(1, (int) p, Scratch.WSTATUS, 0, 0));
            assertEquals(1, k.getppid((int) c), "the orphan went to init");
            assertEquals(0, k.exit((int) c, 0));
            assertEquals(c, k.wait4(1, (int) c, 0, 0, 0));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void clone3ReadsItsArgumentsFromUserMemory(String impl) {
        try (Kernel k = boot(impl)) {
            ByteBuffer a = ByteBuffer.allocate(UapiCloneArgs.SIZEOF).order(ByteOrder.LITTLE_ENDIAN);
            a.putLong(UapiCloneArgs.FLAGS, CloneFlags.CLONE_NEWPID);
            a.putLong(UapiCloneArgs.EXIT_SIGNAL, Signals.SIGCHLD);
            assertEquals(0, k.writeUser(1, Scratch.CLONE_ARGS, a.array(), 0, a.capacity()));
            long c = k.clone3(1, Scratch.CLONE_ARGS, UapiCloneArgs.SIZEOF);
            assertTrue(c > 1, "clone3 " + c);
            assertEquals(1, k.getpid((int) c), "init of its own pid namespace");
            assertEquals(0, k.getppid((int) c), "its parent is outside the namespace");
            String s = k.procStatus((int) c);
            assertEquals(c + "\t1", field(s, "NSpid"));
            assertEquals(c + "\t1", field(s, "NStgid"));
            assertEquals(-Errno.EFAULT, k.clone3(1, 0x7000_0000L, UapiCloneArgs.SIZEOF), "unmapped arguments");
            assertEquals(-Errno.EINVAL, k.clone3(1, Scratch.CLONE_ARGS, 63), "below CLONE_ARGS_SIZE_VER0");
            assertEquals(0, k.exit((int) c, 0));
            assertEquals(c, k.wait4(1, (int) c, 0, 0, 0));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void theStatusOfAThread(String impl) {
        try (Kernel k = boot(impl)) {
            long p = k.fork(1);
            long flags = CloneFlags.CLONE_VM | CloneFlags.CLONE_FS | CloneFlags.CLONE_FILES | CloneFlags.CLONE_SIGHAND
                | CloneFlags.CLONE_THREAD;
            long t = k.clone((int) p, flags, 0x7f00_0000_0000L, 0, 0, 0);
            assertTrue(t > p, "clone " + t);
            assertEquals(p, k.getpid((int) t));
            assertEquals(t, k.gettid((int) t));
            String s = k.procStatus((int) t);
            assertEquals(String.valueOf(p), field(s, "Tgid"));
            assertEquals(String.valueOf(t), field(s, "Pid"));
            assertEquals("2", field(s, "Threads"));
            assertEquals("2", field(k.procStatus((int) p), "Threads"));
            assertEquals(2, k.tasks().stream().filter(v -> v.tgid() == p).count());
            assertEquals(0, k.exitGroup((int) t, 5));
            assertEquals(p, k.wait4(1, (int) p, Scratch.WSTATUS, 0, 0));
            assertEquals(5 << 8, status(k, 1));
        }
    }

    @Test
    void bothKernelsPrintTheSameStatusAndMaps() {
        try (Kernel off = boot("offheap"); Kernel heap = boot("heap")) {
            for (Kernel k : new Kernel[] {off, heap}) {
                long c = k.fork(1);
                assertEquals(0x20000, k.mmap((int) c, 0x20000, 0x3000, 3, 0x32, -1, 0));
                assertEquals(0, k.sigaction((int) c, Signals.SIGUSR1, 0x401000, 0, 0));
                assertEquals(0, k.sigaction((int) c, Signals.SIGUSR2, Signals.SIG_IGN, 0, 0));
            }
            assertEquals(off.procStatus(2), heap.procStatus(2));
            assertEquals(off.procMaps(2), heap.procMaps(2));
            assertEquals(off.procStatus(1), heap.procStatus(1));
            assertEquals(off.tasks(), heap.tasks());
            String s = off.procStatus(2);
            assertEquals("0000000000000800", field(s, "SigIgn"));
            assertEquals("0000000000000200", field(s, "SigCgt"));
        }
    }
}
