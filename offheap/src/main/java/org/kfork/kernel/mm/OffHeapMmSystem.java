package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import java.util.Map;
import java.util.TreeMap;

import org.agrona.collections.Long2LongHashMap;
import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.fork.ForkInit;
import org.kfork.kernel.KernelText;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.arch.X86_64;
import org.kfork.kernel.fs.FileTable;
import org.kfork.kernel.fs.Inodes;
import org.kfork.kernel.struct.FileOperations;
import org.kfork.kernel.struct.Inode;
import org.kfork.kernel.struct.MmContext;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.Mutex;
import org.kfork.kernel.struct.RwSemaphore;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.kernel.struct.VmOperationsStruct;
import org.kfork.machine.Machine;
import org.kfork.machine.Mem;
import org.kfork.machine.Ram;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.FailSlab;
import org.kfork.mm.KernelLog;
import org.kfork.mm.MappedFile;
import org.kfork.mm.Mman;
import org.kfork.mm.MmFlags;
import org.kfork.mm.MmSystem;
import org.kfork.mm.MmuGather;
import org.kfork.mm.Overcommit;
import org.kfork.mm.Pgtable;
import org.kfork.mm.WorkQueue;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;
import org.kfork.uapi.OpenFlags;

/**
 * The off-heap mm model's surroundings on one machine: the slab caches (mm_struct and
 * vm_area_struct from fork.c's proc_caches_init via {@link ForkInit}; anon_vma and anon_vma_chain
 * as mm/rmap.c's anon_vma_init creates them), the files of {@link FileTable} (filp and
 * inode_cache), page-table roots from the page allocator, a page of "kernel image" data (the
 * file_operations and vm_operations_struct tables of the model's files, init_user_ns's count,
 * the static init_mm), overcommit, the failslab hook, the log and the work queue.
 *
 * <p>The model's files: {@link #openFile} opens a regular file of an in-memory filesystem (its
 * own inode, the methods of ramfs_file_operations: generic_file_mmap installs
 * generic_file_vm_ops) or, with {@code vmOpen}, of a device whose mmap installs vm_ops with an
 * open/close pair ("kfork_dev"). That device counts its open VMAs Java-side, by inode
 * ({@link #vmOpenCount}): the count is the driver's state, no field of the kernel's structs.
 * Shared anonymous memory is a shmem file ({@link Shmem}: shmem_zero_setup).
 *
 * <p>Fault injection: every allocation of the mm code goes through {@code alloc*} here, which asks
 * {@link FailSlab} first and returns NULL when told to, as failslab makes kmem_cache_alloc fail.
 * The slab allocator itself (org.kfork.alloc) is unchanged.
 */
public final class OffHeapMmSystem implements MmSystem {
    // The kernel data page: the tables of the model's files, init_user_ns's count, init_mm.
    private static final long GENERIC_FILE_VM_OPS = 0;
    private static final long SHMEM_VM_OPS = GENERIC_FILE_VM_OPS + VmOperationsStruct.SIZEOF;
    private static final long KFORK_DEV_VM_OPS = SHMEM_VM_OPS + VmOperationsStruct.SIZEOF;
    private static final long RAMFS_FILE_OPERATIONS = KFORK_DEV_VM_OPS + VmOperationsStruct.SIZEOF;
    private static final long KFORK_DEV_FOPS = RAMFS_FILE_OPERATIONS + FileOperations.SIZEOF;
    private static final long SHMEM_FILE_OPERATIONS = KFORK_DEV_FOPS + FileOperations.SIZEOF;
    private static final long INIT_USER_NS = SHMEM_FILE_OPERATIONS + FileOperations.SIZEOF;
    private static final long LAST_MM_CTX_ID = INIT_USER_NS + 8;
    private static final long INIT_MM = INIT_USER_NS + 64;

    /** {@code void (*)(struct vm_area_struct *)}: vm_ops->open and ->close, in the kernel text. */
    @FunctionalInterface
    public interface VmaMethod {
        /** Runs on {@code vma}. */
        void call(long vma);
    }

