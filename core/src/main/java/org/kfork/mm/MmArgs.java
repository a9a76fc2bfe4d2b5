package org.kfork.mm;

import static org.kfork.mm.Mman.*;

import org.kfork.uapi.Errno;

/**
 * The representation-free half of the mm system calls of 5.12: the argument checks of do_mmap
 * (mm/mmap.c), __do_munmap, do_mprotect_pkey (mm/mprotect.c), do_madvise (mm/madvise.c) and
 * do_mlock (mm/mlock.c), and the arithmetic of get_unmapped_area and unmapped_area(_topdown).
 * Both mm variants (the off-heap port and the heap twin) call these, so their checks, their order
 * and their errno choices cannot drift apart; what walks VMAs stays with each variant.
 *
 * <p>Results that are a range end or a length come back as a {@code long} that is either the value
 * or a negative errno. The values are page-aligned and no page-aligned value lies in the range
 * IS_ERR_VALUE recognizes (-{@link Errno#MAX_ERRNO} to -1), so {@link Errno#isError} tells them
 * apart, where a test for "negative" would not: a length or an end past 2^63 is a valid unsigned
 * value here as in 5.12. Every comparison of a caller's address, length or offset is unsigned, as
 * the kernel's {@code unsigned long} arithmetic is ({@link Long#compareUnsigned}).
 */
public final class MmArgs {
    private MmArgs() {
    }

    /**
     * Whether security_mmap_addr (cap_mmap_addr) asks the caller for CAP_SYS_RAWIO: a fixed
     * mapping that would start below mmap_min_addr. A hint never lands there (round_hint_to_min
     * and the search stay above it), so only MAP_FIXED and MAP_FIXED_NOREPLACE requests of a
     * non-empty, page-aligned range can. The mm's own checks, which the kernel runs before this one
     * on an address it accepts, do not depend on the caller; the system-call layer asks it.
     */
    public static boolean mmapNeedsRawio(long addr, long len, int flags) {
        return (flags & (Mman.MAP_FIXED | Mman.MAP_FIXED_NOREPLACE)) != 0 && len != 0
            && (addr & (Mman.PAGE_SIZE - 1)) == 0 && Long.compareUnsigned(addr, Mman.MMAP_MIN_ADDR) < 0;
    }

    // ---------------------------------------------------------------------------------------
    // do_mmap
    // ---------------------------------------------------------------------------------------

    /**
     * do_mmap's length, after ksys_mmap_pgoff's: MAP_HUGETLB (not for a file here: no hugetlbfs)
     * first rounds it up to a huge page; then 0 is -EINVAL, and a PAGE_ALIGN that wraps to 0 is
     * -ENOMEM. A length past 2^63 is returned as it is (negative as a long, never an error value):
     * get_unmapped_area refuses it later, after the offset and map_count checks, as in 5.12.
     *
     * @return the page-aligned length, or a negative errno ({@link Errno#isError} tells which)
     */
    public static long mmapLen(long len, int flags, boolean hasFile) {
        if ((flags & MAP_HUGETLB) != 0) {
            if (hasFile) {
                return -Errno.EINVAL; // not a hugetlbfs file
            }
            len = (len + HPAGE_SIZE - 1) & ~(HPAGE_SIZE - 1);
        }
        if (len == 0) {
            return -Errno.EINVAL;
        }
        len = pageAlign(len);
        if (len == 0) {
            return -Errno.ENOMEM;
        }
        return len;
    }

    /** do_mmap: MAP_FIXED_NOREPLACE implies MAP_FIXED. */
    public static int mmapFlags(int flags) {
        return (flags & MAP_FIXED_NOREPLACE) != 0 ? flags | MAP_FIXED : flags;
    }

