package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getAndAddInt;
import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;
import static org.kfork.mm.Mman.*;
import static org.kfork.mm.VmFlags.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

import org.kfork.ds.RbAugmentMax;
import org.kfork.ds.RbAugmented;
import org.kfork.ds.RbTree;
import org.kfork.ds.VmaIntervalTree;
import org.kfork.kernel.fork.ForkMm;
import org.kfork.kernel.struct.MmRssStat;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.RwSemaphore;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Mem;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.LockedAddressSpace;
import org.kfork.mm.MmArgs;
import org.kfork.mm.MmDebug;
import org.kfork.mm.DupMode;
import org.kfork.mm.MappedFile;
import org.kfork.mm.MmFlags;
import org.kfork.mm.Overcommit;
import org.kfork.mm.VmRules;
import org.kfork.mm.VmaInfo;
import org.kfork.sched.Limits;
import org.kfork.uapi.Errno;
import org.kfork.uapi.KernelException;

/**
 * An off-heap {@code struct mm_struct} (at its 5.12 layout, from the mm_struct cache) and its
 * VMAs ({@code struct vm_area_struct}, 200 bytes, from the vm_area_struct cache), with the
 * address-space operations of 5.12 mm/mmap.c, mprotect.c, madvise.c and mlock.c, the anon_vma code
 * of mm/rmap.c, and dup_mm/dup_mmap and the mm lifetime of kernel/fork.c. It is the port of which
 * {@link org.kfork.heap.mm.HeapMm} is the heap twin; the two run the same steps in the same order.
 *
 * <p>The fork path ({@link #dupMm}, {@link #mmput(OffHeapMmSystem, long)}) is static over
 * addresses and allocates nothing on the Java heap. An {@code Mm} object is a handle for the
 * address-space operations: it holds the mm's address and the per-mm vmacache stand-in (5.12 keeps
 * the 4-entry vmacache in the task; tasks do not exist yet, so each handle carries one, validated by
 * the mm's vmacache_seqnum exactly as the task's would be).
 *
 * <p>Locking: the mmap lock is modelled as held by the single caller; dup_mmap's
 * mmap_write_lock_killable never contends here, so it never returns -EINTR.
 */
public final class Mm extends LockedAddressSpace {
    final OffHeapMmSystem sys;
    /** The mm_struct's address. */
    final long mm;
    private final long[] vmacache = new long[Limits.VMACACHE_SIZE];
    private long vmacacheTaskSeqnum;

    Mm(OffHeapMmSystem sys, long mm) {
        super(sys.bkl);
        this.sys = sys;
        this.mm = mm;
    }

    /** The mm_struct's modeled address. */
    public long address() {
        return mm;
    }

    // =========================================================================================
    // Field helpers
    // =========================================================================================

    static long vmStart(long vma) {
        return getLong(vma + VmAreaStruct.VM_START);
    }

    static long vmEnd(long vma) {
        return getLong(vma + VmAreaStruct.VM_END);
    }

    public static long vmNext(long vma) {
        return getLong(vma + VmAreaStruct.VM_NEXT);
    }

    static long vmPrev(long vma) {
        return getLong(vma + VmAreaStruct.VM_PREV);
    }

    public static long vmFlags(long vma) {
        return getLong(vma + VmAreaStruct.VM_FLAGS);
    }

    static long vmPgoff(long vma) {
        return getLong(vma + VmAreaStruct.VM_PGOFF);
    }

    public static long vmFile(long vma) {
        return getLong(vma + VmAreaStruct.VM_FILE);
    }

    static long anonVma(long vma) {
        return getLong(vma + VmAreaStruct.ANON_VMA);
    }

    public static long pages(long vma) {
        return (vmEnd(vma) - vmStart(vma)) >>> PAGE_SHIFT;
    }

    public static long gapOf(long vma) {
        return getLong(vma + VmAreaStruct.RB_SUBTREE_GAP);
    }

    /** rb_entry(node, struct vm_area_struct, vm_rb), NULL-safe. */
    static long vmaOf(long rb) {
        return rb == 0 ? 0 : rb - VmAreaStruct.VM_RB;
    }

    public static long mmGet(long mm, long off) {
        return getLong(mm + off);
    }

    static void mmAdd(long mm, long off, long delta) {
        putLong(mm + off, getLong(mm + off) + delta);
    }

    // =========================================================================================
    // The VMA rb-tree with rb_subtree_gap
    // =========================================================================================

    /** vma_compute_gap. */
    static long computeGap(long vma) {
        long gap = VmRules.vmStartGap(vmStart(vma), vmFlags(vma));
        long prev = vmPrev(vma);
        if (prev != 0) {
            long prevEnd = VmRules.vmEndGap(vmEnd(prev), vmFlags(prev));
            gap = gap > prevEnd ? gap - prevEnd : 0;
        }
        return gap;
    }

    /** vma_gap_callbacks. */
    static final RbAugmentMax GAP = new RbAugmentMax((int) VmAreaStruct.VM_RB, (int) VmAreaStruct.RB_SUBTREE_GAP) {
        @Override
        protected long compute(long vma) {
            return computeGap(vma);
        }
    };

    static void gapUpdate(long vma) {
        GAP.propagate(vma + VmAreaStruct.VM_RB, 0);
    }

