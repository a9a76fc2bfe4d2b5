package org.kfork.heap.events;

import java.util.Arrays;

import org.kfork.api.ProcEventListener;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;

/** The heap twin of {@code org.kfork.kernel.events.ProcConnector} (drivers/connector/cn_proc.c). */
public final class HeapProcConnector {
    private HeapProcConnector() {
    }

    /** proc_fork_connector. */
    public static void procForkConnector(HeapGlobals g, HeapTask task) {
        final HeapTask parent = task.realParent;
        for (ProcEventListener l : g.procEventListeners) {
            l.fork(parent.pid, parent.tgid, task.pid, task.tgid);
        }
    }

    /** proc_exit_connector. */
    public static void procExitConnector(HeapGlobals g, HeapTask task) {
        for (ProcEventListener l : g.procEventListeners) {
            l.exit(task.pid, task.tgid, task.exitCode, task.exitSignal);
        }
    }

    /** proc_exec_connector. */
    public static void procExecConnector(HeapGlobals g, HeapTask task) {
        for (ProcEventListener l : g.procEventListeners) {
            l.exec(task.pid, task.tgid);
        }
    }

    /** Adds a listener (copy-on-write). */
    public static synchronized void addListener(HeapGlobals g, ProcEventListener l) {
        final ProcEventListener[] ls = Arrays.copyOf(g.procEventListeners, g.procEventListeners.length + 1);
        ls[ls.length - 1] = l;
        g.procEventListeners = ls;
    }
}
