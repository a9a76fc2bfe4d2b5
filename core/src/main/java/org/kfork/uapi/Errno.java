package org.kfork.uapi;

/**
 * Error numbers (include/uapi/asm-generic/errno-base.h, errno.h, and the kernel-internal ones of
 * include/linux/errno.h, 5.12), and the kernel's convention for returning them.
 *
 * <p><b>The convention.</b> A system call, and most kernel functions, return a {@code long}: a
 * result {@code >= 0} on success, or {@code -errno} on failure. A kernel pointer can carry an
 * error the same way (ERR_PTR), which works because no valid pointer lies in the last page of the
 * address space: the values -{@link #MAX_ERRNO} to -1. So the test for an error is that range,
 * not "negative", and {@link #isError} is the kernel's IS_ERR_VALUE. That matters here: modeled
 * kernel addresses such as 0xffff888000000000 are negative as Java longs.
 *
 * <p>Java callers who prefer exceptions wrap a call in {@link #check(String, long)}:
 * <pre>{@code
 * long pid = Errno.check("fork", kernel.fork(parentPid));   // throws KernelException on -errno
 * }</pre>
 */
public final class Errno {
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** No such process. */
    public static final int ESRCH = 3;
    /** Interrupted system call; dup_mmap returns it when a fatal signal is pending. */
    public static final int EINTR = 4;
    /** I/O error. */
    public static final int EIO = 5;
    /** No such device or address. */
    public static final int ENXIO = 6;
    /** Argument list too long; clone3 returns it for a clone_args larger than a page. */
    public static final int E2BIG = 7;
    /** Exec format error. */
    public static final int ENOEXEC = 8;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** No child processes. */
    public static final int ECHILD = 10;
    /** Try again; fork returns it at RLIMIT_NPROC or max_threads. */
    public static final int EAGAIN = 11;
    /** Out of memory. */
    public static final int ENOMEM = 12;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Bad address: a user pointer that cannot be read or written. */
    public static final int EFAULT = 14;
    /** Block device required. */
    public static final int ENOTBLK = 15;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** File exists. */
    public static final int EEXIST = 17;
    /** Cross-device link. */
    public static final int EXDEV = 18;
    /** No such device. */
    public static final int ENODEV = 19;
    /** Not a directory. */
    public static final int ENOTDIR = 20;
    /** Is a directory. */
    public static final int EISDIR = 21;
    /** Invalid argument; the answer to most bad clone flag combinations. */
    public static final int EINVAL = 22;
    /** File table overflow. */
    public static final int ENFILE = 23;
    /** Too many open files. */
    public static final int EMFILE = 24;
    /** Not a typewriter. */
    public static final int ENOTTY = 25;
    /** Text file busy. */
    public static final int ETXTBSY = 26;
    /** File too large. */
    public static final int EFBIG = 27;
    /** No space left on device; also a pid namespace that ran out of pids. */
    public static final int ENOSPC = 28;
    /** Illegal seek. */
    public static final int ESPIPE = 29;
    /** Read-only file system. */
    public static final int EROFS = 30;
    /** Too many links. */
    public static final int EMLINK = 31;
    /** Broken pipe. */
    public static final int EPIPE = 32;
    /** Math argument out of domain of func. */
    public static final int EDOM = 33;
    /** Math result not representable. */
    public static final int ERANGE = 34;
    /** Resource deadlock would occur. */
    public static final int EDEADLK = 35;
    /** File name too long. */
    public static final int ENAMETOOLONG = 36;
    /** No record locks available. */
    public static final int ENOLCK = 37;
    /** Invalid system call number. */
    public static final int ENOSYS = 38;
    /** Directory not empty. */
    public static final int ENOTEMPTY = 39;
    /** Too many symbolic links encountered. */
    public static final int ELOOP = 40;
    /** Value too large for defined data type; do_mmap's pgoff overflow, a file offset that wraps past the top. */
    public static final int EOVERFLOW = 75;
    /** Too many users; also too many nested user or pid namespaces. */
    public static final int EUSERS = 87;
    /** Operation not supported on transport endpoint. */
    public static final int EOPNOTSUPP = 95;

    /** Kernel-internal: restart the call if the handler has SA_RESTART, else -EINTR. */
    public static final int ERESTARTSYS = 512;
    /** Kernel-internal: always restart the call; copy_process returns it when a signal is pending. */
    public static final int ERESTARTNOINTR = 513;
    /** Kernel-internal: restart the call if there is no handler. */
    public static final int ERESTARTNOHAND = 514;
    /** Kernel-internal: an ioctl command nobody handles. */
    public static final int ENOIOCTLCMD = 515;
    /** Kernel-internal: restart the call through sys_restart_syscall. */
    public static final int ERESTART_RESTARTBLOCK = 516;

    /** include/linux/err.h: the largest errno; -MAX_ERRNO to -1 are error values. */
    public static final int MAX_ERRNO = 4095;

    /** Names of errno 0 to ELOOP, by number; index 0 is unused. */
    private static final String[] LOW_NAMES = {
        null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF",
        "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV",
        "ENODEV", "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG",
        "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG",
        "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
    };

    /** Names of the kernel-internal errno ERESTARTSYS to ERESTART_RESTARTBLOCK. */
    private static final String[] RESTART_NAMES = {
        "ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND", "ENOIOCTLCMD", "ERESTART_RESTARTBLOCK",
    };

