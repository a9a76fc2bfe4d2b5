package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

import org.kfork.alloc.Kmem;
import org.kfork.alloc.KmemCache;
import org.kfork.alloc.SlabFlags;
import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.fork.ForkInit;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.arch.X86_64;
import org.kfork.kernel.struct.MmContext;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.Mutex;
import org.kfork.kernel.struct.RwSemaphore;
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
import org.kfork.mm.VmFlags;
import org.kfork.mm.WorkQueue;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;

/**
 * The off-heap mm model's surroundings on one machine: the slab caches (mm_struct and
 * vm_area_struct from fork.c's proc_caches_init via {@link ForkInit}; anon_vma and anon_vma_chain
 * as mm/rmap.c's anon_vma_init creates them; a cache for the minimal file model), page-table
 * roots from the page allocator, a page of "kernel image" data (the vm_operations_struct
 * stand-ins, init_user_ns's count, the static init_mm), overcommit, the failslab hook, the log
 * and the work queue.
 *
 * <p>Fault injection: every allocation of the mm code goes through {@code alloc*} here, which asks
 * {@link FailSlab} first and returns NULL when told to, as failslab makes kmem_cache_alloc fail.
 * The slab allocator itself (org.kfork.alloc) is unchanged.
 */
public final class OffHeapMmSystem implements MmSystem {
    /** pgd_alloc's order with PAGE_TABLE_ISOLATION (two pages: kernel and user PGD). */
    static final int PGD_ALLOCATION_ORDER = 1;
    private static final long GENERIC_FILE_VM_OPS = 0;
    private static final long COUNTING_VM_OPS = 8;
    private static final long INIT_USER_NS = 16;
    private static final long LAST_MM_CTX_ID = 24;
    private static final long SHMEM_VM_OPS = 32;
    private static final long INIT_MM = 64;

    private final Machine machine;
    private final ForkInit forkInit;
    private final boolean ownsForkInit;
    final KmemCache mmCachep;
    final KmemCache vmAreaCachep;
    final KmemCache anonVmaCachep;
    final KmemCache anonVmaChainCachep;
    final KmemCache fileCachep;
    /**
     * The nodes of the files' page caches: "kfork_mm_radix_tree_node", a cache of the mm system's
     * own shaped as radix_tree_init's "radix_tree_node". 5.12 has one cache for every radix tree
     * and xarray; the mm system boots without the kernel's (its own tests have no Globals), so its
     * stand-in files take nodes here until the fs room's address_space moves i_pages onto the
     * kernel's cache. Freed at once: lookups run under the big lock, so no reader needs a grace
     * period.
     */
    final KmemCache radixTreeNodeCachep;
    /** The radix tree code of the page caches ({@link Filemap}), on {@link #radixTreeNodeCachep}. */
    final org.kfork.ds.Idr pageCache;
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
    private final FailSlab failSlab = new FailSlab();
    private final KernelLog log = new KernelLog();
    private final ArrayList<String> paths = new ArrayList<>();
    private WorkQueue workQueue;
    private long pgds;
    private long nextIno = 100;
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

    /** Boots fork.c's caches (fork_init, proc_caches_init) on {@code machine} and the mm model on top. */
    public static OffHeapMmSystem boot(Machine machine) {
        return new OffHeapMmSystem(machine, ForkInit.boot(Kmem.of(machine)), true);
    }

    /** The mm model over caches that {@code forkInit} already created. */
    public static OffHeapMmSystem on(Machine machine, ForkInit forkInit) {
        return new OffHeapMmSystem(machine, forkInit, false);
    }