    /** __vma_link_rb: link at the slot {@code link} under {@code rbParent}, gaps, rebalance. */
    public static void vmaLinkRb(long mm, long vma, long rbParent, long link) {
        long next = vmNext(vma);
        if (next != 0) {
            gapUpdate(next);
        } else {
            putLong(mm + MmStruct.HIGHEST_VM_END, VmRules.vmEndGap(vmEnd(vma), vmFlags(vma)));
        }
        RbTree.linkNode(vma + VmAreaStruct.VM_RB, rbParent, link);
        putLong(vma + VmAreaStruct.RB_SUBTREE_GAP, 0);
        gapUpdate(vma);
        RbAugmented.insert(vma + VmAreaStruct.VM_RB, mm + MmStruct.MM_RB, GAP);
    }

    /** __vma_link_list. */
    static void vmaLinkList(long mm, long vma, long prev) {
        long next;
        putLong(vma + VmAreaStruct.VM_PREV, prev);
        if (prev != 0) {
            next = vmNext(prev);
            putLong(prev + VmAreaStruct.VM_NEXT, vma);
        } else {
            next = getLong(mm + MmStruct.MMAP);
            putLong(mm + MmStruct.MMAP, vma);
        }
        putLong(vma + VmAreaStruct.VM_NEXT, next);
        if (next != 0) {
            putLong(next + VmAreaStruct.VM_PREV, vma);
        }
    }

    private long linkPrev;
    private long linkParent;
    private long linkSlot;

    /** find_vma_links. */
    int findVmaLinks(long addr, long end) {
        long slot = mm + MmStruct.MM_RB;
        long parent = 0;
        long prev = 0;
        long cur;
        while ((cur = getLong(slot)) != 0) {
            parent = cur;
            long v = cur - VmAreaStruct.VM_RB;
            if (vmEnd(v) > addr) {
                if (vmStart(v) < end) {
                    return -Errno.ENOMEM;
                }
                slot = cur + RbTree.RB_LEFT;
            } else {
                prev = v;
                slot = cur + RbTree.RB_RIGHT;
            }
        }
        linkPrev = prev;
        linkParent = parent;
        linkSlot = slot;
        return 0;
    }

    /** __vma_link_file. */
    static void vmaLinkFile(long vma) {
        long file = vmFile(vma);
        if (file != 0) {
            long flags = vmFlags(vma);
            if ((flags & VM_DENYWRITE) != 0) {
                getAndAddInt(file + MmFileStruct.I_WRITECOUNT, -1);
            }
            if ((flags & VM_SHARED) != 0) {
                getAndAddInt(file + MmFileStruct.I_MMAP_WRITABLE, 1);
            }
            VmaIntervalTree.insert(vma, file + MmFileStruct.I_MMAP);
        }
    }

    /** __remove_shared_vm_struct (unlink_file_vma). */
    static void unlinkFileVma(long vma) {
        long file = vmFile(vma);
        if (file != 0) {
            long flags = vmFlags(vma);
            if ((flags & VM_DENYWRITE) != 0) {
                getAndAddInt(file + MmFileStruct.I_WRITECOUNT, 1);
            }
            if ((flags & VM_SHARED) != 0) {
                getAndAddInt(file + MmFileStruct.I_MMAP_WRITABLE, -1);
            }
            VmaIntervalTree.remove(vma, file + MmFileStruct.I_MMAP);
        }
    }

    void vmaLink(long vma) {
        vmaLinkList(mm, vma, linkPrev);
        vmaLinkRb(mm, vma, linkParent, linkSlot);
        vmaLinkFile(vma);
        putInt(mm + MmStruct.MAP_COUNT, getInt(mm + MmStruct.MAP_COUNT) + 1);
    }

    /** __vma_unlink_common and the next VMA's gap. */
    static void vmaUnlink(long mm, long vma) {
        RbAugmented.erase(vma + VmAreaStruct.VM_RB, mm + MmStruct.MM_RB, GAP);
        long prev = vmPrev(vma);
        long next = vmNext(vma);
        if (prev != 0) {
            putLong(prev + VmAreaStruct.VM_NEXT, next);
        } else {
            putLong(mm + MmStruct.MMAP, next);
        }
        if (next != 0) {
            putLong(next + VmAreaStruct.VM_PREV, prev);
            gapUpdate(next);
        } else {
            putLong(mm + MmStruct.HIGHEST_VM_END, prev != 0 ? VmRules.vmEndGap(vmEnd(prev), vmFlags(prev)) : 0);
        }
        mmAdd(mm, MmStruct.VMACACHE_SEQNUM, 1); // vmacache_invalidate
    }

    public static void mapCountAdd(long mm, int d) {
        putInt(mm + MmStruct.MAP_COUNT, getInt(mm + MmStruct.MAP_COUNT) + d);
    }

    // =========================================================================================
    // find_vma with the vmacache
    // =========================================================================================

    long findVmaRaw(long addr) {
        long seq = mmGet(mm, MmStruct.VMACACHE_SEQNUM);
        if (vmacacheTaskSeqnum != seq) {
            vmacacheTaskSeqnum = seq;
            for (int i = 0; i < Limits.VMACACHE_SIZE; i++) {
                vmacache[i] = 0;
            }
        } else {
            int idx = (int) (addr >>> PAGE_SHIFT) & (Limits.VMACACHE_SIZE - 1);
            for (int i = 0; i < Limits.VMACACHE_SIZE; i++) {
                long v = vmacache[idx];
                if (v != 0 && vmStart(v) <= addr && vmEnd(v) > addr) {
                    return v;
                }
                idx = (idx + 1) & (Limits.VMACACHE_SIZE - 1);
            }
        }
        long vma = 0;
        long n = getLong(mm + MmStruct.MM_RB);
        while (n != 0) {
            long t = n - VmAreaStruct.VM_RB;
            if (vmEnd(t) > addr) {
                vma = t;
                if (vmStart(t) <= addr) {
                    break;
                }
                n = RbTree.left(n);
            } else {
                n = RbTree.right(n);
            }
        }
        if (vma != 0) {
            vmacache[(int) (addr >>> PAGE_SHIFT) & (Limits.VMACACHE_SIZE - 1)] = vma;
        }
        return vma;
    }

