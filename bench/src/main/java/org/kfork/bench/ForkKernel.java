package org.kfork.bench;

import org.kfork.uapi.CloneFlags;

/**
 * One booted kernel as {@link ForkBench} drives it: init (pid 1, a process with an mm of its own)
 * makes every call, and the children it makes are kept in numbered slots so that the untimed
 * halves can find them without a lookup in the timed half. The off-heap kernel
 * ({@link OffHeapForkKernel}) and the heap twin ({@link HeapForkKernel}) implement it with the
 * same calls in the same order; a benchmark JVM loads only one of them, so the interface costs
 * nothing once compiled.
 */
interface ForkKernel extends AutoCloseable {
    /** glibc's pthread_create flags (clone3 in glibc 2.34+, the same flags through clone here). */
    long THREAD_FLAGS = CloneFlags.CLONE_VM | CloneFlags.CLONE_FS | CloneFlags.CLONE_FILES
        | CloneFlags.CLONE_SIGHAND | CloneFlags.CLONE_THREAD | CloneFlags.CLONE_SYSVSEM | CloneFlags.CLONE_SETTLS
        | CloneFlags.CLONE_PARENT_SETTID | CloneFlags.CLONE_CHILD_CLEARTID;

    /** Gives init {@code n} one-page private anonymous VMAs that do not merge (none faulted in). */
    void mapVmas(int n);

    /** Maps one private, writable page in init's mm (for thread ids and TLS) and returns its address. */
    long mapPage();

    /** The number of VMAs of init's mm. */
    int initMapCount();

    /** fork() made by init: the child's pid, or a negative errno. */
    int fork();

    /**
     * clone(THREAD_FLAGS, stack, parent_tid, child_tid, tls) made by init: the thread's id, or a
     * negative errno.
     */
    int thread(long stack, long parentTid, long childTid, long tls);

    /** Keeps the task of {@code pid} (a child of init, or a thread of its group) in {@code slot}. */
    void track(int slot, int pid);

    /** The task in {@code slot} exits with status 0 (do_exit), acting for itself. */
    void exit(int slot);

    /** wait4(pid, NULL, 0, NULL) made by init: the reaped child's pid, or a negative errno. */
    int wait4(int pid);

    /** vfork() made by init: returns once the child has let go of the mm; the child's pid or -errno. */
    int vfork();

    /**
     * Acting for a vfork child, on another Java thread than the parent's: waits until init's
     * newest child has been woken (wake_up_new_task), then that child exits with status 0,
     * which completes the parent's vfork.
     */
    void exitVforkChild();

    /** The live threads of the kernel (nr_threads). */
    int nrThreads();

    /** Reads a 32-bit word of init's memory (get_user), e.g. a thread id the kernel wrote. */
    int readUserInt(long addr);

    /** Runs every queued RCU callback (untimed: the frees a grace period would allow). */
    void quiesce();

    /** Stops the kernel and frees its memory. */
    @Override
    void close();
}
