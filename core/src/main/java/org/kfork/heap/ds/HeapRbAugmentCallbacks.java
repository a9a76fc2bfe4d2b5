package org.kfork.heap.ds;

/**
 * The heap twin of {@code struct rb_augment_callbacks}: how an augmented tree keeps a per-node
 * value that summarises the node's subtree (a maximum, a sum...) while the tree rebalances.
 *
 * <ul>
 *   <li>{@link #propagate}: recompute the value from {@code node} up to (not including) {@code stop},
 *       stopping early once a node's value is already right.</li>
 *   <li>{@link #copy}: {@code newNode} takes over {@code old}'s place (and so its subtree's value).</li>
 *   <li>{@link #rotate}: after a rotation {@code newNode} roots the subtree {@code old} rooted;
 *       newNode takes old's value and old is recomputed from its new children.</li>
 * </ul>
 */
public abstract class HeapRbAugmentCallbacks {
    /** Constructor for subclasses. */
    protected HeapRbAugmentCallbacks() {
    }

    /** Recompute the augmented value from {@code node} up to (excluding) {@code stop}, which may be null. */
    public abstract void propagate(HeapRbNode node, HeapRbNode stop);

    /** {@code newNode} replaces {@code old} in the tree: copy the subtree value. */
    public abstract void copy(HeapRbNode old, HeapRbNode newNode);

    /** A rotation made {@code newNode} the root of {@code old}'s former subtree. */
    public abstract void rotate(HeapRbNode old, HeapRbNode newNode);
}
