package org.kfork.kernel.events;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;

import java.util.Arrays;

import org.kfork.api.ProcEventListener;
import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.TaskStruct;

/**
 * drivers/connector/cn_proc.c (5.12) as Java callbacks: the process events the kernel reports
 * to its listeners ({@link Globals#procEventListeners}), on the thread of the call that caused
 * them. With no listener a report costs one volatile read and allocates nothing.
 */
public final class ProcConnector {
    private ProcConnector() {
    }

    /** proc_fork_connector: {@code task} was made by its real parent's thread group. */
    public static void procForkConnector(Globals g, long task) {
        final ProcEventListener[] ls = g.procEventListeners;
        if (ls.length == 0) {
            return;
        }
        final long parent = getLong(task + TaskStruct.REAL_PARENT);
        final int ppid = getInt(parent + TaskStruct.PID);
        final int ptgid = getInt(parent + TaskStruct.TGID);
        final int pid = getInt(task + TaskStruct.PID);
        final int tgid = getInt(task + TaskStruct.TGID);
        for (ProcEventListener l : ls) {
            l.fork(ppid, ptgid, pid, tgid);
        }
    }

    /** proc_exit_connector: {@code task} exited with its exit_code and exit_signal. */
    public static void procExitConnector(Globals g, long task) {
        final ProcEventListener[] ls = g.procEventListeners;
        for (ProcEventListener l : ls) {
            l.exit(getInt(task + TaskStruct.PID), getInt(task + TaskStruct.TGID), getInt(task + TaskStruct.EXIT_CODE),
                getInt(task + TaskStruct.EXIT_SIGNAL));
        }
    }

    /** proc_exec_connector: {@code task} called execve. */
    public static void procExecConnector(Globals g, long task) {
        final ProcEventListener[] ls = g.procEventListeners;
        for (ProcEventListener l : ls) {
            l.exec(getInt(task + TaskStruct.PID), getInt(task + TaskStruct.TGID));
        }
    }

    /** Adds a listener (copy-on-write: reporters read the array without a lock). */
    public static synchronized void addListener(Globals g, ProcEventListener l) {
        final ProcEventListener[] old = g.procEventListeners;
        final ProcEventListener[] ls = Arrays.copyOf(old, old.length + 1);
        ls[old.length] = l;
        g.procEventListeners = ls;
    }
}
