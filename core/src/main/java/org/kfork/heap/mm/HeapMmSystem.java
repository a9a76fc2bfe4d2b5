package org.kfork.heap.mm;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import org.kfork.arch.X86_64;
import org.kfork.heap.ErrPtr;
import org.kfork.heap.ds.HeapIdr;
import org.kfork.heap.ds.HeapXArray;
import org.kfork.heap.ds.HeapXaNode;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.fs.HeapFileOperations;
import org.kfork.heap.fs.HeapFileTable;
import org.kfork.heap.fs.HeapInode;
import org.kfork.heap.fs.HeapInodes;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.FailSlab;
import org.kfork.mm.KernelLog;
import org.kfork.mm.MappedFile;
import org.kfork.mm.Mman;
import org.kfork.mm.MmSystem;
import org.kfork.mm.MmuGather;
import org.kfork.mm.Overcommit;
import org.kfork.mm.WorkQueue;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;
import org.kfork.uapi.OpenFlags;

/**
 * The heap twin's surroundings: the object counts a slab would keep (so that the leak checks of
 * both variants compare the same numbers), the failslab hook in front of every allocation site,
 * overcommit, the work queue, the user namespace's reference count, and the model's files over
 * {@link HeapFileTable} (the methods of the off-heap twin's files, as Java functions).
 */
public final class HeapMmSystem implements MmSystem {
    /** The "caches" whose objects {@link #alloc} counts: mm_struct. */
    public static final int MM = 0;
    /** vm_area_struct. */
    public static final int VM_AREA = 1;
    /** anon_vma. */
    public static final int ANON_VMA = 2;
    /** anon_vma_chain. */
    public static final int ANON_VMA_CHAIN = 3;
    /** The page-table roots. */
    public static final int PGD = 4;
    /** The pud, pmd and pte tables. */
    public static final int PGTABLE = 5;
    /** The user pages: anonymous pages and page cache pages. */
    public static final int PAGE = 6;
    /** The page caches' radix tree nodes (the off-heap twin's "kfork_mm_radix_tree_node" cache). */
    public static final int RADIX_TREE_NODE = 7;
    private static final String[] NAMES = {"mm_struct", "vm_area_struct", "anon_vma", "anon_vma_chain", "pgd",
        "pgtable", "page", "kfork_mm_radix_tree_node"};

    private final long[] live = new long[NAMES.length];
    /**
     * The model's big lock: it stands for the locks 5.12 takes around shared mm state (mmap_lock,
     * the anon_vma root rwsem, i_mmap_rwsem). Every operation of the address-space API, the fork
     * path and the async teardown on the work queue hold it, so a teardown on the worker never
     * interleaves with an operation on a related mm (sharing anon_vmas or files).
     */
    final java.util.concurrent.locks.ReentrantLock bkl = new java.util.concurrent.locks.ReentrantLock();

