package org.kfork.mm;

import static org.kfork.mm.Mman.PAGE_MASK;
import static org.kfork.mm.Mman.PAGE_SHIFT;
import static org.kfork.mm.Mman.PAGE_SIZE;

/**
 * x86_64 page-table entries as 5.12 encodes them, the same for both kernels (off-heap tables are
 * pages of RAM, the heap twin's are {@code long[512]}; both hold these longs):
 * arch/x86/include/asm/pgtable_types.h (the _PAGE_* bits, the PAGE_* protections and the
 * __P/__S protection_map), pgtable_64_types.h (the level shifts of 4-level paging: the reference
 * config has CONFIG_X86_5LEVEL, and the modeled CPU has no LA57, so the p4d level is folded into
 * the pgd at run time, as pgtable_l5_enabled() false folds it), pgtable.h's entry predicates and
 * modifiers, pgtable-invert.h (an entry that is not present but not none, a PROT_NONE pte, holds
 * its pfn inverted: the L1TF mitigation), and mm/mmap.c's vm_get_page_prot.
 *
 * <p>An entry of a table level holds the physical address of the next table with
 * {@link #_PAGE_TABLE}; a pte holds the page's physical address with the protection bits. The
 * modeled CPU supports NX and PGE and has no memory encryption, so __supported_pte_mask keeps
 * every bit (check_pgprot is the identity) and _PAGE_ENC is 0; CONFIG_MEM_SOFT_DIRTY is off, so
 * _PAGE_SOFT_DIRTY is 0; no protection keys (the pkey bits are 0).
 */
public final class Pgtable {
    private Pgtable() {
    }

    /** pgd_alloc's order with PAGE_TABLE_ISOLATION (two pages: the kernel and the user PGD). */
    public static final int PGD_ALLOCATION_ORDER = 1;

    // ---- pgtable_types.h: the bits ----
    /** _PAGE_PRESENT. */
    public static final long _PAGE_PRESENT = 1L;
    /** _PAGE_RW: writable. */
    public static final long _PAGE_RW = 1L << 1;
    /** _PAGE_USER: user-accessible. */
    public static final long _PAGE_USER = 1L << 2;
    /** _PAGE_PWT. */
    public static final long _PAGE_PWT = 1L << 3;
    /** _PAGE_PCD. */
    public static final long _PAGE_PCD = 1L << 4;
    /** _PAGE_ACCESSED: set by the CPU on an access. */
    public static final long _PAGE_ACCESSED = 1L << 5;
    /** _PAGE_DIRTY: set by the CPU on a write. */
    public static final long _PAGE_DIRTY = 1L << 6;
    /** _PAGE_PSE: a huge page (never set here: no THP). */
    public static final long _PAGE_PSE = 1L << 7;
    /** _PAGE_GLOBAL. */
    public static final long _PAGE_GLOBAL = 1L << 8;
    /** _PAGE_SPECIAL (_PAGE_BIT_SOFTW1): a pte without a normal page behind it (the zero page). */
    public static final long _PAGE_SPECIAL = 1L << 9;
    /** _PAGE_UFFD_WP (_PAGE_BIT_SOFTW2, CONFIG_HAVE_ARCH_USERFAULTFD_WP). */
    public static final long _PAGE_UFFD_WP = 1L << 10;
    /** _PAGE_DEVMAP (_PAGE_BIT_SOFTW4). */
    public static final long _PAGE_DEVMAP = 1L << 58;
    /** _PAGE_NX: no execute. */
    public static final long _PAGE_NX = 1L << 63;
    /** _PAGE_PROTNONE: a PROT_NONE pte, present to the kernel and absent to the CPU (_PAGE_BIT_GLOBAL). */
    public static final long _PAGE_PROTNONE = _PAGE_GLOBAL;
    /** _PAGE_SOFT_DIRTY: 0 without CONFIG_MEM_SOFT_DIRTY. */
    public static final long _PAGE_SOFT_DIRTY = 0;
    /** _PAGE_KNL_ERRATUM_MASK: the stray A/D bits the *_none tests ignore. */
    public static final long _PAGE_KNL_ERRATUM_MASK = _PAGE_DIRTY | _PAGE_ACCESSED;

