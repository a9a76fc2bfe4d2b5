package org.kfork.heap.fs;

import static org.kfork.fs.Fdtables.BITS_PER_LONG;
import static org.kfork.fs.Fdtables.NR_OPEN_DEFAULT;

import java.util.Arrays;

import org.kfork.fs.Fdtables;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fork.HeapTask;
import org.kfork.mm.KmallocSizes;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;
import org.kfork.uapi.Resource;

/**
 * The heap twin of org.kfork.kernel.fs.Files (fs/file.c): the same functions in the same order,
 * the same failslab points (files_cache, then each kmalloc of alloc_fdtable), the same errnos;
 * the off-heap class's invariants and deviations hold here too.
 */
public final class HeapFiles {
    private HeapFiles() {
    }

    // ---- init_files

    /** init_files: count 1, fdt at its fdtab. */
    public static HeapFilesStruct initFiles(HeapGlobals g) {
        HeapFilesStruct files = new HeapFilesStruct();
        files.count.set(1);
        return files;
    }

    // ---- fdtables

    /** alloc_fdtable: the struct, the fd array, the bitmaps, each a kmalloc (and a failslab point); null on failure. */
    static HeapFdtable allocFdtable(HeapGlobals g, int nr) {
        final int max = Fdtables.fdtableSize(nr, g.sysctlNrOpen);
        if (!kmalloc(g, Fdtables.SIZEOF_FDTABLE)) {
            return null;
        }
        if (!kmalloc(g, Fdtables.fdArrayBytes(max))) {
            kfree(g, Fdtables.SIZEOF_FDTABLE);
            return null;
        }
        if (!kmalloc(g, Fdtables.bitmapBytes(max))) {
            kfree(g, Fdtables.fdArrayBytes(max));
            kfree(g, Fdtables.SIZEOF_FDTABLE);
            return null;
        }
        final int longs = Fdtables.bitsToLongs(Integer.toUnsignedLong(max));
        return new HeapFdtable(max, new HeapFile[max], new long[longs], new long[longs],
            new long[Math.max(1, Fdtables.bitbitNr(Integer.toUnsignedLong(max)))]);
    }

    /** kmalloc's twin for {@code size} bytes (a kmalloc cache's object, or kmalloc_large's block). */
    private static boolean kmalloc(HeapGlobals g, long size) {
        return g.kmalloc(KmallocSizes.countedAs(size));
    }

    /** kfree's twin for a block kmalloc'd with {@code size}. */
    private static void kfree(HeapGlobals g, long size) {
        g.kfree(KmallocSizes.countedAs(size));
    }

    /** __free_fdtable. */
    static void freeFdtable(HeapGlobals g, HeapFdtable fdt) {
        kfree(g, Fdtables.fdArrayBytes(fdt.maxFds));
        kfree(g, Fdtables.bitmapBytes(fdt.maxFds));
        kfree(g, Fdtables.SIZEOF_FDTABLE);
    }

    /** free_fdtable_rcu. */
    public static void freeFdtableRcu(HeapGlobals g, HeapFdtable fdt) {
        freeFdtable(g, fdt);
    }

    /**
     * copy_fd_bitmaps: count / 8 bytes of open_fds and close_on_exec copied and (max_fds - count)
     * / 8 bytes zeroed after them; BITBIT_SIZE(count) bytes of full_fds_bits copied, the rest
     * zeroed.
     */
    static void copyFdBitmaps(HeapFdtable nfdt, HeapFdtable ofdt, int count) {
        final long c = Integer.toUnsignedLong(count);
        final long cpy = c / Byte.SIZE;
        final long set = (Integer.toUnsignedLong(nfdt.maxFds) - c) / Byte.SIZE;
        copyThenZero(nfdt.openFds, ofdt.openFds, cpy, set);
        copyThenZero(nfdt.closeOnExec, ofdt.closeOnExec, cpy, set);
        final long bcpy = Fdtables.bitbitSize(c);
        copyThenZero(nfdt.fullFdsBits, ofdt.fullFdsBits, bcpy, Fdtables.bitbitSize(nfdt.maxFds) - bcpy);
    }

