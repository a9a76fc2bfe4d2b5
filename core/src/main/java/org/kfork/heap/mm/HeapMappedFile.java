package org.kfork.heap.mm;

import org.kfork.heap.ds.HeapIntervalTree;
import org.kfork.heap.fs.HeapFile;
import org.kfork.mm.MappedFile;

/**
 * A Java handle on a heap {@link HeapFile} of the mm's files, for tests and views: the twin of
 * org.kfork.kernel.mm.OffHeapMappedFile.
 */
final class HeapMappedFile implements MappedFile {
    final HeapMmSystem sys;
    final HeapFile file;

    HeapMappedFile(HeapMmSystem sys, HeapFile file) {
        this.sys = sys;
        this.file = file;
    }

    @Override
    public String path() {
        return sys.pathOf(file);
    }

    @Override
    public long refcount() {
        return file.fCount();
    }

    @Override
    public int iWritecount() {
        return file.fInode.iWritecount;
    }

    @Override
    public int iMmapWritable() {
        return file.fMapping.iMmapWritable;
    }

    @Override
    public int iMmapCount() {
        return file.fMapping.iMmap.node() == null ? 0 : HeapIntervalTree.validate(file.fMapping.iMmap);
    }

    @Override
    public long vmOpenCount() {
        return sys.vmOpenCount(file);
    }

    @Override
    public long nrpages() {
        return file.fMapping.nrpages;
    }

    @Override
    public long ino() {
        return file.fInode.iIno;
    }

    @Override
    public void get() {
        sys.getFile(file);
    }

    @Override
    public void fput() {
        sys.fput(file);
    }

    @Override
    public String toString() {
        return path();
    }
}