    static boolean anonVmaCompatible(long a, long b) {
        return vmEnd(a) == vmStart(b) && vmFile(a) == vmFile(b)
            && ((vmFlags(a) ^ vmFlags(b)) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) == 0
            && vmPgoff(b) == vmPgoff(a) + ((vmStart(b) - vmStart(a)) >>> PAGE_SHIFT);
    }

    static long reusableAnonVma(long old, long a, long b) {
        if (anonVmaCompatible(a, b)) {
            long av = anonVma(old);
            if (av != 0 && Rmap.chainSingular(old)) {
                return av;
            }
        }
        return 0;
    }

    /** find_mergeable_anon_vma: the anon_vma of a neighbour (the next, then the previous) this VMA could share, or 0. */
    static long findMergeableAnonVma(long vma) {
        long a = 0;
        if (vmNext(vma) != 0) {
            a = reusableAnonVma(vmNext(vma), vma, vmNext(vma));
        }
        if (a == 0 && vmPrev(vma) != 0) {
            a = reusableAnonVma(vmPrev(vma), vmPrev(vma), vma);
        }
        return a;
    }

    static void preUpdateVma(long vma) {
        long head = vma + VmAreaStruct.ANON_VMA_CHAIN;
        for (long e = getLong(head); e != head; e = getLong(e)) {
            long avc = Rmap.avcOfEntry(e);
            AnonVmaIntervalTree.remove(avc, getLong(avc + AnonVmaChainStruct.ANON_VMA) + AnonVmaStruct.RB_ROOT);
        }
        if (vmFile(vma) != 0) {
            VmaIntervalTree.remove(vma, vmFile(vma) + MmFileStruct.I_MMAP);
        }
    }

    static void postUpdateVma(long vma) {
        long head = vma + VmAreaStruct.ANON_VMA_CHAIN;
        for (long e = getLong(head); e != head; e = getLong(e)) {
            long avc = Rmap.avcOfEntry(e);
            AnonVmaIntervalTree.insert(avc, getLong(avc + AnonVmaChainStruct.ANON_VMA) + AnonVmaStruct.RB_ROOT);
        }
        if (vmFile(vma) != 0) {
            VmaIntervalTree.insert(vma, vmFile(vma) + MmFileStruct.I_MMAP);
        }
    }

    // =========================================================================================
    // vma_merge, split
    // =========================================================================================

    static boolean isMergeableAnonVma(long a1, long a2, long vma) {
        if ((a1 == 0 || a2 == 0) && (vma == 0 || Rmap.chainSingular(vma))) {
            return true;
        }
        return a1 == a2;
    }

    boolean isMergeableVma(long vma, long file, long flags) {
        if (!VmRules.flagsMergeable(vmFlags(vma), flags)) {
            return false;
        }
        if (vmFile(vma) != file) {
            return false;
        }
        return !sys.vmOpsHasOpen(getLong(vma + VmAreaStruct.VM_OPS));
    }

    boolean canMergeBefore(long vma, long flags, long av, long file, long pgoff) {
        return isMergeableVma(vma, file, flags) && isMergeableAnonVma(av, anonVma(vma), vma) && vmPgoff(vma) == pgoff;
    }

    boolean canMergeAfter(long vma, long flags, long av, long file, long pgoff) {
        return isMergeableVma(vma, file, flags) && isMergeableAnonVma(av, anonVma(vma), vma)
            && vmPgoff(vma) + pages(vma) == pgoff;
    }

    void adjustRange(long vma, long start, long end, long pgoff) {
        preUpdateVma(vma);
        putLong(vma + VmAreaStruct.VM_START, start);
        putLong(vma + VmAreaStruct.VM_END, end);
        putLong(vma + VmAreaStruct.VM_PGOFF, pgoff);
        postUpdateVma(vma);
        gapUpdate(vma);
        long next = vmNext(vma);
        if (next != 0) {
            gapUpdate(next);
        } else {
            putLong(mm + MmStruct.HIGHEST_VM_END, VmRules.vmEndGap(end, vmFlags(vma)));
        }
    }

    void removeAbsorbed(long gone) {
        vmaUnlink(mm, gone);
        unlinkFileVma(gone);
        long head = gone + VmAreaStruct.ANON_VMA_CHAIN;
        if (anonVma(gone) != 0 || getLong(head) != head) {
            Rmap.unlinkAnonVmas(sys, gone);
        }
        mapCountAdd(mm, -1);
        if (vmFile(gone) != 0) {
            sys.fput(vmFile(gone));
        }
        ForkMm.vmAreaFree(sys, gone);
    }

    int importAnonVma(long importer, long exporter) {
        if (exporter != 0 && anonVma(exporter) != 0 && anonVma(importer) == 0) {
            putLong(importer + VmAreaStruct.ANON_VMA, anonVma(exporter));
            return Rmap.anonVmaClone(sys, importer, exporter);
        }
        return 0;
    }

