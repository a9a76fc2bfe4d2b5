package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Fault.VM_FAULT_OOM;
import static org.kfork.mm.Fault.VM_FAULT_SIGBUS;
import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.Mman.PAGE_SIZE;

import org.kfork.machine.Mem;
import org.kfork.machine.Ram;
import org.kfork.mm.VmFlags;

/**
 * The page cache of the mm's files: 5.12 mm/filemap.c's filemap_fault and the page cache it
 * fills (find_get_page, add_to_page_cache), mm/shmem.c's shmem_fault (shmem_getpage_gfp with its
 * per-page overcommit charge for a VM_NORESERVE file, shmem_acct_block), and
 * truncate_inode_pages_final when the file goes. i_pages is an IDR's radix tree in the file
 * ({@link MmFileStruct#I_PAGES}) with xa_load and xa_store on top. Static over modeled addresses;
 * the caller holds the big lock. The heap twin is {@link org.kfork.heap.mm.HeapFilemap}.
 *
 * <p>The model's files have no contents: a page the cache does not hold yet is a new zeroed
 * page, as a hole of a sparse file reads (no readahead, no fault-around: the cache holds exactly
 * the pages faulted). A regular file reads as zeros at any offset (it has no i_size); a shmem file
 * ends at its size (a fault past it is VM_FAULT_SIGBUS). Page indexes stop at INT_MAX (the IDR's
 * ids): a fault beyond is VM_FAULT_SIGBUS too.
 *
 * <p>Invariants kept: every page in a file's cache is a live user page held by the cache alone
 * (ptes map it without a reference of their own), nrpages counts them, and they all go, with
 * their shmem charge, when the file's last reference does.
 */
public final class Filemap {
    private Filemap() {
    }

    /** xa_load: the page at {@code index} of {@code file}'s cache, or 0. */
    static long xaLoad(OffHeapMmSystem sys, long file, long index) {
        if (index < 0 || index >= Integer.MAX_VALUE) {
            return 0;
        }
        return sys.pageCache.idrFind(file + MmFileStruct.I_PAGES, index);
    }

    /** find_get_page. */
    static long findGetPage(OffHeapMmSystem sys, long file, long index) {
        return xaLoad(sys, file, index);
    }

    /**
     * add_to_page_cache_lru: {@code page} at {@code index} (xa_store into a free slot); 0, or
     * -ENOMEM when a radix tree node cannot be allocated.
     */
    static int addToPageCache(OffHeapMmSystem sys, long file, long page, long index) {
        int ret = sys.pageCache.idrAlloc(file + MmFileStruct.I_PAGES, page, (int) index, (int) index + 1);
        if (ret < 0) {
            return ret;
        }
        putLong(file + MmFileStruct.NRPAGES, getLong(file + MmFileStruct.NRPAGES) + 1);
        return 0;
    }

    /**
     * The vm_ops->fault of the model's files, for page {@code index}: filemap_fault for a regular
     * file, shmem_fault for a shmem file. Returns the page's physical address (&gt;= 0), or
     * the VM_FAULT_* code negated: -VM_FAULT_SIGBUS past a shmem file's size (or past the cache's
     * indexes) or when a VM_NORESERVE shmem file's page cannot be charged, -VM_FAULT_OOM without
     * memory.
     */
    static long vmFault(OffHeapMmSystem sys, long file, long index, long mmTotalVm) {
        if (index < 0 || index >= Integer.MAX_VALUE) {
            return -VM_FAULT_SIGBUS;
        }
        boolean shmem = sys.isShmemFile(file);
        if (shmem && index << PAGE_SHIFT >= getLong(file + MmFileStruct.I_SIZE)) {
            return -VM_FAULT_SIGBUS; // shmem_getpage_gfp: -EINVAL past i_size
        }
        long page = findGetPage(sys, file, index);
        if (page != 0) {
            return Ram.virtToPhys(page);
        }
        boolean charged = shmem && (getLong(file + MmFileStruct.SHMEM_FLAGS) & VmFlags.VM_NORESERVE) != 0;
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
        if (addToPageCache(sys, file, page, index) != 0) {
            sys.freeUserPage(page);
            if (charged) {
                sys.overcommit().vmUnacctMemory(1);
            }
            return -VM_FAULT_OOM;
        }
        return Ram.virtToPhys(page);
    }

    /**
     * truncate_inode_pages_final (and shmem_evict_inode's shmem_unacct_blocks): every page of
     * the file's cache is freed and the cache's nodes go.
     */
    static void truncateInodePagesFinal(OffHeapMmSystem sys, long file) {
        long root = file + MmFileStruct.I_PAGES;
        long freed = 0;
        for (int id = sys.pageCache.idrGetNext(root, 0); id >= 0; id = sys.pageCache.idrGetNext(root, id + 1)) {
            sys.freeUserPage(sys.pageCache.idrFind(root, id));
            freed++;
        }
        sys.pageCache.idrDestroy(root);
        putLong(file + MmFileStruct.NRPAGES, 0);
        if (sys.isShmemFile(file) && (getLong(file + MmFileStruct.SHMEM_FLAGS) & VmFlags.VM_NORESERVE) != 0) {
            sys.overcommit().vmUnacctMemory(freed);
        }
    }
}