    /** round_hint_to_min, unless MAP_FIXED: the hint is page-aligned and not below mmap_min_addr. */
    public static long mmapHint(long addr, int flags) {
        if ((flags & MAP_FIXED) == 0) {
            addr &= PAGE_MASK;
            if (addr != 0 && Long.compareUnsigned(addr, MMAP_MIN_ADDR) < 0) {
                addr = pageAlign(MMAP_MIN_ADDR);
            }
        }
        return addr;
    }

    /** do_mmap's "offset overflow?" test (-EOVERFLOW): the last page's offset wraps past 2^64. */
    public static boolean pgoffOverflows(long pgoff, long len) {
        return Long.compareUnsigned(pgoff + (len >>> PAGE_SHIFT), pgoff) < 0;
    }

    /**
     * file_mmap_ok for a regular file, whose largest size is MAX_LFS_FILESIZE (LLONG_MAX): false
     * (-EOVERFLOW) when the mapping would reach past it.
     */
    public static boolean fileMmapOk(long pgoff, long len) {
        long maxsize = Long.MAX_VALUE; // file_mmap_size_max of S_ISREG
        if (Long.compareUnsigned(len, maxsize) > 0) {
            return false;
        }
        maxsize -= len;
        return Long.compareUnsigned(pgoff, maxsize >>> PAGE_SHIFT) <= 0;
    }

    /**
     * do_mmap's vm_flags: calc_vm_prot_bits, calc_vm_flag_bits, mm->def_flags and VM_MAY*, then
     * the MAP_TYPE switch. For a file: file_mmap_ok's -EOVERFLOW, MAP_SHARED_VALIDATE's
     * -EOPNOTSUPP for a flag outside LEGACY_MAP_MASK (MAP_SHARED drops such flags instead), -EACCES
     * for a writable shared map of a file not open for write, VM_SHARED dropped for a read-only
     * one. For anonymous memory only MAP_SHARED and MAP_PRIVATE are types (MAP_SHARED_VALIDATE too
     * is -EINVAL in 5.12, whatever its flags), MAP_SHARED gives VM_SHARED | VM_MAYSHARE, and
     * MAP_HUGETLB VM_HUGETLB | VM_DONTEXPAND. -EINVAL for a growing shared map or an unknown type,
     * and VM_NORESERVE for MAP_NORESERVE unless the overcommit mode is NEVER.
     *
     * @return the vm_flags (they use bits 0 to 36, so they are never negative), or a negative errno
     */
    public static long mmapVmFlags(int prot, int flags, long defFlags, boolean hasFile, boolean fmodeWrite,
        long pgoff, long len, int overcommitMode) {
        long vmFlags = VmRules.calcVmProtBits(prot) | VmRules.calcVmFlagBits(flags) | defFlags
            | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC;
        if (hasFile) {
            if (!fileMmapOk(pgoff, len)) {
                return -Errno.EOVERFLOW;
            }
            switch (flags & MAP_TYPE) {
                case MAP_SHARED_VALIDATE:
                    if ((flags & ~LEGACY_MAP_MASK) != 0) {
                        return -Errno.EOPNOTSUPP;
                    }
                    // fall through
                case MAP_SHARED:
                    if ((prot & PROT_WRITE) != 0 && !fmodeWrite) {
                        return -Errno.EACCES;
                    }
                    vmFlags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
                    if (!fmodeWrite) {
                        vmFlags &= ~(VmFlags.VM_MAYWRITE | VmFlags.VM_SHARED);
                    }
                    // fall through
                case MAP_PRIVATE:
                    if ((vmFlags & (VmFlags.VM_GROWSDOWN | VmFlags.VM_GROWSUP)) != 0) {
                        return -Errno.EINVAL;
                    }
                    break;
                default:
                    return -Errno.EINVAL;
            }
        } else {
            switch (flags & MAP_TYPE) {
                case MAP_SHARED:
                    if ((vmFlags & (VmFlags.VM_GROWSDOWN | VmFlags.VM_GROWSUP)) != 0) {
                        return -Errno.EINVAL;
                    }
                    vmFlags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
                    break;
                case MAP_PRIVATE:
                    break;
                default:
                    return -Errno.EINVAL;
            }
            if ((flags & MAP_HUGETLB) != 0) {
                vmFlags |= VmFlags.VM_HUGETLB | VmFlags.VM_DONTEXPAND; // what hugetlbfs_file_mmap sets
            }
        }
        if ((flags & MAP_NORESERVE) != 0 && overcommitMode != Overcommit.OVERCOMMIT_NEVER) {
            vmFlags |= VmFlags.VM_NORESERVE;
        }
        return vmFlags;
    }