    private final Machine machine;
    private final ForkInit forkInit;
    private final boolean ownsForkInit;
    final KmemCache mmCachep;
    final KmemCache vmAreaCachep;
    final KmemCache anonVmaCachep;
    final KmemCache anonVmaChainCachep;
    private final FileTable files;
    private final boolean ownsFiles;
    private final KernelText text;
    /**
     * The nodes of the page caches (i_data.i_pages of the inodes the mm maps):
     * "kfork_mm_radix_tree_node", a cache of the mm system's own shaped as radix_tree_init's
     * "radix_tree_node". 5.12 has one cache for every radix tree and xarray; the mm system boots
     * without the kernel's Globals (its own tests have none), so its page caches take nodes
     * here. Freed at once: lookups run under the big lock, so no reader needs a grace period.
     */
    final KmemCache radixTreeNodeCachep;
    /** The xarray code of the page caches ({@link Filemap}), on {@link #radixTreeNodeCachep}. */
    final org.kfork.ds.XArray pageCache;
    private final long kernelData;
    /**
     * The model's big lock: it stands for the locks 5.12 takes around shared mm state (mmap_lock,
     * the anon_vma root rwsem, i_mmap_rwsem). Every operation of the address-space API, the fork
     * path and the async teardown on the work queue hold it, so a teardown on the worker never
     * interleaves with an operation on a related mm (sharing anon_vmas or files).
     */
    final java.util.concurrent.locks.ReentrantLock bkl = new java.util.concurrent.locks.ReentrantLock();

    private final org.kfork.alloc.Cpus cpus;
    /**
     * The CPU of the system call holding {@link #bkl}, resolved once when it enters (the kernel's
     * task stays on its CPU for a per-CPU operation; one lookup per call instead of one per
     * object); -1 outside such a call. Guarded by {@link #bkl}.
     */
    private int callCpu = -1;

    /** The big lock (see {@link #bkl}); the fork path's entry points take it themselves. */
    public java.util.concurrent.locks.ReentrantLock bkl() {
        return bkl;
    }

    /** Resolves the caller's CPU for the call now holding {@link #bkl}; returns what to restore. */
    public int enterCpu() {
        final int prev = callCpu;
        if (prev < 0) {
            callCpu = cpus.current();
        }
        return prev;
    }

    /** Ends what {@link #enterCpu} began. */
    public void exitCpu(int prev) {
        callCpu = prev;
    }

    private int cpu() {
        final int c = callCpu;
        return c >= 0 ? c : cpus.current();
    }

    /** Runs {@code r} under {@link #bkl}. */
    public void locked(Runnable r) {
        bkl.lock();
        try {
            r.run();
        } finally {
            bkl.unlock();
        }
    }

    private final Overcommit overcommit;
    private final FailSlab failSlab;
    private final KernelLog log = new KernelLog();
    /** mm/shmem.c's state: the shmem inodes' flags and shared anonymous memory's files. */
    final Shmem shmem;
    /** kfork_dev's open VMAs, by inode (its vm_ops->open less ->close calls). Guarded by itself. */
    private final Long2LongHashMap devVmOpens = new Long2LongHashMap(0);
    private WorkQueue workQueue;
    private long pgds;
    int maxMapCount = Mman.DEFAULT_MAX_MAP_COUNT;
    private volatile boolean fatalSignalPending;
    private long copyPageRange;
    /** empty_zero_page: what a read of untouched anonymous memory maps (my_zero_pfn). */
    private final long zeroPage;
    /**
     * A page of kernel memory through which the {@link Mm} handles' user copies with Java arrays
     * go (a system call's buffer on its kernel stack, in 5.12); guarded by {@link #bkl}.
     */
    private final long bounce;
    /** Live pud, pmd and pte tables of every mm (the pgds are {@link #pgds}). Guarded by {@link #bkl}. */
    private long pgtablePages;
    /** Live user pages: anonymous pages and page cache pages. Guarded by {@link #bkl}. */
    private long userPages;
    /** NR_PAGETABLE, meminfo's PageTables: the pmd and pte tables (their constructors count them). */
    private long nrPagetable;
    /** The mmu_gather of the unmap paths (on the kernel's stack in 5.12); guarded by {@link #bkl}. */
    final MmuGather tlb = new MmuGather();

