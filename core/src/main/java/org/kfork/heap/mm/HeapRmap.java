package org.kfork.heap.mm;

import org.kfork.heap.ds.HeapIntervalTree;
import org.kfork.mm.MmDebug;
import org.kfork.uapi.Errno;

/**
 * The heap twin of {@code org.kfork.kernel.mm.Rmap}: the anon_vma half of 5.12 mm/rmap.c that
 * mmap, fork and exit exercise (anon_vma_alloc, anon_vma_chain_link, __anon_vma_prepare,
 * anon_vma_clone, anon_vma_fork, unlink_anon_vmas, put_anon_vma), over {@link HeapAnonVma} and
 * {@link HeapAnonVmaChain}, with the same steps in the same order. The caller holds the system's
 * big lock, which stands for the anon_vma root's rwsem.
 *
 * <p>Invariants kept (the chain checks of {@link #validateChain}):
 * <ul>
 *   <li>Every anon_vma_chain on a VMA's same_vma list points back to that VMA and sits in the
 *       interval tree of its anon_vma, keyed by the VMA's page range; each such tree is ordered by
 *       start and its rb_subtree_last values are subtree maxima.</li>
 *   <li>A VMA with an anon_vma has a chain to it on its list, plus one to each anon_vma of the
 *       ancestors whose pages it may share (the fork history).</li>
 *   <li>{@code degree} counts the VMAs whose anon_vma it is and the anon_vmas whose parent it is
 *       (a new root counts its own self-parent link): an anon_vma of degree below 2 has no VMA or
 *       one child, so anon_vma_clone may reuse it.</li>
 *   <li>{@code refcount}: one for the anon_vma itself, and a root holds one more for each other
 *       anon_vma of its family; the last put frees it and puts its root.</li>
 * </ul>
 */
public final class HeapRmap {
    private HeapRmap() {
    }

