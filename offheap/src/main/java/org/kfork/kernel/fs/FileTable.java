package org.kfork.kernel.fs;

import static org.kfork.machine.Mem.getAndAddInt;
import static org.kfork.machine.Mem.getAndAddLong;
import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import java.util.function.LongConsumer;

import org.agrona.collections.Long2ObjectHashMap;
import org.kfork.alloc.Cpus;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.PerCpuCounter;
import org.kfork.alloc.SlabFlags;
import org.kfork.ds.IntrusiveList;
import org.kfork.fs.Fmode;
import org.kfork.kernel.KernelText;
import org.kfork.kernel.struct.Cred;
import org.kfork.kernel.struct.File;
import org.kfork.kernel.struct.FileOperations;
import org.kfork.kernel.struct.Inode;
import org.kfork.kernel.struct.Mutex;
import org.kfork.machine.Abi;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.mm.FailSlab;
import org.kfork.uapi.Errno;
import org.kfork.uapi.OpenFlags;

/**
 * fs/file_table.c (5.12) on one machine: files_init (the "filp" cache and nr_files),
 * files_maxfiles_init, alloc_empty_file and __alloc_file, alloc_file, get_file, fput with __fput
 * and file_free; and, from fs/open.c, the part of do_dentry_open the model's regular files need.
 * The heap twin is {@link org.kfork.heap.fs.HeapFileTable}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>A file is freed exactly when f_count goes from 1 to 0; f_count never goes below 0 (a put of
 *       a freed file is refused and reported, the count left alone).</li>
 *   <li>f_inode holds one reference on its inode (i_count), given back by __fput; f_mapping is
 *       the inode's i_mapping.</li>
 *   <li>A file with FMODE_WRITER holds one count of its inode's i_writecount, given back by
 *       __fput; no other file mode touches it.</li>
 *   <li>nr_files counts the files allocated and not yet freed, those with FMODE_NOACCOUNT
 *       excepted; past files-max only a caller with CAP_SYS_ADMIN gets a new file.</li>
 *   <li>f_cred holds a reference (usage) on the opener's credentials, given back when the file is
 *       freed.</li>
 * </ul>
 *
 * <p>What is modelled, and how:
 * <ul>
 *   <li>The last fput runs __fput at once, in the caller. 5.12 queues it as task work that runs
 *       before the task returns to user space (or, for kernel threads, on a workqueue): from user
 *       space the two are the same, since a call returns only after its task work ran.</li>
 *   <li>file_free frees the object into the filp cache at once; 5.12 waits an RCU grace period
 *       for lockless lookups (__fget_files), which the model does not make.</li>
 *   <li>There are no dentries or mounts: f_path stays empty, and the file's inode reference stands
 *       for the one its dentry would hold (__fput puts the inode where 5.12 puts the dentry). The
 *       path a file shows (d_path) is kept Java-side, keyed by the file's address, from
 *       allocation to free: it is no field of the struct.</li>
 *   <li>f_op points to a {@code struct file_operations} whose non-NULL slots hold kernel-text
 *       addresses ({@link KernelText}): __fput calls {@code release} through it and call_mmap
 *       {@code mmap}. fsnotify, eventpoll, file locks, FASYNC, character devices, f_owner (set
 *       only by F_SETOWN, not modelled: its pid stays NULL) and security hooks are not modelled.</li>
 *   <li>capable(CAP_SYS_ADMIN) at files-max reads the effective capabilities of the credentials
 *       the caller passes (current's, in every caller); no credentials means the kernel itself.</li>
 * </ul>
 */
public final class FileTable implements AutoCloseable {
    /** CAP_SYS_ADMIN (include/uapi/linux/capability.h). */
    static final int CAP_SYS_ADMIN = 21;

    /** {@code int (*mmap)(struct file *, struct vm_area_struct *)}, registered in the kernel text. */
    @FunctionalInterface
    public interface MmapMethod {
        /** Sets up {@code vma} for {@code file} (its vm_ops, at least); 0 or a negative errno. */
        int mmap(long file, long vma);
    }

    /**
     * {@code ssize_t (*read_iter)(struct kiocb *, struct iov_iter *)} and write_iter. The model
     * does no file I/O: its files' read_iter and write_iter are there for what their presence
     * means (FMODE_CAN_READ, FMODE_CAN_WRITE) and refuse to run.
     */
    @FunctionalInterface
    public interface RwIterMethod {
        /** Reads or writes; the model's methods throw. */
        long call(long kiocb, long iter);
    }