    /**
     * Boots fork.c's caches (fork_init, proc_caches_init) and the file caches (inode_init,
     * files_init) on {@code machine}, and the mm model on top; the system owns them all.
     */
    public static OffHeapMmSystem boot(Machine machine) {
        Kmem kmem = Kmem.of(machine);
        FailSlab failSlab = new FailSlab();
        ForkInit forkInit = ForkInit.boot(kmem);
        FileTable files = FileTable.filesInit(kmem, failSlab, Inodes.inodeInit(kmem, failSlab));
        return new OffHeapMmSystem(machine, forkInit, true, failSlab, files, true);
    }

    /**
     * The mm model over caches that {@code forkInit} and {@code files} already created, with the
     * kernel's failslab injector.
     */
    public static OffHeapMmSystem on(Machine machine, ForkInit forkInit, FailSlab failSlab, FileTable files) {
        return new OffHeapMmSystem(machine, forkInit, false, failSlab, files, false);
    }

    private OffHeapMmSystem(Machine machine, ForkInit forkInit, boolean owns, FailSlab failSlab, FileTable files,
        boolean ownsFiles) {
        this.machine = machine;
        this.forkInit = forkInit;
        this.ownsForkInit = owns;
        this.failSlab = failSlab;
        this.files = files;
        this.ownsFiles = ownsFiles;
        this.text = files.text();
        this.mmCachep = forkInit.mmCachep();
        this.vmAreaCachep = forkInit.vmAreaCachep();
        Kmem kmem = forkInit.kmem();
        this.cpus = kmem.cpus();
        // anon_vma_init: anon_vma is SLAB_TYPESAFE_BY_RCU with a constructor; the chains are plain
        this.anonVmaCachep = kmem.slabs().create("anon_vma", AnonVmaStruct.SIZEOF, 0,
            SlabFlags.SLAB_TYPESAFE_BY_RCU | SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, OffHeapMmSystem::anonVmaCtor);
        this.anonVmaChainCachep = kmem.slabs().create("anon_vma_chain", AnonVmaChainStruct.SIZEOF, 0,
            SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, null);
        this.radixTreeNodeCachep = kmem.slabs().create("kfork_mm_radix_tree_node", (int) org.kfork.ds.XaNode.SIZEOF, 0,
            SlabFlags.SLAB_PANIC, null); // 5.12 adds SLAB_RECLAIM_ACCOUNT, a statistics flag the model has not
        this.pageCache = new org.kfork.ds.XArray(new org.kfork.ds.Idr.NodeAllocator() {
            @Override
            public long allocNode() {
                long node = failSlab.shouldFail() ? 0 : radixTreeNodeCachep.alloc(cpu());
                if (node != 0) {
                    Mem.zero(node, org.kfork.ds.XaNode.SIZEOF);
                }
                return node;
            }

            @Override
            public void freeNode(long node) {
                radixTreeNodeCachep.free(cpu(), node);
            }
        });
        files.inodes().setTruncateInodePagesFinal(this::truncateInodePagesFinal);
        this.overcommit = new Overcommit(machine.pages().totalramPages());
        long page = machine.pages().allocPage();
        if (page == 0) {
            throw new IllegalStateException("no RAM for the mm model's kernel data page");
        }
        Mem.zero(page, Mman.PAGE_SIZE);
        this.kernelData = page;
        buildFileMethods(page);
        this.shmem = new Shmem(this, overcommit, files, page + SHMEM_FILE_OPERATIONS, page + SHMEM_VM_OPS);
        long zero = machine.pages().allocPage();
        if (zero == 0) {
            throw new IllegalStateException("no RAM for the zero page");
        }
        Mem.zero(zero, Mman.PAGE_SIZE);
        this.zeroPage = zero;
        long bounce = machine.pages().allocPage();
        if (bounce == 0) {
            throw new IllegalStateException("no RAM for the user-copy bounce page");
        }
        this.bounce = bounce;
        putLong(page + INIT_USER_NS, 1);
        putLong(page + LAST_MM_CTX_ID, X86_64.INIT_MM_CTX_ID); // ATOMIC64_INIT(1)
        buildInitMm(page + INIT_MM);
    }

