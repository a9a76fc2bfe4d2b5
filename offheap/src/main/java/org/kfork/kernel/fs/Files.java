package org.kfork.kernel.fs;

import static org.kfork.fs.Fdtables.BITS_PER_LONG;
import static org.kfork.fs.Fdtables.NR_OPEN_DEFAULT;
import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.ds.IntrusiveList;
import org.kfork.fs.Fdtables;
import org.kfork.kernel.Globals;
import org.kfork.kernel.locking.Spinlock;
import org.kfork.kernel.struct.Fdtable;
import org.kfork.kernel.struct.FileOperations;
import org.kfork.kernel.struct.FilesStruct;
import org.kfork.kernel.struct.File;
import org.kfork.kernel.struct.Rlimit;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.WaitQueueHead;
import org.kfork.machine.Mem;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;
import org.kfork.uapi.Resource;

/**
 * fs/file.c (5.12): the open-file tables. init_files, dup_fd with alloc_fdtable and the bitmap
 * copies, expand_files, alloc_fd and __get_unused_fd_flags, put_unused_fd, fd_install, pick_file
 * and close_fd (with fs/open.c's filp_close), close_files, put_files_struct, exit_files and
 * do_close_on_exec. The heap twin is {@link org.kfork.heap.fs.HeapFiles}.
 *
 * <p>Invariants of a files_struct and its fdtable (what {@link #validate} checks):
 * <ul>
 *   <li>files->fdt is the embedded fdtab (64 descriptors, over the embedded arrays) or a table
 *       from alloc_fdtable whose max_fds is a multiple of BITS_PER_LONG.</li>
 *   <li>Bit fd of open_fds is set for every fd[fd] that is not NULL (a set bit with a NULL slot is
 *       an fd reserved by alloc_fd and not yet installed); bit i of full_fds_bits is set exactly
 *       when word i of open_fds is all ones.</li>
 *   <li>Every file in fd[] holds one f_count reference of this table's.</li>
 *   <li>next_fd is no greater than the lowest free descriptor.</li>
 *   <li>count is the number of tasks (and get_files_struct-style users) sharing the table; the
 *       last put closes every file and frees the table.</li>
 * </ul>
 * files->file_lock is a real spinlock; every change to the table is made under it.
 *
 * <p>Allocation: the files_struct comes from files_cache (ForkInit). alloc_fdtable's
 * {@code struct fdtable} comes from kmalloc (kmalloc-64), its fd array and bitmaps from kvmalloc,
 * modelled as kmalloc: up to 8 KiB (1024 descriptors) from the kmalloc caches, beyond from the
 * page allocator whole (kmalloc_large). kvmalloc's vmalloc fallback, which 5.12 takes when such a
 * large kmalloc fails, is not modelled: the failure is the caller's -ENOMEM. A table replaced by
 * expand_fdtable is freed after an RCU grace period (free_fdtable_rcu), as in 5.12; the table of a
 * files_struct whose last reference goes is freed at once.
 *
 * <p>Deviations: expand_fdtable keeps file_lock held while it allocates (5.12 drops it, since its
 * allocation may sleep; the model's does not), so a resize is never seen half-done, no other task
 * waits on resize_wait, and synchronize_rcu is not needed for fd_install; fd_install takes
 * file_lock every time (5.12's path while a resize is in progress) instead of its lockless fast
 * path. dup_fd drops the old table's lock around alloc_fdtable as 5.12 does. filp_close's
 * dnotify_flush and locks_remove_posix are not modelled (no notifications, no POSIX locks).
 */
public final class Files {
    private Files() {
    }

    // ------------------------------------------------------------------------------------------
    // init_files
    // ------------------------------------------------------------------------------------------

    /**
     * init_files, the static files_struct of init_task, in the kernel image: count 1, fdt at its
     * own fdtab of NR_OPEN_DEFAULT descriptors over the embedded arrays, an unlocked file_lock,
     * an empty resize_wait.
     */
    public static long initFiles(Globals g) {
        final long files = g.image.alloc(FilesStruct.SIZEOF, FilesStruct.ALIGNOF);
        initEmbedded(files);
        putInt(files + FilesStruct.COUNT, 1);
        return files;
    }

