package org.kfork.mm;

/**
 * mm_struct.flags (include/linux/sched/coredump.h, 5.12). The low bits hold the dumpable mode and
 * the core-dump filter; the rest are bit numbers for set_bit and test_bit. Masks are {@code long}
 * (the field is an {@code unsigned long}); bit numbers are {@code int}.
 *
 * <p>fork.c's mm_init copies {@code oldmm->flags & MMF_INIT_MASK} into the child, or
 * default_dump_filter when there is no parent mm.
 */
public final class MmFlags {
    /** Bits of the dumpable mode (SUID_DUMP_*) at the bottom of mm->flags. */
    public static final int MMF_DUMPABLE_BITS = 2;
    /** The dumpable mode's bits. */
    public static final long MMF_DUMPABLE_MASK = (1L << MMF_DUMPABLE_BITS) - 1;
    /** SUID_DUMP_DISABLE: not dumpable (and not ptrace-readable without CAP_SYS_PTRACE). */
    public static final int SUID_DUMP_DISABLE = 0;
    /** SUID_DUMP_USER: dumpable, what exec gives a task whose ids are consistent. */
    public static final int SUID_DUMP_USER = 1;

    /** Core-dump filter bit: anonymous private memory. */
    public static final int MMF_DUMP_ANON_PRIVATE = 2;
    /** Core-dump filter bit: anonymous shared memory. */
    public static final int MMF_DUMP_ANON_SHARED = 3;
    /** Core-dump filter bit: file-backed private memory. */
    public static final int MMF_DUMP_MAPPED_PRIVATE = 4;
    /** Core-dump filter bit: file-backed shared memory. */
    public static final int MMF_DUMP_MAPPED_SHARED = 5;
    /** Core-dump filter bit: ELF headers. */
    public static final int MMF_DUMP_ELF_HEADERS = 6;
    /** Core-dump filter bit: private hugetlb memory. */
    public static final int MMF_DUMP_HUGETLB_PRIVATE = 7;
    /** Core-dump filter bit: shared hugetlb memory. */
    public static final int MMF_DUMP_HUGETLB_SHARED = 8;
    /** Core-dump filter bit: private DAX memory. */
    public static final int MMF_DUMP_DAX_PRIVATE = 9;
    /** Core-dump filter bit: shared DAX memory. */
    public static final int MMF_DUMP_DAX_SHARED = 10;

    /** Where the core-dump filter starts: just above the dumpable bits. */
    public static final int MMF_DUMP_FILTER_SHIFT = MMF_DUMPABLE_BITS;
    /** Width of the core-dump filter. */
    public static final int MMF_DUMP_FILTER_BITS = 9;
    /** The core-dump filter's bits. */
    public static final long MMF_DUMP_FILTER_MASK = ((1L << MMF_DUMP_FILTER_BITS) - 1) << MMF_DUMP_FILTER_SHIFT;
    /** ELF headers are dumped by default (CONFIG_CORE_DUMP_DEFAULT_ELF_HEADERS=y). */
    public static final long MMF_DUMP_MASK_DEFAULT_ELF = 1L << MMF_DUMP_ELF_HEADERS;
    /** The initial default_dump_filter: anonymous memory, private hugetlb, ELF headers. */
    public static final long MMF_DUMP_FILTER_DEFAULT = (1L << MMF_DUMP_ANON_PRIVATE)
        | (1L << MMF_DUMP_ANON_SHARED) | (1L << MMF_DUMP_HUGETLB_PRIVATE) | MMF_DUMP_MASK_DEFAULT_ELF;

    /** Bit: the mm is registered with KSM. */
    public static final int MMF_VM_MERGEABLE = 16;
    /** Bit: the mm is registered with khugepaged. */
    public static final int MMF_VM_HUGEPAGE = 17;
    /** Bit: the mm has uprobes installed; dup_mmap copies it through uprobe_dup_mmap. */
    public static final int MMF_HAS_UPROBES = 19;
    /** Bit: the uprobe state must be recomputed. */
    public static final int MMF_RECALC_UPROBES = 20;
    /** Bit: the OOM killer should skip this mm. */
    public static final int MMF_OOM_SKIP = 21;
    /** Bit: the OOM reaper tore the mm down; its contents cannot be trusted. */
    public static final int MMF_UNSTABLE = 22;
    /** Bit: the mm holds a reference on the huge zero page. */
    public static final int MMF_HUGE_ZERO_PAGE = 23;
    /** Bit: prctl(PR_SET_THP_DISABLE); inherited across fork. */
    public static final int MMF_DISABLE_THP = 24;
    /** Bit: the mm belongs to an OOM victim. */
    public static final int MMF_OOM_VICTIM = 25;
    /** Bit: the mm is queued for the OOM reaper. */
    public static final int MMF_OOM_REAP_QUEUED = 26;
    /** Bit: the mm is shared by several processes (CLONE_VM without CLONE_THREAD). */
    public static final int MMF_MULTIPROCESS = 27;
    /** The MMF_DISABLE_THP bit as a mask. */
    public static final long MMF_DISABLE_THP_MASK = 1L << MMF_DISABLE_THP;

    /** The flags a child mm inherits at fork: dumpable mode, dump filter, THP disable. */
    public static final long MMF_INIT_MASK = MMF_DUMPABLE_MASK | MMF_DUMP_FILTER_MASK | MMF_DISABLE_THP_MASK;

    private MmFlags() {
    }
}
