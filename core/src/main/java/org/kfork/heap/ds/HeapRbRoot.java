package org.kfork.heap.ds;

/** The heap twin of {@code struct rb_root}: the tree's root pointer. */
public class HeapRbRoot {
    /** {@code rb_root.rb_node}: the root node, null when the tree is empty. */
    HeapRbNode node;

    /** An empty tree (RB_ROOT). */
    public HeapRbRoot() {
    }

    /** {@code root->rb_node}. */
    public final HeapRbNode node() {
        return node;
    }
}