    /** The parts of a files_struct dup_fd and init_files set alike: the lock, the wait queue, fdtab. */
    private static void initEmbedded(long files) {
        Spinlock.init(files + FilesStruct.FILE_LOCK);
        Mem.putByte(files + FilesStruct.RESIZE_IN_PROGRESS, (byte) 0);
        putInt(files + FilesStruct.RESIZE_WAIT + WaitQueueHead.LOCK, 0); // init_waitqueue_head
        IntrusiveList.init(files + FilesStruct.RESIZE_WAIT + WaitQueueHead.HEAD);
        putInt(files + FilesStruct.NEXT_FD, 0);
        final long fdt = files + FilesStruct.FDTAB;
        putInt(fdt + Fdtable.MAX_FDS, NR_OPEN_DEFAULT);
        putLong(fdt + Fdtable.CLOSE_ON_EXEC, files + FilesStruct.CLOSE_ON_EXEC_INIT);
        putLong(fdt + Fdtable.OPEN_FDS, files + FilesStruct.OPEN_FDS_INIT);
        putLong(fdt + Fdtable.FULL_FDS_BITS, files + FilesStruct.FULL_FDS_BITS_INIT);
        putLong(fdt + Fdtable.FD, files + FilesStruct.FD_ARRAY);
        putLong(files + FilesStruct.FDT, fdt);
    }

    /** files_fdtable. */
    public static long filesFdtable(long files) {
        return getLong(files + FilesStruct.FDT);
    }

    // ------------------------------------------------------------------------------------------
    // fdtables
    // ------------------------------------------------------------------------------------------

    /**
     * alloc_fdtable: a table that holds descriptor {@code nr}, sized by
     * {@link Fdtables#fdtableSize}: the struct (kmalloc), the fd array and the bitmaps (kvmalloc),
     * in that order, each a failslab point. Nothing is zeroed (copy_fdtable fills it).
     *
     * @return the table, or 0 when an allocation fails (what was taken is given back)
     */
    static long allocFdtable(Globals g, int nr) {
        final int max = Fdtables.fdtableSize(nr, g.sysctlNrOpen);
        final long fdt = g.kmalloc(Fdtable.SIZEOF);
        if (fdt == 0) {
            return 0;
        }
        putInt(fdt + Fdtable.MAX_FDS, max);
        final long fd = g.kmalloc(Fdtables.fdArrayBytes(max));
        if (fd == 0) {
            g.kfree(fdt);
            return 0;
        }
        putLong(fdt + Fdtable.FD, fd);
        final long bits = g.kmalloc(Fdtables.bitmapBytes(max));
        if (bits == 0) {
            g.kfree(fd);
            g.kfree(fdt);
            return 0;
        }
        final long bytes = Integer.toUnsignedLong(max) / Byte.SIZE;
        putLong(fdt + Fdtable.OPEN_FDS, bits);
        putLong(fdt + Fdtable.CLOSE_ON_EXEC, bits + bytes);
        putLong(fdt + Fdtable.FULL_FDS_BITS, bits + 2 * bytes);
        return fdt;
    }

    /** __free_fdtable: the arrays, then the struct. */
    static void freeFdtable(Globals g, long fdt) {
        g.kfree(getLong(fdt + Fdtable.FD));
        g.kfree(getLong(fdt + Fdtable.OPEN_FDS));
        g.kfree(fdt);
    }

    /** free_fdtable_rcu: the RCU callback of a table expand_fdtable replaced. */
    public static void freeFdtableRcu(Globals g, long head) {
        freeFdtable(g, head - Fdtable.RCU);
    }

    /**
     * copy_fd_bitmaps: the first {@code count} bits of open_fds and close_on_exec and the words of
     * full_fds_bits that cover them, then zeros to the new table's end.
     */
    static void copyFdBitmaps(long nfdt, long ofdt, int count) {
        final long nmax = Integer.toUnsignedLong(getInt(nfdt + Fdtable.MAX_FDS));
        long cpy = Integer.toUnsignedLong(count) / Byte.SIZE;
        long set = (nmax - Integer.toUnsignedLong(count)) / Byte.SIZE;
        copyThenZero(getLong(nfdt + Fdtable.OPEN_FDS), getLong(ofdt + Fdtable.OPEN_FDS), cpy, set);
        copyThenZero(getLong(nfdt + Fdtable.CLOSE_ON_EXEC), getLong(ofdt + Fdtable.CLOSE_ON_EXEC), cpy, set);
        cpy = Fdtables.bitbitSize(Integer.toUnsignedLong(count));
        set = Fdtables.bitbitSize(nmax) - cpy;
        copyThenZero(getLong(nfdt + Fdtable.FULL_FDS_BITS), getLong(ofdt + Fdtable.FULL_FDS_BITS), cpy, set);
    }

