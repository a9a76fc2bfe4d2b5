package org.kfork.mm;

import java.util.Map;

/**
 * What surrounds the mm model of one variant: mm_alloc, files, overcommit accounting, the failslab
 * hook, the kernel log, the work queue of mmput_async/mmdrop_async, and object counts per cache
 * (vm_area_struct, mm_struct, anon_vma, anon_vma_chain, filp) for leak checks.
 */
public interface MmSystem extends AutoCloseable {
    /** mm_alloc: an empty mm (mm_users 1, mm_count 1), mmap_base at the top of the user range. */
    AddressSpace mmAlloc();

    /** init_mm: the static mm of kernel threads (never freed). */
    AddressSpace initMm();

    /**
     * Open a file: f_count 1; {@code writable} opens it for write (i_writecount 1, FMODE_WRITE);
     * {@code vmOpen} gives it a vm_ops with open/close (else the generic file vm_ops).
     */
    MappedFile openFile(String path, boolean writable, boolean vmOpen);

    /** The overcommit accounting. */
    Overcommit overcommit();

    /** The failslab hook. */
    FailSlab failSlab();

    /** The kernel log. */
    KernelLog log();

    /** vm.max_map_count. */
    void setMaxMapCount(int max);

    /** The current vm.max_map_count. */
    int maxMapCount();

    /** Raise a "fatal signal pending" on the current task for the next dup (dup_mmap checks it per VMA). */
    void setFatalSignalPending(boolean pending);

    /** Wait until the work queue has run everything queued so far. */
    void flushWork();

    /** Live objects per cache, and user_ns references, for leak checks. */
    Map<String, Long> objectCounts();

    /** Number of copy_page_range calls (dup_mmap makes one per copied VMA but WIPEONFORK ones). */
    long copyPageRangeCalls();

    /** NR_PAGETABLE (meminfo's PageTables, in pages): the pmd and pte tables of every mm. */
    long nrPagetable();

    /** Stop the work queue's worker. */
    @Override
    void close();
}
