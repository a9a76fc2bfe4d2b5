package org.kfork.heap.mm;

import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.Mman.offsetInPage;
import static org.kfork.mm.VmFlags.VM_LOCKED;
import static org.kfork.mm.VmFlags.VM_SHARED;

import java.util.ArrayList;
import java.util.List;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.arch.HeapFault;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.heap.ds.HeapRbTree;
import org.kfork.heap.fork.HeapForkMm;
import org.kfork.heap.fs.HeapFile;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.LockedAddressSpace;
import org.kfork.mm.MappedFile;
import org.kfork.mm.MmDebug;
import org.kfork.mm.Pgtable;
import org.kfork.mm.VmRules;
import org.kfork.mm.VmaInfo;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Mm}: a handle on a {@link HeapMmStruct} for the
 * {@link AddressSpace} API: the system's big lock around each call ({@link LockedAddressSpace}),
 * then the twin of the kernel file that does the work: {@link HeapMmap} (mm/mmap.c),
 * {@link HeapMprotect}, {@link HeapMadvise}, {@link HeapMlock}, {@link HeapRmap}, and
 * {@link HeapForkMm} (the mm half of kernel/fork.c). The differential tests hold the two variants
 * to identical results.
 *
 * <p>A handle holds what 5.12 keeps outside the mm: the 4-entry vmacache of the task (tasks do
 * not exist yet, so each handle carries one: same hash, same seqnum protocol, same invalidation
 * points), and the out-parameters that the kernel's callers keep in their stack frames
 * (find_vma_links' results, the fixups' {@code **pprev}); the big lock guards them.
 */
public final class HeapMm extends LockedAddressSpace {
    final HeapMmSystem sys;
    /** The mm_struct. */
    final HeapMmStruct mm;
    // --- the per-handle vmacache stand-in (task_struct.vmacache in 5.12) ---
    private final HeapVma[] vmacache = new HeapVma[Limits.VMACACHE_SIZE];
    private long vmacacheTaskSeqnum;
    // --- find_vma_links' results: struct vm_area_struct **pprev, rb_node ***rb_link, **rb_parent ---
    HeapVma linkPrev;
    HeapRbNode linkParent;
    boolean linkLeft;
    /** The **pprev of the fixups of mprotect, madvise and mlock: the VMA before the part not yet done. */
    HeapVma pprev;

    HeapMm(HeapMmSystem sys, HeapMmStruct mm) {
        super(sys.bkl);
        this.sys = sys;
        this.mm = mm;
    }

    // =========================================================================================
    // mm/vmacache.c, per handle
    // =========================================================================================

    /** vmacache_find: a cached VMA holding {@code addr}, or null; a stale cache (the seqnum moved) is flushed first. */
    HeapVma vmacacheFind(long addr) {
        long seq = mm.vmacacheSeqnum;
        if (vmacacheTaskSeqnum != seq) {
            vmacacheTaskSeqnum = seq;
            for (int i = 0; i < Limits.VMACACHE_SIZE; i++) {
                vmacache[i] = null;
            }
            return null;
        }
        int idx = vmacacheHash(addr);
        for (int i = 0; i < Limits.VMACACHE_SIZE; i++) {
            HeapVma v = vmacache[idx];
            if (v != null && v.vmStart <= addr && v.vmEnd > addr) {
                return v;
            }
            idx = (idx + 1) & (Limits.VMACACHE_SIZE - 1);
        }
        return null;
    }

    /** vmacache_update. */
    void vmacacheUpdate(long addr, HeapVma vma) {
        vmacache[vmacacheHash(addr)] = vma;
    }

    private static int vmacacheHash(long addr) {
        return (int) (addr >>> PAGE_SHIFT) & (Limits.VMACACHE_SIZE - 1);
    }

    // =========================================================================================
    // AddressSpace
    // =========================================================================================

    @Override
    protected long mmapLocked(long addr, long len, int prot, int flags, MappedFile file, long pgoff) {
        return HeapMmap.doMmap(this, addr, len, prot, flags, file == null ? null : ((HeapMappedFile) file).file, pgoff);
    }

