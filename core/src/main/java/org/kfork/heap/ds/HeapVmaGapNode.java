package org.kfork.heap.ds;

/**
 * The part of a heap VMA (the twin of {@code struct vm_area_struct}) that the mm's rb-tree and its
 * gap augmentation use: the node itself ({@code vm_rb}, by inheritance), {@code vm_start},
 * {@code vm_end}, the sorted list links {@code vm_next}/{@code vm_prev} and {@code rb_subtree_gap}.
 * A full heap VMA extends this class. See {@link HeapVmaGap}.
 */
public class HeapVmaGapNode extends HeapRbNode {
    /** {@code vm_start}: first address of the area. */
    public long vmStart;
    /** {@code vm_end}: first address after the area. */
    public long vmEnd;
    /** {@code vm_next}: the next area by address, or null. */
    public HeapVmaGapNode vmNext;
    /** {@code vm_prev}: the previous area by address, or null. */
    public HeapVmaGapNode vmPrev;
    /** {@code rb_subtree_gap}: the largest free gap before any area in this node's subtree. */
    public long rbSubtreeGap;

    /** A cleared node. */
    public HeapVmaGapNode() {
    }

    /** A cleared node covering {@code [vmStart, vmEnd)}. */
    public HeapVmaGapNode(long vmStart, long vmEnd) {
        this.vmStart = vmStart;
        this.vmEnd = vmEnd;
    }
}
