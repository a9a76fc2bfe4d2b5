package org.kfork.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.HeapGlobals;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.fs.HeapFileOperations;
import org.kfork.heap.fs.HeapFileTable;
import org.kfork.heap.fs.HeapInode;
import org.kfork.heap.fs.HeapInodes;
import org.kfork.kernel.Globals;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.File;
import org.kfork.kernel.struct.FileOperations;
import org.kfork.kernel.struct.Inode;
import org.kfork.machine.Kasan;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.testing.LeakCheck;

/**
 * The two kernels of the fs room behind one test interface. Objects are named by {@code long}
 * handles: off-heap, their addresses; on the heap, an index into the instance's table of objects
 * (0 is NULL). Results that are errors are negative errnos on both.
 */
enum FsVariant {
    /** The heap twin (core, org.kfork.heap.fs) under HeapGlobals. */
    HEAP {
        @Override
        Instance create() {
            return new HeapInstance();
        }
    },
    /** The off-heap rooms (org.kfork.kernel.fs) under Globals on a machine of their own. */
    OFFHEAP {
        @Override
        Instance create() {
            return new OffHeapInstance();
        }
    };

    /** Pages of modeled RAM (64 MiB); the heap twin sees the same number. */
    static final long RAM_PAGES = (64L << 20) >> 12;

    abstract Instance create();

    /** The methods tests can give a file. */
    enum Fops {
        /** No methods at all. */
        NONE,
        /** A release that records its calls ({@link Instance#releases}). */
        RELEASE
    }

    /** One kernel under test; {@link #close} runs the leak check. */
    abstract static class Instance implements AutoCloseable {
        /** The (inode, file) handle pairs the RELEASE method was called with, in order. */
        final List<long[]> releases = new ArrayList<>();

        /** new_inode_pseudo: a handle, or 0 when the allocation failed. */
        abstract long newInode();

        /** The model's open of a regular file on {@code inode}: a handle or a negative errno. */
        abstract long dentryOpen(long inode, String path, int flags, Fops fops, long cred);

        /** alloc_file on {@code inode}: a handle or a negative errno. */
        abstract long allocFile(long inode, String path, int flags, Fops fops, long cred);

        abstract void getFile(long file);

        abstract void fput(long file);

        abstract void iput(long inode);

        abstract void ihold(long inode);

        abstract long fCount(long file);

        abstract int fMode(long file);

        abstract int fFlags(long file);

        abstract long fInode(long file);

        abstract String path(long file);

        abstract int iCount(long inode);

        abstract int iWritecount(long inode);

        /** Adds {@code d} to i_writecount (a deny-writer is -1). */
        abstract void addIWritecount(long inode, int d);

        /** call_mmap on a file whose methods have no mmap: the errno. */
        abstract int callMmap(long file);

        /** Credentials with usage 1, with or without CAP_SYS_ADMIN. */
        abstract long newCred(boolean sysAdmin);

        abstract int credUsage(long cred);

        /** How many times the credentials' last put ran (__put_cred). */
        abstract int credFinalPuts();

        abstract long nrFiles();

        abstract void setMaxFiles(long max);

        abstract long maxFiles();

        abstract void failNth(long k);

        abstract void disarm();

        /** Live objects of the fs room's caches: filp and inode_cache. */
        abstract Map<String, Long> counts();

        @Override
        public abstract void close();
    }

    /** The heap kernel. */
    static final class HeapInstance extends Instance {
        final HeapGlobals g = HeapGlobals.boot(RAM_PAGES, 2);
        final Map<String, Long> baseline = g.objectCounts();
        final List<Object> objs = new ArrayList<>();
        final HeapFileOperations release = new HeapFileOperations("test_release_fops", null, (inode, file) -> {
            releases.add(new long[] {handle(inode), handle(file)});
            return 0;
        });
        int finalPuts;

        HeapInstance() {
            g.fileTable.setCredRefs(new HeapFileTable.CredRefs() {
                @Override
                public void getCred(Object cred) {
                    ((int[]) cred)[0]++;
                }

                @Override
                public void putCred(Object cred) {
                    if (--((int[]) cred)[0] == 0) {
                        finalPuts++;
                    }
                }

                @Override
                public boolean capableSysAdmin(Object cred) {
                    return ((int[]) cred)[1] != 0;
                }
            });
        }