    @Override
    protected int munmapLocked(long start, long len) {
        return HeapMmap.doMunmap(this, start, len);
    }

    @Override
    protected int mprotectLocked(long start, long len, int prot) {
        return HeapMprotect.doMprotect(this, start, len, prot);
    }

    @Override
    protected int madviseLocked(long start, long len, int behavior) {
        return HeapMadvise.doMadvise(this, start, len, behavior);
    }

    @Override
    protected int mlockLocked(long start, long len) {
        return HeapMlock.doMlock(this, start, len, VM_LOCKED);
    }

    @Override
    protected int munlockLocked(long start, long len) {
        return HeapMlock.doMlock(this, start, len, 0);
    }

    /** A user-mode access: the walk, then do_user_addr_fault when the pte does not allow it. */
    @Override
    protected int touchLocked(long addr, boolean write) {
        for (int faults = 0; faults < 2; faults++) {
            long[] pte = Long.compareUnsigned(addr, Pgtable.TASK_SIZE_MAX) < 0 ? HeapPageTables.walkPte(sys, mm, addr) : null;
            long v = pte == null ? 0 : pte[Pgtable.pteIndex(addr)];
            if (Pgtable.pteAllows(v, write)) {
                pte[Pgtable.pteIndex(addr)] = v | Pgtable._PAGE_ACCESSED | (write ? Pgtable._PAGE_DIRTY : 0);
                return 0;
            }
            int err = HeapFault.doUserAddrFault(sys, mm, addr,
                org.kfork.mm.Fault.errorCode(write, true, (v & Pgtable._PAGE_PRESENT) != 0));
            if (err != 0) {
                return err;
            }
        }
        throw new IllegalStateException("page fault at 0x" + Long.toHexString(addr) + " not resolved");
    }

    @Override
    protected long copyFromUserLocked(byte[] to, int off, long from, int n) {
        return HeapUaccess.copyFromUser(sys, mm, to, off, from, n);
    }

    @Override
    protected long copyToUserLocked(long to, byte[] from, int off, int n) {
        return HeapUaccess.copyToUser(sys, mm, to, from, off, n);
    }

    @Override
    protected int getUserLocked(long[] x, long ptr, int size) {
        return HeapUaccess.getUser(sys, mm, x, ptr, size);
    }

    @Override
    protected int putUserLocked(long x, long ptr, int size) {
        return HeapUaccess.putUser(sys, mm, x, ptr, size);
    }

    @Override
    protected int copyStructFromUserLocked(byte[] dst, int ksize, long src, long usize) {
        return HeapUaccess.copyStructFromUser(sys, mm, dst, ksize, src, usize);
    }

    @Override
    protected int checkZeroedUserLocked(long from, long size) {
        return HeapUaccess.checkZeroedUser(sys, mm, from, size);
    }

    @Override
    protected long strncpyFromUserLocked(byte[] dst, long src, long count) {
        return HeapUaccess.strncpyFromUser(sys, mm, dst, src, count);
    }

    @Override
    protected long pteLocked(long addr) {
        if (Long.compareUnsigned(addr, Pgtable.TASK_SIZE_MAX) >= 0) {
            return 0;
        }
        long[] pte = HeapPageTables.walkPte(sys, mm, addr);
        return pte == null ? 0 : pte[Pgtable.pteIndex(addr)];
    }

    @Override
    protected VmaInfo findVmaLocked(long addr) {
        HeapVma v = HeapMmap.findVma(this, addr);
        return v == null ? null : info(v);
    }

    @Override
    protected long getUnmappedAreaLocked(long addr, long len, long pgoff, int flags) {
        return HeapUnmappedArea.getUnmappedArea(this, addr, len, pgoff, flags);
    }

    @Override
    protected AddressSpace dupLocked(DupMode mode) {
        HeapMmStruct child = HeapForkMm.dupMm(sys, mm, null, mode);
        if (ErrPtr.isErr(child)) {
            throw new KernelException("dup_mm", -ErrPtr.ptrErr(child));
        }
        return new HeapMm(sys, child);
    }

