package org.kfork.heap.cred;

import java.util.concurrent.atomic.AtomicInteger;

import org.kfork.heap.ds.HeapHList;
import org.kfork.heap.locking.HeapRefcount;

/**
 * The heap twin of {@code struct user_struct}: one per uid a cred points at, hashed by uid (the
 * object is its own {@code uidhash_node}), counting that user's processes.
 */
public final class HeapUserStruct extends HeapHList.Node {
    /** {@code refcount_t __count}. */
    public final HeapRefcount count = new HeapRefcount("user_struct.__count");
    /** {@code atomic_t processes}. */
    public final AtomicInteger processes = new AtomicInteger();
    /** {@code atomic_t sigpending}. */
    public final AtomicInteger sigpending = new AtomicInteger();
    /** {@code kuid_t uid}. */
    public int uid;
    /** {@code ratelimit.interval}. */
    public int ratelimitInterval;
    /** {@code ratelimit.burst}. */
    public int ratelimitBurst;
    /** {@code ratelimit.flags}. */
    public long ratelimitFlags;

    /** A zeroed user_struct. */
    public HeapUserStruct() {
    }
}
