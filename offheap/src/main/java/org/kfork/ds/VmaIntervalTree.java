package org.kfork.ds;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

/**
 * {@code vma_interval_tree}: the interval tree of an {@code address_space.i_mmap}, as
 * include/linux/interval_tree_generic.h and mm/interval_tree.c build it. Each VMA mapping the file
 * is a closed interval of page offsets {@code [vm_pgoff, vm_pgoff + pages - 1]} (unsigned) in an
 * rb_root_cached sorted by start, and each node keeps {@code shared.rb_subtree_last}, the largest
 * interval end in its subtree, so a stabbing query skips subtrees that end too early.
 *
 * <pre>
 *   struct vm_area_struct (200 bytes)                   +0   vm_start    +8 vm_end
 *   +88  shared.rb              (struct rb_node, 24)     +112 shared.rb_subtree_last
 *   +152 vm_pgoff
 * </pre>
 * All node arguments and results are VMA addresses (not rb_node addresses).
 */
public final class VmaIntervalTree {
    /** {@code offsetof(struct vm_area_struct, vm_start)}. */
    public static final int VM_START = 0;
    /** {@code offsetof(struct vm_area_struct, vm_end)}. */
    public static final int VM_END = 8;
    /** {@code offsetof(struct vm_area_struct, shared.rb)}. */
    public static final int SHARED_RB = 88;
    /** {@code offsetof(struct vm_area_struct, shared.rb_subtree_last)}. */
    public static final int SHARED_RB_SUBTREE_LAST = 112;
    /** {@code offsetof(struct vm_area_struct, vm_pgoff)}. */
    public static final int VM_PGOFF = 152;

    private static final int PAGE_SHIFT = 12;

    private VmaIntervalTree() {
    }

    /** {@code vma_start_pgoff}: ITSTART. */
    public static long startPgoff(long vma) {
        return getLong(vma + VM_PGOFF);
    }

    /** {@code vma_last_pgoff}: ITLAST, {@code vm_pgoff + vma_pages(vma) - 1}. */
    public static long lastPgoff(long vma) {
        long pages = (getLong(vma + VM_END) - getLong(vma + VM_START)) >>> PAGE_SHIFT;
        return getLong(vma + VM_PGOFF) + pages - 1;
    }

    /** {@code shared.rb_subtree_last}. */
    public static long subtreeLast(long vma) {
        return getLong(vma + SHARED_RB_SUBTREE_LAST);
    }

    /** The augment callbacks ({@code vma_interval_tree_augment}): subtree maximum of ITLAST. */
    public static final RbAugmentMax CALLBACKS = new RbAugmentMax(SHARED_RB, SHARED_RB_SUBTREE_LAST) {
        @Override
        protected long compute(long vma) {
            return lastPgoff(vma);
        }
    };

