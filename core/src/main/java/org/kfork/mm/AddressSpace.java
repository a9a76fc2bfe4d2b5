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
     * A user-mode write to {@code addr}: {@link #touch(long, boolean) touch(addr, true)}.
     */
    default int touch(long addr) {
        return touch(addr, true);
    }

    /**
     * A user-mode access ({@code write} or read) to {@code addr}: when the page tables do not
     * allow it, the page fault handler runs (do_user_addr_fault, handle_mm_fault): the first
     * touch of a page maps it (a zeroed anonymous page for a write, the zero page for a read, a
     * page cache page for a file). 0 when the access can go on; -EFAULT (the kernel's SIGSEGV or
     * SIGBUS) outside the VMAs, or where the VMA does not allow the access; -ENOMEM
     * (VM_FAULT_OOM) without memory for a page or a page table.
     */
    int touch(long addr, boolean write);

    /**
     * copy_from_user into {@code to[off, off + n)}: the bytes not copied, which are zeroed in
     * {@code to} (the array must hold {@code n} bytes).
     */
    long copyFromUser(byte[] to, int off, long from, long n);

    /**
     * copy_to_user of {@code from[off, off + n)}: the bytes not copied. A range that access_ok
     * refuses returns {@code n} without reading {@code from}; otherwise it must hold {@code n} bytes.
     */
    long copyToUser(long to, byte[] from, int off, long n);

    /** get_user of {@code size} (1, 2, 4 or 8) bytes: 0 with the value in {@code x[0]} (zero-extended), or -EFAULT with {@code x[0]} 0. */
    int getUser(long[] x, long ptr, int size);

    /** put_user of the low {@code size} (1, 2, 4 or 8) bytes of {@code x}: 0, or -EFAULT with nothing written. */
    int putUser(long x, long ptr, int size);

    /**
     * copy_struct_from_user into {@code dst[0, ksize)} (ksize at most a page): 0, -E2BIG (a longer user
     * struct with a non-zero byte past ksize) or -EFAULT.
     */
    int copyStructFromUser(byte[] dst, int ksize, long src, long usize);

    /** check_zeroed_user: 1 (all zero), 0 (not), or -EFAULT. */
    int checkZeroedUser(long from, long size);

    /** strncpy_from_user into {@code dst} (count at most its length and a page): the length, count, or -EFAULT. */
    long strncpyFromUser(byte[] dst, long src, long count);

    /** The pte mapping {@code addr} (x86 encoding, {@link Pgtable}), or 0 when none or a table is missing. */
    long pte(long addr);

    /** get_mm_counter: rss_stat's {@code member} (MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES). */
    long rss(int member);

    /** mm_pgtables_bytes: the bytes of the mm's pud, pmd and pte tables (VmPTE). */
    long pgtablesBytes();

    /** hiwater_rss: the peak rss seen by an unmap or a fork (VmHWM with get_mm_rss). */
    long hiwaterRss();

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
