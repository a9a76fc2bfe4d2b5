package org.kfork.heap.fs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The heap twin of {@code struct inode}: the fields the port uses. i_count and i_writecount are
 * atomics, as in the kernel ({@link HeapInodes} updates them through their VarHandles).
 */
public final class HeapInode {
    static final VarHandle I_COUNT;
    static final VarHandle I_WRITECOUNT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            I_COUNT = l.findVarHandle(HeapInode.class, "iCount", int.class);
            I_WRITECOUNT = l.findVarHandle(HeapInode.class, "iWritecount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** i_mode. */
    public int iMode;
    /** i_ino. */
    public long iIno;
    /** i_size. */
    public long iSize;
    /** i_state. */
    public long iState;
    /** i_count. */
    volatile int iCount;
    /** i_writecount: writers if positive, deny-writers (VM_DENYWRITE maps, exec) if negative. */
    public int iWritecount;
    /** i_data, which i_mapping points to. */
    public final HeapAddressSpace iData = new HeapAddressSpace(this);
    /** i_mapping. */
    public HeapAddressSpace iMapping;

    HeapInode() {
    }

    /** i_count. */
    public int iCount() {
        return iCount;
    }
}