    private OffHeapMmSystem(Machine machine, ForkInit forkInit, boolean owns) {
        this.machine = machine;
        this.forkInit = forkInit;
        this.ownsForkInit = owns;
        this.mmCachep = forkInit.mmCachep();
        this.vmAreaCachep = forkInit.vmAreaCachep();
        Kmem kmem = forkInit.kmem();
        this.cpus = kmem.cpus();
        // anon_vma_init: anon_vma is SLAB_TYPESAFE_BY_RCU with a constructor; the chains are plain
        this.anonVmaCachep = kmem.slabs().create("anon_vma", AnonVmaStruct.SIZEOF, 0,
            SlabFlags.SLAB_TYPESAFE_BY_RCU | SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, OffHeapMmSystem::anonVmaCtor);
        this.anonVmaChainCachep = kmem.slabs().create("anon_vma_chain", AnonVmaChainStruct.SIZEOF, 0,
            SlabFlags.SLAB_PANIC | SlabFlags.SLAB_ACCOUNT, null);
        this.fileCachep = kmem.slabs().create("kfork_mm_file", MmFileStruct.SIZEOF, 0,
            SlabFlags.SLAB_HWCACHE_ALIGN | SlabFlags.SLAB_PANIC, null);
        this.radixTreeNodeCachep = kmem.slabs().create("kfork_mm_radix_tree_node", (int) org.kfork.ds.XaNode.SIZEOF, 0,
            SlabFlags.SLAB_PANIC, null); // 5.12 adds SLAB_RECLAIM_ACCOUNT, a statistics flag the model has not
        this.pageCache = new org.kfork.ds.Idr(new org.kfork.ds.Idr.NodeAllocator() {
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
        this.overcommit = new Overcommit(machine.pages().totalramPages());
        long page = machine.pages().allocPage();
        if (page == 0) {
            throw new IllegalStateException("no RAM for the mm model's kernel data page");
        }
        Mem.zero(page, Mman.PAGE_SIZE);
        this.kernelData = page;
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
        putLong(page + COUNTING_VM_OPS, 1); // a non-NULL ->open
        putLong(page + INIT_USER_NS, 1);
        putLong(page + LAST_MM_CTX_ID, X86_64.INIT_MM_CTX_ID); // ATOMIC64_INIT(1)
        buildInitMm(page + INIT_MM);
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
        long pgd = machine.pages().allocPages(PGD_ALLOCATION_ORDER);
        if (pgd != 0) {
            Mem.zero(pgd, Mman.PAGE_SIZE << PGD_ALLOCATION_ORDER);
            pgds++;
        }
        return pgd;
    }

    public void freePgd(long pgd) {
        machine.pages().freePages(pgd, PGD_ALLOCATION_ORDER);
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

    /** Whether {@code f} is a shmem file (its pages are MM_SHMEMPAGES). */
    boolean isShmemFile(long f) {
        return getLong(f + MmFileStruct.F_OP_VM_OPS) == kernelData + SHMEM_VM_OPS;
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

    public boolean vmOpsHasOpen(long ops) {
        return ops != 0 && getLong(ops) != 0;
    }

    // ------------------------------------------------------------------------------------------
    // Files
    // ------------------------------------------------------------------------------------------

    private long newFile(String path, int fmode, int writecount, long vmOps) {
        long f = failSlab.shouldFail() ? 0 : fileCachep.alloc();
        if (f == 0) {
            return 0;
        }
        Mem.zero(f, MmFileStruct.SIZEOF);
        putLong(f + MmFileStruct.F_COUNT, 1);
        putInt(f + MmFileStruct.F_MODE, fmode);
        int id;
        synchronized (paths) {
            id = paths.indexOf(null);
            if (id < 0) {
                id = paths.size();
                paths.add(path);
            } else {
                paths.set(id, path);
            }
        }
        putInt(f + MmFileStruct.ID, id);
        putLong(f + MmFileStruct.F_OP_VM_OPS, vmOps);
        putLong(f + MmFileStruct.I_INO, nextIno++);
        putInt(f + MmFileStruct.I_WRITECOUNT, writecount);
        return f;
    }

    /**
     * shmem_zero_setup's file of {@code size} bytes, once shmem_acct_size has charged it (the
     * caller's step): with shmem_vm_ops, its size, and the VM_NORESERVE of {@code flags} that
     * says whether its eviction uncharges it; or 0 without memory.
     */
    long shmemFile(long size, long flags) {
        long f = newFile("/dev/zero (deleted)", MmFileStruct.FMODE_READ | MmFileStruct.FMODE_WRITE, 0,
            kernelData + SHMEM_VM_OPS);
        if (f != 0) {
            putLong(f + MmFileStruct.I_SIZE, size);
            putLong(f + MmFileStruct.SHMEM_FLAGS, flags & VmFlags.VM_NORESERVE);
        }
        return f;
    }

    public void getFile(long f) {
        Mem.getAndAddLong(f + MmFileStruct.F_COUNT, 1);
    }

    /**
     * fput: the last reference runs __fput (a writer's write access goes), evicts a shmem inode
     * (its charge goes back) and frees the file.
     */
    public void fput(long f) {
        long old = Mem.getAndAddLong(f + MmFileStruct.F_COUNT, -1);
        if (old <= 0) {
            throw new IllegalStateException("fput of a freed file");
        }
        if (old == 1) {
            if ((Mem.getInt(f + MmFileStruct.F_MODE) & MmFileStruct.FMODE_WRITE) != 0
                && Mem.getInt(f + MmFileStruct.I_WRITECOUNT) > 0) {
                Mem.getAndAddInt(f + MmFileStruct.I_WRITECOUNT, -1);
            }
            bkl.lock();
            try {
                Filemap.truncateInodePagesFinal(this, f); // evict: the page cache goes with the inode
            } finally {
                bkl.unlock();
            }
            if (getLong(f + MmFileStruct.F_OP_VM_OPS) == kernelData + SHMEM_VM_OPS) { // shmem_evict_inode
                overcommit.shmemUnacctSize(getLong(f + MmFileStruct.SHMEM_FLAGS), getLong(f + MmFileStruct.I_SIZE));
            }
            synchronized (paths) {
                paths.set(Mem.getInt(f + MmFileStruct.ID), null);
            }
            fileCachep.free(f);
        }
    }

    String pathOf(long f) {
        synchronized (paths) {
            return paths.get(Mem.getInt(f + MmFileStruct.ID));
        }
    }

    OffHeapFile fileHandle(long f) {
        return new OffHeapFile(this, f);
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

    @Override
    public MappedFile openFile(String path, boolean writable, boolean vmOpen) {
        int mode = MmFileStruct.FMODE_READ | (writable ? MmFileStruct.FMODE_WRITE : 0);
        long f = newFile(path, mode, writable ? 1 : 0, kernelData + (vmOpen ? COUNTING_VM_OPS : GENERIC_FILE_VM_OPS));
        if (f == 0) {
            throw new KernelException("open", Errno.ENOMEM);
        }
        return new OffHeapFile(this, f);
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
        m.put("filp", fileCachep.activeObjects());
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
            fileCachep.info(), radixTreeNodeCachep.info());
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
        radixTreeNodeCachep.destroy();
        fileCachep.destroy();
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
