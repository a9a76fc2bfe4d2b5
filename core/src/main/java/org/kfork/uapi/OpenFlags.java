package org.kfork.uapi;

/**
 * The open(2) flags of x86_64, from include/uapi/asm-generic/fcntl.h (5.12): the values a file's
 * f_flags holds and anon_inode_getfile, alloc_fd and the pidfd take. Octal, as the header writes
 * them.
 */
public final class OpenFlags {
    /** The access mode bits. */
    public static final int O_ACCMODE = 00000003;
    /** Open for reading only. */
    public static final int O_RDONLY = 00000000;
    /** Open for writing only. */
    public static final int O_WRONLY = 00000001;
    /** Open for reading and writing. */
    public static final int O_RDWR = 00000002;
    /** Create the file if it does not exist. */
    public static final int O_CREAT = 00000100;
    /** With O_CREAT: fail if the file exists. */
    public static final int O_EXCL = 00000200;
    /** Do not make a terminal the controlling terminal. */
    public static final int O_NOCTTY = 00000400;
    /** Truncate to length 0. */
    public static final int O_TRUNC = 00001000;
    /** Append on each write. */
    public static final int O_APPEND = 00002000;
    /** Non-blocking I/O. */
    public static final int O_NONBLOCK = 00004000;
    /** Signal-driven I/O (FASYNC). */
    public static final int FASYNC = 00020000;
    /** Large files: set by the kernel for every open on 64-bit. */
    public static final int O_LARGEFILE = 00100000;
    /** Close the descriptor on execve (the fd's bit in close_on_exec). */
    public static final int O_CLOEXEC = 02000000;

    private OpenFlags() {
    }
}
