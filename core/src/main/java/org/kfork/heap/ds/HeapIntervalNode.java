package org.kfork.heap.ds;

/**
 * A node of a {@link HeapIntervalTree}: the twin of {@code vm_area_struct.shared} (the rb node plus
 * {@code rb_subtree_last}). Subclasses say where the interval comes from, as the kernel's ITSTART
 * and ITLAST macros do (for i_mmap: {@code vm_pgoff} and {@code vm_pgoff + pages - 1}).
 */
public abstract class HeapIntervalNode extends HeapRbNode {
    /** {@code rb_subtree_last}: the largest {@link #last()} in this node's subtree. */
    long subtreeLast;

    /** Constructor for subclasses. */
    protected HeapIntervalNode() {
    }

    /** ITSTART: the first point of the closed interval. */
    public abstract long start();

    /** ITLAST: the last point of the closed interval. */
    public abstract long last();

    /** {@code rb_subtree_last}. */
    public final long subtreeLast() {
        return subtreeLast;
    }
}
