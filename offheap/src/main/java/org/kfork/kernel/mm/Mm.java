package org.kfork.kernel.mm;

import static org.kfork.kernel.mm.MmTypes.anonVma;
import static org.kfork.kernel.mm.MmTypes.pages;
import static org.kfork.kernel.mm.MmTypes.vmPrev;
import static org.kfork.kernel.mm.MmTypes.mmGet;
import static org.kfork.kernel.mm.MmTypes.vmEnd;
import static org.kfork.kernel.mm.MmTypes.vmFile;
import static org.kfork.kernel.mm.MmTypes.vmFlags;
import static org.kfork.kernel.mm.MmTypes.vmNext;
import static org.kfork.kernel.mm.MmTypes.vmPgoff;
import static org.kfork.kernel.mm.MmTypes.vmStart;
import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.Mman.offsetInPage;
import static org.kfork.mm.VmFlags.VM_LOCKED;
import static org.kfork.mm.VmFlags.VM_SHARED;

import java.util.ArrayList;
import java.util.List;

import org.kfork.ds.RbTree;
import org.kfork.ds.VmaIntervalTree;
import org.kfork.kernel.arch.Fault;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.kernel.fs.FileTable;
import org.kfork.kernel.struct.File;
import org.kfork.kernel.struct.Inode;
import org.kfork.kernel.struct.MmContext;
import org.kfork.kernel.struct.MmRssStat;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Mem;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.LockedAddressSpace;
import org.kfork.mm.MappedFile;
import org.kfork.mm.MmDebug;
import org.kfork.mm.Mman;
import org.kfork.mm.Pgtable;
import org.kfork.mm.UaccessRules;
import org.kfork.mm.VmRules;
import org.kfork.mm.VmaInfo;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;

/**
 * A handle on an off-heap {@code struct mm_struct} (at its 5.12 layout, from the mm_struct cache)
 * for the {@link AddressSpace} API: the system's big lock around each call
 * ({@link LockedAddressSpace}), then the port of the kernel file that does the work:
 * {@link Mmap} (mm/mmap.c), {@link Mprotect}, {@link Madvise}, {@link Mlock}, {@link Rmap}, and
 * {@link ForkMm} (the mm half of kernel/fork.c). {@link org.kfork.heap.mm.HeapMm} is its heap twin.
 *
 * <p>The fork path ({@link ForkMm#dupMm}, {@link ForkMm#mmput}) is static over addresses and
 * allocates nothing on the Java heap; it needs no handle. A handle holds what 5.12 keeps outside
 * the mm: the 4-entry vmacache of the task (tasks do not exist yet, so each handle carries one,
 * validated by the mm's vmacache_seqnum exactly as the task's would be), and the out-parameters
 * that the kernel's callers keep in their stack frames (find_vma_links' results, the fixups'
 * {@code **pprev}); the big lock guards them.
 */
public final class Mm extends LockedAddressSpace {
    final OffHeapMmSystem sys;
    /** The mm_struct's address. */
    final long mm;
    // --- the per-handle vmacache stand-in (task_struct.vmacache in 5.12) ---
    private final long[] vmacache = new long[Limits.VMACACHE_SIZE];
    private long vmacacheTaskSeqnum;
    // --- find_vma_links' results: struct vm_area_struct **pprev, rb_node ***rb_link, **rb_parent ---
    long linkPrev;
    long linkParent;
    long linkSlot;
    /** The **pprev of the fixups of mprotect, madvise and mlock: the VMA before the part not yet done. */
    long pprev;

    Mm(OffHeapMmSystem sys, long mm) {
        super(sys.bkl);
        this.sys = sys;
        this.mm = mm;
    }

    /** The mm_struct's modeled address. */
    public long address() {
        return mm;
    }

    // =========================================================================================
    // mm/vmacache.c, per handle
    // =========================================================================================