    /** vma_merge: see {@link org.kfork.heap.mm.HeapMm} for the case map; the same steps here. */
    long vmaMerge(long prev, long addr, long end, long flags, long av, long file, long pgoff) {
        long pglen = (end - addr) >>> PAGE_SHIFT;
        if ((flags & VM_SPECIAL) != 0) {
            return 0;
        }
        long next = prev != 0 ? vmNext(prev) : getLong(mm + MmStruct.MMAP);
        long area = next;
        if (area != 0 && vmEnd(area) == end) {
            next = vmNext(next);
        }
        if (prev != 0 && vmEnd(prev) == addr && canMergeAfter(prev, flags, av, file, pgoff)) {
            long covered = area != 0 && vmStart(area) == addr && vmEnd(area) <= end ? area : 0;
            long shrunk = area != 0 && vmStart(area) == addr && vmEnd(area) > end ? area : 0;
            if (next != 0 && end == vmStart(next) && canMergeBefore(next, flags, av, file, pgoff + pglen)
                && isMergeableAnonVma(anonVma(prev), anonVma(next), 0)) {
                if (importAnonVma(prev, covered != 0 && anonVma(covered) != 0 ? covered : next) != 0) {
                    return 0;
                }
                long newEnd = vmEnd(next);
                if (covered != 0) {
                    removeAbsorbed(covered);
                }
                removeAbsorbed(next);
                adjustRange(prev, vmStart(prev), newEnd, vmPgoff(prev));
            } else {
                if (importAnonVma(prev, covered != 0 ? covered : shrunk) != 0) {
                    return 0;
                }
                if (covered != 0) {
                    removeAbsorbed(covered);
                } else if (shrunk != 0) {
                    adjustRange(shrunk, end, vmEnd(shrunk), vmPgoff(shrunk) + pglen);
                }
                adjustRange(prev, vmStart(prev), end, vmPgoff(prev));
            }
            return prev;
        }
        if (next != 0 && end == vmStart(next) && canMergeBefore(next, flags, av, file, pgoff + pglen)) {
            if (prev != 0 && addr < vmEnd(prev)) {
                if (importAnonVma(next, prev) != 0) {
                    return 0;
                }
                long delta = (vmEnd(prev) - addr) >>> PAGE_SHIFT;
                adjustRange(prev, vmStart(prev), addr, vmPgoff(prev));
                adjustRange(next, addr, vmEnd(next), vmPgoff(next) - delta);
            } else {
                long covered = area != next && area != 0 && vmStart(area) == addr ? area : 0;
                if (importAnonVma(next, covered) != 0) {
                    return 0;
                }
                if (covered != 0) {
                    removeAbsorbed(covered);
                }
                adjustRange(next, addr, vmEnd(next), vmPgoff(next) - pglen);
            }
            return next;
        }
        return 0;
    }

    int splitVma(long vma, long addr, boolean newBelow) {
        long n = ForkMm.vmAreaDup(sys, vma);
        if (n == 0) {
            return -Errno.ENOMEM;
        }
        if (newBelow) {
            putLong(n + VmAreaStruct.VM_END, addr);
        } else {
            putLong(n + VmAreaStruct.VM_START, addr);
            putLong(n + VmAreaStruct.VM_PGOFF, vmPgoff(n) + ((addr - vmStart(vma)) >>> PAGE_SHIFT));
        }
        int err = Rmap.anonVmaClone(sys, n, vma);
        if (err != 0) {
            ForkMm.vmAreaFree(sys, n);
            return err;
        }
        long file = vmFile(n);
        if (file != 0) {
            sys.getFile(file);
        }
        if (sys.vmOpsHasOpen(getLong(n + VmAreaStruct.VM_OPS))) {
            Mem.getAndAddLong(file + MmFileStruct.VM_OPENS, 1);
        }
        if (newBelow) {
            adjustRange(vma, addr, vmEnd(vma), vmPgoff(vma) + ((addr - vmStart(n)) >>> PAGE_SHIFT));
        } else {
            adjustRange(vma, vmStart(vma), addr, vmPgoff(vma));
        }
        if (findVmaLinks(vmStart(n), vmEnd(n)) != 0) {
            throw new IllegalStateException("split_vma: new area overlaps");
        }
        vmaLinkList(mm, n, linkPrev);
        vmaLinkRb(mm, n, linkParent, linkSlot);
        vmaLinkFile(n);
        mapCountAdd(mm, 1);
        return 0;
    }

    int splitVmaChecked(long vma, long addr, boolean newBelow) {
        if (getInt(mm + MmStruct.MAP_COUNT) >= sys.maxMapCount) {
            return -Errno.ENOMEM;
        }
        return splitVma(vma, addr, newBelow);
    }

    /** vm_stat_account. */
    public static void vmStatAccount(long mm, long flags, long npages) {
        mmAdd(mm, MmStruct.TOTAL_VM, npages);
        if (VmRules.isExecMapping(flags)) {
            mmAdd(mm, MmStruct.EXEC_VM, npages);
        } else if (VmRules.isStackMapping(flags)) {
            mmAdd(mm, MmStruct.STACK_VM, npages);
        } else if (VmRules.isDataMapping(flags)) {
            mmAdd(mm, MmStruct.DATA_VM, npages);
        }
    }

    // =========================================================================================
    // get_unmapped_area
    // =========================================================================================

    static long endGapOfPrev(long vma) {
        long p = vmPrev(vma);
        return p != 0 ? VmRules.vmEndGap(vmEnd(p), vmFlags(p)) : 0;
    }