    /**
     * glibc's strerror texts of errno 0 to ELOOP, by number (what strace prints in parentheses);
     * index 0 is unused.
     */
    private static final String[] LOW_TEXTS = {
        null, "Operation not permitted", "No such file or directory", "No such process",
        "Interrupted system call", "Input/output error", "No such device or address",
        "Argument list too long", "Exec format error", "Bad file descriptor", "No child processes",
        "Resource temporarily unavailable", "Cannot allocate memory", "Permission denied", "Bad address",
        "Block device required", "Device or resource busy", "File exists", "Invalid cross-device link",
        "No such device", "Not a directory", "Is a directory", "Invalid argument",
        "Too many open files in system", "Too many open files", "Inappropriate ioctl for device",
        "Text file busy", "File too large", "No space left on device", "Illegal seek",
        "Read-only file system", "Too many links", "Broken pipe", "Numerical argument out of domain",
        "Numerical result out of range", "Resource deadlock avoided", "File name too long",
        "No locks available", "Function not implemented", "Directory not empty",
        "Too many levels of symbolic links",
    };

    /**
     * What strace says of the kernel-internal restart codes, ERESTARTSYS to ERESTART_RESTARTBLOCK
     * (glibc has no text for them); ENOIOCTLCMD has none in strace either.
     */
    private static final String[] RESTART_TEXTS = {
        "To be restarted if SA_RESTART is set", "To be restarted", "To be restarted if no handler",
        null, "Interrupted by signal",
    };

    private Errno() {
    }

    /**
     * The text of an errno as glibc's strerror gives it ({@code "Invalid argument"} for EINVAL), or
     * as strace gives it for the kernel-internal restart codes; {@code "Unknown error N"} for a
     * number without one. A negative return value is taken as {@code -errno}.
     *
     * @param errno an errno, positive, or a negative return value
     * @return its text, never null
     */
    public static String strerror(int errno) {
        int e = errno < 0 ? -errno : errno;
        String text = null;
        if (e >= 1 && e < LOW_TEXTS.length) {
            text = LOW_TEXTS[e];
        } else if (e >= ERESTARTSYS && e < ERESTARTSYS + RESTART_TEXTS.length) {
            text = RESTART_TEXTS[e - ERESTARTSYS];
        } else if (e == EOVERFLOW) {
            text = "Value too large for defined data type";
        } else if (e == EUSERS) {
            text = "Too many users";
        } else if (e == EOPNOTSUPP) {
            text = "Operation not supported";
        }
        return text != null ? text : "Unknown error " + e;
    }

    /**
     * The errno of a name: 22 for {@code "EINVAL"}; the inverse of {@link #name} for every name it
     * gives.
     *
     * @param name an errno name such as {@code "EAGAIN"}
     * @return its number, or 0 when no errno has that name
     */
    public static int number(String name) {
        for (int e = 1; e < LOW_NAMES.length; e++) {
            if (LOW_NAMES[e].equals(name)) {
                return e;
            }
        }
        for (int i = 0; i < RESTART_NAMES.length; i++) {
            if (RESTART_NAMES[i].equals(name)) {
                return ERESTARTSYS + i;
            }
        }
        for (int e : new int[] {EOVERFLOW, EUSERS, EOPNOTSUPP}) {
            if (name(e).equals(name)) {
                return e;
            }
        }
        return 0;
    }

    /**
     * The name of an errno: {@code "ENOMEM"} for 12. A negative return value is taken as
     * {@code -errno}, so {@code name(-12)} is {@code "ENOMEM"} too. A number without a name here
     * gives {@code "errno N"}.
     *
     * @param errno an errno, positive, or a negative return value
     * @return its name, never null
     */
    public static String name(int errno) {
        int e = errno < 0 ? -errno : errno;
        if (e >= 1 && e < LOW_NAMES.length) {
            return LOW_NAMES[e];
        }
        if (e >= ERESTARTSYS && e < ERESTARTSYS + RESTART_NAMES.length) {
            return RESTART_NAMES[e - ERESTARTSYS];
        }
        switch (e) {
            case EOVERFLOW:
                return "EOVERFLOW";
            case EUSERS:
                return "EUSERS";
            case EOPNOTSUPP:
                return "EOPNOTSUPP";
            default:
                return "errno " + e;
        }
    }

    /**
     * IS_ERR_VALUE: true when {@code ret} is an error return, -{@link #MAX_ERRNO} to -1. Other
     * negative values, like modeled kernel addresses, are not errors.
     *
     * @param ret a kernel return value
     * @return whether it carries an errno
     */
    public static boolean isError(long ret) {
        // One unsigned compare, as the kernel does it: the error range is the top 4095 values.
        return Long.compareUnsigned(ret, -MAX_ERRNO) >= 0;
    }

    /**
     * Returns {@code ret} unchanged unless it is an error, in which case throws.
     *
     * @param ret a kernel return value
     * @return {@code ret}, when it is not an error
     * @throws KernelException when {@link #isError}{@code (ret)}, carrying {@code -ret}
     */
    public static long check(long ret) {
        return check(null, ret);
    }

    /**
     * Returns {@code ret} unchanged unless it is an error, in which case throws an exception whose
     * message names the operation: {@code "fork: ENOMEM (-12)"}.
     *
     * @param op  the operation, for the message (for example "fork"); may be null
     * @param ret a kernel return value
     * @return {@code ret}, when it is not an error
     * @throws KernelException when {@link #isError}{@code (ret)}, carrying {@code -ret}
     */
    public static long check(String op, long ret) {
        if (isError(ret)) {
            throw new KernelException(op, (int) -ret);
        }
        return ret;
    }
}