    /** vmacache_find: a cached VMA holding {@code addr}, or 0; a stale cache (the seqnum moved) is flushed first. */
    long vmacacheFind(long addr) {
        long seq = mmGet(mm, MmStruct.VMACACHE_SEQNUM);
        if (vmacacheTaskSeqnum != seq) {
            vmacacheTaskSeqnum = seq;
            for (int i = 0; i < Limits.VMACACHE_SIZE; i++) {
                vmacache[i] = 0;
            }
            return 0;
        }
        int idx = vmacacheHash(addr);
        for (int i = 0; i < Limits.VMACACHE_SIZE; i++) {
            long v = vmacache[idx];
            if (v != 0 && vmStart(v) <= addr && vmEnd(v) > addr) {
                return v;
            }
            idx = (idx + 1) & (Limits.VMACACHE_SIZE - 1);
        }
        return 0;
    }

    /** vmacache_update. */
    void vmacacheUpdate(long addr, long vma) {
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
        return Mmap.doMmap(this, addr, len, prot, flags, file == null ? 0 : ((OffHeapMappedFile) file).addr, pgoff);
    }

    @Override
    protected int munmapLocked(long start, long len) {
        return Mmap.doMunmap(this, start, len);
    }

    @Override
    protected int mprotectLocked(long start, long len, int prot) {
        return Mprotect.doMprotect(this, start, len, prot);
    }

    @Override
    protected int madviseLocked(long start, long len, int behavior) {
        return Madvise.doMadvise(this, start, len, behavior);
    }

    @Override
    protected int mlockLocked(long start, long len) {
        return Mlock.doMlock(this, start, len, VM_LOCKED);
    }

    @Override
    protected int munlockLocked(long start, long len) {
        return Mlock.doMlock(this, start, len, 0);
    }

    /**
     * A user-mode access: the CPU's walk, then do_user_addr_fault when the pte does not allow it
     * (the model's CPU does the walk again after the fault, as the faulting instruction would).
     */
    @Override
    protected int touchLocked(long addr, boolean write) {
        final int cpu = sys.enterCpu();
        try {
            for (int faults = 0; faults < 2; faults++) {
                long pte = Long.compareUnsigned(addr, Pgtable.TASK_SIZE_MAX) < 0 ? PageTables.walkPte(mm, addr) : 0;
                long v = pte == 0 ? 0 : getLong(pte);
                if (Pgtable.pteAllows(v, write)) {
                    long young = v | Pgtable._PAGE_ACCESSED | (write ? Pgtable._PAGE_DIRTY : 0);
                    if (young != v) {
                        putLong(pte, young);
                    }
                    return 0;
                }
                int err = Fault.doUserAddrFault(sys, mm, addr,
                    org.kfork.mm.Fault.errorCode(write, true, (v & Pgtable._PAGE_PRESENT) != 0));
                if (err != 0) {
                    return err;
                }
            }
            throw new IllegalStateException("page fault at 0x" + Long.toHexString(addr) + " not resolved");
        } finally {
            sys.exitCpu(cpu);
        }
    }

    @Override
    protected long copyFromUserLocked(byte[] to, int off, long from, int n) {
        if (!UaccessRules.accessOk(from, n)) {
            java.util.Arrays.fill(to, off, off + n, (byte) 0);
            return n;
        }
        long bounce = sys.bounce();
        int done = 0;
        while (done < n) {
            int chunk = (int) Math.min(n - done, Mman.PAGE_SIZE);
            long left = Uaccess.copyFromUser(sys, mm, bounce, from + done, chunk);
            Mem.copyToArray(bounce, to, off + done, chunk); // the uncopied tail comes zeroed
            if (left != 0) {
                java.util.Arrays.fill(to, off + done + chunk, off + n, (byte) 0);
                return n - done - chunk + left;
            }
            done += chunk;
        }
        return 0;
    }

