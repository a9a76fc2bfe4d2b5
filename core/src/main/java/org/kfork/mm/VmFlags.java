package org.kfork.mm;

import org.kfork.uapi.FlagNames;

/**
 * vm_area_struct.vm_flags bits (include/linux/mm.h, 5.12), as x86_64 with
 * reference/config-5.12-x86_64.txt defines them. vm_flags is an {@code unsigned long}, so every
 * flag here is a {@code long}.
 *
 * <p>Config-dependent values: VM_SOFTDIRTY is 0 (CONFIG_MEM_SOFT_DIRTY is off), VM_GROWSUP is 0
 * (the stack grows down), VM_PAT is VM_ARCH_1, and protection keys take high bits 32 to 35.
 */
public final class VmFlags {
    /** No access at all. */
    public static final long VM_NONE = 0x00000000L;
    /** Readable now. */
    public static final long VM_READ = 0x00000001L;
    /** Writable now. */
    public static final long VM_WRITE = 0x00000002L;
    /** Executable now. */
    public static final long VM_EXEC = 0x00000004L;
    /** Shared mapping: writes reach the file or the other sharers; dup_mmap calls mapping_allow_writable. */
    public static final long VM_SHARED = 0x00000008L;
    /** mprotect may make it readable. */
    public static final long VM_MAYREAD = 0x00000010L;
    /** mprotect may make it writable. */
    public static final long VM_MAYWRITE = 0x00000020L;
    /** mprotect may make it executable. */
    public static final long VM_MAYEXEC = 0x00000040L;
    /** mprotect may make it shared (a MAP_SHARED mapping, even if read-only). */
    public static final long VM_MAYSHARE = 0x00000080L;
    /** A stack: grows down into the gap below it. */
    public static final long VM_GROWSDOWN = 0x00000100L;
    /** userfaultfd tracks missing pages. */
    public static final long VM_UFFD_MISSING = 0x00000200L;
    /** Raw PFN mapping with no struct page behind it. */
    public static final long VM_PFNMAP = 0x00000400L;
    /** MAP_DENYWRITE: nobody may write the file; dup_mmap takes one more deny for the child. */
    public static final long VM_DENYWRITE = 0x00000800L;
    /** userfaultfd tracks write-protect faults. */
    public static final long VM_UFFD_WP = 0x00001000L;
    /** mlock()ed; the child does not inherit it (see {@link #VM_LOCKED_CLEAR_MASK}). */
    public static final long VM_LOCKED = 0x00002000L;
    /** Memory-mapped I/O. */
    public static final long VM_IO = 0x00004000L;
    /** madvise(MADV_SEQUENTIAL). */
    public static final long VM_SEQ_READ = 0x00008000L;
    /** madvise(MADV_RANDOM). */
    public static final long VM_RAND_READ = 0x00010000L;
    /** madvise(MADV_DONTFORK): dup_mmap leaves this VMA out of the child. */
    public static final long VM_DONTCOPY = 0x00020000L;
    /** mremap may not grow it. */
    public static final long VM_DONTEXPAND = 0x00040000L;
    /** mlock2(MLOCK_ONFAULT): lock pages as they are faulted in. */
    public static final long VM_LOCKONFAULT = 0x00080000L;
    /** Charged to the commit limit; dup_mmap charges the child too. */
    public static final long VM_ACCOUNT = 0x00100000L;
    /** MAP_NORESERVE: not charged. */
    public static final long VM_NORESERVE = 0x00200000L;
    /** hugetlbfs mapping. */
    public static final long VM_HUGETLB = 0x00400000L;
    /** MAP_SYNC: synchronous page faults (DAX). */
    public static final long VM_SYNC = 0x00800000L;
    /** Architecture flag 1; on x86 it is {@link #VM_PAT}. */
    public static final long VM_ARCH_1 = 0x01000000L;
    /** madvise(MADV_WIPEONFORK): the child sees zero-filled anonymous memory. */
    public static final long VM_WIPEONFORK = 0x02000000L;
    /** madvise(MADV_DONTDUMP): left out of core dumps. */
    public static final long VM_DONTDUMP = 0x04000000L;
    /** Soft-dirty tracking; 0 because CONFIG_MEM_SOFT_DIRTY is off (0x08000000 when on). */
    public static final long VM_SOFTDIRTY = 0x00000000L;
    /** Mixed PFN and struct-page mapping. */
    public static final long VM_MIXEDMAP = 0x10000000L;
    /** madvise(MADV_HUGEPAGE). */
    public static final long VM_HUGEPAGE = 0x20000000L;
    /** madvise(MADV_NOHUGEPAGE). */
    public static final long VM_NOHUGEPAGE = 0x40000000L;
    /** madvise(MADV_MERGEABLE): KSM may merge its pages. */
    public static final long VM_MERGEABLE = 0x80000000L;

    /** Bit number of high architecture flag 0. */
    public static final int VM_HIGH_ARCH_BIT_0 = 32;
    /** Bit number of high architecture flag 1. */
    public static final int VM_HIGH_ARCH_BIT_1 = 33;
    /** Bit number of high architecture flag 2. */
    public static final int VM_HIGH_ARCH_BIT_2 = 34;
    /** Bit number of high architecture flag 3. */
    public static final int VM_HIGH_ARCH_BIT_3 = 35;
    /** Bit number of high architecture flag 4. */
    public static final int VM_HIGH_ARCH_BIT_4 = 36;
    /** High architecture flag 0 (bit 32). */
    public static final long VM_HIGH_ARCH_0 = 1L << VM_HIGH_ARCH_BIT_0;
    /** High architecture flag 1 (bit 33). */
    public static final long VM_HIGH_ARCH_1 = 1L << VM_HIGH_ARCH_BIT_1;
    /** High architecture flag 2 (bit 34). */
    public static final long VM_HIGH_ARCH_2 = 1L << VM_HIGH_ARCH_BIT_2;
    /** High architecture flag 3 (bit 35). */
    public static final long VM_HIGH_ARCH_3 = 1L << VM_HIGH_ARCH_BIT_3;
    /** High architecture flag 4 (bit 36). */
    public static final long VM_HIGH_ARCH_4 = 1L << VM_HIGH_ARCH_BIT_4;

