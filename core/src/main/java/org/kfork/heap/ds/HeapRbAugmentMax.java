package org.kfork.heap.ds;

/**
 * Callbacks for the common augmentation "the maximum, over a subtree, of a value computed per node"
 * (the heap twin of {@code RB_DECLARE_CALLBACKS_MAX}); values compare as unsigned longs, as the
 * kernel's {@code unsigned long} fields do.
 *
 * @param <N> the node class
 */
public abstract class HeapRbAugmentMax<N extends HeapRbNode> extends HeapRbAugmentCallbacks {
    /** Constructor for subclasses. */
    protected HeapRbAugmentMax() {
    }

    /** The node's own value ({@code RBCOMPUTE}). */
    protected abstract long compute(N node);

    /** The node's stored subtree maximum ({@code node->RBAUGMENTED}). */
    protected abstract long augmented(N node);

    /** Store the node's subtree maximum. */
    protected abstract void setAugmented(N node, long value);

    /**
     * Recompute {@code node}'s maximum from its own value and its children's stored maxima. With
     * {@code exit}, return true (and store nothing) if the stored value was already right.
     */
    @SuppressWarnings("unchecked")
    public final boolean computeMax(N node, boolean exit) {
        long max = compute(node);
        HeapRbNode l = node.left;
        if (l != null) {
            long v = augmented((N) l);
            if (Long.compareUnsigned(v, max) > 0) {
                max = v;
            }
        }
        HeapRbNode r = node.right;
        if (r != null) {
            long v = augmented((N) r);
            if (Long.compareUnsigned(v, max) > 0) {
                max = v;
            }
        }
        if (exit && augmented(node) == max) {
            return true;
        }
        setAugmented(node, max);
        return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public final void propagate(HeapRbNode rb, HeapRbNode stop) {
        while (rb != stop) {
            N node = (N) rb;
            if (computeMax(node, true)) {
                break;
            }
            rb = node.parent;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public final void copy(HeapRbNode old, HeapRbNode newNode) {
        setAugmented((N) newNode, augmented((N) old));
    }

    @Override
    @SuppressWarnings("unchecked")
    public final void rotate(HeapRbNode old, HeapRbNode newNode) {
        setAugmented((N) newNode, augmented((N) old));
        computeMax((N) old, false);
    }

    /**
     * Check that every node of the tree stores the right maximum; throws
     * {@link IllegalStateException} naming the first wrong node.
     */
    @SuppressWarnings("unchecked")
    public final void validate(HeapRbRoot root) {
        for (HeapRbNode n = HeapRbTree.first(root); n != null; n = HeapRbTree.next(n)) {
            long stored = augmented((N) n);
            // computeMax(exit=true) writes only when the stored value is wrong; read it back first.
            long max = compute((N) n);
            if (n.left != null && Long.compareUnsigned(augmented((N) n.left), max) > 0) {
                max = augmented((N) n.left);
            }
            if (n.right != null && Long.compareUnsigned(augmented((N) n.right), max) > 0) {
                max = augmented((N) n.right);
            }
            if (stored != max) {
                throw new IllegalStateException("rbtree augmented: node " + n + " stores "
                        + Long.toUnsignedString(stored) + " but its subtree maximum is " + Long.toUnsignedString(max));
            }
        }
    }
}
