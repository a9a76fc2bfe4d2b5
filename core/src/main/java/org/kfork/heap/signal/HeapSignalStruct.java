package org.kfork.heap.signal;

import org.kfork.sched.Limits;

/**
 * The heap twin of {@code struct signal_struct}, reduced to what the fs room reads: the rlimits
 * (RLIMIT_NOFILE for alloc_fd). The rlimit array is two arrays: {@code rlim[i].rlim_cur} is
 * {@code rlimCur[i]}. The signal room's twin of the whole struct, with these two fields under the
 * same names, takes this one's place.
 */
public final class HeapSignalStruct {
    /** {@code rlim[i].rlim_cur}. */
    public final long[] rlimCur = new long[Limits.RLIM_NLIMITS];
    /** {@code rlim[i].rlim_max}. */
    public final long[] rlimMax = new long[Limits.RLIM_NLIMITS];
}
