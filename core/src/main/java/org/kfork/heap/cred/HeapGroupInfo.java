package org.kfork.heap.cred;

import java.util.concurrent.atomic.AtomicInteger;

/** The heap twin of {@code struct group_info}: a cred's supplementary groups (none, for init_groups). */
public final class HeapGroupInfo {
    /** {@code atomic_t usage}. */
    public final AtomicInteger usage = new AtomicInteger();
    /** {@code int ngroups}. */
    public int ngroups;

    /** An empty group_info. */
    public HeapGroupInfo() {
    }
}
