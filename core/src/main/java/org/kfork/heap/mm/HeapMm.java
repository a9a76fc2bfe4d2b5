package org.kfork.heap.mm;

import static org.kfork.mm.Mman.*;
import static org.kfork.mm.VmFlags.*;

import java.util.ArrayList;
import java.util.List;

import org.kfork.heap.ds.HeapIntervalTree;
import org.kfork.heap.ds.HeapRbAugmentMax;
import org.kfork.heap.ds.HeapRbAugmented;
import org.kfork.heap.ds.HeapRbNode;
import org.kfork.heap.ds.HeapRbRoot;
import org.kfork.heap.ds.HeapRbTree;
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
 * The heap twin of {@code struct mm_struct} with the address-space operations of 5.12 mm/mmap.c,
 * mm/mprotect.c, mm/madvise.c and mm/mlock.c, the anon_vma code of mm/rmap.c, and dup_mm/dup_mmap
 * and the mm lifetime of kernel/fork.c. The off-heap port ({@code org.kfork.kernel.mm.Mm}) runs the
 * same steps over modeled memory; the differential tests hold the two to identical results.
 *
 * <p>vmacache: 5.12 keeps 4 cached VMAs per task, validated by the mm's vmacache_seqnum. Tasks do
 * not exist yet, so each mm carries one such cache (a per-mm stand-in): same hash, same seqnum
 * protocol, same invalidation points.
 *
 * <p>Not thread-safe: the mmap lock is held by the single caller (the twin models its order of
 * steps, not its concurrency).
 */
public final class HeapMm implements AddressSpace {
    static final int VMACACHE_SIZE = 4;

    final HeapMmSystem sys;
    // --- struct mm_struct (the fields the model uses) ---
    HeapVma mmap;
    final HeapRbRoot mmRb = new HeapRbRoot();
    long vmacacheSeqnum;
    long mmapBase;
    long mmapLegacyBase;
    long taskSize;
    long highestVmEnd;
    long[] pgd;
    int mmUsers;
    int mmCount;
    long pgtablesBytes;
    int mapCount;
    long hiwaterRss;
    long hiwaterVm;
    long totalVm;
    long lockedVm;
    long pinnedVm;
    long dataVm;
    long execVm;
    long stackVm;
    long defFlags;
    final long[] rssStat = new long[4];
    Object binfmt;
    long flags;
    Object owner;
    Object userNs;
    HeapFile exeFile;
    // --- the per-mm vmacache stand-in (task_struct.vmacache in 5.12) ---
    long vmacacheTaskSeqnum;
    final HeapVma[] vmacache = new HeapVma[VMACACHE_SIZE];
    /** Out-parameter of the fixup helpers ({@code struct vm_area_struct **pprev}). */
    private HeapVma pprev;

    HeapMm(HeapMmSystem sys) {
        this.sys = sys;
    }

    /** memcpy(mm, oldmm, sizeof(*mm)) of dup_mm: every field, before mm_init resets most. */
    private HeapMm(HeapMm o) {
        this.sys = o.sys;
        mmap = o.mmap;
        vmacacheSeqnum = o.vmacacheSeqnum;
        mmapBase = o.mmapBase;
        mmapLegacyBase = o.mmapLegacyBase;
        taskSize = o.taskSize;
        highestVmEnd = o.highestVmEnd;
        pgd = o.pgd;
        mmUsers = o.mmUsers;
        mmCount = o.mmCount;
        pgtablesBytes = o.pgtablesBytes;
        mapCount = o.mapCount;
        hiwaterRss = o.hiwaterRss;
        hiwaterVm = o.hiwaterVm;
        totalVm = o.totalVm;
        lockedVm = o.lockedVm;
        pinnedVm = o.pinnedVm;
        dataVm = o.dataVm;
        execVm = o.execVm;
        stackVm = o.stackVm;
        defFlags = o.defFlags;
        System.arraycopy(o.rssStat, 0, rssStat, 0, rssStat.length);
        binfmt = o.binfmt;
        flags = o.flags;
        owner = o.owner;
        userNs = o.userNs;
        exeFile = o.exeFile;
    }

    // =========================================================================================
    // The VMA rb-tree with rb_subtree_gap (mm/mmap.c)
    // =========================================================================================

    /** vma_compute_gap: the free space below this VMA, guard gaps excluded. */
    static long computeGap(HeapVma vma) {
        long gap = VmRules.vmStartGap(vma.vmStart, vma.vmFlags);
        HeapVma prev = vma.vmPrev;
        if (prev != null) {
            long prevEnd = VmRules.vmEndGap(prev.vmEnd, prev.vmFlags);
            gap = gap > prevEnd ? gap - prevEnd : 0;
        }
        return gap;
    }

    /** vma_gap_callbacks: RB_DECLARE_CALLBACKS_MAX(rb_subtree_gap, vma_compute_gap). */
    static final HeapRbAugmentMax<HeapVma> GAP = new HeapRbAugmentMax<>() {
        @Override
        protected long compute(HeapVma node) {
            return computeGap(node);
        }

        @Override
        protected long augmented(HeapVma node) {
            return node.rbSubtreeGap;
        }

        @Override
        protected void setAugmented(HeapVma node, long value) {
            node.rbSubtreeGap = value;
        }
    };

    /** vma_gap_update. */
    static void gapUpdate(HeapVma vma) {
        GAP.propagate(vma, null);
    }

    /** __vma_link_rb: link under {@code parent} (null: root), update the gaps, rebalance. */
    void vmaLinkRb(HeapVma vma, HeapRbNode parent, boolean asLeft) {
        if (vma.vmNext != null) {
            gapUpdate(vma.vmNext);
        } else {
            highestVmEnd = VmRules.vmEndGap(vma.vmEnd, vma.vmFlags);
        }
        HeapRbTree.linkNode(vma, parent, asLeft, mmRb);
        vma.rbSubtreeGap = 0;
        gapUpdate(vma);
        HeapRbAugmented.insert(vma, mmRb, GAP);
    }

    /** __vma_link_list. */
    void vmaLinkList(HeapVma vma, HeapVma prev) {
        HeapVma next;
        vma.vmPrev = prev;
        if (prev != null) {
            next = prev.vmNext;
            prev.vmNext = vma;
        } else {
            next = mmap;
            mmap = vma;
        }
        vma.vmNext = next;
        if (next != null) {
            next.vmPrev = vma;
        }
    }

    // find_vma_links' results
    private HeapVma linkPrev;
    private HeapRbNode linkParent;
    private boolean linkLeft;

    /** find_vma_links: where [addr, end) goes; -ENOMEM if it overlaps a VMA. */
    int findVmaLinks(long addr, long end) {
        HeapRbNode cur = mmRb.node();
        HeapRbNode parent = null;
        HeapVma prev = null;
        boolean left = false;
        while (cur != null) {
            parent = cur;
            HeapVma v = (HeapVma) cur;
            if (v.vmEnd > addr) {
                if (v.vmStart < end) {
                    return -Errno.ENOMEM;
                }
                cur = cur.left();
                left = true;
            } else {
                prev = v;
                cur = cur.right();
                left = false;
            }
        }
        linkPrev = prev;
        linkParent = parent;
        linkLeft = left;
        return 0;
    }

    /** __vma_link_file: the VMA joins its file's i_mmap and takes its deny-write / writable counts. */
    static void vmaLinkFile(HeapVma vma) {
        HeapFile file = vma.vmFile;
        if (file != null) {
            if ((vma.vmFlags & VM_DENYWRITE) != 0) {
                file.iWritecount--; // put_write_access
            }
            if ((vma.vmFlags & VM_SHARED) != 0) {
                file.iMmapWritable++; // mapping_allow_writable
            }
            if (vma.shared == null) {
                vma.shared = new HeapVma.Shared(vma);
            }
            HeapIntervalTree.insert(vma.shared, file.iMmap);
        }
    }

