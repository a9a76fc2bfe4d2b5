package org.kfork.heap.mm;

import org.kfork.heap.ds.HeapIdrRoot;
import org.kfork.heap.ds.HeapIntervalTree;
import org.kfork.heap.ds.HeapRbRootCached;
import org.kfork.mm.MappedFile;

/**
 * The heap twin of the minimal file model: {@code struct file} (f_count, f_mode, the path) over an
 * inode with i_writecount and an address_space with i_mmap and i_mmap_writable. Inode and mapping
 * are folded into this object: each file has its own inode here.
 */
public final class HeapFile implements MappedFile {
    /** A vm_operations_struct: whether it has open/close (the generic file vm_ops has neither). */
    public static final class VmOps {
        /** Whether it has open (and close). */
        public final boolean hasOpen;

        VmOps(boolean hasOpen) {
            this.hasOpen = hasOpen;
        }
    }

    static final VmOps GENERIC_FILE_VM_OPS = new VmOps(false);
    /** shmem_vm_ops: no open/close either; it marks a shmem file, whose eviction uncharges it. */
    static final VmOps SHMEM_VM_OPS = new VmOps(false);

    final HeapMmSystem sys;
    final String path;
    final long ino;
    final boolean fmodeWrite;
    final VmOps vmOps;
    /** f_count. */
    public long fCount = 1;
    /** inode->i_writecount. */
    public int iWritecount;
    /** mapping->i_mmap_writable. */
    public int iMmapWritable;
    /** mapping->i_mmap. */
    public final HeapRbRootCached iMmap = new HeapRbRootCached();
    /** vm_ops->open calls less vm_ops->close calls. */
    public long vmOpens;
    /** inode->i_size: a shmem file's size, which shmem_acct_size charged. */
    long iSize;
    /** SHMEM_I(inode)->flags: VM_NORESERVE or 0, for a shmem file. */
    long shmemFlags;
    /** mapping->i_pages: the page cache, page index to the page's physical address (see {@link HeapFilemap}). */
    final HeapIdrRoot<Long> iPages = new HeapIdrRoot<>();
    /** mapping->nrpages. */
    long nrpages;

    HeapFile(HeapMmSystem sys, String path, long ino, boolean writable, VmOps vmOps) {
        this.sys = sys;
        this.path = path;
        this.ino = ino;
        this.fmodeWrite = writable;
        this.vmOps = vmOps;
        if (writable) {
            iWritecount = 1; // get_write_access at open
        }
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public long refcount() {
        return fCount;
    }

    @Override
    public int iWritecount() {
        return iWritecount;
    }

    @Override
    public int iMmapWritable() {
        return iMmapWritable;
    }

    @Override
    public int iMmapCount() {
        return iMmap.node() == null ? 0 : HeapIntervalTree.validate(iMmap);
    }

    @Override
    public long vmOpenCount() {
        return vmOpens;
    }

    @Override
    public long nrpages() {
        return nrpages;
    }

    @Override
    public long ino() {
        return ino;
    }

    @Override
    public void get() {
        sys.locked(this::getLocked);
    }

    /** get_file with the big lock already held. */
    public void getLocked() {
        fCount++;
    }

    @Override
    public void fput() {
        sys.locked(this::fputLocked);
    }

    /** fput with the big lock already held. */
    public void fputLocked() {
        if (fCount <= 0) {
            throw new IllegalStateException("fput of a freed file " + path);
        }
        if (--fCount == 0) {
            // __fput: a writer gives back its write access, a shmem inode its charge; then the file is freed.
            if (fmodeWrite) {
                iWritecount--;
            }
            HeapFilemap.truncateInodePagesFinal(sys, this); // evict: the page cache goes with the inode
            if (vmOps == SHMEM_VM_OPS) { // shmem_evict_inode
                sys.overcommit().shmemUnacctSize(shmemFlags, iSize);
            }
            sys.freed(HeapMmSystem.FILP);
        }
    }

    @Override
    public String toString() {
        return path;
    }
}