    /** The big lock (see {@link #bkl}); the fork path's entry points take it themselves. */
    public java.util.concurrent.locks.ReentrantLock bkl() {
        return bkl;
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
    final HeapShmem shmem;
    private final HeapFileTable files;
    /** kfork_dev's open VMAs, by inode. Guarded by itself. */
    private final Map<HeapInode, Long> devVmOpens = new HashMap<>();
    private final HeapVmOperations genericFileVmOps = new HeapVmOperations("generic_file_vm_ops", null, null);
    private final HeapVmOperations shmemVmOps = new HeapVmOperations("shmem_vm_ops", null, null);
    private final HeapVmOperations devVmOps = new HeapVmOperations("kfork_dev_vm_ops", v -> devVmOpen(v, 1),
        v -> devVmOpen(v, -1));
    private final HeapFileOperations ramfsFileOperations = new HeapFileOperations("ramfs_file_operations");
    private final HeapFileOperations devFops = new HeapFileOperations("kfork_dev_fops");
    private final HeapFileOperations shmemFileOperations = new HeapFileOperations("shmem_file_operations");
    private WorkQueue workQueue;
    int maxMapCount = Mman.DEFAULT_MAX_MAP_COUNT;
    private volatile boolean fatalSignalPending;
    private long copyPageRange;
    /** The page frames of the twin's tables and user pages; guarded by {@link #bkl}. */
    final HeapPages pages = new HeapPages();
    /** empty_zero_page's frame: what a read of untouched anonymous memory maps. */
    private final long zeroPage = pages.allocPage();
    /** NR_PAGETABLE: the pmd and pte tables. Guarded by {@link #bkl}. */
    private long nrPagetable;
    /** The mmu_gather of the unmap paths; guarded by {@link #bkl}. */
    final MmuGather tlb = new MmuGather();
    /** The xarray code of the page caches ({@link HeapFilemap}), its nodes counted as a slab would. */
    final HeapXArray pageCache = new HeapXArray(new HeapIdr.NodeAllocator() {
        @Override
        public HeapXaNode allocNode() {
            return alloc(RADIX_TREE_NODE) ? new HeapXaNode() : null;
        }

        @Override
        public void freeNode(HeapXaNode node) {
            freed(RADIX_TREE_NODE);
        }
    });
    private long userNsRefs;
    /** last_mm_ctx_id (arch/x86/mm/tlb.c). */
    private final AtomicLong lastMmCtxId = new AtomicLong(X86_64.INIT_MM_CTX_ID);
    /** init_user_ns stand-in. */
    public static final Object INIT_USER_NS = new Object();

    /**
     * A system whose overcommit accounting sees {@code totalramPages} pages, with files of its own
     * (inode_init, files_init) and its own failslab injector.
     */
    public HeapMmSystem(long totalramPages) {
        this(totalramPages, new FailSlab(), null);
    }

    /** A system over the kernel's failslab injector and file table (null: files of its own). */
    public HeapMmSystem(long totalramPages, FailSlab failSlab, HeapFileTable files) {
        this.overcommit = new Overcommit(totalramPages);
        this.failSlab = failSlab;
        this.files = files != null ? files
            : HeapFileTable.filesInit(totalramPages, failSlab, HeapInodes.inodeInit(failSlab));
        buildFileMethods();
        this.shmem = new HeapShmem(this, overcommit, this.files, shmemFileOperations, shmemVmOps);
        this.files.inodes().setTruncateInodePagesFinal(this::truncateInodePagesFinal);
    }

    /** The methods of the model's files (see the off-heap twin's buildFileMethods). */
    private void buildFileMethods() {
        ramfsFileOperations.mmap = (file, vma) -> setVmOps(vma, genericFileVmOps);
        devFops.mmap = (file, vma) -> {
            setVmOps(vma, devVmOps);
            devVmOpen((HeapVma) vma, 1);
            return 0;
        };
        shmemFileOperations.mmap = (file, vma) -> setVmOps(vma, shmemVmOps);
        final HeapFileOperations.RwIterMethod writeIter = HeapFileOperations.noFileIo("generic_file_write_iter");
        ramfsFileOperations.readIter = HeapFileOperations.noFileIo("generic_file_read_iter");
        ramfsFileOperations.writeIter = writeIter;
        shmemFileOperations.readIter = HeapFileOperations.noFileIo("shmem_file_read_iter");
        shmemFileOperations.writeIter = writeIter;
    }

    private static int setVmOps(Object vma, HeapVmOperations ops) {
        ((HeapVma) vma).vmOps = ops;
        return 0;
    }

    private void devVmOpen(HeapVma vma, int d) {
        HeapInode inode = vma.vmFile.fInode;
        synchronized (devVmOpens) {
            long n = devVmOpens.getOrDefault(inode, 0L) + d;
            if (n == 0) {
                devVmOpens.remove(inode);
            } else {
                devVmOpens.put(inode, n);
            }
        }
    }

    /** The file table the mm's files live in. */
    public HeapFileTable files() {
        return files;
    }

    /**
     * Whether the failslab hook lets an allocation from {@code cache} succeed; counts it if so.
     * The counts are plain longs guarded by the big lock (lockdep_assert_held: an unlocked count
     * would lose updates when two threads fork and exit at once).
     */
    public boolean alloc(int cache) {
        assertBklHeld("alloc", cache);
        if (failSlab.shouldFail()) {
            return false;
        }
        live[cache]++;
        return true;
    }

    /** Counts a free into {@code cache} (under the big lock, as {@link #alloc}). */
    public void freed(int cache) {
        assertBklHeld("free", cache);
        if (--live[cache] < 0) {
            throw new IllegalStateException("double free in " + NAMES[cache]);
        }
    }

    private void assertBklHeld(String what, int cache) {
        if (!bkl.isHeldByCurrentThread()) {
            throw new IllegalStateException("the " + what + " of a " + NAMES[cache] + " is counted outside the big lock");
        }
    }

    /** my_zero_pfn, as a physical address. */
    public long zeroPagePhys() {
        return zeroPage;
    }

    /** The page frames (tables and user pages). */
    public HeapPages pages() {
        return pages;
    }

    /** A zeroed page table (pud, pmd or pte), failslab first: its physical address, or 0. */
    public long allocPgtablePage() {
        return alloc(PGTABLE) ? pages.allocTable() : 0;
    }

    /** Frees a page table. */
    public void freePgtablePage(long phys) {
        pages.free(phys);
        freed(PGTABLE);
    }

    /** A user page, failslab first: its physical address, or 0. Java zeroes it; callers that copy into it do not care. */
    public long allocUserPage() {
        return alloc(PAGE) ? pages.allocPage() : 0;
    }

    /** Frees a user page. */
    public void freeUserPage(long phys) {
        pages.free(phys);
        freed(PAGE);
    }

    /** NR_PAGETABLE += {@code d}. */
    void nrPagetableAdd(int d) {
        nrPagetable += d;
    }

    /** get_user_ns. */
    public Object getUserNs(Object ns) {
        userNsRefs++;
        return ns;
    }

    /** put_user_ns. */
    public void putUserNs(Object ns) {
        if (ns != null) {
            userNsRefs--;
        }
    }

    /** last_mm_ctx_id: the last mm context id handed out. */
    public AtomicLong lastMmCtxId() {
        return lastMmCtxId;
    }

    int overcommitMode() {
        return overcommit.mode();
    }

    /** The work queue of mmput_async and mmdrop_async, started at first use. */
    public synchronized WorkQueue workQueue() {
        if (workQueue == null) {
            workQueue = new WorkQueue("heap-mm-events");
        }
        return workQueue;
    }

    /** truncate_inode_pages_final for an inode without evict_inode (the model's regular files). */
    private void truncateInodePagesFinal(HeapInode inode) {
        bkl.lock();
        try {
            HeapFilemap.truncateInodePagesFinal(this, inode.iData);
        } finally {
            bkl.unlock();
        }
    }

    /** get_file. */
    public void getFile(HeapFile f) {
        HeapFileTable.getFile(f);
    }

    /** fput. */
    public void fput(HeapFile f) {
        files.fput(f);
    }

    /** The path a file shows in the maps. */
    String pathOf(HeapFile f) {
        return files.path(f);
    }

    /** kfork_dev's open VMAs on the inode of {@code file}. */
    long vmOpenCount(HeapFile file) {
        synchronized (devVmOpens) {
            return devVmOpens.getOrDefault(file.fInode, 0L);
        }
    }

    /** Whether the current task has a fatal signal pending (dup_mmap checks it per VMA). */
    public boolean fatalSignalPending() {
        return fatalSignalPending;
    }

    /** Counts a copy_page_range call ({@link #copyPageRangeCalls}). */
    public void copyPageRange() {
        copyPageRange++;
    }

    /** A handle for the address-space operations on {@code mm} (OffHeapMmSystem.handle's twin). */
    public HeapMm handle(HeapMmStruct mm) {
        return new HeapMm(this, mm);
    }

    @Override
    public AddressSpace mmAlloc() {
        HeapMmStruct mm = HeapForkMm.mmAlloc(this);
        if (mm == null) {
            throw new org.kfork.uapi.KernelException("mm_alloc", org.kfork.uapi.Errno.ENOMEM);
        }
        return new HeapMm(this, mm);
    }

    /** The model's open(2) of a regular file: see the off-heap twin. */
    @Override
    public MappedFile openFile(String path, boolean writable, boolean vmOpen) {
        HeapInodes inodes = files.inodes();
        HeapInode inode = inodes.newInodePseudo();
        if (inode == null) {
            throw new KernelException("open", Errno.ENOMEM);
        }
        inode.iIno = Integer.toUnsignedLong(inodes.getNextIno());
        inode.iMode = HeapInodes.S_IFREG | 0644;
        HeapFile f = files.dentryOpen(inode, path, writable ? OpenFlags.O_RDWR : OpenFlags.O_RDONLY,
            vmOpen ? devFops : ramfsFileOperations, null);
        if (ErrPtr.isErr(f)) {
            inodes.iput(inode);
            throw new KernelException("open", -ErrPtr.ptrErr(f));
        }
        return new HeapMappedFile(this, f);
    }

    @Override
    public Overcommit overcommit() {
        return overcommit;
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

    @Override
    public void flushWork() {
        if (workQueue != null) {
            workQueue.flush();
        }
    }

    @Override
    public Map<String, Long> objectCounts() {
        Map<String, Long> m = new TreeMap<>();
        for (int i = 0; i < NAMES.length; i++) {
            m.put(NAMES[i], live[i]);
        }
        m.put("filp", files.liveObjects());
        m.put("inode_cache", files.inodes().liveObjects());
        m.put("user_ns refs", userNsRefs);
        return m;
    }

    @Override
    public long copyPageRangeCalls() {
        return copyPageRange;
    }

    @Override
    public long nrPagetable() {
        return nrPagetable;
    }

    @Override
    public void close() {
        if (workQueue != null) {
            workQueue.close();
        }
        files.inodes().setTruncateInodePagesFinal(null);
    }

    private HeapMm initMm;

    /** &amp;init_mm once {@link #initMm} has built it, else null. */
    public synchronized HeapMmStruct initMmStruct() {
        return initMm == null ? null : initMm.mm;
    }

    @Override
    public synchronized AddressSpace initMm() {
        if (initMm == null) {
            // mm/init-mm.c: two users, one count, no VMAs, the default dump filter, init_user_ns
            HeapMmStruct m = new HeapMmStruct();
            m.mmUsers = 2;
            m.mmCount = 1;
            m.flags = org.kfork.mm.MmFlags.MMF_DUMP_FILTER_DEFAULT;
            m.userNs = INIT_USER_NS;
            m.taskSize = Mman.TASK_SIZE;
            m.ctxId = X86_64.INIT_MM_CTX_ID; // INIT_MM_CONTEXT
            initMm = new HeapMm(this, m);
        }
        return initMm;
    }
}
