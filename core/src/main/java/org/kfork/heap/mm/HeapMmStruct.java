package org.kfork.heap.mm;

import org.kfork.heap.ErrPtr;
import org.kfork.heap.fs.HeapFile;
import org.kfork.heap.ds.HeapRbRoot;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code struct mm_struct}: the fields the mm model uses, as plain Java fields,
 * next to the off-heap {@code MmStruct} layout. The code that works on it lives in the classes
 * named after the kernel files ({@link HeapMmap}, {@link HeapRmap}, {@code HeapForkMm}...);
 * {@link HeapMm} is the handle that the {@code AddressSpace} API goes through.
 *
 * <p>Functions that return an mm return an error the kernel's way: {@link #errPtr} gives the
 * ERR_PTR sentinel of an errno, which {@link ErrPtr#isErr} recognizes.
 */
public class HeapMmStruct {
    /** mmap: the first VMA of the address-sorted list. */
    public HeapVma mmap;
    /** mm_rb: the VMA tree. */
    public final HeapRbRoot mmRb = new HeapRbRoot();
    /** vmacache_seqnum: bumped to invalidate every task's vmacache. */
    public long vmacacheSeqnum;
    /** mmap_base: where top-down searches start. */
    public long mmapBase;
    /** mmap_legacy_base: where the bottom-up fallback starts. */
    public long mmapLegacyBase;
    /** task_size. */
    public long taskSize;
    /** highest_vm_end: the end (with its guard gap) of the last VMA. */
    public long highestVmEnd;
    /**
     * pgd: the page-table root, the order-1 block of PAGE_TABLE_ISOLATION: entries 0-511 the
     * kernel's pgd, 512-1023 the user's (see {@link HeapMemory}).
     */
    public long[] pgd;
    /** write_protect_seq: moves by one as copy_page_range starts and ends write-protecting a COW area. */
    public int writeProtectSeq;
    /** mm_users. */
    public int mmUsers;
    /** mm_count. */
    public int mmCount;
    /** pgtables_bytes. */
    public long pgtablesBytes;
    /** map_count: the number of VMAs. */
    public int mapCount;
    /** hiwater_rss. */
    public long hiwaterRss;
    /** hiwater_vm. */
    public long hiwaterVm;
    /** total_vm: pages mapped. */
    public long totalVm;
    /** locked_vm: pages of VM_LOCKED areas. */
    public long lockedVm;
    /** pinned_vm. */
    public long pinnedVm;
    /** data_vm: private writable, not stack. */
    public long dataVm;
    /** exec_vm: executable, not writable, not stack. */
    public long execVm;
    /** stack_vm: VM_STACK. */
    public long stackVm;
    /** def_flags: vm_flags every new VMA gets. */
    public long defFlags;
    /** rss_stat: the rss counters (MM_FILEPAGES...). */
    public final long[] rssStat = new long[Limits.NR_MM_COUNTERS];
    /** binfmt. */
    public Object binfmt;
    /** flags: MMF_* bits. */
    public long flags;
    /** owner: the task that owns the mm (null: tasks do not exist yet). */
    public Object owner;
    /** user_ns. */
    public Object userNs;
    /** exe_file. */
    public HeapFile exeFile;
    /** context.ctx_id. */
    public long ctxId;
    /** context.tlb_gen. */
    public long tlbGen;
    /** context.ldt (null: no LDT, as modify_ldt is not modelled). */
    public Object ldt;

    /** A zeroed mm_struct, as kmem_cache_alloc + memset give it. */
    public HeapMmStruct() {
    }

    /** The memcpy(mm, oldmm, sizeof(*mm)) of dup_mm: every field, before mm_init resets most. */
    public HeapMmStruct(HeapMmStruct o) {
        mmap = o.mmap;
        vmacacheSeqnum = o.vmacacheSeqnum;
        mmapBase = o.mmapBase;
        mmapLegacyBase = o.mmapLegacyBase;
        taskSize = o.taskSize;
        highestVmEnd = o.highestVmEnd;
        pgd = o.pgd;
        writeProtectSeq = o.writeProtectSeq;
        mmUsers = o.mmUsers;
        mmCount = o.mmCount;
        pgtablesBytes = o.pgtablesBytes;
        mapCount = o.mapCount;
        hiwaterRss = o.hiwaterRss;
        hiwaterVm = o.hiwaterVm;
        totalVm = o.totalVm;
        lockedVm = o.lockedVm;
        pinnedVm = o.pinnedVm;
        dataVm = o.dataVm;
        execVm = o.execVm;
        stackVm = o.stackVm;
        defFlags = o.defFlags;
        System.arraycopy(o.rssStat, 0, rssStat, 0, rssStat.length);
        binfmt = o.binfmt;
        flags = o.flags;
        owner = o.owner;
        userNs = o.userNs;
        exeFile = o.exeFile;
        ctxId = o.ctxId;
        tlbGen = o.tlbGen;
        ldt = o.ldt;
    }

    /** The sentinel of one errno: never a live mm. */
    private static final class Err extends HeapMmStruct implements ErrPtr.Value {
        private final int errno;

        Err(int errno) {
            this.errno = errno;
        }

        @Override
        public int errno() {
            return errno;
        }

        @Override
        public String toString() {
            return "ERR_PTR(-" + Errno.name(errno) + ")";
        }
    }

    /** One sentinel per errno, made at its first use. */
    private static final ErrPtr.Sentinels<HeapMmStruct> ERR_PTRS = new ErrPtr.Sentinels<>(Err::new);

    /**
     * ERR_PTR for the functions that return an mm (dup_mm): the sentinel of {@code err}, a
     * negative errno from -1 to -{@link Errno#MAX_ERRNO}.
     */
    public static HeapMmStruct errPtr(int err) {
        return ERR_PTRS.of(err);
    }
}
