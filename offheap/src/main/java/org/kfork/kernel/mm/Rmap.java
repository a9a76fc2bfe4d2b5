package org.kfork.kernel.mm;

import static org.kfork.kernel.mm.MmTypes.anonVma;
import static org.kfork.machine.Mem.getAndAddInt;
import static org.kfork.machine.Mem.getInt;
import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putInt;
import static org.kfork.machine.Mem.putLong;

import org.kfork.ds.IntrusiveList;
import org.kfork.kernel.struct.VmAreaStruct;
import org.kfork.mm.MmDebug;
import org.kfork.uapi.Errno;

/**
 * The anon_vma half of 5.12 mm/rmap.c that mmap, fork and exit exercise: anon_vma_alloc,
 * anon_vma_chain_link, __anon_vma_prepare, anon_vma_clone, anon_vma_fork, unlink_anon_vmas and
 * put_anon_vma, over {@code struct anon_vma} and {@code struct anon_vma_chain} from their slab
 * caches. Static over modeled addresses; the caller holds the system's big lock, which stands for
 * the anon_vma root's rwsem. The heap twin is {@link org.kfork.heap.mm.HeapRmap}.
 *
 * <p>Invariants kept (the chain checks of {@link #validateChain} and the counts that
 * OffHeapMmTest pins):
 * <ul>
 *   <li>Every anon_vma_chain on a VMA's {@code anon_vma_chain} list points back to that VMA and
 *       sits in the interval tree ({@code rb_root}) of its anon_vma, keyed by the VMA's page range
 *       [vm_pgoff, vm_pgoff + pages - 1]; each such tree is ordered by start and its
 *       {@code rb_subtree_last} values are subtree maxima.</li>
 *   <li>A VMA with an anon_vma has a chain to it on its list, plus one to each anon_vma of the
 *       ancestors whose pages it may share (the fork history).</li>
 *   <li>{@code degree} counts the VMAs whose anon_vma it is and the anon_vmas whose parent it is
 *       (a new root counts its own self-parent link): an anon_vma of degree below 2 has no VMA or
 *       one child, so anon_vma_clone may reuse it.</li>
 *   <li>{@code refcount}: one for the anon_vma itself, and a root holds one more for each other
 *       anon_vma of its family; the last put frees it and puts its root.</li>
 * </ul>
 */
public final class Rmap {
    private Rmap() {
    }

    /** anon_vma_alloc: refcount 1, degree 1 (a new root's self-parent link), its own root and parent; 0 without memory. */
    static long anonVmaAlloc(OffHeapMmSystem sys) {
        long a = sys.allocAnonVma();
        if (a == 0) {
            return 0;
        }
        putInt(a + AnonVmaStruct.REFCOUNT, 1);
        putInt(a + AnonVmaStruct.DEGREE, 1);
        putLong(a + AnonVmaStruct.PARENT, a);
        putLong(a + AnonVmaStruct.ROOT, a);
        return a;
    }

    /** anon_vma_free. */
    static void anonVmaFree(OffHeapMmSystem sys, long a) {
        sys.freeAnonVma(a);
    }

    /** anon_vma_chain_alloc; 0 without memory. */
    static long anonVmaChainAlloc(OffHeapMmSystem sys) {
        return sys.allocAvc();
    }

    /** anon_vma_chain_free. */
    static void anonVmaChainFree(OffHeapMmSystem sys, long avc) {
        sys.freeAvc(avc);
    }

    /** anon_vma_chain_link: the chain joins the VMA's list (at the head) and the anon_vma's tree. */
    static void anonVmaChainLink(long vma, long avc, long a) {
        putLong(avc + AnonVmaChainStruct.VMA, vma);
        putLong(avc + AnonVmaChainStruct.ANON_VMA, a);
        IntrusiveList.add(avc + AnonVmaChainStruct.SAME_VMA, vma + VmAreaStruct.ANON_VMA_CHAIN);
        AnonVmaIntervalTree.insert(avc, a + AnonVmaStruct.RB_ROOT);
    }

