package org.kfork.heap.pid;

/**
 * The heap twin of {@code struct upid}: one number of a pid and the namespace it is valid in.
 * Written by alloc_pid before the pid is published, read-only afterwards.
 */
public final class HeapUpid {
    /** {@code int nr}. */
    int nr;
    /** {@code struct pid_namespace *ns}. */
    HeapPidNamespace ns;

    HeapUpid() {
    }

    /** {@code upid->nr}. */
    public int nr() {
        return nr;
    }

    /** {@code upid->ns}. */
    public HeapPidNamespace ns() {
        return ns;
    }
}