    long unmappedAreaTopdown(long len, long lowLimitIn, long highLimitIn, long alignMask, long alignOffset) {
        if (MmArgs.noRoom(len, lowLimitIn, highLimitIn, alignMask)) {
            return -Errno.ENOMEM;
        }
        long length = len + alignMask;
        long highLimit = highLimitIn - length;
        long lowLimit = lowLimitIn + length;
        long gapStart = mmGet(mm, MmStruct.HIGHEST_VM_END);
        long gapEnd;
        if (gapStart <= highLimit) {
            return MmArgs.topdownPlace(highLimitIn, len, alignMask, alignOffset);
        }
        long vma = vmaOf(getLong(mm + MmStruct.MM_RB));
        if (vma == 0 || gapOf(vma) < length) {
            return -Errno.ENOMEM;
        }
        boolean descend = true;
        while (true) {
            if (descend) {
                gapStart = endGapOfPrev(vma);
                long right = vmaOf(RbTree.right(vma + VmAreaStruct.VM_RB));
                if (gapStart <= highLimit && right != 0 && gapOf(right) >= length) {
                    vma = right;
                    continue;
                }
            }
            descend = true;
            gapEnd = VmRules.vmStartGap(vmStart(vma), vmFlags(vma));
            if (gapEnd < lowLimit) {
                return -Errno.ENOMEM;
            }
            if (gapStart <= highLimit && gapEnd > gapStart && gapEnd - gapStart >= length) {
                if (gapEnd > highLimitIn) {
                    gapEnd = highLimitIn;
                }
                return MmArgs.topdownPlace(gapEnd, len, alignMask, alignOffset);
            }
            long left = vmaOf(RbTree.left(vma + VmAreaStruct.VM_RB));
            if (left != 0 && gapOf(left) >= length) {
                vma = left;
                continue;
            }
            while (true) {
                long prev = vma + VmAreaStruct.VM_RB;
                long parent = RbTree.parent(prev);
                if (parent == 0) {
                    return -Errno.ENOMEM;
                }
                vma = parent - VmAreaStruct.VM_RB;
                if (prev == RbTree.right(parent)) {
                    gapStart = endGapOfPrev(vma);
                    descend = false;
                    break;
                }
            }
        }
    }

    long unmappedArea(long len, long lowLimitIn, long highLimitIn, long alignMask, long alignOffset) {
        if (MmArgs.noRoom(len, lowLimitIn, highLimitIn, alignMask)) {
            return -Errno.ENOMEM;
        }
        long length = len + alignMask;
        long highLimit = highLimitIn - length;
        long lowLimit = lowLimitIn + length;
        long gapStart;
        long gapEnd;
        long vma = vmaOf(getLong(mm + MmStruct.MM_RB));
        if (vma != 0 && gapOf(vma) >= length) {
            boolean descend = true;
            search:
            while (true) {
                if (descend) {
                    gapEnd = VmRules.vmStartGap(vmStart(vma), vmFlags(vma));
                    long left = vmaOf(RbTree.left(vma + VmAreaStruct.VM_RB));
                    if (gapEnd >= lowLimit && left != 0 && gapOf(left) >= length) {
                        vma = left;
                        continue;
                    }
                    gapStart = endGapOfPrev(vma);
                } else {
                    gapStart = endGapOfPrev(vma);
                    gapEnd = VmRules.vmStartGap(vmStart(vma), vmFlags(vma));
                }
                descend = true;
                if (gapStart > highLimit) {
                    return -Errno.ENOMEM;
                }
                if (gapEnd >= lowLimit && gapEnd > gapStart && gapEnd - gapStart >= length) {
                    return MmArgs.bottomUpPlace(gapStart, lowLimitIn, alignMask, alignOffset);
                }
                long right = vmaOf(RbTree.right(vma + VmAreaStruct.VM_RB));
                if (right != 0 && gapOf(right) >= length) {
                    vma = right;
                    continue;
                }
                while (true) {
                    long prev = vma + VmAreaStruct.VM_RB;
                    long parent = RbTree.parent(prev);
                    if (parent == 0) {
                        break search;
                    }
                    vma = parent - VmAreaStruct.VM_RB;
                    if (prev == RbTree.left(parent)) {
                        descend = false;
                        break;
                    }
                }
            }
        }
        gapStart = mmGet(mm, MmStruct.HIGHEST_VM_END);
        if (gapStart > highLimit) {
            return -Errno.ENOMEM;
        }
        return MmArgs.bottomUpPlace(gapStart, lowLimitIn, alignMask, alignOffset);
    }

    @Override
    protected long getUnmappedAreaLocked(long addr, long len, long pgoff, int flags) {
        if (MmArgs.tooLong(len)) {
            return -Errno.ENOMEM;
        }
        long alignMask = MmArgs.alignMask(flags);
        long result;
        if ((flags & MAP_FIXED) != 0) {
            result = addr;
        } else {
            result = -Errno.ENOMEM;
            if (addr != 0) {
                addr &= PAGE_MASK;
                if (MmArgs.hintFits(addr, len)) {
                    long vma = findVmaRaw(addr);
                    if (vma == 0 || addr + len <= VmRules.vmStartGap(vmStart(vma), vmFlags(vma))) {
                        result = addr;
                    }
                }
            }
            if (result < 0) {
                long alignOffset = MmArgs.alignOffset(pgoff, alignMask);
                result = unmappedAreaTopdown(len, PAGE_SIZE, mmGet(mm, MmStruct.MMAP_BASE), alignMask, alignOffset);
                if (result < 0) {
                    result = unmappedArea(len, mmGet(mm, MmStruct.MMAP_LEGACY_BASE), TASK_SIZE, alignMask, alignOffset);
                }
            }
        }
        return MmArgs.checkUnmappedArea(result, len);
    }

    // =========================================================================================
    // mmap, munmap
    // =========================================================================================