    private static void copyThenZero(long dst, long src, long cpy, long set) {
        if (cpy > 0) {
            Mem.copy(src, dst, cpy);
        }
        if (set > 0) {
            Mem.zero(dst + cpy, set);
        }
    }

    /** copy_fdtable: every pointer of the old table's fd array, zeros beyond, and the bitmaps. */
    static void copyFdtable(long nfdt, long ofdt) {
        final long omax = Integer.toUnsignedLong(getInt(ofdt + Fdtable.MAX_FDS));
        final long nmax = Integer.toUnsignedLong(getInt(nfdt + Fdtable.MAX_FDS));
        if (nmax < omax) {
            throw new IllegalStateException("copy_fdtable: the new table is smaller");
        }
        copyThenZero(getLong(nfdt + Fdtable.FD), getLong(ofdt + Fdtable.FD), omax * Long.BYTES, (nmax - omax) * Long.BYTES);
        copyFdBitmaps(nfdt, ofdt, (int) omax);
    }

    /**
     * expand_fdtable, with file_lock held throughout: a new table for {@code nr}, the old one
     * copied into it and retired through RCU unless it is the embedded one.
     *
     * @return 1, or -ENOMEM, or -EMFILE when fs.nr_open leaves no room for {@code nr}
     */
    static int expandFdtable(Globals g, long files, int nr) {
        final long newFdt = allocFdtable(g, nr);
        if (newFdt == 0) {
            return -Errno.ENOMEM;
        }
        if (Integer.compareUnsigned(getInt(newFdt + Fdtable.MAX_FDS), nr) <= 0) {
            freeFdtable(g, newFdt);
            return -Errno.EMFILE;
        }
        final long curFdt = filesFdtable(files);
        copyFdtable(newFdt, curFdt);
        Mem.putLongRelease(files + FilesStruct.FDT, newFdt); // rcu_assign_pointer
        if (curFdt != files + FilesStruct.FDTAB) {
            g.rcu.callRcu(curFdt + Fdtable.RCU, g.freeFdtableRcuFn);
        }
        return 1;
    }

    /**
     * expand_files, with file_lock held: makes room for descriptor {@code nr}.
     *
     * @return 0 when the table holds it already, 1 when it was expanded, -EMFILE past fs.nr_open,
     *         -ENOMEM
     */
    static int expandFiles(Globals g, long files, int nr) {
        final long fdt = filesFdtable(files);
        if (Integer.compareUnsigned(nr, getInt(fdt + Fdtable.MAX_FDS)) < 0) {
            return 0;
        }
        if (Integer.compareUnsigned(nr, g.sysctlNrOpen) >= 0) {
            return -Errno.EMFILE;
        }
        Mem.putByte(files + FilesStruct.RESIZE_IN_PROGRESS, (byte) 1);
        final int expanded = expandFdtable(g, files, nr);
        Mem.putByte(files + FilesStruct.RESIZE_IN_PROGRESS, (byte) 0);
        // wake_up_all(&files->resize_wait): nobody waits, the lock was held throughout
        return expanded;
    }

    // ------------------------------------------------------------------------------------------
    // Bitmaps
    // ------------------------------------------------------------------------------------------

    private static long wordAddr(long fdt, long field, int bit) {
        return getLong(fdt + field) + (long) (bit >>> 6) * Long.BYTES;
    }

    static boolean testBit(long fdt, long field, int bit) {
        return (getLong(wordAddr(fdt, field, bit)) & (1L << (bit & 63))) != 0;
    }

    private static void setBit(long fdt, long field, int bit) {
        final long w = wordAddr(fdt, field, bit);
        putLong(w, getLong(w) | 1L << (bit & 63));
    }

    private static void clearBit(long fdt, long field, int bit) {
        final long w = wordAddr(fdt, field, bit);
        putLong(w, getLong(w) & ~(1L << (bit & 63)));
    }

