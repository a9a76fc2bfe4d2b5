package org.kfork.heap.fs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.kfork.heap.ErrPtr;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct file}: the fields the port uses, named as the C fields. f_count
 * is an atomic, as in the kernel ({@link HeapFileTable} updates it through its VarHandle).
 * Functions that return a file return an error the kernel's way: {@link #errPtr} gives the
 * ERR_PTR sentinel of an errno, which {@link ErrPtr#isErr} recognizes.
 */
public class HeapFile {
    static final VarHandle F_COUNT;

    static {
        try {
            F_COUNT = MethodHandles.lookup().findVarHandle(HeapFile.class, "fCount", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** f_count. */
    volatile long fCount;
    /** f_flags. */
    public int fFlags;
    /** f_mode. */
    public int fMode;
    /** f_inode. */
    public HeapInode fInode;
    /** f_mapping. */
    public HeapAddressSpace fMapping;
    /** f_op. */
    public HeapFileOperations fOp;
    /** f_cred (a heap.cred object once credentials exist), or null. */
    public Object fCred;
    /** private_data: the driver's (a pidfd's struct pid). */
    public Object privateData;

    HeapFile() {
    }

    /** f_count. */
    public long fCount() {
        return fCount;
    }

    /** The sentinel of one errno: never a live file. */
    private static final class Err extends HeapFile implements ErrPtr.Value {
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

    private static final ErrPtr.Sentinels<HeapFile> ERR_PTRS = new ErrPtr.Sentinels<>(Err::new);

    /** ERR_PTR for the functions that return a file: the sentinel of {@code err} (a negative errno). */
    public static HeapFile errPtr(int err) {
        return ERR_PTRS.of(err);
    }
}
