package org.kfork.heap.sched;

import org.kfork.heap.locking.HeapSpinlock;

/**
 * The heap twin of {@code struct completion} (include/linux/completion.h): the count of
 * completions not yet consumed and the lock of its wait queue. The sleepers themselves wait on the
 * kernel-wide monitor of {@link HeapWait}, so the queue has no list (see HeapWait).
 */
public final class HeapCompletion {
    /** {@code unsigned int done}: written under {@link #waitLock}, read racily by the sleepers' check. */
    volatile int done;
    /** {@code wait.lock}: the raw spinlock of the completion's swait queue. */
    public final HeapSpinlock waitLock = new HeapSpinlock();

    /** DECLARE_COMPLETION / init_completion: nothing completed yet. */
    public HeapCompletion() {
    }

    /** {@code x->done}. */
    public int done() {
        return done;
    }
}
