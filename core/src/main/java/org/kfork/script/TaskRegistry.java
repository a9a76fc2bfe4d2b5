package org.kfork.script;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.kfork.api.ProcEventListener;
import org.kfork.uapi.CloneFlags;

/**
 * What the runner knows of the tasks of a script, from the kernel's process events
 * ({@link ProcEventListener}, called inside the calls): which exist, which have exited or exec'd,
 * and which pid namespace each is in, so that a task variable can be given to wait4 or kill as its
 * pid in the caller's namespace.
 *
 * <p>Namespaces follow 5.12's rules, from what the runner sees: a child goes into its creator's
 * pid_ns_for_children, or into a new namespace below it with CLONE_NEWPID; unshare(CLONE_NEWPID)
 * makes a new pid_ns_for_children below the caller's own namespace. A task's number at each level
 * comes from the fork's result (its pid in the creator's namespace), the kernel's TaskView (its
 * own level) or the NSpid line of its /proc status; level 0 is its pid.
 *
 * <p>Events arrive on the tasks' threads; the maps and fields are safe to read from the runner's.
 */
final class TaskRegistry implements ProcEventListener {
    /** A pid namespace as the runner tracks it: only its place in the tree. */
    static final class Ns {
        final Ns parent;
        final int level;

        Ns(Ns parent) {
            this.parent = parent;
            this.level = parent == null ? 0 : parent.level + 1;
        }

        /** Whether this namespace is {@code ancestor} or below it. */
        boolean within(Ns ancestor) {
            for (Ns n = this; n != null; n = n.parent) {
                if (n == ancestor) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A task: its pid in the initial namespace, namespaces and numbers, and whether it is gone. */
    static final class Task {
        final int pid;
        final Ns ns;
        volatile Ns childNs;
        /** Its number at a level, where known. */
        final Map<Integer, Integer> nr = new ConcurrentHashMap<>();
        volatile boolean exited;
        volatile boolean execed;

        Task(int pid, Ns ns) {
            this.pid = pid;
            this.ns = ns;
            this.childNs = ns;
            nr.put(0, pid);
        }
    }

    /** The initial pid namespace. */
    final Ns root = new Ns(null);
    private final Map<Integer, Task> tasks = new ConcurrentHashMap<>();

    /** The task of that pid (initial namespace); one the runner has not seen is taken to be in the root. */
    Task task(int pid) {
        return tasks.computeIfAbsent(pid, p -> new Task(p, root));
    }

    /** The task of that pid if the runner has seen it, else null. */
    Task known(int pid) {
        return tasks.get(pid);
    }

    boolean exited(int pid) {
        Task t = tasks.get(pid);
        return t != null && t.exited;
    }

    boolean execed(int pid) {
        Task t = tasks.get(pid);
        return t != null && t.execed;
    }

    /** A successful unshare(CLONE_NEWPID): the caller's next children go into a new namespace. */
    void unsharedPidNs(int pid) {
        Task t = task(pid);
        t.childNs = new Ns(t.childNs);
    }

    @Override
    public void fork(int parentTid, int parentTgid, int childTid, int childTgid) {
        // The event names the child's real parent, which with CLONE_PARENT or CLONE_THREAD is the
        // caller's parent; the task that made the child is the one whose call runs on this thread
        // (copy_process sends the event from the caller's call), and the child goes into that
        // task's pid namespace for children.
        Job job = TaskDriver.running();
        Task creator = task(job != null ? job.caller : parentTid);
        long flags = job != null ? job.cloneFlags : 0;
        Ns ns = (flags & CloneFlags.CLONE_NEWPID) != 0 ? new Ns(creator.childNs) : creator.childNs;
        tasks.put(childTid, new Task(childTid, ns));
        if (job != null) {
            job.child.complete(childTid);
        }
    }

    @Override
    public void exit(int tid, int tgid, int exitCode, int exitSignal) {
        task(tid).exited = true;
    }

    @Override
    public void exec(int tid, int tgid) {
        task(tid).execed = true;
    }
}