    /** memcpy of {@code cpy} bytes, then memset 0 of {@code set} bytes, on little-endian words. */
    private static void copyThenZero(long[] dst, long[] src, long cpy, long set) {
        if ((cpy & 7) == 0 && (set & 7) == 0) {
            System.arraycopy(src, 0, dst, 0, (int) (cpy >>> 3));
            Arrays.fill(dst, (int) (cpy >>> 3), (int) ((cpy + set) >>> 3), 0);
            return;
        }
        for (long b = 0; b < cpy + set; b++) {
            final int w = (int) (b >>> 3);
            final long mask = 0xffL << ((b & 7) * 8);
            dst[w] = (dst[w] & ~mask) | (b < cpy ? src[w] & mask : 0);
        }
    }

    /** copy_fdtable. */
    static void copyFdtable(HeapFdtable nfdt, HeapFdtable ofdt) {
        if (nfdt.maxFds < ofdt.maxFds) {
            throw new IllegalStateException("copy_fdtable: the new table is smaller");
        }
        System.arraycopy(ofdt.fd, 0, nfdt.fd, 0, ofdt.maxFds);
        Arrays.fill(nfdt.fd, ofdt.maxFds, nfdt.maxFds, null);
        copyFdBitmaps(nfdt, ofdt, ofdt.maxFds);
    }

    /** expand_fdtable, with file_lock held: 1, -ENOMEM or -EMFILE. */
    static int expandFdtable(HeapGlobals g, HeapFilesStruct files, int nr) {
        final HeapFdtable newFdt = allocFdtable(g, nr);
        if (newFdt == null) {
            return -Errno.ENOMEM;
        }
        if (Integer.compareUnsigned(newFdt.maxFds, nr) <= 0) {
            freeFdtable(g, newFdt);
            return -Errno.EMFILE;
        }
        final HeapFdtable curFdt = files.fdt;
        copyFdtable(newFdt, curFdt);
        files.fdt = newFdt;
        if (curFdt != files.fdtab) {
            g.rcu.callRcu(curFdt, g.freeFdtableRcuFn);
        }
        return 1;
    }

    /** expand_files, with file_lock held: 0, 1, -EMFILE or -ENOMEM. */
    static int expandFiles(HeapGlobals g, HeapFilesStruct files, int nr) {
        if (Integer.compareUnsigned(nr, files.fdt.maxFds) < 0) {
            return 0;
        }
        if (Integer.compareUnsigned(nr, g.sysctlNrOpen) >= 0) {
            return -Errno.EMFILE;
        }
        files.resizeInProgress = true;
        final int expanded = expandFdtable(g, files, nr);
        files.resizeInProgress = false;
        return expanded;
    }

    // ---- bitmaps