    /**
     * The methods of the model's files, as tables in the kernel data page whose slots hold
     * kernel-text addresses: generic_file_vm_ops and shmem_vm_ops have neither open nor close (5.12
     * fills only fault, map_pages and page_mkwrite, which the model has no page faults for);
     * kfork_dev's vm_ops count the VMAs open on each inode.
     */
    private void buildFileMethods(long page) {
        final long genericVmOps = page + GENERIC_FILE_VM_OPS;
        final long shmemVmOps = page + SHMEM_VM_OPS;
        final long devVmOps = page + KFORK_DEV_VM_OPS;
        putLong(devVmOps + VmOperationsStruct.OPEN, text.register("kfork_dev_vm_open", (VmaMethod) v -> devVmOpen(v, 1)));
        putLong(devVmOps + VmOperationsStruct.CLOSE,
            text.register("kfork_dev_vm_close", (VmaMethod) v -> devVmOpen(v, -1)));
        // generic_file_mmap: the file's pages through generic_file_vm_ops
        putLong(page + RAMFS_FILE_OPERATIONS + FileOperations.MMAP, text.register("generic_file_mmap",
            (FileTable.MmapMethod) (file, vma) -> setVmOps(vma, genericVmOps)));
        // a driver's mmap counts the VMA it sets up, as its vm_ops->open counts copies and splits
        putLong(page + KFORK_DEV_FOPS + FileOperations.MMAP, text.register("kfork_dev_mmap",
            (FileTable.MmapMethod) (file, vma) -> {
                setVmOps(vma, devVmOps);
                devVmOpen(vma, 1);
                return 0;
            }));
        putLong(page + SHMEM_FILE_OPERATIONS + FileOperations.MMAP, text.register("shmem_mmap",
            (FileTable.MmapMethod) (file, vma) -> setVmOps(vma, shmemVmOps)));
        // their read_iter and write_iter: present (FMODE_CAN_READ, FMODE_CAN_WRITE), never run
        final long readIter = text.register("generic_file_read_iter", FileTable.noFileIo("generic_file_read_iter"));
        final long writeIter = text.register("generic_file_write_iter", FileTable.noFileIo("generic_file_write_iter"));
        putLong(page + RAMFS_FILE_OPERATIONS + FileOperations.READ_ITER, readIter);
        putLong(page + RAMFS_FILE_OPERATIONS + FileOperations.WRITE_ITER, writeIter);
        putLong(page + SHMEM_FILE_OPERATIONS + FileOperations.READ_ITER,
            text.register("shmem_file_read_iter", FileTable.noFileIo("shmem_file_read_iter")));
        putLong(page + SHMEM_FILE_OPERATIONS + FileOperations.WRITE_ITER, writeIter);
    }

    private static int setVmOps(long vma, long ops) {
        putLong(vma + VmAreaStruct.VM_OPS, ops);
        return 0;
    }

    /** kfork_dev's vm_ops->open ({@code d} 1) and ->close (-1): the count of its inode's open VMAs. */
    private void devVmOpen(long vma, int d) {
        final long inode = FileTable.fileInode(getLong(vma + VmAreaStruct.VM_FILE));
        synchronized (devVmOpens) {
            final long n = devVmOpens.get(inode) + d;
            if (n == 0) {
                devVmOpens.remove(inode);
            } else {
                devVmOpens.put(inode, n);
            }
        }
    }

    /** anon_vma_ctor: the rwsem and an empty tree, once per object (SLAB_TYPESAFE_BY_RCU). */
    static void anonVmaCtor(long a) {
        Mem.zero(a, AnonVmaStruct.SIZEOF);
        IntrusiveList.init(a + AnonVmaStruct.RWSEM + RwSemaphore.WAIT_LIST);
    }

    /** mm/init-mm.c: init_mm, the static mm of kernel threads. */
    private void buildInitMm(long m) {
        putInt(m + MmStruct.MM_USERS, 2);
        putInt(m + MmStruct.MM_COUNT, 1);
        IntrusiveList.init(m + MmStruct.MMAP_LOCK + RwSemaphore.WAIT_LIST);
        IntrusiveList.init(m + MmStruct.MMLIST);
        putLong(m + MmStruct.USER_NS, kernelData + INIT_USER_NS);
        putLong(m + MmStruct.FLAGS, MmFlags.MMF_DUMP_FILTER_DEFAULT);
        putLong(m + MmStruct.CONTEXT + MmContext.CTX_ID, X86_64.INIT_MM_CTX_ID); // INIT_MM_CONTEXT
        IntrusiveList.init(m + MmStruct.CONTEXT + MmContext.LOCK + Mutex.WAIT_LIST);
    }

