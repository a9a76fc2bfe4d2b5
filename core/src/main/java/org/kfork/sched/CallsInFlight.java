package org.kfork.sched;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The system calls a kernel is running, counted by its call layer, so that shutting it down can
 * wait for them to return (kernel_power_off runs with no task inside the kernel).
 */
public final class CallsInFlight {
    private final AtomicInteger count = new AtomicInteger();

    /** A call begins. */
    public void enter() {
        count.incrementAndGet();
    }

    /** A call ends (or was refused before it began). */
    public void exit() {
        count.decrementAndGet();
    }

    /** The calls running now. */
    public int count() {
        return count.get();
    }

    /**
     * Waits until no call runs.
     *
     * @throws IllegalStateException when calls still run after {@code timeoutNanos}, or on an interrupt
     */
    public void awaitNone(long timeoutNanos) {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (count.get() != 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("close: " + count.get() + " call(s) still running after "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("close: interrupted while calls are running", e);
            }
        }
    }
}
