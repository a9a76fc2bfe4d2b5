package org.kfork.heap.signal;

import org.kfork.heap.ds.HeapHList;

/**
 * The heap twin of {@code struct multiprocess_signals}: what copy_process keeps on its stack to
 * collect the group-wide signals sent during a fork (the object is its own hlist node on
 * signal_struct.multiprocess).
 */
public final class HeapMultiprocessSignals extends HeapHList.Node {
    /** {@code sigset_t signal}: the signals sent to the group while the fork ran. */
    public long signal;
}
