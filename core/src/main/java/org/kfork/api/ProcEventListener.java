package org.kfork.api;

/**
 * The process events connector (drivers/connector/cn_proc.c) as a Java callback: copy_process calls
 * proc_fork_connector once the child is in the tree, do_exit calls proc_exit_connector. Listeners
 * run on the thread that made the call, inside it, so they must be quick and must not call the
 * kernel back.
 */
public interface ProcEventListener {
    /** A task was created: {@code childTid} in the thread group {@code childTgid}, by {@code parentTid}. */
    default void fork(int parentTid, int parentTgid, int childTid, int childTgid) {
    }

    /** A task exited with {@code exitCode} (the kernel's encoding) and exit signal {@code exitSignal}. */
    default void exit(int tid, int tgid, int exitCode, int exitSignal) {
    }

    /** A task called execve. */
    default void exec(int tid, int tgid) {
    }
}
