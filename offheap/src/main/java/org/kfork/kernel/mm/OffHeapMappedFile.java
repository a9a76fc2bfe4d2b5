package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;

import org.kfork.ds.VmaIntervalTree;
import org.kfork.kernel.fs.FileTable;
import org.kfork.kernel.struct.AddressSpace;
import org.kfork.kernel.struct.File;
import org.kfork.kernel.struct.Inode;
import org.kfork.mm.MappedFile;

/**
 * A Java handle on an off-heap {@code struct file} of the mm's files, for tests and views: each
 * read goes to the file, its inode (f_inode) or its address_space (f_mapping). The heap twin is
 * {@link org.kfork.heap.mm.HeapMappedFile}.
 */
final class OffHeapMappedFile implements MappedFile {
    final OffHeapMmSystem sys;
    final long addr;

    OffHeapMappedFile(OffHeapMmSystem sys, long addr) {
        this.sys = sys;
        this.addr = addr;
    }

    @Override
    public String path() {
        return sys.pathOf(addr);
    }

    @Override
    public long refcount() {
        return getLong(addr + File.F_COUNT);
    }

    @Override
    public int iWritecount() {
        return getInt(FileTable.fileInode(addr) + Inode.I_WRITECOUNT);
    }

    @Override
    public int iMmapWritable() {
        return getInt(FileTable.fileMapping(addr) + AddressSpace.I_MMAP_WRITABLE);
    }

    @Override
    public int iMmapCount() {
        return VmaIntervalTree.validate(FileTable.fileMapping(addr) + AddressSpace.I_MMAP);
    }

    @Override
    public long vmOpenCount() {
        return sys.vmOpenCount(addr);
    }

    @Override
    public long nrpages() {
        return getLong(FileTable.fileMapping(addr) + AddressSpace.NRPAGES);
    }

    @Override
    public long ino() {
        return getLong(FileTable.fileInode(addr) + Inode.I_INO);
    }

    @Override
    public void get() {
        sys.getFile(addr);
    }

    @Override
    public void fput() {
        sys.fput(addr);
    }

    @Override
    public String toString() {
        return path();
    }
}
