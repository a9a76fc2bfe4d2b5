package org.kfork.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * printk for the mm model: every message is kept (tests read them) and alerts also go to
 * System.err, so that check_mm's "BUG: Bad rss-counter state" is never silent.
 */
public final class KernelLog {
    private final List<String> lines = new ArrayList<>();
    private volatile boolean echo = true;

    /** pr_alert: record and print to stderr. */
    public synchronized void alert(String msg) {
        lines.add(msg);
        if (echo) {
            System.err.println(msg);
        }
    }

    /** pr_info: recorded, not echoed (boot messages such as pid_idr_init's). */
    public synchronized void info(String msg) {
        lines.add(msg);
    }

    /** pr_warn / WARN_ON_ONCE. */
    public synchronized void warn(String msg) {
        alert("WARNING: " + msg);
    }

    /** Whether alerts are echoed to stderr (tests that provoke them may turn it off). */
    public void echo(boolean on) {
        this.echo = on;
    }

    /** A copy of every message so far. */
    public synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** Forget the messages. */
    public synchronized void clear() {
        lines.clear();
    }
}
