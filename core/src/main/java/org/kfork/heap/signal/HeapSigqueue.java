package org.kfork.heap.signal;

import org.kfork.heap.cred.HeapUserStruct;
import org.kfork.heap.ds.HeapIntrusiveList;

/**
 * The heap twin of {@code struct sigqueue}: a queued signal's siginfo on a pending list (the
 * object is its own list node, so container_of is a cast), charged to a user's sigpending count.
 */
public final class HeapSigqueue extends HeapIntrusiveList {
    /** {@code int flags}: SIGQUEUE_PREALLOC or 0. */
    public int flags;
    /** {@code kernel_siginfo_t info}. */
    public final HeapKernelSiginfo info = new HeapKernelSiginfo();
    /** {@code struct user_struct *user}: the user the signal is charged to. */
    public HeapUserStruct user;
}
