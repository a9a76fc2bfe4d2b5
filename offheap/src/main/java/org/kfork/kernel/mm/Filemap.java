package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Fault.VM_FAULT_OOM;
import static org.kfork.mm.Fault.VM_FAULT_SIGBUS;
import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.Mman.PAGE_SIZE;

import org.kfork.ds.XArray;
import org.kfork.kernel.fs.FileTable;
import org.kfork.kernel.struct.AddressSpace;
import org.kfork.kernel.struct.Inode;
import org.kfork.machine.Mem;
import org.kfork.machine.Ram;
import org.kfork.mm.VmFlags;

/**
 * The page cache of the mm's files: 5.12 mm/filemap.c's filemap_fault and the page cache it
 * fills (find_get_page, add_to_page_cache), mm/shmem.c's shmem_fault (shmem_getpage_gfp with its
 * per-page overcommit charge for a VM_NORESERVE file, shmem_acct_block), and mm/truncate.c's
 * truncate_inode_pages_final when the inode goes (evict; shmem_evict_inode for a shmem inode).
 * The cache is the inode's address_space: i_pages ({@link AddressSpace#I_PAGES}, an xarray in
 * {@link XArray}'s form keyed by page index) and nrpages ({@link
 * AddressSpace#NRPAGES}); a shmem file's size is its inode's i_size, and its VM_NORESERVE
 * (SHMEM_I(inode)->flags) is kept Java-side by inode in the mm system, shmem_inode_info not being
 * modelled. Static over modeled addresses; the caller holds the big lock. The heap twin is
 * {@link org.kfork.heap.mm.HeapFilemap}.
 *
 * <p>The model's files have no contents: a page the cache does not hold yet is a new zeroed
 * page, as a hole of a sparse file reads (no readahead, no fault-around: the cache holds exactly
 * the pages faulted). A regular file reads as zeros at any offset (the model does not grow its
 * i_size); a shmem file ends at its size (a fault past it is VM_FAULT_SIGBUS). Page indexes stop
 * at INT_MAX (the xarray's indexes here): a fault beyond is VM_FAULT_SIGBUS too.
 *
 * <p>Invariants kept: every page in a mapping's cache is a live user page held by the cache alone
 * (ptes map it without a reference of their own), nrpages counts them, and they all go, with
 * their shmem charge, when the inode's last reference does.
 */
public final class Filemap {
    private Filemap() {
    }

    /** xa_load of i_pages: the page at {@code index} of {@code mapping}'s cache, or 0. */
    static long xaLoad(long mapping, long index) {
        return XArray.xaLoad(mapping + AddressSpace.I_PAGES, index);
    }

    /** find_get_page. */
    static long findGetPage(long mapping, long index) {
        return xaLoad(mapping, index);
    }

    /**
     * add_to_page_cache_lru: {@code page} at {@code index} (xa_insert into an empty slot); 0, or
     * -ENOMEM when a node cannot be allocated.
     */
    static int addToPageCache(OffHeapMmSystem sys, long mapping, long page, long index) {
        int ret = sys.pageCache.xaInsert(mapping + AddressSpace.I_PAGES, index, page);
        if (ret < 0) {
            return ret;
        }
        putLong(mapping + AddressSpace.NRPAGES, getLong(mapping + AddressSpace.NRPAGES) + 1);
        return 0;
    }

    /**
     * The vm_ops->fault of the model's files, for page {@code index} of {@code file}:
     * filemap_fault for a regular file, shmem_fault for a shmem file. Returns the page's physical
     * address (&gt;= 0), or the VM_FAULT_* code negated: -VM_FAULT_SIGBUS past a shmem file's
     * size (or past the cache's indexes) or when a VM_NORESERVE shmem file's page cannot be
     * charged, -VM_FAULT_OOM without memory.
     */
    static long vmFault(OffHeapMmSystem sys, long file, long index, long mmTotalVm) {
        if (index < 0 || index >= Integer.MAX_VALUE) {
            return -VM_FAULT_SIGBUS;
        }
        final long mapping = FileTable.fileMapping(file);
        final long inode = FileTable.fileInode(file);
        boolean shmem = sys.shmem.isShmemFile(file);
        if (shmem && index << PAGE_SHIFT >= getLong(inode + Inode.I_SIZE)) {
            return -VM_FAULT_SIGBUS; // shmem_getpage_gfp: -EINVAL past i_size
        }
        long page = findGetPage(mapping, index);
        if (page != 0) {
            return Ram.virtToPhys(page);
        }
        boolean charged = shmem && (sys.shmem.shmemFlags(inode) & VmFlags.VM_NORESERVE) != 0;
        if (charged && sys.overcommit().vmEnoughMemory(1, mmTotalVm) != 0) {
            return -VM_FAULT_SIGBUS; // shmem_acct_block refused: -ENOSPC
        }
        page = sys.allocUserPage(); // page_cache_alloc, shmem_alloc_page
        if (page == 0) {
            if (charged) {
                sys.overcommit().vmUnacctMemory(1);
            }
            return -VM_FAULT_OOM;
        }
        Mem.zero(page, PAGE_SIZE); // a hole reads as zeros (clear_highpage)
        if (addToPageCache(sys, mapping, page, index) != 0) {
            sys.freeUserPage(page);
            if (charged) {
                sys.overcommit().vmUnacctMemory(1);
            }
            return -VM_FAULT_OOM;
        }
        return Ram.virtToPhys(page);
    }

    /**
     * truncate_inode_pages_final: every page of {@code mapping}'s cache is freed, the cache's
     * nodes go and nrpages is 0.
     *
     * @return the pages freed (shmem_evict_inode gives back their charge: shmem_unacct_blocks)
     */
    static long truncateInodePagesFinal(OffHeapMmSystem sys, long mapping) {
        final long xa = mapping + AddressSpace.I_PAGES;
        long freed = 0;
        for (long i = XArray.xaFind(xa, 0); i >= 0; i = XArray.xaFind(xa, i + 1)) {
            sys.freeUserPage(XArray.xaLoad(xa, i));
            freed++;
        }
        sys.pageCache.xaDestroy(xa);
        putLong(mapping + AddressSpace.NRPAGES, 0);
        return freed;
    }
}
