package org.kfork.mm;

import org.kfork.arch.X86_64;

/**
 * The mmap, mprotect and madvise ABI (include/uapi/asm-generic/mman*.h, x86_64) and the address-space
 * limits of 5.12 that the mm model uses.
 */
public final class Mman {
    /** PROT_NONE. */
    public static final int PROT_NONE = 0x0;
    /** PROT_READ. */
    public static final int PROT_READ = 0x1;
    /** PROT_WRITE. */
    public static final int PROT_WRITE = 0x2;
    /** PROT_EXEC. */
    public static final int PROT_EXEC = 0x4;
    /** PROT_SEM (accepted and ignored on x86). */
    public static final int PROT_SEM = 0x8;
    /** PROT_GROWSDOWN (mprotect only). */
    public static final int PROT_GROWSDOWN = 0x01000000;
    /** PROT_GROWSUP (mprotect only). */
    public static final int PROT_GROWSUP = 0x02000000;

    /** MAP_SHARED. */
    public static final int MAP_SHARED = 0x01;
    /** MAP_PRIVATE. */
    public static final int MAP_PRIVATE = 0x02;
    /** MAP_SHARED_VALIDATE: MAP_SHARED of a file that rejects unknown flags with -EOPNOTSUPP (-EINVAL without a file). */
    public static final int MAP_SHARED_VALIDATE = 0x03;
    /** MAP_TYPE: the mask of the mapping type. */
    public static final int MAP_TYPE = 0x0f;
    /** MAP_FIXED. */
    public static final int MAP_FIXED = 0x10;
    /** MAP_ANONYMOUS. */
    public static final int MAP_ANONYMOUS = 0x20;
    /** MAP_32BIT (x86): accepted, but the model does not place the area in the low 2 GiB. */
    public static final int MAP_32BIT = 0x40;
    /** MAP_GROWSDOWN: a stack. */
    public static final int MAP_GROWSDOWN = 0x0100;
    /** MAP_DENYWRITE: honoured only for kernel-internal mappings (binfmt); see {@link VmRules}. */
    public static final int MAP_DENYWRITE = 0x0800;
    /** MAP_EXECUTABLE (ignored). */
    public static final int MAP_EXECUTABLE = 0x1000;
    /** MAP_LOCKED. */
    public static final int MAP_LOCKED = 0x2000;
    /** MAP_NORESERVE. */
    public static final int MAP_NORESERVE = 0x4000;
    /** MAP_POPULATE (no page tables here: accepted, no effect). */
    public static final int MAP_POPULATE = 0x8000;
    /** MAP_NONBLOCK. */
    public static final int MAP_NONBLOCK = 0x10000;
    /** MAP_STACK (no effect in 5.12). */
    public static final int MAP_STACK = 0x20000;
    /** MAP_HUGETLB: modelled as the VM_HUGETLB flag only. */
    public static final int MAP_HUGETLB = 0x40000;
    /** MAP_SYNC. */
    public static final int MAP_SYNC = 0x80000;
    /** MAP_FIXED_NOREPLACE: MAP_FIXED that fails with -EEXIST instead of unmapping. */
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    /** MAP_UNINITIALIZED (honoured only without an MMU: no effect here). */
    public static final int MAP_UNINITIALIZED = 0x4000000;
    /** MAP_HUGE_SHIFT: where MAP_HUGETLB's page-size log sits in the flags. */
    public static final int MAP_HUGE_SHIFT = 26;
    /** MAP_HUGE_2MB. */
    public static final int MAP_HUGE_2MB = 21 << MAP_HUGE_SHIFT;
    /** MAP_HUGE_1GB. */
    public static final int MAP_HUGE_1GB = 30 << MAP_HUGE_SHIFT;
    /** LEGACY_MAP_MASK (include/linux/mman.h): the flags MAP_SHARED_VALIDATE accepts for a file. */
    public static final int LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS
        | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE
        | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT | MAP_HUGE_2MB | MAP_HUGE_1GB;