    /** &amp;init_mm. */
    public long initMmAddress() {
        return kernelData + INIT_MM;
    }

    /** &amp;last_mm_ctx_id (arch/x86/mm/tlb.c): the last mm context id handed out. */
    public long lastMmCtxIdAddress() {
        return kernelData + LAST_MM_CTX_ID;
    }

    /** The machine. */
    public Machine machine() {
        return machine;
    }

    /** init_user_ns, whose reference count the mms of this system hold. */
    public long initUserNs() {
        return kernelData + INIT_USER_NS;
    }

    /** Whether the current task has a fatal signal pending (dup_mmap checks it per VMA). */
    public boolean fatalSignalPending() {
        return fatalSignalPending;
    }

    /** Counts a copy_page_range call ({@link #copyPageRangeCalls}). */
    public void copyPageRange() {
        copyPageRange++;
    }

    // ------------------------------------------------------------------------------------------
    // Allocation sites (each asks failslab first); kernel-internal, for the ports of org.kfork.kernel
    // ------------------------------------------------------------------------------------------

    public long allocMm() {
        return failSlab.shouldFail() ? 0 : mmCachep.alloc(cpu());
    }

    public void freeMm(long mm) {
        mmCachep.free(cpu(), mm);
    }

    public long allocVma() {
        return failSlab.shouldFail() ? 0 : vmAreaCachep.alloc(cpu());
    }

    public void freeVma(long vma) {
        vmAreaCachep.free(cpu(), vma);
    }

    public long allocAnonVma() {
        return failSlab.shouldFail() ? 0 : anonVmaCachep.alloc(cpu());
    }

    public void freeAnonVma(long a) {
        anonVmaCachep.free(cpu(), a);
    }

    public long allocAvc() {
        return failSlab.shouldFail() ? 0 : anonVmaChainCachep.alloc(cpu());
    }

    public void freeAvc(long avc) {
        anonVmaChainCachep.free(cpu(), avc);
    }

    /** pgd_alloc. */
    public long allocPgd() {
        if (failSlab.shouldFail()) {
            return 0;
        }
        long pgd = machine.pages().allocPages(Pgtable.PGD_ALLOCATION_ORDER);
        if (pgd != 0) {
            Mem.zero(pgd, Mman.PAGE_SIZE << Pgtable.PGD_ALLOCATION_ORDER);
            pgds++;
        }
        return pgd;
    }

    public void freePgd(long pgd) {
        machine.pages().freePages(pgd, Pgtable.PGD_ALLOCATION_ORDER);
        pgds--;
    }

    /** my_zero_pfn, as a physical address: the zero page's. */
    public long zeroPagePhys() {
        return Ram.virtToPhys(zeroPage);
    }

    /** The handles' bounce page (see {@link #bounce}); the caller holds the big lock. */
    long bounce() {
        return bounce;
    }

    /** A zeroed page for a page table (pud, pmd or pte: GFP_PGTABLE_USER), or 0; failslab first. */
    public long allocPgtablePage() {
        if (failSlab.shouldFail()) {
            return 0;
        }
        long t = machine.pages().allocPage();
        if (t != 0) {
            Mem.zero(t, Mman.PAGE_SIZE);
            pgtablePages++;
        }
        return t;
    }

    /** Frees a page table's page. */
    public void freePgtablePage(long t) {
        machine.pages().freePage(t);
        pgtablePages--;
    }

    /** A page for user memory (alloc_page_vma, GFP_HIGHUSER_MOVABLE; not zeroed), or 0; failslab first. */
    public long allocUserPage() {
        if (failSlab.shouldFail()) {
            return 0;
        }
        long p = machine.pages().allocPage();
        if (p != 0) {
            userPages++;
        }
        return p;
    }

