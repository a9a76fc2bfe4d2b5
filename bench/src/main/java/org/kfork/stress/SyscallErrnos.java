package org.kfork.stress;

import static org.kfork.uapi.Errno.*;

import org.kfork.api.Kernel;

/**
 * The errnos Linux 5.12 can return from each system call the stress run makes, read from the
 * 5.12 sources (kernel/fork.c, kernel/pid.c, kernel/nsproxy.c, kernel/exit.c, kernel/signal.c,
 * mm/mmap.c, mm/mprotect.c, mm/madvise.c, mm/mlock.c). A result outside its call's set is a
 * finding: the model invented an error the kernel never gives. -ESRCH is allowed everywhere (a
 * caller that has exited), and so is {@link Kernel#KILLED} (a caller killed during its call).
 */
public enum SyscallErrnos {
    /** fork: copy_process's limits (-EAGAIN: RLIMIT_NPROC, threads-max, pid space), allocations. */
    FORK(EAGAIN, ENOMEM),
    /** vfork: as fork. */
    VFORK(EAGAIN, ENOMEM),
    /**
     * clone: copy_process's flag rules (-EINVAL), namespaces (-EPERM without CAP_SYS_ADMIN, -ENOSPC
     * past the pid namespace limits, -EUSERS), pidfd (-EMFILE, -ENFILE, -EFAULT from put_user).
     */
    CLONE(EAGAIN, ENOMEM, EINVAL, EPERM, ENOSPC, EUSERS, EMFILE, ENFILE, EFAULT),
    /** clone3: clone's, plus the struct's size (-E2BIG), set_tid (-EEXIST), and the cgroup fd. */
    CLONE3(EAGAIN, ENOMEM, EINVAL, EPERM, ENOSPC, EUSERS, EMFILE, ENFILE, EFAULT, E2BIG, EEXIST, EBADF,
        EBUSY, EOPNOTSUPP),
    /** unshare: check_unshare_flags, the namespaces' rules, allocations. */
    UNSHARE(EINVAL, EPERM, ENOMEM, ENOSPC, EUSERS),
    /** exit, exit_group: never return an error. */
    EXIT(),
    /** wait4: -ECHILD, bad options, a status or rusage that faults, INT_MIN (-ESRCH). */
    WAIT4(ECHILD, EINVAL, EFAULT, EINTR),
    /** waitid: wait4's, plus P_PIDFD's fd (-EBADF, -EINVAL). */
    WAITID(ECHILD, EINVAL, EFAULT, EINTR, EBADF),
    /** kill: a bad signal, permission, no such process. */
    KILL(EINVAL, EPERM),
    /** mmap: mm/mmap.c's do_mmap and ksys_mmap_pgoff, mmap_region, security_mmap_addr. */
    MMAP(EINVAL, ENOMEM, EPERM, EBADF, ENODEV, EACCES, EOVERFLOW, EEXIST, EAGAIN, ETXTBSY),
    /** munmap: __do_munmap. */
    MUNMAP(EINVAL, ENOMEM),
    /** mprotect: do_mprotect_pkey. */
    MPROTECT(EINVAL, ENOMEM, EACCES),
    /** madvise: do_madvise and its behaviours. */
    MADVISE(EINVAL, ENOMEM, EAGAIN, EBADF, EPERM, EIO),
    /** mlock, munlock: do_mlock, apply_vma_lock_flags. */
    MLOCK(EINVAL, ENOMEM, EPERM, EAGAIN),
    /** copy_to_user and copy_from_user of the driver (writeUser, readUser): -EFAULT. */
    USER_COPY(EFAULT),
    /** getpid: never fails. */
    GETPID(),
    /** setCred: the administration call; the model refuses nothing but a missing task. */
    SETCRED(EINVAL);

    private final long low;
    private final long high;

    SyscallErrnos(int... errnos) {
        long l = 1L << ESRCH;
        long h = 0;
        for (int e : errnos) {
            if (e < 64) {
                l |= 1L << e;
            } else {
                h |= 1L << (e - 64);
            }
        }
        this.low = l;
        this.high = h;
    }

    /** True if 5.12 can give {@code r} for this call: a success, an errno of the set, or KILLED. */
    public boolean allows(long r) {
        if (r >= 0 || r == Kernel.KILLED) {
            return true;
        }
        if (r < -127) {
            return false;
        }
        final int e = (int) -r;
        return e < 64 ? (low & (1L << e)) != 0 : (high & (1L << (e - 64))) != 0;
    }

    /** The call's name in reports. */
    public String call() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