    /** __PHYSICAL_MASK_SHIFT on x86_64. */
    public static final int PHYSICAL_MASK_SHIFT = 52;
    /** PTE_PFN_MASK: the physical address bits of an entry. */
    public static final long PTE_PFN_MASK = ((1L << PHYSICAL_MASK_SHIFT) - 1) & PAGE_MASK;

    /** _PAGE_CHG_MASK: the bits pte_modify keeps. */
    public static final long _PAGE_CHG_MASK = PTE_PFN_MASK | _PAGE_PCD | _PAGE_PWT | _PAGE_SPECIAL | _PAGE_ACCESSED
        | _PAGE_DIRTY | _PAGE_SOFT_DIRTY | _PAGE_DEVMAP | _PAGE_UFFD_WP;

    /** _PAGE_TABLE: a user page-table entry pointing at the next table. */
    public static final long _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
    /** _KERNPG_TABLE: the same without _PAGE_USER. */
    public static final long _KERNPG_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;

    // ---- the user protections ----
    /** PAGE_NONE. */
    public static final long PAGE_NONE = _PAGE_ACCESSED | _PAGE_GLOBAL;
    /** PAGE_SHARED. */
    public static final long PAGE_SHARED = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX;
    /** PAGE_SHARED_EXEC. */
    public static final long PAGE_SHARED_EXEC = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
    /** PAGE_COPY (= PAGE_COPY_NOEXEC): a private writable mapping's ptes stay read-only until a write fault. */
    public static final long PAGE_COPY = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX;
    /** PAGE_COPY_EXEC. */
    public static final long PAGE_COPY_EXEC = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    /** PAGE_READONLY. */
    public static final long PAGE_READONLY = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX;
    /** PAGE_READONLY_EXEC. */
    public static final long PAGE_READONLY_EXEC = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

    /** protection_map: __P000..__P111 for private mappings, then __S000..__S111 (index: VM_SHARED|EXEC|WRITE|READ). */
    private static final long[] PROTECTION_MAP = {
        PAGE_NONE, PAGE_READONLY, PAGE_COPY, PAGE_COPY, PAGE_READONLY_EXEC, PAGE_READONLY_EXEC, PAGE_COPY_EXEC, PAGE_COPY_EXEC,
        PAGE_NONE, PAGE_READONLY, PAGE_SHARED, PAGE_SHARED, PAGE_READONLY_EXEC, PAGE_READONLY_EXEC, PAGE_SHARED_EXEC,
        PAGE_SHARED_EXEC,
    };

    // ---- pgtable_64_types.h, 4-level paging at run time ----
    /** Entries per table at every level. */
    public static final int PTRS_PER_TABLE = 512;
    /** PGDIR_SHIFT with the p4d folded (pgtable_l5_enabled() false). */
    public static final int PGDIR_SHIFT = 39;
    /** P4D_SHIFT. */
    public static final int P4D_SHIFT = 39;
    /** PUD_SHIFT. */
    public static final int PUD_SHIFT = 30;
    /** PMD_SHIFT. */
    public static final int PMD_SHIFT = 21;
    /** PGDIR_SIZE: 512 GiB. */
    public static final long PGDIR_SIZE = 1L << PGDIR_SHIFT;
    /** PGDIR_MASK. */
    public static final long PGDIR_MASK = ~(PGDIR_SIZE - 1);
    /** P4D_MASK. */
    public static final long P4D_MASK = ~((1L << P4D_SHIFT) - 1);
    /** PUD_SIZE: 1 GiB. */
    public static final long PUD_SIZE = 1L << PUD_SHIFT;
    /** PUD_MASK. */
    public static final long PUD_MASK = ~(PUD_SIZE - 1);
    /** PMD_SIZE: 2 MiB. */
    public static final long PMD_SIZE = 1L << PMD_SHIFT;
    /** PMD_MASK. */
    public static final long PMD_MASK = ~(PMD_SIZE - 1);
    /** Bytes of one table: PTRS_PER_PTE * sizeof(pte_t), what mm_inc_nr_ptes (and _pmds, _puds) adds. */
    public static final long TABLE_BYTES = (long) PTRS_PER_TABLE * Long.BYTES;
    /** The user half of a PTI pgd (kernel_to_user_pgdp: the second page of the order-1 block), in entries. */
    public static final int USER_PGD_OFFSET = PTRS_PER_TABLE;
    /** KERNEL_PGD_BOUNDARY: the first pgd entry of the kernel half of the address space (pgdp_maps_userspace below it). */
    public static final int KERNEL_PGD_BOUNDARY = PTRS_PER_TABLE / 2;