        long handle(Object o) {
            if (o == null) {
                return 0;
            }
            for (int i = 0; i < objs.size(); i++) {
                if (objs.get(i) == o) {
                    return i + 1;
                }
            }
            objs.add(o);
            return objs.size();
        }

        @SuppressWarnings("unchecked")
        <T> T obj(long h) {
            return h == 0 ? null : (T) objs.get((int) h - 1);
        }

        private long fileResult(HeapFile f) {
            return ErrPtr.isErr(f) ? ErrPtr.ptrErr(f) : handle(f);
        }

        private HeapFileOperations fops(Fops f) {
            return f == Fops.RELEASE ? release : null;
        }

        @Override
        long newInode() {
            return handle(g.inodes.newInodePseudo());
        }

        @Override
        long dentryOpen(long inode, String path, int flags, Fops fops, long cred) {
            return fileResult(g.fileTable.dentryOpen(obj(inode), path, flags, fops(fops), obj(cred)));
        }

        @Override
        long allocFile(long inode, String path, int flags, Fops fops, long cred) {
            return fileResult(g.fileTable.allocFile(obj(inode), path, flags, fops(fops), obj(cred)));
        }

        @Override
        void getFile(long file) {
            HeapFileTable.getFile(obj(file));
        }

        @Override
        void fput(long file) {
            g.fileTable.fput(obj(file));
        }

        @Override
        void iput(long inode) {
            g.inodes.iput(obj(inode));
        }

        @Override
        void ihold(long inode) {
            HeapInodes.ihold(obj(inode));
        }

        @Override
        long fCount(long file) {
            return this.<HeapFile>obj(file).fCount();
        }

        @Override
        int fMode(long file) {
            return this.<HeapFile>obj(file).fMode;
        }

        @Override
        int fFlags(long file) {
            return this.<HeapFile>obj(file).fFlags;
        }

        @Override
        long fInode(long file) {
            return handle(this.<HeapFile>obj(file).fInode);
        }

        @Override
        String path(long file) {
            return g.fileTable.path(obj(file));
        }

        @Override
        int iCount(long inode) {
            return this.<HeapInode>obj(inode).iCount();
        }

        @Override
        int iWritecount(long inode) {
            return this.<HeapInode>obj(inode).iWritecount;
        }

        @Override
        void addIWritecount(long inode, int d) {
            this.<HeapInode>obj(inode).iWritecount += d;
        }

        @Override
        int callMmap(long file) {
            return HeapFileTable.callMmap(obj(file), null);
        }

        @Override
        long newCred(boolean sysAdmin) {
            return handle(new int[] {1, sysAdmin ? 1 : 0});
        }

        @Override
        int credUsage(long cred) {
            return this.<int[]>obj(cred)[0];
        }

        @Override
        int credFinalPuts() {
            return finalPuts;
        }

        @Override
        long nrFiles() {
            return g.fileTable.nrFiles();
        }

        @Override
        void setMaxFiles(long max) {
            g.fileTable.setMaxFiles(max);
        }

        @Override
        long maxFiles() {
            return g.fileTable.maxFiles();
        }

        @Override
        void failNth(long k) {
            g.failSlab.failNth(k);
        }

        @Override
        void disarm() {
            g.failSlab.disarm();
        }

        @Override
        Map<String, Long> counts() {
            Map<String, Long> m = new TreeMap<>();
            m.put("filp", g.fileTable.liveObjects());
            m.put("inode_cache", g.inodes.liveObjects());
            return m;
        }

        @Override
        public void close() {
            g.failSlab.disarm();
            assertEquals(baseline, g.objectCounts(), "heap objects leaked");
            g.close();
        }
    }

    /** The off-heap kernel on a machine of its own. */
    static final class OffHeapInstance extends Instance {
        final Machine machine = Machine.create(RAM_PAGES << 12);
        final Globals g = Globals.boot(machine);
        final long releaseFops;
        int finalPuts;
        final Map<String, Long> baseline;

