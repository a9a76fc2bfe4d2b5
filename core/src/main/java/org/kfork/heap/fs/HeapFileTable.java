package org.kfork.heap.fs;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.kfork.fs.Fmode;
import org.kfork.heap.ErrPtr;
import org.kfork.mm.FailSlab;
import org.kfork.mm.Mman;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;

/**
 * The heap twin of org.kfork.kernel.fs.FileTable (fs/file_table.c): files_init, alloc_empty_file,
 * alloc_file, the model's open of a regular file, get_file, fput with __fput and file_free, in the
 * same order and with the same failslab point; what the off-heap class says it models and leaves
 * out holds here too. Live files are counted as the "filp" cache would count them.
 */
public final class HeapFileTable {
    /** The credentials' room's operations on a file's f_cred (get_cred, put_cred, capable). */
    public interface CredRefs {
        /** get_cred. */
        void getCred(Object cred);

        /** put_cred (the last reference frees the credentials). */
        void putCred(Object cred);

        /** capable(CAP_SYS_ADMIN) for the task with these credentials. */
        boolean capableSysAdmin(Object cred);
    }

    private final FailSlab failSlab;
    private final HeapInodes inodes;
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong nrFiles = new AtomicLong();
    private volatile long maxFiles;
    private final Map<HeapFile, String> paths = new IdentityHashMap<>();
    private volatile CredRefs credRefs;

    private HeapFileTable(long totalramPages, FailSlab failSlab, HeapInodes inodes) {
        this.failSlab = failSlab;
        this.inodes = inodes;
        this.maxFiles = Fmode.maxFiles(totalramPages, Mman.PAGE_SIZE);
    }

    /** files_init and files_maxfiles_init. */
    public static HeapFileTable filesInit(long totalramPages, FailSlab failSlab, HeapInodes inodes) {
        return new HeapFileTable(totalramPages, failSlab, inodes);
    }

    /** The inodes the files stand on. */
    public HeapInodes inodes() {
        return inodes;
    }

    /** Sets the credentials' operations; until then only files without credentials can be made. */
    public void setCredRefs(CredRefs refs) {
        credRefs = refs;
    }

    private CredRefs credRefs(Object cred) {
        CredRefs r = credRefs;
        if (r == null) {
            throw new IllegalStateException("a file with credentials, but no credentials' room is set");
        }
        return r;
    }

    /** alloc_empty_file: the file, or ERR_PTR(-ENFILE) past files-max without CAP_SYS_ADMIN, or ERR_PTR(-ENOMEM). */
    public HeapFile allocEmptyFile(int flags, Object cred) {
        if (nrFiles.get() >= maxFiles && cred != null && !credRefs(cred).capableSysAdmin(cred)) {
            return HeapFile.errPtr(-Errno.ENFILE);
        }
        HeapFile f = allocFile0(flags, cred);
        if (!ErrPtr.isErr(f)) {
            nrFiles.incrementAndGet();
        }
        return f;
    }

    private HeapFile allocFile0(int flags, Object cred) {
        if (failSlab.shouldFail()) {
            return HeapFile.errPtr(-Errno.ENOMEM);
        }
        live.incrementAndGet();
        HeapFile f = new HeapFile();
        if (cred != null) {
            credRefs(cred).getCred(cred);
        }
        f.fCred = cred;
        f.fCount = 1;
        f.fFlags = flags;
        f.fMode = Fmode.openFmode(flags);
        return f;
    }

    /** alloc_file: see the off-heap twin. */
    public HeapFile allocFile(HeapInode inode, String path, int flags, HeapFileOperations fops, Object cred) {
        HeapFile file = allocEmptyFile(flags, cred);
        if (ErrPtr.isErr(file)) {
            return file;
        }
        file.fInode = inode;
        file.fMapping = inode.iMapping;
        file.fMode = canReadWrite(file.fMode, fops) | Fmode.FMODE_OPENED;
        file.fOp = fops;
        setPath(file, path);
        return file;
    }