    /** A read_iter or write_iter of the model: present, never run (the model has no page cache). */
    public static RwIterMethod noFileIo(String name) {
        return (kiocb, iter) -> {
            throw new UnsupportedOperationException(name + ": the model does no file I/O");
        };
    }

    /** {@code int (*flush)(struct file *, fl_owner_t id)}, registered in the kernel text. */
    @FunctionalInterface
    public interface FlushMethod {
        /** A descriptor of the file is being closed by the owner {@code id} (its files_struct). */
        int flush(long file, long id);
    }

    /** {@code int (*release)(struct inode *, struct file *)}, registered in the kernel text. */
    @FunctionalInterface
    public interface ReleaseMethod {
        /** The file's last reference is gone: the driver lets go of what private_data holds. */
        int release(long inode, long file);
    }

    private final Machine machine;
    private final Cpus cpus;
    private final FailSlab failSlab;
    private final Inodes inodes;
    private final KernelText text;
    private final KmemCache filpCachep;
    private final PerCpuCounter nrFiles;
    /** files_stat.max_files (sysctl fs.file-max). */
    private volatile long maxFiles;
    /** d_path of each live file, by address: the dentries are not modelled. Guarded by itself. */
    private final Long2ObjectHashMap<String> paths = new Long2ObjectHashMap<>();
    /** __put_cred, which the credentials' room provides: runs when a file held the last reference. */
    private volatile LongConsumer putCredFinal;

    private FileTable(Kmem kmem, FailSlab failSlab, Inodes inodes) {
        this.machine = kmem.machine();
        this.cpus = kmem.cpus();
        this.failSlab = failSlab;
        this.inodes = inodes;
        this.text = KernelText.of(machine);
        this.filpCachep = kmem.slabs().create("filp", (int) File.SIZEOF, 0,
            SlabFlags.SLAB_HWCACHE_ALIGN | SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, null);
        this.nrFiles = new PerCpuCounter(kmem.percpu());
        this.maxFiles = Fmode.maxFiles(machine.pages().totalramPages(), Abi.PAGE_SIZE);
    }

    /** files_init and files_maxfiles_init; files stand on {@code inodes}; allocations ask {@code failSlab} first. */
    public static FileTable filesInit(Kmem kmem, FailSlab failSlab, Inodes inodes) {
        return new FileTable(kmem, failSlab, inodes);
    }

    /** The inodes the files stand on. */
    public Inodes inodes() {
        return inodes;
    }

    /** The kernel text the file_operations point into. */
    public KernelText text() {
        return text;
    }

    /** Sets __put_cred, which runs when a freed file held the last reference on its f_cred. */
    public void setPutCredFinal(LongConsumer fn) {
        putCredFinal = fn;
    }

    // ------------------------------------------------------------------------------------------
    // Allocation
    // ------------------------------------------------------------------------------------------

    /**
     * alloc_empty_file: a zeroed file with f_count 1, f_flags {@code flags}, f_mode
     * OPEN_FMODE(flags) and a reference on {@code cred} (0: none, the kernel's own file).
     *
     * @return the file, or -ENFILE past files-max without CAP_SYS_ADMIN, or -ENOMEM
     */
    public long allocEmptyFile(int flags, long cred) {
        if (nrFiles.sum() >= maxFiles && !capableSysAdmin(cred)) {
            return -Errno.ENFILE; // pr_info("VFS: file-max limit %lu reached") is not logged
        }
        final long f = allocFile0(flags, cred);
        if (!Errno.isError(f)) {
            nrFiles.inc(cpus.current());
        }
        return f;
    }

    /** __alloc_file. */
    private long allocFile0(int flags, long cred) {
        final long f = failSlab.shouldFail() ? 0 : filpCachep.zalloc(cpus.current());
        if (f == 0) {
            return -Errno.ENOMEM;
        }
        if (cred != 0) {
            getAndAddInt(cred + Cred.USAGE, 1); // get_cred
        }
        putLong(f + File.F_CRED, cred);
        putLong(f + File.F_COUNT, 1);
        // rwlock_init(f_owner.lock) and spin_lock_init(f_lock): zero; mutex_init(f_pos_lock)
        IntrusiveList.init(f + File.F_POS_LOCK + Mutex.WAIT_LIST);
        putInt(f + File.F_FLAGS, flags);
        putInt(f + File.F_MODE, Fmode.openFmode(flags));
        return f;
    }

