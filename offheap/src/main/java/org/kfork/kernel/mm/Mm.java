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
import org.kfork.kernel.struct.MmRssStat;
import org.kfork.kernel.struct.MmStruct;
import org.kfork.kernel.struct.RwSemaphore;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.machine.Mem;
import org.kfork.mm.AddressSpace;
import org.kfork.mm.DupMode;
import org.kfork.mm.MappedFile;
import org.kfork.mm.MmFlags;
import org.kfork.mm.Overcommit;
import org.kfork.mm.VmRules;
import org.kfork.mm.VmaInfo;
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
public final class Mm implements AddressSpace {
    // vm_area_struct fields
    static final long VM_START = VmAreaStruct.VM_START;
    static final long VM_END = VmAreaStruct.VM_END;
    static final long VM_NEXT = VmAreaStruct.VM_NEXT;
    static final long VM_PREV = VmAreaStruct.VM_PREV;
    static final int VM_RB = (int) VmAreaStruct.VM_RB;
    static final int RB_SUBTREE_GAP = (int) VmAreaStruct.RB_SUBTREE_GAP;
    static final long VM_MM = VmAreaStruct.VM_MM;
    static final long VM_PAGE_PROT = VmAreaStruct.VM_PAGE_PROT;
    static final long VM_FLAGS = VmAreaStruct.VM_FLAGS;
    static final long ANON_VMA_CHAIN = VmAreaStruct.ANON_VMA_CHAIN;
    static final long ANON_VMA = VmAreaStruct.ANON_VMA;
    static final long VM_OPS = VmAreaStruct.VM_OPS;
    static final long VM_PGOFF = VmAreaStruct.VM_PGOFF;
    static final long VM_FILE = VmAreaStruct.VM_FILE;
    static final long VM_PRIVATE_DATA = VmAreaStruct.VM_PRIVATE_DATA;
    static final int VMA_SIZE = (int) VmAreaStruct.SIZEOF;
    // mm_struct fields
    static final long MMAP = MmStruct.MMAP;
    static final long MM_RB = MmStruct.MM_RB;
    static final int MM_SIZE = (int) MmStruct.SIZEOF;
    // anon_vma / anon_vma_chain
    static final long AV_ROOT = AnonVmaStruct.ROOT;
    static final long AV_REFCOUNT = AnonVmaStruct.REFCOUNT;
    static final long AV_DEGREE = AnonVmaStruct.DEGREE;
    static final long AV_PARENT = AnonVmaStruct.PARENT;
    static final long AV_RB_ROOT = AnonVmaStruct.RB_ROOT;
    static final long AVC_VMA = AnonVmaChainStruct.VMA;
    static final long AVC_ANON_VMA = AnonVmaChainStruct.ANON_VMA;
    static final long AVC_SAME_VMA = AnonVmaChainStruct.SAME_VMA;
    static final int VMACACHE_SIZE = 4;

    final OffHeapMmSystem sys;
    /** The mm_struct's address. */
    final long mm;
    private final long[] vmacache = new long[VMACACHE_SIZE];
    private long vmacacheTaskSeqnum;

    Mm(OffHeapMmSystem sys, long mm) {
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
        return getLong(vma + VM_START);
    }

    static long vmEnd(long vma) {
        return getLong(vma + VM_END);
    }

    static long vmNext(long vma) {
        return getLong(vma + VM_NEXT);
    }

    static long vmPrev(long vma) {
        return getLong(vma + VM_PREV);
    }

    static long vmFlags(long vma) {
        return getLong(vma + VM_FLAGS);
    }

    static long vmPgoff(long vma) {
        return getLong(vma + VM_PGOFF);
    }

    static long vmFile(long vma) {
        return getLong(vma + VM_FILE);
    }

    static long anonVma(long vma) {
        return getLong(vma + ANON_VMA);
    }

    static long pages(long vma) {
        return (vmEnd(vma) - vmStart(vma)) >>> PAGE_SHIFT;
    }

    static long gapOf(long vma) {
        return getLong(vma + RB_SUBTREE_GAP);
    }

    /** rb_entry(node, struct vm_area_struct, vm_rb), NULL-safe. */
    static long vmaOf(long rb) {
        return rb == 0 ? 0 : rb - VM_RB;
    }

