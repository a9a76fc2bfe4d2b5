package org.kfork.mm;

import java.util.List;

/**
 * An mm_struct and its VMAs, as both variants (heap twin {@code org.kfork.heap.mm.HeapMm}, off-heap
 * {@code org.kfork.kernel.mm}) model them: the common surface one parameterized test suite runs on.
 * Calls follow the kernel's return convention: a value &gt;= 0, or a negative errno. A handle
 * refuses use after its own last put with {@link IllegalStateException} ({@link LockedAddressSpace}
 * says which calls, and when).
 */
public interface AddressSpace {
    /** do_mmap: map {@code len} bytes; returns the address or a negative errno. */
    long mmap(long addr, long len, int prot, int flags, MappedFile file, long pgoff);

    /** do_munmap. */
    int munmap(long start, long len);

    /** do_mprotect_pkey (no pkey). */
    int mprotect(long start, long len, int prot);

    /** do_madvise for MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK and MADV_KEEPONFORK. */
    int madvise(long start, long len, int behavior);

    /** do_mlock(start, len, VM_LOCKED). */
    int mlock(long start, long len);

    /** munlock. */
    int munlock(long start, long len);

    /**
     * The first write fault's anon_vma_prepare on the VMA holding {@code addr} (page tables are not
     * modelled, so no page is installed): 0, -EFAULT if nothing is mapped there, or -ENOMEM.
     */
    int touch(long addr);

    /** find_vma: the first VMA with vm_end &gt; addr, or null. Goes through the vmacache. */
    VmaInfo findVma(long addr);

    /** get_unmapped_area: an address or a negative errno. */
    long getUnmappedArea(long addr, long len, long pgoff, int flags);

    /** dup_mm: a copy, with mm_users 1; throws {@link org.kfork.uapi.KernelException} with the errno. */
    AddressSpace dup(DupMode mode);

    /** mmget. */
    void mmget();

    /** mmput. */
    void mmput();

    /** mmput_async: the last reference's teardown runs on the system's work queue. */
    void mmputAsync();

    /** mmgrab. */
    void mmgrab();

    /** mmdrop. */
    void mmdrop();

    /** mmdrop_async. */
    void mmdropAsync();

    /** mm_users. */
    int mmUsers();

    /** mm_count. */
    int mmCount();

    /** set_mm_exe_file. */
    void setExeFile(MappedFile file);

    /** get_mm_exe_file: a counted reference, or null; the caller fputs it. */
    MappedFile getExeFile();

    /** map_count. */
    int mapCount();

    /** total_vm. */
    long totalVm();

    /** data_vm. */
    long dataVm();

    /** exec_vm. */
    long execVm();

    /** stack_vm. */
    long stackVm();

    /** locked_vm. */
    long lockedVm();

    /** hiwater_vm. */
    long hiwaterVm();

    /** highest_vm_end. */
    long highestVmEnd();

    /** vmacache_seqnum. */
    long vmacacheSeqnum();

    /** mm->context.ctx_id: the id init_new_context gave this mm, never another's. */
    long ctxId();

    /** mm->context.tlb_gen: the TLB flush generation (flush_tlb_mm bumps it). */
    long tlbGen();

    /** mm->flags. */
    long flags();

    /** Sets mm->flags (coredump filter bits etc.). */
    void setFlags(long flags);

    /** The VMAs in address order. */
    List<VmaInfo> vmas();

    /** The /proc/pid/maps view. */
    String maps();

    /**
     * Check every invariant (list against tree, rb-tree rules, rb_subtree_gap, highest_vm_end,
     * map_count, the counters against the VMAs, anon_vma chains, i_mmap membership); throws
     * IllegalStateException naming the first violation.
     */
    void validate();
}