    /** Frees a user page (its last reference went). */
    public void freeUserPage(long p) {
        machine.pages().freePage(p);
        userPages--;
    }

    /** pgtable_pte_page_ctor/dtor and pgtable_pmd_page_ctor/dtor: NR_PAGETABLE += {@code d}. */
    void nrPagetableAdd(int d) {
        nrPagetable += d;
    }

    public long getUserNs(long ns) {
        Mem.getAndAddLong(ns, 1);
        return ns;
    }

    public void putUserNs(long ns) {
        if (ns != 0 && Mem.getAndAddLong(ns, -1) == 1) {
            throw new IllegalStateException("put_user_ns: the last reference to init_user_ns");
        }
    }

    /** vm_ops &amp;&amp; vm_ops->open. */
    public boolean vmOpsHasOpen(long ops) {
        return ops != 0 && getLong(ops + VmOperationsStruct.OPEN) != 0;
    }

    /** vm_ops &amp;&amp; vm_ops->close. */
    public boolean vmOpsHasClose(long ops) {
        return ops != 0 && getLong(ops + VmOperationsStruct.CLOSE) != 0;
    }

    /** vma->vm_ops->open(vma), if the VMA has such a method. */
    public void vmOpsOpen(long vma) {
        callVmaMethod(vma, VmOperationsStruct.OPEN);
    }

    /** vma->vm_ops->close(vma), if the VMA has such a method. */
    public void vmOpsClose(long vma) {
        callVmaMethod(vma, VmOperationsStruct.CLOSE);
    }

