package org.kfork.heap.cred;

import java.util.concurrent.atomic.AtomicInteger;
import org.kfork.heap.locking.HeapRefcount;

/**
 * The heap twin of {@code struct user_struct}, reduced to what kernel/signal.c uses: the
 * reference count and the count of signals queued on the user's behalf. (The credentials room
 * owns this class and its other fields: uid, processes, the uid hash node.)
 */
public class HeapUserStruct {
    /** {@code refcount_t __count}. */
    public final HeapRefcount count = new HeapRefcount(1);
    /** {@code atomic_t sigpending}: sigqueues charged to this user (RLIMIT_SIGPENDING). */
    public final AtomicInteger sigpending = new AtomicInteger();
}
