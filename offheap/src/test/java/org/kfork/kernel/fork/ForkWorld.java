package org.kfork.kernel.fork;

import java.util.Map;

import org.kfork.mm.FailSlab;

/**
 * One kernel (off-heap or heap) seen by the fork suites, by task handle: init (pid 1, made by
 * kernel_clone from init_task as rest_init's kernel_thread, then given an mm as its exec would),
 * kernel_clone and the system calls of fork.c acting for a task, what the tests read back, and
 * {@link #unfork}, which takes a child that never ran apart again as do_exit and release_task
 * would (the exit room's functions do it for tasks that run).
 */
interface ForkWorld extends AutoCloseable {
    /** The handle of init (pid 1). */
    int INIT = 1;
    /** A user address of init's: one read-write anonymous page there, for clone3's arguments. */
    long USER_PAGE = 0x10000000L;

    /** kernel_clone acting for {@code parent}: the child's handle, or a negative errno. */
    int clone(int parent, long flags, int exitSignal);

    /** kernel_clone with CLONE_PIDFD's and CLONE_PARENT_SETTID's user addresses. */
    int clone(int parent, long flags, int exitSignal, long pidfd, long parentTid);

    /** clone3(uargs, size) acting for {@code parent}: the child's handle, or a negative errno. */
    int clone3(int parent, long uargs, long size);

    /** unshare(flags) acting for {@code t}. */
    int unshare(int t, long flags);

    /** copy_to_user of {@code bytes} at {@code addr} in {@code t}'s mm. */
    void writeUser(int t, long addr, byte[] bytes);

    /** get_user of an int at {@code addr} in {@code t}'s mm. */
    int readUserInt(int t, long addr);

    /** close(fd) acting for {@code t}. */
    int closeFd(int t, int fd);

    /** The handle of the task with pid {@code pid} in init_pid_ns (one handle per task), or -1. */
    int byPid(int pid);

    /** exec_mm_release for {@code t}: what execve does to the mm it leaves (it completes a vfork). */
    void execMmRelease(int t);

    /** SIGKILL from init to {@code t}'s thread group (group_send_sig_info). */
    void sigkill(int t);

    /** Whether {@code t}'s vfork_done is set (its parent waits for it). */
    boolean vforkDone(int t);

    /** Takes apart a child that never ran (its parent's state back as before the clone). */
    void unfork(int t);

    /** The task's pid in init_pid_ns. */
    int pid(int t);

    /** The task's tgid. */
    int tgid(int t);

    /** The task's pid in its own pid namespace. */
    int nsPid(int t);

    /** The level of the task's pid namespace. */
    int nsLevel(int t);

    /** exit_signal. */
    int exitSignal(int t);

    /** The real parent's pid. */
    int realParentPid(int t);

    /** Whether two tasks share the struct named: "mm", "files", "fs", "sighand", "signal", "cred", "nsproxy". */
    boolean shares(int a, int b, String what);

    /** signal->flags has SIGNAL_UNKILLABLE, and the task is its namespace's child_reaper. */
    boolean isNamespaceInit(int t);

    /** signal->nr_threads. */
    int groupThreads(int t);

    /** The user's processes count (user_struct.processes of the task's real cred). */
    int userProcesses(int t);

    /** Whether the task's fd {@code fd} is open. */
    boolean fdOpen(int t, int fd);

    /** nr_threads. */
    int nrThreads();

    /** nr_processes. */
    long nrProcesses();

    /** Live objects per kind (slab caches off-heap, kinds on the heap), after an RCU barrier. */
    Map<String, Long> counts();

    /** The kernel's failslab injector. */
    FailSlab failSlab();

    /** sysctl kernel.threads-max. */
    void setMaxThreads(int n);

    /** setresuid/setresgid to {@code uid} and no capabilities for {@code t}. */
    void dropToUser(int t, int uid);

    /** setrlimit(RLIMIT_NPROC) for {@code t}. */
    void setNprocLimit(int t, long limit);

    /** Unforks every task still alive but init and checks the kernel is back at its boot counts. */
    @Override
    void close();
}
