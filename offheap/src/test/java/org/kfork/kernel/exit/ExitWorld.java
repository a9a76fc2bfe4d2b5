package org.kfork.kernel.exit;

/**
 * One kernel (off-heap or heap) seen by the exit suite through small integer handles: handle 0
 * is init_task, handle 1 the global init (pid 1, made by kernel_thread from init_task as
 * rest_init does, then given an mm and a session of its own as its exec and setsid would).
 * Children are made by the real kernel_clone ({@code spawn}); a CLONE_VFORK parent waits in
 * kernel_clone on a thread of its own until the child exits or execs.
 */
interface ExitWorld extends AutoCloseable {
    /** Handle of the global init. */
    int INIT = 1;

    /**
     * kernel_clone acting for {@code parent} with {@code cloneFlags}: a new process (exit signal
     * {@code exitSignal}), or with CLONE_THREAD a thread of parent's group (exit signal -1);
     * CLONE_VM shares the mm; CLONE_NEWPID puts the child in a new pid namespace (as its init);
     * CLONE_VFORK leaves the parent waiting (see {@link #vforkWaiting}).
     *
     * @return its handle
     */
    int spawn(int parent, long cloneFlags, int exitSignal);

    /** The task's pid number in init_pid_ns. */
    int pid(int t);

    /** The task's pid number as {@code viewer} sees it (0 when invisible). */
    int vpid(int viewer, int t);

    /** pid of the task's real parent in init_pid_ns. */
    int realParentPid(int t);

    /** exit_state. */
    int exitState(int t);

    /** task_structs allocated (off-heap: the cache's active objects; heap: the live count). */
    long taskStructs();

    /** do_exit(code) acting for t. */
    void doExit(int t, int code);

    /** sys_exit_group(code) acting for t. */
    void exitGroup(int t, int errorCode);

    /** kernel_wait4 acting for t; the status in {@link #stat}. */
    int wait4(int t, int upid, int options);

    /** sys_wait4 with a user address for the status. */
    int sysWait4(int t, int upid, long statAddr, int options);

    /** kernel_waitid acting for t; its info in {@link #info}. */
    int waitid(int t, int which, int id, int options);

    /** sys_waitid with a user address for the siginfo. */
    int sysWaitid(int t, int which, int id, long infop, int options);

    /** The last wait's wo_stat. */
    int stat();

    /** The last wait's waitid_info: pid, uid, status, cause. */
    int[] info();

    /** sigaction(SIGCHLD) of t: handler (SIG_DFL 0, SIG_IGN 1, or an address) and flags. */
    void sigchld(int t, long handler, long flags);

    /** SIGKILL to t's group from init (group_send_sig_info with SEND_SIG_PRIV). */
    void kill(int t);

    /** Exit.fatalSignalExit acting for t (what the syscall layer does when a call ends with SIGKILL pending). */
    void fatalSignalExit(int t);

    /** Marks t's group as dumping core (SIGNAL_GROUP_COREDUMP). */
    void setGroupCoredump(int t);

    /** Exit.exitIdleTasks. */
    int exitIdleTasks();

    /** Marks t inside a call (or not). */
    void setInCall(int t, boolean in);

    /** prctl(PR_SET_CHILD_SUBREAPER, 1) for t. */
    void setChildSubreaper(int t);

    /** pdeath_signal of t. */
    void setPdeathSignal(int t, int sig);

    /** Whether t has SIGKILL pending (a pdeath signal or a kill). */
    boolean sigPending(int t, int sig);

    /** clear_child_tid of t (a user address in its mm). */
    void setClearChildTid(int t, long addr);

    /** Maps one anonymous page at {@code addr} in t's mm and writes {@code value} there. */
    void mapWord(int t, long addr, int value);

    /** Reads the int at {@code addr} in t's mm. */
    int readWord(int t, long addr);

    /** Whether the parent of t, a CLONE_VFORK child, still waits in kernel_clone. */
    boolean vforkWaiting(int t);

    /** The vfork parent's kernel_clone result once it returns (the child's pid as the parent sees it). */
    int vforkReturned(int t);

    /** execve of an image named {@code name} with one anonymous mapping at 0x400000, acting for t. */
    int execve(int t, String name);

    /** t's comm. */
    String comm(int t);

    /** t's mm_users (0 without an mm). */
    int mmUsers(int t);

    /** nr_threads. */
    int nrThreads();

    /** nr_processes (the per-CPU process counts summed). */
    long nrProcesses();

    /** Runs RCU callbacks (rcu_barrier) so freed tasks are gone. */
    void rcuBarrier();

    /** Closes the world: the remaining tasks are killed and reaped, init is taken down, and the leak check runs. */
    @Override
    void close();
}