    /** FIRST_USER_ADDRESS. */
    public static final long FIRST_USER_ADDRESS = 0;
    /** USER_PGTABLES_CEILING: 0, the top of the address space. */
    public static final long USER_PGTABLES_CEILING = 0;
    /** TASK_SIZE_MAX: the end of user space for access_ok, (1 &lt;&lt; 47) - PAGE_SIZE. */
    public static final long TASK_SIZE_MAX = (1L << 47) - PAGE_SIZE;

    // ---- indexes and boundaries ----

    /** pgd_index (= p4d's slot when folded). */
    public static int pgdIndex(long addr) {
        return (int) (addr >>> PGDIR_SHIFT) & (PTRS_PER_TABLE - 1);
    }

    /** pud_index. */
    public static int pudIndex(long addr) {
        return (int) (addr >>> PUD_SHIFT) & (PTRS_PER_TABLE - 1);
    }

    /** pmd_index. */
    public static int pmdIndex(long addr) {
        return (int) (addr >>> PMD_SHIFT) & (PTRS_PER_TABLE - 1);
    }

    /** pte_index. */
    public static int pteIndex(long addr) {
        return (int) (addr >>> PAGE_SHIFT) & (PTRS_PER_TABLE - 1);
    }

    /** pgd_addr_end (and p4d_addr_end when folded): the next boundary, or end if it comes first (unsigned, - 1 for the top). */
    public static long pgdAddrEnd(long addr, long end) {
        return addrEnd(addr, end, PGDIR_SIZE);
    }

    /** pud_addr_end. */
    public static long pudAddrEnd(long addr, long end) {
        return addrEnd(addr, end, PUD_SIZE);
    }

    /** pmd_addr_end. */
    public static long pmdAddrEnd(long addr, long end) {
        return addrEnd(addr, end, PMD_SIZE);
    }

    private static long addrEnd(long addr, long end, long size) {
        long boundary = (addr + size) & -size;
        return Long.compareUnsigned(boundary - 1, end - 1) < 0 ? boundary : end;
    }

    // ---- entries of the table levels ----

    /** pmd_none, pud_none, p4d_none: nothing but the stray A/D bits. */
    public static boolean tableNone(long entry) {
        return (entry & ~_PAGE_KNL_ERRATUM_MASK) == 0;
    }

    /** p4d_bad (PTI ignores the NX the kernel copy gets). */
    public static boolean p4dBad(long p4d) {
        return (p4d & flagsMask() & ~(_KERNPG_TABLE | _PAGE_USER | _PAGE_NX)) != 0;
    }

    /** pud_bad. */
    public static boolean pudBad(long pud) {
        return (pud & flagsMask() & ~(_KERNPG_TABLE | _PAGE_USER)) != 0;
    }

    /** pmd_bad. */
    public static boolean pmdBad(long pmd) {
        return (pmd & flagsMask() & ~_PAGE_USER) != _KERNPG_TABLE;
    }

    /** The flag bits of an entry (pte_flags): everything but the physical address. */
    private static long flagsMask() {
        return ~PTE_PFN_MASK;
    }

    /** The physical address an entry of a table level points at (p4d_pgtable, pud_pgtable, pmd_page_vaddr's __pa). */
    public static long tablePhys(long entry) {
        return entry & PTE_PFN_MASK;
    }

    /** pud_populate, pmd_populate, p4d_populate: an entry for the table at physical address {@code phys}. */
    public static long mkTable(long phys) {
        return _PAGE_TABLE | phys;
    }

    /**
     * pti_set_user_pgtbl's change to the kernel copy of a user pgd entry: NX, so that returning to
     * user space with the kernel's page tables cannot run user code.
     */
    public static long ptiKernelPgd(long pgd) {
        return (pgd & (_PAGE_USER | _PAGE_PRESENT)) == (_PAGE_USER | _PAGE_PRESENT) ? pgd | _PAGE_NX : pgd;
    }

    // ---- ptes ----

    /** pte_none. */
    public static boolean pteNone(long pte) {
        return (pte & ~_PAGE_KNL_ERRATUM_MASK) == 0;
    }