    /** container_of(entry, struct anon_vma_chain, same_vma). */
    static long avcOfEntry(long entry) {
        return entry - AnonVmaChainStruct.SAME_VMA;
    }

    /** list_is_singular(&vma->anon_vma_chain): the VMA links to its own anon_vma only. */
    static boolean chainSingular(long vma) {
        long head = vma + VmAreaStruct.ANON_VMA_CHAIN;
        long first = IntrusiveList.next(head);
        return first != head && IntrusiveList.next(first) == head;
    }

    private static void degreeAdd(long a, int d) {
        putInt(a + AnonVmaStruct.DEGREE, getInt(a + AnonVmaStruct.DEGREE) + d);
    }

    /**
     * __anon_vma_prepare, the first write fault of a private area: the VMA gets an anon_vma, a
     * neighbour's when find_mergeable_anon_vma finds one, else a new one. 0 or -ENOMEM.
     */
    static int anonVmaPrepare(OffHeapMmSystem sys, long vma) {
        long avc = anonVmaChainAlloc(sys);
        if (avc == 0) {
            return -Errno.ENOMEM;
        }
        long a = VmaMerge.findMergeableAnonVma(vma);
        if (a == 0) {
            a = anonVmaAlloc(sys);
            if (a == 0) {
                anonVmaChainFree(sys, avc);
                return -Errno.ENOMEM;
            }
        }
        putLong(vma + VmAreaStruct.ANON_VMA, a);
        anonVmaChainLink(vma, avc, a);
        degreeAdd(a, 1); // the VMA's reference, or the self-parent link of a new root
        return 0;
    }

    /**
     * anon_vma_clone: {@code dst} gets a chain to every anon_vma of {@code src}, walking src's list
     * from its tail (the root first), and reuses one of degree below 2 as its own (only when src has
     * an anon_vma and it is not src's). On -ENOMEM what was linked is unlinked again.
     */
    static int anonVmaClone(OffHeapMmSystem sys, long dst, long src) {
        long head = src + VmAreaStruct.ANON_VMA_CHAIN;
        for (long e = IntrusiveList.prev(head); e != head; e = IntrusiveList.prev(e)) {
            long pavc = avcOfEntry(e);
            long avc = anonVmaChainAlloc(sys); // GFP_NOWAIT first
            if (avc == 0) {
                avc = anonVmaChainAlloc(sys); // then GFP_KERNEL, with the root lock dropped
                if (avc == 0) {
                    putLong(dst + VmAreaStruct.ANON_VMA, 0);
                    unlinkAnonVmas(sys, dst);
                    return -Errno.ENOMEM;
                }
            }
            long a = getLong(pavc + AnonVmaChainStruct.ANON_VMA);
            anonVmaChainLink(dst, avc, a);
            if (anonVma(dst) == 0 && anonVma(src) != 0 && a != anonVma(src) && getInt(a + AnonVmaStruct.DEGREE) < 2) {
                putLong(dst + VmAreaStruct.ANON_VMA, a);
            }
        }
        if (anonVma(dst) != 0) {
            degreeAdd(anonVma(dst), 1);
        }
        return 0;
    }

    /**
     * anon_vma_fork: the child VMA links to the parent's anon_vmas and gets one of its own, whose
     * parent is the parent VMA's anon_vma and whose root is that one's root (which it holds a
     * reference on). 0 or -ENOMEM, with nothing left linked.
     */
    public static int anonVmaFork(OffHeapMmSystem sys, long vma, long pvma) {
        long pav = anonVma(pvma);
        if (pav == 0) {
            return 0;
        }
        putLong(vma + VmAreaStruct.ANON_VMA, 0);
        int error = anonVmaClone(sys, vma, pvma);
        if (error != 0) {
            return error;
        }
        if (anonVma(vma) != 0) {
            return 0; // an existing anon_vma was reused
        }
        long a = anonVmaAlloc(sys);
        if (a == 0) {
            unlinkAnonVmas(sys, vma);
            return -Errno.ENOMEM;
        }
        long avc = anonVmaChainAlloc(sys);
        if (avc == 0) {
            putAnonVma(sys, a);
            unlinkAnonVmas(sys, vma);
            return -Errno.ENOMEM;
        }
        long root = getLong(pav + AnonVmaStruct.ROOT);
        putLong(a + AnonVmaStruct.ROOT, root);
        putLong(a + AnonVmaStruct.PARENT, pav);
        getAndAddInt(root + AnonVmaStruct.REFCOUNT, 1); // get_anon_vma(root)
        putLong(vma + VmAreaStruct.ANON_VMA, a);
        anonVmaChainLink(vma, avc, a);
        degreeAdd(pav, 1);
        return 0;
    }

