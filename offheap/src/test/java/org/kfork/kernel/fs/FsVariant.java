package org.kfork.kernel.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.block.HeapBlkIoc;
import org.kfork.heap.block.HeapIoContext;
import org.kfork.heap.fork.HeapForkFiles;
import org.kfork.heap.fork.HeapTask;
import org.kfork.heap.fs.HeapAnonInodes;
import org.kfork.heap.fs.HeapFiles;
import org.kfork.heap.fs.HeapFilesStruct;
import org.kfork.heap.fs.HeapFsStruct;
import org.kfork.heap.fs.HeapFsStructs;
import org.kfork.heap.fs.HeapPath;
import org.kfork.heap.fs.HeapPaths;
import org.kfork.heap.signal.HeapSignalStruct;
import org.kfork.kernel.block.BlkIoc;
import org.kfork.kernel.fork.ForkFiles;
import org.kfork.kernel.struct.Fdtable;
import org.kfork.kernel.struct.FilesStruct;
import org.kfork.kernel.struct.FsStruct;
import org.kfork.kernel.struct.IoContext;
import org.kfork.kernel.struct.Mount;
import org.kfork.kernel.struct.Path;
import org.kfork.kernel.struct.Rlimit;
import org.kfork.kernel.struct.SignalStruct;
import org.kfork.kernel.struct.TaskStruct;
import org.kfork.kernel.struct.Vfsmount;
import org.kfork.mm.KmallocSizes;
import org.kfork.sched.TaskFlags;
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
import org.kfork.uapi.Resource;

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

    /** The caches counts() reports. */
    static final List<String> COUNTED = List.of("filp", "inode_cache", "files_cache", "fs_cache", "io_context",
        "kmalloc-64", "kmalloc-128", "kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
        KmallocSizes.LARGE);

    /** The methods tests can give a file. */
    enum Fops {
        /** No methods at all. */
        NONE,
        /** A release that records its calls ({@link Instance#releases}). */
        RELEASE,
        /** read_iter and write_iter (present, never run): FMODE_CAN_READ and FMODE_CAN_WRITE. */
        RW
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

        /** Live objects of the fs room's caches: filp, inode_cache, files_cache, fs_cache, io_context, kmalloc-*. */
        abstract Map<String, Long> counts();

        // ---- tasks (a zeroed task_struct with a signal_struct whose RLIMIT_NOFILE is INR_OPEN_CUR)

        abstract long newTask();

        abstract long taskFiles(long task);

        abstract void setTaskFiles(long task, long files);

        abstract long taskFs(long task);

        abstract void setTaskFs(long task, long fs);

        abstract long taskIoContext(long task);

        abstract void setNofile(long task, long nofile);

        abstract void setTaskExiting(long task);

        // ---- fs/file.c

        abstract long initFiles();

        abstract long dupFd(long files, int maxFds);

        abstract void putFilesStruct(long files);

        abstract void exitFiles(long task);

        abstract int getUnusedFdFlags(long task, int flags);

        abstract void putUnusedFd(long task, int fd);

        abstract void fdInstall(long task, int fd, long file);

        abstract int closeFd(long task, int fd);

        abstract long lookupFd(long files, int fd);

        abstract void doCloseOnExec(long files);

        abstract int filesCount(long files);

        abstract int maxFds(long files);

        abstract boolean fdtEmbedded(long files);

        abstract int nextFd(long files);

        abstract boolean fdIsOpen(long files, int fd);

        abstract boolean closeOnExec(long files, int fd);

        abstract int validate(long files);

        abstract void setNrOpen(int nrOpen);

        abstract void rcuBarrier();

        // ---- fs/fs_struct.c and the paths

        abstract long initFs();

        abstract int fsUsers(long fs);

        abstract void setInExec(long fs, int inExec);

        abstract int umask(long fs);

        abstract void setUmask(long fs, int umask);

        /** root.mnt == pwd.mnt == the root mount, root.dentry == pwd.dentry == its root dentry. */
        abstract boolean atRoot(long fs);

        /** The root dentry's count and the root mount's count. */
        abstract int[] rootCounts();

        abstract void exitFs(long task);

        /** path_put of the root path until it is refused; returns how many went through (then gets them back). */
        abstract int putRootUntilRefused();

        // ---- kernel/fork.c's file half

        abstract int copyFiles(long current, long flags, long tsk);

        abstract int copyFs(long current, long flags, long tsk);

        abstract int copyIo(long current, long flags, long tsk);

        abstract long unshareFd(long current, long flags, int maxFds);

        abstract long unshareFs(long current, long flags);

        abstract int unshareFiles(long current);

        // ---- block/blk-ioc.c

        abstract int createTaskIoContext(long current, long task);

        abstract void exitIoContext(long task);

        /** refcount, active_ref, nr_tasks, ioprio. */
        abstract long[] ioc(long ioc);

        abstract void setIoprio(long ioc, int ioprio);

        abstract void putIoContext(long ioc);

        // ---- anonymous files and the pidfd

        /** put_pid's calls (the argument's handle), in order. */
        final List<Long> putPids = new ArrayList<>();

        abstract void registerPutPid();

        abstract long pidfdGetfile(long current, long pid, int flags);

        abstract long anonInode();

        abstract long privateData(long file);

        /** A stand-in struct pid (any non-NULL pointer): a new handle. */
        abstract long fakePid();

        @Override
        public abstract void close();
    }

    /** The heap kernel. */
    static final class HeapInstance extends Instance {
        final HeapGlobals g = HeapGlobals.boot(RAM_PAGES, 2);
        final Map<String, Long> baseline = g.objectCounts();
        final List<Object> objs = new ArrayList<>();
        final HeapFileOperations release = new HeapFileOperations("test_release_fops");
        final HeapFileOperations rw = new HeapFileOperations("test_rw_fops");
        int finalPuts;

        HeapInstance() {
            rw.readIter = HeapFileOperations.noFileIo("test_read_iter");
            rw.writeIter = HeapFileOperations.noFileIo("test_write_iter");
            release.release = (inode, file) -> {
                releases.add(new long[] {handle(inode), handle(file)});
                return 0;
            };
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

        synchronized long handle(Object o) {
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
        synchronized <T> T obj(long h) {
            return h == 0 ? null : (T) objs.get((int) h - 1);
        }

        private long fileResult(HeapFile f) {
            return ErrPtr.isErr(f) ? ErrPtr.ptrErr(f) : handle(f);
        }

        private HeapFileOperations fops(Fops f) {
            return f == Fops.RELEASE ? release : f == Fops.RW ? rw : null;
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
            Map<String, Long> all = g.objectCounts();
            for (String k : COUNTED) {
                m.put(k, all.getOrDefault(k, 0L));
            }
            return m;
        }

        @Override
        long newTask() {
            HeapTask t = new HeapTask();
            t.setSignal(new HeapSignalStruct());
            t.signal().rlimCur[Resource.RLIMIT_NOFILE] = Resource.INR_OPEN_CUR;
            t.signal().rlimMax[Resource.RLIMIT_NOFILE] = Resource.INR_OPEN_MAX;
            return handle(t);
        }

        HeapTask task(long h) {
            return obj(h);
        }

        @Override
        long taskFiles(long task) {
            return handle(task(task).files);
        }

        @Override
        void setTaskFiles(long task, long files) {
            task(task).files = obj(files);
        }

        @Override
        long taskFs(long task) {
            return handle(task(task).fs);
        }

        @Override
        void setTaskFs(long task, long fs) {
            task(task).fs = obj(fs);
        }

        @Override
        long taskIoContext(long task) {
            return handle(task(task).ioContext);
        }

        @Override
        void setNofile(long task, long nofile) {
            task(task).signal().rlimCur[Resource.RLIMIT_NOFILE] = nofile;
        }

        @Override
        void setTaskExiting(long task) {
            task(task).flags |= TaskFlags.PF_EXITING;
        }

        @Override
        long initFiles() {
            return handle(g.initFiles);
        }

        private long filesResult(HeapFilesStruct f) {
            return ErrPtr.isErr(f) ? ErrPtr.ptrErr(f) : handle(f);
        }

        @Override
        long dupFd(long files, int maxFds) {
            return filesResult(HeapFiles.dupFd(g, obj(files), maxFds));
        }

        @Override
        void putFilesStruct(long files) {
            HeapFiles.putFilesStruct(g, obj(files));
        }

        @Override
        void exitFiles(long task) {
            HeapFiles.exitFiles(g, task(task));
        }

        @Override
        int getUnusedFdFlags(long task, int flags) {
            return HeapFiles.getUnusedFdFlags(g, task(task), flags);
        }

        @Override
        void putUnusedFd(long task, int fd) {
            HeapFiles.putUnusedFd(task(task), fd);
        }

        @Override
        void fdInstall(long task, int fd, long file) {
            HeapFiles.fdInstall(task(task), fd, obj(file));
        }

        @Override
        int closeFd(long task, int fd) {
            return HeapFiles.closeFd(g, task(task), fd);
        }

        @Override
        long lookupFd(long files, int fd) {
            return handle(HeapFiles.lookupFd(obj(files), fd));
        }

        @Override
        void doCloseOnExec(long files) {
            HeapFiles.doCloseOnExec(g, obj(files));
        }

        HeapFilesStruct files(long h) {
            return obj(h);
        }

        @Override
        int filesCount(long files) {
            return files(files).count.get();
        }

        @Override
        int maxFds(long files) {
            return files(files).fdt.maxFds;
        }

        @Override
        boolean fdtEmbedded(long files) {
            return files(files).fdt == files(files).fdtab;
        }

        @Override
        int nextFd(long files) {
            return files(files).nextFd;
        }

        @Override
        boolean fdIsOpen(long files, int fd) {
            return HeapFiles.fdIsOpen(obj(files), fd);
        }

        @Override
        boolean closeOnExec(long files, int fd) {
            return HeapFiles.closeOnExec(obj(files), fd);
        }

        @Override
        int validate(long files) {
            return HeapFiles.validate(obj(files));
        }

        @Override
        void setNrOpen(int nrOpen) {
            g.sysctlNrOpen = nrOpen;
        }

        @Override
        void rcuBarrier() {
            g.rcu.rcuBarrier();
        }

        @Override
        long initFs() {
            return handle(g.initFs);
        }

        HeapFsStruct fs(long h) {
            return obj(h);
        }

        @Override
        int fsUsers(long fs) {
            return fs(fs).users;
        }

        @Override
        void setInExec(long fs, int inExec) {
            fs(fs).inExec = inExec;
        }

        @Override
        int umask(long fs) {
            return fs(fs).umask;
        }

        @Override
        void setUmask(long fs, int umask) {
            fs(fs).umask = umask;
        }

        @Override
        boolean atRoot(long fs) {
            HeapFsStruct f = fs(fs);
            return f.root.mnt == g.rootMount && f.pwd.mnt == g.rootMount && f.root.dentry == g.rootMount.mntRoot
                && f.pwd.dentry == g.rootMount.mntRoot;
        }

        @Override
        int[] rootCounts() {
            return new int[] {HeapPaths.dCount(g.rootMount.mntRoot), HeapPaths.mntGetCount(g.rootMount)};
        }

        @Override
        void exitFs(long task) {
            HeapFsStructs.exitFs(g, task(task));
        }

        @Override
        int putRootUntilRefused() {
            HeapPath p = new HeapPath();
            HeapPaths.rootPath(g.rootMount, p);
            int n = 0;
            try {
                while (true) {
                    HeapPaths.pathPut(g, p);
                    n++;
                }
            } catch (IllegalStateException refused) {
                for (int i = 0; i < n; i++) {
                    HeapPaths.pathGet(g, p);
                }
            }
            return n;
        }

        @Override
        int copyFiles(long current, long flags, long tsk) {
            return HeapForkFiles.copyFiles(g, task(current), flags, task(tsk));
        }

        @Override
        int copyFs(long current, long flags, long tsk) {
            return HeapForkFiles.copyFs(g, task(current), flags, task(tsk));
        }

        @Override
        int copyIo(long current, long flags, long tsk) {
            return HeapForkFiles.copyIo(g, task(current), flags, task(tsk));
        }

        @Override
        long unshareFd(long current, long flags, int maxFds) {
            HeapFilesStruct f = HeapForkFiles.unshareFd(g, task(current), flags, maxFds);
            return f == null ? 0 : filesResult(f);
        }

        @Override
        long unshareFs(long current, long flags) {
            HeapFsStruct f = HeapForkFiles.unshareFs(g, task(current), flags);
            return f == null ? 0 : ErrPtr.isErr(f) ? ErrPtr.ptrErr(f) : handle(f);
        }

        @Override
        int unshareFiles(long current) {
            return HeapForkFiles.unshareFiles(g, task(current));
        }

        @Override
        int createTaskIoContext(long current, long task) {
            return HeapBlkIoc.createTaskIoContext(g, task(current), task(task));
        }

        @Override
        void exitIoContext(long task) {
            HeapBlkIoc.exitIoContext(g, task(task));
        }

        @Override
        long[] ioc(long ioc) {
            HeapIoContext c = obj(ioc);
            return new long[] {c.refcount.get(), c.activeRef.get(), c.nrTasks.get(), c.ioprio};
        }

        @Override
        void setIoprio(long ioc, int ioprio) {
            this.<HeapIoContext>obj(ioc).ioprio = (short) ioprio;
        }

        @Override
        void putIoContext(long ioc) {
            HeapBlkIoc.putIoContext(g, obj(ioc));
        }

        @Override
        void registerPutPid() {
            g.putPid = pid -> putPids.add(handle(pid));
        }

        @Override
        long pidfdGetfile(long current, long pid, int flags) {
            return fileResult(HeapAnonInodes.anonInodeGetfile(g, task(current), "[pidfd]", g.pidfdFops, obj(pid), flags));
        }

        @Override
        long anonInode() {
            return handle(g.anonInodeInode);
        }

        @Override
        long privateData(long file) {
            return handle(this.<HeapFile>obj(file).privateData);
        }

        @Override
        long fakePid() {
            return handle(new Object());
        }

        @Override
        public void close() {
            g.failSlab.disarm();
            g.rcu.quiesce(); // as the off-heap leak check: RCU callbacks run first
            assertEquals(baseline, g.objectCounts(), "heap objects leaked");
            g.close();
        }
    }

    /** The off-heap kernel on a machine of its own. */
    static final class OffHeapInstance extends Instance {
        final Machine machine = Machine.create(RAM_PAGES << 12);
        final Globals g = Globals.boot(machine);
        final long releaseFops;
        final long rwFops;
        final List<Long> tasks = new ArrayList<>();
        long fakePids;
        int finalPuts;
        final Map<String, Long> baseline;

        OffHeapInstance() {
            if (!Kasan.ENABLED) {
                throw new AssertionError("checked mode must be on in off-heap tests (-Dkfork.checked=true)");
            }
            rwFops = g.image.alloc(FileOperations.SIZEOF, FileOperations.ALIGNOF);
            Mem.putLong(rwFops + FileOperations.READ_ITER, g.fileTable.text().register("test_read_iter",
                FileTable.noFileIo("test_read_iter")));
            Mem.putLong(rwFops + FileOperations.WRITE_ITER, g.fileTable.text().register("test_write_iter",
                FileTable.noFileIo("test_write_iter")));
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
            return f == Fops.RELEASE ? releaseFops : f == Fops.RW ? rwFops : 0;
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
            for (String k : COUNTED) {
                if (k.equals(KmallocSizes.LARGE)) {
                    m.put(k, g.kmallocCaches.largeBlocks());
                } else {
                    m.put(k, g.kmem.slabs().find(k).activeObjects());
                }
            }
            return m;
        }

        @Override
        long newTask() {
            long t = g.zalloc(g.forkInit.taskStructCachep());
            long sig = g.zalloc(g.forkInit.signalCachep());
            Mem.putLong(t + TaskStruct.SIGNAL, sig);
            long rlim = sig + SignalStruct.RLIM + (long) Resource.RLIMIT_NOFILE * Rlimit.SIZEOF;
            Mem.putLong(rlim + Rlimit.RLIM_CUR, Resource.INR_OPEN_CUR);
            Mem.putLong(rlim + Rlimit.RLIM_MAX, Resource.INR_OPEN_MAX);
            tasks.add(t);
            return t;
        }

        @Override
        long taskFiles(long task) {
            return Mem.getLong(task + TaskStruct.FILES);
        }

        @Override
        void setTaskFiles(long task, long files) {
            Mem.putLong(task + TaskStruct.FILES, files);
        }

        @Override
        long taskFs(long task) {
            return Mem.getLong(task + TaskStruct.FS);
        }

        @Override
        void setTaskFs(long task, long fs) {
            Mem.putLong(task + TaskStruct.FS, fs);
        }

        @Override
        long taskIoContext(long task) {
            return Mem.getLong(task + TaskStruct.IO_CONTEXT);
        }

        @Override
        void setNofile(long task, long nofile) {
            long sig = Mem.getLong(task + TaskStruct.SIGNAL);
            Mem.putLong(sig + SignalStruct.RLIM + (long) Resource.RLIMIT_NOFILE * Rlimit.SIZEOF + Rlimit.RLIM_CUR, nofile);
        }

        @Override
        void setTaskExiting(long task) {
            Mem.putInt(task + TaskStruct.FLAGS, Mem.getInt(task + TaskStruct.FLAGS) | TaskFlags.PF_EXITING);
        }

        @Override
        long initFiles() {
            return g.initFiles;
        }

        @Override
        long dupFd(long files, int maxFds) {
            return Files.dupFd(g, files, maxFds);
        }

        @Override
        void putFilesStruct(long files) {
            Files.putFilesStruct(g, files);
        }

        @Override
        void exitFiles(long task) {
            Files.exitFiles(g, task);
        }

        @Override
        int getUnusedFdFlags(long task, int flags) {
            return Files.getUnusedFdFlags(g, task, flags);
        }

        @Override
        void putUnusedFd(long task, int fd) {
            Files.putUnusedFd(task, fd);
        }

        @Override
        void fdInstall(long task, int fd, long file) {
            Files.fdInstall(task, fd, file);
        }

        @Override
        int closeFd(long task, int fd) {
            return Files.closeFd(g, task, fd);
        }

        @Override
        long lookupFd(long files, int fd) {
            return Files.lookupFd(files, fd);
        }

        @Override
        void doCloseOnExec(long files) {
            Files.doCloseOnExec(g, files);
        }

        @Override
        int filesCount(long files) {
            return Mem.getInt(files + FilesStruct.COUNT);
        }

        @Override
        int maxFds(long files) {
            return Mem.getInt(Files.filesFdtable(files) + Fdtable.MAX_FDS);
        }

        @Override
        boolean fdtEmbedded(long files) {
            return Files.filesFdtable(files) == files + FilesStruct.FDTAB;
        }

        @Override
        int nextFd(long files) {
            return Mem.getInt(files + FilesStruct.NEXT_FD);
        }

        @Override
        boolean fdIsOpen(long files, int fd) {
            return Files.fdIsOpen(files, fd);
        }

        @Override
        boolean closeOnExec(long files, int fd) {
            return Files.closeOnExec(files, fd);
        }

        @Override
        int validate(long files) {
            return Files.validate(files);
        }

        @Override
        void setNrOpen(int nrOpen) {
            g.sysctlNrOpen = nrOpen;
        }

        @Override
        void rcuBarrier() {
            g.rcu.rcuBarrier();
        }

        @Override
        long initFs() {
            return g.initFs;
        }

        @Override
        int fsUsers(long fs) {
            return Mem.getInt(fs + FsStruct.USERS);
        }

        @Override
        void setInExec(long fs, int inExec) {
            Mem.putInt(fs + FsStruct.IN_EXEC, inExec);
        }

        @Override
        int umask(long fs) {
            return Mem.getInt(fs + FsStruct.UMASK);
        }

        @Override
        void setUmask(long fs, int umask) {
            Mem.putInt(fs + FsStruct.UMASK, umask);
        }

        @Override
        boolean atRoot(long fs) {
            long mnt = g.rootMount + Mount.MNT;
            long dentry = Mem.getLong(mnt + Vfsmount.MNT_ROOT);
            return Mem.getLong(fs + FsStruct.ROOT + Path.MNT) == mnt && Mem.getLong(fs + FsStruct.PWD + Path.MNT) == mnt
                && Mem.getLong(fs + FsStruct.ROOT + Path.DENTRY) == dentry
                && Mem.getLong(fs + FsStruct.PWD + Path.DENTRY) == dentry;
        }

        @Override
        int[] rootCounts() {
            long mnt = g.rootMount + Mount.MNT;
            return new int[] {Paths.dCount(Mem.getLong(mnt + Vfsmount.MNT_ROOT)), Paths.mntGetCount(g, mnt)};
        }

        @Override
        void exitFs(long task) {
            FsStructs.exitFs(g, task);
        }

        @Override
        int putRootUntilRefused() {
            long p = g.initFs + FsStruct.ROOT; // the root path; only the counts change
            int n = 0;
            try {
                while (true) {
                    Paths.pathPut(g, p);
                    n++;
                }
            } catch (IllegalStateException refused) {
                for (int i = 0; i < n; i++) {
                    Paths.pathGet(g, p);
                }
            }
            return n;
        }

        @Override
        int copyFiles(long current, long flags, long tsk) {
            return ForkFiles.copyFiles(g, current, flags, tsk);
        }

        @Override
        int copyFs(long current, long flags, long tsk) {
            return ForkFiles.copyFs(g, current, flags, tsk);
        }

        @Override
        int copyIo(long current, long flags, long tsk) {
            return ForkFiles.copyIo(g, current, flags, tsk);
        }

        @Override
        long unshareFd(long current, long flags, int maxFds) {
            return ForkFiles.unshareFd(g, current, flags, maxFds);
        }

        @Override
        long unshareFs(long current, long flags) {
            return ForkFiles.unshareFs(g, current, flags);
        }

        @Override
        int unshareFiles(long current) {
            return ForkFiles.unshareFiles(g, current);
        }

        @Override
        int createTaskIoContext(long current, long task) {
            return BlkIoc.createTaskIoContext(g, current, task);
        }

        @Override
        void exitIoContext(long task) {
            BlkIoc.exitIoContext(g, task);
        }

        @Override
        long[] ioc(long ioc) {
            return new long[] {Mem.getLong(ioc + IoContext.REFCOUNT), Mem.getInt(ioc + IoContext.ACTIVE_REF),
                Mem.getInt(ioc + IoContext.NR_TASKS), Mem.getShort(ioc + IoContext.IOPRIO)};
        }

        @Override
        void setIoprio(long ioc, int ioprio) {
            Mem.putShort(ioc + IoContext.IOPRIO, (short) ioprio);
        }

        @Override
        void putIoContext(long ioc) {
            BlkIoc.putIoContext(g, ioc);
        }

        @Override
        void registerPutPid() {
            g.putPid = pid -> putPids.add(pid);
        }

        @Override
        long pidfdGetfile(long current, long pid, int flags) {
            return AnonInodes.anonInodeGetfile(g, current, "[pidfd]", g.pidfdFops, pid, flags);
        }

        @Override
        long anonInode() {
            return g.anonInodeInode;
        }

        @Override
        long privateData(long file) {
            return Mem.getLong(file + File.PRIVATE_DATA);
        }

        @Override
        long fakePid() {
            return 0xffff888000000000L + (++fakePids) * 128; // an address the code never dereferences
        }

        @Override
        public void close() {
            try {
                g.failSlab.disarm();
                for (long t : tasks) {
                    g.free(g.forkInit.signalCachep(), Mem.getLong(t + TaskStruct.SIGNAL));
                    g.free(g.forkInit.taskStructCachep(), t);
                }
                LeakCheck.assertNoLeak(baseline, LeakCheck.quiescedSnapshot(machine));
            } finally {
                machine.close();
            }
        }
    }
}