    /** pte_present: present to the kernel, PROT_NONE ptes included. */
    public static boolean ptePresent(long pte) {
        return (pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) != 0;
    }

    /** pte_write. */
    public static boolean pteWrite(long pte) {
        return (pte & _PAGE_RW) != 0;
    }

    /** pte_dirty. */
    public static boolean pteDirty(long pte) {
        return (pte & _PAGE_DIRTY) != 0;
    }

    /** pte_young. */
    public static boolean pteYoung(long pte) {
        return (pte & _PAGE_ACCESSED) != 0;
    }

    /** pte_special. */
    public static boolean pteSpecial(long pte) {
        return (pte & _PAGE_SPECIAL) != 0;
    }

    /** pte_mkwrite. */
    public static long pteMkwrite(long pte) {
        return pte | _PAGE_RW;
    }

    /** pte_wrprotect. */
    public static long pteWrprotect(long pte) {
        return pte & ~_PAGE_RW;
    }

    /** pte_mkdirty. */
    public static long pteMkdirty(long pte) {
        return pte | _PAGE_DIRTY | _PAGE_SOFT_DIRTY;
    }

    /** pte_mkclean. */
    public static long pteMkclean(long pte) {
        return pte & ~_PAGE_DIRTY;
    }

    /** pte_mkyoung. */
    public static long pteMkyoung(long pte) {
        return pte | _PAGE_ACCESSED;
    }

    /** pte_mkold. */
    public static long pteMkold(long pte) {
        return pte & ~_PAGE_ACCESSED;
    }

    /** pte_mkspecial. */
    public static long pteMkspecial(long pte) {
        return pte | _PAGE_SPECIAL;
    }

    /** pte_clear_uffd_wp. */
    public static long pteClearUffdWp(long pte) {
        return pte & ~_PAGE_UFFD_WP;
    }

    /** maybe_mkwrite: writable when the VMA is. */
    public static long maybeMkwrite(long pte, long vmFlags) {
        return (vmFlags & VmFlags.VM_WRITE) != 0 ? pteMkwrite(pte) : pte;
    }

    /** __pte_needs_invert: neither none nor present to the CPU (a PROT_NONE entry). */
    private static boolean needsInvert(long val) {
        return val != 0 && (val & _PAGE_PRESENT) == 0;
    }

    /** protnone_mask. */
    private static long protnoneMask(long val) {
        return needsInvert(val) ? ~0L : 0;
    }

    /** pfn_pte (mk_pte): the page at physical address {@code phys} with protection {@code prot}. */
    public static long pfnPte(long phys, long prot) {
        long pfn = phys ^ protnoneMask(prot);
        return (pfn & PTE_PFN_MASK) | prot;
    }

    /** pte_pfn, as a physical address: the page a pte maps, its PROT_NONE inversion undone. */
    public static long ptePhys(long pte) {
        return (pte ^ protnoneMask(pte)) & PTE_PFN_MASK;
    }

    /**
     * pte_modify: the new protection, keeping the page, the cache bits, special, accessed and
     * dirty; flip_protnone_guard inverts the pfn when the entry becomes, or stops being, PROT_NONE.
     */
    public static long pteModify(long pte, long newprot) {
        long val = (pte & _PAGE_CHG_MASK) | (newprot & ~_PAGE_CHG_MASK);
        if (needsInvert(pte) != needsInvert(val)) {
            val = (val & ~PTE_PFN_MASK) | (~val & PTE_PFN_MASK);
        }
        return val;
    }

    /**
     * What the CPU's page walk allows: a user access ({@code write} or read) through a pte that is
     * present to the CPU, user-accessible, and writable for a write. A miss is a page fault.
     */
    public static boolean pteAllows(long pte, boolean write) {
        long need = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);
        return (pte & need) == need;
    }

    /** The page offset of a physical address in its page (for walking a copy across pages). */
    public static long pageOffset(long addr) {
        return addr & (PAGE_SIZE - 1);
    }

    /** vm_get_page_prot: the pte protection of a VMA's vm_flags (read, write, exec, shared). */
    public static long vmGetPageProt(long vmFlags) {
        return PROTECTION_MAP[(int) (vmFlags & (VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC | VmFlags.VM_SHARED))];
    }
}