    /** mmget: the heap twin's count is a plain field, so it takes the system lock. */
    @Override
    protected void doMmget() {
        sys.bkl.lock();
        try {
            HeapForkMm.mmget(mm);
        } finally {
            sys.bkl.unlock();
        }
    }

    /** mmput: the static path takes the system lock itself. */
    @Override
    protected void doMmput() {
        HeapForkMm.mmput(sys, mm);
    }

    @Override
    protected void mmputAsyncLocked() {
        HeapForkMm.mmputAsync(sys, mm);
    }

    /** mmgrab: the heap twin's count is a plain field, so it takes the system lock. */
    @Override
    protected void doMmgrab() {
        sys.bkl.lock();
        try {
            HeapForkMm.mmgrab(mm);
        } finally {
            sys.bkl.unlock();
        }
    }

    @Override
    protected void mmdropLocked() {
        HeapForkMm.mmdrop(sys, mm);
    }

    @Override
    protected void mmdropAsyncLocked() {
        HeapForkMm.mmdropAsync(sys, mm);
    }

    @Override
    protected void setExeFileLocked(MappedFile file) {
        HeapForkMm.setMmExeFile(sys, mm, file == null ? null : ((HeapMappedFile) file).file);
    }

    @Override
    protected MappedFile getExeFileLocked() {
        HeapFile f = HeapForkMm.getMmExeFile(sys, mm);
        return f == null ? null : new HeapMappedFile(sys, f);
    }

    // =========================================================================================
    // Views
    // =========================================================================================

    private VmaInfo info(HeapVma v) {
        return new VmaInfo(v.vmStart, v.vmEnd, v.vmFlags, v.vmPgoff, v.vmFile == null ? null : sys.pathOf(v.vmFile),
            v.anonVma != null);
    }

    @Override
    protected List<VmaInfo> vmasLocked() {
        List<VmaInfo> l = new ArrayList<>();
        for (HeapVma v = mm.mmap; v != null; v = v.vmNext) {
            l.add(info(v));
        }
        return l;
    }

    @Override
    protected String mapsLocked() {
        StringBuilder sb = new StringBuilder();
        for (HeapVma v = mm.mmap; v != null; v = v.vmNext) {
            sb.append(VmRules.mapsLine(v.vmStart, v.vmEnd, v.vmFlags, v.vmPgoff, v.vmFile == null ? 0 : v.vmFile.fInode.iIno,
                v.vmFile == null ? VmRules.anonName(v.vmFlags) : sys.pathOf(v.vmFile)));
        }
        return sb.toString();
    }

    /**
     * validate_mm (mm/mmap.c, CONFIG_DEBUG_VM_RB) and more: the invariants that {@link HeapMmap},
     * {@link HeapRmap} and the file model state, checked over the whole mm.
     */
    @Override
    protected void validateLocked() {
        int n = HeapRbTree.validate(mm.mmRb);
        HeapMmap.GAP.validate(mm.mmRb);
        HeapVma prev = null;
        MmDebug.VmCounts counts = new MmDebug.VmCounts();
        int count = 0;
        for (HeapRbNode rb = HeapRbTree.first(mm.mmRb); rb != null; rb = HeapRbTree.next(rb)) {
            HeapVma v = (HeapVma) rb;
            String name = v.toString();
            MmDebug.check(v.vmPrev == prev, "vm_prev of " + name + " is not " + prev);
            MmDebug.check(prev == null ? mm.mmap == v : prev.vmNext == v, "list and tree disagree at " + name);
            MmDebug.check(v.vmStart < v.vmEnd && offsetInPage(v.vmStart) == 0 && offsetInPage(v.vmEnd) == 0, "bad range " + name);
            MmDebug.check(prev == null || prev.vmEnd <= v.vmStart, "overlap at " + name);
            MmDebug.check(v.vmMm == mm, "vm_mm of " + name);
            counts.add(v.vmFlags, v.pages());
            HeapRmap.validateChain(v, name);
            if (v.vmFile != null) {
                MmDebug.check(v.vmFile.fCount() > 0, "file of " + name + " is freed");
                MmDebug.check(v.shared != null, "file VMA " + name + " not in i_mmap");
            }
            prev = v;
            count++;
        }
        MmDebug.check(n == count && count == mm.mapCount, "map_count " + mm.mapCount + " but " + count + " VMAs");
        MmDebug.check(prev == null || mm.highestVmEnd == VmRules.vmEndGap(prev.vmEnd, prev.vmFlags),
            "highest_vm_end " + Long.toHexString(mm.highestVmEnd));
        counts.check(mm.totalVm, mm.dataVm, mm.execVm, mm.stackVm, mm.lockedVm);
    }