    /** anon_vma_alloc: refcount 1, degree 1 (a new root's self-parent link), its own root and parent; null without memory. */
    static HeapAnonVma anonVmaAlloc(HeapMmSystem sys) {
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

    /** anon_vma_free. */
    static void anonVmaFree(HeapMmSystem sys, HeapAnonVma a) {
        sys.freed(HeapMmSystem.ANON_VMA);
    }

    /** anon_vma_chain_alloc; null without memory. */
    static HeapAnonVmaChain anonVmaChainAlloc(HeapMmSystem sys) {
        return sys.alloc(HeapMmSystem.ANON_VMA_CHAIN) ? new HeapAnonVmaChain() : null;
    }

    /** anon_vma_chain_free. */
    static void anonVmaChainFree(HeapMmSystem sys, HeapAnonVmaChain avc) {
        sys.freed(HeapMmSystem.ANON_VMA_CHAIN);
    }

    /** anon_vma_chain_link: the chain joins the VMA's list (at the head) and the anon_vma's tree. */
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

    /** list_del(&avc->same_vma). */
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

    /** list_is_singular(&vma->anon_vma_chain): the VMA links to its own anon_vma only. */
    static boolean chainSingular(HeapVma vma) {
        return vma.chainFirst != null && vma.chainFirst == vma.chainLast;
    }

    /**
     * __anon_vma_prepare, the first write fault of a private area: the VMA gets an anon_vma, a
     * neighbour's when find_mergeable_anon_vma finds one, else a new one. 0 or -ENOMEM.
     */
    static int anonVmaPrepare(HeapMmSystem sys, HeapVma vma) {
        HeapAnonVmaChain avc = anonVmaChainAlloc(sys);
        if (avc == null) {
            return -Errno.ENOMEM;
        }
        HeapAnonVma a = HeapVmaMerge.findMergeableAnonVma(vma);
        if (a == null) {
            a = anonVmaAlloc(sys);
            if (a == null) {
                anonVmaChainFree(sys, avc);
                return -Errno.ENOMEM;
            }
        }
        vma.anonVma = a;
        anonVmaChainLink(vma, avc, a);
        a.degree++; // the VMA's reference, or the self-parent link of a new root
        return 0;
    }

    /**
     * anon_vma_clone: {@code dst} gets a chain to every anon_vma of {@code src}, walking src's list
     * from its tail (the root first), and reuses one of degree below 2 as its own (only when src has
     * an anon_vma and it is not src's). On -ENOMEM what was linked is unlinked again.
     */
    static int anonVmaClone(HeapMmSystem sys, HeapVma dst, HeapVma src) {
        for (HeapAnonVmaChain pavc = src.chainLast; pavc != null; pavc = pavc.samePrev) {
            HeapAnonVmaChain avc = anonVmaChainAlloc(sys); // GFP_NOWAIT first
            if (avc == null) {
                avc = anonVmaChainAlloc(sys); // then GFP_KERNEL, with the root lock dropped
                if (avc == null) {
                    dst.anonVma = null;
                    unlinkAnonVmas(sys, dst);
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

    /**
     * anon_vma_fork: the child VMA links to the parent's anon_vmas and gets one of its own, whose
     * parent is the parent VMA's anon_vma and whose root is that one's root (which it holds a
     * reference on). 0 or -ENOMEM, with nothing left linked.
     */
    public static int anonVmaFork(HeapMmSystem sys, HeapVma vma, HeapVma pvma) {
        if (pvma.anonVma == null) {
            return 0;
        }
        vma.anonVma = null;
        int error = anonVmaClone(sys, vma, pvma);
        if (error != 0) {
            return error;
        }
        if (vma.anonVma != null) {
            return 0; // an existing anon_vma was reused
        }
        HeapAnonVma a = anonVmaAlloc(sys);
        if (a == null) {
            unlinkAnonVmas(sys, vma);
            return -Errno.ENOMEM;
        }
        HeapAnonVmaChain avc = anonVmaChainAlloc(sys);
        if (avc == null) {
            putAnonVma(sys, a);
            unlinkAnonVmas(sys, vma);
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

    /**
     * unlink_anon_vmas: every chain leaves its anon_vma's tree; a chain whose anon_vma still has
     * other chains is freed at once, the rest (an emptied anon_vma, whose parent loses a degree)
     * in a second pass that puts those anon_vmas.
     */
    public static void unlinkAnonVmas(HeapMmSystem sys, HeapVma vma) {
        HeapAnonVmaChain avc = vma.chainFirst;
        while (avc != null) {
            HeapAnonVmaChain next = avc.sameNext;
            HeapAnonVma a = avc.anonVma;
            HeapIntervalTree.remove(avc, a.rbRoot);
            if (a.rbRoot.node() == null) {
                a.parent.degree--; // keep the avc: the second pass puts a
            } else {
                chainDel(vma, avc);
                anonVmaChainFree(sys, avc);
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
            putAnonVma(sys, a);
            chainDel(vma, avc);
            anonVmaChainFree(sys, avc);
            avc = next;
        }
    }

    /** put_anon_vma: the last reference frees it (__put_anon_vma) and puts its root. */
    static void putAnonVma(HeapMmSystem sys, HeapAnonVma a) {
        if (--a.refcount == 0) {
            HeapAnonVma root = a.root;
            anonVmaFree(sys, a);
            if (root != a && --root.refcount == 0) {
                anonVmaFree(sys, root);
            }
        }
    }

    /** The chain invariants of one VMA (see the class comment); throws naming the VMA by {@code name}. */
    static void validateChain(HeapVma vma, String name) {
        boolean ownFound = vma.anonVma == null;
        for (HeapAnonVmaChain avc = vma.chainFirst; avc != null; avc = avc.sameNext) {
            MmDebug.check(avc.vma == vma, "avc of " + name + " points elsewhere");
            ownFound |= avc.anonVma == vma.anonVma;
            HeapIntervalTree.validate(avc.anonVma.rbRoot);
        }
        MmDebug.check(ownFound, "anon_vma of " + name + " is not on its chain");
    }
}
