package org.kfork.api;

/**
 * One task as ps sees it (pids in the initial pid namespace).
 *
 * @param pid      the task's pid
 * @param tgid     its thread group
 * @param ppid     its parent's tgid (real_parent), 0 for init's parent
 * @param state    the state letter of /proc/PID/stat (R, S, Z, X...)
 * @param comm     the command name
 * @param nsLevel  the level of its pid namespace (0 for the initial one)
 * @param nsPid    its pid in its own pid namespace
 */
public record TaskView(int pid, int tgid, int ppid, char state, String comm, int nsLevel, int nsPid) {
}
