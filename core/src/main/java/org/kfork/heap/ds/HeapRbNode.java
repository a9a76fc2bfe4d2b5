package org.kfork.heap.ds;

/**
 * The heap twin of {@code struct rb_node}: a red-black tree node held in a Java object.
 *
 * <p>Embed it by inheritance ({@code class HeapVma extends HeapRbNode}) so that "container_of"
 * is a cast, or by composition (a subclass that points back at its owner) when one object sits in
 * several trees. Where the kernel packs the colour into the low bit of the parent word, the twin
 * keeps a separate {@code black} flag; everything else follows {@link HeapRbTree} one for one.
 */
public class HeapRbNode {
    /** {@code __rb_parent_color}'s pointer half; {@code this} when the node is cleared (RB_CLEAR_NODE). */
    HeapRbNode parent;
    /** {@code rb_right}. */
    HeapRbNode right;
    /** {@code rb_left}. */
    HeapRbNode left;
    /** {@code __rb_parent_color}'s colour bit: true is RB_BLACK, false is RB_RED. */
    boolean black;

    /** A new node, cleared (RB_CLEAR_NODE), so that {@link HeapRbTree#emptyNode} holds. */
    public HeapRbNode() {
        this.parent = this;
    }

    /** {@code rb_parent(node)}: the parent, or null at the root. */
    public final HeapRbNode parent() {
        return parent;
    }

    /** {@code node->rb_left}. */
    public final HeapRbNode left() {
        return left;
    }

    /** {@code node->rb_right}. */
    public final HeapRbNode right() {
        return right;
    }

    /** {@code rb_is_black(node)}. */
    public final boolean isBlack() {
        return black;
    }

    /** {@code rb_is_red(node)}. */
    public final boolean isRed() {
        return !black;
    }
}
