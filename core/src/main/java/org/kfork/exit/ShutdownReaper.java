package org.kfork.exit;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.kfork.uapi.Errno;

/**
 * Init's user space at shutdown, for both kernels' close: a thread that reaps pid 1's children as
 * they die, as init does all its life. It is needed because close makes the killed tasks exit on
 * its own thread, and a pid namespace's init that exits there waits in zap_pid_ns_processes until
 * every pid of its namespace is gone, those of tasks whose parent is outside the namespace
 * included: in 5.12 their parents reap them, and at the end of the chain of reparentings that
 * parent is pid 1 (unshare(CLONE_NEWPID) then fork by init, say). Without a reaping init, that
 * wait never ended (found by the stress differential, scenario seed 20).
 */
public final class ShutdownReaper {
    private ShutdownReaper() {
    }

    /**
     * Starts the reaper: {@code waitForChild} is kernel_wait4(init, -1, __WALL) without WNOHANG,
     * with init's TIF_SIGPENDING cleared first (zap_pid_ns_processes' loop); it is called until
     * init has no child left (-ECHILD), or gives an answer a wait without WNOHANG cannot give.
     */
    public static Thread start(String kernel, IntSupplier waitForChild) {
        final Thread t = new Thread(() -> {
            int rc;
            do {
                rc = waitForChild.getAsInt();
            } while (rc > 0 || rc == -Errno.ERESTARTSYS || rc == -Errno.EINTR);
        }, "kfork-" + kernel + "-init-reaper");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Waits up to {@code nanos} for the reaper to find init childless.
     *
     * @throws IllegalStateException when a child of init is still alive then
     */
    public static void join(Thread reaper, long nanos) {
        try {
            reaper.join(TimeUnit.NANOSECONDS.toMillis(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reaper.isAlive()) {
            throw new IllegalStateException("close: a child of init has not exited after "
                + TimeUnit.NANOSECONDS.toSeconds(nanos) + " s");
        }
    }
}
