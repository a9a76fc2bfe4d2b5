package org.kfork.mm;

/**
 * The common view of the minimal file model of both mm variants: a {@code struct file} (f_count,
 * f_mode) over an inode (i_writecount, the deny-write count) with its address_space (i_mmap, the
 * interval tree of the VMAs that map it, and i_mmap_writable). A file either has a vm_ops with an
 * open/close pair (counted by {@link #vmOpenCount}) or the generic file vm_ops, which has none.
 */
public interface MappedFile {
    /** The path shown in the maps view. */
    String path();

    /** f_count. */
    long refcount();

    /** inode->i_writecount: writers if positive, deny-writers (VM_DENYWRITE maps, exec) if negative. */
    int iWritecount();

    /** mapping->i_mmap_writable: the number of VM_SHARED maps (negative if writes are denied). */
    int iMmapWritable();

    /** The number of VMAs in mapping->i_mmap (validated against the interval tree). */
    int iMmapCount();

    /** vm_ops->open calls minus vm_ops->close calls (0 when the file has the generic vm_ops). */
    long vmOpenCount();

    /** mapping->nrpages: the pages in the file's page cache. */
    long nrpages();

    /** The inode number (for the maps view). */
    long ino();

    /** get_file. */
    void get();

    /** fput. */
    void fput();
}