    /** Shift of the protection key within vm_flags. */
    public static final int VM_PKEY_SHIFT = VM_HIGH_ARCH_BIT_0;
    /** Protection key bit 0 (x86 keys have 4 bits). */
    public static final long VM_PKEY_BIT0 = VM_HIGH_ARCH_0;
    /** Protection key bit 1. */
    public static final long VM_PKEY_BIT1 = VM_HIGH_ARCH_1;
    /** Protection key bit 2. */
    public static final long VM_PKEY_BIT2 = VM_HIGH_ARCH_2;
    /** Protection key bit 3. */
    public static final long VM_PKEY_BIT3 = VM_HIGH_ARCH_3;

    /** x86: PAT-tracked memory type (remap_pfn_range). */
    public static final long VM_PAT = VM_ARCH_1;
    /** Grows-up stacks; 0 on x86, whose stacks grow down. */
    public static final long VM_GROWSUP = VM_NONE;

    /** Read-ahead hints exec clears once the stack is set up. */
    public static final long VM_STACK_INCOMPLETE_SETUP = VM_RAND_READ | VM_SEQ_READ;
    /** Default flags of a non-executable data mapping (VM_DATA_DEFAULT_FLAGS without READ_IMPLIES_EXEC). */
    public static final long VM_DATA_FLAGS_NON_EXEC = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    /** Default flags of an executable data mapping. */
    public static final long VM_DATA_FLAGS_EXEC = VM_READ | VM_WRITE | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    /** The stack flag: VM_GROWSDOWN on x86 (CONFIG_STACK_GROWSUP is off). */
    public static final long VM_STACK = VM_GROWSDOWN;
    /** The access bits: read, write, exec. */
    public static final long VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
    /** Mappings that are not plain memory: never merged, never mlocked. */
    public static final long VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
    /** Mappings khugepaged leaves alone. */
    public static final long VM_NO_KHUGEPAGED = VM_SPECIAL | VM_HUGETLB;
    /** Flags a new VMA inherits from mm->def_flags. */
    public static final long VM_INIT_DEF_MASK = VM_NOHUGEPAGE;
    /** dup_mmap ands the child's vm_flags with this: mlock state is not inherited. */
    public static final long VM_LOCKED_CLEAR_MASK = ~(VM_LOCKED | VM_LOCKONFAULT);

    /**
     * Not a vm_flags bit: the flag of struct vm_unmapped_area_info that asks for a top-down
     * search. Kept here because it lives in mm.h beside them.
     */
    public static final long VM_UNMAPPED_AREA_TOPDOWN = 1L;

    private static final FlagNames NAMES = new FlagNames(
        new long[] {
            VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_MAYREAD, VM_MAYWRITE, VM_MAYEXEC, VM_MAYSHARE,
            VM_GROWSDOWN, VM_UFFD_MISSING, VM_PFNMAP, VM_DENYWRITE, VM_UFFD_WP, VM_LOCKED, VM_IO,
            VM_SEQ_READ, VM_RAND_READ, VM_DONTCOPY, VM_DONTEXPAND, VM_LOCKONFAULT, VM_ACCOUNT,
            VM_NORESERVE, VM_HUGETLB, VM_SYNC, VM_PAT, VM_WIPEONFORK, VM_DONTDUMP, VM_MIXEDMAP,
            VM_HUGEPAGE, VM_NOHUGEPAGE, VM_MERGEABLE, VM_PKEY_BIT0, VM_PKEY_BIT1, VM_PKEY_BIT2,
            VM_PKEY_BIT3,
        },
        new String[] {
            "VM_READ", "VM_WRITE", "VM_EXEC", "VM_SHARED", "VM_MAYREAD", "VM_MAYWRITE", "VM_MAYEXEC",
            "VM_MAYSHARE", "VM_GROWSDOWN", "VM_UFFD_MISSING", "VM_PFNMAP", "VM_DENYWRITE",
            "VM_UFFD_WP", "VM_LOCKED", "VM_IO", "VM_SEQ_READ", "VM_RAND_READ", "VM_DONTCOPY",
            "VM_DONTEXPAND", "VM_LOCKONFAULT", "VM_ACCOUNT", "VM_NORESERVE", "VM_HUGETLB", "VM_SYNC",
            "VM_PAT", "VM_WIPEONFORK", "VM_DONTDUMP", "VM_MIXEDMAP", "VM_HUGEPAGE", "VM_NOHUGEPAGE",
            "VM_MERGEABLE", "VM_PKEY_BIT0", "VM_PKEY_BIT1", "VM_PKEY_BIT2", "VM_PKEY_BIT3",
        });

    private VmFlags() {
    }

    /**
     * Names the bits of a vm_flags word in ascending bit order, unnamed bits last in hex:
     * {@code "VM_READ|VM_WRITE|VM_MAYREAD|VM_MAYWRITE"}. Zero gives {@code "0"}.
     *
     * @param vmFlags a vm_flags word
     * @return the description, never empty
     */
    public static String describe(long vmFlags) {
        return NAMES.describe(vmFlags);
    }
}