    private void callVmaMethod(long vma, long slot) {
        final long ops = getLong(vma + VmAreaStruct.VM_OPS);
        final long fn = ops == 0 ? 0 : getLong(ops + slot);
        if (fn != 0) {
            final VmaMethod m = text.resolve(fn, VmaMethod.class);
            if (m == null) {
                throw new IllegalStateException("vm_ops method is no vm_area method: " + text.symbol(fn));
            }
            m.call(vma);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Files
    // ------------------------------------------------------------------------------------------

    /** The file table (fs/file_table.c) the mm's files live in. */
    public FileTable files() {
        return files;
    }

    /**
     * truncate_inode_pages_final, which evict runs for an inode whose filesystem has no
     * evict_inode (the model's regular files): the page cache goes with the inode.
     */
    private void truncateInodePagesFinal(long inode) {
        bkl.lock();
        try {
            Filemap.truncateInodePagesFinal(this, inode + Inode.I_DATA);
        } finally {
            bkl.unlock();
        }
    }

    /** get_file. */
    public void getFile(long f) {
        FileTable.getFile(f);
    }

    /** fput. */
    public void fput(long f) {
        files.fput(f);
    }

    /** call_mmap: the file's f_op->mmap installs the VMA's vm_ops; 0 or a negative errno. */
    int callMmap(long file, long vma) {
        return files.callMmap(file, vma);
    }

    /** The path a file shows in the maps (d_path). */
    String pathOf(long f) {
        return files.path(f);
    }

    /** kfork_dev's open VMAs on the inode of {@code file}. */
    long vmOpenCount(long file) {
        synchronized (devVmOpens) {
            return devVmOpens.get(FileTable.fileInode(file));
        }
    }

    OffHeapMappedFile fileHandle(long f) {
        return new OffHeapMappedFile(this, f);
    }

    // ------------------------------------------------------------------------------------------
    // MmSystem
    // ------------------------------------------------------------------------------------------

    @Override
    public AddressSpace mmAlloc() {
        long mm = ForkMm.mmAlloc(this);
        if (mm == 0) {
            throw new KernelException("mm_alloc", Errno.ENOMEM);
        }
        return new Mm(this, mm);
    }

    /** A handle for the address-space operations on the mm at {@code mm}. */
    public Mm handle(long mm) {
        return new Mm(this, mm);
    }

    /**
     * The model's open(2) of a regular file: a new inode (new_inode, get_next_ino, S_IFREG|0644)
     * and a file opened on it, O_RDWR or O_RDONLY, with ramfs_file_operations or, for
     * {@code vmOpen}, kfork_dev's.
     */
    @Override
    public MappedFile openFile(String path, boolean writable, boolean vmOpen) {
        final Inodes inodes = files.inodes();
        final long inode = inodes.newInodePseudo();
        if (inode == 0) {
            throw new KernelException("open", Errno.ENOMEM);
        }
        putLong(inode + Inode.I_INO, Integer.toUnsignedLong(inodes.getNextIno()));
        Mem.putShort(inode + Inode.I_MODE, (short) (Inodes.S_IFREG | 0644));
        final long f = files.dentryOpen(inode, path, writable ? OpenFlags.O_RDWR : OpenFlags.O_RDONLY,
            kernelData + (vmOpen ? KFORK_DEV_FOPS : RAMFS_FILE_OPERATIONS), 0);
        if (Errno.isError(f)) {
            inodes.iput(inode);
            throw new KernelException("open", (int) -f);
        }
        return new OffHeapMappedFile(this, f);
    }

    @Override
    public Overcommit overcommit() {
        return overcommit;
    }

    int overcommitMode() {
        return overcommit.mode();
    }

    @Override
    public FailSlab failSlab() {
        return failSlab;
    }

    @Override
    public KernelLog log() {
        return log;
    }

    @Override
    public void setMaxMapCount(int max) {
        maxMapCount = max;
    }

    @Override
    public int maxMapCount() {
        return maxMapCount;
    }

    @Override
    public void setFatalSignalPending(boolean pending) {
        fatalSignalPending = pending;
    }

    /** The work queue of mmput_async and mmdrop_async, started at first use. */
    public synchronized WorkQueue workQueue() {
        if (workQueue == null) {
            workQueue = new WorkQueue("offheap-mm-events");
        }
        return workQueue;
    }

    @Override
    public void flushWork() {
        WorkQueue wq;
        synchronized (this) {
            wq = workQueue;
        }
        if (wq != null) {
            wq.flush();
        }
    }

    @Override
    public Map<String, Long> objectCounts() {
        Map<String, Long> m = new TreeMap<>();
        m.put("mm_struct", mmCachep.activeObjects());
        m.put("vm_area_struct", vmAreaCachep.activeObjects());
        m.put("anon_vma", anonVmaCachep.activeObjects());
        m.put("anon_vma_chain", anonVmaChainCachep.activeObjects());
        m.put("filp", files.filpCachep().activeObjects());
        m.put("inode_cache", files.inodes().inodeCachep().activeObjects());
        m.put("kfork_mm_radix_tree_node", radixTreeNodeCachep.activeObjects());
        m.put("pgd", pgds);
        m.put("pgtable", pgtablePages);
        m.put("page", userPages);
        m.put("user_ns refs", getLong(kernelData + INIT_USER_NS) - 1);
        return m;
    }

    /** /proc/slabinfo lines of the caches the mm model uses. */
    public java.util.List<org.kfork.alloc.SlabInfo> slabInfos() {
        return java.util.List.of(mmCachep.info(), vmAreaCachep.info(), anonVmaCachep.info(), anonVmaChainCachep.info(),
            files.filpCachep().info(), files.inodes().inodeCachep().info(),
            radixTreeNodeCachep.info());
    }

    @Override
    public long copyPageRangeCalls() {
        return copyPageRange;
    }

    @Override
    public long nrPagetable() {
        return nrPagetable;
    }

    /** Stops the work queue, frees the kernel data page and destroys the caches this system created. */
    @Override
    public void close() {
        WorkQueue wq;
        synchronized (this) {
            wq = workQueue;
            workQueue = null;
        }
        if (wq != null) {
            wq.close();
        }
        machine.pages().freePage(kernelData);
        machine.pages().freePage(zeroPage);
        machine.pages().freePage(bounce);
        if (ownsFiles) {
            files.close();
            files.inodes().close();
        } else {
            files.inodes().setTruncateInodePagesFinal(null);
        }
        radixTreeNodeCachep.destroy();
        anonVmaChainCachep.destroy();
        anonVmaCachep.destroy();
        if (ownsForkInit) {
            forkInit.close();
        }
    }

    @Override
    public AddressSpace initMm() {
        return new Mm(this, initMmAddress());
    }
}
