package org.kfork.ds;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

/**
 * An mm's VMA rb-tree ({@code mm->mm_rb}) augmented with {@code rb_subtree_gap}, as 5.12
 * mm/mmap.c keeps it: {@code vma_compute_gap}, {@code vma_gap_callbacks}, {@code __vma_link_rb},
 * {@code vma_rb_erase}. Each VMA's subtree gap is the largest free gap before any VMA in its
 * subtree, so get_unmapped_area can skip whole subtrees with no hole big enough.
 *
 * <p>The gap before a VMA is {@code vm_start - prev->vm_end} (0 if they touch), or {@code vm_start}
 * for the first VMA. The stack guard gap is not modelled: 5.12 widens the gap computation by
 * {@code stack_guard_gap} for VM_GROWSDOWN/VM_GROWSUP areas (vm_start_gap, vm_end_gap); here
 * every VMA counts as a plain mapping. {@code mm->highest_vm_end} is left to the mm code.
 *
 * <p>The fields used, at their 5.12 x86_64 offsets in {@code struct vm_area_struct} (200 bytes):
 * <pre>
 *   +0  vm_start        +8  vm_end
 *   +16 vm_next         +24 vm_prev          (the address-sorted list)
 *   +32 vm_rb           (struct rb_node, 24 bytes)
 *   +56 rb_subtree_gap
 * </pre>
 */
public final class VmaGap {
    /** {@code offsetof(struct vm_area_struct, vm_start)}. */
    public static final int VM_START = 0;
    /** {@code offsetof(struct vm_area_struct, vm_end)}. */
    public static final int VM_END = 8;
    /** {@code offsetof(struct vm_area_struct, vm_next)}. */
    public static final int VM_NEXT = 16;
    /** {@code offsetof(struct vm_area_struct, vm_prev)}. */
    public static final int VM_PREV = 24;
    /** {@code offsetof(struct vm_area_struct, vm_rb)}. */
    public static final int VM_RB = 32;
    /** {@code offsetof(struct vm_area_struct, rb_subtree_gap)}. */
    public static final int RB_SUBTREE_GAP = 56;

    private VmaGap() {
    }

    /** {@code vma_compute_gap}: the free space between the previous VMA's end (or 0) and vm_start. */
    public static long computeGap(long vma) {
        long gap = getLong(vma + VM_START);
        long prev = getLong(vma + VM_PREV);
        if (prev != 0) {
            long prevEnd = getLong(prev + VM_END);
            gap = Long.compareUnsigned(gap, prevEnd) > 0 ? gap - prevEnd : 0;
        }
        return gap;
    }

    /** {@code vma_gap_callbacks}: RB_DECLARE_CALLBACKS_MAX of {@link #computeGap} into rb_subtree_gap. */
    public static final RbAugmentMax CALLBACKS = new RbAugmentMax(VM_RB, RB_SUBTREE_GAP) {
        @Override
        protected long compute(long vma) {
            return computeGap(vma);
        }
    };

    /** {@code vma_gap_update}: recompute {@code vma}'s subtree gap and, as far as it changes, its ancestors'. */
    public static void gapUpdate(long vma) {
        CALLBACKS.propagate(vma + VM_RB, 0);
    }

    /**
     * Insert {@code vma}, which overlaps no VMA in the tree, into the tree at {@code root} and into
     * the sorted vm_next/vm_prev list: find_vma_links, then __vma_link_list and __vma_link_rb.
     * Returns the previous VMA, or 0.
     */
    public static long link(long root, long vma) {
        long link = root + RbTree.RB_ROOT_NODE;
        long parent = 0;
        long prev = 0;
        long start = getLong(vma + VM_START);
        long cur;
        while ((cur = getLong(link)) != 0) {
            parent = cur;
            long c = cur - VM_RB;
            if (Long.compareUnsigned(start, getLong(c + VM_START)) < 0) {
                link = cur + RbTree.RB_LEFT;
            } else {
                prev = c;
                link = cur + RbTree.RB_RIGHT;
            }
        }
        // __vma_link_list
        long next;
        putLong(vma + VM_PREV, prev);
        if (prev != 0) {
            next = getLong(prev + VM_NEXT);
            putLong(prev + VM_NEXT, vma);
        } else {
            long first = RbTree.first(root);
            next = first == 0 ? 0 : first - VM_RB;
        }
        putLong(vma + VM_NEXT, next);
        if (next != 0) {
            putLong(next + VM_PREV, vma);
            // __vma_link_rb: the gap before next shrank to the space after the new VMA
            gapUpdate(next);
        }
        RbTree.linkNode(vma + VM_RB, parent, link);
        putLong(vma + RB_SUBTREE_GAP, 0);
        gapUpdate(vma);
        RbAugmented.insert(vma + VM_RB, root, CALLBACKS);
        return prev;
    }

    /**
     * Remove {@code vma} from the tree (vma_rb_erase) and the list (__vma_unlink_list), then fix the
     * gap of the VMA after it, which grew by vma's extent and the gap before it.
     */
    public static void unlink(long root, long vma) {
        RbAugmented.erase(vma + VM_RB, root, CALLBACKS);
        long prev = getLong(vma + VM_PREV);
        long next = getLong(vma + VM_NEXT);
        if (prev != 0) {
            putLong(prev + VM_NEXT, next);
        }
        if (next != 0) {
            putLong(next + VM_PREV, prev);
            gapUpdate(next);
        }
    }

    /**
     * Validate the tree ({@link RbTree#validate}), the vm_next/vm_prev list against the in-order walk
     * in both directions, and every rb_subtree_gap against a recomputation. Returns the VMA count.
     */
    public static int validate(long root) {
        int n = RbTree.validate(root, false);
        long prev = 0;
        for (long rb = RbTree.first(root); rb != 0; rb = RbTree.next(rb)) {
            long v = rb - VM_RB;
            if (getLong(v + VM_PREV) != prev) {
                throw new IllegalStateException("vma list: vm_prev of " + RbTree.hex(v) + " is "
                        + RbTree.hex(getLong(v + VM_PREV)) + ", expected " + RbTree.hex(prev));
            }
            if (prev != 0 && getLong(prev + VM_NEXT) != v) {
                throw new IllegalStateException("vma list: vm_next of " + RbTree.hex(prev) + " is "
                        + RbTree.hex(getLong(prev + VM_NEXT)) + ", expected " + RbTree.hex(v));
            }
            prev = v;
        }
        if (prev != 0 && getLong(prev + VM_NEXT) != 0) {
            throw new IllegalStateException("vma list: last vma " + RbTree.hex(prev) + " has vm_next "
                    + RbTree.hex(getLong(prev + VM_NEXT)));
        }
        CALLBACKS.validate(root);
        return n;
    }
}
