package org.kfork.heap.mm;

import java.util.HashMap;
import java.util.Map;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.fs.HeapFileOperations;
import org.kfork.heap.fs.HeapFileTable;
import org.kfork.heap.fs.HeapInode;
import org.kfork.heap.fs.HeapInodes;
import org.kfork.mm.Overcommit;
import org.kfork.mm.VmFlags;
import org.kfork.mm.VmRules;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Shmem}: 5.12 mm/shmem.c's shmem_zero_setup with
 * __shmem_file_setup, shmem_evict_inode, shmem_file and SHMEM_I(inode)->flags, over
 * {@link HeapInode} and {@link HeapFile}, with the same steps in the same order. One per
 * {@link HeapMmSystem}, which holds shmem_file_operations and shmem_vm_ops; shmem_fault is
 * {@link HeapFilemap}'s.
 *
 * <p>Invariants kept:
 * <ul>
 *   <li>A shmem file's size is charged to overcommit once, when shmem_zero_setup makes it (none for
 *       VM_NORESERVE, nor for a MAP_HUGETLB area), and given back once, when its inode is evicted
 *       after the last fput. A setup that fails leaves no charge and no inode behind.</li>
 *   <li>Every shmem inode, and no other, has its SHMEM_I flags from its setup to its eviction.
 *       The page cache of a VM_NORESERVE file is charged page by page as it faults ({@link HeapFilemap})
 *       and those pages' charge goes back with the page cache at eviction.</li>
 *   <li>A file is a shmem file exactly when its f_op is shmem_file_operations; its pages count as
 *       MM_SHMEMPAGES, not MM_FILEPAGES.</li>
 * </ul>
 */
final class HeapShmem {
    private final HeapMmSystem sys;
    private final Overcommit overcommit;
    private final HeapFileTable files;
    private final HeapFileOperations shmemFileOperations;
    private final HeapVmOperations shmemVmOps;
    /** SHMEM_I(inode)->flags of the shmem inodes. Guarded by itself. */
    private final Map<HeapInode, Long> shmemFlags = new HashMap<>();
    /** shmem's super_operations.evict_inode. */
    private final HeapInodes.EvictMethod shmemEvictInode = this::shmemEvictInode;

    HeapShmem(HeapMmSystem sys, Overcommit overcommit, HeapFileTable files, HeapFileOperations shmemFileOperations,
        HeapVmOperations shmemVmOps) {
        this.sys = sys;
        this.overcommit = overcommit;
        this.files = files;
        this.shmemFileOperations = shmemFileOperations;
        this.shmemVmOps = shmemVmOps;
    }

    /** shmem_file: whether {@code f} is a shmem file (its pages are MM_SHMEMPAGES); see the off-heap twin. */
    boolean isShmemFile(HeapFile f) {
        return f.fOp == shmemFileOperations;
    }

    /** SHMEM_I(inode)->flags of a shmem inode (VM_NORESERVE or 0), kept Java-side by inode. */
    long shmemFlags(HeapInode inode) {
        synchronized (shmemFlags) {
            return shmemFlags.getOrDefault(inode, -1L);
        }
    }

    /** shmem_zero_setup with __shmem_file_setup: see the off-heap twin; 0, -ENOMEM, -ENOSPC or the file's errno. */
    int shmemZeroSetup(HeapVma vma, long mmTotalVm) {
        final long size = vma.vmEnd - vma.vmStart;
        final long acctFlags = VmRules.shmemZeroAcctFlags(vma.vmFlags);
        final int err = overcommit.shmemAcctSize(acctFlags, size, mmTotalVm);
        if (err != 0) {
            return err;
        }
        HeapInodes inodes = files.inodes();
        HeapInode inode = inodes.newInodePseudo();
        if (inode == null) {
            overcommit.shmemUnacctSize(acctFlags, size);
            return -Errno.ENOSPC;
        }
        inode.iIno = Integer.toUnsignedLong(inodes.getNextIno());
        inode.iMode = HeapInodes.S_IFREG | HeapInodes.S_IRWXUGO;
        synchronized (shmemFlags) {
            shmemFlags.put(inode, acctFlags & VmFlags.VM_NORESERVE);
        }
        inodes.setEvictInode(inode, shmemEvictInode);
        inode.iSize = size;
        HeapFile file = files.allocFile(inode, "/dev/zero (deleted)", OpenFlags.O_RDWR, shmemFileOperations, null);
        if (ErrPtr.isErr(file)) {
            inodes.iput(inode); // its eviction gives the charge back
            return ErrPtr.ptrErr(file);
        }
        vma.vmFile = file;
        vma.vmOps = shmemVmOps;
        return 0;
    }

    /** shmem_evict_inode: the page cache goes (with its pages' charge), then the size's charge. */
    private void shmemEvictInode(HeapInode inode) {
        final Long flags;
        synchronized (shmemFlags) {
            flags = shmemFlags.remove(inode);
        }
        if (flags == null) {
            throw new IllegalStateException("shmem_evict_inode: " + inode + " is no shmem inode");
        }
        final long freed;
        sys.bkl.lock();
        try {
            freed = HeapFilemap.truncateInodePagesFinal(sys, inode.iData);
        } finally {
            sys.bkl.unlock();
        }
        if ((flags & VmFlags.VM_NORESERVE) != 0) {
            overcommit.vmUnacctMemory(freed);
        }
        overcommit.shmemUnacctSize(flags, inode.iSize);
    }
}