    @Override
    protected long copyToUserLocked(long to, byte[] from, int off, int n) {
        long bounce = sys.bounce();
        int done = 0;
        while (done < n) {
            int chunk = (int) Math.min(n - done, Mman.PAGE_SIZE);
            Mem.copyFromArray(from, off + done, bounce, chunk);
            long left = Uaccess.copyToUser(sys, mm, to + done, bounce, chunk);
            if (left != 0) {
                return n - done - chunk + left;
            }
            done += chunk;
        }
        return 0;
    }

    @Override
    protected int getUserLocked(long[] x, long ptr, int size) {
        long bounce = sys.bounce();
        int err = Uaccess.getUser(sys, mm, bounce, ptr, size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (Mem.getByte(bounce + i) & 0xff);
        }
        x[0] = v;
        return err;
    }

    @Override
    protected int putUserLocked(long x, long ptr, int size) {
        return Uaccess.putUser(sys, mm, x, ptr, size);
    }

    @Override
    protected int copyStructFromUserLocked(byte[] dst, int ksize, long src, long usize) {
        long bounce = sys.bounce();
        Mem.copyFromArray(dst, 0, bounce, ksize); // the kernel struct as it was
        int err = Uaccess.copyStructFromUser(sys, mm, bounce, ksize, src, usize);
        Mem.copyToArray(bounce, dst, 0, ksize);
        return err;
    }

    @Override
    protected int checkZeroedUserLocked(long from, long size) {
        return Uaccess.checkZeroedUser(sys, mm, from, size);
    }

    @Override
    protected long strncpyFromUserLocked(byte[] dst, long src, long count) {
        long bounce = sys.bounce();
        int n = (int) Math.max(count, 0);
        Mem.copyFromArray(dst, 0, bounce, n);
        long r = Uaccess.strncpyFromUser(sys, mm, bounce, src, count);
        Mem.copyToArray(bounce, dst, 0, n);
        return r;
    }

    @Override
    protected long pteLocked(long addr) {
        if (Long.compareUnsigned(addr, Pgtable.TASK_SIZE_MAX) >= 0) {
            return 0;
        }
        long pte = PageTables.walkPte(mm, addr);
        return pte == 0 ? 0 : getLong(pte);
    }

    @Override
    protected VmaInfo findVmaLocked(long addr) {
        long v = Mmap.findVma(this, addr);
        return v == 0 ? null : info(v);
    }

    @Override
    protected long getUnmappedAreaLocked(long addr, long len, long pgoff, int flags) {
        return UnmappedArea.getUnmappedArea(this, addr, len, pgoff, flags);
    }

    @Override
    protected AddressSpace dupLocked(DupMode mode) {
        long child = ForkMm.dupMm(sys, mm, 0, mode);
        if (Errno.isError(child)) {
            throw new KernelException("dup_mm", (int) -child);
        }
        return new Mm(sys, child);
    }

    /** mmget: atomic_inc(&mm->mm_users); an atomic needs no lock. */
    @Override
    protected void doMmget() {
        ForkMm.mmget(mm);
    }

    /** mmput: the static path takes the system lock itself. */
    @Override
    protected void doMmput() {
        ForkMm.mmput(sys, mm);
    }

    @Override
    protected void mmputAsyncLocked() {
        ForkMm.mmputAsync(sys, mm);
    }

    /** mmgrab: atomic_inc(&mm->mm_count); an atomic needs no lock. */
    @Override
    protected void doMmgrab() {
        ForkMm.mmgrab(mm);
    }

    @Override
    protected void mmdropLocked() {
        ForkMm.mmdrop(sys, mm);
    }

    @Override
    protected void mmdropAsyncLocked() {
        ForkMm.mmdropAsync(sys, mm);
    }

    @Override
    protected void setExeFileLocked(MappedFile file) {
        ForkMm.setMmExeFile(sys, mm, file == null ? 0 : ((OffHeapMappedFile) file).addr);
    }