    /** __remove_shared_vm_struct / unlink_file_vma. */
    static void unlinkFileVma(HeapVma vma) {
        HeapFile file = vma.vmFile;
        if (file != null) {
            if ((vma.vmFlags & VM_DENYWRITE) != 0) {
                file.iWritecount++; // allow_write_access
            }
            if ((vma.vmFlags & VM_SHARED) != 0) {
                file.iMmapWritable--; // mapping_unmap_writable
            }
            HeapIntervalTree.remove(vma.shared, file.iMmap);
        }
    }

    /** vma_link after find_vma_links: list, tree, file, map_count. */
    void vmaLink(HeapVma vma) {
        vmaLinkList(vma, linkPrev);
        vmaLinkRb(vma, linkParent, linkLeft);
        vmaLinkFile(vma);
        mapCount++;
    }

    /** __vma_unlink_common + the next VMA's gap: out of the tree and the list; caches invalidated. */
    void vmaUnlink(HeapVma vma) {
        HeapRbAugmented.erase(vma, mmRb, GAP);
        HeapVma prev = vma.vmPrev;
        HeapVma next = vma.vmNext;
        if (prev != null) {
            prev.vmNext = next;
        } else {
            mmap = next;
        }
        if (next != null) {
            next.vmPrev = prev;
            gapUpdate(next);
        } else {
            highestVmEnd = prev != null ? VmRules.vmEndGap(prev.vmEnd, prev.vmFlags) : 0;
        }
        vmacacheInvalidate();
    }

    /** vmacache_invalidate: bump the seqnum so every cached VMA pointer is stale. */
    void vmacacheInvalidate() {
        vmacacheSeqnum++;
    }

    // =========================================================================================
    // find_vma with the vmacache (mm/vmacache.c)
    // =========================================================================================

    /** find_vma: the first VMA with vm_end &gt; addr, or null. */
    HeapVma findVmaRaw(long addr) {
        // vmacache_find: a stale cache (seqnum moved) is flushed first
        if (vmacacheTaskSeqnum != vmacacheSeqnum) {
            vmacacheTaskSeqnum = vmacacheSeqnum;
            for (int i = 0; i < VMACACHE_SIZE; i++) {
                vmacache[i] = null;
            }
        } else {
            int idx = (int) (addr >>> PAGE_SHIFT) & (VMACACHE_SIZE - 1);
            for (int i = 0; i < VMACACHE_SIZE; i++) {
                HeapVma v = vmacache[idx];
                if (v != null && v.vmStart <= addr && v.vmEnd > addr) {
                    return v;
                }
                idx = (idx + 1) & (VMACACHE_SIZE - 1);
            }
        }
        HeapVma vma = null;
        HeapRbNode n = mmRb.node();
        while (n != null) {
            HeapVma t = (HeapVma) n;
            if (t.vmEnd > addr) {
                vma = t;
                if (t.vmStart <= addr) {
                    break;
                }
                n = n.left();
            } else {
                n = n.right();
            }
        }
        if (vma != null) {
            vmacache[(int) (addr >>> PAGE_SHIFT) & (VMACACHE_SIZE - 1)] = vma; // vmacache_update
        }
        return vma;
    }

    // =========================================================================================
    // anon_vma (mm/rmap.c)
    // =========================================================================================

    /** anon_vma_alloc: refcount 1, degree 1 (its first VMA), its own root and parent. */
    HeapAnonVma anonVmaAlloc() {
        if (!sys.alloc(HeapMmSystem.ANON_VMA)) {
            return null;
        }
        HeapAnonVma a = new HeapAnonVma();
        a.refcount = 1;
        a.degree = 1;
        a.parent = a;
        a.root = a;
        return a;
    }

    HeapAnonVmaChain avcAlloc() {
        return sys.alloc(HeapMmSystem.ANON_VMA_CHAIN) ? new HeapAnonVmaChain() : null;
    }

    void avcFree(HeapAnonVmaChain avc) {
        sys.freed(HeapMmSystem.ANON_VMA_CHAIN);
    }

    /** put_anon_vma: the last reference frees it, and drops the root's reference it held. */
    void putAnonVma(HeapAnonVma a) {
        if (--a.refcount == 0) {
            HeapAnonVma root = a.root;
            sys.freed(HeapMmSystem.ANON_VMA);
            if (root != a && --root.refcount == 0) {
                sys.freed(HeapMmSystem.ANON_VMA);
            }
        }
    }

    /** anon_vma_chain_link: on the VMA's list (at the head) and in the anon_vma's tree. */
    static void anonVmaChainLink(HeapVma vma, HeapAnonVmaChain avc, HeapAnonVma a) {
        avc.vma = vma;
        avc.anonVma = a;
        avc.samePrev = null;
        avc.sameNext = vma.chainFirst;
        if (vma.chainFirst != null) {
            vma.chainFirst.samePrev = avc;
        } else {
            vma.chainLast = avc;
        }
        vma.chainFirst = avc;
        HeapIntervalTree.insert(avc, a.rbRoot);
    }

    static void chainDel(HeapVma vma, HeapAnonVmaChain avc) {
        if (avc.samePrev != null) {
            avc.samePrev.sameNext = avc.sameNext;
        } else {
            vma.chainFirst = avc.sameNext;
        }
        if (avc.sameNext != null) {
            avc.sameNext.samePrev = avc.samePrev;
        } else {
            vma.chainLast = avc.samePrev;
        }
        avc.sameNext = null;
        avc.samePrev = null;
    }

    static boolean chainSingular(HeapVma vma) {
        return vma.chainFirst != null && vma.chainFirst == vma.chainLast;
    }

    /** anon_vma_clone: dst gets a chain to every anon_vma of src (reusing one of degree &lt; 2). */
    int anonVmaClone(HeapVma dst, HeapVma src) {
        for (HeapAnonVmaChain pavc = src.chainLast; pavc != null; pavc = pavc.samePrev) {
            HeapAnonVmaChain avc = avcAlloc(); // GFP_NOWAIT first
            if (avc == null) {
                avc = avcAlloc(); // then GFP_KERNEL, with the root lock dropped
                if (avc == null) {
                    dst.anonVma = null;
                    unlinkAnonVmas(dst);
                    return -Errno.ENOMEM;
                }
            }
            HeapAnonVma a = pavc.anonVma;
            anonVmaChainLink(dst, avc, a);
            if (dst.anonVma == null && src.anonVma != null && a != src.anonVma && a.degree < 2) {
                dst.anonVma = a;
            }
        }
        if (dst.anonVma != null) {
            dst.anonVma.degree++;
        }
        return 0;
    }

    /** anon_vma_fork: the child links to the parent's anon_vmas and gets one of its own. */
    int anonVmaFork(HeapVma vma, HeapVma pvma) {
        if (pvma.anonVma == null) {
            return 0;
        }
        vma.anonVma = null;
        int error = anonVmaClone(vma, pvma);
        if (error != 0) {
            return error;
        }
        if (vma.anonVma != null) {
            return 0; // an existing anon_vma was reused
        }
        HeapAnonVma a = anonVmaAlloc();
        if (a == null) {
            unlinkAnonVmas(vma);
            return -Errno.ENOMEM;
        }
        HeapAnonVmaChain avc = avcAlloc();
        if (avc == null) {
            putAnonVma(a);
            unlinkAnonVmas(vma);
            return -Errno.ENOMEM;
        }
        a.root = pvma.anonVma.root;
        a.parent = pvma.anonVma;
        a.root.refcount++; // get_anon_vma(root)
        vma.anonVma = a;
        anonVmaChainLink(vma, avc, a);
        a.parent.degree++;
        return 0;
    }

