package org.kfork.api;

import java.util.List;

/**
 * One task as ps sees it: its pids in the initial pid namespace, and its pid at every level of
 * the pid namespaces it belongs to (struct pid's numbers[], from level 0 to the task's own), with
 * each level's namespace named by its inode number (ns.inum), so that a viewer can tell which
 * tasks a namespace sees and under which numbers.
 *
 * @param pid      the task's pid in the initial namespace
 * @param tgid     its thread group, in the initial namespace
 * @param ppid     its parent's tgid (real_parent) in the initial namespace, 0 for init's parent
 * @param state    the state letter of /proc/PID/stat (R, S, Z, X...)
 * @param comm     the command name
 * @param nsPids   its pid at each level, level 0 (the initial namespace) first; one element at least
 * @param nsInums  the inode number of the pid namespace of each level, as many as {@code nsPids}
 */
public record TaskView(int pid, int tgid, int ppid, char state, String comm, List<Integer> nsPids,
                       List<Long> nsInums) {
    /** A view; the lists are copied, and must be non-empty and of one length. */
    public TaskView {
        nsPids = List.copyOf(nsPids);
        nsInums = List.copyOf(nsInums);
        if (nsPids.isEmpty() || nsPids.size() != nsInums.size()) {
            throw new IllegalArgumentException("task " + pid + ": " + nsPids.size() + " pids for "
                + nsInums.size() + " namespaces");
        }
    }

    /** The level of the task's own pid namespace (0 for the initial one). */
    public int nsLevel() {
        return nsPids.size() - 1;
    }

    /** Its pid in its own pid namespace. */
    public int nsPid() {
        return nsPids.get(nsPids.size() - 1);
    }

    /**
     * Its pid in the namespace whose inode number is {@code inum}, or 0 when the task is not in
     * that namespace nor below it (pid_nr_ns: the namespace cannot see it).
     */
    public int pidIn(long inum) {
        for (int l = 0; l < nsInums.size(); l++) {
            if (nsInums.get(l) == inum) {
                return nsPids.get(l);
            }
        }
        return 0;
    }
}