    /** do_mmap's pgoff of anonymous memory: 0 when shared, the address's page number when private. */
    public static long anonPgoff(int flags, long addr) {
        return (flags & MAP_TYPE) == MAP_PRIVATE ? addr >>> PAGE_SHIFT : 0;
    }

    // ---------------------------------------------------------------------------------------
    // get_unmapped_area (mm/mmap.c, arch/x86/kernel/sys_x86_64.c)
    // ---------------------------------------------------------------------------------------

    /** get_unmapped_area's first test: a length above TASK_SIZE cannot fit (-ENOMEM). */
    public static boolean tooLong(long len) {
        return Long.compareUnsigned(len, TASK_SIZE) > 0;
    }

    /** The alignment a search needs: a huge page for MAP_HUGETLB, none otherwise. */
    public static long alignMask(int flags) {
        return (flags & MAP_HUGETLB) != 0 ? HPAGE_SIZE - 1 : 0;
    }

    /** vm_unmapped_area_info.align_offset: the file offset's position within the alignment. */
    public static long alignOffset(long pgoff, long alignMask) {
        return pgoff << PAGE_SHIFT & alignMask;
    }

    /**
     * mmap_address_hint_valid: whether a hint at {@code addr} leaves room for {@code len} bytes
     * below TASK_SIZE ({@code len} is at most TASK_SIZE by then).
     */
    public static boolean hintFits(long addr, long len) {
        return Long.compareUnsigned(addr, TASK_SIZE - len) <= 0;
    }

    /**
     * unmapped_area and unmapped_area_topdown's first tests: the length plus the alignment slack
     * wraps, or the limits leave no room for it. Either way, -ENOMEM.
     */
    public static boolean noRoom(long len, long lowLimit, long highLimit, long alignMask) {
        long length = len + alignMask;
        return length < len || highLimit < length || lowLimit > highLimit - length;
    }

    /** unmapped_area_topdown's result in a gap ending at {@code gapEnd}: as high as alignment allows. */
    public static long topdownPlace(long gapEnd, long len, long alignMask, long alignOffset) {
        gapEnd -= len;
        return gapEnd - ((gapEnd - alignOffset) & alignMask);
    }

    /** unmapped_area's result in a gap starting at {@code gapStart}: as low as limit and alignment allow. */
    public static long bottomUpPlace(long gapStart, long lowLimit, long alignMask, long alignOffset) {
        if (gapStart < lowLimit) {
            gapStart = lowLimit;
        }
        return gapStart + ((alignOffset - gapStart) & alignMask);
    }

    /**
     * get_unmapped_area's last tests: an error stays one; an area past TASK_SIZE is -ENOMEM (a
     * MAP_FIXED address past 2^63 included), an unaligned one -EINVAL.
     */
    public static long checkUnmappedArea(long addr, long len) {
        if (Errno.isError(addr)) {
            return addr;
        }
        if (Long.compareUnsigned(addr, TASK_SIZE - len) > 0) {
            return -Errno.ENOMEM;
        }
        if (offsetInPage(addr) != 0) {
            return -Errno.EINVAL;
        }
        return addr;
    }

    // ---------------------------------------------------------------------------------------
    // munmap, mprotect, madvise, mlock
    // ---------------------------------------------------------------------------------------

