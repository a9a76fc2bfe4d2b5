package org.kfork.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kfork.api.Kernel;
import org.kfork.api.Kernels;
import org.kfork.api.ProcEventListener;
import org.kfork.script.Scratch;
import org.kfork.script.ScriptImages;
import org.kfork.script.ScriptRunner;
import org.kfork.smp.CurrentCpu;

/**
 * The system-call layer on both kernels when an exception escapes the kernel: the exception
 * reaches the caller (a bug stays visible), and what enter took (the task's reference, the CPU
 * binding, the RCU system-call section, the in-flight count) is given back, so that the next
 * calls of the same thread and task work and the kernel's close finds no leak.
 */
class SyscallLayerTest {
    private static final long RAM = 64L << 20;

    /** The injected bug. */
    private static final class Injected extends RuntimeException {
        Injected() {
            super("injected by SyscallLayerTest");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"offheap", "heap"})
    void anExceptionEscapingACallLeavesNothingBehind(String impl) {
        try (Kernel k = Kernels.boot(impl, ScriptRunner.config(RAM, 2))) {
            final int child = (int) k.fork(1);
            // proc_exec_connector is execve's last step, after every lock was given back: a
            // listener that throws there is an exception escaping the kernel from inside a call
            final AtomicInteger throwsLeft = new AtomicInteger(2);
            k.addProcEventListener(new ProcEventListener() {
                @Override
                public void exec(int tid, int tgid) {
                    if (throwsLeft.getAndDecrement() > 0) {
                        throw new Injected();
                    }
                }
            });
            final int cpuBefore = CurrentCpu.boundCpu();
            assertThrows(Injected.class, () -> k.execve(child, ScriptImages.init()));
            assertEquals(cpuBefore, CurrentCpu.boundCpu(), "the thread's CPU binding is restored");
            // the same thread makes the next call (a frame left inside a call would refuse it)
            assertEquals(child, k.getpid(child));
            assertThrows(Injected.class, () -> k.execve(child, ScriptImages.init()));
            assertEquals(0, k.execve(child, ScriptImages.init()), "the listener no longer throws");
            // a syscall section left open would hold every grace period back
            assertTimeoutPreemptively(Duration.ofSeconds(20), k::rcuBarrier);
            final int grandchild = (int) k.fork(child);
            assertEquals(0, k.exit(grandchild, 0));
            assertEquals(grandchild, k.wait4(child, grandchild, Scratch.WSTATUS, 0, 0));
            assertEquals(0, k.exit(child, 0));
            assertEquals(child, k.wait4(1, child, Scratch.WSTATUS, 0, 0));
        } // close: a task reference left behind would keep the child's task_struct, and fail here
    }
}