        OffHeapInstance() {
            if (!Kasan.ENABLED) {
                throw new AssertionError("checked mode must be on in off-heap tests (-Dkfork.checked=true)");
            }
            releaseFops = g.image.alloc(FileOperations.SIZEOF, FileOperations.ALIGNOF);
            Mem.putLong(releaseFops + FileOperations.RELEASE, g.fileTable.text().register("test_release",
                (FileTable.ReleaseMethod) (inode, file) -> {
                    releases.add(new long[] {inode, file});
                    return 0;
                }));
            g.fileTable.setPutCredFinal(cred -> finalPuts++);
            baseline = LeakCheck.quiescedSnapshot(machine);
        }

        private long fops(Fops f) {
            return f == Fops.RELEASE ? releaseFops : 0;
        }

        @Override
        long newInode() {
            return g.inodes.newInodePseudo();
        }

        @Override
        long dentryOpen(long inode, String path, int flags, Fops fops, long cred) {
            return g.fileTable.dentryOpen(inode, path, flags, fops(fops), cred);
        }

        @Override
        long allocFile(long inode, String path, int flags, Fops fops, long cred) {
            return g.fileTable.allocFile(inode, path, flags, fops(fops), cred);
        }

        @Override
        void getFile(long file) {
            FileTable.getFile(file);
        }

        @Override
        void fput(long file) {
            g.fileTable.fput(file);
        }

        @Override
        void iput(long inode) {
            g.inodes.iput(inode);
        }

        @Override
        void ihold(long inode) {
            Inodes.ihold(inode);
        }

        @Override
        long fCount(long file) {
            return Mem.getLong(file + File.F_COUNT);
        }

        @Override
        int fMode(long file) {
            return Mem.getInt(file + File.F_MODE);
        }

        @Override
        int fFlags(long file) {
            return Mem.getInt(file + File.F_FLAGS);
        }

        @Override
        long fInode(long file) {
            return FileTable.fileInode(file);
        }

        @Override
        String path(long file) {
            return g.fileTable.path(file);
        }

        @Override
        int iCount(long inode) {
            return Mem.getInt(inode + Inode.I_COUNT);
        }

        @Override
        int iWritecount(long inode) {
            return Mem.getInt(inode + Inode.I_WRITECOUNT);
        }

        @Override
        void addIWritecount(long inode, int d) {
            Mem.getAndAddInt(inode + Inode.I_WRITECOUNT, d);
        }

        @Override
        int callMmap(long file) {
            return g.fileTable.callMmap(file, 0);
        }

        @Override
        long newCred(boolean sysAdmin) {
            long cred = g.image.alloc(Cred.SIZEOF, Cred.ALIGNOF);
            Mem.putInt(cred + Cred.USAGE, 1);
            if (sysAdmin) {
                Mem.putInt(cred + Cred.CAP_EFFECTIVE, 1 << FileTable.CAP_SYS_ADMIN);
            }
            return cred;
        }

        @Override
        int credUsage(long cred) {
            return Mem.getInt(cred + Cred.USAGE);
        }

        @Override
        int credFinalPuts() {
            return finalPuts;
        }

        @Override
        long nrFiles() {
            return g.fileTable.nrFiles();
        }

        @Override
        void setMaxFiles(long max) {
            g.fileTable.setMaxFiles(max);
        }

        @Override
        long maxFiles() {
            return g.fileTable.maxFiles();
        }

        @Override
        void failNth(long k) {
            g.failSlab.failNth(k);
        }

        @Override
        void disarm() {
            g.failSlab.disarm();
        }

        @Override
        Map<String, Long> counts() {
            Map<String, Long> m = new TreeMap<>();
            m.put("filp", g.fileTable.filpCachep().activeObjects());
            m.put("inode_cache", g.inodes.inodeCachep().activeObjects());
            return m;
        }

        @Override
        public void close() {
            try {
                g.failSlab.disarm();
                LeakCheck.assertNoLeak(baseline, LeakCheck.quiescedSnapshot(machine));
            } finally {
                machine.close();
            }
        }
    }
}
