package org.kfork.mm;

import static org.kfork.mm.Mman.*;
import static org.kfork.mm.VmFlags.*;

/**
 * The representation-free rules of 5.12 mm/mmap.c, include/linux/mman.h and mm/internal.h that
 * both mm variants (heap twin and off-heap) share, so that they cannot drift apart: the flag
 * computations of do_mmap, vm_stat_account's classification, and the /proc/pid/maps line format.
 *
 * <p>Model notes (documented deviations): RLIMIT_AS, RLIMIT_MEMLOCK and RLIMIT_DATA are unlimited
 * (as for root), so may_expand_vm and mlock_future_check always pass; MAP_DENYWRITE is honoured
 * because callers of the model are kernel-internal (binfmt's vm_mmap passes it; the syscall strips
 * it); MAP_HUGETLB sets VM_HUGETLB | VM_DONTEXPAND on an anonymous mapping with no hugetlbfs file.
 */
public final class VmRules {
    private VmRules() {
    }

    /** calc_vm_prot_bits: PROT_* to VM_READ/VM_WRITE/VM_EXEC (no protection keys). */
    public static long calcVmProtBits(int prot) {
        long f = 0;
        if ((prot & PROT_READ) != 0) {
            f |= VM_READ;
        }
        if ((prot & PROT_WRITE) != 0) {
            f |= VM_WRITE;
        }
        if ((prot & PROT_EXEC) != 0) {
            f |= VM_EXEC;
        }
        return f;
    }

    /** calc_vm_flag_bits: MAP_GROWSDOWN, MAP_DENYWRITE, MAP_LOCKED and MAP_SYNC to VM_* bits. */
    public static long calcVmFlagBits(int flags) {
        long f = 0;
        if ((flags & MAP_GROWSDOWN) != 0) {
            f |= VM_GROWSDOWN;
        }
        if ((flags & MAP_DENYWRITE) != 0) {
            f |= VM_DENYWRITE;
        }
        if ((flags & MAP_LOCKED) != 0) {
            f |= VM_LOCKED;
        }
        if ((flags & MAP_SYNC) != 0) {
            f |= VM_SYNC;
        }
        return f;
    }

    /** is_exec_mapping: executable, not writable, not a stack. */
    public static boolean isExecMapping(long flags) {
        return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC;
    }

    /** is_stack_mapping: VM_GROWSDOWN (VM_STACK on x86). */
    public static boolean isStackMapping(long flags) {
        return (flags & VM_STACK) == VM_STACK;
    }

    /** is_data_mapping: private writable, not a stack. */
    public static boolean isDataMapping(long flags) {
        return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE;
    }

