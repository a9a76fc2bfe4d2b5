package org.kfork.heap.fs;

import java.util.concurrent.atomic.AtomicInteger;

import org.kfork.fs.Fdtables;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct files_struct}: count, the current table (fdt), the embedded
 * table fdtab over the embedded arrays, file_lock, next_fd. resize_wait is not kept: the model
 * never waits on it (see org.kfork.kernel.fs.Files). Functions that return one return an error
 * the kernel's way: {@link #errPtr} gives the ERR_PTR sentinel of an errno.
 */
public class HeapFilesStruct {
    /** count: the tasks sharing the table. */
    public final AtomicInteger count = new AtomicInteger();
    /** resize_in_progress. */
    public volatile boolean resizeInProgress;
    /** fdt: the table in use (fdtab or one from alloc_fdtable). */
    public volatile HeapFdtable fdt;
    /** fdtab: the embedded table of NR_OPEN_DEFAULT descriptors. */
    public final HeapFdtable fdtab = new HeapFdtable(Fdtables.NR_OPEN_DEFAULT, new HeapFile[Fdtables.NR_OPEN_DEFAULT],
        new long[1], new long[1], new long[1]);
    /** file_lock. */
    public final HeapSpinlock fileLock = new HeapSpinlock();
    /** next_fd: where alloc_fd starts looking. */
    public int nextFd;

    HeapFilesStruct() {
        fdt = fdtab;
    }

    /** The sentinel of one errno: never a live files_struct. */
    private static final class Err extends HeapFilesStruct implements ErrPtr.Value {
        private final int errno;

        Err(int errno) {
            this.errno = errno;
        }

        @Override
        public int errno() {
            return errno;
        }

        @Override
        public String toString() {
            return "ERR_PTR(-" + Errno.name(errno) + ")";
        }
    }

    private static final ErrPtr.Sentinels<HeapFilesStruct> ERR_PTRS = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR for the functions that return a files_struct (dup_fd). */
    public static HeapFilesStruct errPtr(int err) {
        return ERR_PTRS.of(err);
    }
}