    /** The model's open of a regular file: see the off-heap twin. */
    public HeapFile dentryOpen(HeapInode inode, String path, int flags, HeapFileOperations fops, Object cred) {
        HeapFile file = allocEmptyFile(flags, cred);
        if (ErrPtr.isErr(file)) {
            return file;
        }
        int mode = file.fMode | Fmode.FMODE_LSEEK | Fmode.FMODE_PREAD | Fmode.FMODE_PWRITE;
        if ((mode & Fmode.FMODE_WRITE) != 0) {
            int err = HeapInodes.getWriteAccess(inode);
            if (err != 0) {
                fputFresh(file);
                return HeapFile.errPtr(err);
            }
            mode |= Fmode.FMODE_WRITER;
        }
        file.fInode = inode;
        file.fMapping = inode.iMapping;
        file.fOp = fops;
        file.fFlags &= ~(OpenFlags.O_CREAT | OpenFlags.O_EXCL | OpenFlags.O_NOCTTY | OpenFlags.O_TRUNC);
        file.fMode = canReadWrite(mode, fops) | Fmode.FMODE_OPENED;
        setPath(file, path);
        return file;
    }

    /** FMODE_CAN_READ when open for reading with a read_iter; FMODE_CAN_WRITE likewise. */
    private static int canReadWrite(int mode, HeapFileOperations fops) {
        if ((mode & Fmode.FMODE_READ) != 0 && fops != null && fops.readIter != null) {
            mode |= Fmode.FMODE_CAN_READ;
        }
        if ((mode & Fmode.FMODE_WRITE) != 0 && fops != null && fops.writeIter != null) {
            mode |= Fmode.FMODE_CAN_WRITE;
        }
        return mode;
    }

    private void fputFresh(HeapFile file) {
        file.fCount = 0;
        fileFree(file);
    }

    /** get_file. */
    public static HeapFile getFile(HeapFile file) {
        HeapFile.F_COUNT.getAndAdd(file, 1L);
        return file;
    }

    /** fput: the last reference runs __fput; a put of a freed file is refused. */
    public void fput(HeapFile file) {
        long c;
        do {
            c = file.fCount;
            if (c <= 0) {
                throw new IllegalStateException("fput of a freed file");
            }
        } while (!HeapFile.F_COUNT.compareAndSet(file, c, c - 1));
        if (c == 1) {
            fputFinal(file);
        }
    }

    private void fputFinal(HeapFile file) {
        int mode = file.fMode;
        if ((mode & Fmode.FMODE_OPENED) != 0) {
            HeapInode inode = file.fInode;
            if (file.fOp != null && file.fOp.release != null) {
                file.fOp.release.release(inode, file);
            }
            if ((mode & Fmode.FMODE_WRITER) != 0) {
                HeapInodes.putWriteAccess(inode);
            }
            inodes.iput(inode);
        }
        fileFree(file);
    }

    private void fileFree(HeapFile file) {
        if ((file.fMode & Fmode.FMODE_NOACCOUNT) == 0) {
            nrFiles.decrementAndGet();
        }
        synchronized (paths) {
            paths.remove(file);
        }
        if (file.fCred != null) {
            credRefs(file.fCred).putCred(file.fCred);
        }
        if (live.decrementAndGet() < 0) {
            live.incrementAndGet();
            throw new IllegalStateException("double free in filp");
        }
    }

    /** call_mmap: 0, the method's negative errno, or -ENODEV without an mmap method. */
    public static int callMmap(HeapFile file, Object vma) {
        if (file.fOp == null || file.fOp.mmap == null) {
            return -Errno.ENODEV;
        }
        return file.fOp.mmap.mmap(file, vma);
    }

    private void setPath(HeapFile file, String path) {
        synchronized (paths) {
            paths.put(file, path);
        }
    }

    /** d_path (kept Java-side, as off-heap). */
    public String path(HeapFile file) {
        synchronized (paths) {
            return paths.get(file);
        }
    }

    /** get_nr_files. */
    public long nrFiles() {
        return nrFiles.get();
    }

    /** files_stat.max_files. */
    public long maxFiles() {
        return maxFiles;
    }

    /** sysctl fs.file-max. */
    public void setMaxFiles(long max) {
        maxFiles = max;
    }

    /** Live files (the filp cache's active objects). */
    public long liveObjects() {
        return live.get();
    }
}
