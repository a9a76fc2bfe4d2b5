package org.kfork.proc;

/**
 * What {@code ps -eL -o pid,lwp,ppid,s,comm} prints (procps): one line per task (each thread of
 * a process on a line of its own), in the order of the kernel's task list, with the pids of the
 * viewer's namespace: PID is the thread group, LWP the task, PPID the parent's thread group (0
 * when the parent is outside the namespace), S the state letter.
 */
public final class Ps {
    private Ps() {
    }

    /** The text. */
    public static String format(PidNsView view) {
        final StringBuilder sb = new StringBuilder(64 * (view.entries().size() + 1));
        sb.append(String.format("%7s %7s %7s %s %s\n", "PID", "LWP", "PPID", "S", "COMMAND"));
        for (PidNsView.Entry e : view.entries()) {
            sb.append(String.format("%7d %7d %7d %c %s\n", e.tgid(), e.pid(), e.ppid(), e.task().state(),
                e.task().comm()));
        }
        return sb.toString();
    }
}