    /**
     * __do_munmap's range: -EINVAL if {@code start} is unaligned, the range runs past TASK_SIZE, or
     * the length is 0 once page-aligned.
     *
     * @return the page-aligned end, or -EINVAL
     */
    public static long munmapEnd(long start, long len) {
        if (offsetInPage(start) != 0 || Long.compareUnsigned(start, TASK_SIZE) > 0
            || Long.compareUnsigned(len, TASK_SIZE - start) > 0) {
            return -Errno.EINVAL;
        }
        len = pageAlign(len);
        if (len == 0) {
            return -Errno.EINVAL;
        }
        return start + len;
    }

    /**
     * do_mprotect_pkey's checks, in its order: unaligned start -EINVAL; length 0 succeeds at once;
     * a wrapping range -ENOMEM; protection bits other than read, write, exec and PROT_SEM -EINVAL
     * (PROT_GROWSDOWN/UP are not modelled).
     *
     * @return the page-aligned end ({@code start} when there is nothing to do), or a negative errno
     */
    public static long mprotectEnd(long start, long len, int prot) {
        if (offsetInPage(start) != 0) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return start;
        }
        long end = start + pageAlign(len);
        if (Long.compareUnsigned(end, start) <= 0) {
            return -Errno.ENOMEM;
        }
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) != 0) {
            return -Errno.EINVAL;
        }
        return end;
    }

    /**
     * do_madvise's checks, in its order: an advice other than the four fork ones -EINVAL
     * (madvise_behavior_valid), unaligned start -EINVAL, a length that wraps when aligned -EINVAL,
     * a wrapping range -EINVAL.
     *
     * @return the page-aligned end ({@code start} when there is nothing to do), or -EINVAL
     */
    public static long madviseEnd(long start, long lenIn, int behavior) {
        switch (behavior) {
            case MADV_DONTFORK:
            case MADV_DOFORK:
            case MADV_WIPEONFORK:
            case MADV_KEEPONFORK:
                break;
            default:
                return -Errno.EINVAL;
        }
        if (offsetInPage(start) != 0) {
            return -Errno.EINVAL;
        }
        long len = pageAlign(lenIn);
        if (lenIn != 0 && len == 0) {
            return -Errno.EINVAL;
        }
        long end = start + len;
        if (Long.compareUnsigned(end, start) < 0) {
            return -Errno.EINVAL;
        }
        return end;
    }

    /**
     * do_mlock's range: the start rounds down to its page and the length grows by the start's
     * offset into it; a wrapping range is -EINVAL. The caller rounds {@code start} down itself.
     *
     * @return the page-aligned end ({@code start & PAGE_MASK} when there is nothing to do), or -EINVAL
     */
    public static long mlockEnd(long start, long len) {
        len = pageAlign(len + offsetInPage(start));
        start &= PAGE_MASK;
        long end = start + len;
        if (Long.compareUnsigned(end, start) < 0) {
            return -Errno.EINVAL;
        }
        return end;
    }

    /**
     * The fixup loops' {@code tmp = min(vma->vm_end, end)} (mprotect, madvise, mlock): unsigned,
     * since the range's end may lie past 2^63 while every VMA lies below TASK_SIZE.
     */
    public static long fixupEnd(long vmEnd, long end) {
        return Long.compareUnsigned(vmEnd, end) > 0 ? end : vmEnd;
    }

    /** The fixup loops' {@code nstart >= end}: unsigned, as {@link #fixupEnd}. */
    public static boolean pastEnd(long nstart, long end) {
        return Long.compareUnsigned(nstart, end) >= 0;
    }

    /**
     * madvise_behavior's errno for a failed __split_vma: -ENOMEM, which it gives when it has no
     * memory, becomes -EAGAIN, "try again". The refusal at vm.max_map_count, which
     * madvise_behavior checks before splitting, is not converted: it stays -ENOMEM.
     */
    public static int madviseSplitError(int err) {
        return err == -Errno.ENOMEM ? -Errno.EAGAIN : err;
    }
}
