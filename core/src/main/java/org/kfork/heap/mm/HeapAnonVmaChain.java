package org.kfork.heap.mm;

import org.kfork.heap.ds.HeapIntervalNode;

/**
 * The heap twin of {@code struct anon_vma_chain}: one link between a VMA and an anon_vma, on the
 * VMA's same_vma list and in the anon_vma's interval tree (keyed by the VMA's pgoff range).
 */
public final class HeapAnonVmaChain extends HeapIntervalNode {
    /** vma. */
    HeapVma vma;
    /** anon_vma. */
    HeapAnonVma anonVma;
    /** same_vma.next / same_vma.prev (null at the ends). */
    HeapAnonVmaChain sameNext;
    HeapAnonVmaChain samePrev;

    HeapAnonVmaChain() {
    }

    @Override
    public long start() {
        return vma.vmPgoff;
    }

    @Override
    public long last() {
        return vma.vmPgoff + vma.pages() - 1;
    }
}