    /**
     * The mm_struct this handle holds (what a task's {@code mm} field points at), as
     * {@code Mm.address()} off-heap; refused after this handle's own puts freed it.
     */
    public HeapMmStruct mmStruct() {
        return struct();
    }

    /** The mm_struct, once this handle's own puts have not freed it. */
    private HeapMmStruct struct() {
        checkStruct("mm_struct");
        return mm;
    }

    @Override
    public int mmUsers() {
        return struct().mmUsers;
    }

    @Override
    public int mmCount() {
        return struct().mmCount;
    }

    @Override
    public int mapCount() {
        return struct().mapCount;
    }

    @Override
    public long totalVm() {
        return struct().totalVm;
    }

    @Override
    public long dataVm() {
        return struct().dataVm;
    }

    @Override
    public long execVm() {
        return struct().execVm;
    }

    @Override
    public long stackVm() {
        return struct().stackVm;
    }

    @Override
    public long lockedVm() {
        return struct().lockedVm;
    }

    @Override
    public long hiwaterVm() {
        return struct().hiwaterVm;
    }

    @Override
    public long highestVmEnd() {
        return struct().highestVmEnd;
    }

    @Override
    public long vmacacheSeqnum() {
        return struct().vmacacheSeqnum;
    }

    @Override
    public long ctxId() {
        return struct().ctxId;
    }

    @Override
    public long tlbGen() {
        return struct().tlbGen;
    }

    @Override
    public long flags() {
        return struct().flags;
    }

    @Override
    public void setFlags(long flags) {
        struct().flags = flags;
    }

    @Override
    public long rss(int member) {
        if (member < 0 || member >= Limits.NR_MM_COUNTERS) {
            throw new IllegalArgumentException("rss_stat member " + member);
        }
        return struct().rssStat[member];
    }

    @Override
    public long pgtablesBytes() {
        return struct().pgtablesBytes;
    }

    @Override
    public long hiwaterRss() {
        return struct().hiwaterRss;
    }

    /** Test hook: an rss counter (MM_FILEPAGES...) as a page-table bug would leave it. */
    public void setRssCounter(int type, long value) {
        mm.rssStat[type] = value;
    }

    /** Test hook: pgtables_bytes. */
    public void setPgtablesBytes(long value) {
        mm.pgtablesBytes = value;
    }

    /** Test hook: vm_private_data of the VMA holding {@code addr} (0 for null). */
    public long vmPrivateData(long addr) {
        Object d = vmaAt(addr).vmPrivateData;
        return d == null ? 0 : (Long) d;
    }

    /** Test hook: sets vm_private_data of the VMA holding {@code addr}, as hugetlbfs keeps its reserve map there. */
    public void setVmPrivateData(long addr, long value) {
        vmaAt(addr).vmPrivateData = value == 0 ? null : Long.valueOf(value);
    }

    private HeapVma vmaAt(long addr) {
        sys.bkl.lock();
        try {
            HeapVma v = HeapMmap.findVma(this, addr);
            if (v == null || v.vmStart > addr) {
                throw new IllegalArgumentException("nothing mapped at 0x" + Long.toHexString(addr));
            }
            return v;
        } finally {
            sys.bkl.unlock();
        }
    }
}