    /**
     * unlink_anon_vmas: every chain leaves its anon_vma's tree; a chain whose anon_vma still has
     * other chains is freed at once, the rest (an emptied anon_vma, whose parent loses a degree)
     * in a second pass that puts those anon_vmas.
     */
    public static void unlinkAnonVmas(OffHeapMmSystem sys, long vma) {
        long head = vma + VmAreaStruct.ANON_VMA_CHAIN;
        long e = IntrusiveList.next(head);
        while (e != head) {
            long next = IntrusiveList.next(e);
            long avc = avcOfEntry(e);
            long a = getLong(avc + AnonVmaChainStruct.ANON_VMA);
            AnonVmaIntervalTree.remove(avc, a + AnonVmaStruct.RB_ROOT);
            if (getLong(a + AnonVmaStruct.RB_ROOT) == 0) {
                degreeAdd(getLong(a + AnonVmaStruct.PARENT), -1); // keep the avc: the second pass puts a
            } else {
                IntrusiveList.del(e);
                anonVmaChainFree(sys, avc);
            }
            e = next;
        }
        if (anonVma(vma) != 0) {
            degreeAdd(anonVma(vma), -1);
        }
        e = IntrusiveList.next(head);
        while (e != head) {
            long next = IntrusiveList.next(e);
            long avc = avcOfEntry(e);
            long a = getLong(avc + AnonVmaChainStruct.ANON_VMA);
            if (getInt(a + AnonVmaStruct.DEGREE) != 0) {
                sys.log().warn("unlink_anon_vmas: anon_vma degree " + getInt(a + AnonVmaStruct.DEGREE) + " on release");
            }
            putAnonVma(sys, a);
            IntrusiveList.del(e);
            anonVmaChainFree(sys, avc);
            e = next;
        }
    }

    /** put_anon_vma: the last reference frees it (__put_anon_vma) and puts its root. */
    static void putAnonVma(OffHeapMmSystem sys, long a) {
        if (getAndAddInt(a + AnonVmaStruct.REFCOUNT, -1) == 1) {
            long root = getLong(a + AnonVmaStruct.ROOT);
            anonVmaFree(sys, a);
            if (root != a && getAndAddInt(root + AnonVmaStruct.REFCOUNT, -1) == 1) {
                anonVmaFree(sys, root);
            }
        }
    }

    /** The chain invariants of one VMA (see the class comment); throws naming the VMA by {@code name}. */
    static void validateChain(long vma, String name) {
        boolean ownFound = anonVma(vma) == 0;
        long head = vma + VmAreaStruct.ANON_VMA_CHAIN;
        for (long e = IntrusiveList.next(head); e != head; e = IntrusiveList.next(e)) {
            long avc = avcOfEntry(e);
            MmDebug.check(getLong(avc + AnonVmaChainStruct.VMA) == vma, "avc of " + name + " points elsewhere");
            ownFound |= getLong(avc + AnonVmaChainStruct.ANON_VMA) == anonVma(vma);
            AnonVmaIntervalTree.validate(getLong(avc + AnonVmaChainStruct.ANON_VMA) + AnonVmaStruct.RB_ROOT);
        }
        MmDebug.check(ownFound, "anon_vma of " + name + " is not on its chain");
    }
}