    static boolean testBit(long[] map, int bit) {
        return (map[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    private static void setBit(long[] map, int bit) {
        map[bit >>> 6] |= 1L << (bit & 63);
    }

    private static void clearBit(long[] map, int bit) {
        map[bit >>> 6] &= ~(1L << (bit & 63));
    }

    /** __set_open_fd. */
    static void setOpenFd(int fd, HeapFdtable fdt) {
        setBit(fdt.openFds, fd);
        if (fdt.openFds[fd >>> 6] == -1L) {
            setBit(fdt.fullFdsBits, fd / BITS_PER_LONG);
        }
    }

    /** __clear_open_fd. */
    static void clearOpenFd(int fd, HeapFdtable fdt) {
        clearBit(fdt.openFds, fd);
        clearBit(fdt.fullFdsBits, fd / BITS_PER_LONG);
    }

    /** count_open_files. */
    static int countOpenFiles(HeapFdtable fdt) {
        int i;
        for (i = fdt.maxFds / BITS_PER_LONG; i > 0;) {
            if (fdt.openFds[--i] != 0) {
                break;
            }
        }
        return (i + 1) * BITS_PER_LONG;
    }

    /** find_next_zero_bit. */
    static int findNextZeroBit(long[] map, int size, int offset) {
        for (int i = offset; Integer.compareUnsigned(i, size) < 0;) {
            final long word = ~map[i >>> 6] & (-1L << (i & 63));
            if (word != 0) {
                final int bit = (i & ~63) + Long.numberOfTrailingZeros(word);
                return Integer.compareUnsigned(bit, size) < 0 ? bit : size;
            }
            i = (i & ~63) + 64;
        }
        return size;
    }

    /** find_next_fd. */
    static int findNextFd(HeapFdtable fdt, int start) {
        final int maxfd = fdt.maxFds;
        final int maxbit = maxfd / BITS_PER_LONG;
        int bitbit = findNextZeroBit(fdt.fullFdsBits, maxbit, start / BITS_PER_LONG) * BITS_PER_LONG;
        if (Integer.compareUnsigned(bitbit, maxfd) > 0) {
            return maxfd;
        }
        if (Integer.compareUnsigned(bitbit, start) > 0) {
            start = bitbit;
        }
        return findNextZeroBit(fdt.openFds, maxfd, start);
    }

    // ---- dup_fd

    /** dup_fd: the copy, or ERR_PTR(-ENOMEM) or ERR_PTR(-EMFILE). */
    public static HeapFilesStruct dupFd(HeapGlobals g, HeapFilesStruct oldf, int maxFds) {
        if (!g.alloc(g.filesCache)) {
            return HeapFilesStruct.errPtr(-Errno.ENOMEM);
        }
        final HeapFilesStruct newf = new HeapFilesStruct();
        newf.count.set(1);
        HeapFdtable newFdt = newf.fdtab;
        oldf.fileLock.lock();
        HeapFdtable oldFdt = oldf.fdt;
        int openFiles = Fdtables.saneFdtableSize(countOpenFiles(oldFdt), maxFds);
        while (Integer.compareUnsigned(openFiles, newFdt.maxFds) > 0) {
            oldf.fileLock.unlock();
            if (newFdt != newf.fdtab) {
                freeFdtable(g, newFdt);
            }
            newFdt = allocFdtable(g, openFiles - 1);
            if (newFdt == null) {
                g.free(g.filesCache);
                return HeapFilesStruct.errPtr(-Errno.ENOMEM);
            }
            if (Integer.compareUnsigned(newFdt.maxFds, openFiles) < 0) {
                freeFdtable(g, newFdt);
                g.free(g.filesCache);
                return HeapFilesStruct.errPtr(-Errno.EMFILE);
            }
            oldf.fileLock.lock();
            oldFdt = oldf.fdt;
            openFiles = Fdtables.saneFdtableSize(countOpenFiles(oldFdt), maxFds);
        }
        copyFdBitmaps(newFdt, oldFdt, openFiles);
        // a bitmap word at a time, as the off-heap twin (Files.dupFd) does
        for (int base = 0; base < openFiles; base += BITS_PER_LONG) {
            final int nr = Math.min(BITS_PER_LONG, openFiles - base);
            long empty = 0;
            for (int b = 0; b < nr; b++) {
                final HeapFile f = oldFdt.fd[base + b];
                if (f != null) {
                    HeapFileTable.getFile(f);
                } else {
                    empty |= 1L << b; // reserved by alloc_fd, not yet installed
                }
                newFdt.fd[base + b] = f;
            }
            if (empty != 0) {
                final int w = base / BITS_PER_LONG;
                newFdt.openFds[w] &= ~empty;
                clearBit(newFdt.fullFdsBits, w);
            }
        }
        oldf.fileLock.unlock();
        Arrays.fill(newFdt.fd, openFiles, newFdt.maxFds, null);
        newf.fdt = newFdt;
        return newf;
    }

    // ---- the end of a files_struct

    /** close_files. */
    static HeapFdtable closeFiles(HeapGlobals g, HeapFilesStruct files) {
        final HeapFdtable fdt = files.fdt;
        for (int j = 0; j * BITS_PER_LONG < fdt.maxFds; j++) {
            long set = fdt.openFds[j];
            for (int i = j * BITS_PER_LONG; set != 0; i++, set >>>= 1) {
                if ((set & 1) != 0) {
                    final HeapFile file = fdt.fd[i];
                    fdt.fd[i] = null;
                    if (file != null) {
                        filpClose(g, file, files);
                    }
                }
            }
        }
        return fdt;
    }

    /** get_files_struct's increment. */
    public static void getFilesStruct(HeapFilesStruct files) {
        files.count.incrementAndGet();
    }

    /** put_files_struct. */
    public static void putFilesStruct(HeapGlobals g, HeapFilesStruct files) {
        int c;
        do {
            c = files.count.get();
            if (c <= 0) {
                throw new IllegalStateException("put_files_struct: count already " + c);
            }
        } while (!files.count.compareAndSet(c, c - 1));
        if (c == 1) {
            final HeapFdtable fdt = closeFiles(g, files);
            if (fdt != files.fdtab) {
                freeFdtable(g, fdt);
            }
            g.free(g.filesCache);
        }
    }

    /** exit_files. */
    public static void exitFiles(HeapGlobals g, HeapTask tsk) {
        final HeapFilesStruct files = tsk.files;
        if (files != null) {
            tsk.allocLock.lock();
            tsk.files = null;
            tsk.allocLock.unlock();
            putFilesStruct(g, files);
        }
    }

    // ---- descriptors

    /** alloc_fd. */
    static int allocFd(HeapGlobals g, HeapFilesStruct files, int start, int end, int flags) {
        files.fileLock.lock();
        try {
            int fd;
            HeapFdtable fdt;
            while (true) {
                fdt = files.fdt;
                fd = start;
                if (Integer.compareUnsigned(fd, files.nextFd) < 0) {
                    fd = files.nextFd;
                }
                if (Integer.compareUnsigned(fd, fdt.maxFds) < 0) {
                    fd = findNextFd(fdt, fd);
                }
                if (Integer.compareUnsigned(fd, end) >= 0) {
                    return -Errno.EMFILE;
                }
                final int err = expandFiles(g, files, fd);
                if (err < 0) {
                    return err;
                }
                if (err == 0) {
                    break;
                }
            }
            if (Integer.compareUnsigned(start, files.nextFd) <= 0) {
                files.nextFd = fd + 1;
            }
            setOpenFd(fd, fdt);
            if ((flags & OpenFlags.O_CLOEXEC) != 0) {
                setBit(fdt.closeOnExec, fd);
            } else {
                clearBit(fdt.closeOnExec, fd);
            }
            if (fdt.fd[fd] != null) {
                g.log.warn("alloc_fd: slot " + fd + " not NULL!");
                fdt.fd[fd] = null;
            }
            return fd;
        } finally {
            files.fileLock.unlock();
        }
    }

    /** __get_unused_fd_flags. */
    public static int getUnusedFdFlags(HeapGlobals g, HeapTask current, int flags, long nofile) {
        final int end = nofile >= 0xffffffffL || nofile < 0 ? -1 : (int) nofile;
        return allocFd(g, current.files, 0, end, flags);
    }

    /** get_unused_fd_flags: below current's RLIMIT_NOFILE (signal->rlim). */
    public static int getUnusedFdFlags(HeapGlobals g, HeapTask current, int flags) {
        return getUnusedFdFlags(g, current, flags, rlimitNofile(current));
    }

    /** rlimit(RLIMIT_NOFILE). */
    static long rlimitNofile(HeapTask current) {
        if (current.signal() == null) {
            throw new IllegalStateException("rlimit: the task has no signal_struct");
        }
        return current.signal().rlimCur[Resource.RLIMIT_NOFILE];
    }

    /** __put_unused_fd. */
    private static void putUnusedFd0(HeapFilesStruct files, int fd) {
        clearOpenFd(fd, files.fdt);
        if (Integer.compareUnsigned(fd, files.nextFd) < 0) {
            files.nextFd = fd;
        }
    }

    /** put_unused_fd. */
    public static void putUnusedFd(HeapTask current, int fd) {
        final HeapFilesStruct files = current.files;
        files.fileLock.lock();
        putUnusedFd0(files, fd);
        files.fileLock.unlock();
    }

    /** fd_install. */
    public static void fdInstall(HeapTask current, int fd, HeapFile file) {
        final HeapFilesStruct files = current.files;
        files.fileLock.lock();
        try {
            final HeapFdtable fdt = files.fdt;
            if (fdt.fd[fd] != null) {
                throw new IllegalStateException("BUG: fd_install into fd " + fd + ", which holds a file");
            }
            fdt.fd[fd] = file;
        } finally {
            files.fileLock.unlock();
        }
    }

    /** The file at {@code fd}, or null. */
    public static HeapFile lookupFd(HeapFilesStruct files, int fd) {
        files.fileLock.lock();
        try {
            final HeapFdtable fdt = files.fdt;
            return Integer.compareUnsigned(fd, fdt.maxFds) >= 0 ? null : fdt.fd[fd];
        } finally {
            files.fileLock.unlock();
        }
    }

    /** __fget_files (see the off-heap twin): the file with a reference, or null. */
    public static HeapFile fget(HeapFilesStruct files, int fd) {
        files.fileLock.lock();
        try {
            final HeapFdtable fdt = files.fdt;
            final HeapFile file = Integer.compareUnsigned(fd, fdt.maxFds) >= 0 ? null : fdt.fd[fd];
            return file == null ? null : HeapFileTable.getFile(file);
        } finally {
            files.fileLock.unlock();
        }
    }

    /** pick_file. */
    static HeapFile pickFile(HeapFilesStruct files, int fd) {
        files.fileLock.lock();
        try {
            final HeapFdtable fdt = files.fdt;
            if (Integer.compareUnsigned(fd, fdt.maxFds) >= 0) {
                return null;
            }
            final HeapFile file = fdt.fd[fd];
            if (file == null) {
                return null;
            }
            fdt.fd[fd] = null;
            putUnusedFd0(files, fd);
            return file;
        } finally {
            files.fileLock.unlock();
        }
    }

    /** close_fd. */
    public static int closeFd(HeapGlobals g, HeapTask current, int fd) {
        final HeapFilesStruct files = current.files;
        final HeapFile file = pickFile(files, fd);
        if (file == null) {
            return -Errno.EBADF;
        }
        return filpClose(g, file, files);
    }

    /** filp_close. */
    public static int filpClose(HeapGlobals g, HeapFile file, Object id) {
        if (file.fCount() == 0) {
            g.log.alert("VFS: Close: file count is 0");
            return 0;
        }
        int retval = 0;
        if (file.fOp != null && file.fOp.flush != null) {
            retval = file.fOp.flush.flush(file, id);
        }
        g.fileTable.fput(file);
        return retval;
    }

    /** do_close_on_exec. */
    public static void doCloseOnExec(HeapGlobals g, HeapFilesStruct files) {
        files.fileLock.lock();
        for (int i = 0;; i++) {
            int fd = i * BITS_PER_LONG;
            HeapFdtable fdt = files.fdt;
            if (Integer.compareUnsigned(fd, fdt.maxFds) >= 0) {
                break;
            }
            long set = fdt.closeOnExec[i];
            if (set == 0) {
                continue;
            }
            fdt.closeOnExec[i] = 0;
            for (; set != 0; fd++, set >>>= 1) {
                if ((set & 1) == 0) {
                    continue;
                }
                final HeapFile file = fdt.fd[fd];
                if (file == null) {
                    continue;
                }
                fdt.fd[fd] = null;
                putUnusedFd0(files, fd);
                files.fileLock.unlock();
                filpClose(g, file, files);
                files.fileLock.lock();
                fdt = files.fdt;
            }
        }
        files.fileLock.unlock();
    }

    // ---- views and checks

    /** Whether {@code fd} is marked close-on-exec. */
    public static boolean closeOnExec(HeapFilesStruct files, int fd) {
        final HeapFdtable fdt = files.fdt;
        return Integer.compareUnsigned(fd, fdt.maxFds) < 0 && testBit(fdt.closeOnExec, fd);
    }

    /** Whether {@code fd} is marked open. */
    public static boolean fdIsOpen(HeapFilesStruct files, int fd) {
        final HeapFdtable fdt = files.fdt;
        return Integer.compareUnsigned(fd, fdt.maxFds) < 0 && testBit(fdt.openFds, fd);
    }

    /** The off-heap twin's validate: the invariants, and the number of installed files. */
    public static int validate(HeapFilesStruct files) {
        final HeapFdtable fdt = files.fdt;
        final int max = fdt.maxFds;
        check(fdt == files.fdtab ? max == NR_OPEN_DEFAULT : max % BITS_PER_LONG == 0 && max > 0, "max_fds " + max);
        int installed = 0;
        int lowestFree = -1;
        for (int fd = 0; fd < max; fd++) {
            final HeapFile f = fdt.fd[fd];
            final boolean open = testBit(fdt.openFds, fd);
            if (f != null) {
                installed++;
                check(open, "fd " + fd + " holds a file but is not marked open");
                check(f.fCount() > 0, "fd " + fd + " holds a freed file");
            }
            if (!open && lowestFree < 0) {
                lowestFree = fd;
            }
        }
        for (int w = 0; w < max / BITS_PER_LONG; w++) {
            check((fdt.openFds[w] == -1L) == testBit(fdt.fullFdsBits, w), "full_fds_bits word " + w);
        }
        check(lowestFree < 0 || Integer.compareUnsigned(files.nextFd, lowestFree) <= 0,
            "next_fd " + files.nextFd + " above the free fd " + lowestFree);
        return installed;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("files_struct: " + what);
        }
    }
}
