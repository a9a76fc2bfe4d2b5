package org.kfork.heap.fs;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.locking.HeapSpinlock;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct fs_struct}. Functions that return one return an error the
 * kernel's way: {@link #errPtr} gives the ERR_PTR sentinel of an errno.
 */
public class HeapFsStruct {
    /** users: the tasks sharing it (CLONE_FS). Guarded by {@link #lock}. */
    public int users;
    /** lock. */
    public final HeapSpinlock lock = new HeapSpinlock();
    /** seq (seqcount_spinlock_t): odd while root or pwd changes. */
    public volatile int seq;
    /** umask. */
    public int umask;
    /** in_exec. */
    public int inExec;
    /** root. */
    public final HeapPath root = new HeapPath();
    /** pwd. */
    public final HeapPath pwd = new HeapPath();

    HeapFsStruct() {
    }

    /** The sentinel of one errno: never a live fs_struct. */
    private static final class Err extends HeapFsStruct implements ErrPtr.Value {
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

    private static final ErrPtr.Sentinels<HeapFsStruct> ERR_PTRS = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR for the functions that return an fs_struct (unshare_fs). */
    public static HeapFsStruct errPtr(int err) {
        return ERR_PTRS.of(err);
    }
}