    @Override
    protected MappedFile getExeFileLocked() {
        long f = ForkMm.getMmExeFile(sys, mm);
        return f == 0 ? null : sys.fileHandle(f);
    }

    // =========================================================================================
    // Views
    // =========================================================================================

    private VmaInfo info(long v) {
        long f = vmFile(v);
        return new VmaInfo(vmStart(v), vmEnd(v), vmFlags(v), vmPgoff(v), f == 0 ? null : sys.pathOf(f), anonVma(v) != 0);
    }

    @Override
    protected List<VmaInfo> vmasLocked() {
        List<VmaInfo> l = new ArrayList<>();
        for (long v = getLong(mm + MmStruct.MMAP); v != 0; v = vmNext(v)) {
            l.add(info(v));
        }
        return l;
    }

    @Override
    protected String mapsLocked() {
        StringBuilder sb = new StringBuilder();
        for (long v = getLong(mm + MmStruct.MMAP); v != 0; v = vmNext(v)) {
            long f = vmFile(v);
            sb.append(VmRules.mapsLine(vmStart(v), vmEnd(v), vmFlags(v), vmPgoff(v),
                f == 0 ? 0 : getLong(FileTable.fileInode(f) + Inode.I_INO), f == 0 ? VmRules.anonName(vmFlags(v)) : sys.pathOf(f)));
        }
        return sb.toString();
    }

    /**
     * validate_mm (mm/mmap.c, CONFIG_DEBUG_VM_RB) and more: the invariants that {@link Mmap},
     * {@link Rmap} and the file model state, checked over the whole mm.
     */
    @Override
    protected void validateLocked() {
        int n = RbTree.validate(mm + MmStruct.MM_RB, false);
        Mmap.GAP.validate(mm + MmStruct.MM_RB);
        long prev = 0;
        MmDebug.VmCounts counts = new MmDebug.VmCounts();
        int count = 0;
        for (long rb = RbTree.first(mm + MmStruct.MM_RB); rb != 0; rb = RbTree.next(rb)) {
            long v = rb - VmAreaStruct.VM_RB;
            String name = Long.toHexString(vmStart(v));
            MmDebug.check(vmPrev(v) == prev, "vm_prev of " + name);
            MmDebug.check(prev == 0 ? getLong(mm + MmStruct.MMAP) == v : vmNext(prev) == v, "list and tree disagree at " + name);
            MmDebug.check(vmStart(v) < vmEnd(v) && offsetInPage(vmStart(v)) == 0 && offsetInPage(vmEnd(v)) == 0, "bad range " + name);
            MmDebug.check(prev == 0 || vmEnd(prev) <= vmStart(v), "overlap at " + name);
            MmDebug.check(getLong(v + VmAreaStruct.VM_MM) == mm, "vm_mm of " + name);
            counts.add(vmFlags(v), pages(v));
            Rmap.validateChain(v, name);
            if (vmFile(v) != 0) {
                MmDebug.check(getLong(vmFile(v) + File.F_COUNT) > 0, "file of " + name + " is freed");
                VmaIntervalTree.validate(FileTable.fileMapping(vmFile(v)) + org.kfork.kernel.struct.AddressSpace.I_MMAP);
            }
            prev = v;
            count++;
        }
        int mapCount = getInt(mm + MmStruct.MAP_COUNT);
        MmDebug.check(n == count && count == mapCount, "map_count " + mapCount + " but " + count + " VMAs");
        MmDebug.check(prev == 0 || mmGet(mm, MmStruct.HIGHEST_VM_END) == VmRules.vmEndGap(vmEnd(prev), vmFlags(prev)),
            "highest_vm_end");
        counts.check(mmGet(mm, MmStruct.TOTAL_VM), mmGet(mm, MmStruct.DATA_VM), mmGet(mm, MmStruct.EXEC_VM),
            mmGet(mm, MmStruct.STACK_VM), mmGet(mm, MmStruct.LOCKED_VM));
    }

