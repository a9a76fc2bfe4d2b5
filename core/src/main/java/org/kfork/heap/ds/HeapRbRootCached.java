package org.kfork.heap.ds;

/**
 * The heap twin of {@code struct rb_root_cached}: a root that also caches its leftmost node, so
 * that {@link HeapRbTree#firstCached} is O(1). As in C, it "contains" an {@link HeapRbRoot} (here by
 * inheritance), so the plain operations accept it too.
 */
public class HeapRbRootCached extends HeapRbRoot {
    /** {@code rb_leftmost}. */
    HeapRbNode leftmost;

    /** An empty tree (RB_ROOT_CACHED). */
    public HeapRbRootCached() {
    }

    /** {@code root->rb_leftmost}. */
    public final HeapRbNode leftmost() {
        return leftmost;
    }
}