    /** MADV_NORMAL: no special treatment (clears VM_RAND_READ and VM_SEQ_READ). */
    public static final int MADV_NORMAL = 0;
    /** MADV_RANDOM: expect random references (VM_RAND_READ). */
    public static final int MADV_RANDOM = 1;
    /** MADV_SEQUENTIAL: expect sequential references (VM_SEQ_READ). */
    public static final int MADV_SEQUENTIAL = 2;
    /** MADV_WILLNEED: read ahead. */
    public static final int MADV_WILLNEED = 3;
    /** MADV_DONTNEED: drop the pages. */
    public static final int MADV_DONTNEED = 4;
    /** MADV_FREE: free the pages lazily. */
    public static final int MADV_FREE = 8;
    /** MADV_REMOVE: punch a hole in the backing store. */
    public static final int MADV_REMOVE = 9;
    /** MADV_DONTFORK: set VM_DONTCOPY. */
    public static final int MADV_DONTFORK = 10;
    /** MADV_DOFORK: clear VM_DONTCOPY. */
    public static final int MADV_DOFORK = 11;
    /** MADV_WIPEONFORK: set VM_WIPEONFORK (private anonymous only). */
    public static final int MADV_WIPEONFORK = 18;
    /** MADV_KEEPONFORK: clear VM_WIPEONFORK. */
    public static final int MADV_KEEPONFORK = 19;
    /** MADV_MERGEABLE: KSM may merge the pages (VM_MERGEABLE). */
    public static final int MADV_MERGEABLE = 12;
    /** MADV_UNMERGEABLE: undo MADV_MERGEABLE. */
    public static final int MADV_UNMERGEABLE = 13;
    /** MADV_HUGEPAGE: back with huge pages (VM_HUGEPAGE). */
    public static final int MADV_HUGEPAGE = 14;
    /** MADV_NOHUGEPAGE: never back with huge pages (VM_NOHUGEPAGE). */
    public static final int MADV_NOHUGEPAGE = 15;
    /** MADV_DONTDUMP: leave out of core dumps (VM_DONTDUMP). */
    public static final int MADV_DONTDUMP = 16;
    /** MADV_DODUMP: undo MADV_DONTDUMP. */
    public static final int MADV_DODUMP = 17;
    /** MADV_COLD: deactivate the pages (5.4). */
    public static final int MADV_COLD = 20;
    /** MADV_PAGEOUT: reclaim the pages (5.4). */
    public static final int MADV_PAGEOUT = 21;
    /** MADV_HWPOISON: poison a page, for testing. */
    public static final int MADV_HWPOISON = 100;
    /** MADV_SOFT_OFFLINE: soft-offline a page, for testing. */
    public static final int MADV_SOFT_OFFLINE = 101;

    /** PAGE_SHIFT. */
    public static final int PAGE_SHIFT = X86_64.PAGE_SHIFT;
    /** PAGE_SIZE. */
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    /** PAGE_MASK. */
    public static final long PAGE_MASK = ~(PAGE_SIZE - 1);
    /** HPAGE_SIZE: the default huge page (2 MiB), used only to align VM_HUGETLB mappings. */
    public static final long HPAGE_SIZE = 2L << 20;
    /** TASK_SIZE for a 64-bit task with 4-level paging: DEFAULT_MAP_WINDOW. */
    public static final long TASK_SIZE = X86_64.DEFAULT_MAP_WINDOW;
    /** TASK_UNMAPPED_BASE: where the bottom-up fallback search starts (PAGE_ALIGN(TASK_SIZE / 3)). */
    public static final long TASK_UNMAPPED_BASE = pageAlign(TASK_SIZE / 3);
    /**
     * mmap_base without randomization (arch/x86/mm/mmap.c): the stack gap, clamped up to 128 MiB,
     * below TASK_SIZE. Top-down searches start here.
     */
    public static final long MMAP_BASE = pageAlign(TASK_SIZE - (128L << 20));
    /** mmap_min_addr: the CONFIG_DEFAULT_MMAP_MIN_ADDR of the reference config (4096). */
    public static final long MMAP_MIN_ADDR = 4096;
    /** stack_guard_gap: 256 pages below a VM_GROWSDOWN area. */
    public static final long STACK_GUARD_GAP = 256L << PAGE_SHIFT;
    /** DEFAULT_MAX_MAP_COUNT: the default of vm.max_map_count, 65530. */
    public static final int DEFAULT_MAX_MAP_COUNT = 65530;

    private Mman() {
    }

    /** PAGE_ALIGN: round up to a page (wraps to 0 past the top, as the C macro does). */
    public static long pageAlign(long addr) {
        return (addr + PAGE_SIZE - 1) & PAGE_MASK;
    }

    /** offset_in_page. */
    public static long offsetInPage(long addr) {
        return addr & (PAGE_SIZE - 1);
    }
}
