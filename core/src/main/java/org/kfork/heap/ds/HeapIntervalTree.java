package org.kfork.heap.ds;

/**
 * The heap twin of {@code org.kfork.ds.VmaIntervalTree}: an interval tree of closed intervals
 * {@code [start, last]} (unsigned) over a cached rb-tree, augmented with each subtree's largest
 * {@code last}, as include/linux/interval_tree_generic.h builds it (here for the i_mmap twin).
 */
public final class HeapIntervalTree {
    private HeapIntervalTree() {
    }

    /** The augment callbacks: subtree maximum of {@code last}. */
    public static final HeapRbAugmentMax<HeapIntervalNode> CALLBACKS = new HeapRbAugmentMax<>() {
        @Override
        protected long compute(HeapIntervalNode node) {
            return node.last();
        }

        @Override
        protected long augmented(HeapIntervalNode node) {
            return node.subtreeLast;
        }

        @Override
        protected void setAugmented(HeapIntervalNode node, long value) {
            node.subtreeLast = value;
        }
    };

    private static boolean lt(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    /** {@code _insert}: add {@code node}; equal starts go after the existing ones. */
    public static void insert(HeapIntervalNode node, HeapRbRootCached root) {
        HeapRbNode link = root.node;
        HeapRbNode rbParent = null;
        boolean left = false;
        long start = node.start();
        long last = node.last();
        boolean leftmost = true;
        while (link != null) {
            rbParent = link;
            HeapIntervalNode parent = (HeapIntervalNode) link;
            if (lt(parent.subtreeLast, last)) {
                parent.subtreeLast = last;
            }
            if (lt(start, parent.start())) {
                left = true;
                link = parent.left;
            } else {
                left = false;
                link = parent.right;
                leftmost = false;
            }
        }
        node.subtreeLast = last;
        HeapRbTree.linkNode(node, rbParent, left, root);
        HeapRbAugmented.insertCached(node, root, leftmost, CALLBACKS);
    }

    /**
     * {@code vma_interval_tree_insert_after}: add {@code node} right after {@code prev}, which has
     * the same start, without searching (dup_mmap puts each child VMA next to its parent's).
     * Requires {@code node.last() <= prev.subtreeLast()}, which holds for a copy of prev: the path
     * above prev then needs no update.
     */
    public static void insertAfter(HeapIntervalNode node, HeapIntervalNode prev, HeapRbRootCached root) {
        if (node.start() != prev.start()) {
            throw new IllegalArgumentException("insert_after: start " + node.start() + " != " + prev.start());
        }
        long last = node.last();
        HeapIntervalNode parent;
        boolean left;
        if (prev.right == null) {
            parent = prev;
            left = false;
        } else {
            parent = (HeapIntervalNode) prev.right;
            if (lt(parent.subtreeLast, last)) {
                parent.subtreeLast = last;
            }
            while (parent.left != null) {
                parent = (HeapIntervalNode) parent.left;
                if (lt(parent.subtreeLast, last)) {
                    parent.subtreeLast = last;
                }
            }
            left = true;
        }
        node.subtreeLast = last;
        HeapRbTree.linkNode(node, parent, left, root);
        HeapRbAugmented.insert(node, root, CALLBACKS);
    }

    /** {@code _remove}. */
    public static void remove(HeapIntervalNode node, HeapRbRootCached root) {
        HeapRbAugmented.eraseCached(node, root, CALLBACKS);
    }

    /** {@code _subtree_search}: the leftmost node under {@code node} that overlaps {@code [start, last]}. */
    private static HeapIntervalNode subtreeSearch(HeapIntervalNode node, long start, long last) {
        while (true) {
            // Go left while the left subtree might hold an overlap: it holds the smaller starts.
            if (node.left != null) {
                HeapIntervalNode left = (HeapIntervalNode) node.left;
                if (!lt(left.subtreeLast, start)) {
                    node = left;
                    continue;
                }
            }
            if (!lt(last, node.start())) {
                if (!lt(node.last(), start)) {
                    return node;
                }
                if (node.right != null) {
                    node = (HeapIntervalNode) node.right;
                    if (!lt(node.subtreeLast, start)) {
                        continue;
                    }
                }
            }
            return null;
        }
    }

    /** {@code _iter_first}: the overlapping node with the smallest start, or null. */
    public static HeapIntervalNode iterFirst(HeapRbRootCached root, long start, long last) {
        if (root.node == null) {
            return null;
        }
        HeapIntervalNode node = (HeapIntervalNode) root.node;
        if (lt(node.subtreeLast, start)) {
            return null;
        }
        HeapIntervalNode leftmost = (HeapIntervalNode) root.leftmost;
        if (lt(last, leftmost.start())) {
            return null;
        }
        return subtreeSearch(node, start, last);
    }

    /** {@code _iter_next}: the next overlapping node after {@code node} in start order, or null. */
    public static HeapIntervalNode iterNext(HeapIntervalNode node, long start, long last) {
        HeapRbNode rb = node.right;
        HeapRbNode prev;
        while (true) {
            if (rb != null) {
                HeapIntervalNode right = (HeapIntervalNode) rb;
                if (!lt(right.subtreeLast, start)) {
                    return subtreeSearch(right, start, last);
                }
            }
            // climb while coming up from a right child
            do {
                rb = node.parent;
                if (rb == null) {
                    return null;
                }
                prev = node;
                node = (HeapIntervalNode) rb;
                rb = node.right;
            } while (prev == rb);
            if (lt(last, node.start())) {
                return null;
            } else if (!lt(node.last(), start)) {
                return node;
            }
        }
    }

    /** Validate the rb-tree, the start order and every {@code rb_subtree_last}. */
    public static int validate(HeapRbRootCached root) {
        int n = HeapRbTree.validate(root);
        HeapIntervalNode prev = null;
        for (HeapRbNode rb = HeapRbTree.first(root); rb != null; rb = HeapRbTree.next(rb)) {
            HeapIntervalNode v = (HeapIntervalNode) rb;
            if (prev != null && lt(v.start(), prev.start())) {
                throw new IllegalStateException("interval tree: start " + v.start() + " of " + v
                        + " sorts before " + prev.start());
            }
            prev = v;
        }
        CALLBACKS.validate(root);
        return n;
    }
}
