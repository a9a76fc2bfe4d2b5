package org.kfork.heap.fs;

import org.kfork.heap.ds.HeapIdrRoot;
import org.kfork.heap.ds.HeapRbRootCached;
import org.kfork.heap.ds.HeapXArray;

/**
 * The heap twin of {@code struct address_space}: the page cache (i_pages, nrpages), the VMAs that
 * map a file (i_mmap) and the count of its shared writable maps (i_mmap_writable). Only the
 * fields the port uses.
 */
public final class HeapAddressSpace {
    /** host: the inode this is the i_data of. */
    public final HeapInode host;
    /**
     * i_pages: the page cache, page index to the page's frame (the mm's page allocator's physical
     * address), an xarray in {@link HeapXArray}'s form; filled and emptied by the mm's
     * HeapFilemap under its big lock.
     */
    public final HeapIdrRoot<Long> iPages = new HeapIdrRoot<>();
    /** nrpages: the pages in i_pages. */
    public long nrpages;
    /** i_mmap_writable: VM_SHARED maps (negative while writable maps are denied). */
    public int iMmapWritable;
    /** i_mmap: the interval tree of the VMAs that map the file. */
    public final HeapRbRootCached iMmap = new HeapRbRootCached();

    HeapAddressSpace(HeapInode host) {
        this.host = host;
        HeapXArray.xaInit(iPages); // __address_space_init_once
    }
}