    private static boolean capableSysAdmin(long cred) {
        if (cred == 0) {
            return true;
        }
        final int word = getInt(cred + Cred.CAP_EFFECTIVE + (CAP_SYS_ADMIN >>> 5) * Integer.BYTES);
        return (word & (1 << (CAP_SYS_ADMIN & 31))) != 0;
    }

    /**
     * alloc_file: a new file of {@code inode} (whose reference the file takes over) opened with
     * {@code flags} and the methods {@code fops}, shown as {@code path}. FMODE_CAN_READ and
     * FMODE_CAN_WRITE are set as the access mode and the methods allow (read or read_iter, write
     * or write_iter), FMODE_OPENED always.
     *
     * @return the file, or a negative errno (the caller still holds the inode reference then)
     */
    public long allocFile(long inode, String path, int flags, long fops, long cred) {
        final long file = allocEmptyFile(flags, cred);
        if (Errno.isError(file)) {
            return file;
        }
        putLong(file + File.F_INODE, inode);
        putLong(file + File.F_MAPPING, getLong(inode + Inode.I_MAPPING));
        // f_wb_err and f_sb_err sample errseq values that are 0: no writeback errors, no super_block
        putInt(file + File.F_MODE, canReadWrite(getInt(file + File.F_MODE), fops) | Fmode.FMODE_OPENED);
        putLong(file + File.F_OP, fops);
        // i_readcount_inc only with CONFIG_IMA, which the reference config leaves out
        setPath(file, path);
        return file;
    }

    /**
     * The model's open of a regular file of {@code inode} (the caller's reference goes to the
     * file): alloc_empty_file, then do_dentry_open's steps: FMODE_LSEEK, FMODE_PREAD and
     * FMODE_PWRITE, write access for FMODE_WRITE (FMODE_WRITER), f_inode, f_mapping, f_op, the
     * open flags stripped of O_CREAT, O_EXCL, O_NOCTTY and O_TRUNC, and FMODE_OPENED.
     *
     * @return the file, or -ENFILE, -ENOMEM or -ETXTBSY (the caller still holds the inode then)
     */
    public long dentryOpen(long inode, String path, int flags, long fops, long cred) {
        final long file = allocEmptyFile(flags, cred);
        if (Errno.isError(file)) {
            return file;
        }
        int mode = getInt(file + File.F_MODE) | Fmode.FMODE_LSEEK | Fmode.FMODE_PREAD | Fmode.FMODE_PWRITE;
        if ((mode & Fmode.FMODE_WRITE) != 0) {
            final int err = Inodes.getWriteAccess(inode);
            if (err != 0) {
                putLong(file + File.F_INODE, 0);
                fputFresh(file);
                return err;
            }
            mode |= Fmode.FMODE_WRITER;
        }
        putLong(file + File.F_INODE, inode);
        putLong(file + File.F_MAPPING, getLong(inode + Inode.I_MAPPING));
        putLong(file + File.F_OP, fops);
        putInt(file + File.F_FLAGS,
            getInt(file + File.F_FLAGS) & ~(OpenFlags.O_CREAT | OpenFlags.O_EXCL | OpenFlags.O_NOCTTY | OpenFlags.O_TRUNC));
        putInt(file + File.F_MODE, canReadWrite(mode, fops) | Fmode.FMODE_OPENED);
        setPath(file, path);
        return file;
    }

    /** FMODE_CAN_READ when open for reading and f_op has read or read_iter; FMODE_CAN_WRITE likewise. */
    private static int canReadWrite(int mode, long fops) {
        if ((mode & Fmode.FMODE_READ) != 0 && fops != 0
            && (getLong(fops + FileOperations.READ) != 0 || getLong(fops + FileOperations.READ_ITER) != 0)) {
            mode |= Fmode.FMODE_CAN_READ;
        }
        if ((mode & Fmode.FMODE_WRITE) != 0 && fops != 0
            && (getLong(fops + FileOperations.WRITE) != 0 || getLong(fops + FileOperations.WRITE_ITER) != 0)) {
            mode |= Fmode.FMODE_CAN_WRITE;
        }
        return mode;
    }

    /** fput of a file that never opened (no FMODE_OPENED): __fput goes straight to file_free. */
    private void fputFresh(long file) {
        putLong(file + File.F_COUNT, 0);
        fileFree(file);
    }

    // ------------------------------------------------------------------------------------------
    // Lifetime
    // ------------------------------------------------------------------------------------------