    /** unlink_anon_vmas: drop every chain; anon_vmas whose tree empties are put. */
    void unlinkAnonVmas(HeapVma vma) {
        HeapAnonVmaChain avc = vma.chainFirst;
        while (avc != null) {
            HeapAnonVmaChain next = avc.sameNext;
            HeapAnonVma a = avc.anonVma;
            HeapIntervalTree.remove(avc, a.rbRoot);
            if (a.rbRoot.node() == null) {
                a.parent.degree--; // keep the avc: the second pass puts this anon_vma
            } else {
                chainDel(vma, avc);
                avcFree(avc);
            }
            avc = next;
        }
        if (vma.anonVma != null) {
            vma.anonVma.degree--;
        }
        avc = vma.chainFirst;
        while (avc != null) {
            HeapAnonVmaChain next = avc.sameNext;
            HeapAnonVma a = avc.anonVma;
            if (a.degree != 0) {
                sys.log().warn("unlink_anon_vmas: anon_vma degree " + a.degree + " on release");
            }
            putAnonVma(a);
            chainDel(vma, avc);
            avcFree(avc);
            avc = next;
        }
    }

    /** anon_vma_compatible (for find_mergeable_anon_vma): access flags may differ. */
    static boolean anonVmaCompatible(HeapVma a, HeapVma b) {
        return a.vmEnd == b.vmStart && a.vmFile == b.vmFile
            && ((a.vmFlags ^ b.vmFlags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) == 0
            && b.vmPgoff == a.vmPgoff + ((b.vmStart - a.vmStart) >>> PAGE_SHIFT);
    }

    static HeapAnonVma reusableAnonVma(HeapVma old, HeapVma a, HeapVma b) {
        if (anonVmaCompatible(a, b)) {
            HeapAnonVma av = old.anonVma;
            if (av != null && chainSingular(old)) {
                return av;
            }
        }
        return null;
    }

    /** __anon_vma_prepare (the first write fault of a private area). */
    int anonVmaPrepare(HeapVma vma) {
        HeapAnonVmaChain avc = avcAlloc();
        if (avc == null) {
            return -Errno.ENOMEM;
        }
        HeapAnonVma a = null;
        if (vma.vmNext != null) {
            a = reusableAnonVma(vma.vmNext, vma, vma.vmNext);
        }
        if (a == null && vma.vmPrev != null) {
            a = reusableAnonVma(vma.vmPrev, vma.vmPrev, vma);
        }
        if (a == null) {
            a = anonVmaAlloc();
            if (a == null) {
                avcFree(avc);
                return -Errno.ENOMEM;
            }
        }
        vma.anonVma = a;
        anonVmaChainLink(vma, avc, a);
        a.degree++; // the VMA's reference, or the self-parent link of a new root
        return 0;
    }

    /** Remove and re-insert a VMA's avcs and i_mmap node around a change of its range or pgoff. */
    void preUpdateVma(HeapVma vma) {
        for (HeapAnonVmaChain avc = vma.chainFirst; avc != null; avc = avc.sameNext) {
            HeapIntervalTree.remove(avc, avc.anonVma.rbRoot);
        }
        if (vma.vmFile != null) {
            HeapIntervalTree.remove(vma.shared, vma.vmFile.iMmap);
        }
    }

    void postUpdateVma(HeapVma vma) {
        for (HeapAnonVmaChain avc = vma.chainFirst; avc != null; avc = avc.sameNext) {
            HeapIntervalTree.insert(avc, avc.anonVma.rbRoot);
        }
        if (vma.vmFile != null) {
            HeapIntervalTree.insert(vma.shared, vma.vmFile.iMmap);
        }
    }

    // =========================================================================================
    // vma_merge, __vma_adjust, split (mm/mmap.c)
    // =========================================================================================

    /** is_mergeable_anon_vma. */
    static boolean isMergeableAnonVma(HeapAnonVma a1, HeapAnonVma a2, HeapVma vma) {
        if ((a1 == null || a2 == null) && (vma == null || chainSingular(vma))) {
            return true;
        }
        return a1 == a2;
    }

    /** is_mergeable_vma: same flags and file, and no vm_ops->close. */
    static boolean isMergeableVma(HeapVma vma, HeapFile file, long vmFlags) {
        if (!VmRules.flagsMergeable(vma.vmFlags, vmFlags)) {
            return false;
        }
        if (vma.vmFile != file) {
            return false;
        }
        return vma.vmOps == null || !vma.vmOps.hasOpen;
    }

    static boolean canMergeBefore(HeapVma vma, long vmFlags, HeapAnonVma av, HeapFile file, long pgoff) {
        return isMergeableVma(vma, file, vmFlags) && isMergeableAnonVma(av, vma.anonVma, vma) && vma.vmPgoff == pgoff;
    }

    static boolean canMergeAfter(HeapVma vma, long vmFlags, HeapAnonVma av, HeapFile file, long pgoff) {
        return isMergeableVma(vma, file, vmFlags) && isMergeableAnonVma(av, vma.anonVma, vma)
            && vma.vmPgoff + vma.pages() == pgoff;
    }

    /** Set a VMA's range and pgoff, keeping i_mmap, the avc trees and the gaps right. */
    void adjustRange(HeapVma vma, long start, long end, long pgoff) {
        preUpdateVma(vma);
        vma.vmStart = start;
        vma.vmEnd = end;
        vma.vmPgoff = pgoff;
        postUpdateVma(vma);
        gapUpdate(vma);
        if (vma.vmNext != null) {
            gapUpdate(vma.vmNext);
        } else {
            highestVmEnd = VmRules.vmEndGap(vma.vmEnd, vma.vmFlags);
        }
    }

    /** The removal half of __vma_adjust: {@code gone} is absorbed by a neighbour and freed. */
    void removeAbsorbed(HeapVma gone) {
        vmaUnlink(gone);
        unlinkFileVma(gone);
        if (gone.anonVma != null || gone.chainFirst != null) {
            unlinkAnonVmas(gone); // anon_vma_merge
        }
        mapCount--;
        if (gone.vmFile != null) {
            gone.vmFile.fputLocked();
        }
        vmAreaFree(gone);
    }

    /** The anon_vma import of __vma_adjust: importer takes exporter's anon_vma if it has none. */
    int importAnonVma(HeapVma importer, HeapVma exporter) {
        if (exporter != null && exporter.anonVma != null && importer.anonVma == null) {
            importer.anonVma = exporter.anonVma;
            int err = anonVmaClone(importer, exporter);
            if (err != 0) {
                return err;
            }
        }
        return 0;
    }

    /**
     * vma_merge (cases 1-8 of mm/mmap.c): merge [addr, end) with flags {@code vmFlags} into prev
     * and/or next when flags, file, anon_vma and pgoff agree. Returns the VMA now covering the range,
     * or null (no merge).
     */
    HeapVma vmaMerge(HeapVma prev, long addr, long end, long vmFlags, HeapAnonVma av, HeapFile file, long pgoff) {
        long pglen = (end - addr) >>> PAGE_SHIFT;
        if ((vmFlags & VM_SPECIAL) != 0) {
            return null;
        }
        HeapVma next = prev != null ? prev.vmNext : mmap;
        HeapVma area = next;
        if (area != null && area.vmEnd == end) {
            next = next.vmNext; // cases 6, 7, 8
        }
        if (prev != null && prev.vmEnd == addr && canMergeAfter(prev, vmFlags, av, file, pgoff)) {
            HeapVma covered = area != null && area.vmStart == addr && area.vmEnd <= end ? area : null;
            HeapVma shrunk = area != null && area.vmStart == addr && area.vmEnd > end ? area : null;
            if (next != null && end == next.vmStart && canMergeBefore(next, vmFlags, av, file, pgoff + pglen)
                && isMergeableAnonVma(prev.anonVma, next.anonVma, null)) {
                // cases 1, 6: prev absorbs the range and next
                if (importAnonVma(prev, covered != null && covered.anonVma != null ? covered : next) != 0) {
                    return null;
                }
                long newEnd = next.vmEnd;
                if (covered != null) {
                    removeAbsorbed(covered);
                }
                removeAbsorbed(next);
                adjustRange(prev, prev.vmStart, newEnd, prev.vmPgoff);
            } else {
                // cases 2, 5, 7: prev grows to end; area shrinks (5) or goes (7)
                if (importAnonVma(prev, covered != null ? covered : shrunk) != 0) {
                    return null;
                }
                if (covered != null) {
                    removeAbsorbed(covered);
                } else if (shrunk != null) {
                    adjustRange(shrunk, end, shrunk.vmEnd, shrunk.vmPgoff + pglen);
                }
                adjustRange(prev, prev.vmStart, end, prev.vmPgoff);
            }
            return prev;
        }
        if (next != null && end == next.vmStart && canMergeBefore(next, vmFlags, av, file, pgoff + pglen)) {
            if (prev != null && addr < prev.vmEnd) {
                // case 4: prev shrinks to addr, next grows down to addr
                if (importAnonVma(next, prev) != 0) {
                    return null;
                }
                long delta = (prev.vmEnd - addr) >>> PAGE_SHIFT;
                adjustRange(prev, prev.vmStart, addr, prev.vmPgoff);
                adjustRange(next, addr, next.vmEnd, next.vmPgoff - delta);
            } else {
                // cases 3, 8: next grows down to addr, over area in case 8
                HeapVma covered = area != next && area != null && area.vmStart == addr ? area : null;
                if (importAnonVma(next, covered) != 0) {
                    return null;
                }
                if (covered != null) {
                    removeAbsorbed(covered);
                }
                adjustRange(next, addr, next.vmEnd, next.vmPgoff - pglen);
            }
            return next;
        }
        return null;
    }

    /** vm_area_alloc. */
    HeapVma vmAreaAlloc() {
        if (!sys.alloc(HeapMmSystem.VM_AREA)) {
            return null;
        }
        HeapVma v = new HeapVma();
        v.vmMm = this;
        return v;
    }

    /** vm_area_dup. */
    HeapVma vmAreaDup(HeapVma orig) {
        return sys.alloc(HeapMmSystem.VM_AREA) ? new HeapVma(orig) : null;
    }

    void vmAreaFree(HeapVma vma) {
        sys.freed(HeapMmSystem.VM_AREA);
    }

    /** __split_vma: cut vma at addr; the new VMA takes the lower part if newBelow. */
    int splitVma(HeapVma vma, long addr, boolean newBelow) {
        HeapVma n = vmAreaDup(vma);
        if (n == null) {
            return -Errno.ENOMEM;
        }
        if (newBelow) {
            n.vmEnd = addr;
        } else {
            n.vmStart = addr;
            n.vmPgoff += (addr - vma.vmStart) >>> PAGE_SHIFT;
        }
        int err = anonVmaClone(n, vma);
        if (err != 0) {
            vmAreaFree(n);
            return err;
        }
        if (n.vmFile != null) {
            n.vmFile.getLocked();
        }
        if (n.vmOps != null && n.vmOps.hasOpen) {
            n.vmFile.vmOpens++;
        }
        n.shared = null;
        if (newBelow) {
            adjustRange(vma, addr, vma.vmEnd, vma.vmPgoff + ((addr - n.vmStart) >>> PAGE_SHIFT));
        } else {
            adjustRange(vma, vma.vmStart, addr, vma.vmPgoff);
        }
        // __insert_vm_struct
        if (findVmaLinks(n.vmStart, n.vmEnd) != 0) {
            throw new IllegalStateException("split_vma: new area overlaps");
        }
        vmaLinkList(n, linkPrev);
        vmaLinkRb(n, linkParent, linkLeft);
        vmaLinkFile(n);
        mapCount++;
        return 0;
    }

    /** split_vma: __split_vma after the max_map_count check. */
    int splitVmaChecked(HeapVma vma, long addr, boolean newBelow) {
        if (mapCount >= sys.maxMapCount) {
            return -Errno.ENOMEM;
        }
        return splitVma(vma, addr, newBelow);
    }

    // =========================================================================================
    // Accounting (mm/mmap.c vm_stat_account)
    // =========================================================================================

    /** vm_stat_account. */
    void vmStatAccount(long vmFlags, long npages) {
        totalVm += npages;
        if (VmRules.isExecMapping(vmFlags)) {
            execVm += npages;
        } else if (VmRules.isStackMapping(vmFlags)) {
            stackVm += npages;
        } else if (VmRules.isDataMapping(vmFlags)) {
            dataVm += npages;
        }
    }

    // =========================================================================================
    // get_unmapped_area (mm/mmap.c, arch/x86/kernel/sys_x86_64.c)
    // =========================================================================================

    /** unmapped_area_topdown: the highest gap of {@code length} below highLimit, or -ENOMEM. */
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
        long gapStart = highestVmEnd;
        if (gapStart <= highLimit) {
            gapEnd -= len;
            return gapEnd - ((gapEnd - alignOffset) & alignMask);
        }
        HeapVma vma = (HeapVma) mmRb.node();
        if (vma == null || vma.rbSubtreeGap < length) {
            return -Errno.ENOMEM;
        }
        boolean descend = true;
        while (true) {
            if (descend) {
                gapStart = vma.vmPrev != null ? VmRules.vmEndGap(vma.vmPrev.vmEnd, vma.vmPrev.vmFlags) : 0;
                HeapVma right = (HeapVma) vma.right();
                if (gapStart <= highLimit && right != null && right.rbSubtreeGap >= length) {
                    vma = right;
                    continue;
                }
            }
            descend = true;
            // check_current
            gapEnd = VmRules.vmStartGap(vma.vmStart, vma.vmFlags);
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
            HeapVma left = (HeapVma) vma.left();
            if (left != null && left.rbSubtreeGap >= length) {
                vma = left;
                continue;
            }
            while (true) {
                HeapRbNode prev = vma;
                HeapRbNode parent = prev.parent();
                if (parent == null) {
                    return -Errno.ENOMEM;
                }
                vma = (HeapVma) parent;
                if (prev == vma.right()) {
                    gapStart = vma.vmPrev != null ? VmRules.vmEndGap(vma.vmPrev.vmEnd, vma.vmPrev.vmFlags) : 0;
                    descend = false;
                    break;
                }
            }
        }
    }

