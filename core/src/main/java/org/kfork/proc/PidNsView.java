package org.kfork.proc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.kfork.api.TaskView;

/**
 * The tasks a pid namespace sees, with their numbers in it: what /proc shows to a reader in that
 * namespace (pid_nr_ns for each task, 0 for a parent outside it). ps and pstree print from one of
 * these, so that they need nothing but a kernel's {@link TaskView}s, live or from an image.
 */
public final class PidNsView {
    /** One visible task: its numbers in the viewer's namespace, and its view. */
    public record Entry(int pid, int tgid, int ppid, TaskView task) {
        /** Whether the task leads its thread group. */
        public boolean leader() {
            return pid == tgid;
        }
    }

    private final long nsInum;
    private final List<Entry> entries = new ArrayList<>();

    private PidNsView(long nsInum) {
        this.nsInum = nsInum;
    }

    /**
     * The tasks of {@code tasks} (a kernel's {@code tasks()}) seen from the pid namespace whose
     * inode number is {@code nsInum}, in the order of the list.
     */
    public static PidNsView of(List<TaskView> tasks, long nsInum) {
        final PidNsView v = new PidNsView(nsInum);
        final Map<Integer, TaskView> byPid = new HashMap<>();
        for (TaskView t : tasks) {
            byPid.put(t.pid(), t);
        }
        for (TaskView t : tasks) {
            final int pid = t.pidIn(nsInum);
            if (pid == 0) {
                continue;
            }
            final TaskView leader = byPid.get(t.tgid());
            final TaskView parent = t.ppid() == 0 ? null : byPid.get(t.ppid());
            v.entries.add(new Entry(pid, leader == null ? 0 : leader.pidIn(nsInum),
                parent == null ? 0 : parent.pidIn(nsInum), t));
        }
        return v;
    }

    /** The initial pid namespace's inode number, as the tasks name it (their level 0); -1 without tasks. */
    public static long initNs(List<TaskView> tasks) {
        return tasks.isEmpty() ? -1 : tasks.get(0).nsInums().get(0);
    }

    /** The inode number of the pid namespace task {@code pid} (initial namespace) is in; -1 if no such task. */
    public static long nsOf(List<TaskView> tasks, int pid) {
        for (TaskView t : tasks) {
            if (t.pid() == pid) {
                return t.nsInums().get(t.nsLevel());
            }
        }
        return -1;
    }

    /** The viewer's namespace. */
    public long nsInum() {
        return nsInum;
    }

    /** The visible tasks, in the kernel's order. */
    public List<Entry> entries() {
        return entries;
    }
}