    /** get_file: one more reference on a file the caller holds. */
    public static long getFile(long file) {
        getAndAddLong(file + File.F_COUNT, 1);
        return file;
    }

    /**
     * fput: drops a reference; the last one runs __fput. Refuses, leaving the count, a put of a
     * file whose count is already 0.
     */
    public void fput(long file) {
        final long p = file + File.F_COUNT;
        long c;
        do {
            c = getLong(p);
            if (c <= 0) {
                throw new IllegalStateException("fput of a freed file: 0x" + Long.toHexString(file));
            }
        } while (!Mem.compareAndSetLong(p, c, c - 1));
        if (c == 1) {
            fputFinal(file);
        }
    }

    /**
     * __fput: the driver's release, the write access back (FMODE_WRITER), the inode reference
     * (the dentry's, in 5.12) back, then file_free.
     */
    private void fputFinal(long file) {
        final int mode = getInt(file + File.F_MODE);
        if ((mode & Fmode.FMODE_OPENED) != 0) {
            final long inode = getLong(file + File.F_INODE);
            final long fops = getLong(file + File.F_OP);
            final long release = fops == 0 ? 0 : getLong(fops + FileOperations.RELEASE);
            if (release != 0) {
                final ReleaseMethod fn = text.resolve(release, ReleaseMethod.class);
                if (fn == null) {
                    throw new IllegalStateException("__fput: f_op->release is no release method: " + text.symbol(release));
                }
                fn.release(inode, file);
            }
            if ((mode & Fmode.FMODE_WRITER) != 0) {
                Inodes.putWriteAccess(inode); // __mnt_drop_write: no mounts
            }
            inodes.iput(inode); // dput: the dentry's inode reference
        }
        fileFree(file);
    }

    /** file_free and file_free_rcu, without the grace period: nr_files, f_cred, the object. */
    private void fileFree(long file) {
        if ((getInt(file + File.F_MODE) & Fmode.FMODE_NOACCOUNT) == 0) {
            nrFiles.dec(cpus.current());
        }
        synchronized (paths) {
            paths.remove(file);
        }
        final long cred = getLong(file + File.F_CRED);
        if (cred != 0 && getAndAddInt(cred + Cred.USAGE, -1) == 1) {
            final LongConsumer fn = putCredFinal;
            if (fn == null) {
                throw new IllegalStateException("put_cred: a file held the last reference and no __put_cred is set");
            }
            fn.accept(cred);
        }
        filpCachep.free(cpus.current(), file);
    }

    // ------------------------------------------------------------------------------------------
    // Methods and views
    // ------------------------------------------------------------------------------------------

    /**
     * call_mmap: the file's f_op->mmap on {@code vma}.
     *
     * @return 0, the method's negative errno, or -ENODEV when the file has no mmap method
     */
    public int callMmap(long file, long vma) {
        final long fops = getLong(file + File.F_OP);
        final long fn = fops == 0 ? 0 : getLong(fops + FileOperations.MMAP);
        if (fn == 0) {
            return -Errno.ENODEV;
        }
        final MmapMethod m = text.resolve(fn, MmapMethod.class);
        if (m == null) {
            throw new IllegalStateException("call_mmap: f_op->mmap is no mmap method: " + text.symbol(fn));
        }
        return m.mmap(file, vma);
    }

    /** file_inode. */
    public static long fileInode(long file) {
        return getLong(file + File.F_INODE);
    }

    /** f_mapping. */
    public static long fileMapping(long file) {
        return getLong(file + File.F_MAPPING);
    }

    private void setPath(long file, String path) {
        synchronized (paths) {
            paths.put(file, path);
        }
    }

    /** d_path: the path the file was opened as (kept Java-side; the model has no dentries). */
    public String path(long file) {
        synchronized (paths) {
            return paths.get(file);
        }
    }

    /** get_nr_files: files allocated and not freed (those with FMODE_NOACCOUNT excepted). */
    public long nrFiles() {
        return nrFiles.sum();
    }

    /** files_stat.max_files: sysctl fs.file-max. */
    public long maxFiles() {
        return maxFiles;
    }

    /** Writes sysctl fs.file-max (proc_doulongvec_minmax: any unsigned long). */
    public void setMaxFiles(long max) {
        maxFiles = max;
    }

    /** The filp cache. */
    public KmemCache filpCachep() {
        return filpCachep;
    }

    /** Destroys the filp cache and nr_files (every file must be freed by then). */
    @Override
    public void close() {
        filpCachep.destroy();
        nrFiles.close();
    }
}