    /** unmapped_area: the lowest gap of {@code length} above lowLimit, or -ENOMEM. */
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
        HeapVma vma = (HeapVma) mmRb.node();
        if (vma != null && vma.rbSubtreeGap >= length) {
            boolean descend = true;
            search:
            while (true) {
                if (descend) {
                    gapEnd = VmRules.vmStartGap(vma.vmStart, vma.vmFlags);
                    HeapVma left = (HeapVma) vma.left();
                    if (gapEnd >= lowLimit && left != null && left.rbSubtreeGap >= length) {
                        vma = left;
                        continue;
                    }
                    gapStart = vma.vmPrev != null ? VmRules.vmEndGap(vma.vmPrev.vmEnd, vma.vmPrev.vmFlags) : 0;
                } else {
                    gapStart = VmRules.vmEndGap(vma.vmPrev.vmEnd, vma.vmPrev.vmFlags);
                    gapEnd = VmRules.vmStartGap(vma.vmStart, vma.vmFlags);
                }
                descend = true;
                // check_current
                if (gapStart > highLimit) {
                    return -Errno.ENOMEM;
                }
                if (gapEnd >= lowLimit && gapEnd > gapStart && gapEnd - gapStart >= length) {
                    return foundBottomUp(gapStart, lowLimitIn, alignMask, alignOffset);
                }
                HeapVma right = (HeapVma) vma.right();
                if (right != null && right.rbSubtreeGap >= length) {
                    vma = right;
                    continue;
                }
                while (true) {
                    HeapRbNode prev = vma;
                    HeapRbNode parent = prev.parent();
                    if (parent == null) {
                        break search;
                    }
                    vma = (HeapVma) parent;
                    if (prev == vma.left()) {
                        descend = false;
                        break;
                    }
                }
            }
        }
        // check_highest
        gapStart = highestVmEnd;
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
                    HeapVma vma = findVmaRaw(addr);
                    if (vma == null || addr + len <= VmRules.vmStartGap(vma.vmStart, vma.vmFlags)) {
                        result = addr;
                    }
                }
            }
            if (result < 0) {
                result = unmappedAreaTopdown(len, PAGE_SIZE, mmapBase, alignMask, pgoff << PAGE_SHIFT & alignMask);
                if (result < 0) {
                    result = unmappedArea(len, mmapLegacyBase, TASK_SIZE, alignMask, pgoff << PAGE_SHIFT & alignMask);
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
    // mmap, munmap (mm/mmap.c)
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
        HeapFile file = (HeapFile) mf;
        if (len == 0) {
            return -Errno.EINVAL;
        }
        if ((flags & MAP_HUGETLB) != 0) {
            if (file != null) {
                return -Errno.EINVAL; // not a hugetlbfs file
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
            addr &= PAGE_MASK; // round_hint_to_min
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
        if (mapCount > sys.maxMapCount) {
            return -Errno.ENOMEM;
        }
        addr = getUnmappedArea(addr, len, pgoff, flags);
        if (addr < 0) {
            return addr;
        }
        if ((flags & MAP_FIXED_NOREPLACE) != 0) {
            HeapVma vma = findVmaRaw(addr);
            if (vma != null && vma.vmStart < addr + len) {
                return -Errno.EEXIST;
            }
        }
        long vmFlags = VmRules.calcVmProtBits(prot) | VmRules.calcVmFlagBits(flags) | defFlags
            | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
        if (file != null) {
            switch (flags & MAP_TYPE) {
                case MAP_SHARED_VALIDATE:
                    if ((flags & ~LEGACY_MAP_MASK) != 0) {
                        return -Errno.EOPNOTSUPP;
                    }
                    // fall through
                case MAP_SHARED:
                    if ((prot & PROT_WRITE) != 0 && !file.fmodeWrite) {
                        return -Errno.EACCES;
                    }
                    vmFlags |= VM_SHARED | VM_MAYSHARE;
                    if (!file.fmodeWrite) {
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
                vmFlags |= VM_HUGETLB | VM_DONTEXPAND; // what hugetlbfs_file_mmap sets
            }
        }
        if ((flags & MAP_NORESERVE) != 0 && sys.overcommitMode() != Overcommit.OVERCOMMIT_NEVER) {
            vmFlags |= VM_NORESERVE;
        }
        return mmapRegion(file, addr, len, vmFlags, pgoff);
    }

    /** mmap_region. */
    long mmapRegion(HeapFile file, long addr, long len, long vmFlags, long pgoff) {
        // munmap_vma_range: clear any old mapping in the way
        if (findVmaLinks(addr, addr + len) != 0) {
            if (doMunmap(addr, len) != 0) {
                return -Errno.ENOMEM;
            }
            findVmaLinks(addr, addr + len);
        }
        long charged = 0;
        if (VmRules.accountableMapping(vmFlags)) {
            charged = len >>> PAGE_SHIFT;
            if (sys.overcommit().vmEnoughMemory(charged, totalVm) != 0) {
                return -Errno.ENOMEM;
            }
            vmFlags |= VM_ACCOUNT;
        }
        HeapVma prev = linkPrev;
        HeapVma vma = vmaMerge(prev, addr, addr + len, vmFlags, null, file, pgoff);
        if (vma == null) {
            vma = vmAreaAlloc();
            if (vma == null) {
                sys.overcommit().vmUnacctMemory(charged);
                return -Errno.ENOMEM;
            }
            vma.vmStart = addr;
            vma.vmEnd = addr + len;
            vma.vmFlags = vmFlags;
            vma.vmPageProt = vmFlags & 0xf;
            vma.vmPgoff = pgoff;
            if (file != null) {
                if ((vmFlags & VM_DENYWRITE) != 0 && file.iWritecount > 0) {
                    vmAreaFree(vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.ETXTBSY; // deny_write_access
                }
                if ((vmFlags & VM_SHARED) != 0 && file.iMmapWritable < 0) {
                    vmAreaFree(vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.EPERM; // mapping_map_writable
                }
                file.getLocked();
                vma.vmFile = file;
                vma.vmOps = file.vmOps; // call_mmap
                if (file.vmOps.hasOpen) {
                    file.vmOpens++;
                }
            } else if ((vmFlags & VM_SHARED) != 0) {
                // shmem_zero_setup: shared anonymous memory is a deleted /dev/zero shmem file
                HeapFile shm = sys.shmemFile();
                if (shm == null) {
                    vmAreaFree(vma);
                    sys.overcommit().vmUnacctMemory(charged);
                    return -Errno.ENOMEM;
                }
                vma.vmFile = shm;
                vma.vmOps = shm.vmOps;
            }
            findVmaLinks(addr, addr + len);
            vmaLink(vma);
        }
        vmStatAccount(vmFlags, len >>> PAGE_SHIFT);
        if ((vmFlags & VM_LOCKED) != 0) {
            if ((vmFlags & VM_SPECIAL) != 0 || (vmFlags & VM_HUGETLB) != 0) {
                vma.vmFlags &= VM_LOCKED_CLEAR_MASK;
            } else {
                lockedVm += len >>> PAGE_SHIFT;
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

    /** __do_munmap. */
    int doMunmap(long start, long len) {
        if (offsetInPage(start) != 0 || start > TASK_SIZE || len > TASK_SIZE - start) {
            return -Errno.EINVAL;
        }
        len = pageAlign(len);
        long end = start + len;
        if (len == 0) {
            return -Errno.EINVAL;
        }
        HeapVma vma = findVmaRaw(start);
        if (vma == null) {
            return 0;
        }
        HeapVma prev = vma.vmPrev;
        if (vma.vmStart >= end) {
            return 0;
        }
        if (start > vma.vmStart) {
            if (end < vma.vmEnd && mapCount >= sys.maxMapCount) {
                return -Errno.ENOMEM;
            }
            int err = splitVma(vma, start, false);
            if (err != 0) {
                return err;
            }
            prev = vma;
        }
        HeapVma last = findVmaRaw(end);
        if (last != null && end > last.vmStart) {
            int err = splitVma(last, end, true);
            if (err != 0) {
                return err;
            }
        }
        vma = prev != null ? prev.vmNext : mmap;
        if (lockedVm != 0) {
            for (HeapVma t = vma; t != null && t.vmStart < end; t = t.vmNext) {
                if ((t.vmFlags & VM_LOCKED) != 0) {
                    lockedVm -= t.pages();
                }
            }
        }
        // detach_vmas_to_be_unmapped, unmap_region, remove_vma_list
        long nrAccounted = 0;
        while (vma != null && vma.vmStart < end) {
            HeapVma next = vma.vmNext;
            vmaUnlink(vma);
            mapCount--;
            if ((vma.vmFlags & VM_ACCOUNT) != 0) {
                nrAccounted += vma.pages();
            }
            vmStatAccount(vma.vmFlags, -vma.pages());
            freePgtablesHook(vma);
            removeVma(vma);
            vma = next;
        }
        sys.overcommit().vmUnacctMemory(nrAccounted);
        return 0;
    }

    /** free_pgtables' part that the model keeps: unlink_anon_vmas and unlink_file_vma. */
    void freePgtablesHook(HeapVma vma) {
        unlinkAnonVmas(vma);
        unlinkFileVma(vma);
    }

    /** remove_vma: vm_ops->close, fput, mpol_put, vm_area_free. */
    HeapVma removeVma(HeapVma vma) {
        HeapVma next = vma.vmNext;
        if (vma.vmOps != null && vma.vmOps.hasOpen) {
            vma.vmFile.vmOpens--;
        }
        if (vma.vmFile != null) {
            vma.vmFile.fputLocked();
        }
        vmAreaFree(vma);
        return next;
    }

    // =========================================================================================
    // mprotect, madvise, mlock: the shared "fixup" walk
    // =========================================================================================

    private static final int OP_MPROTECT = 0;
    private static final int OP_MADVISE = 1;
    private static final int OP_MLOCK = 2;

    /** mprotect_fixup / madvise_behavior / mlock_fixup: merge or split, then set the flags. */
    private int fixup(int op, HeapVma vma, long start, long end, long newFlags) {
        long oldFlags = vma.vmFlags;
        long nrPages = (end - start) >>> PAGE_SHIFT;
        if (newFlags == oldFlags) {
            pprev = vma;
            return 0;
        }
        if (op == OP_MLOCK && ((oldFlags & VM_SPECIAL) != 0 || (oldFlags & VM_HUGETLB) != 0)) {
            pprev = vma; // mlock leaves special and hugetlb areas alone
            return 0;
        }
        long charged = 0;
        if (op == OP_MPROTECT && (newFlags & VM_WRITE) != 0
            && (oldFlags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)) == 0) {
            charged = nrPages;
            if (sys.overcommit().vmEnoughMemory(charged, totalVm) != 0) {
                return -Errno.ENOMEM;
            }
            newFlags |= VM_ACCOUNT;
        }
        long pgoff = vma.vmPgoff + ((start - vma.vmStart) >>> PAGE_SHIFT);
        HeapVma merged = vmaMerge(pprev, start, end, newFlags, vma.anonVma, vma.vmFile, pgoff);
        if (merged != null) {
            vma = merged;
            pprev = merged;
        } else {
            pprev = vma;
            int err = 0;
            if (start != vma.vmStart) {
                err = op == OP_MADVISE ? splitVmaChecked(vma, start, true) : splitVma(vma, start, true);
            }
            if (err == 0 && end != vma.vmEnd) {
                err = op == OP_MADVISE ? splitVmaChecked(vma, end, false) : splitVma(vma, end, false);
            }
            if (err != 0) {
                sys.overcommit().vmUnacctMemory(charged);
                return op == OP_MADVISE && err == -Errno.ENOMEM ? -Errno.EAGAIN : err;
            }
        }
        // success
        if (op == OP_MLOCK) {
            long n = nrPages;
            if ((newFlags & VM_LOCKED) == 0) {
                n = -n;
            } else if ((oldFlags & VM_LOCKED) != 0) {
                n = 0;
            }
            lockedVm += n;
        }
        vma.vmFlags = newFlags;
        vma.vmPageProt = newFlags & 0xf;
        if (op == OP_MPROTECT) {
            vmStatAccount(oldFlags, -nrPages);
            vmStatAccount(newFlags, nrPages);
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
            return -Errno.EINVAL; // the PROT_GROWS* forms are not modelled
        }
        HeapVma vma = findVmaRaw(start);
        if (vma == null || vma.vmStart > start) {
            return -Errno.ENOMEM;
        }
        pprev = vma.vmPrev;
        if (start > vma.vmStart) {
            pprev = vma;
        }
        long nstart = start;
        while (true) {
            long newFlags = VmRules.calcVmProtBits(prot) | (vma.vmFlags & ~(VM_READ | VM_WRITE | VM_EXEC));
            if ((newFlags & ~(newFlags >>> 4) & (VM_READ | VM_WRITE | VM_EXEC)) != 0) {
                return -Errno.EACCES; // no VM_MAY* for it
            }
            long tmp = Math.min(vma.vmEnd, end);
            int err = fixup(OP_MPROTECT, vma, nstart, tmp, newFlags);
            if (err != 0) {
                return err;
            }
            nstart = tmp;
            if (nstart < pprev.vmEnd) {
                nstart = pprev.vmEnd;
            }
            if (nstart >= end) {
                return 0;
            }
            vma = pprev.vmNext;
            if (vma == null || vma.vmStart != nstart) {
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
        HeapVma vma = findVmaRaw(start);
        pprev = vma != null ? vma.vmPrev : null;
        if (vma == null) {
            // find_vma_prev's prev when nothing lies above: the last VMA
            pprev = null;
        }
        if (vma != null && start > vma.vmStart) {
            pprev = vma;
        }
        int unmappedError = 0;
        while (true) {
            if (vma == null) {
                return -Errno.ENOMEM;
            }
            if (start < vma.vmStart) {
                unmappedError = -Errno.ENOMEM;
                start = vma.vmStart;
                if (start >= end) {
                    return unmappedError;
                }
            }
            long tmp = Math.min(vma.vmEnd, end);
            long newFlags = vma.vmFlags;
            switch (behavior) {
                case MADV_DONTFORK:
                    newFlags |= VM_DONTCOPY;
                    break;
                case MADV_DOFORK:
                    if ((vma.vmFlags & VM_IO) != 0) {
                        return -Errno.EINVAL;
                    }
                    newFlags &= ~VM_DONTCOPY;
                    break;
                case MADV_WIPEONFORK:
                    if (vma.vmFile != null || (vma.vmFlags & VM_SHARED) != 0) {
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
            if (pprev != null && start < pprev.vmEnd) {
                start = pprev.vmEnd;
            }
            if (start >= end) {
                return unmappedError;
            }
            vma = pprev != null ? pprev.vmNext : findVmaRaw(start);
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

    /** do_mlock / apply_vma_lock_flags (RLIMIT_MEMLOCK is unlimited in the model). */
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
        HeapVma vma = findVmaRaw(start);
        if (vma == null || vma.vmStart > start) {
            return -Errno.ENOMEM;
        }
        pprev = vma.vmPrev;
        if (start > vma.vmStart) {
            pprev = vma;
        }
        long nstart = start;
        while (true) {
            long newFlags = (vma.vmFlags & VM_LOCKED_CLEAR_MASK) | lockFlags;
            long tmp = Math.min(vma.vmEnd, end);
            int err = fixup(OP_MLOCK, vma, nstart, tmp, newFlags);
            if (err != 0) {
                return err;
            }
            nstart = tmp;
            if (nstart < pprev.vmEnd) {
                nstart = pprev.vmEnd;
            }
            if (nstart >= end) {
                return 0;
            }
            vma = pprev.vmNext;
            if (vma == null || vma.vmStart != nstart) {
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
        HeapVma vma = findVmaRaw(addr);
        if (vma == null || vma.vmStart > addr) {
            return -Errno.EFAULT;
        }
        if (vma.anonVma != null || (vma.vmFlags & VM_SHARED) != 0) {
            return 0;
        }
        return anonVmaPrepare(vma);
    }

    // =========================================================================================
    // dup_mm, dup_mmap (kernel/fork.c)
    // =========================================================================================

    /** mm_init: fresh refcounts, lists, counters and flags; the pgd; the user_ns reference. */
    HeapMm mmInit(Object owner, Object userNs, HeapMm current) {
        mmap = null; // mm_rb: this twin's root object is fresh and empty
        vmacacheSeqnum = 0;
        mmUsers = 1;
        mmCount = 1;
        pgtablesBytes = 0;
        mapCount = 0;
        lockedVm = 0;
        pinnedVm = 0;
        java.util.Arrays.fill(rssStat, 0);
        this.owner = owner;
        exeFile = null;
        if (current != null) {
            flags = current.flags & MmFlags.MMF_INIT_MASK;
            defFlags = current.defFlags & VM_INIT_DEF_MASK;
        } else {
            flags = MmFlags.MMF_DUMP_FILTER_DEFAULT;
            defFlags = 0;
        }
        // mm_alloc_pgd
        if (!sys.alloc(HeapMmSystem.PGD)) {
            sys.freed(HeapMmSystem.MM);
            return null;
        }
        pgd = new long[512];
        this.userNs = sys.getUserNs(userNs);
        return this;
    }


    /**
     * dup_mm: allocate, memcpy, mm_init, dup_mmap; on failure the half-built mm is torn down with
     * mmput and null is returned with the errno in {@code err[0]}.
     */
    HeapMm dupMm(Object task, DupMode mode, int[] err) {
        if (!sys.alloc(HeapMmSystem.MM)) {
            err[0] = -Errno.ENOMEM;
            return null;
        }
        HeapMm mm = new HeapMm(this);
        if (mm.mmInit(task, mm.userNs, this) == null) {
            err[0] = -Errno.ENOMEM;
            return null;
        }
        int e = mm.dupMmap(this, mode);
        if (e != 0) {
            mm.binfmt = null;
            mm.owner = null;
            mm.mmput();
            err[0] = e;
            return null;
        }
        mm.hiwaterRss = mm.rssStat[0] + mm.rssStat[1] + mm.rssStat[3];
        mm.hiwaterVm = mm.totalVm;
        return mm;
    }

    /** dup_mmap: copy every VMA of oldmm (the 5.12 loop; see the class doc of DupMode for the modes). */
    int dupMmap(HeapMm oldmm, DupMode mode) {
        // mmap_write_lock_killable(oldmm): uncontended here, so it never fails
        exeFile = oldmm.getExeFileRaw();
        totalVm = oldmm.totalVm;
        dataVm = oldmm.dataVm;
        execVm = oldmm.execVm;
        stackVm = oldmm.stackVm;
        boolean structural = mode == DupMode.STRUCTURAL;
        if (structural) {
            for (HeapVma m = oldmm.mmap; m != null; m = m.vmNext) {
                if ((m.vmFlags & VM_DONTCOPY) != 0) {
                    structural = false; // shapes differ: link as the kernel does
                    break;
                }
            }
        }
        HeapRbNode rbParent = null;
        HeapVma prev = null;
        int retval = 0;
        // ksm_fork and khugepaged_fork: hooks with nothing to do (no KSM, no THP scanning)
        for (HeapVma mpnt = oldmm.mmap; mpnt != null; mpnt = mpnt.vmNext) {
            if ((mpnt.vmFlags & VM_DONTCOPY) != 0) {
                vmStatAccount(mpnt.vmFlags, -mpnt.pages());
                continue;
            }
            long charge = 0;
            if (sys.fatalSignalPending) {
                retval = -Errno.EINTR;
                break;
            }
            if ((mpnt.vmFlags & VM_ACCOUNT) != 0) {
                long len = mpnt.pages();
                if (sys.overcommit().vmEnoughMemory(len, oldmm.totalVm) != 0) {
                    retval = -Errno.ENOMEM;
                    break;
                }
                charge = len;
            }
            HeapVma tmp = vmAreaDup(mpnt);
            if (tmp == null) {
                sys.overcommit().vmUnacctMemory(charge);
                retval = -Errno.ENOMEM;
                break;
            }
            // vma_dup_policy: no policies; dup_userfaultfd: no userfaultfd contexts
            tmp.vmMm = this;
            if ((tmp.vmFlags & VM_WIPEONFORK) != 0) {
                tmp.anonVma = null;
            } else if (anonVmaFork(tmp, mpnt) != 0) {
                vmAreaFree(tmp);
                sys.overcommit().vmUnacctMemory(charge);
                retval = -Errno.ENOMEM;
                break;
            }
            tmp.vmFlags &= ~(VM_LOCKED | VM_LOCKONFAULT);
            HeapFile file = tmp.vmFile;
            if (file != null) {
                file.getLocked();
                if ((tmp.vmFlags & VM_DENYWRITE) != 0) {
                    file.iWritecount--;
                }
                if ((tmp.vmFlags & VM_SHARED) != 0) {
                    file.iMmapWritable++;
                }
                tmp.shared = new HeapVma.Shared(tmp);
                HeapIntervalTree.insertAfter(tmp.shared, mpnt.shared, file.iMmap);
            }
            if ((tmp.vmFlags & VM_HUGETLB) != 0) {
                tmp.vmPrivateData = null; // reset_vma_resv_huge_pages
                sys.hugetlbResets++;
            }
            // link into the list; into the tree by the append trick (or later, structurally)
            if (prev != null) {
                prev.vmNext = tmp;
            } else {
                mmap = tmp;
            }
            tmp.vmPrev = prev;
            prev = tmp;
            if (structural) {
                mpnt.forkCopy = tmp;
            } else {
                vmaLinkRb(tmp, rbParent, false);
                rbParent = tmp;
            }
            mapCount++;
            if ((tmp.vmFlags & VM_WIPEONFORK) == 0) {
                sys.copyPageRange++;
            }
            if (tmp.vmOps != null && tmp.vmOps.hasOpen) {
                tmp.vmFile.vmOpens++;
            }
        }
        if (structural) {
            if (retval == 0) {
                HeapRbTree.cloneStructure(oldmm.mmRb, mmRb, n -> ((HeapVma) n).forkCopy, GAP);
                highestVmEnd = oldmm.highestVmEnd;
            }
            for (HeapVma m = oldmm.mmap; m != null; m = m.vmNext) {
                m.forkCopy = null;
            }
        }
        return retval;
    }

    // =========================================================================================
    // Lifetime (kernel/fork.c, mm/mmap.c exit_mmap)
    // =========================================================================================

    /** exit_mmap: tear down every VMA, its anon_vma chains and file references. */
    void exitMmap() {
        HeapVma vma = mmap;
        if (vma == null) {
            return;
        }
        long nrAccounted = 0;
        for (HeapVma v = vma; v != null; v = v.vmNext) {
            freePgtablesHook(v);
        }
        while (vma != null) {
            if ((vma.vmFlags & VM_ACCOUNT) != 0) {
                nrAccounted += vma.pages();
            }
            vma = removeVma(vma);
        }
        sys.overcommit().vmUnacctMemory(nrAccounted);
    }

    /** __mmput. */
    void mmputFinal() {
        exitMmap();
        setExeFile(null);
        binfmt = null;
        mmdrop();
    }

    @Override
    public void mmget() {
        sys.bkl.lock();
        try {
            mmgetLocked();
        } finally {
            sys.bkl.unlock();
        }
    }

    private void mmgetLocked() {
        mmUsers++;
    }

    @Override
    public void mmput() {
        sys.bkl.lock();
        try {
            mmputLocked();
        } finally {
            sys.bkl.unlock();
        }
    }

    private void mmputLocked() {
        if (mmUsers <= 0) {
            throw new IllegalStateException("mmput: mm_users is already " + mmUsers);
        }
        if (--mmUsers == 0) {
            mmputFinal();
        }
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
        if (mmUsers <= 0) {
            throw new IllegalStateException("mmput_async: mm_users is already " + mmUsers);
        }
        if (--mmUsers == 0) {
            sys.workQueue().schedule(() -> sys.locked(this::mmputFinal));
        }
    }

    @Override
    public void mmgrab() {
        sys.bkl.lock();
        try {
            mmgrabLocked();
        } finally {
            sys.bkl.unlock();
        }
    }

    private void mmgrabLocked() {
        mmCount++;
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
        if (mmCount <= 0) {
            throw new IllegalStateException("mmdrop: mm_count is already " + mmCount);
        }
        if (--mmCount == 0) {
            mmdropFinal();
        }
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
        if (mmCount <= 0) {
            throw new IllegalStateException("mmdrop_async: mm_count is already " + mmCount);
        }
        if (--mmCount == 0) {
            sys.workQueue().schedule(() -> sys.locked(this::mmdropFinal));
        }
    }

    /** __mmdrop: free the pgd, check_mm, put the user_ns, free the mm. */
    void mmdropFinal() {
        if (this == sys.initMmIfBuilt()) {
            throw new IllegalStateException("BUG: __mmdrop(&init_mm)");
        }
        if (pgd != null) {
            pgd = null;
            sys.freed(HeapMmSystem.PGD);
        }
        checkMm();
        sys.putUserNs(userNs);
        userNs = null;
        sys.freed(HeapMmSystem.MM);
    }

    private static final String[] RESIDENT_PAGE_TYPES = {"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES"};

    /** check_mm: non-zero rss counters and page-table bytes are reported, never silently. */
    void checkMm() {
        for (int i = 0; i < rssStat.length; i++) {
            if (rssStat[i] != 0) {
                sys.log().alert("BUG: Bad rss-counter state mm:" + Integer.toHexString(System.identityHashCode(this))
                    + " type:" + RESIDENT_PAGE_TYPES[i] + " val:" + rssStat[i]);
            }
        }
        if (pgtablesBytes != 0) {
            sys.log().alert("BUG: non-zero pgtables_bytes on freeing mm: " + pgtablesBytes);
        }
    }

    /** Test hook: set an rss counter (MM_FILEPAGES=0 ...), as a page-table bug would leave it. */
    public void setRssCounter(int type, long value) {
        rssStat[type] = value;
    }

    /** Test hook: set pgtables_bytes. */
    public void setPgtablesBytes(long value) {
        pgtablesBytes = value;
    }

    HeapFile getExeFileRaw() {
        HeapFile f = exeFile;
        if (f != null) {
            f.getLocked();
        }
        return f;
    }

    @Override
    public void setExeFile(MappedFile newExe) {
        sys.bkl.lock();
        try {
            setExeFileLocked(newExe);
        } finally {
            sys.bkl.unlock();
        }
    }

    private void setExeFileLocked(MappedFile newExe) {
        HeapFile old = exeFile;
        if (newExe != null) {
            ((HeapFile) newExe).getLocked();
        }
        exeFile = (HeapFile) newExe;
        if (old != null) {
            old.fputLocked();
        }
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
        return getExeFileRaw();
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
        int[] err = new int[1];
        HeapMm mm = dupMm(null, mode, err);
        if (mm == null) {
            throw new KernelException("dup_mm", -err[0]);
        }
        return mm;
    }

    // =========================================================================================
    // Views and validation
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
        HeapVma v = findVmaRaw(addr);
        return v == null ? null : info(v);
    }

    static VmaInfo info(HeapVma v) {
        return new VmaInfo(v.vmStart, v.vmEnd, v.vmFlags, v.vmPgoff, v.vmFile == null ? null : v.vmFile.path,
            v.anonVma != null);
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
        for (HeapVma v = mmap; v != null; v = v.vmNext) {
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
        for (HeapVma v = mmap; v != null; v = v.vmNext) {
            sb.append(VmRules.mapsLine(v.vmStart, v.vmEnd, v.vmFlags, v.vmPgoff, v.vmFile == null ? 0 : v.vmFile.ino,
                v.vmFile == null ? VmRules.anonName(v.vmFlags) : v.vmFile.path));
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
        int n = HeapRbTree.validate(mmRb);
        GAP.validate(mmRb);
        HeapVma prev = null;
        long total = 0;
        long data = 0;
        long exec = 0;
        long stack = 0;
        long locked = 0;
        int count = 0;
        for (HeapRbNode rb = HeapRbTree.first(mmRb); rb != null; rb = HeapRbTree.next(rb)) {
            HeapVma v = (HeapVma) rb;
            check(v.vmPrev == prev, "vm_prev of " + v + " is not " + prev);
            check(prev == null ? mmap == v : prev.vmNext == v, "list and tree disagree at " + v);
            check(v.vmStart < v.vmEnd && offsetInPage(v.vmStart) == 0 && offsetInPage(v.vmEnd) == 0, "bad range " + v);
            check(prev == null || prev.vmEnd <= v.vmStart, "overlap at " + v);
            long p = v.pages();
            total += p;
            if (VmRules.isExecMapping(v.vmFlags)) {
                exec += p;
            } else if (VmRules.isStackMapping(v.vmFlags)) {
                stack += p;
            } else if (VmRules.isDataMapping(v.vmFlags)) {
                data += p;
            }
            if ((v.vmFlags & VM_LOCKED) != 0) {
                locked += p;
            }
            int chain = 0;
            boolean ownFound = v.anonVma == null;
            for (HeapAnonVmaChain avc = v.chainFirst; avc != null; avc = avc.sameNext) {
                check(avc.vma == v, "avc of " + v + " points elsewhere");
                ownFound |= avc.anonVma == v.anonVma;
                HeapIntervalTree.validate(avc.anonVma.rbRoot);
                chain++;
            }
            check(ownFound, "anon_vma of " + v + " is not on its chain");
            if (v.vmFile != null) {
                check(v.vmFile.fCount > 0, "file of " + v + " is freed");
                check(v.shared != null, "file VMA " + v + " not in i_mmap");
            }
            prev = v;
            count++;
        }
        check(n == count && count == mapCount, "map_count " + mapCount + " but " + count + " VMAs");
        check(highestVmEnd == (prev == null ? highestVmEnd : VmRules.vmEndGap(prev.vmEnd, prev.vmFlags)),
            "highest_vm_end " + Long.toHexString(highestVmEnd));
        check(total == totalVm, "total_vm " + totalVm + " != " + total);
        check(data == dataVm, "data_vm " + dataVm + " != " + data);
        check(exec == execVm, "exec_vm " + execVm + " != " + exec);
        check(stack == stackVm, "stack_vm " + stackVm + " != " + stack);
        check(locked == lockedVm, "locked_vm " + lockedVm + " != " + locked);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("mm validate: " + what);
        }
    }

    @Override
    public int mmUsers() {
        return mmUsers;
    }

    @Override
    public int mmCount() {
        return mmCount;
    }

    @Override
    public int mapCount() {
        return mapCount;
    }

    @Override
    public long totalVm() {
        return totalVm;
    }

    @Override
    public long dataVm() {
        return dataVm;
    }

    @Override
    public long execVm() {
        return execVm;
    }

    @Override
    public long stackVm() {
        return stackVm;
    }

    @Override
    public long lockedVm() {
        return lockedVm;
    }

    @Override
    public long hiwaterVm() {
        return hiwaterVm;
    }

    @Override
    public long highestVmEnd() {
        return highestVmEnd;
    }

    @Override
    public long vmacacheSeqnum() {
        return vmacacheSeqnum;
    }

    @Override
    public long flags() {
        return flags;
    }

    @Override
    public void setFlags(long f) {
        flags = f;
    }
}