    /** __set_open_fd: the bit, and its word's full_fds_bits bit when the word is full. */
    static void setOpenFd(int fd, long fdt) {
        setBit(fdt, Fdtable.OPEN_FDS, fd);
        if (getLong(wordAddr(fdt, Fdtable.OPEN_FDS, fd)) == -1L) {
            setBit(fdt, Fdtable.FULL_FDS_BITS, fd / BITS_PER_LONG);
        }
    }

    /** __clear_open_fd. */
    static void clearOpenFd(int fd, long fdt) {
        clearBit(fdt, Fdtable.OPEN_FDS, fd);
        clearBit(fdt, Fdtable.FULL_FDS_BITS, fd / BITS_PER_LONG);
    }

    /** count_open_files: one past the last word of open_fds with a bit set, in descriptors. */
    static int countOpenFiles(long fdt) {
        final int size = getInt(fdt + Fdtable.MAX_FDS);
        final long open = getLong(fdt + Fdtable.OPEN_FDS);
        int i;
        for (i = size / BITS_PER_LONG; i > 0;) {
            if (getLong(open + (long) --i * Long.BYTES) != 0) {
                break;
            }
        }
        return (i + 1) * BITS_PER_LONG;
    }

    /** find_next_zero_bit over {@code size} bits of the bitmap at {@code map}, from {@code offset}. */
    static int findNextZeroBit(long map, int size, int offset) {
        for (int i = offset; Integer.compareUnsigned(i, size) < 0;) {
            final long word = ~getLong(map + (long) (i >>> 6) * Long.BYTES) & (-1L << (i & 63));
            if (word != 0) {
                final int bit = (i & ~63) + Long.numberOfTrailingZeros(word);
                return Integer.compareUnsigned(bit, size) < 0 ? bit : size;
            }
            i = (i & ~63) + 64;
        }
        return size;
    }

    /** find_next_fd: the lowest free descriptor from {@code start}, skipping full words. */
    static int findNextFd(long fdt, int start) {
        final int maxfd = getInt(fdt + Fdtable.MAX_FDS);
        final int maxbit = maxfd / BITS_PER_LONG;
        int bitbit = start / BITS_PER_LONG;
        bitbit = findNextZeroBit(getLong(fdt + Fdtable.FULL_FDS_BITS), maxbit, bitbit) * BITS_PER_LONG;
        if (Integer.compareUnsigned(bitbit, maxfd) > 0) {
            return maxfd;
        }
        if (Integer.compareUnsigned(bitbit, start) > 0) {
            start = bitbit;
        }
        return findNextZeroBit(getLong(fdt + Fdtable.OPEN_FDS), maxfd, start);
    }

    // ------------------------------------------------------------------------------------------
    // dup_fd
    // ------------------------------------------------------------------------------------------

