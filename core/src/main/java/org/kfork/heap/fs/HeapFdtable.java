package org.kfork.heap.fs;

import org.kfork.heap.rcu.HeapCallbackHead;

/**
 * The heap twin of {@code struct fdtable}: its arrays are Java arrays, which for the table
 * embedded in a files_struct are that struct's own ({@code fd_array}, {@code *_init}). It extends
 * {@link HeapCallbackHead}: that is its {@code rcu} head, on which expand_fdtable queues
 * free_fdtable_rcu.
 */
public final class HeapFdtable extends HeapCallbackHead {
    /** max_fds. */
    public final int maxFds;
    /** fd: the open files, by descriptor. */
    public final HeapFile[] fd;
    /** close_on_exec. */
    public final long[] closeOnExec;
    /** open_fds. */
    public final long[] openFds;
    /** full_fds_bits. */
    public final long[] fullFdsBits;

    HeapFdtable(int maxFds, HeapFile[] fd, long[] closeOnExec, long[] openFds, long[] fullFdsBits) {
        this.maxFds = maxFds;
        this.fd = fd;
        this.closeOnExec = closeOnExec;
        this.openFds = openFds;
        this.fullFdsBits = fullFdsBits;
    }
}
