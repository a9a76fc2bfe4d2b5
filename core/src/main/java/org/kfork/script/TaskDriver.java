package org.kfork.script;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.kfork.api.Kernel;

/**
 * The Java thread that acts for one task: it takes the task's lines one at a time and makes
 * their calls, so that a task's calls always come from the same thread, and a task blocked in a
 * call (vfork) blocks only its own thread. The thread is a daemon, so a call that never returns
 * cannot keep the JVM alive.
 */
final class TaskDriver {
    /** The job the current thread is running, for the process-events listener. */
    private static final ThreadLocal<Job> RUNNING = new ThreadLocal<>();
    private static final Job STOP = new Job(null, 0, 0, false, true, (k, c) -> null);

    private final int pid;
    private final Kernel kernel;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile Job current;
    private volatile boolean stopped;

    TaskDriver(int pid, Kernel kernel, String name) {
        this.pid = pid;
        this.kernel = kernel;
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** The job running on the calling thread, or null when it is no driver's. */
    static Job running() {
        return RUNNING.get();
    }

    int pid() {
        return pid;
    }

    /** Hands a job to the thread. */
    void submit(Job job) {
        if (stopped) {
            throw new IllegalStateException("driver of " + pid + " is stopped");
        }
        current = job;
        queue.add(job);
    }

    /** The last job submitted, done or not. */
    Job current() {
        return current;
    }

    /** Whether a submitted job has not finished. */
    boolean busy() {
        Job j = current;
        return j != null && !j.done.isDone();
    }

    boolean stopped() {
        return stopped;
    }

    /** Ends the thread once its job, if any, is done. */
    void stop() {
        if (!stopped) {
            stopped = true;
            queue.add(STOP);
        }
    }

    /** Waits for the thread to end. */
    boolean join(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    private void loop() {
        try {
            for (;;) {
                Job job = queue.poll(1, TimeUnit.HOURS);
                if (job == STOP) {
                    return;
                }
                if (job != null) {
                    run(job);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(Job job) {
        RUNNING.set(job);
        try {
            job.done.complete(job.action.run(kernel, job.caller));
        } catch (ScriptError e) {
            job.done.complete(new Job.Outcome(0, null, false, e, null));
        } catch (Throwable t) {
            // An exception out of the kernel is a bug, never a result: the runner reports it.
            job.done.complete(new Job.Outcome(0, null, false, null, t));
        } finally {
            RUNNING.remove();
        }
    }
}