    @Override
    protected long mmapLocked(long addr, long len, int prot, int flags, MappedFile mf, long pgoff) {
        long file = mf == null ? 0 : ((OffHeapFile) mf).addr;
        len = MmArgs.mmapLen(len, flags, file != 0);
        if (len < 0) {
            return len;
        }
        flags = MmArgs.mmapFlags(flags);
        addr = MmArgs.mmapHint(addr, flags);
        if (MmArgs.pgoffOverflows(pgoff, len)) {
            return -EOVERFLOW;
        }
        if (getInt(mm + MmStruct.MAP_COUNT) > sys.maxMapCount) {
            return -Errno.ENOMEM;
        }
        addr = getUnmappedAreaLocked(addr, len, pgoff, flags);
        if (addr < 0) {
            return addr;
        }
        if ((flags & MAP_FIXED_NOREPLACE) != 0) {
            long vma = findVmaRaw(addr);
            if (vma != 0 && vmStart(vma) < addr + len) {
                return -Errno.EEXIST;
            }
        }
        boolean fmodeWrite = file != 0 && (getInt(file + MmFileStruct.F_MODE) & MmFileStruct.FMODE_WRITE) != 0;
        long vmFlags = MmArgs.mmapVmFlags(prot, flags, mmGet(mm, MmStruct.DEF_FLAGS), file != 0, fmodeWrite,
            sys.overcommitMode());
        if (vmFlags < 0) {
            return vmFlags;
        }
        if (file == 0) {
            pgoff = MmArgs.anonPgoff(flags, addr);
        }
        return mmapRegion(file, addr, len, vmFlags, pgoff);
    }

