package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.agrona.collections.Long2LongHashMap;
import org.kfork.kernel.fs.FileTable;
import org.kfork.kernel.fs.Inodes;
import org.kfork.kernel.struct.File;
import org.kfork.kernel.struct.Inode;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Mem;
import org.kfork.mm.Overcommit;
import org.kfork.mm.VmFlags;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;

/**
 * 5.12 mm/shmem.c, the part shared anonymous memory needs: shmem_zero_setup with
 * __shmem_file_setup (shmem_acct_size, shmem_get_inode, alloc_file_pseudo), shmem_evict_inode
 * (the page cache goes, then shmem_unacct_size), shmem_file and SHMEM_I(inode)->flags. One per
 * {@link OffHeapMmSystem}, whose kernel data page holds shmem_file_operations and shmem_vm_ops;
 * shmem_fault is {@link Filemap}'s. The heap twin is {@code org.kfork.heap.mm.HeapShmem}.
 *
 * <p>Invariants kept:
 * <ul>
 *   <li>A shmem file's size is charged to overcommit once, when shmem_zero_setup makes it (none for
 *       VM_NORESERVE, nor for a MAP_HUGETLB area), and given back once, when its inode is evicted
 *       after the last fput. A setup that fails leaves no charge and no inode behind.</li>
 *   <li>Every shmem inode, and no other, has its SHMEM_I flags from its setup to its eviction.
 *       The page cache of a VM_NORESERVE file is charged page by page as it faults ({@link Filemap})
 *       and those pages' charge goes back with the page cache at eviction.</li>
 *   <li>A file is a shmem file exactly when its f_op is shmem_file_operations; its pages count as
 *       MM_SHMEMPAGES, not MM_FILEPAGES.</li>
 * </ul>
 */
final class Shmem {
    /** S_PRIVATE (i_flags): an inode of the kernel's own, outside security checks. */
    private static final int S_PRIVATE = 0x200;

    private final OffHeapMmSystem sys;
    private final Overcommit overcommit;
    private final FileTable files;
    /** &amp;shmem_file_operations and &amp;shmem_vm_ops, in the system's kernel data page. */
    private final long shmemFileOperations;
    private final long shmemVmOps;
    /** SHMEM_I(inode)->flags of the shmem inodes (VM_NORESERVE or 0). Guarded by itself. */
    private final Long2LongHashMap shmemFlags = new Long2LongHashMap(-1);
    /** shmem's super_operations.evict_inode. */
    private final Inodes.EvictMethod shmemEvictInode = this::shmemEvictInode;

    Shmem(OffHeapMmSystem sys, Overcommit overcommit, FileTable files, long shmemFileOperations, long shmemVmOps) {
        this.sys = sys;
        this.overcommit = overcommit;
        this.files = files;
        this.shmemFileOperations = shmemFileOperations;
        this.shmemVmOps = shmemVmOps;
    }

    /**
     * shmem_file: whether {@code f} is a shmem file (its pages are MM_SHMEMPAGES). 5.12 asks its
     * mapping's a_ops (shmem_aops); the model's mappings have none, so this asks its f_op.
     */
    boolean isShmemFile(long f) {
        return getLong(f + File.F_OP) == shmemFileOperations;
    }

    /** SHMEM_I(inode)->flags of a shmem inode (VM_NORESERVE or 0), kept Java-side by inode. */
    long shmemFlags(long inode) {
        synchronized (shmemFlags) {
            return shmemFlags.get(inode);
        }
    }

    /**
     * shmem_zero_setup with __shmem_file_setup: shared anonymous memory is a file of its own.
     * shmem_acct_size charges the VMA's size to overcommit first (unless VM_NORESERVE; a
     * MAP_HUGETLB area's file never: {@link VmRules#shmemZeroAcctFlags}); then an unlinked shmem
     * inode of that size (shmem_get_inode: i_ino, S_PRIVATE, no links), whose eviction gives the
     * charge back (shmem_evict_inode), opened O_RDWR through alloc_file_pseudo with
     * shmem_file_operations; the VMA takes the file and shmem_vm_ops. The model has no pseudo
     * dentry, so alloc_file_pseudo's own allocation is not made. SHMEM_I(inode)->flags (its
     * VM_NORESERVE) is kept Java-side by inode: shmem_inode_info is not modelled.
     *
     * @return 0, -ENOMEM when the charge is refused, -ENOSPC when the inode cannot be allocated
     *         (shmem_get_inode), or the file's errno
     */
    int shmemZeroSetup(long vma, long mmTotalVm) {
        final long size = getLong(vma + VmAreaStruct.VM_END) - getLong(vma + VmAreaStruct.VM_START);
        final long acctFlags = VmRules.shmemZeroAcctFlags(getLong(vma + VmAreaStruct.VM_FLAGS));
        final int err = overcommit.shmemAcctSize(acctFlags, size, mmTotalVm);
        if (err != 0) {
            return err;
        }
        final Inodes inodes = files.inodes();
        final long inode = inodes.newInodePseudo(); // shmem_get_inode
        if (inode == 0) {
            overcommit.shmemUnacctSize(acctFlags, size);
            return -Errno.ENOSPC;
        }
        putLong(inode + Inode.I_INO, Integer.toUnsignedLong(inodes.getNextIno()));
        Mem.putShort(inode + Inode.I_MODE, (short) (Inodes.S_IFREG | Inodes.S_IRWXUGO));
        putInt(inode + Inode.I_FLAGS, Mem.getInt(inode + Inode.I_FLAGS) | S_PRIVATE);
        synchronized (shmemFlags) {
            shmemFlags.put(inode, acctFlags & VmFlags.VM_NORESERVE);
        }
        inodes.setEvictInode(inode, shmemEvictInode);
        putLong(inode + Inode.I_SIZE, size);
        putInt(inode + Inode.__I_NLINK, 0); // clear_nlink: it is unlinked
        final long file = files.allocFile(inode, "/dev/zero (deleted)", OpenFlags.O_RDWR,
            shmemFileOperations, 0);
        if (Errno.isError(file)) {
            inodes.iput(inode); // its eviction gives the charge back
            return (int) file;
        }
        putLong(vma + VmAreaStruct.VM_FILE, file);
        putLong(vma + VmAreaStruct.VM_OPS, shmemVmOps);
        return 0;
    }

    /**
     * shmem_evict_inode: shmem_truncate_range frees the page cache (shmem_unacct_blocks gives
     * back the pages' charge of a VM_NORESERVE file), then the charge of the inode's size goes
     * back (shmem_unacct_size).
     */
    private void shmemEvictInode(long inode) {
        final long flags;
        synchronized (shmemFlags) {
            flags = shmemFlags.remove(inode);
        }
        if (flags < 0) {
            throw new IllegalStateException("shmem_evict_inode: 0x" + Long.toHexString(inode) + " is no shmem inode");
        }
        final long freed;
        sys.bkl.lock();
        try {
            freed = Filemap.truncateInodePagesFinal(sys, inode + Inode.I_DATA);
        } finally {
            sys.bkl.unlock();
        }
        if ((flags & VmFlags.VM_NORESERVE) != 0) {
            overcommit.vmUnacctMemory(freed);
        }
        overcommit.shmemUnacctSize(flags, getLong(inode + Inode.I_SIZE));
    }
}
