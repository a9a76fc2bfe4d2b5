package org.kfork.heap.ds;

/**
 * The heap twin of {@code org.kfork.ds.VmaGap}: an mm's VMA rb-tree augmented with
 * {@code rb_subtree_gap}, as 5.12 mm/mmap.c keeps it (vma_compute_gap, vma_gap_callbacks,
 * __vma_link_rb, vma_rb_erase). The free gap before a VMA is {@code vm_start - prev->vm_end}, or
 * {@code vm_start} for the first VMA; the stack guard gap (vm_start_gap/vm_end_gap for
 * VM_GROWSDOWN/VM_GROWSUP areas) is not modelled.
 */
public final class HeapVmaGap {
    private HeapVmaGap() {
    }

    /** {@code vma_compute_gap}: the free space between the previous VMA (or 0) and this one. */
    public static long computeGap(HeapVmaGapNode vma) {
        long gap = vma.vmStart;
        HeapVmaGapNode prev = vma.vmPrev;
        if (prev != null) {
            long prevEnd = prev.vmEnd;
            gap = Long.compareUnsigned(gap, prevEnd) > 0 ? gap - prevEnd : 0;
        }
        return gap;
    }

    /** {@code vma_gap_callbacks}: RB_DECLARE_CALLBACKS_MAX over {@link #computeGap}. */
    public static final HeapRbAugmentMax<HeapVmaGapNode> CALLBACKS = new HeapRbAugmentMax<>() {
        @Override
        protected long compute(HeapVmaGapNode node) {
            return computeGap(node);
        }

        @Override
        protected long augmented(HeapVmaGapNode node) {
            return node.rbSubtreeGap;
        }

        @Override
        protected void setAugmented(HeapVmaGapNode node, long value) {
            node.rbSubtreeGap = value;
        }
    };

    /** {@code vma_gap_update}: recompute {@code vma}'s subtree gap and its ancestors' as needed. */
    public static void gapUpdate(HeapVmaGapNode vma) {
        CALLBACKS.propagate(vma, null);
    }

    /**
     * Insert {@code vma} (not overlapping any VMA in the tree) into the tree and the sorted list:
     * find_vma_links, __vma_link_list and __vma_link_rb. Returns the previous VMA, or null.
     */
    public static HeapVmaGapNode link(HeapRbRoot root, HeapVmaGapNode vma) {
        HeapRbNode parent = null;
        HeapVmaGapNode prev = null;
        boolean left = false;
        HeapRbNode cur = root.node;
        long start = vma.vmStart;
        while (cur != null) {
            parent = cur;
            HeapVmaGapNode c = (HeapVmaGapNode) cur;
            if (Long.compareUnsigned(start, c.vmStart) < 0) {
                left = true;
                cur = cur.left;
            } else {
                prev = c;
                left = false;
                cur = cur.right;
            }
        }
        // __vma_link_list
        HeapVmaGapNode next;
        vma.vmPrev = prev;
        if (prev != null) {
            next = prev.vmNext;
            prev.vmNext = vma;
        } else {
            next = (HeapVmaGapNode) HeapRbTree.first(root);
        }
        vma.vmNext = next;
        if (next != null) {
            next.vmPrev = vma;
        }
        // __vma_link_rb: the gap after the new VMA shrank; then hang the new VMA and fix the path up
        if (next != null) {
            gapUpdate(next);
        }
        HeapRbTree.linkNode(vma, parent, left, root);
        vma.rbSubtreeGap = 0;
        gapUpdate(vma);
        HeapRbAugmented.insert(vma, root, CALLBACKS);
        return prev;
    }

    /** Remove {@code vma} from the tree and the list (vma_rb_erase, __vma_unlink_list) and fix the next gap. */
    public static void unlink(HeapRbRoot root, HeapVmaGapNode vma) {
        HeapRbAugmented.erase(vma, root, CALLBACKS);
        HeapVmaGapNode prev = vma.vmPrev;
        HeapVmaGapNode next = vma.vmNext;
        if (prev != null) {
            prev.vmNext = next;
        }
        if (next != null) {
            next.vmPrev = prev;
            gapUpdate(next);
        }
    }

    /**
     * Validate the tree ({@link HeapRbTree#validate}), the list against the in-order walk in both
     * directions, and every {@code rb_subtree_gap} against a recomputation.
     */
    public static int validate(HeapRbRoot root) {
        int n = HeapRbTree.validate(root);
        HeapVmaGapNode prev = null;
        for (HeapRbNode rb = HeapRbTree.first(root); rb != null; rb = HeapRbTree.next(rb)) {
            HeapVmaGapNode v = (HeapVmaGapNode) rb;
            if (v.vmPrev != prev) {
                throw new IllegalStateException("vma list: vm_prev of " + v + " is " + v.vmPrev + ", expected " + prev);
            }
            if (prev != null && prev.vmNext != v) {
                throw new IllegalStateException("vma list: vm_next of " + prev + " is " + prev.vmNext + ", expected " + v);
            }
            prev = v;
        }
        if (prev != null && prev.vmNext != null) {
            throw new IllegalStateException("vma list: last vma " + prev + " has vm_next " + prev.vmNext);
        }
        CALLBACKS.validate(root);
        return n;
    }
}