    static long mmGet(long mm, long off) {
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
    static final RbAugmentMax GAP = new RbAugmentMax(VM_RB, RB_SUBTREE_GAP) {
        @Override
        protected long compute(long vma) {
            return computeGap(vma);
        }
    };

    static void gapUpdate(long vma) {
        GAP.propagate(vma + VM_RB, 0);
    }

    /** __vma_link_rb: link at the slot {@code link} under {@code rbParent}, gaps, rebalance. */
    static void vmaLinkRb(long mm, long vma, long rbParent, long link) {
        long next = vmNext(vma);
        if (next != 0) {
            gapUpdate(next);
        } else {
            putLong(mm + MmStruct.HIGHEST_VM_END, VmRules.vmEndGap(vmEnd(vma), vmFlags(vma)));
        }
        RbTree.linkNode(vma + VM_RB, rbParent, link);
        putLong(vma + RB_SUBTREE_GAP, 0);
        gapUpdate(vma);
        RbAugmented.insert(vma + VM_RB, mm + MM_RB, GAP);
    }

    /** __vma_link_list. */
    static void vmaLinkList(long mm, long vma, long prev) {
        long next;
        putLong(vma + VM_PREV, prev);
        if (prev != 0) {
            next = vmNext(prev);
            putLong(prev + VM_NEXT, vma);
        } else {
            next = getLong(mm + MMAP);
            putLong(mm + MMAP, vma);
        }
        putLong(vma + VM_NEXT, next);
        if (next != 0) {
            putLong(next + VM_PREV, vma);
        }
    }

    private long linkPrev;
    private long linkParent;
    private long linkSlot;

    /** find_vma_links. */
    int findVmaLinks(long addr, long end) {
        long slot = mm + MM_RB;
        long parent = 0;
        long prev = 0;
        long cur;
        while ((cur = getLong(slot)) != 0) {
            parent = cur;
            long v = cur - VM_RB;
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
        RbAugmented.erase(vma + VM_RB, mm + MM_RB, GAP);
        long prev = vmPrev(vma);
        long next = vmNext(vma);
        if (prev != 0) {
            putLong(prev + VM_NEXT, next);
        } else {
            putLong(mm + MMAP, next);
        }
        if (next != 0) {
            putLong(next + VM_PREV, prev);
            gapUpdate(next);
        } else {
            putLong(mm + MmStruct.HIGHEST_VM_END, prev != 0 ? VmRules.vmEndGap(vmEnd(prev), vmFlags(prev)) : 0);
        }
        mmAdd(mm, MmStruct.VMACACHE_SEQNUM, 1); // vmacache_invalidate
    }

    static void mapCountAdd(long mm, int d) {
        putInt(mm + MmStruct.MAP_COUNT, getInt(mm + MmStruct.MAP_COUNT) + d);
    }

    // =========================================================================================
    // find_vma with the vmacache
    // =========================================================================================

    long findVmaRaw(long addr) {
        long seq = mmGet(mm, MmStruct.VMACACHE_SEQNUM);
        if (vmacacheTaskSeqnum != seq) {
            vmacacheTaskSeqnum = seq;
            for (int i = 0; i < VMACACHE_SIZE; i++) {
                vmacache[i] = 0;
            }
        } else {
            int idx = (int) (addr >>> PAGE_SHIFT) & (VMACACHE_SIZE - 1);
            for (int i = 0; i < VMACACHE_SIZE; i++) {
                long v = vmacache[idx];
                if (v != 0 && vmStart(v) <= addr && vmEnd(v) > addr) {
                    return v;
                }
                idx = (idx + 1) & (VMACACHE_SIZE - 1);
            }
        }
        long vma = 0;
        long n = getLong(mm + MM_RB);
        while (n != 0) {
            long t = n - VM_RB;
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
            vmacache[(int) (addr >>> PAGE_SHIFT) & (VMACACHE_SIZE - 1)] = vma;
        }
        return vma;
    }

    // =========================================================================================
    // anon_vma (mm/rmap.c)
    // =========================================================================================

    static long anonVmaAlloc(OffHeapMmSystem sys) {
        long a = sys.allocAnonVma();
        if (a == 0) {
            return 0;
        }
        putInt(a + AV_REFCOUNT, 1);
        putInt(a + AV_DEGREE, 1);
        putLong(a + AV_PARENT, a);
        putLong(a + AV_ROOT, a);
        return a;
    }

    static void putAnonVma(OffHeapMmSystem sys, long a) {
        if (getAndAddInt(a + AV_REFCOUNT, -1) == 1) {
            long root = getLong(a + AV_ROOT);
            sys.freeAnonVma(a);
            if (root != a && getAndAddInt(root + AV_REFCOUNT, -1) == 1) {
                sys.freeAnonVma(root);
            }
        }
    }

    static void degreeAdd(long a, int d) {
        putInt(a + AV_DEGREE, getInt(a + AV_DEGREE) + d);
    }

    /** anon_vma_chain_link. */
    static void anonVmaChainLink(long vma, long avc, long a) {
        putLong(avc + AVC_VMA, vma);
        putLong(avc + AVC_ANON_VMA, a);
        org.kfork.ds.IntrusiveList.add(avc + AVC_SAME_VMA, vma + ANON_VMA_CHAIN);
        AnonVmaIntervalTree.insert(avc, a + AV_RB_ROOT);
    }

    static long avcOfEntry(long entry) {
        return entry - AVC_SAME_VMA;
    }

    static boolean chainSingular(long vma) {
        long head = vma + ANON_VMA_CHAIN;
        long first = getLong(head);
        return first != head && getLong(first) == head;
    }

    /** anon_vma_clone. */
    static int anonVmaClone(OffHeapMmSystem sys, long dst, long src) {
        long head = src + ANON_VMA_CHAIN;
        for (long e = getLong(head + 8); e != head; e = getLong(e + 8)) { // reverse walk
            long pavc = avcOfEntry(e);
            long avc = sys.allocAvc();
            if (avc == 0) {
                avc = sys.allocAvc();
                if (avc == 0) {
                    putLong(dst + ANON_VMA, 0);
                    unlinkAnonVmas(sys, dst);
                    return -Errno.ENOMEM;
                }
            }
            long a = getLong(pavc + AVC_ANON_VMA);
            anonVmaChainLink(dst, avc, a);
            if (anonVma(dst) == 0 && anonVma(src) != 0 && a != anonVma(src) && getInt(a + AV_DEGREE) < 2) {
                putLong(dst + ANON_VMA, a);
            }
        }
        if (anonVma(dst) != 0) {
            degreeAdd(anonVma(dst), 1);
        }
        return 0;
    }

    /** anon_vma_fork. */
    static int anonVmaFork(OffHeapMmSystem sys, long vma, long pvma) {
        long pav = anonVma(pvma);
        if (pav == 0) {
            return 0;
        }
        putLong(vma + ANON_VMA, 0);
        int error = anonVmaClone(sys, vma, pvma);
        if (error != 0) {
            return error;
        }
        if (anonVma(vma) != 0) {
            return 0;
        }
        long a = anonVmaAlloc(sys);
        if (a == 0) {
            unlinkAnonVmas(sys, vma);
            return -Errno.ENOMEM;
        }
        long avc = sys.allocAvc();
        if (avc == 0) {
            putAnonVma(sys, a);
            unlinkAnonVmas(sys, vma);
            return -Errno.ENOMEM;
        }
        long root = getLong(pav + AV_ROOT);
        putLong(a + AV_ROOT, root);
        putLong(a + AV_PARENT, pav);
        getAndAddInt(root + AV_REFCOUNT, 1); // get_anon_vma(root)
        putLong(vma + ANON_VMA, a);
        anonVmaChainLink(vma, avc, a);
        degreeAdd(pav, 1);
        return 0;
    }

    /** unlink_anon_vmas. */
    static void unlinkAnonVmas(OffHeapMmSystem sys, long vma) {
        long head = vma + ANON_VMA_CHAIN;
        long e = getLong(head);
        while (e != head) {
            long next = getLong(e);
            long avc = avcOfEntry(e);
            long a = getLong(avc + AVC_ANON_VMA);
            AnonVmaIntervalTree.remove(avc, a + AV_RB_ROOT);
            if (getLong(a + AV_RB_ROOT) == 0) {
                degreeAdd(getLong(a + AV_PARENT), -1);
            } else {
                org.kfork.ds.IntrusiveList.del(e);
                sys.freeAvc(avc);
            }
            e = next;
        }
        if (anonVma(vma) != 0) {
            degreeAdd(anonVma(vma), -1);
        }
        e = getLong(head);
        while (e != head) {
            long next = getLong(e);
            long avc = avcOfEntry(e);
            long a = getLong(avc + AVC_ANON_VMA);
            if (getInt(a + AV_DEGREE) != 0) {
                sys.log().warn("unlink_anon_vmas: anon_vma degree " + getInt(a + AV_DEGREE) + " on release");
            }
            putAnonVma(sys, a);
            org.kfork.ds.IntrusiveList.del(e);
            sys.freeAvc(avc);
            e = next;
        }
    }

    static boolean anonVmaCompatible(long a, long b) {
        return vmEnd(a) == vmStart(b) && vmFile(a) == vmFile(b)
            && ((vmFlags(a) ^ vmFlags(b)) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) == 0
            && vmPgoff(b) == vmPgoff(a) + ((vmStart(b) - vmStart(a)) >>> PAGE_SHIFT);
    }

    static long reusableAnonVma(long old, long a, long b) {
        if (anonVmaCompatible(a, b)) {
            long av = anonVma(old);
            if (av != 0 && chainSingular(old)) {
                return av;
            }
        }
        return 0;
    }

    /** __anon_vma_prepare. */
    int anonVmaPrepare(long vma) {
        long avc = sys.allocAvc();
        if (avc == 0) {
            return -Errno.ENOMEM;
        }
        long a = 0;
        if (vmNext(vma) != 0) {
            a = reusableAnonVma(vmNext(vma), vma, vmNext(vma));
        }
        if (a == 0 && vmPrev(vma) != 0) {
            a = reusableAnonVma(vmPrev(vma), vmPrev(vma), vma);
        }
        if (a == 0) {
            a = anonVmaAlloc(sys);
            if (a == 0) {
                sys.freeAvc(avc);
                return -Errno.ENOMEM;
            }
        }
        putLong(vma + ANON_VMA, a);
        anonVmaChainLink(vma, avc, a);
        degreeAdd(a, 1);
        return 0;
    }

    static void preUpdateVma(long vma) {
        long head = vma + ANON_VMA_CHAIN;
        for (long e = getLong(head); e != head; e = getLong(e)) {
            long avc = avcOfEntry(e);
            AnonVmaIntervalTree.remove(avc, getLong(avc + AVC_ANON_VMA) + AV_RB_ROOT);
        }
        if (vmFile(vma) != 0) {
            VmaIntervalTree.remove(vma, vmFile(vma) + MmFileStruct.I_MMAP);
        }
    }

    static void postUpdateVma(long vma) {
        long head = vma + ANON_VMA_CHAIN;
        for (long e = getLong(head); e != head; e = getLong(e)) {
            long avc = avcOfEntry(e);
            AnonVmaIntervalTree.insert(avc, getLong(avc + AVC_ANON_VMA) + AV_RB_ROOT);
        }
        if (vmFile(vma) != 0) {
            VmaIntervalTree.insert(vma, vmFile(vma) + MmFileStruct.I_MMAP);
        }
    }

    // =========================================================================================
    // vma_merge, split
    // =========================================================================================

    static boolean isMergeableAnonVma(long a1, long a2, long vma) {
        if ((a1 == 0 || a2 == 0) && (vma == 0 || chainSingular(vma))) {
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
        return !sys.vmOpsHasOpen(getLong(vma + VM_OPS));
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
        putLong(vma + VM_START, start);
        putLong(vma + VM_END, end);
        putLong(vma + VM_PGOFF, pgoff);
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
        long head = gone + ANON_VMA_CHAIN;
        if (anonVma(gone) != 0 || getLong(head) != head) {
            unlinkAnonVmas(sys, gone);
        }
        mapCountAdd(mm, -1);
        if (vmFile(gone) != 0) {
            sys.fput(vmFile(gone));
        }
        sys.freeVma(gone);
    }

    int importAnonVma(long importer, long exporter) {
        if (exporter != 0 && anonVma(exporter) != 0 && anonVma(importer) == 0) {
            putLong(importer + ANON_VMA, anonVma(exporter));
            return anonVmaClone(sys, importer, exporter);
        }
        return 0;
    }

    /** vma_merge: see {@link org.kfork.heap.mm.HeapMm} for the case map; the same steps here. */
    long vmaMerge(long prev, long addr, long end, long flags, long av, long file, long pgoff) {
        long pglen = (end - addr) >>> PAGE_SHIFT;
        if ((flags & VM_SPECIAL) != 0) {
            return 0;
        }
        long next = prev != 0 ? vmNext(prev) : getLong(mm + MMAP);
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

    /** vm_area_alloc: zeroed, vm_mm set, empty anon_vma_chain. */
    long vmAreaAlloc() {
        long v = sys.allocVma();
        if (v == 0) {
            return 0;
        }
        Mem.zero(v, VMA_SIZE);
        putLong(v + VM_MM, mm);
        org.kfork.ds.IntrusiveList.init(v + ANON_VMA_CHAIN);
        return v;
    }

    /** vm_area_dup: {@code *new = *orig}, INIT_LIST_HEAD(anon_vma_chain), vm_next = vm_prev = NULL. */
    static long vmAreaDup(OffHeapMmSystem sys, long orig) {
        long n = sys.allocVma();
        if (n != 0) {
            Mem.copy(orig, n, VMA_SIZE);
            org.kfork.ds.IntrusiveList.init(n + ANON_VMA_CHAIN);
            putLong(n + VM_NEXT, 0);
            putLong(n + VM_PREV, 0);
        }
        return n;
    }

    int splitVma(long vma, long addr, boolean newBelow) {
        long n = vmAreaDup(sys, vma);
        if (n == 0) {
            return -Errno.ENOMEM;
        }
        if (newBelow) {
            putLong(n + VM_END, addr);
        } else {
            putLong(n + VM_START, addr);
            putLong(n + VM_PGOFF, vmPgoff(n) + ((addr - vmStart(vma)) >>> PAGE_SHIFT));
        }
        int err = anonVmaClone(sys, n, vma);
        if (err != 0) {
            sys.freeVma(n);
            return err;
        }
        long file = vmFile(n);
        if (file != 0) {
            sys.getFile(file);
        }
        if (sys.vmOpsHasOpen(getLong(n + VM_OPS))) {
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
    static void vmStatAccount(long mm, long flags, long npages) {
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
        long length = len + alignMask;
        if (length < len) {
            return -Errno.ENOMEM;
        }
        long gapEnd = highLimitIn;
        if (gapEnd < length) {
            return -Errno.ENOMEM;
        }
        long highLimit = gapEnd - length;
        if (lowLimitIn > highLimit) {
            return -Errno.ENOMEM;
        }
        long lowLimit = lowLimitIn + length;
        long gapStart = mmGet(mm, MmStruct.HIGHEST_VM_END);
        if (gapStart <= highLimit) {
            gapEnd -= len;
            return gapEnd - ((gapEnd - alignOffset) & alignMask);
        }
        long vma = vmaOf(getLong(mm + MM_RB));
        if (vma == 0 || gapOf(vma) < length) {
            return -Errno.ENOMEM;
        }
        boolean descend = true;
        while (true) {
            if (descend) {
                gapStart = endGapOfPrev(vma);
                long right = vmaOf(RbTree.right(vma + VM_RB));
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
                gapEnd -= len;
                return gapEnd - ((gapEnd - alignOffset) & alignMask);
            }
            long left = vmaOf(RbTree.left(vma + VM_RB));
            if (left != 0 && gapOf(left) >= length) {
                vma = left;
                continue;
            }
            while (true) {
                long prev = vma + VM_RB;
                long parent = RbTree.parent(prev);
                if (parent == 0) {
                    return -Errno.ENOMEM;
                }
                vma = parent - VM_RB;
                if (prev == RbTree.right(parent)) {
                    gapStart = endGapOfPrev(vma);
                    descend = false;
                    break;
                }
            }
        }
    }

    long unmappedArea(long len, long lowLimitIn, long highLimitIn, long alignMask, long alignOffset) {
        long length = len + alignMask;
        if (length < len || highLimitIn < length) {
            return -Errno.ENOMEM;
        }
        long highLimit = highLimitIn - length;
        if (lowLimitIn > highLimit) {
            return -Errno.ENOMEM;
        }
        long lowLimit = lowLimitIn + length;
        long gapStart;
        long gapEnd;
        long vma = vmaOf(getLong(mm + MM_RB));
        if (vma != 0 && gapOf(vma) >= length) {
            boolean descend = true;
            search:
            while (true) {
                if (descend) {
                    gapEnd = VmRules.vmStartGap(vmStart(vma), vmFlags(vma));
                    long left = vmaOf(RbTree.left(vma + VM_RB));
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
                    return foundBottomUp(gapStart, lowLimitIn, alignMask, alignOffset);
                }
                long right = vmaOf(RbTree.right(vma + VM_RB));
                if (right != 0 && gapOf(right) >= length) {
                    vma = right;
                    continue;
                }
                while (true) {
                    long prev = vma + VM_RB;
                    long parent = RbTree.parent(prev);
                    if (parent == 0) {
                        break search;
                    }
                    vma = parent - VM_RB;
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
        return foundBottomUp(gapStart, lowLimitIn, alignMask, alignOffset);
    }

    private static long foundBottomUp(long gapStart, long lowLimit, long alignMask, long alignOffset) {
        if (gapStart < lowLimit) {
            gapStart = lowLimit;
        }
        return gapStart + ((alignOffset - gapStart) & alignMask);
    }

    @Override
    public long getUnmappedArea(long addr, long len, long pgoff, int flags) {
        sys.bkl.lock();
        try {
            return getUnmappedAreaLocked(addr, len, pgoff, flags);
        } finally {
            sys.bkl.unlock();
        }
    }

    private long getUnmappedAreaLocked(long addr, long len, long pgoff, int flags) {
        if (len > TASK_SIZE) {
            return -Errno.ENOMEM;
        }
        long alignMask = (flags & MAP_HUGETLB) != 0 ? HPAGE_SIZE - 1 : 0;
        long result;
        if ((flags & MAP_FIXED) != 0) {
            result = addr;
        } else {
            result = -Errno.ENOMEM;
            if (addr != 0) {
                addr &= PAGE_MASK;
                if (addr <= TASK_SIZE - len) {
                    long vma = findVmaRaw(addr);
                    if (vma == 0 || addr + len <= VmRules.vmStartGap(vmStart(vma), vmFlags(vma))) {
                        result = addr;
                    }
                }
            }
            if (result < 0) {
                result = unmappedAreaTopdown(len, PAGE_SIZE, mmGet(mm, MmStruct.MMAP_BASE), alignMask,
                    pgoff << PAGE_SHIFT & alignMask);
                if (result < 0) {
                    result = unmappedArea(len, mmGet(mm, MmStruct.MMAP_LEGACY_BASE), TASK_SIZE, alignMask,
                        pgoff << PAGE_SHIFT & alignMask);
                }
            }
        }
        if (result < 0) {
            return result;
        }
        if (result > TASK_SIZE - len) {
            return -Errno.ENOMEM;
        }
        if (offsetInPage(result) != 0) {
            return -Errno.EINVAL;
        }
        return result;
    }

    // =========================================================================================
    // mmap, munmap
    // =========================================================================================

    @Override
    public long mmap(long addr, long len, int prot, int flags, MappedFile mf, long pgoff) {
        sys.bkl.lock();
        try {
            return mmapLocked(addr, len, prot, flags, mf, pgoff);
        } finally {
            sys.bkl.unlock();
        }
    }

    private long mmapLocked(long addr, long len, int prot, int flags, MappedFile mf, long pgoff) {
        long file = mf == null ? 0 : ((OffHeapFile) mf).addr;
        if (len == 0) {
            return -Errno.EINVAL;
        }
        if ((flags & MAP_HUGETLB) != 0) {
            if (file != 0) {
                return -Errno.EINVAL;
            }
            len = (len + HPAGE_SIZE - 1) & ~(HPAGE_SIZE - 1);
            if (len == 0) {
                return -Errno.ENOMEM;
            }
        }
        if ((flags & MAP_FIXED_NOREPLACE) != 0) {
            flags |= MAP_FIXED;
        }
        if ((flags & MAP_FIXED) == 0) {
            addr &= PAGE_MASK;
            if (addr != 0 && addr < MMAP_MIN_ADDR) {
                addr = pageAlign(MMAP_MIN_ADDR);
            }
        }
        len = pageAlign(len);
        if (len == 0 || len < 0) {
            return -Errno.ENOMEM;
        }
        if (pgoff + (len >>> PAGE_SHIFT) < pgoff) {
            return -EOVERFLOW;
        }
        if (getInt(mm + MmStruct.MAP_COUNT) > sys.maxMapCount) {
            return -Errno.ENOMEM;
        }
        addr = getUnmappedArea(addr, len, pgoff, flags);
        if (addr < 0) {
            return addr;
        }
        if ((flags & MAP_FIXED_NOREPLACE) != 0) {
            long vma = findVmaRaw(addr);
            if (vma != 0 && vmStart(vma) < addr + len) {
                return -Errno.EEXIST;
            }
        }
        long vmFlags = VmRules.calcVmProtBits(prot) | VmRules.calcVmFlagBits(flags) | mmGet(mm, MmStruct.DEF_FLAGS)
            | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
        if (file != 0) {
            boolean fmodeWrite = (getInt(file + MmFileStruct.F_MODE) & MmFileStruct.FMODE_WRITE) != 0;
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
                    vmFlags |= VM_SHARED | VM_MAYSHARE;
                    if (!fmodeWrite) {
                        vmFlags &= ~(VM_MAYWRITE | VM_SHARED);
                    }
                    // fall through
                case MAP_PRIVATE:
                    if ((vmFlags & (VM_GROWSDOWN | VM_GROWSUP)) != 0) {
                        return -Errno.EINVAL;
                    }
                    break;
                default:
                    return -Errno.EINVAL;
            }
        } else {
            switch (flags & MAP_TYPE) {
                case MAP_SHARED:
                case MAP_SHARED_VALIDATE:
                    if ((vmFlags & (VM_GROWSDOWN | VM_GROWSUP)) != 0) {
                        return -Errno.EINVAL;
                    }
                    pgoff = 0;
                    vmFlags |= VM_SHARED | VM_MAYSHARE;
                    break;
                case MAP_PRIVATE:
                    pgoff = addr >>> PAGE_SHIFT;
                    break;
                default:
                    return -Errno.EINVAL;
            }
            if ((flags & MAP_HUGETLB) != 0) {
                vmFlags |= VM_HUGETLB | VM_DONTEXPAND;
            }
        }
        if ((flags & MAP_NORESERVE) != 0 && sys.overcommitMode() != Overcommit.OVERCOMMIT_NEVER) {
            vmFlags |= VM_NORESERVE;
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
            vma = vmAreaAlloc();
            if (vma == 0) {
                sys.overcommit().vmUnacctMemory(charged);
                return -Errno.ENOMEM;
            }
            putLong(vma + VM_START, addr);
            putLong(vma + VM_END, addr + len);
            putLong(vma + VM_FLAGS, vmFlags);
            putLong(vma + VM_PAGE_PROT, vmFlags & 0xf);
            putLong(vma + VM_PGOFF, pgoff);
            if (file != 0) {
                if ((vmFlags & VM_DENYWRITE) != 0 && getInt(file + MmFileStruct.I_WRITECOUNT) > 0) {
                    sys.freeVma(vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.ETXTBSY;
                }
                if ((vmFlags & VM_SHARED) != 0 && getInt(file + MmFileStruct.I_MMAP_WRITABLE) < 0) {
                    sys.freeVma(vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.EPERM;
                }
                sys.getFile(file);
                putLong(vma + VM_FILE, file);
                long ops = getLong(file + MmFileStruct.F_OP_VM_OPS);
                putLong(vma + VM_OPS, ops);
                if (sys.vmOpsHasOpen(ops)) {
                    Mem.getAndAddLong(file + MmFileStruct.VM_OPENS, 1);
                }
            } else if ((vmFlags & VM_SHARED) != 0) {
                long shm = sys.shmemFile();
                if (shm == 0) {
                    sys.freeVma(vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.ENOMEM;
                }
                putLong(vma + VM_FILE, shm);
                putLong(vma + VM_OPS, getLong(shm + MmFileStruct.F_OP_VM_OPS));
            }
            findVmaLinks(addr, addr + len);
            vmaLink(vma);
        }
        vmStatAccount(mm, vmFlags, len >>> PAGE_SHIFT);
        if ((vmFlags & VM_LOCKED) != 0) {
            if ((vmFlags & VM_SPECIAL) != 0 || (vmFlags & VM_HUGETLB) != 0) {
                putLong(vma + VM_FLAGS, vmFlags(vma) & VM_LOCKED_CLEAR_MASK);
            } else {
                mmAdd(mm, MmStruct.LOCKED_VM, len >>> PAGE_SHIFT);
            }
        }
        return addr;
    }

    @Override
    public int munmap(long start, long len) {
        sys.bkl.lock();
        try {
            return munmapLocked(start, len);
        } finally {
            sys.bkl.unlock();
        }
    }

    private int munmapLocked(long start, long len) {
        return doMunmap(start, len);
    }

    int doMunmap(long start, long len) {
        if (offsetInPage(start) != 0 || start > TASK_SIZE || len > TASK_SIZE - start) {
            return -Errno.EINVAL;
        }
        len = pageAlign(len);
        long end = start + len;
        if (len == 0) {
            return -Errno.EINVAL;
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
        vma = prev != 0 ? vmNext(prev) : getLong(mm + MMAP);
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
        unlinkAnonVmas(sys, vma);
        unlinkFileVma(vma);
    }

    /** remove_vma. */
    static long removeVma(OffHeapMmSystem sys, long vma) {
        long next = vmNext(vma);
        long file = vmFile(vma);
        if (sys.vmOpsHasOpen(getLong(vma + VM_OPS))) {
            Mem.getAndAddLong(file + MmFileStruct.VM_OPENS, -1); // vm_ops->close
        }
        if (file != 0) {
            sys.fput(file);
        }
        sys.freeVma(vma);
        return next;
    }

    // =========================================================================================
    // mprotect, madvise, mlock
    // =========================================================================================

    private static final int OP_MPROTECT = 0;
    private static final int OP_MADVISE = 1;
    private static final int OP_MLOCK = 2;
    private long pprev;

    private int fixup(int op, long vma, long start, long end, long newFlags) {
        long oldFlags = vmFlags(vma);
        long nrPages = (end - start) >>> PAGE_SHIFT;
        if (newFlags == oldFlags) {
            pprev = vma;
            return 0;
        }
        if (op == OP_MLOCK && ((oldFlags & VM_SPECIAL) != 0 || (oldFlags & VM_HUGETLB) != 0)) {
            pprev = vma;
            return 0;
        }
        long charged = 0;
        if (op == OP_MPROTECT && (newFlags & VM_WRITE) != 0
            && (oldFlags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)) == 0) {
            charged = nrPages;
            if (sys.overcommit().vmEnoughMemory(charged, mmGet(mm, MmStruct.TOTAL_VM)) != 0) {
                return -Errno.ENOMEM;
            }
            newFlags |= VM_ACCOUNT;
        }
        long pgoff = vmPgoff(vma) + ((start - vmStart(vma)) >>> PAGE_SHIFT);
        long merged = vmaMerge(pprev, start, end, newFlags, anonVma(vma), vmFile(vma), pgoff);
        if (merged != 0) {
            vma = merged;
            pprev = merged;
        } else {
            pprev = vma;
            int err = 0;
            if (start != vmStart(vma)) {
                err = op == OP_MADVISE ? splitVmaChecked(vma, start, true) : splitVma(vma, start, true);
            }
            if (err == 0 && end != vmEnd(vma)) {
                err = op == OP_MADVISE ? splitVmaChecked(vma, end, false) : splitVma(vma, end, false);
            }
            if (err != 0) {
                sys.overcommit().vmUnacctMemory(charged);
                return op == OP_MADVISE && err == -Errno.ENOMEM ? -Errno.EAGAIN : err;
            }
        }
        if (op == OP_MLOCK) {
            long n = nrPages;
            if ((newFlags & VM_LOCKED) == 0) {
                n = -n;
            } else if ((oldFlags & VM_LOCKED) != 0) {
                n = 0;
            }
            mmAdd(mm, MmStruct.LOCKED_VM, n);
        }
        putLong(vma + VM_FLAGS, newFlags);
        putLong(vma + VM_PAGE_PROT, newFlags & 0xf);
        if (op == OP_MPROTECT) {
            vmStatAccount(mm, oldFlags, -nrPages);
            vmStatAccount(mm, newFlags, nrPages);
        }
        return 0;
    }

    @Override
    public int mprotect(long start, long len, int prot) {
        sys.bkl.lock();
        try {
            return mprotectLocked(start, len, prot);
        } finally {
            sys.bkl.unlock();
        }
    }

    private int mprotectLocked(long start, long len, int prot) {
        if (offsetInPage(start) != 0) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        len = pageAlign(len);
        long end = start + len;
        if (end <= start) {
            return -Errno.ENOMEM;
        }
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) != 0) {
            return -Errno.EINVAL;
        }
        long vma = findVmaRaw(start);
        if (vma == 0 || vmStart(vma) > start) {
            return -Errno.ENOMEM;
        }
        pprev = vmPrev(vma);
        if (start > vmStart(vma)) {
            pprev = vma;
        }
        long nstart = start;
        while (true) {
            long newFlags = VmRules.calcVmProtBits(prot) | (vmFlags(vma) & ~(VM_READ | VM_WRITE | VM_EXEC));
            if ((newFlags & ~(newFlags >>> 4) & (VM_READ | VM_WRITE | VM_EXEC)) != 0) {
                return -Errno.EACCES;
            }
            long tmp = Math.min(vmEnd(vma), end);
            int err = fixup(OP_MPROTECT, vma, nstart, tmp, newFlags);
            if (err != 0) {
                return err;
            }
            nstart = tmp;
            if (nstart < vmEnd(pprev)) {
                nstart = vmEnd(pprev);
            }
            if (nstart >= end) {
                return 0;
            }
            vma = vmNext(pprev);
            if (vma == 0 || vmStart(vma) != nstart) {
                return -Errno.ENOMEM;
            }
        }
    }

    @Override
    public int madvise(long start, long lenIn, int behavior) {
        sys.bkl.lock();
        try {
            return madviseLocked(start, lenIn, behavior);
        } finally {
            sys.bkl.unlock();
        }
    }

    private int madviseLocked(long start, long lenIn, int behavior) {
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
        if (end < start) {
            return -Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        long vma = findVmaRaw(start);
        pprev = vma != 0 ? vmPrev(vma) : 0;
        if (vma != 0 && start > vmStart(vma)) {
            pprev = vma;
        }
        int unmappedError = 0;
        while (true) {
            if (vma == 0) {
                return -Errno.ENOMEM;
            }
            if (start < vmStart(vma)) {
                unmappedError = -Errno.ENOMEM;
                start = vmStart(vma);
                if (start >= end) {
                    return unmappedError;
                }
            }
            long tmp = Math.min(vmEnd(vma), end);
            long flags = vmFlags(vma);
            long newFlags = flags;
            switch (behavior) {
                case MADV_DONTFORK:
                    newFlags |= VM_DONTCOPY;
                    break;
                case MADV_DOFORK:
                    if ((flags & VM_IO) != 0) {
                        return -Errno.EINVAL;
                    }
                    newFlags &= ~VM_DONTCOPY;
                    break;
                case MADV_WIPEONFORK:
                    if (vmFile(vma) != 0 || (flags & VM_SHARED) != 0) {
                        return -Errno.EINVAL;
                    }
                    newFlags |= VM_WIPEONFORK;
                    break;
                default:
                    newFlags &= ~VM_WIPEONFORK;
                    break;
            }
            int err = fixup(OP_MADVISE, vma, start, tmp, newFlags);
            if (err != 0) {
                return err;
            }
            start = tmp;
            if (pprev != 0 && start < vmEnd(pprev)) {
                start = vmEnd(pprev);
            }
            if (start >= end) {
                return unmappedError;
            }
            vma = pprev != 0 ? vmNext(pprev) : findVmaRaw(start);
        }
    }

    @Override
    public int mlock(long start, long len) {
        sys.bkl.lock();
        try {
            return mlockLocked(start, len);
        } finally {
            sys.bkl.unlock();
        }
    }

    private int mlockLocked(long start, long len) {
        return doMlock(start, len, VM_LOCKED);
    }

    @Override
    public int munlock(long start, long len) {
        sys.bkl.lock();
        try {
            return munlockLocked(start, len);
        } finally {
            sys.bkl.unlock();
        }
    }

    private int munlockLocked(long start, long len) {
        return doMlock(start, len, 0);
    }

    int doMlock(long start, long len, long lockFlags) {
        len = pageAlign(len + offsetInPage(start));
        start &= PAGE_MASK;
        long end = start + len;
        if (end < start) {
            return -Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        long vma = findVmaRaw(start);
        if (vma == 0 || vmStart(vma) > start) {
            return -Errno.ENOMEM;
        }
        pprev = vmPrev(vma);
        if (start > vmStart(vma)) {
            pprev = vma;
        }
        long nstart = start;
        while (true) {
            long newFlags = (vmFlags(vma) & VM_LOCKED_CLEAR_MASK) | lockFlags;
            long tmp = Math.min(vmEnd(vma), end);
            int err = fixup(OP_MLOCK, vma, nstart, tmp, newFlags);
            if (err != 0) {
                return err;
            }
            nstart = tmp;
            if (nstart < vmEnd(pprev)) {
                nstart = vmEnd(pprev);
            }
            if (nstart >= end) {
                return 0;
            }
            vma = vmNext(pprev);
            if (vma == 0 || vmStart(vma) != nstart) {
                return -Errno.ENOMEM;
            }
        }
    }

    @Override
    public int touch(long addr) {
        sys.bkl.lock();
        try {
            return touchLocked(addr);
        } finally {
            sys.bkl.unlock();
        }
    }

    private int touchLocked(long addr) {
        long vma = findVmaRaw(addr);
        if (vma == 0 || vmStart(vma) > addr) {
            return -Errno.EFAULT;
        }
        if (anonVma(vma) != 0 || (vmFlags(vma) & VM_SHARED) != 0) {
            return 0;
        }
        return anonVmaPrepare(vma);
    }

    // =========================================================================================
    // mm_init, dup_mm, dup_mmap
    // =========================================================================================

    private static final long MMAP_LOCK_WAIT_LIST = MmStruct.MMAP_LOCK + RwSemaphore.WAIT_LIST;

    /** mm_init; returns mm, or 0 after freeing it when the pgd cannot be allocated. */
    static long mmInit(OffHeapMmSystem sys, long mm, long owner, long userNs, long current) {
        putLong(mm + MMAP, 0);
        putLong(mm + MM_RB, 0);
        putLong(mm + MmStruct.VMACACHE_SEQNUM, 0);
        putInt(mm + MmStruct.MM_USERS, 1);
        putInt(mm + MmStruct.MM_COUNT, 1);
        putInt(mm + MmStruct.WRITE_PROTECT_SEQ, 0);
        Mem.zero(mm + MmStruct.MMAP_LOCK, RwSemaphore.SIZEOF); // mmap_init_lock
        putLong(mm + MMAP_LOCK_WAIT_LIST, mm + MMAP_LOCK_WAIT_LIST);
        putLong(mm + MMAP_LOCK_WAIT_LIST + 8, mm + MMAP_LOCK_WAIT_LIST);
        putLong(mm + MmStruct.MMLIST, mm + MmStruct.MMLIST);
        putLong(mm + MmStruct.MMLIST + 8, mm + MmStruct.MMLIST);
        putLong(mm + MmStruct.CORE_STATE, 0);
        putLong(mm + MmStruct.PGTABLES_BYTES, 0);
        putInt(mm + MmStruct.MAP_COUNT, 0);
        putLong(mm + MmStruct.LOCKED_VM, 0);
        putInt(mm + MmStruct.HAS_PINNED, 0);
        putLong(mm + MmStruct.PINNED_VM, 0);
        Mem.zero(mm + MmStruct.RSS_STAT, MmRssStat.SIZEOF);
        putInt(mm + MmStruct.PAGE_TABLE_LOCK, 0);
        putInt(mm + MmStruct.ARG_LOCK, 0);
        putLong(mm + MmStruct.CPU_BITMAP, 0); // mm_init_cpumask
        putInt(mm + MmStruct.IOCTX_LOCK, 0); // mm_init_aio
        putLong(mm + MmStruct.IOCTX_TABLE, 0);
        putLong(mm + MmStruct.OWNER, owner);
        putLong(mm + MmStruct.EXE_FILE, 0);
        putLong(mm + MmStruct.NOTIFIER_SUBSCRIPTIONS, 0);
        putInt(mm + MmStruct.TLB_FLUSH_PENDING, 0);
        putLong(mm + MmStruct.UPROBES_STATE, 0);
        if (current != 0) {
            putLong(mm + MmStruct.FLAGS, mmGet(current, MmStruct.FLAGS) & MmFlags.MMF_INIT_MASK);
            putLong(mm + MmStruct.DEF_FLAGS, mmGet(current, MmStruct.DEF_FLAGS) & VM_INIT_DEF_MASK);
        } else {
            putLong(mm + MmStruct.FLAGS, MmFlags.MMF_DUMP_FILTER_DEFAULT);
            putLong(mm + MmStruct.DEF_FLAGS, 0);
        }
        long pgd = sys.allocPgd();
        if (pgd == 0) {
            sys.freeMm(mm);
            return 0;
        }
        putLong(mm + MmStruct.PGD, pgd);
        putLong(mm + MmStruct.USER_NS, sys.getUserNs(userNs));
        return mm;
    }

    /** What a structural dup's clone maps each parent node to (see {@link #dupMmap}). */
    private static final LongUnaryOperator STASHED_COPY = oldNode -> {
        long old = oldNode - VM_RB;
        long tmp = getLong(old + RB_SUBTREE_GAP);
        putLong(old + RB_SUBTREE_GAP, getLong(tmp + RB_SUBTREE_GAP)); // give the parent its gap back
        return tmp + VM_RB;
    };

    /**
     * dup_mm: a new mm that copies {@code oldmm} (memcpy, mm_init, dup_mmap, hiwater marks), or 0
     * with the negative errno in {@code sys.lastDupError}. A half-built mm is torn down with mmput.
     * Allocates nothing on the Java heap.
     */
    public static long dupMm(OffHeapMmSystem sys, long oldmm, long task, DupMode mode) {
        sys.bkl.lock();
        final int cpu = sys.enterCpu();
        try {
            return dupMmLocked(sys, oldmm, task, mode);
        } finally {
            sys.exitCpu(cpu);
            sys.bkl.unlock();
        }
    }

    private static long dupMmLocked(OffHeapMmSystem sys, long oldmm, long task, DupMode mode) {
        long mm = sys.allocMm();
        if (mm == 0) {
            sys.lastDupError = -Errno.ENOMEM;
            return 0;
        }
        Mem.copy(oldmm, mm, MM_SIZE);
        if (mmInit(sys, mm, task, mmGet(mm, MmStruct.USER_NS), oldmm) == 0) {
            sys.lastDupError = -Errno.ENOMEM;
            return 0;
        }
        int err = dupMmap(sys, mm, oldmm, mode);
        if (err != 0) {
            putLong(mm + MmStruct.BINFMT, 0);
            putLong(mm + MmStruct.OWNER, 0); // mm_init_owner(mm, NULL)
            mmput(sys, mm);
            sys.lastDupError = err;
            return 0;
        }
        long rss = getLong(mm + MmStruct.RSS_STAT) + getLong(mm + MmStruct.RSS_STAT + 8)
            + getLong(mm + MmStruct.RSS_STAT + 24);
        putLong(mm + MmStruct.HIWATER_RSS, rss);
        putLong(mm + MmStruct.HIWATER_VM, mmGet(mm, MmStruct.TOTAL_VM));
        return mm;
    }

    /**
     * dup_mmap (kernel/fork.c 5.12). {@link DupMode#APPEND} is the kernel's: each copy is linked at
     * the right end of the tree being built. {@link DupMode#STRUCTURAL} runs the same per-VMA loop
     * without linking, then clones the parent tree's shape in O(n): during the loop each parent
     * VMA's rb_subtree_gap word (the copy already holds the value) carries the address of its copy,
     * which the clone reads and restores; the old mm's mmap lock is held for write, so nobody reads
     * the gaps meanwhile.
     */
    static int dupMmap(OffHeapMmSystem sys, long mm, long oldmm, DupMode mode) {
        putLong(mm + MmStruct.EXE_FILE, getMmExeFile(sys, oldmm));
        putLong(mm + MmStruct.TOTAL_VM, mmGet(oldmm, MmStruct.TOTAL_VM));
        putLong(mm + MmStruct.DATA_VM, mmGet(oldmm, MmStruct.DATA_VM));
        putLong(mm + MmStruct.EXEC_VM, mmGet(oldmm, MmStruct.EXEC_VM));
        putLong(mm + MmStruct.STACK_VM, mmGet(oldmm, MmStruct.STACK_VM));
        boolean structural = mode == DupMode.STRUCTURAL;
        if (structural) {
            for (long m = getLong(oldmm + MMAP); m != 0; m = vmNext(m)) {
                if ((vmFlags(m) & VM_DONTCOPY) != 0) {
                    structural = false;
                    break;
                }
            }
        }
        long rbLink = mm + MM_RB;
        long rbParent = 0;
        long pprevSlot = mm + MMAP;
        long prev = 0;
        int retval = 0;
        Overcommit oc = sys.overcommit();
        for (long mpnt = getLong(oldmm + MMAP); mpnt != 0; mpnt = vmNext(mpnt)) {
            long flags = vmFlags(mpnt);
            if ((flags & VM_DONTCOPY) != 0) {
                vmStatAccount(mm, flags, -pages(mpnt));
                continue;
            }
            long charge = 0;
            if (sys.fatalSignalPending) {
                retval = -Errno.EINTR;
                break;
            }
            if ((flags & VM_ACCOUNT) != 0) {
                long len = pages(mpnt);
                if (oc.vmEnoughMemory(len, mmGet(oldmm, MmStruct.TOTAL_VM)) != 0) {
                    retval = -Errno.ENOMEM;
                    break;
                }
                charge = len;
            }
            long tmp = vmAreaDup(sys, mpnt);
            if (tmp == 0) {
                oc.vmUnacctMemory(charge);
                retval = -Errno.ENOMEM;
                break;
            }
            // vma_dup_policy: no NUMA policies; dup_userfaultfd: no contexts
            putLong(tmp + VM_MM, mm);
            if ((flags & VM_WIPEONFORK) != 0) {
                putLong(tmp + ANON_VMA, 0);
            } else if (anonVmaFork(sys, tmp, mpnt) != 0) {
                sys.freeVma(tmp);
                oc.vmUnacctMemory(charge);
                retval = -Errno.ENOMEM;
                break;
            }
            long tflags = flags & ~(VM_LOCKED | VM_LOCKONFAULT);
            putLong(tmp + VM_FLAGS, tflags);
            long file = vmFile(tmp);
            if (file != 0) {
                sys.getFile(file);
                if ((tflags & VM_DENYWRITE) != 0) {
                    getAndAddInt(file + MmFileStruct.I_WRITECOUNT, -1);
                }
                if ((tflags & VM_SHARED) != 0) {
                    getAndAddInt(file + MmFileStruct.I_MMAP_WRITABLE, 1);
                }
                VmaIntervalTree.insertAfter(tmp, mpnt, file + MmFileStruct.I_MMAP);
            }
            if ((tflags & VM_HUGETLB) != 0) {
                putLong(tmp + VM_PRIVATE_DATA, 0); // reset_vma_resv_huge_pages
                sys.hugetlbResets++;
            }
            putLong(pprevSlot, tmp);
            pprevSlot = tmp + VM_NEXT;
            putLong(tmp + VM_PREV, prev);
            prev = tmp;
            if (structural) {
                putLong(mpnt + RB_SUBTREE_GAP, tmp); // the stash the clone reads back
            } else {
                vmaLinkRb(mm, tmp, rbParent, rbLink);
                rbLink = tmp + VM_RB + RbTree.RB_RIGHT;
                rbParent = tmp + VM_RB;
            }
            mapCountAdd(mm, 1);
            if ((tflags & VM_WIPEONFORK) == 0) {
                sys.copyPageRange++; // copy_page_range: page tables are a later issue
            }
            if (sys.vmOpsHasOpen(getLong(tmp + VM_OPS))) {
                Mem.getAndAddLong(file + MmFileStruct.VM_OPENS, 1);
            }
        }
        if (structural) {
            if (retval == 0) {
                RbTree.cloneStructure(oldmm + MM_RB, mm + MM_RB, false, STASHED_COPY);
                putLong(mm + MmStruct.HIGHEST_VM_END, mmGet(oldmm, MmStruct.HIGHEST_VM_END));
            } else {
                // unwind the stash of the VMAs copied so far (copy i belongs to parent i)
                long c = getLong(mm + MMAP);
                for (long m = getLong(oldmm + MMAP); c != 0; m = vmNext(m), c = vmNext(c)) {
                    putLong(m + RB_SUBTREE_GAP, gapOf(c));
                }
            }
        }
        return retval;
    }

    // =========================================================================================
    // Lifetime
    // =========================================================================================

    /** exit_mmap. */
    static void exitMmap(OffHeapMmSystem sys, long mm) {
        long vma = getLong(mm + MMAP);
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

    /** __mmput. */
    static void mmputFinal(OffHeapMmSystem sys, long mm) {
        exitMmap(sys, mm);
        setMmExeFile(sys, mm, 0);
        putLong(mm + MmStruct.BINFMT, 0); // module_put: no binfmt modules
        mmdrop(sys, mm);
    }

    /** mmput. */
    public static void mmput(OffHeapMmSystem sys, long mm) {
        sys.bkl.lock();
        final int cpu = sys.enterCpu();
        try {
            mmputLocked(sys, mm);
        } finally {
            sys.exitCpu(cpu);
            sys.bkl.unlock();
        }
    }

    private static void mmputLocked(OffHeapMmSystem sys, long mm) {
        if (refDec(mm + MmStruct.MM_USERS, "mmput: mm_users") == 1) {
            mmputFinal(sys, mm);
        }
    }

    /**
     * atomic_dec_and_test of a reference count, refusing to go below zero: a put of a count already
     * at zero is a caller bug, reported with the count left as it was. Returns the old value.
     */
    private static int refDec(long addr, String what) {
        for (;;) {
            final int old = Mem.getIntVolatile(addr);
            if (old <= 0) {
                throw new IllegalStateException(what + " is already " + old);
            }
            if (Mem.compareAndSetInt(addr, old, old - 1)) {
                return old;
            }
        }
    }

    /** mmdrop. */
    public static void mmdrop(OffHeapMmSystem sys, long mm) {
        if (refDec(mm + MmStruct.MM_COUNT, "mmdrop: mm_count") == 1) {
            mmdropFinal(sys, mm);
        }
    }

    /** __mmdrop. */
    static void mmdropFinal(OffHeapMmSystem sys, long mm) {
        if (mm == sys.initMmAddress()) {
            throw new IllegalStateException("BUG: __mmdrop(&init_mm)");
        }
        long pgd = mmGet(mm, MmStruct.PGD);
        if (pgd != 0) {
            sys.freePgd(pgd); // mm_free_pgd
        }
        checkMm(sys, mm);
        sys.putUserNs(mmGet(mm, MmStruct.USER_NS));
        sys.freeMm(mm);
    }

    private static final String[] RESIDENT_PAGE_TYPES = {"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES"};

    /** check_mm. */
    static void checkMm(OffHeapMmSystem sys, long mm) {
        for (int i = 0; i < 4; i++) {
            long x = getLong(mm + MmStruct.RSS_STAT + 8L * i);
            if (x != 0) {
                sys.log().alert("BUG: Bad rss-counter state mm:" + Long.toHexString(mm) + " type:"
                    + RESIDENT_PAGE_TYPES[i] + " val:" + x);
            }
        }
        long pt = getLong(mm + MmStruct.PGTABLES_BYTES);
        if (pt != 0) {
            sys.log().alert("BUG: non-zero pgtables_bytes on freeing mm: " + pt);
        }
    }

    /** get_mm_exe_file. */
    static long getMmExeFile(OffHeapMmSystem sys, long mm) {
        long f = getLong(mm + MmStruct.EXE_FILE);
        if (f != 0) {
            sys.getFile(f);
        }
        return f;
    }

    /** set_mm_exe_file. */
    static void setMmExeFile(OffHeapMmSystem sys, long mm, long newExe) {
        long old = getLong(mm + MmStruct.EXE_FILE);
        if (newExe != 0) {
            sys.getFile(newExe);
        }
        putLong(mm + MmStruct.EXE_FILE, newExe);
        if (old != 0) {
            sys.fput(old);
        }
    }

    // =========================================================================================
    // AddressSpace
    // =========================================================================================

    @Override
    public VmaInfo findVma(long addr) {
        sys.bkl.lock();
        try {
            return findVmaLocked(addr);
        } finally {
            sys.bkl.unlock();
        }
    }

    private VmaInfo findVmaLocked(long addr) {
        long v = findVmaRaw(addr);
        return v == 0 ? null : info(v);
    }

    VmaInfo info(long v) {
        long f = vmFile(v);
        return new VmaInfo(vmStart(v), vmEnd(v), vmFlags(v), vmPgoff(v), f == 0 ? null : sys.pathOf(f), anonVma(v) != 0);
    }

    @Override
    public AddressSpace dup(DupMode mode) {
        sys.bkl.lock();
        try {
            return dupLocked(mode);
        } finally {
            sys.bkl.unlock();
        }
    }

    private AddressSpace dupLocked(DupMode mode) {
        long child = dupMm(sys, mm, 0, mode);
        if (child == 0) {
            throw new KernelException("dup_mm", -sys.lastDupError);
        }
        return new Mm(sys, child);
    }

    /** mmget: atomic_inc(&mm->mm_users); an atomic needs no lock. */
    @Override
    public void mmget() {
        getAndAddInt(mm + MmStruct.MM_USERS, 1);
    }

    /** mmput: the static path takes the system lock itself. */
    @Override
    public void mmput() {
        mmput(sys, mm);
    }

    @Override
    public void mmputAsync() {
        sys.bkl.lock();
        try {
            mmputAsyncLocked();
        } finally {
            sys.bkl.unlock();
        }
    }

    private void mmputAsyncLocked() {
        if (refDec(mm + MmStruct.MM_USERS, "mmput_async: mm_users") == 1) {
            final long m = mm;
            sys.workQueue().schedule(() -> sys.locked(() -> mmputFinal(sys, m)));
        }
    }

    /** mmgrab: atomic_inc(&mm->mm_count); an atomic needs no lock. */
    @Override
    public void mmgrab() {
        getAndAddInt(mm + MmStruct.MM_COUNT, 1);
    }

    @Override
    public void mmdrop() {
        sys.bkl.lock();
        try {
            mmdropLocked();
        } finally {
            sys.bkl.unlock();
        }
    }

    private void mmdropLocked() {
        mmdrop(sys, mm);
    }

    @Override
    public void mmdropAsync() {
        sys.bkl.lock();
        try {
            mmdropAsyncLocked();
        } finally {
            sys.bkl.unlock();
        }
    }

    private void mmdropAsyncLocked() {
        if (refDec(mm + MmStruct.MM_COUNT, "mmdrop_async: mm_count") == 1) {
            final long m = mm;
            sys.workQueue().schedule(() -> sys.locked(() -> mmdropFinal(sys, m)));
        }
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
    public void setExeFile(MappedFile file) {
        sys.bkl.lock();
        try {
            setExeFileLocked(file);
        } finally {
            sys.bkl.unlock();
        }
    }

    private void setExeFileLocked(MappedFile file) {
        setMmExeFile(sys, mm, file == null ? 0 : ((OffHeapFile) file).addr);
    }

    @Override
    public MappedFile getExeFile() {
        sys.bkl.lock();
        try {
            return getExeFileLocked();
        } finally {
            sys.bkl.unlock();
        }
    }

    private MappedFile getExeFileLocked() {
        long f = getMmExeFile(sys, mm);
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
    public List<VmaInfo> vmas() {
        sys.bkl.lock();
        try {
            return vmasLocked();
        } finally {
            sys.bkl.unlock();
        }
    }

    private List<VmaInfo> vmasLocked() {
        List<VmaInfo> l = new ArrayList<>();
        for (long v = getLong(mm + MMAP); v != 0; v = vmNext(v)) {
            l.add(info(v));
        }
        return l;
    }

    @Override
    public String maps() {
        sys.bkl.lock();
        try {
            return mapsLocked();
        } finally {
            sys.bkl.unlock();
        }
    }

    private String mapsLocked() {
        StringBuilder sb = new StringBuilder();
        for (long v = getLong(mm + MMAP); v != 0; v = vmNext(v)) {
            long f = vmFile(v);
            sb.append(VmRules.mapsLine(vmStart(v), vmEnd(v), vmFlags(v), vmPgoff(v),
                f == 0 ? 0 : getLong(f + MmFileStruct.I_INO), f == 0 ? VmRules.anonName(vmFlags(v)) : sys.pathOf(f)));
        }
        return sb.toString();
    }

    @Override
    public void validate() {
        sys.bkl.lock();
        try {
            validateLocked();
        } finally {
            sys.bkl.unlock();
        }
    }

    private void validateLocked() {
        int n = RbTree.validate(mm + MM_RB, false);
        GAP.validate(mm + MM_RB);
        long prev = 0;
        long total = 0;
        long data = 0;
        long exec = 0;
        long stack = 0;
        long locked = 0;
        int count = 0;
        for (long rb = RbTree.first(mm + MM_RB); rb != 0; rb = RbTree.next(rb)) {
            long v = rb - VM_RB;
            String name = Long.toHexString(vmStart(v));
            check(vmPrev(v) == prev, "vm_prev of " + name);
            check(prev == 0 ? getLong(mm + MMAP) == v : vmNext(prev) == v, "list and tree disagree at " + name);
            check(vmStart(v) < vmEnd(v) && offsetInPage(vmStart(v)) == 0 && offsetInPage(vmEnd(v)) == 0, "bad range " + name);
            check(prev == 0 || vmEnd(prev) <= vmStart(v), "overlap at " + name);
            check(getLong(v + VM_MM) == mm, "vm_mm of " + name);
            long p = pages(v);
            long f = vmFlags(v);
            total += p;
            if (VmRules.isExecMapping(f)) {
                exec += p;
            } else if (VmRules.isStackMapping(f)) {
                stack += p;
            } else if (VmRules.isDataMapping(f)) {
                data += p;
            }
            if ((f & VM_LOCKED) != 0) {
                locked += p;
            }
            boolean ownFound = anonVma(v) == 0;
            long head = v + ANON_VMA_CHAIN;
            for (long e = getLong(head); e != head; e = getLong(e)) {
                long avc = avcOfEntry(e);
                check(getLong(avc + AVC_VMA) == v, "avc of " + name + " points elsewhere");
                ownFound |= getLong(avc + AVC_ANON_VMA) == anonVma(v);
                AnonVmaIntervalTree.validate(getLong(avc + AVC_ANON_VMA) + AV_RB_ROOT);
            }
            check(ownFound, "anon_vma of " + name + " is not on its chain");
            if (vmFile(v) != 0) {
                check(getLong(vmFile(v) + MmFileStruct.F_COUNT) > 0, "file of " + name + " is freed");
                VmaIntervalTree.validate(vmFile(v) + MmFileStruct.I_MMAP);
            }
            prev = v;
            count++;
        }
        check(n == count && count == mapCount(), "map_count " + mapCount() + " but " + count + " VMAs");
        check(prev == 0 || highestVmEnd() == VmRules.vmEndGap(vmEnd(prev), vmFlags(prev)), "highest_vm_end");
        check(total == totalVm(), "total_vm " + totalVm() + " != " + total);
        check(data == dataVm(), "data_vm " + dataVm() + " != " + data);
        check(exec == execVm(), "exec_vm " + execVm() + " != " + exec);
        check(stack == stackVm(), "stack_vm " + stackVm() + " != " + stack);
        check(locked == lockedVm(), "locked_vm " + lockedVm() + " != " + locked);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("mm validate: " + what);
        }
    }
}