    long mmapRegion(long file, long addr, long len, long vmFlags, long pgoff) {
        if (findVmaLinks(addr, addr + len) != 0) {
            if (doMunmap(addr, len) != 0) {
                return -Errno.ENOMEM;
            }
            findVmaLinks(addr, addr + len);
        }
        long charged = 0;
        if (VmRules.accountableMapping(vmFlags)) {
            charged = len >>> PAGE_SHIFT;
            if (sys.overcommit().vmEnoughMemory(charged, mmGet(mm, MmStruct.TOTAL_VM)) != 0) {
                return -Errno.ENOMEM;
            }
            vmFlags |= VM_ACCOUNT;
        }
        long vma = vmaMerge(linkPrev, addr, addr + len, vmFlags, 0, file, pgoff);
        if (vma == 0) {
            vma = ForkMm.vmAreaAlloc(sys, mm);
            if (vma == 0) {
                sys.overcommit().vmUnacctMemory(charged);
                return -Errno.ENOMEM;
            }
            putLong(vma + VmAreaStruct.VM_START, addr);
            putLong(vma + VmAreaStruct.VM_END, addr + len);
            putLong(vma + VmAreaStruct.VM_FLAGS, vmFlags);
            putLong(vma + VmAreaStruct.VM_PAGE_PROT, VmRules.vmPageProt(vmFlags));
            putLong(vma + VmAreaStruct.VM_PGOFF, pgoff);
            if (file != 0) {
                if ((vmFlags & VM_DENYWRITE) != 0 && getInt(file + MmFileStruct.I_WRITECOUNT) > 0) {
                    ForkMm.vmAreaFree(sys, vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.ETXTBSY;
                }
                if ((vmFlags & VM_SHARED) != 0 && getInt(file + MmFileStruct.I_MMAP_WRITABLE) < 0) {
                    ForkMm.vmAreaFree(sys, vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.EPERM;
                }
                sys.getFile(file);
                putLong(vma + VmAreaStruct.VM_FILE, file);
                long ops = getLong(file + MmFileStruct.F_OP_VM_OPS);
                putLong(vma + VmAreaStruct.VM_OPS, ops);
                if (sys.vmOpsHasOpen(ops)) {
                    Mem.getAndAddLong(file + MmFileStruct.VM_OPENS, 1);
                }
            } else if ((vmFlags & VM_SHARED) != 0) {
                long shm = sys.shmemFile();
                if (shm == 0) {
                    ForkMm.vmAreaFree(sys, vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.ENOMEM;
                }
                putLong(vma + VmAreaStruct.VM_FILE, shm);
                putLong(vma + VmAreaStruct.VM_OPS, getLong(shm + MmFileStruct.F_OP_VM_OPS));
            }
            findVmaLinks(addr, addr + len);
            vmaLink(vma);
        }
        vmStatAccount(mm, vmFlags, len >>> PAGE_SHIFT);
        if ((vmFlags & VM_LOCKED) != 0) {
            if (VmRules.neverLocked(vmFlags)) {
                putLong(vma + VmAreaStruct.VM_FLAGS, vmFlags(vma) & VM_LOCKED_CLEAR_MASK);
            } else {
                mmAdd(mm, MmStruct.LOCKED_VM, len >>> PAGE_SHIFT);
            }
        }
        return addr;
    }

    @Override
    protected int munmapLocked(long start, long len) {
        return doMunmap(start, len);
    }

    int doMunmap(long start, long len) {
        long end = MmArgs.munmapEnd(start, len);
        if (Errno.isError(end)) {
            return (int) end;
        }
        long vma = findVmaRaw(start);
        if (vma == 0) {
            return 0;
        }
        long prev = vmPrev(vma);
        if (vmStart(vma) >= end) {
            return 0;
        }
        if (start > vmStart(vma)) {
            if (end < vmEnd(vma) && getInt(mm + MmStruct.MAP_COUNT) >= sys.maxMapCount) {
                return -Errno.ENOMEM;
            }
            int err = splitVma(vma, start, false);
            if (err != 0) {
                return err;
            }
            prev = vma;
        }
        long last = findVmaRaw(end);
        if (last != 0 && end > vmStart(last)) {
            int err = splitVma(last, end, true);
            if (err != 0) {
                return err;
            }
        }
        vma = prev != 0 ? vmNext(prev) : getLong(mm + MmStruct.MMAP);
        if (mmGet(mm, MmStruct.LOCKED_VM) != 0) {
            for (long t = vma; t != 0 && vmStart(t) < end; t = vmNext(t)) {
                if ((vmFlags(t) & VM_LOCKED) != 0) {
                    mmAdd(mm, MmStruct.LOCKED_VM, -pages(t));
                }
            }
        }
        long nrAccounted = 0;
        while (vma != 0 && vmStart(vma) < end) {
            long next = vmNext(vma);
            vmaUnlink(mm, vma);
            mapCountAdd(mm, -1);
            if ((vmFlags(vma) & VM_ACCOUNT) != 0) {
                nrAccounted += pages(vma);
            }
            vmStatAccount(mm, vmFlags(vma), -pages(vma));
            freePgtablesHook(sys, vma);
            removeVma(sys, vma);
            vma = next;
        }
        sys.overcommit().vmUnacctMemory(nrAccounted);
        return 0;
    }

    static void freePgtablesHook(OffHeapMmSystem sys, long vma) {
        Rmap.unlinkAnonVmas(sys, vma);
        unlinkFileVma(vma);
    }

    /** remove_vma. */
    static long removeVma(OffHeapMmSystem sys, long vma) {
        long next = vmNext(vma);
        long file = vmFile(vma);
        if (sys.vmOpsHasOpen(getLong(vma + VmAreaStruct.VM_OPS))) {
            Mem.getAndAddLong(file + MmFileStruct.VM_OPENS, -1); // vm_ops->close
        }
        if (file != 0) {
            sys.fput(file);
        }
        ForkMm.vmAreaFree(sys, vma);
        return next;
    }

    /** The **pprev of the fixups of mprotect, madvise and mlock: the VMA before the part not yet done. */
    long pprev;

    /**
     * What mprotect_fixup, madvise_behavior and mlock_fixup share: [start, end) of {@code vma}
     * takes {@code newFlags} by merging with a neighbour (vma_merge) or by splitting {@code vma} at
     * the range's ends (split_vma when {@code checked}, else __split_vma). Then {@link #pprev} is
     * the VMA covering exactly the range; on failure it is {@code vma}. Returns 0 or the split's errno.
     */
    int vmaMergeOrSplit(long vma, long start, long end, long newFlags, boolean checked) {
        long pgoff = vmPgoff(vma) + ((start - vmStart(vma)) >>> PAGE_SHIFT);
        long merged = vmaMerge(pprev, start, end, newFlags, anonVma(vma), vmFile(vma), pgoff);
        if (merged != 0) {
            pprev = merged;
            return 0;
        }
        pprev = vma;
        int err = 0;
        if (start != vmStart(vma)) {
            err = checked ? splitVmaChecked(vma, start, true) : splitVma(vma, start, true);
        }
        if (err == 0 && end != vmEnd(vma)) {
            err = checked ? splitVmaChecked(vma, end, false) : splitVma(vma, end, false);
        }
        return err;
    }

    @Override
    protected int mprotectLocked(long start, long len, int prot) {
        return Mprotect.doMprotect(this, start, len, prot);
    }

    @Override
    protected int madviseLocked(long start, long len, int behavior) {
        return Madvise.doMadvise(this, start, len, behavior);
    }

    @Override
    protected int mlockLocked(long start, long len) {
        return Mlock.doMlock(this, start, len, VM_LOCKED);
    }

    @Override
    protected int munlockLocked(long start, long len) {
        return Mlock.doMlock(this, start, len, 0);
    }

    @Override
    protected int touchLocked(long addr) {
        long vma = findVmaRaw(addr);
        if (vma == 0 || vmStart(vma) > addr) {
            return -Errno.EFAULT;
        }
        if (anonVma(vma) != 0 || (vmFlags(vma) & VM_SHARED) != 0) {
            return 0;
        }
        return Rmap.anonVmaPrepare(sys, vma);
    }

    /** exit_mmap. */
    public static void exitMmap(OffHeapMmSystem sys, long mm) {
        long vma = getLong(mm + MmStruct.MMAP);
        if (vma == 0) {
            return;
        }
        long nrAccounted = 0;
        for (long v = vma; v != 0; v = vmNext(v)) {
            freePgtablesHook(sys, v);
        }
        while (vma != 0) {
            if ((vmFlags(vma) & VM_ACCOUNT) != 0) {
                nrAccounted += pages(vma);
            }
            vma = removeVma(sys, vma);
        }
        sys.overcommit().vmUnacctMemory(nrAccounted);
    }

    // =========================================================================================
    // AddressSpace
    // =========================================================================================

    @Override
    protected VmaInfo findVmaLocked(long addr) {
        long v = findVmaRaw(addr);
        return v == 0 ? null : info(v);
    }

    VmaInfo info(long v) {
        long f = vmFile(v);
        return new VmaInfo(vmStart(v), vmEnd(v), vmFlags(v), vmPgoff(v), f == 0 ? null : sys.pathOf(f), anonVma(v) != 0);
    }

    @Override
    protected AddressSpace dupLocked(DupMode mode) {
        long child = ForkMm.dupMm(sys, mm, 0, mode);
        if (Errno.isError(child)) {
            throw new KernelException("dup_mm", (int) -child);
        }
        return new Mm(sys, child);
    }

    /** mmget: atomic_inc(&mm->mm_users); an atomic needs no lock. */
    @Override
    public void mmget() {
        ForkMm.mmget(mm);
    }

    /** mmput: the static path takes the system lock itself. */
    @Override
    public void mmput() {
        ForkMm.mmput(sys, mm);
    }

    @Override
    protected void mmputAsyncLocked() {
        ForkMm.mmputAsync(sys, mm);
    }

    /** mmgrab: atomic_inc(&mm->mm_count); an atomic needs no lock. */
    @Override
    public void mmgrab() {
        ForkMm.mmgrab(mm);
    }

    @Override
    protected void mmdropLocked() {
        ForkMm.mmdrop(sys, mm);
    }

    @Override
    protected void mmdropAsyncLocked() {
        ForkMm.mmdropAsync(sys, mm);
    }

    @Override
    public int mmUsers() {
        return getInt(mm + MmStruct.MM_USERS);
    }

    @Override
    public int mmCount() {
        return getInt(mm + MmStruct.MM_COUNT);
    }

    @Override
    protected void setExeFileLocked(MappedFile file) {
        ForkMm.setMmExeFile(sys, mm, file == null ? 0 : ((OffHeapFile) file).addr);
    }

    @Override
    protected MappedFile getExeFileLocked() {
        long f = ForkMm.getMmExeFile(sys, mm);
        return f == 0 ? null : sys.fileHandle(f);
    }

    @Override
    public int mapCount() {
        return getInt(mm + MmStruct.MAP_COUNT);
    }

    @Override
    public long totalVm() {
        return mmGet(mm, MmStruct.TOTAL_VM);
    }

    @Override
    public long dataVm() {
        return mmGet(mm, MmStruct.DATA_VM);
    }

    @Override
    public long execVm() {
        return mmGet(mm, MmStruct.EXEC_VM);
    }

    @Override
    public long stackVm() {
        return mmGet(mm, MmStruct.STACK_VM);
    }

    @Override
    public long lockedVm() {
        return mmGet(mm, MmStruct.LOCKED_VM);
    }

    @Override
    public long hiwaterVm() {
        return mmGet(mm, MmStruct.HIWATER_VM);
    }

    @Override
    public long highestVmEnd() {
        return mmGet(mm, MmStruct.HIGHEST_VM_END);
    }

    @Override
    public long vmacacheSeqnum() {
        return mmGet(mm, MmStruct.VMACACHE_SEQNUM);
    }

    @Override
    public long flags() {
        return mmGet(mm, MmStruct.FLAGS);
    }

    @Override
    public void setFlags(long flags) {
        putLong(mm + MmStruct.FLAGS, flags);
    }

    /** Test hook: an rss counter as a page-table bug would leave it. */
    public void setRssCounter(int type, long value) {
        putLong(mm + MmStruct.RSS_STAT + 8L * type, value);
    }

    /** Test hook: pgtables_bytes. */
    public void setPgtablesBytes(long value) {
        putLong(mm + MmStruct.PGTABLES_BYTES, value);
    }

    @Override
    protected List<VmaInfo> vmasLocked() {
        List<VmaInfo> l = new ArrayList<>();
        for (long v = getLong(mm + MmStruct.MMAP); v != 0; v = vmNext(v)) {
            l.add(info(v));
        }
        return l;
    }

    @Override
    protected String mapsLocked() {
        StringBuilder sb = new StringBuilder();
        for (long v = getLong(mm + MmStruct.MMAP); v != 0; v = vmNext(v)) {
            long f = vmFile(v);
            sb.append(VmRules.mapsLine(vmStart(v), vmEnd(v), vmFlags(v), vmPgoff(v),
                f == 0 ? 0 : getLong(f + MmFileStruct.I_INO), f == 0 ? VmRules.anonName(vmFlags(v)) : sys.pathOf(f)));
        }
        return sb.toString();
    }

    @Override
    protected void validateLocked() {
        int n = RbTree.validate(mm + MmStruct.MM_RB, false);
        GAP.validate(mm + MmStruct.MM_RB);
        long prev = 0;
        MmDebug.VmCounts counts = new MmDebug.VmCounts();
        int count = 0;
        for (long rb = RbTree.first(mm + MmStruct.MM_RB); rb != 0; rb = RbTree.next(rb)) {
            long v = rb - VmAreaStruct.VM_RB;
            String name = Long.toHexString(vmStart(v));
            MmDebug.check(vmPrev(v) == prev, "vm_prev of " + name);
            MmDebug.check(prev == 0 ? getLong(mm + MmStruct.MMAP) == v : vmNext(prev) == v, "list and tree disagree at " + name);
            MmDebug.check(vmStart(v) < vmEnd(v) && offsetInPage(vmStart(v)) == 0 && offsetInPage(vmEnd(v)) == 0, "bad range " + name);
            MmDebug.check(prev == 0 || vmEnd(prev) <= vmStart(v), "overlap at " + name);
            MmDebug.check(getLong(v + VmAreaStruct.VM_MM) == mm, "vm_mm of " + name);
            counts.add(vmFlags(v), pages(v));
            Rmap.validateChain(v, name);
            if (vmFile(v) != 0) {
                MmDebug.check(getLong(vmFile(v) + MmFileStruct.F_COUNT) > 0, "file of " + name + " is freed");
                VmaIntervalTree.validate(vmFile(v) + MmFileStruct.I_MMAP);
            }
            prev = v;
            count++;
        }
        MmDebug.check(n == count && count == mapCount(), "map_count " + mapCount() + " but " + count + " VMAs");
        MmDebug.check(prev == 0 || highestVmEnd() == VmRules.vmEndGap(vmEnd(prev), vmFlags(prev)), "highest_vm_end");
        counts.check(totalVm(), dataVm(), execVm(), stackVm(), lockedVm());
    }
}
