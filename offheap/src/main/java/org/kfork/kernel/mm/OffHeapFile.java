package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;

import org.kfork.ds.VmaIntervalTree;
import org.kfork.mm.MappedFile;

/** A Java handle on an off-heap file of the mm model ({@link MmFileStruct}), for tests and views. */
final class OffHeapFile implements MappedFile {
    final OffHeapMmSystem sys;
    final long addr;

    OffHeapFile(OffHeapMmSystem sys, long addr) {
        this.sys = sys;
        this.addr = addr;
    }

    @Override
    public String path() {
        return sys.pathOf(addr);
    }

    @Override
    public long refcount() {
        return getLong(addr + MmFileStruct.F_COUNT);
    }

    @Override
    public int iWritecount() {
        return getInt(addr + MmFileStruct.I_WRITECOUNT);
    }

    @Override
    public int iMmapWritable() {
        return getInt(addr + MmFileStruct.I_MMAP_WRITABLE);
    }

    @Override
    public int iMmapCount() {
        return VmaIntervalTree.validate(addr + MmFileStruct.I_MMAP);
    }

    @Override
    public long vmOpenCount() {
        return getLong(addr + MmFileStruct.VM_OPENS);
    }

    @Override
    public long nrpages() {
        return getLong(addr + MmFileStruct.NRPAGES);
    }

    @Override
    public long ino() {
        return getLong(addr + MmFileStruct.I_INO);
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
