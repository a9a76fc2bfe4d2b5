package org.kfork.heap.ds;

import static org.kfork.lib.IdrRules.RADIX_TREE_MAP_SIZE;
import static org.kfork.lib.IdrRules.XA_MAX_MARKS;

import org.kfork.heap.rcu.HeapCallbackHead;

/**
 * The heap twin of {@code struct xa_node} ({@code org.kfork.ds.XaNode}), a node of the radix tree
 * under {@link HeapIdr}: the same header fields, 64 slots holding child nodes (inner nodes) or the
 * stored objects (leaves), and the tag bitmaps. The node is its own {@code rcu_head} (it extends
 * {@link HeapCallbackHead}), so that a kernel that counts its nodes can free one after a grace
 * period, as 5.12's radix_tree_node_free does; the off-heap node's {@code private_list} has no
 * twin (the IDR never uses it).
 */
public final class HeapXaNode extends HeapCallbackHead {
    /** {@code shift}: the index bits below each slot, 0 in a leaf. */
    int shift;
    /** {@code offset}: this node's slot in its parent. */
    int offset;
    /** {@code count}: slots in use (in a leaf, the ids allocated). */
    int count;
    /** {@code nr_values}: value entries; always 0 on the heap, where no object is a value entry. */
    int nrValues;
    /** {@code parent}: null at the top. */
    HeapXaNode parent;
    /** {@code array}: the tree the node belongs to. */
    HeapIdrRoot<?> array;
    /** {@code slots[XA_CHUNK_SIZE]}: published with release stores (see HeapRadixTree). */
    final Object[] slots = new Object[RADIX_TREE_MAP_SIZE];
    /** {@code tags[XA_MAX_MARKS][XA_MARK_LONGS]}. */
    final long[] tags = new long[XA_MAX_MARKS];

    /** A node with empty slots and clear tags, as a {@link HeapIdr.NodeAllocator} must hand out. */
    public HeapXaNode() {
    }

    /** {@code node->shift}. */
    public int shift() {
        return shift;
    }

    /** {@code node->offset}. */
    public int offset() {
        return offset;
    }

    /** {@code node->count}. */
    public int count() {
        return count;
    }

    /** {@code node->nr_values}. */
    public int nrValues() {
        return nrValues;
    }

    /** {@code node->parent}. */
    public HeapXaNode parent() {
        return parent;
    }

    /** {@code node->array}. */
    public HeapIdrRoot<?> array() {
        return array;
    }

    /** {@code node->slots[offset]}: a child node, a stored object, or null. */
    public Object slot(int offset) {
        return slots[offset];
    }

    /** {@code node->tags[tag][0]}. */
    public long tags(int tag) {
        return tags[tag];
    }
}
