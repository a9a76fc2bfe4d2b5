package org.kfork.mm;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;

/**
 * The system work queue (schedule_work) that mmput_async and mmdrop_async use: producers on any
 * thread offer to a JCTools MPSC queue; one worker thread drains it. {@link #flush()} is
 * flush_scheduled_work: it waits until everything queued before the call has run.
 */
public final class WorkQueue implements AutoCloseable {
    private final MpscUnboundedVarHandleArrayQueue<Runnable> queue = new MpscUnboundedVarHandleArrayQueue<>(64);
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final Thread worker;
    private volatile boolean stopped;
    private volatile Throwable failure;

    /** Starts the worker thread ({@code name}, a daemon). */
    public WorkQueue(String name) {
        worker = new Thread(this::run, name);
        worker.setDaemon(true);
        worker.start();
    }

    /** schedule_work: queue {@code work}; it runs on the worker thread. */
    public void schedule(Runnable work) {
        // Count before the offer: flush() may only return once done catches up with this count.
        queued.incrementAndGet();
        queue.offer(work);
        LockSupport.unpark(worker);
    }

    private void run() {
        while (!stopped) {
            Runnable w = queue.poll();
            if (w == null) {
                LockSupport.parkNanos(this, 1_000_000L);
                continue;
            }
            try {
                w.run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.incrementAndGet();
            }
        }
    }

    /** Waits until every work item queued before this call has run; rethrows a work item's failure. */
    public void flush() {
        long target = queued.get();
        while (done.get() < target) {
            LockSupport.unpark(worker);
            Thread.onSpinWait();
            Thread.yield();
        }
        Throwable t = failure;
        if (t != null) {
            failure = null;
            throw new IllegalStateException("work item failed", t);
        }
    }

    /** Work items run so far. */
    public long completed() {
        return done.get();
    }

    /** Flushes, then stops the worker. */
    @Override
    public void close() {
        flush();
        stopped = true;
        LockSupport.unpark(worker);
        try {
            worker.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
