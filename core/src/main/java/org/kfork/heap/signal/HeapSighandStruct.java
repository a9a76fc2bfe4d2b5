package org.kfork.heap.signal;

import org.kfork.heap.locking.HeapRefcount;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.uapi.Signals;

/**
 * The heap twin of {@code struct sighand_struct}: the 64 signal actions that CLONE_SIGHAND
 * threads share, their lock and the count of tasks sharing them. The signalfd wait queue is left
 * out: the model has no signalfd.
 */
public final class HeapSighandStruct {
    /** {@code spinlock_t siglock}: set up once per object, as sighand_ctor does. */
    public final HeapSpinlock siglock = new HeapSpinlock();
    /** {@code refcount_t count}: the tasks sharing the handlers. */
    public final HeapRefcount count = new HeapRefcount("sighand_struct.count");
    /** {@code struct k_sigaction action[_NSIG]}: signal sig's action is {@code action[sig - 1]}. */
    public final HeapKSigaction[] action = new HeapKSigaction[Signals._NSIG];

    /** A sighand as the cache hands it out: lock initialized, the rest zero. */
    public HeapSighandStruct() {
        for (int i = 0; i < action.length; i++) {
            action[i] = new HeapKSigaction();
        }
    }
}
