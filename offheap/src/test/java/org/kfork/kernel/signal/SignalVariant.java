package org.kfork.kernel.signal;

/** The two kernels the signal room's suites run on. */
enum SignalVariant {
    /** The heap twin (core, org.kfork.heap.signal and friends). */
    HEAP {
        @Override
        SignalWorld create() {
            return new HeapSignalWorld();
        }
    },
    /** The off-heap port on its own machine, with checked mode and the leak check. */
    OFFHEAP {
        @Override
        SignalWorld create() {
            return new OffHeapSignalWorld();
        }
    };

    abstract SignalWorld create();
}
