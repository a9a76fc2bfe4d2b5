package org.kfork.heap.fs;

import org.kfork.heap.ds.HeapRbRootCached;

/**
 * The heap twin of {@code struct address_space}: the VMAs that map a file (i_mmap) and the count
 * of its shared writable maps (i_mmap_writable). Only the fields the port uses.
 */
public final class HeapAddressSpace {
    /** host: the inode this is the i_data of. */
    public final HeapInode host;
    /** i_mmap_writable: VM_SHARED maps (negative while writable maps are denied). */
    public int iMmapWritable;
    /** i_mmap: the interval tree of the VMAs that map the file. */
    public final HeapRbRootCached iMmap = new HeapRbRootCached();

    HeapAddressSpace(HeapInode host) {
        this.host = host;
    }
}
