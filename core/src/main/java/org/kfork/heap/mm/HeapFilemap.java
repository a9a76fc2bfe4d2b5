package org.kfork.heap.mm;

import static org.kfork.mm.Fault.VM_FAULT_OOM;
import static org.kfork.mm.Fault.VM_FAULT_SIGBUS;
import static org.kfork.mm.Mman.PAGE_SHIFT;

import org.kfork.heap.ds.HeapXArray;
import org.kfork.heap.fs.HeapAddressSpace;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.fs.HeapInode;
import org.kfork.mm.VmFlags;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Filemap}: the page caches of the mm's files, in
 * their inode's address_space (i_pages, in {@link HeapXArray}'s form from page index to the
 * page's physical address, and nrpages), filled by filemap_fault and shmem_fault with zeroed
 * pages, emptied by truncate_inode_pages_final, with the same steps, limits and charges. The
 * caller holds the big lock.
 */
public final class HeapFilemap {
    private HeapFilemap() {
    }

    /** xa_load of i_pages: the physical address of the page at {@code index}, or 0. */
    static long xaLoad(HeapAddressSpace mapping, long index) {
        Long page = HeapXArray.xaLoad(mapping.iPages, index);
        return page == null ? 0 : page;
    }

    /** find_get_page. */
    static long findGetPage(HeapAddressSpace mapping, long index) {
        return xaLoad(mapping, index);
    }

    /** add_to_page_cache_lru: 0, or -ENOMEM. */
    static int addToPageCache(HeapMmSystem sys, HeapAddressSpace mapping, long page, long index) {
        int ret = sys.pageCache.xaInsert(mapping.iPages, index, page);
        if (ret < 0) {
            return ret;
        }
        mapping.nrpages++;
        return 0;
    }

    /** The vm_ops->fault of the model's files (see the off-heap twin): the page's physical address, or the code negated. */
    static long vmFault(HeapMmSystem sys, HeapFile file, long index, long mmTotalVm) {
        if (index < 0 || index >= Integer.MAX_VALUE) {
            return -VM_FAULT_SIGBUS;
        }
        final HeapAddressSpace mapping = file.fMapping;
        final HeapInode inode = file.fInode;
        boolean shmem = sys.shmem.isShmemFile(file);
        if (shmem && index << PAGE_SHIFT >= inode.iSize) {
            return -VM_FAULT_SIGBUS;
        }
        long page = findGetPage(mapping, index);
        if (page != 0) {
            return page;
        }
        boolean charged = shmem && (sys.shmem.shmemFlags(inode) & VmFlags.VM_NORESERVE) != 0;
        if (charged && sys.overcommit().vmEnoughMemory(1, mmTotalVm) != 0) {
            return -VM_FAULT_SIGBUS;
        }
        page = sys.allocUserPage(); // zeroed
        if (page == 0) {
            if (charged) {
                sys.overcommit().vmUnacctMemory(1);
            }
            return -VM_FAULT_OOM;
        }
        if (addToPageCache(sys, mapping, page, index) != 0) {
            sys.freeUserPage(page);
            if (charged) {
                sys.overcommit().vmUnacctMemory(1);
            }
            return -VM_FAULT_OOM;
        }
        return page;
    }

    /** truncate_inode_pages_final: every page of the cache goes; returns how many. */
    static long truncateInodePagesFinal(HeapMmSystem sys, HeapAddressSpace mapping) {
        long freed = 0;
        for (long i = HeapXArray.xaFind(mapping.iPages, 0); i >= 0; i = HeapXArray.xaFind(mapping.iPages, i + 1)) {
            sys.freeUserPage(HeapXArray.xaLoad(mapping.iPages, i));
            freed++;
        }
        sys.pageCache.xaDestroy(mapping.iPages);
        mapping.nrpages = 0;
        return freed;
    }
}
