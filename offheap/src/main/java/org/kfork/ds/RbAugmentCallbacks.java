package org.kfork.ds;

/**
 * {@code struct rb_augment_callbacks}: how an augmented tree ({@link RbAugmented}) keeps a per-node
 * value summarising the node's subtree (a maximum, a sum...) correct while it rebalances. All
 * arguments are rb_node addresses.
 *
 * <ul>
 *   <li>{@link #propagate}: recompute from {@code node} up to (not including) {@code stop}, and stop
 *       early once a node's value comes out unchanged.</li>
 *   <li>{@link #copy}: {@code newNode} took over {@code old}'s place, so it takes old's value.</li>
 *   <li>{@link #rotate}: a rotation made {@code newNode} the root of the subtree {@code old}
 *       rooted; newNode takes old's value and old is recomputed from its new children.</li>
 * </ul>
 * {@link RbAugmentMax} implements the common "maximum over the subtree" case.
 */
public abstract class RbAugmentCallbacks {
    /** Constructor for subclasses. */
    protected RbAugmentCallbacks() {
    }

    /** Recompute the augmented values from {@code node} up to (excluding) {@code stop} (0: to the root). */
    public abstract void propagate(long node, long stop);

    /** {@code newNode} replaced {@code old} in the tree: copy the value. */
    public abstract void copy(long old, long newNode);

    /** A rotation made {@code newNode} the root of {@code old}'s former subtree. */
    public abstract void rotate(long old, long newNode);
}