    /**
     * accountable_mapping: a private writable mapping without VM_NORESERVE is charged against the
     * overcommit limit (hugetlb mappings have their own reserves).
     */
    public static boolean accountableMapping(long vmFlags) {
        if ((vmFlags & VM_HUGETLB) != 0) {
            return false;
        }
        return (vmFlags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
    }

    /**
     * The flags shmem_zero_setup hands to the file it makes: the area's own, whose VM_NORESERVE
     * decides the charge. A MAP_HUGETLB area's file (a stand-in for 5.12's hugetlbfs file, set up
     * with VM_NORESERVE, whose huge pages are reserved apart from overcommit) is never charged.
     */
    public static long shmemZeroAcctFlags(long vmFlags) {
        return (vmFlags & VM_HUGETLB) != 0 ? vmFlags | VM_NORESERVE : vmFlags;
    }

    /** is_mergeable_vma's flag test: the flags must be equal (VM_SOFTDIRTY is 0 here). */
    public static boolean flagsMergeable(long a, long b) {
        return ((a ^ b) & ~VM_SOFTDIRTY) == 0;
    }

    /** vm_start_gap: a stack's start less the guard gap (not below 0). */
    public static long vmStartGap(long vmStart, long vmFlags) {
        if ((vmFlags & VM_GROWSDOWN) != 0) {
            long s = vmStart - STACK_GUARD_GAP;
            return Long.compareUnsigned(s, vmStart) > 0 ? 0 : s;
        }
        return vmStart;
    }

    /** vm_end_gap: VM_GROWSUP does not exist on x86, so the end itself. */
    public static long vmEndGap(long vmEnd, long vmFlags) {
        return vmEnd;
    }

    /**
     * vma_set_page_prot's vm_page_prot: vm_get_page_prot of the flags (the pte protection of
     * protection_map). No VMA of the model wants write notification (vma_wants_writenotify: its
     * files have neither page_mkwrite nor dirty accounting), so VM_SHARED is never dropped.
     */
    public static long vmPageProt(long vmFlags) {
        return Pgtable.vmGetPageProt(vmFlags);
    }

    /** vma_is_accessible: readable, writable or executable. */
    public static boolean vmaIsAccessible(long vmFlags) {
        return (vmFlags & (VM_READ | VM_WRITE | VM_EXEC)) != 0;
    }

    /** is_cow_mapping: private and may be written, so a write must not reach the page others see. */
    public static boolean isCowMapping(long vmFlags) {
        return (vmFlags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
    }

    /**
     * What mlock never locks, and what mmap_region does not count in locked_vm: VM_SPECIAL and
     * hugetlb areas (their VM_LOCKED is cleared instead).
     */
    public static boolean neverLocked(long vmFlags) {
        return (vmFlags & VM_SPECIAL) != 0 || (vmFlags & VM_HUGETLB) != 0;
    }

    /**
     * do_mprotect_pkey's new vm_flags for a VMA: the protection's bits replace read, write and exec;
     * -EACCES when one of them has no VM_MAY* bit to allow it.
     *
     * @return the new vm_flags (never negative), or -EACCES
     */
    public static long mprotectFlags(int prot, long oldFlags) {
        long newFlags = calcVmProtBits(prot) | (oldFlags & ~(VM_READ | VM_WRITE | VM_EXEC));
        if ((newFlags & ~(newFlags >>> 4) & (VM_READ | VM_WRITE | VM_EXEC)) != 0) {
            return -org.kfork.uapi.Errno.EACCES;
        }
        return newFlags;
    }

    /**
     * mprotect_fixup's charge: making a private area writable charges its pages to overcommit
     * (and sets VM_ACCOUNT) unless it is already charged, writable, hugetlb, shared or
     * VM_NORESERVE.
     */
    public static boolean mprotectCharges(long oldFlags, long newFlags) {
        return (newFlags & VM_WRITE) != 0
            && (oldFlags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)) == 0;
    }

    /**
     * madvise_behavior's new vm_flags for the fork advice: DONTFORK sets VM_DONTCOPY, DOFORK clears
     * it (-EINVAL on VM_IO), WIPEONFORK sets VM_WIPEONFORK (-EINVAL on a file or shared area),
     * KEEPONFORK clears it.
     *
     * @return the new vm_flags (never negative), or -EINVAL
     */
    public static long madviseFlags(int behavior, long flags, boolean hasFile) {
        switch (behavior) {
            case MADV_DONTFORK:
                return flags | VM_DONTCOPY;
            case MADV_DOFORK:
                if ((flags & VM_IO) != 0) {
                    return -org.kfork.uapi.Errno.EINVAL;
                }
                return flags & ~VM_DONTCOPY;
            case MADV_WIPEONFORK:
                if (hasFile || (flags & VM_SHARED) != 0) {
                    return -org.kfork.uapi.Errno.EINVAL;
                }
                return flags | VM_WIPEONFORK;
            default:
                return flags & ~VM_WIPEONFORK;
        }
    }

    /** apply_vma_lock_flags' new vm_flags: the lock bits replaced by {@code lockFlags}. */
    public static long mlockFlags(long flags, long lockFlags) {
        return (flags & VM_LOCKED_CLEAR_MASK) | lockFlags;
    }

    /**
     * mlock_fixup's change to locked_vm for {@code nrPages} pages going from {@code oldFlags} to
     * {@code newFlags}: they leave it when unlocked, join it when newly locked.
     */
    public static long mlockLockedDelta(long oldFlags, long newFlags, long nrPages) {
        if ((newFlags & VM_LOCKED) == 0) {
            return -nrPages;
        }
        return (oldFlags & VM_LOCKED) != 0 ? 0 : nrPages;
    }

    /**
     * One line of /proc/pid/maps (fs/proc/task_mmu.c show_map_vma):
     * {@code start-end perms offset dev inode [path]}: seq_setwidth(72), seq_pad, then a space, so
     * the path starts at column 73. A file shows device 08:01 (the model has one block device) and
     * its inode number; anonymous memory shows 00:00 0.
     */
    public static String mapsLine(long start, long end, long flags, long pgoff, long ino, String name) {
        StringBuilder sb = new StringBuilder(96);
        hex(sb, start, 8).append('-');
        hex(sb, end, 8).append(' ');
        sb.append((flags & VM_READ) != 0 ? 'r' : '-');
        sb.append((flags & VM_WRITE) != 0 ? 'w' : '-');
        sb.append((flags & VM_EXEC) != 0 ? 'x' : '-');
        sb.append((flags & VM_MAYSHARE) != 0 ? 's' : 'p');
        sb.append(' ');
        hex(sb, ino == 0 ? 0 : pgoff << PAGE_SHIFT, 8).append(' ');
        sb.append(ino == 0 ? "00:00" : "08:01").append(' ').append(ino);
        if (name != null) {
            while (sb.length() < 72) {
                sb.append(' ');
            }
            sb.append(' ').append(name);
        }
        return sb.append('\n').toString();
    }

    private static StringBuilder hex(StringBuilder sb, long v, int width) {
        String h = Long.toHexString(v);
        for (int i = h.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(h);
    }

    /** The name the maps view shows for an anonymous area: a stack is "[stack]"-like only when it grows down. */
    public static String anonName(long flags) {
        return (flags & VM_GROWSDOWN) != 0 ? "[stack]" : null;
    }
}
