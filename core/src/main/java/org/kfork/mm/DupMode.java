package org.kfork.mm;

/**
 * How dup_mmap builds the child's VMA rb-tree.
 */
public enum DupMode {
    /**
     * The kernel's (5.12) way: each copied VMA is linked at the right end of the tree being built
     * (rb_link = &amp;tmp-&gt;vm_rb.rb_right), then rebalanced and its gaps updated: O(log n) per VMA.
     */
    APPEND,
    /**
     * Not in 5.12: the child tree is an O(n) structural clone of the parent's (same shape and
     * colours, gaps copied), the rb-tree analogue of the maple tree's __mt_dup that dup_mmap uses
     * since Linux 6.8. When a VMA is left out (VM_DONTCOPY) the shapes cannot match, and this mode
     * links the child's VMAs as {@link #APPEND} does. The per-VMA work and every result are the same.
     */
    STRUCTURAL
}