    /** The mm_struct's address, once this handle's own puts have not freed it. */
    private long struct() {
        checkStruct("mm_struct");
        return mm;
    }

    @Override
    public int mmUsers() {
        return getInt(struct() + MmStruct.MM_USERS);
    }

    @Override
    public int mmCount() {
        return getInt(struct() + MmStruct.MM_COUNT);
    }

    @Override
    public int mapCount() {
        return getInt(struct() + MmStruct.MAP_COUNT);
    }

    @Override
    public long totalVm() {
        return mmGet(struct(), MmStruct.TOTAL_VM);
    }

    @Override
    public long dataVm() {
        return mmGet(struct(), MmStruct.DATA_VM);
    }

    @Override
    public long execVm() {
        return mmGet(struct(), MmStruct.EXEC_VM);
    }

    @Override
    public long stackVm() {
        return mmGet(struct(), MmStruct.STACK_VM);
    }

    @Override
    public long lockedVm() {
        return mmGet(struct(), MmStruct.LOCKED_VM);
    }

    @Override
    public long hiwaterVm() {
        return mmGet(struct(), MmStruct.HIWATER_VM);
    }

    @Override
    public long highestVmEnd() {
        return mmGet(struct(), MmStruct.HIGHEST_VM_END);
    }

    @Override
    public long vmacacheSeqnum() {
        return mmGet(struct(), MmStruct.VMACACHE_SEQNUM);
    }

    @Override
    public long ctxId() {
        return mmGet(struct(), MmStruct.CONTEXT + MmContext.CTX_ID);
    }

    @Override
    public long tlbGen() {
        return Mem.getLongVolatile(struct() + MmStruct.CONTEXT + MmContext.TLB_GEN);
    }

    @Override
    public long flags() {
        return mmGet(struct(), MmStruct.FLAGS);
    }

    @Override
    public void setFlags(long flags) {
        putLong(struct() + MmStruct.FLAGS, flags);
    }

    @Override
    public long rss(int member) {
        if (member < 0 || member >= Limits.NR_MM_COUNTERS) {
            throw new IllegalArgumentException("rss_stat member " + member);
        }
        return Memory.getMmCounter(struct(), member);
    }

    @Override
    public long pgtablesBytes() {
        return mmGet(struct(), MmStruct.PGTABLES_BYTES);
    }

    @Override
    public long hiwaterRss() {
        return mmGet(struct(), MmStruct.HIWATER_RSS);
    }

    /** Test hook: an rss counter (MM_FILEPAGES...) as a page-table bug would leave it. */
    public void setRssCounter(int type, long value) {
        putLong(mm + MmStruct.RSS_STAT + MmRssStat.COUNT + (long) Long.BYTES * type, value);
    }

    /** Test hook: pgtables_bytes. */
    public void setPgtablesBytes(long value) {
        putLong(mm + MmStruct.PGTABLES_BYTES, value);
    }

    /** Test hook: vm_private_data of the VMA holding {@code addr}. */
    public long vmPrivateData(long addr) {
        return getLong(vmaAt(addr) + VmAreaStruct.VM_PRIVATE_DATA);
    }

    /** Test hook: sets vm_private_data of the VMA holding {@code addr}, as hugetlbfs keeps its reserve map there. */
    public void setVmPrivateData(long addr, long value) {
        putLong(vmaAt(addr) + VmAreaStruct.VM_PRIVATE_DATA, value);
    }

    private long vmaAt(long addr) {
        sys.bkl.lock();
        try {
            long v = Mmap.findVma(this, addr);
            if (v == 0 || vmStart(v) > addr) {
                throw new IllegalArgumentException("nothing mapped at 0x" + Long.toHexString(addr));
            }
            return v;
        } finally {
            sys.bkl.unlock();
        }
    }
}
