package org.kfork.heap.mm;

import static org.kfork.mm.Fault.VM_FAULT_OOM;
import static org.kfork.mm.Fault.VM_FAULT_SIGBUS;
import static org.kfork.mm.Mman.PAGE_SHIFT;

import org.kfork.mm.VmFlags;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Filemap}: the files' page caches (i_pages as a
 * {@link org.kfork.heap.ds.HeapIdrRoot} from page index to the page's physical address), filled by
 * filemap_fault and shmem_fault with zeroed pages, emptied by truncate_inode_pages_final, with the
 * same steps, limits and charges. The caller holds the big lock.
 */
public final class HeapFilemap {
    private HeapFilemap() {
    }

    /** xa_load: the physical address of the page at {@code index}, or 0. */
    static long xaLoad(HeapMmSystem sys, HeapFile file, long index) {
        if (index < 0 || index >= Integer.MAX_VALUE) {
            return 0;
        }
        Long page = sys.pageCache.idrFind(file.iPages, index);
        return page == null ? 0 : page;
    }

    /** find_get_page. */
    static long findGetPage(HeapMmSystem sys, HeapFile file, long index) {
        return xaLoad(sys, file, index);
    }

    /** add_to_page_cache_lru: 0, or -ENOMEM. */
    static int addToPageCache(HeapMmSystem sys, HeapFile file, long page, long index) {
        int ret = sys.pageCache.idrAlloc(file.iPages, page, (int) index, (int) index + 1);
        if (ret < 0) {
            return ret;
        }
        file.nrpages++;
        return 0;
    }

    /** The vm_ops->fault of the model's files (see the off-heap twin): the page's physical address, or the code negated. */
    static long vmFault(HeapMmSystem sys, HeapFile file, long index, long mmTotalVm) {
        if (index < 0 || index >= Integer.MAX_VALUE) {
            return -VM_FAULT_SIGBUS;
        }
        boolean shmem = HeapMmSystem.isShmemFile(file);
        if (shmem && index << PAGE_SHIFT >= file.iSize) {
            return -VM_FAULT_SIGBUS;
        }
        long page = findGetPage(sys, file, index);
        if (page != 0) {
            return page;
        }
        boolean charged = shmem && (file.shmemFlags & VmFlags.VM_NORESERVE) != 0;
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
        if (addToPageCache(sys, file, page, index) != 0) {
            sys.freeUserPage(page);
            if (charged) {
                sys.overcommit().vmUnacctMemory(1);
            }
            return -VM_FAULT_OOM;
        }
        return page;
    }

    /** truncate_inode_pages_final. */
    static void truncateInodePagesFinal(HeapMmSystem sys, HeapFile file) {
        long freed = 0;
        for (int id = sys.pageCache.idrGetNext(file.iPages, 0); id >= 0; id = sys.pageCache.idrGetNext(file.iPages, id + 1)) {
            sys.freeUserPage(sys.pageCache.idrFind(file.iPages, id));
            freed++;
        }
        sys.pageCache.idrDestroy(file.iPages);
        file.nrpages = 0;
        if (HeapMmSystem.isShmemFile(file) && (file.shmemFlags & VmFlags.VM_NORESERVE) != 0) {
            sys.overcommit().vmUnacctMemory(freed);
        }
    }
}
