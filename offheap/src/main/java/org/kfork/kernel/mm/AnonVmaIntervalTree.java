package org.kfork.kernel.mm;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

import org.kfork.ds.RbAugmentMax;
import org.kfork.ds.RbAugmented;
import org.kfork.ds.RbTree;
import org.kfork.kernel.struct.VmAreaStruct;

/**
 * anon_vma_interval_tree (mm/interval_tree.c): the anon_vma_chains of an anon_vma in an interval
 * tree keyed by their VMA's page range [vm_pgoff, vm_pgoff + pages - 1], over avc->rb and
 * avc->rb_subtree_last. The same generic interval tree as {@link org.kfork.ds.VmaIntervalTree},
 * instantiated for struct anon_vma_chain.
 */
final class AnonVmaIntervalTree {
    private AnonVmaIntervalTree() {
    }

    static long start(long avc) {
        return getLong(getLong(avc + AnonVmaChainStruct.VMA) + VmAreaStruct.VM_PGOFF);
    }

    static long last(long avc) {
        long vma = getLong(avc + AnonVmaChainStruct.VMA);
        return MmTypes.vmPgoff(vma) + MmTypes.pages(vma) - 1;
    }

    static final RbAugmentMax CALLBACKS =
        new RbAugmentMax((int) AnonVmaChainStruct.RB, (int) AnonVmaChainStruct.RB_SUBTREE_LAST) {
        @Override
        protected long compute(long avc) {
            return last(avc);
        }
    };

    private static boolean lt(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    /** anon_vma_interval_tree_insert. */
    static void insert(long avc, long rootCached) {
        long link = rootCached + RbTree.RB_ROOT_NODE;
        long rbParent = 0;
        long start = start(avc);
        long last = last(avc);
        boolean leftmost = true;
        long cur;
        while ((cur = getLong(link)) != 0) {
            rbParent = cur;
            long parent = cur - AnonVmaChainStruct.RB;
            if (lt(getLong(parent + AnonVmaChainStruct.RB_SUBTREE_LAST), last)) {
                putLong(parent + AnonVmaChainStruct.RB_SUBTREE_LAST, last);
            }
            if (lt(start, start(parent))) {
                link = cur + RbTree.RB_LEFT;
            } else {
                link = cur + RbTree.RB_RIGHT;
                leftmost = false;
            }
        }
        putLong(avc + AnonVmaChainStruct.RB_SUBTREE_LAST, last);
        RbTree.linkNode(avc + AnonVmaChainStruct.RB, rbParent, link);
        RbAugmented.insertCached(avc + AnonVmaChainStruct.RB, rootCached, leftmost, CALLBACKS);
    }

    /** anon_vma_interval_tree_remove. */
    static void remove(long avc, long rootCached) {
        RbAugmented.eraseCached(avc + AnonVmaChainStruct.RB, rootCached, CALLBACKS);
    }

    /** Validate the tree, the start order and every rb_subtree_last; returns the node count. */
    static int validate(long rootCached) {
        int n = RbTree.validate(rootCached, true);
        long prev = -1;
        for (long rb = RbTree.first(rootCached); rb != 0; rb = RbTree.next(rb)) {
            long s = start(rb - AnonVmaChainStruct.RB);
            if (prev != -1 && lt(s, prev)) {
                throw new IllegalStateException("anon_vma interval tree out of order at pgoff " + s);
            }
            prev = s;
        }
        CALLBACKS.validate(rootCached);
        return n;
    }
}