    /**
     * dup_fd: a new files_struct with a copy of {@code oldf}'s open files up to {@code maxFds}
     * (unsigned; NR_OPEN_MAX for all), each file's f_count raised once; the close_on_exec and
     * open bitmaps and full_fds_bits copied; a reserved descriptor whose file is not installed yet
     * left free in the copy.
     *
     * @return the new files_struct, or -ENOMEM, or -EMFILE when fs.nr_open is below what must be
     *         copied (ERR_PTR style: test with {@link Errno#isError})
     */
    public static long dupFd(Globals g, long oldf, int maxFds) {
        final long newf = g.alloc(g.forkInit.filesCachep());
        if (newf == 0) {
            return -Errno.ENOMEM;
        }
        putInt(newf + FilesStruct.COUNT, 1);
        initEmbedded(newf);
        long newFdt = newf + FilesStruct.FDTAB;

        final long lock = oldf + FilesStruct.FILE_LOCK;
        Spinlock.lock(lock);
        long oldFdt = filesFdtable(oldf);
        int openFiles = Fdtables.saneFdtableSize(countOpenFiles(oldFdt), maxFds);
        while (Integer.compareUnsigned(openFiles, getInt(newFdt + Fdtable.MAX_FDS)) > 0) {
            Spinlock.unlock(lock);
            if (newFdt != newf + FilesStruct.FDTAB) {
                freeFdtable(g, newFdt);
            }
            newFdt = allocFdtable(g, openFiles - 1);
            if (newFdt == 0) {
                g.free(g.forkInit.filesCachep(), newf);
                return -Errno.ENOMEM;
            }
            if (Integer.compareUnsigned(getInt(newFdt + Fdtable.MAX_FDS), openFiles) < 0) {
                freeFdtable(g, newFdt); // beyond fs.nr_open
                g.free(g.forkInit.filesCachep(), newf);
                return -Errno.EMFILE;
            }
            Spinlock.lock(lock);
            oldFdt = filesFdtable(oldf); // it may have grown meanwhile
            openFiles = Fdtables.saneFdtableSize(countOpenFiles(oldFdt), maxFds);
        }
        copyFdBitmaps(newFdt, oldFdt, openFiles);
        final long oldFds = getLong(oldFdt + Fdtable.FD);
        final long newFds = getLong(newFdt + Fdtable.FD);
        final long openFds = getLong(newFdt + Fdtable.OPEN_FDS);
        final long fullFdsBits = getLong(newFdt + Fdtable.FULL_FDS_BITS);
        // The copy goes a bitmap word at a time: the empty slots of a word are gathered into one
        // mask and cleared with one store, where 5.12 clears them one __clear_open_fd at a time.
        // Same bits either way. (openFiles is a whole number of words unless maxFds cut it.)
        for (int base = 0; base < openFiles; base += BITS_PER_LONG) {
            final int nr = Math.min(BITS_PER_LONG, openFiles - base);
            long empty = 0;
            for (int b = 0; b < nr; b++) {
                final long slot = (long) (base + b) * Long.BYTES;
                final long f = getLong(oldFds + slot);
                if (f != 0) {
                    FileTable.getFile(f);
                } else {
                    empty |= 1L << b; // reserved by alloc_fd, not yet installed
                }
                putLong(newFds + slot, f);
            }
            if (empty != 0) {
                final int w = base / BITS_PER_LONG;
                final long open = openFds + (long) w * Long.BYTES;
                putLong(open, getLong(open) & ~empty);
                final long full = fullFdsBits + (long) (w / BITS_PER_LONG) * Long.BYTES;
                putLong(full, getLong(full) & ~(1L << (w & 63)));
            }
        }
        Spinlock.unlock(lock);
        final long rest = Integer.toUnsignedLong(getInt(newFdt + Fdtable.MAX_FDS)) - openFiles;
        if (rest > 0) {
            Mem.zero(newFds + (long) openFiles * Long.BYTES, rest * Long.BYTES);
        }
        Mem.putLongRelease(newf + FilesStruct.FDT, newFdt);
        return newf;
    }

    // ------------------------------------------------------------------------------------------
    // The end of a files_struct
    // ------------------------------------------------------------------------------------------

    /** close_files: every open file closed (filp_close), its slot cleared; the last reference needs no lock. */
    static long closeFiles(Globals g, long files) {
        final long fdt = filesFdtable(files);
        final int max = getInt(fdt + Fdtable.MAX_FDS);
        final long open = getLong(fdt + Fdtable.OPEN_FDS);
        final long fds = getLong(fdt + Fdtable.FD);
        for (int j = 0; j * BITS_PER_LONG < max; j++) {
            long set = getLong(open + (long) j * Long.BYTES);
            for (int i = j * BITS_PER_LONG; set != 0; i++, set >>>= 1) {
                if ((set & 1) != 0) {
                    final long file = Mem.getAndSetLong(fds + (long) i * Long.BYTES, 0); // xchg
                    if (file != 0) {
                        filpClose(g, file, files);
                    }
                }
            }
        }
        return fdt;
    }

    /** get_files_struct's increment: another user of the table (copy_files' CLONE_FILES). */
    public static void getFilesStruct(long files) {
        Mem.getAndAddInt(files + FilesStruct.COUNT, 1);
    }

    /**
     * put_files_struct: the last reference closes every file and frees the table (a table of its
     * own at once, not through RCU) and the files_struct. A put of a table whose count is already
     * 0 is refused and reported.
     */
    public static void putFilesStruct(Globals g, long files) {
        if (atomicDecAndTest(files + FilesStruct.COUNT, "put_files_struct")) {
            final long fdt = closeFiles(g, files);
            if (fdt != files + FilesStruct.FDTAB) {
                freeFdtable(g, fdt);
            }
            g.free(g.forkInit.filesCachep(), files);
        }
    }

    /** atomic_dec_and_test on a count that must not go below 0 (a put at 0 is refused, the count kept). */
    static boolean atomicDecAndTest(long count, String what) {
        int c;
        do {
            c = getInt(count);
            if (c <= 0) {
                throw new IllegalStateException(what + ": count already " + c + " at 0x" + Long.toHexString(count));
            }
        } while (!Mem.compareAndSetInt(count, c, c - 1));
        return c == 1;
    }

