package org.kfork.heap.mm;

import java.util.Map;
import java.util.TreeMap;

import org.kfork.mm.AddressSpace;
import org.kfork.mm.FailSlab;
import org.kfork.mm.KernelLog;
import org.kfork.mm.MappedFile;
import org.kfork.mm.Mman;
import org.kfork.mm.MmSystem;
import org.kfork.mm.Overcommit;
import org.kfork.mm.WorkQueue;

/**
 * The heap twin's surroundings: the object counts a slab would keep (so that the leak checks of
 * both variants compare the same numbers), the failslab hook in front of every allocation site,
 * overcommit, the work queue, and the user namespace's reference count.
 */
public final class HeapMmSystem implements MmSystem {
    static final int MM = 0;
    static final int VM_AREA = 1;
    static final int ANON_VMA = 2;
    static final int ANON_VMA_CHAIN = 3;
    static final int FILP = 4;
    static final int PGD = 5;
    private static final String[] NAMES = {"mm_struct", "vm_area_struct", "anon_vma", "anon_vma_chain", "filp", "pgd"};

    private final long[] live = new long[NAMES.length];
    /**
     * The model's big lock: it stands for the locks 5.12 takes around shared mm state (mmap_lock,
     * the anon_vma root rwsem, i_mmap_rwsem). Every operation of the address-space API, the fork
     * path and the async teardown on the work queue hold it, so a teardown on the worker never
     * interleaves with an operation on a related mm (sharing anon_vmas or files).
     */
    final java.util.concurrent.locks.ReentrantLock bkl = new java.util.concurrent.locks.ReentrantLock();

    /** Runs {@code r} under {@link #bkl}. */
    void locked(Runnable r) {
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
    private WorkQueue workQueue;
    int maxMapCount = Mman.DEFAULT_MAX_MAP_COUNT;
    volatile boolean fatalSignalPending;
    long copyPageRange;
    long hugetlbResets;
    private long userNsRefs;
    private long nextIno = 100;
    /** init_user_ns stand-in. */
    static final Object INIT_USER_NS = new Object();

    /** A system whose overcommit accounting sees {@code totalramPages} pages. */
    public HeapMmSystem(long totalramPages) {
        this.overcommit = new Overcommit(totalramPages);
    }

    boolean alloc(int cache) {
        if (failSlab.shouldFail()) {
            return false;
        }
        live[cache]++;
        return true;
    }

    void freed(int cache) {
        if (--live[cache] < 0) {
            throw new IllegalStateException("double free in " + NAMES[cache]);
        }
    }

    Object getUserNs(Object ns) {
        userNsRefs++;
        return ns;
    }

    void putUserNs(Object ns) {
        if (ns != null) {
            userNsRefs--;
        }
    }

    int overcommitMode() {
        return overcommit.mode();
    }

    synchronized WorkQueue workQueue() {
        if (workQueue == null) {
            workQueue = new WorkQueue("heap-mm-events");
        }
        return workQueue;
    }

    HeapFile shmemFile() {
        if (!alloc(FILP)) {
            return null;
        }
        // shmem_kernel_file_setup: FMODE_WRITE but no get_write_access
        HeapFile f = new HeapFile(this, "/dev/zero (deleted)", nextIno++, true, false);
        f.iWritecount = 0;
        return f;
    }

    @Override
    public AddressSpace mmAlloc() {
        if (!alloc(MM)) {
            throw new org.kfork.uapi.KernelException("mm_alloc", org.kfork.uapi.Errno.ENOMEM);
        }
        HeapMm mm = new HeapMm(this);
        if (mm.mmInit(null, INIT_USER_NS, null) == null) {
            throw new org.kfork.uapi.KernelException("mm_alloc", org.kfork.uapi.Errno.ENOMEM);
        }
        mm.taskSize = Mman.TASK_SIZE;
        mm.mmapBase = HeapMmSystem.mmapBase();
        mm.mmapLegacyBase = Mman.TASK_UNMAPPED_BASE;
        return mm;
    }

    /** mmap_base without randomization: the stack gap is clamped up to 128 MiB below TASK_SIZE. */
    static long mmapBase() {
        return Mman.pageAlign(Mman.TASK_SIZE - (128L << 20));
    }

    @Override
    public MappedFile openFile(String path, boolean writable, boolean vmOpen) {
        if (!alloc(FILP)) {
            throw new org.kfork.uapi.KernelException("open", org.kfork.uapi.Errno.ENOMEM);
        }
        return new HeapFile(this, path, nextIno++, writable, vmOpen);
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
        m.put("user_ns refs", userNsRefs);
        return m;
    }

    @Override
    public long copyPageRangeCalls() {
        return copyPageRange;
    }

    @Override
    public void close() {
        if (workQueue != null) {
            workQueue.close();
        }
    }

    private HeapMm initMm;

    synchronized HeapMm initMmIfBuilt() {
        return initMm;
    }

    @Override
    public synchronized AddressSpace initMm() {
        if (initMm == null) {
            // mm/init-mm.c: two users, one count, no VMAs, the default dump filter, init_user_ns
            initMm = new HeapMm(this);
            initMm.mmUsers = 2;
            initMm.mmCount = 1;
            initMm.flags = org.kfork.mm.MmFlags.MMF_DUMP_FILTER_DEFAULT;
            initMm.userNs = INIT_USER_NS;
            initMm.taskSize = Mman.TASK_SIZE;
        }
        return initMm;
    }
}
