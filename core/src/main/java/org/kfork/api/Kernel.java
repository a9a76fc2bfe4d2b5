package org.kfork.api;

/**
 * The user-space view of a modeled Linux 5.12 kernel: its system calls, and what /proc shows of it.
 * Both kernels implement it, the off-heap one ({@code org.kfork.kernel.OffHeapKernel}) and its heap
 * twin ({@code org.kfork.heap.HeapKernel}); {@link Kernels#boot} picks one by name.
 *
 * <p><b>Calls.</b> Each system call takes first the calling task's pid in the initial pid namespace
 * (the pid the transcript shows in brackets), and returns a long by the kernel's rule: a result
 * {@code >= 0}, or {@code -errno}. A caller that does not exist or has exited gets {@code -ESRCH}.
 * Arguments are passed as the x86_64 system call passes them; pointers are addresses in the
 * caller's user memory, read and written through copy_from_user and copy_to_user, so a bad pointer
 * gives {@code -EFAULT} and never an exception. {@link org.kfork.uapi.Errno#check} turns a negative
 * result into a {@link org.kfork.uapi.KernelException} for callers who prefer one.
 *
 * <p><b>Threads.</b> A Java thread that makes a call acts for the calling task for the duration of
 * the call, on its modeled CPU. Calls for different tasks may run on different Java threads at the
 * same time. {@link #vfork}, {@link #wait4} and {@link #waitid} without WNOHANG block the calling
 * Java thread until the kernel wakes the task, as they would block the task. A task that is killed
 * while it sleeps in a call exits there; the call then returns {@link #KILLED}.
 *
 * <p><b>Introspection</b> is {@link KernelView}'s: what /proc shows of the kernel.
 *
 * <p><b>Not returning.</b> exit and exit_group never return to user space in the kernel; here they
 * return 0 once the task has exited (it is then a zombie, or gone if it was autoreaped).
 */
public interface Kernel extends KernelView, AutoCloseable {
    /**
     * What a call returns to its Java caller when its task was killed during the call and never
     * returned to user space (the kernel's -ERESTARTSYS family never reaches user space either).
     */
    long KILLED = Long.MIN_VALUE;

    /** The implementation's name: "offheap" or "heap". */
    String name();

    /** The configuration the kernel booted with. */
    KernelConfig config();

    // ---------------------------------------------------------------------------------------------
    // kernel/fork.c
    // ---------------------------------------------------------------------------------------------

    /** fork(): the child's pid in the caller's pid namespace. */
    long fork(int caller);

    /** vfork(): blocks the calling thread until the child exits or execs; the child's pid. */
    long vfork(int caller);

    /** clone(flags, newsp, parent_tidptr, child_tidptr, tls), in x86_64's argument order. */
    long clone(int caller, long flags, long newsp, long parentTid, long childTid, long tls);

    /** clone3(uargs, size): {@code struct clone_args} is read from the caller's memory. */
    long clone3(int caller, long uargs, long size);

    /** unshare(flags). */
    long unshare(int caller, long flags);

    /** set_tid_address(tidptr): the caller's tid. */
    long setTidAddress(int caller, long tidptr);

    // ---------------------------------------------------------------------------------------------
    // fs/exec.c, kernel/exit.c
    // ---------------------------------------------------------------------------------------------

    /**
     * execve of a named image: a fresh mm holding the image's mappings and a stack, the thread group
     * reduced to the caller (de_thread), close-on-exec files closed, a vfork parent released.
     */
    long execve(int caller, ExecImage image);

    /** exit(code). */
    long exit(int caller, int code);

    /** exit_group(code). */
    long exitGroup(int caller, int code);

    /** wait4(pid, wstatus, options, rusage); wstatus and rusage are user addresses (0 for NULL). */
    long wait4(int caller, int pid, long wstatus, int options, long rusage);

    /** waitid(idtype, id, infop, options, rusage). */
    long waitid(int caller, int idtype, int id, long infop, int options, long rusage);

    // ---------------------------------------------------------------------------------------------
    // kernel/sys.c, kernel/signal.c
    // ---------------------------------------------------------------------------------------------

    /** getpid(): the caller's tgid in its own pid namespace. */
    long getpid(int caller);

    /** getppid(). */
    long getppid(int caller);

    /** gettid(). */
    long gettid(int caller);

    /** kill(pid, sig). */
    long kill(int caller, int pid, int sig);

    /**
     * rt_sigaction for {@code sig} with a new action: handler (SIG_DFL 0, SIG_IGN 1, or a user
     * address), sa_flags and the sa_mask word.
     */
    long sigaction(int caller, int sig, long handler, long flags, long mask);

    /** prlimit64(0, resource, {cur, max}, NULL): sets the caller's limit. */
    long setrlimit(int caller, int resource, long cur, long max);

    // ---------------------------------------------------------------------------------------------
    // mm
    // ---------------------------------------------------------------------------------------------

    /** mmap(addr, len, prot, flags, fd, off). */
    long mmap(int caller, long addr, long len, int prot, int flags, int fd, long off);

    /** munmap(addr, len). */
    long munmap(int caller, long addr, long len);

    /** mprotect(addr, len, prot). */
    long mprotect(int caller, long addr, long len, int prot);

    /** madvise(addr, len, advice). */
    long madvise(int caller, long addr, long len, int advice);

    /** mlock(addr, len). */
    long mlock(int caller, long addr, long len);

    /** munlock(addr, len). */
    long munlock(int caller, long addr, long len);

    /** copy_to_user on behalf of {@code caller}: 0, or -EFAULT (nothing is written past the fault). */
    long writeUser(int caller, long addr, byte[] src, int off, int len);

    /** copy_from_user on behalf of {@code caller}: 0, or -EFAULT. */
    long readUser(int caller, long addr, byte[] dst, int off, int len);

    // ---------------------------------------------------------------------------------------------
    // Administration: what a root shell would do
    // ---------------------------------------------------------------------------------------------

    /** Reads a sysctl the model has (kernel.pid_max, kernel.threads-max, vm.max_map_count...). */
    long sysctl(String name);

    /** Writes a sysctl: 0, or -EINVAL for a value out of range, -ENOENT for an unknown name. */
    long sysctl(String name, long value);

    /**
     * What setresuid(uid, uid, uid), setresgid(gid, gid, gid) and capset(caps, caps, inherited
     * unchanged) would do to task {@code pid}: every uid and gid, the effective and permitted
     * capability sets, and the move to that uid's user_struct.
     */
    long setCred(int pid, int uid, int gid, long caps);

    /** rcu_barrier: runs every RCU callback queued so far (tests compare counts after it). */
    void rcuBarrier();

    /** Registers a listener of process events (proc_fork_connector, proc_exit_connector). */
    void addProcEventListener(ProcEventListener listener);

    /** Shuts the kernel down and releases its machine. */
    @Override
    void close();
}