    /** exit_files: the task lets go of its table (tsk->files cleared under task_lock), then put_files_struct. */
    public static void exitFiles(Globals g, long tsk) {
        final long files = getLong(tsk + TaskStruct.FILES);
        if (files != 0) {
            Spinlock.lock(tsk + TaskStruct.ALLOC_LOCK);
            putLong(tsk + TaskStruct.FILES, 0);
            Spinlock.unlock(tsk + TaskStruct.ALLOC_LOCK);
            putFilesStruct(g, files);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Descriptors
    // ------------------------------------------------------------------------------------------

    /**
     * alloc_fd: the lowest free descriptor in [start, end) of {@code files}, from next_fd on,
     * expanding the table when needed; marked open, close_on_exec as {@code flags} say.
     *
     * @return the descriptor, or -EMFILE (none below end, or past fs.nr_open), or -ENOMEM
     */
    static int allocFd(Globals g, long files, int start, int end, int flags) {
        final long lock = files + FilesStruct.FILE_LOCK;
        Spinlock.lock(lock);
        try {
            int fd;
            long fdt;
            while (true) {
                fdt = filesFdtable(files);
                fd = start;
                final int next = getInt(files + FilesStruct.NEXT_FD);
                if (Integer.compareUnsigned(fd, next) < 0) {
                    fd = next;
                }
                if (Integer.compareUnsigned(fd, getInt(fdt + Fdtable.MAX_FDS)) < 0) {
                    fd = findNextFd(fdt, fd);
                }
                // for tasks sharing the table this limits the files of all of them together
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
                // expanded: look again in the new table
            }
            if (Integer.compareUnsigned(start, getInt(files + FilesStruct.NEXT_FD)) <= 0) {
                putInt(files + FilesStruct.NEXT_FD, fd + 1);
            }
            setOpenFd(fd, fdt);
            if ((flags & OpenFlags.O_CLOEXEC) != 0) {
                setBit(fdt, Fdtable.CLOSE_ON_EXEC, fd);
            } else {
                clearBit(fdt, Fdtable.CLOSE_ON_EXEC, fd);
            }
            final long slot = getLong(fdt + Fdtable.FD) + (long) fd * Long.BYTES;
            if (getLong(slot) != 0) {
                g.log.warn("alloc_fd: slot " + fd + " not NULL!"); // 5.12's sanity check
                putLong(slot, 0);
            }
            return fd;
        } finally {
            Spinlock.unlock(lock);
        }
    }

    /** __get_unused_fd_flags: a descriptor of current's table below {@code nofile} (unsigned). */
    public static int getUnusedFdFlags(Globals g, long current, int flags, long nofile) {
        final int end = nofile >= 0xffffffffL || nofile < 0 ? -1 : (int) nofile;
        return allocFd(g, getLong(current + TaskStruct.FILES), 0, end, flags);
    }

    /**
     * get_unused_fd_flags: a descriptor of current's table below its RLIMIT_NOFILE, read from
     * {@code current->signal->rlim[RLIMIT_NOFILE].rlim_cur}.
     */
    public static int getUnusedFdFlags(Globals g, long current, int flags) {
        return getUnusedFdFlags(g, current, flags, rlimitNofile(current));
    }

    /** rlimit(RLIMIT_NOFILE): the soft limit in current's signal_struct. */
    static long rlimitNofile(long current) {
        final long sig = getLong(current + TaskStruct.SIGNAL);
        if (sig == 0) {
            throw new IllegalStateException("rlimit: task 0x" + Long.toHexString(current) + " has no signal_struct");
        }
        return getLong(sig + SignalStruct.RLIM + (long) Resource.RLIMIT_NOFILE * Rlimit.SIZEOF + Rlimit.RLIM_CUR);
    }

    /** __put_unused_fd, with file_lock held: the descriptor is free again, and next_fd may go down to it. */
    private static void putUnusedFd0(long files, int fd) {
        clearOpenFd(fd, filesFdtable(files));
        if (Integer.compareUnsigned(fd, getInt(files + FilesStruct.NEXT_FD)) < 0) {
            putInt(files + FilesStruct.NEXT_FD, fd);
        }
    }

    /** put_unused_fd: gives back a descriptor alloc_fd reserved and nothing was installed in. */
    public static void putUnusedFd(long current, int fd) {
        final long files = getLong(current + TaskStruct.FILES);
        Spinlock.lock(files + FilesStruct.FILE_LOCK);
        putUnusedFd0(files, fd);
        Spinlock.unlock(files + FilesStruct.FILE_LOCK);
    }

    /**
     * fd_install: {@code file} (whose reference the table takes over) into the descriptor alloc_fd
     * reserved. A slot already filled is a kernel bug (BUG_ON).
     */
    public static void fdInstall(long current, int fd, long file) {
        final long files = getLong(current + TaskStruct.FILES);
        Spinlock.lock(files + FilesStruct.FILE_LOCK);
        try {
            final long slot = getLong(filesFdtable(files) + Fdtable.FD) + (long) fd * Long.BYTES;
            if (getLong(slot) != 0) {
                throw new IllegalStateException("BUG: fd_install into fd " + fd + ", which holds a file");
            }
            Mem.putLongRelease(slot, file);
        } finally {
            Spinlock.unlock(files + FilesStruct.FILE_LOCK);
        }
    }

    /** The file at {@code fd} of {@code files}, or 0 (files_lookup_fd_raw; no reference taken). */
    public static long lookupFd(long files, int fd) {
        Spinlock.lock(files + FilesStruct.FILE_LOCK);
        try {
            final long fdt = filesFdtable(files);
            if (Integer.compareUnsigned(fd, getInt(fdt + Fdtable.MAX_FDS)) >= 0) {
                return 0;
            }
            return getLong(getLong(fdt + Fdtable.FD) + (long) fd * Long.BYTES);
        } finally {
            Spinlock.unlock(files + FilesStruct.FILE_LOCK);
        }
    }

    /**
     * __fget_files: the file at {@code fd} of {@code files} with a reference taken under the
     * table's lock (so a close cannot free it in between), or 0. The caller fputs it.
     */
    public static long fget(long files, int fd) {
        Spinlock.lock(files + FilesStruct.FILE_LOCK);
        try {
            final long fdt = filesFdtable(files);
            if (Integer.compareUnsigned(fd, getInt(fdt + Fdtable.MAX_FDS)) >= 0) {
                return 0;
            }
            final long file = getLong(getLong(fdt + Fdtable.FD) + (long) fd * Long.BYTES);
            return file == 0 ? 0 : FileTable.getFile(file);
        } finally {
            Spinlock.unlock(files + FilesStruct.FILE_LOCK);
        }
    }

    /** pick_file: takes the file out of {@code fd} and frees the descriptor; 0 when there is none. */
    static long pickFile(long files, int fd) {
        Spinlock.lock(files + FilesStruct.FILE_LOCK);
        try {
            final long fdt = filesFdtable(files);
            if (Integer.compareUnsigned(fd, getInt(fdt + Fdtable.MAX_FDS)) >= 0) {
                return 0;
            }
            final long slot = getLong(fdt + Fdtable.FD) + (long) fd * Long.BYTES;
            final long file = getLong(slot);
            if (file == 0) {
                return 0;
            }
            putLong(slot, 0);
            putUnusedFd0(files, fd);
            return file;
        } finally {
            Spinlock.unlock(files + FilesStruct.FILE_LOCK);
        }
    }

    /** close_fd: closes descriptor {@code fd} of current's table; -EBADF when it holds no file. */
    public static int closeFd(Globals g, long current, int fd) {
        final long files = getLong(current + TaskStruct.FILES);
        final long file = pickFile(files, fd);
        if (file == 0) {
            return -Errno.EBADF;
        }
        return filpClose(g, file, files);
    }

    /**
     * filp_close (fs/open.c): f_op->flush, then fput. A file whose count is already 0 is reported
     * ("VFS: Close: file count is 0") and left alone.
     */
    public static int filpClose(Globals g, long file, long id) {
        if (getLong(file + File.F_COUNT) == 0) {
            g.log.alert("VFS: Close: file count is 0");
            return 0;
        }
        int retval = 0;
        final long fops = getLong(file + File.F_OP);
        final long flush = fops == 0 ? 0 : getLong(fops + FileOperations.FLUSH);
        if (flush != 0) {
            final FileTable.FlushMethod fn = g.fileTable.text().resolve(flush, FileTable.FlushMethod.class);
            if (fn == null) {
                throw new IllegalStateException("filp_close: f_op->flush is no flush method: " + g.fileTable.text().symbol(flush));
            }
            retval = fn.flush(file, id);
        }
        g.fileTable.fput(file);
        return retval;
    }

    /**
     * do_close_on_exec: every descriptor marked close-on-exec is closed and its mark cleared
     * (execve, after unshare_files). file_lock is dropped around each filp_close.
     */
    public static void doCloseOnExec(Globals g, long files) {
        final long lock = files + FilesStruct.FILE_LOCK;
        Spinlock.lock(lock);
        for (int i = 0;; i++) {
            int fd = i * BITS_PER_LONG;
            long fdt = filesFdtable(files);
            if (Integer.compareUnsigned(fd, getInt(fdt + Fdtable.MAX_FDS)) >= 0) {
                break;
            }
            final long word = getLong(fdt + Fdtable.CLOSE_ON_EXEC) + (long) i * Long.BYTES;
            long set = getLong(word);
            if (set == 0) {
                continue;
            }
            putLong(word, 0);
            for (; set != 0; fd++, set >>>= 1) {
                if ((set & 1) == 0) {
                    continue;
                }
                final long slot = getLong(fdt + Fdtable.FD) + (long) fd * Long.BYTES;
                final long file = getLong(slot);
                if (file == 0) {
                    continue;
                }
                putLong(slot, 0);
                putUnusedFd0(files, fd);
                Spinlock.unlock(lock);
                filpClose(g, file, files);
                Spinlock.lock(lock);
                fdt = filesFdtable(files);
            }
        }
        Spinlock.unlock(lock);
    }

    // ------------------------------------------------------------------------------------------
    // Views and checks
    // ------------------------------------------------------------------------------------------

    /** Whether {@code fd} is marked close-on-exec. */
    public static boolean closeOnExec(long files, int fd) {
        final long fdt = filesFdtable(files);
        return Integer.compareUnsigned(fd, getInt(fdt + Fdtable.MAX_FDS)) < 0 && testBit(fdt, Fdtable.CLOSE_ON_EXEC, fd);
    }

    /** Whether {@code fd} is marked open. */
    public static boolean fdIsOpen(long files, int fd) {
        final long fdt = filesFdtable(files);
        return Integer.compareUnsigned(fd, getInt(fdt + Fdtable.MAX_FDS)) < 0 && testBit(fdt, Fdtable.OPEN_FDS, fd);
    }

    /**
     * The invariants of the class comment, checked over {@code files}: the table's shape, full_fds_bits
     * against open_fds, every installed file's descriptor marked open and its count positive,
     * next_fd at or below the lowest free descriptor.
     *
     * @return the number of installed files
     */
    public static int validate(long files) {
        final long fdt = filesFdtable(files);
        final int max = getInt(fdt + Fdtable.MAX_FDS);
        check(fdt == files + FilesStruct.FDTAB ? max == NR_OPEN_DEFAULT : max % BITS_PER_LONG == 0 && max > 0,
            "max_fds " + max);
        int installed = 0;
        int lowestFree = -1;
        for (int fd = 0; fd < max; fd++) {
            final long f = getLong(getLong(fdt + Fdtable.FD) + (long) fd * Long.BYTES);
            final boolean open = testBit(fdt, Fdtable.OPEN_FDS, fd);
            if (f != 0) {
                installed++;
                check(open, "fd " + fd + " holds a file but is not marked open");
                check(getLong(f + File.F_COUNT) > 0, "fd " + fd + " holds a freed file");
            }
            if (!open && lowestFree < 0) {
                lowestFree = fd;
            }
        }
        for (int w = 0; w < max / BITS_PER_LONG; w++) {
            final boolean full = getLong(getLong(fdt + Fdtable.OPEN_FDS) + (long) w * Long.BYTES) == -1L;
            check(full == testBit(fdt, Fdtable.FULL_FDS_BITS, w), "full_fds_bits word " + w);
        }
        check(lowestFree < 0 || Integer.compareUnsigned(getInt(files + FilesStruct.NEXT_FD), lowestFree) <= 0,
            "next_fd " + getInt(files + FilesStruct.NEXT_FD) + " above the free fd " + lowestFree);
        return installed;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("files_struct: " + what);
        }
    }
}