    private static boolean lt(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    /** {@code vma_interval_tree_insert}: add {@code vma}; equal starts go after the existing ones. */
    public static void insert(long vma, long rootCached) {
        long link = rootCached + RbTree.RB_ROOT_NODE;
        long rbParent = 0;
        long start = startPgoff(vma);
        long last = lastPgoff(vma);
        boolean leftmost = true;
        long cur;
        while ((cur = getLong(link)) != 0) {
            rbParent = cur;
            long parent = cur - SHARED_RB;
            // the new node will sit below parent: its subtree maximum covers it already
            if (lt(getLong(parent + SHARED_RB_SUBTREE_LAST), last)) {
                putLong(parent + SHARED_RB_SUBTREE_LAST, last);
            }
            if (lt(start, startPgoff(parent))) {
                link = cur + RbTree.RB_LEFT;
            } else {
                link = cur + RbTree.RB_RIGHT;
                leftmost = false;
            }
        }
        putLong(vma + SHARED_RB_SUBTREE_LAST, last);
        RbTree.linkNode(vma + SHARED_RB, rbParent, link);
        RbAugmented.insertCached(vma + SHARED_RB, rootCached, leftmost, CALLBACKS);
    }

    /**
     * {@code vma_interval_tree_insert_after}: add {@code vma} right after {@code prev}, which has the
     * same vm_pgoff, without searching from the root (dup_mmap places each child VMA next to its
     * parent's). Requires {@code lastPgoff(vma) <= subtreeLast(prev)}, true for a copy of prev, so
     * that nothing above prev needs updating (the kernel relies on the same).
     */
    public static void insertAfter(long vma, long prev, long rootCached) {
        if (startPgoff(vma) != startPgoff(prev)) {
            throw new IllegalArgumentException("insert_after: vm_pgoff " + startPgoff(vma) + " != " + startPgoff(prev));
        }
        long last = lastPgoff(vma);
        long parent;
        long link;
        long r = getLong(prev + SHARED_RB + RbTree.RB_RIGHT);
        if (r == 0) {
            parent = prev;
            link = prev + SHARED_RB + RbTree.RB_RIGHT;
        } else {
            // the leftmost spot of prev's right subtree, raising subtree maxima on the way down
            parent = r - SHARED_RB;
            if (lt(getLong(parent + SHARED_RB_SUBTREE_LAST), last)) {
                putLong(parent + SHARED_RB_SUBTREE_LAST, last);
            }
            long l;
            while ((l = getLong(parent + SHARED_RB + RbTree.RB_LEFT)) != 0) {
                parent = l - SHARED_RB;
                if (lt(getLong(parent + SHARED_RB_SUBTREE_LAST), last)) {
                    putLong(parent + SHARED_RB_SUBTREE_LAST, last);
                }
            }
            link = parent + SHARED_RB + RbTree.RB_LEFT;
        }
        putLong(vma + SHARED_RB_SUBTREE_LAST, last);
        RbTree.linkNode(vma + SHARED_RB, parent + SHARED_RB, link);
        RbAugmented.insert(vma + SHARED_RB, rootCached, CALLBACKS);
    }

    /** {@code vma_interval_tree_remove}. */
    public static void remove(long vma, long rootCached) {
        RbAugmented.eraseCached(vma + SHARED_RB, rootCached, CALLBACKS);
    }

    /** {@code _subtree_search}: the leftmost VMA under {@code node} (a VMA) overlapping {@code [start, last]}, or 0. */
    private static long subtreeSearch(long node, long start, long last) {
        while (true) {
            // The left subtree holds the smaller starts: go there if something in it ends late enough.
            long l = getLong(node + SHARED_RB + RbTree.RB_LEFT);
            if (l != 0) {
                long left = l - SHARED_RB;
                if (!lt(getLong(left + SHARED_RB_SUBTREE_LAST), start)) {
                    node = left;
                    continue;
                }
            }
            if (!lt(last, startPgoff(node))) { // node starts at or before last
                if (!lt(lastPgoff(node), start)) {
                    return node;
                }
                long r = getLong(node + SHARED_RB + RbTree.RB_RIGHT);
                if (r != 0) {
                    node = r - SHARED_RB;
                    if (!lt(getLong(node + SHARED_RB_SUBTREE_LAST), start)) {
                        continue;
                    }
                }
            }
            return 0; // every remaining start is past last
        }
    }

    /** {@code vma_interval_tree_iter_first}: the overlapping VMA with the smallest start, or 0. */
    public static long iterFirst(long rootCached, long start, long last) {
        long rb = getLong(rootCached + RbTree.RB_ROOT_NODE);
        if (rb == 0) {
            return 0;
        }
        long node = rb - SHARED_RB;
        if (lt(getLong(node + SHARED_RB_SUBTREE_LAST), start)) {
            return 0;
        }
        long leftmost = getLong(rootCached + RbTree.RB_LEFTMOST) - SHARED_RB;
        if (lt(last, startPgoff(leftmost))) {
            return 0;
        }
        return subtreeSearch(node, start, last);
    }

    /** {@code vma_interval_tree_iter_next}: the next overlapping VMA after {@code vma} in start order, or 0. */
    public static long iterNext(long vma, long start, long last) {
        long rb = getLong(vma + SHARED_RB + RbTree.RB_RIGHT);
        long node = vma;
        long prev;
        while (true) {
            if (rb != 0) {
                long right = rb - SHARED_RB;
                if (!lt(getLong(right + SHARED_RB_SUBTREE_LAST), start)) {
                    return subtreeSearch(right, start, last);
                }
            }
            // climb while we come up from a right child: those ancestors were visited already
            do {
                rb = RbTree.parent(node + SHARED_RB);
                if (rb == 0) {
                    return 0;
                }
                prev = node + SHARED_RB;
                node = rb - SHARED_RB;
                rb = getLong(node + SHARED_RB + RbTree.RB_RIGHT);
            } while (prev == rb);
            if (lt(last, startPgoff(node))) {
                return 0;
            } else if (!lt(lastPgoff(node), start)) {
                return node;
            }
        }
    }

    /** Validate the rb-tree, the leftmost cache, the start order and every rb_subtree_last. */
    public static int validate(long rootCached) {
        int n = RbTree.validate(rootCached, true);
        long prev = 0;
        for (long rb = RbTree.first(rootCached); rb != 0; rb = RbTree.next(rb)) {
            long v = rb - SHARED_RB;
            if (prev != 0 && lt(startPgoff(v), startPgoff(prev))) {
                throw new IllegalStateException("interval tree: vm_pgoff " + startPgoff(v) + " of "
                        + RbTree.hex(v) + " sorts before " + startPgoff(prev));
            }
            prev = v;
        }
        CALLBACKS.validate(rootCached);
        return n;
    }
}
