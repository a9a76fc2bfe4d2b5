package org.kfork.heap;

import org.kfork.api.Kernel;
import org.kfork.arch.SignalRestart;
import org.kfork.exit.WaitOpts;
import org.kfork.heap.exit.HeapExit;
import org.kfork.heap.fork.HeapForkTask;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.proc.HeapProcArray;
import org.kfork.heap.signal.HeapSignalDelivery;
import org.kfork.sched.CallRcuToken;
import org.kfork.sched.CallsInFlight;
import org.kfork.sched.TaskState;
import org.kfork.sched.WaitResult;
import org.kfork.smp.CurrentCpu;
import org.kfork.uapi.Signals;

/**
 * The system-call layer of {@link HeapKernel}, the twin of org.kfork.kernel.SyscallLayer (arch/x86/entry/common.c's do_syscall_64 and
 * kernel/entry/common.c's exit_to_user_mode_loop, for a model that runs no user code).
 *
 * <p>{@link #enter} finds the caller in init_pid_ns under tasklist_lock (-ESRCH when there is
 * none or it has exited), takes a reference on it, binds the Java thread to the task's CPU and
 * enters RCU's system-call section; {@link #returnToUser} delivers the task's signals on its way
 * back to user space (a fatal one makes the group exit, and the call returns
 * {@link Kernel#KILLED}) and applies the restart rules; {@link #finish} leaves RCU, restores the
 * thread's CPU binding and drops the reference.
 *
 * <p>Invariants: every call that {@link #enter} let in runs {@link #finish} exactly once, in a
 * {@code finally}, so that an exception escaping the kernel (a bug, which the caller sees) leaves
 * no task reference, CPU binding, RCU section or in-flight count behind; a Java thread makes one
 * call at a time. The per-thread state lives in one {@link CallFrame} per Java thread, so a call
 * allocates nothing for the layer.
 */
final class HeapSyscallLayer {
    private final HeapGlobals g;
    private final ThreadLocal<CallFrame> frames = ThreadLocal.withInitial(CallFrame::new);
    private volatile boolean closed;
    /** Calls between enter and finish, so that close can wait for them to end. */
    private final CallsInFlight inflight = new CallsInFlight();

    /** What one Java thread keeps across the two halves of a call. */
    static final class CallFrame extends CallRcuToken.Frame {
        HeapTask task;
        int prevCpu;
        /** wait4's and waitid's struct wait_opts, reused by every wait of this thread. */
        final WaitOpts wo = new WaitOpts();
    }

    HeapSyscallLayer(HeapGlobals g) {
        this.g = g;
        g.callRcuToken = CallRcuToken.of(frames);
    }

    /** This thread's frame. */
    CallFrame frame() {
        return frames.get();
    }

    /**
     * The entry of a call made by {@code caller} (a pid of init_pid_ns): the task, referenced and
     * bound to its CPU inside RCU's system-call section, or null when there is no such live task
     * (null: nothing is then held, and the caller must not {@link #finish}).
     */
    HeapTask enter(int caller) {
        final CallFrame f = frames.get();
        if (f.depth != 0) {
            throw new IllegalStateException("a Java thread makes one call at a time (already inside a call for "
                + f.task.pid() + ")");
        }
        inflight.enter();
        if (closed) {
            inflight.exit();
            throw new IllegalStateException("the kernel is closed");
        }
        if (g.panic.panicked()) {
            inflight.exit();
            throw g.panic.refuse();
        }
        HeapTask t;
        g.tasklistLock.readLock().lock();
        try {
            t = HeapProcArray.findTask(g, caller);
            if (t == null || t.exitState != 0) {
                inflight.exit();
                return null;
            }
            HeapForkTask.getTaskStruct(t);
        } finally {
            g.tasklistLock.readLock().unlock();
        }
        // from here on finish undoes what was taken, whatever the step that throws
        f.task = t;
        f.depth = 1;
        f.prevCpu = CurrentCpu.boundCpu();
        f.token = WaitResult.NO_RCU;
        // A new task runs once wake_up_new_task has made it TASK_RUNNING: it is visible (its pid,
        // proc_fork_connector) a little earlier, while its parent finishes kernel_clone (vfork_done)
        while (t.state() == TaskState.TASK_NEW) {
            Thread.yield();
        }
        final int cpu = t.cpu;
        CurrentCpu.bind(cpu);
        f.token = g.rcu.rcuSyscallEnter(cpu);
        HeapExit.setInCall(t, true);
        return t;
    }

    /**
     * The way back to user space of a call by {@code t} that returned {@code r}: the task's
     * pending signals are delivered (get_signal), then the restart rules apply to {@code r}.
     *
     * @return {@code r}, -EINTR, {@link SignalRestart#RESTART} when the call must be made again,
     *         or {@link Kernel#KILLED} when a fatal signal ended the task
     */
    long returnToUser(HeapTask t, long r) {
        if (t.exitState != 0) {
            return r; // exit and exit_group never return: the task is gone already
        }
        final int got = HeapSignalDelivery.getSignal(g, t);
        final int fatal = got & SignalRestart.FATAL_MASK;
        if (fatal == Signals.SIGKILL) {
            HeapExit.fatalSignalExit(g, t);
            return Kernel.KILLED;
        }
        if (fatal != 0) {
            HeapExit.doGroupExit(g, t, fatal); // a fatal signal complete_signal did not turn into SIGKILL
            return Kernel.KILLED;
        }
        return SignalRestart.afterSignals(r, (got & SignalRestart.HANDLED) != 0,
            (got & SignalRestart.HANDLED_SA_RESTART) != 0);
    }

    /** The way back of a call that cannot restart: {@link #returnToUser} (then, in finally, {@link #finish}). */
    long leave(long r) {
        final long out = returnToUser(frames.get().task, r);
        if (out == SignalRestart.RESTART) {
            throw new IllegalStateException("a call that cannot restart returned " + r);
        }
        return out;
    }

    /**
     * One of the clone family's results, packed as a {@link WaitResult}: the frame takes the token
     * the call gives back (vfork sleeps), and the pid or -errno goes on to {@link #returnToUser}.
     */
    long cloned(long packed) {
        frames.get().token = WaitResult.token(packed);
        return WaitResult.ret(packed);
    }

    /**
     * The last step of every call that {@link #enter} let in, run in a finally: the in-call mark,
     * RCU, the thread's CPU binding and the task's reference; each is given back even when an
     * earlier one throws.
     */
    void finish() {
        final CallFrame f = frames.get();
        final HeapTask t = f.task;
        final int token = f.token;
        f.depth = 0;
        f.task = null;
        f.token = WaitResult.NO_RCU;
        try {
            HeapExit.leaveCall(g, t);
            if (token != WaitResult.NO_RCU) {
                g.rcu.rcuSyscallExit(token);
            }
        } finally {
            if (f.prevCpu < 0) {
                CurrentCpu.unbind();
            } else {
                CurrentCpu.bind(f.prevCpu);
            }
            try {
                HeapForkTask.putTaskStruct(g, t);
                // the tasks killed while outside any call exit now, as on their next return to user space
                HeapExit.exitIdleTasks(g);
            } finally {
                inflight.exit();
            }
        }
    }

    /** Refuses new calls from now on; false when it was done already. */
    boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    /** Waits (up to {@code timeoutNanos}) for the calls in flight to return. */
    void awaitNone(long timeoutNanos) {
        inflight.awaitNone(timeoutNanos);
    }
}
