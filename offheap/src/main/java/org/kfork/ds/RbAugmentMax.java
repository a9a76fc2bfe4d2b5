package org.kfork.ds;

import static org.kfork.machine.Mem.getLong;
import static org.kfork.machine.Mem.putLong;

/**
 * {@code RB_DECLARE_CALLBACKS_MAX}: the augmented value of a node is the maximum, over its subtree,
 * of a per-node value {@link #compute}. The value is an {@code unsigned long} stored in the
 * containing struct at {@code augmentedOffset}; the rb_node sits at {@code nodeOffset} in the same
 * struct. Values compare unsigned, as in C.
 */
public abstract class RbAugmentMax extends RbAugmentCallbacks {
    /** Offset of the rb_node in the containing struct. */
    protected final int nodeOffset;
    /** Offset of the augmented unsigned long in the containing struct. */
    protected final int augmentedOffset;
    /** augmentedOffset - nodeOffset: where the value sits relative to the rb_node. */
    private final int delta;

    /**
     * @param nodeOffset      offsetof(struct, rb field)
     * @param augmentedOffset offsetof(struct, augmented field)
     */
    protected RbAugmentMax(int nodeOffset, int augmentedOffset) {
        this.nodeOffset = nodeOffset;
        this.augmentedOffset = augmentedOffset;
        this.delta = augmentedOffset - nodeOffset;
    }

    /** {@code RBCOMPUTE}: the node's own value, given the address of the containing struct. */
    protected abstract long compute(long struct);

    /** The stored subtree maximum of the node (an rb_node address). */
    public final long augmented(long node) {
        return getLong(node + delta);
    }

    /**
     * Recompute {@code node}'s subtree maximum from its own value and its children's stored values.
     * With {@code exit}, return true without storing if the stored value is already right.
     */
    public final boolean computeMax(long node, boolean exit) {
        long max = compute(node - nodeOffset);
        long child = getLong(node + RbTree.RB_LEFT);
        if (child != 0) {
            long v = getLong(child + delta);
            if (Long.compareUnsigned(v, max) > 0) {
                max = v;
            }
        }
        child = getLong(node + RbTree.RB_RIGHT);
        if (child != 0) {
            long v = getLong(child + delta);
            if (Long.compareUnsigned(v, max) > 0) {
                max = v;
            }
        }
        if (exit && getLong(node + delta) == max) {
            return true;
        }
        putLong(node + delta, max);
        return false;
    }

    @Override
    public final void propagate(long node, long stop) {
        while (node != stop) {
            if (computeMax(node, true)) {
                break;
            }
            node = RbTree.parent(node);
        }
    }

    @Override
    public final void copy(long old, long newNode) {
        putLong(newNode + delta, getLong(old + delta));
    }

    @Override
    public final void rotate(long old, long newNode) {
        putLong(newNode + delta, getLong(old + delta));
        computeMax(old, false);
    }

    /**
     * Check every node's stored maximum against its own value and its children's; throws
     * {@link IllegalStateException} naming the first wrong node.
     */
    public final void validate(long root) {
        for (long n = RbTree.first(root); n != 0; n = RbTree.next(n)) {
            long max = compute(n - nodeOffset);
            long l = getLong(n + RbTree.RB_LEFT);
            long r = getLong(n + RbTree.RB_RIGHT);
            if (l != 0 && Long.compareUnsigned(getLong(l + delta), max) > 0) {
                max = getLong(l + delta);
            }
            if (r != 0 && Long.compareUnsigned(getLong(r + delta), max) > 0) {
                max = getLong(r + delta);
            }
            long stored = getLong(n + delta);
            if (stored != max) {
                throw new IllegalStateException("rbtree augmented: node " + RbTree.hex(n) + " stores "
                        + Long.toUnsignedString(stored) + ", its subtree maximum is " + Long.toUnsignedString(max));
            }
        }
    }
}
