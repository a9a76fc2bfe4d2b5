package org.kfork.fs;

import org.kfork.uapi.OpenFlags;

/**
 * A file's f_mode bits (include/linux/fs.h, 5.12) and the rules both kernels share about them:
 * OPEN_FMODE, and the limit on open files that files_maxfiles_init derives from RAM.
 */
public final class Fmode {
    /** The file is open for reading. */
    public static final int FMODE_READ = 0x1;
    /** The file is open for writing. */
    public static final int FMODE_WRITE = 0x2;
    /** The file is seekable. */
    public static final int FMODE_LSEEK = 0x4;
    /** pread is allowed. */
    public static final int FMODE_PREAD = 0x8;
    /** pwrite is allowed. */
    public static final int FMODE_PWRITE = 0x10;
    /** Opened for execution (do_open_execat). */
    public static final int FMODE_EXEC = 0x20;
    /** The file holds write access to its inode (i_writecount): __fput gives it back. */
    public static final int FMODE_WRITER = 0x10000;
    /** The file has a read method. */
    public static final int FMODE_CAN_READ = 0x20000;
    /** The file has a write method. */
    public static final int FMODE_CAN_WRITE = 0x40000;
    /** The file was opened: __fput runs the release steps only for such a file. */
    public static final int FMODE_OPENED = 0x80000;
    /** No fsnotify events (also the __FMODE_NONOTIFY bit of the open flags). */
    public static final int FMODE_NONOTIFY = 0x4000000;
    /** Not counted in nr_files (alloc_empty_file_noaccount). */
    public static final int FMODE_NOACCOUNT = 0x20000000;

    /** include/linux/fs.h: NR_FILE, the least files-max. */
    public static final long NR_FILE = 8192;

    private Fmode() {
    }

    /** OPEN_FMODE: the access mode of open flags as FMODE_READ/FMODE_WRITE, and FMODE_NONOTIFY. */
    public static int openFmode(int flags) {
        return ((flags + 1) & OpenFlags.O_ACCMODE) | (flags & FMODE_NONOTIFY);
    }

    /**
     * files_maxfiles_init: a file with its inode and dentry is about 1 KiB, and files may take 10%
     * of the memory not reserved at boot; never fewer than {@link #NR_FILE}. The model reserves
     * nothing at boot (the kernel counts the pages already in use, times 3/2): its kernel image is
     * a few pages.
     */
    public static long maxFiles(long totalramPages, long pageSize) {
        long n = totalramPages * (pageSize / 1024) / 10;
        return Math.max(n, NR_FILE);
    }
}
